//! Hostile and messy input: never a panic, never lost text, always a message naming the
//! file. One test per case.

use crate::support::*;

fn base() -> SiteTest {
    SiteTest::new().simple("peft", "参数高效微调", "", "")
}

/// The build did not crash: a panic exits with 101 and says "panicked".
fn no_panic(run: &Run) {
    assert_ne!(run.code, 101, "panicked:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn crlf_line_endings() {
    let site = base().file(
        "content/lora.md",
        "+++\r\ntitle = \"LoRA\"\r\nsummary = \"低秩适配。\"\r\nparent = \"peft\"\r\n+++\r\n\r\n第一段。\r\n\r\n```python\r\nx = 1\r\n```\r\n",
    );
    site.build().ok();
    let page = site.read("lora.html");
    assert!(page.contains("第一段。") && !page.contains('\r'), "{page}");
    // Positions count lines the same way.
    let broken = base().file(
        "content/lora.md",
        "+++\r\ntitle = \"LoRA\"\r\nsummary = \"s\"\r\nparent = \"peft\"\r\n+++\r\n\r\n见 [[pefd]]。\r\n",
    );
    broken.build().failed().says(&["content/lora.md:7:3: error: link `pefd` names no note", "7 | 见 [[pefd]]。"]);
}

#[test]
fn a_utf8_byte_order_mark() {
    let site = base().bytes(
        "content/lora.md",
        "\u{feff}+++\ntitle = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"\n+++\n\n正文。\n".as_bytes(),
    );
    site.build().ok();
    assert!(site.read("lora.html").contains("<title>LoRA"));
    let toml = base().bytes("book.toml", "\u{feff}[book]\ntitle = \"带 BOM 的站\"\n".as_bytes());
    toml.build().ok();
    assert!(toml.read("index.html").contains("带 BOM 的站"));
}

#[test]
fn spaces_and_tabs_after_the_fences() {
    let site = base()
        .file("content/lora.md", "+++ \t\ntitle = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"\n+++   \n正文。\n");
    site.build().ok();
    assert!(site.read("lora.html").contains("正文。"));
}

#[test]
fn a_file_that_is_not_utf8_names_the_byte_offset() {
    let site = base().bytes("content/latin1.md", b"+++\ntitle = \"caf\xe9\"\n+++\n").simple(
        "other",
        "其他",
        "parent = \"nope\"",
        "",
    );
    let run = site.run(&["check", "--format", "json"]).failed();
    no_panic(&run);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v[0]["path"], "content/latin1.md");
    assert_eq!(v[0]["message"], "not UTF-8: invalid byte at offset 16");
    assert_eq!(v[0]["help"], "save the file as UTF-8");
    let bad_toml = base().bytes("book.toml", b"[book]\ntitle = \"\xff\"\n");
    bad_toml.build().failed().says(&["book.toml: error: book.toml is not UTF-8 (invalid byte at offset 16)"]);
    let bad_template = base().bytes("templates/note.html", b"<p>\xc3\x28</p>");
    bad_template.build().failed().says(&["templates/note.html: error: not UTF-8: invalid byte at offset 3"]);
}

#[test]
fn an_empty_file() {
    for text in ["", "\n\n  \n", "\u{feff}"] {
        let site = base().file("content/empty.md", text);
        let run = site.build().failed();
        no_panic(&run);
        run.says(&[
            "content/empty.md:1:1: error: the file is empty: a note starts with a +++ (TOML) or --- (YAML) block",
            "help: begin the file with:",
        ]);
    }
    let site = base().file("content/open.md", "+++");
    site.build().failed().says(&["content/open.md:1:1: error: front matter is not closed"]);
}

#[test]
fn a_20_mb_note_builds_whole() {
    let para = "大模型的参数高效微调方法很多，[[peft]] 是其中之一。".repeat(10) + "\n\n";
    let body = para.repeat(20_000_000 / para.len()) + "最后一段：END-MARKER。\n";
    assert!(body.len() >= 19_900_000);
    let site = base().simple("big", "大文件", "parent = \"peft\"", &body);
    site.build().ok();
    let page = site.read("big.html");
    assert!(page.len() > 19_000_000);
    assert!(page.contains("最后一段：END-MARKER。"), "nothing is lost");
    assert!(page.matches("href=\"peft.html\"").count() >= 250_000);
    // An error at its very end is located exactly.
    let broken = base().simple("big", "大文件", "parent = \"peft\"", &format!("{body}[[nosuch]]\n"));
    let lines = 6 + body.matches('\n').count() + 1;
    broken.build().failed().says(&[&format!("content/big.md:{lines}:1: error: link `nosuch` names no note")]);
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_and_dead_links_are_skipped_with_a_warning() {
    use std::os::unix::fs::symlink;
    let site = base().simple("deep/lora", "LoRA", "parent = \"peft\"", "");
    let content = site.root().join("content");
    symlink("..", content.join("deep/up")).unwrap();
    symlink("self.md", content.join("self.md")).unwrap();
    symlink("gone.md", content.join("dead.md")).unwrap();
    let run = site.build().ok();
    no_panic(&run);
    run.says(&[
        "content/dead.md: warning: broken symbolic link: its target `gone.md` does not exist, so it was skipped",
        "content/deep/up: warning: symbolic link loop: this folder links back to one of its parents, so it was skipped",
        "content/self.md: warning: symbolic link loop: the link leads back to itself, so it was skipped",
        "3 warnings",
    ]);
    site.expect_file("lora.html").expect_file("peft.html");
}

#[test]
fn an_empty_content_folder_builds_an_empty_site_with_a_hint() {
    let site = SiteTest::new();
    let run = site.build().ok();
    run.says(&[
        "content: warning: content/ holds no notes yet",
        "help: create one with `conceptbook new my-first-note`",
    ]);
    site.expect_file("index.html").expect_file("404.html");
    let home = site.read("index.html");
    assert!(home.contains("测试站"));
}

#[test]
fn editor_files_are_ignored() {
    let site = base()
        .bytes("content/.#peft.md", b"\xff lock")
        .bytes("content/peft.md~", b"+++\nbroken")
        .bytes("content/#peft.md#", b"\xff")
        .bytes("content/.peft.md.swp", b"\x00\x01")
        .bytes("content/.DS_Store", b"\x00\x00\x00\x01Bud1")
        .bytes("content/.hidden/x.md", b"not a note")
        .bytes("static/.DS_Store", b"\x00")
        .bytes("templates/.#note.html", b"{{ broken");
    let run = site.build().ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let files: Vec<String> = site.snapshot_output().into_keys().collect();
    assert!(files.iter().all(|f| !f.contains("DS_Store") && !f.contains('#') && !f.contains('~')), "{files:?}");
}
