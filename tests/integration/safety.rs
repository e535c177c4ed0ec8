//! Safe by default (issue 12): notes from strangers, symbolic links and the build dir
//! cannot inject markup, leak files or delete someone else's folder. Each test builds a
//! hostile fixture site, as an attacker would write it, and reads what a reader would get.

use crate::support::*;

fn base() -> SiteTest {
    SiteTest::new().simple("peft", "参数高效微调", "", "")
}

/// The body of the note page (the article), where the author's text lands.
fn body_of(page: &str) -> &str {
    let start = page.find("class=\"note-body\"").expect("a note body");
    let end = page[start..].find("</article>").map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// The tags of `html` (`<name …>`, quotes respected), lower-cased; text is left out.
pub fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' && b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            let mut j = i + 1;
            let mut quote = None;
            while j < b.len() {
                match (quote, b[j]) {
                    (None, b'"' | b'\'') => quote = Some(b[j]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            out.push(html[i..j.min(b.len())].to_ascii_lowercase());
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// The attributes of a tag as `tags` returns it: (name, value), values unquoted.
pub fn attributes(tag: &str) -> Vec<(String, String)> {
    let name_len = tag[1..].chars().take_while(|c| c.is_ascii_alphanumeric()).count();
    let rest = &tag[1 + name_len..];
    let b = rest.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'/' | b'>') {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let name = rest[start..i].to_string();
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let end = rest[i + 1..].find(q as char).map_or(b.len(), |e| i + 1 + e);
                value = rest[i + 1..end.min(b.len())].to_string();
                i = end + 1;
            } else {
                let end = rest[i..].find(|c: char| c.is_ascii_whitespace() || c == '>').map_or(b.len(), |e| i + e);
                value = rest[i..end].to_string();
                i = end;
            }
        }
        out.push((name, value));
    }
    out
}

/// Markup that runs code in a page: what no author's note may ever produce. Text (escaped)
/// may say anything; tags, their event handlers, styles and URLs are what count.
pub fn assert_inert(html: &str) {
    for tag in tags(html) {
        let name: String = tag[1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        assert!(
            !["script", "iframe", "style", "object", "embed", "form", "base", "meta", "link"].contains(&name.as_str()),
            "{tag} reached the page:\n{html}"
        );
        for (attr, value) in attributes(&tag) {
            assert!(!attr.starts_with("on"), "an event handler reached the page: {tag}");
            assert!(attr != "style", "a style attribute reached the page: {tag}");
            if ["href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data", "background"]
                .contains(&attr.as_str())
            {
                let url: String = value
                    .replace("&#58;", ":")
                    .replace("&#x3a;", ":")
                    .replace("&colon;", ":")
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect();
                for bad in ["javascript:", "vbscript:", "data:"] {
                    assert!(!url.starts_with(bad), "{bad} reached the page: {tag}");
                }
            }
        }
    }
}

#[test]
fn raw_html_and_link_urls_are_sanitized_and_harmless_markup_stays() {
    let body = "\
<script>alert(1)</script>

<img src=x onerror=\"alert(2)\">

Inline <span onclick=\"alert(3)\">span</span> and <a href=\"javascript:alert(4)\">a</a>.

[js](javascript:alert(5)) [JS](JaVaScRiPt:alert(6)) [data](data:text/html,<script>alert(7)</script>) [vb](vbscript:msgbox(8))

<javascript:alert(11)> [ref][r] [tab](java	script:alert(12)) [ent](&#106;avascript:alert(13))

[r]: javascript:alert(14)

![pic](javascript:alert(9)) ![pic2](data:image/svg+xml,<svg/onload=alert(10)>)

<iframe src=\"https://evil.example\"></iframe>
<p style=\"position:fixed;inset:0\">cover</p>

<details open>
<summary>展开</summary>

按 <kbd>Ctrl</kbd>+<kbd>C</kbd>，x<sup>2</sup> 与 x<sub>i</sub><br>换行。

![ok](https://example.com/a.png) ![local](img/b.png) <img src=\"img/c.png\" alt=\"c\">

[外链](https://example.com/x) [[peft]]

</details>
";
    // img/b.png is there: a relative image that is not is an error (tests/integration/assets.rs).
    let site = base().simple("hostile", "恶意笔记", "parent = \"peft\"", body).file("content/img/b.png", "png");
    site.build().ok();
    let page = site.read("hostile.html");
    let html = body_of(&page);
    assert_inert(html);
    for kept in [
        "<details open=\"\">",
        "<summary>展开</summary>",
        "<kbd>Ctrl</kbd>",
        "x<sup>2</sup>",
        "x<sub>i</sub>",
        "<br>",
        "src=\"https://example.com/a.png\"",
        "src=\"img/b.png\"",
        "<img src=\"img/c.png\" alt=\"c\">",
        "<a href=\"https://example.com/x\">外链</a>",
        // conceptbook's own markup inside the author's <details> is untouched
        "<a class=\"note-link\" href=\"peft.html\" data-slug=\"peft\">参数高效微调</a>",
        "</details>",
    ] {
        assert!(html.contains(kept), "{kept:?} was lost:\n{html}");
    }
    // The link texts stay as text.
    for text in [
        ">js</a>",
        ">JS</a>",
        ">data</a>",
        ">vb</a>",
        ">ref</a>",
        ">ent</a>",
        "<a>javascript:alert(11)</a>",
        "span</span>",
        "cover",
    ] {
        assert!(html.contains(text), "{text:?} was lost:\n{html}");
    }
    // The markdown between the raw <details> and </details> is inside it.
    let details = &html[html.find("<details").unwrap()..html.find("</details>").unwrap()];
    assert!(details.contains("<kbd>Ctrl</kbd>") && details.contains("peft.html"), "{details}");
    // Hover previews carry the same body.
    for (path, bytes) in site.snapshot_output() {
        if path.ends_with(".js") || path.ends_with(".html") {
            let text = String::from_utf8_lossy(&bytes);
            for bad in
                ["alert(1)", "alert(2)", "alert(4)", "alert(5)", "alert(7)", "alert(9)", "alert(10)", "alert(14)"]
            {
                assert!(!text.contains(bad), "{path} holds {bad}");
            }
        }
    }
}

#[test]
fn the_home_page_is_sanitized_too() {
    let site = base().file("content/index.md", "欢迎 <img src=x onerror=alert(1)> [x](javascript:alert(2))\n");
    site.build().ok();
    let home = site.read("index.html");
    assert!(home.contains("欢迎"));
    assert!(!home.contains("onerror") && !home.contains("javascript:"), "{home}");
}

#[test]
fn a_trusted_site_keeps_raw_html_as_written() {
    let body = "<div class=\"widget\" onclick=\"go()\">w</div>\n\n[run](javascript:go())\n";
    let site = base()
        .file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n[build]\ntrusted-html = true\n")
        .simple("w", "组件", "", body);
    site.build().ok();
    let page = site.read("w.html");
    assert!(page.contains("<div class=\"widget\" onclick=\"go()\">w</div>"), "{page}");
    assert!(page.contains("href=\"javascript:go()\""), "{page}");
    // A typo of the key is caught, with the right name.
    let typo = base().file("book.toml", "[book]\ntitle = \"t\"\n[build]\ntrust-html = true\n");
    typo.build().failed().says(&["unknown key `build.trust-html`", "did you mean `trusted-html`?"]);
}

/// Every `<math>` element of `html`, checked to be well-formed markup: each `<` opens or
/// closes a tag, tags balance, and no `>` or bare `<` stands in text.
pub fn assert_math_well_formed(html: &str, what: &str) -> usize {
    let mut count = 0;
    let mut rest = html;
    while let Some(start) = rest.find("<math") {
        let end = rest[start..].find("</math>").map(|e| start + e + "</math>".len()).expect("</math>");
        let math = &rest[start..end];
        let mut stack: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < math.len() {
            let c = math.as_bytes()[i];
            match c {
                b'<' => {
                    let close =
                        math[i..].find('>').map(|e| i + e).unwrap_or_else(|| panic!("{what}: unclosed tag in {math}"));
                    let tag = &math[i + 1..close];
                    if let Some(name) = tag.strip_prefix('/') {
                        assert_eq!(stack.pop(), Some(name), "{what}: </{name}> closes the wrong element in {math}");
                    } else {
                        let name = tag.split([' ', '/']).next().unwrap();
                        assert!(
                            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
                            "{what}: `<{tag}>` is not a tag in {math}"
                        );
                        if !tag.ends_with('/') {
                            stack.push(name);
                        }
                    }
                    i = close + 1;
                }
                b'>' => panic!("{what}: a bare > in {math}"),
                _ => i += 1,
            }
        }
        assert!(stack.is_empty(), "{what}: unclosed {stack:?} in {math}");
        count += 1;
        rest = &rest[end..];
    }
    count
}

#[test]
fn tex_cannot_close_its_annotation_and_math_is_well_formed() {
    let body = "行内 $a</annotation></semantics></math><img src=x onerror=alert(1)>$ 与 $x_{< t}$ 和 $a > b \\& c$。\n\n$$\n</annotation><script>alert(2)</script>\n$$\n";
    let site = base().simple("tex", "公式", "parent = \"peft\"", body);
    site.build().ok();
    let page = site.read("tex.html");
    let html = body_of(&page);
    assert_inert(html);
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("x_{&lt; t}</annotation>"), "{html}");
    assert_eq!(assert_math_well_formed(html, "tex.html"), 4);
}

/// pulldown-latex writes the argument of `\operatorname` as it is, markup included: the
/// fuzz test found `\operatorname{<\sqrt}`, and `\operatorname{<script>…}` put a script on
/// the page. Its output is now kept only tag by tag, from the MathML it writes.
#[test]
fn operator_names_cannot_bring_markup_into_a_formula() {
    let body = "甲 $\\operatorname{<script>alert(1)</script>}$ 乙 $\\operatorname*{<img src=x onerror=alert(2)>}$ \
                丙 $\\operatorname{</mi></mrow><mi style=\"color:red\" href=\"javascript:alert(3)\">x}$ \
                丁 $\\operatorname{</annotation>\\text{}}$ 戊 $\\operatorname{<\\sqrt}$ 己 $\\operatorname{&amp;&}$。\n";
    let site = base().simple("op", "算子", "parent = \"peft\"", body);
    site.build().ok();
    let page = site.read("op.html");
    let html = body_of(&page);
    assert_inert(html);
    assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the name stays, as text: {html}");
    assert_eq!(assert_math_well_formed(html, "op.html"), 6);
}

#[test]
fn the_real_notes_math_is_well_formed() {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("book");
    let run = std::process::Command::new(BIN)
        .args(["build", "--quiet", "--root", env!("CARGO_MANIFEST_DIR"), "--dest"])
        .arg(&dest)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let page = std::fs::read_to_string(dest.join("generative-model.html")).unwrap();
    assert!(page.contains("x_{&lt;t}") || page.contains("x_{&lt; t}"), "the annotation is escaped");
    let mut formulas = 0;
    for page in walkdir(&dest).into_iter().filter(|p| p.extension().is_some_and(|e| e == "html")) {
        formulas += assert_math_well_formed(&std::fs::read_to_string(&page).unwrap(), &page.display().to_string());
    }
    assert!(formulas > 20, "{formulas} formulas");
}

/// Runs `conceptbook build` in `site`, killed if it has not ended in 60 s (a stall, which
/// the test then reports, rather than hanging the suite).
fn build_or_stall(site: &SiteTest) -> Run {
    let mut child = std::process::Command::new(BIN)
        .arg("build")
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the build stalled on a hostile formula");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn quadratic_formulas_are_refused_with_their_place_not_a_stall() {
    // 40,000 nested square roots in display math: today a stall of minutes.
    let sqrt = format!("开头。\n\n$$\n{}x{}\n$$\n", "\\sqrt{".repeat(40_000), "}".repeat(40_000));
    let site = base().simple("sqrt", "根号", "parent = \"peft\"", &sqrt);
    let run = build_or_stall(&site).failed();
    run.says(&["content/sqrt.md:9:1: error: formula is too long: 280003 bytes, at most 4000", "build failed"]);
    // 200,000 nested braces: today a stall; 40,000 unbraced roots: a stack overflow.
    let braces = format!("正文 ${}{}$\n", "{".repeat(200_000), "}".repeat(200_000));
    let site = base().simple("braces", "括号", "parent = \"peft\"", &braces);
    build_or_stall(&site).failed().says(&["content/braces.md:7:4: error: formula is too long"]);
    let chain = format!("${}x$\n", "\\sqrt".repeat(40_000));
    let site = base().simple("chain", "链", "parent = \"peft\"", &chain);
    build_or_stall(&site).failed().says(&["content/chain.md:7:1: error: formula is too long"]);
    // Short but deep: refused for its nesting.
    let deep = format!("${}x{}$\n", "\\sqrt{".repeat(150), "}".repeat(150));
    let site = base().simple("deep", "深", "parent = \"peft\"", &deep);
    build_or_stall(&site).failed().says(&["content/deep.md:7:1: error: formula nests groups more than 100 deep"]);
    // Long unbraced chains within the limits build (no stack overflow).
    let chain = format!("${}x$\n", "\\sqrt ".repeat(600));
    let site = base().simple("chain", "链", "parent = \"peft\"", &chain);
    build_or_stall(&site).ok();
}

#[test]
fn slugs_of_generated_pages_are_refused_with_a_suggestion() {
    let site = base()
        .simple("glossary", "词汇表笔记", "", "这段文字不能被生成的词汇表页面盖住。")
        .simple("tags-note", "标签", "slug = \"tags\"", "")
        .simple("sub/index", "子目录首页", "", "")
        .simple("x404", "四零四", "slug = \"404\"", "");
    let run = site.build().failed();
    run.says(&[
        "content/glossary.md:1:1: error: the slug `glossary` is reserved for conceptbook's own glossary page",
        "help: rename the file to `glossary-note.md` or set `slug = \"glossary-note\"`",
        "content/tags-note.md:4:1: error: the slug `tags` is reserved",
        "help: choose another slug, e.g. `slug = \"tags-note\"`",
        "content/sub/index.md:1:1: error: the slug `index` is reserved",
        "set `slug = \"sub\"` (the folder's name)",
        "content/x404.md:4:1: error: the slug `404` is reserved",
    ]);
    assert!(!site.out().exists(), "nothing is written");
    for slug in ["graph", "print", "search", "map", "sitemap"] {
        base().simple(slug, "保留", "", "").build().failed().says(&[&format!("the slug `{slug}` is reserved")]);
    }
    // The home page, content/index.md, is no note and stays fine.
    base().file("content/index.md", "欢迎。\n").build().ok();
}

#[cfg(unix)]
#[test]
fn nothing_whose_real_path_lies_outside_the_site_is_published() {
    use std::os::unix::fs::symlink;
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("id_rsa");
    std::fs::write(&secret, "-----BEGIN OPENSSH PRIVATE KEY----- SECRET-KEY").unwrap();
    std::fs::create_dir_all(elsewhere.path().join("notes")).unwrap();
    std::fs::write(
        elsewhere.path().join("notes/leak.md"),
        "+++\ntitle = \"外部\"\nsummary = \"SECRET-NOTE\"\n+++\n\nSECRET-NOTE\n",
    )
    .unwrap();
    std::fs::write(elsewhere.path().join("note.html"), "SECRET-TEMPLATE {{ page.title }}").unwrap();
    let site = base()
        .file("static/real.txt", "inside")
        .file("content/inside/ok.md", "+++\ntitle = \"内\"\nsummary = \"s\"\n+++\n");
    let root = site.root();
    symlink(&secret, root.join("static/key.txt")).unwrap();
    symlink("/proc/self/environ", root.join("static/env.txt")).unwrap();
    symlink(elsewhere.path().join("notes"), root.join("content/linked")).unwrap();
    symlink(elsewhere.path().join("note.html"), root.join("templates-note.html")).unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::rename(root.join("templates-note.html"), root.join("templates/note.html")).unwrap();
    // Links that stay inside the site are fine.
    symlink("real.txt", root.join("static/alias.txt")).unwrap();
    let run = site.build().failed();
    run.says(&[
        &format!(
            "content/linked: error: symbolic link (to `{}`) leads outside the site's folder: nothing behind it is published",
            elsewhere.path().join("notes").display()
        ),
        "help: copy the file into the site, or remove the link",
        "build failed: nothing was written",
    ]);
    std::fs::remove_file(root.join("content/linked")).unwrap();
    let run = site.build().failed();
    run.says(&[
        "static/env.txt: error: symbolic link (to `/proc/self/environ`) leads outside the site's folder",
        "static/key.txt: error: symbolic link",
        "templates/note.html: error: symbolic link",
    ]);
    assert!(!run.stderr.contains("alias.txt"), "an inside link is no error:\n{}", run.stderr);
    assert!(!site.out().exists());
    // `check` says the same.
    site.run(&["check"]).failed().says(&["static/key.txt: error: symbolic link"]);
    // Without the outside links, the inside ones build and are published.
    for l in ["static/key.txt", "static/env.txt", "templates/note.html"] {
        std::fs::remove_file(root.join(l)).unwrap();
    }
    site.build().ok();
    assert_eq!(site.read("alias.txt"), "inside");
    for (path, bytes) in site.snapshot_output() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("SECRET"), "{path}");
    }
}

#[test]
fn only_a_folder_conceptbook_built_is_replaced() {
    // Another project beside the site, whose docs/ has a .nojekyll of its own (Sphinx,
    // Docusaurus and hand-made folders all do).
    let parent = tempfile::tempdir().unwrap();
    let docs = parent.path().join("other-project/docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join(".nojekyll"), "").unwrap();
    std::fs::write(docs.join("handbook.md"), "the handbook").unwrap();
    let site = base();
    // Named by --dest: conceptbook goes there, but will not replace a folder it did not make.
    let run = site.run(&["build", "--dest", docs.to_str().unwrap()]).failed();
    run.says(&["is not a conceptbook output (no .conceptbook-output in it)"]);
    assert_eq!(std::fs::read_to_string(docs.join("handbook.md")).unwrap(), "the handbook");
    // book.toml naming a folder outside the site is refused, even an empty one.
    let site = site.file("book.toml", "[book]\ntitle = \"t\"\n[build]\nbuild-dir = \"../other-project/docs\"\n");
    site.build().failed().says(&[
        "book.toml: error: refusing to build into",
        "lies outside the site's folder",
        "--dest",
    ]);
    assert_eq!(std::fs::read_to_string(docs.join("handbook.md")).unwrap(), "the handbook");
    std::fs::create_dir_all(parent.path().join("empty")).unwrap();
    let site = site.file("book.toml", "[book]\ntitle = \"t\"\n[build]\nbuild-dir = \"../empty\"\n");
    site.build().failed().says(&["lies outside the site's folder"]);
    // Its own build dir, once built, is replaced by the next build; and a build at a
    // --dest outside the site works when the command line names it.
    let site = base();
    site.build().ok();
    site.expect_file(".conceptbook-output").expect_file(".nojekyll");
    site.build().ok();
    let out = parent.path().join("site-out");
    site.run(&["build", "--dest", out.to_str().unwrap()]).ok();
    site.run(&["build", "--dest", out.to_str().unwrap()]).ok();
    assert!(out.join("peft.html").is_file());
    // A book/ of an older conceptbook (no marker yet) is still recognised as its own.
    std::fs::remove_file(site.out().join(".conceptbook-output")).unwrap();
    site.build().ok();
}

#[cfg(unix)]
#[test]
fn a_build_removes_what_killed_builds_left_behind() {
    let site = base();
    site.build().ok();
    // A process that has ended: its id names no running process.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let running = std::process::id();
    for name in [format!(".book.staging-{dead}"), format!(".book.old-{dead}"), format!(".book.old-{running}")] {
        std::fs::create_dir_all(site.root().join(&name).join("css")).unwrap();
        std::fs::write(site.root().join(&name).join("css/style.css"), "x".repeat(1000)).unwrap();
    }
    std::fs::create_dir_all(site.root().join(".docs.old-1")).unwrap();
    site.build().ok();
    let mut left: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    left.sort();
    // The running build's folder, and folders of another name, are left alone.
    assert_eq!(left, [".book.old-".to_string() + &running.to_string(), ".docs.old-1".into()]);
    site.expect_file("index.html");
}

/// A host that answers everything with 200, open to every origin, and scripts that mark
/// the page that runs them; counts the requests it gets.
fn evil_host() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0; 4096];
            let _ = stream.read(&mut buf);
            let body = "window.__pwned = (window.__pwned || 0) + 1;";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, hits)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_404_page_only_takes_its_base_from_its_own_origin() {
    use crate::browser::*;
    let site = base();
    site.build().ok();
    let http = serve(site.out(), "/");
    let (evil, hits) = evil_host();
    with_browser((1024, 768), move |c| async move {
        // `//127.0.0.1:EVIL/x/y` on the site: a protocol-relative path to another host.
        for path in
            [format!("/127.0.0.1:{evil}/x/y"), format!("//127.0.0.1:{evil}/x/y"), format!("/\\127.0.0.1:{evil}/x/y")]
        {
            c.goto(&format!("{http}{path}")).await.unwrap();
            let h1 = c.find(fantoccini::Locator::Css("h1")).await.unwrap().text().await.unwrap();
            assert_eq!(h1, "页面不存在");
            // The page finds its own root: the brand link leads home, on this origin.
            let mut home = String::new();
            for _ in 0..50 {
                let v = c.execute("return document.querySelector('.brand').href", vec![]).await.unwrap();
                home = v.as_str().unwrap_or("").to_string();
                if home == format!("{http}index.html") {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert_eq!(home, format!("{http}index.html"), "{path}");
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let pwned = c.execute("return window.__pwned || 0", vec![]).await.unwrap();
            assert_eq!(pwned.as_u64(), Some(0), "{path}: a script from the other host ran");
            let base =
                c.execute("var b = document.querySelector('base'); return b ? b.href : ''", vec![]).await.unwrap();
            assert!(base.as_str().unwrap().starts_with(&http), "{path}: base {base}");
        }
    })
    .await;
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0, "the other host got requests");
}

/// Sends `request` as it is to a running `serve`; returns the status and the whole response.
fn raw(port: u16, request: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

#[test]
fn serve_answers_only_its_own_host_and_its_own_pages() {
    use crate::serve::Served;
    let site = base();
    let s = Served::start(&site, &[]);
    let p = s.port;
    for host in [format!("127.0.0.1:{p}"), format!("localhost:{p}"), format!("[::1]:{p}"), format!("LOCALHOST:{p}")] {
        let (status, text) = raw(p, &format!("GET /search/docs-0.js HTTP/1.1\r\nHost: {host}\r\n\r\n"));
        assert_eq!(status, 200, "{host}: {text}");
        assert!(text.contains("Cross-Origin-Resource-Policy: same-origin"), "{text}");
    }
    // DNS rebinding: a page at evil.example:PORT whose name now resolves to 127.0.0.1.
    for host in [
        format!("evil.example:{p}"),
        "127.0.0.1".into(),
        format!("127.0.0.1:{}", p.wrapping_add(1)),
        format!("127.0.0.1.evil.example:{p}"),
        String::new(),
    ] {
        let (status, text) = raw(p, &format!("GET /peft.html HTTP/1.1\r\nHost: {host}\r\n\r\n"));
        assert_eq!(status, 403, "Host: {host}");
        assert!(!text.contains("参数高效微调"), "{text}");
    }
    let (status, _) = raw(p, "GET / HTTP/1.0\r\n\r\n");
    assert_eq!(status, 403, "no Host at all");
    // Another site's page including the search shards as a script, or fetching a page.
    for (site_header, mode, want) in [
        ("cross-site", "no-cors", 403),
        ("cross-site", "cors", 403),
        ("same-site", "no-cors", 403),
        ("cross-site", "navigate", 200),
        ("same-origin", "no-cors", 200),
        ("none", "navigate", 200),
    ] {
        let (status, _) = raw(
            p,
            &format!("GET /search/docs-0.js HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nSec-Fetch-Site: {site_header}\r\nSec-Fetch-Mode: {mode}\r\nSec-Fetch-Dest: script\r\n\r\n"),
        );
        assert_eq!(status, want, "Sec-Fetch-Site: {site_header}, Sec-Fetch-Mode: {mode}");
    }
    // Every kind of answer carries the header: a page, a 404, a redirect, the events.
    for path in ["/", "/nope", "/css", "/__conceptbook/events?build=1&server=x"] {
        use std::io::{BufRead, Write};
        let mut c = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        write!(c, "GET {path} HTTP/1.1\r\nHost: localhost:{p}\r\n\r\n").unwrap();
        let mut head = String::new();
        let mut r = std::io::BufReader::new(c);
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.contains("Cross-Origin-Resource-Policy: same-origin"), "{path}: {head}");
    }
}

/// The number of threads of process `pid` (Linux).
#[cfg(target_os = "linux")]
fn threads(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().find_map(|l| l.strip_prefix("Threads:")).unwrap().trim().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn serve_holds_idle_and_trickling_connections_with_bounded_threads_and_a_deadline() {
    use crate::serve::Served;
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let site = base();
    let s = Served::start(&site, &[]);
    let p = s.port;
    let before = threads(s.pid());
    // One that trickles a byte of its head every 300 ms is cut off after the deadline, not
    // kept forever (a per-read timeout alone never ends it).
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let start = Instant::now();
    let mut cut = false;
    for b in format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nX-Slow: {}", "a".repeat(200)).bytes() {
        if slow.write_all(&[b]).is_err() {
            cut = true;
            break;
        }
        let mut buf = [0; 512];
        match slow.read(&mut buf) {
            Ok(0) => {
                cut = true;
                break;
            }
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                assert!(text.starts_with("HTTP/1.1 408"), "{text}");
                cut = true;
                break;
            }
            Err(_) => {}
        }
        if start.elapsed() > Duration::from_secs(30) {
            break;
        }
    }
    assert!(cut, "a head trickling for 30 s was still being read");
    assert!(start.elapsed() < Duration::from_secs(15), "cut off after {:?}", start.elapsed());
    // 300 connections that never send a request: a bounded number of threads holds them;
    // those beyond the queue are told to come back (503) at once.
    let idle: Vec<std::net::TcpStream> =
        (0..300).map(|_| std::net::TcpStream::connect(("127.0.0.1", p)).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(500));
    let during = threads(s.pid());
    assert!(during <= before + 40, "threads: {before} before, {during} with 300 idle connections");
    drop(idle);
    // Once the idle ones are gone or timed out, requests are answered as ever.
    s.get_until("/peft.html", |r| r.status == 200, "an answer after the flood");
    assert!(threads(s.pid()) <= before + 40);
}

/// The HTML parser under the sanitizer is quadratic in the tags it keeps open: this body
/// (100,000 unclosed `<div>`, 50,000 distinct `<b title=…>`) took it about 50 s. Past
/// `MAX_HTML_TAGS` tags the raw HTML is written as text, with a warning at its line.
#[test]
fn raw_html_with_too_many_tags_is_text_and_a_warning() {
    let bold: String = (0..50_000).map(|i| format!("<b title={i}>")).collect();
    let body = format!("Intro.\n\n{}\n\n{bold}\n", "<div>".repeat(100_000));
    let site = base().simple("deep", "深", "", &body);
    let run = site.build().ok();
    // Front matter on lines 1-4, the intro on 6: the HTML starts on line 8.
    run.says(&["content/deep.md:8:1", "warning", "more than 5000 tags", "split the note"]);
    let page = site.read("deep.html");
    let article = body_of(&page);
    assert!(article.contains("&lt;div&gt;&lt;div&gt;") && article.contains("&lt;b title=49999&gt;"));
    assert!(!article.contains("<div><div>") && !article.contains("<b title"), "raw HTML kept");
    assert_inert(article);
    site.run(&["check"]).ok().says(&["content/deep.md:8:1", "more than 5000 tags"]);
}
