//! `conceptbook new SLUG [--parent P] [--title T]`: a note that builds at once, and a clear
//! refusal for an existing file, a bad slug, a taken slug and an unknown parent.

use crate::support::*;

fn base() -> SiteTest {
    SiteTest::peft_chain()
}

fn read(site: &SiteTest, rel: &str) -> String {
    std::fs::read_to_string(site.root().join(rel)).unwrap()
}

#[test]
fn scaffolds_a_note_that_builds_under_its_parent() {
    let site = base();
    let run = site.run(&["new", "lora", "--parent", "peft", "--title", "LoRA（低秩适配）"]).ok();
    assert!(run.stdout.contains("created content/lora.md"), "{}", run.stdout);
    let text = read(&site, "content/lora.md");
    assert!(text.starts_with("+++\ntitle = \"LoRA（低秩适配）\"\nsummary = \""), "{text}");
    assert!(text.contains("\nparent = \"peft\"\n"), "{text}");
    site.build().ok();
    let page = site.read("lora.html");
    assert!(page.contains("LoRA（低秩适配）"));
    assert!(text_of_class(&page, "breadcrumbs").contains("参数高效微调"), "{page}");
    // The default text speaks the site's language.
    assert!(text.contains("用一句话说明"), "{text}");
}

#[test]
fn the_parent_may_be_named_by_title_or_alias_and_the_title_is_quoted() {
    let site = base();
    site.run(&["new", "lora", "--parent", "PEFT", "--title", "say \"hi\" \\ 你好"]).ok();
    site.run(&["new", "qlora", "--parent", "参数高效微调"]).ok();
    assert!(read(&site, "content/lora.md").contains("parent = \"peft\""));
    let q = read(&site, "content/qlora.md");
    assert!(q.contains("title = \"Qlora\"") && q.contains("parent = \"peft\""), "{q}");
    site.build().ok();
    assert!(site.read("lora.html").contains("say &quot;hi&quot; \\ 你好"));
}

#[test]
fn an_english_site_gets_english_text_and_a_root_note_has_no_parent() {
    let site = SiteTest::new().file("book.toml", "[book]\ntitle = \"Concepts\"\n");
    site.run(&["new", "attention"]).ok();
    let text = read(&site, "content/attention.md");
    assert_eq!(
        text,
        "+++\ntitle = \"Attention\"\nsummary = \"One sentence on what Attention is: the glossary definition, search snippet and page description.\"\naliases = []\ntags = []\n+++\n\nAttention is …\n"
    );
    site.build().ok();
}

#[test]
fn refuses_an_existing_file_and_leaves_it_alone() {
    let site = base();
    let before = read(&site, "content/peft.md");
    let run = site.run(&["new", "peft"]).failed();
    run.says(&[
        "content/peft.md: error: this note already exists",
        "help: edit it, or choose another slug",
        "no note was created",
    ]);
    assert_eq!(read(&site, "content/peft.md"), before);
}

#[test]
fn refuses_a_slug_taken_by_a_note_elsewhere() {
    let site = base().simple("deep/lora", "LoRA", "parent = \"peft\"", "");
    site.run(&["new", "lora"]).failed().says(&["error: slug `lora` is already used by content/deep/lora.md"]);
    assert!(!site.root().join("content/lora.md").exists());
}

#[test]
fn refuses_a_bad_slug_with_a_fix() {
    let site = base();
    site.run(&["new", "LoRA_v2"]).failed().says(&[
        "content/LoRA_v2.md: error: `LoRA_v2` is not a valid slug",
        "help: a slug is lower-case ASCII letters and digits joined by single hyphens: try `conceptbook new lora-v2`",
    ]);
    for bad in ["../escape", "a/b", "低秩", "a-", ""] {
        site.run(&["new", bad]).failed().says(&["is not a valid slug"]);
    }
    assert!(!site.root().join("escape.md").exists());
    assert_eq!(walkdir(&site.root().join("content")).len(), 2, "nothing written");
}

#[test]
fn refuses_an_unknown_parent_with_did_you_mean() {
    let site = base();
    site.run(&["new", "lora", "--parent", "petf"]).failed().says(&[
        "error: parent `petf` names no note",
        "help: did you mean `peft`?",
        "no note was created",
    ]);
    let run = site.run(&["new", "lora", "--parent", "zzzzzzzz"]).failed();
    run.says(&["error: parent `zzzzzzzz` names no note"]);
    assert!(!run.stderr.contains("did you mean"));
    let drafted = base().simple("wip", "草稿", "draft = true", "");
    drafted.run(&["new", "lora", "--parent", "wip"]).failed().says(&["content/wip.md is a draft"]);
    assert!(!site.root().join("content/lora.md").exists());
}

#[test]
fn the_site_can_replace_the_template() {
    let site = base().file(
        "templates/new-note.md",
        "+++\ntitle = {{ title | toml }}\nsummary = \"TODO\"\n{% if parent %}parent = {{ parent | toml }}\n{% endif %}tags = [\"新\"]\n+++\n\n# {{ slug }}\n",
    );
    site.run(&["new", "lora", "--parent", "peft"]).ok();
    assert_eq!(
        read(&site, "content/lora.md"),
        "+++\ntitle = \"Lora\"\nsummary = \"TODO\"\nparent = \"peft\"\ntags = [\"新\"]\n+++\n\n# lora\n"
    );
    site.build().ok();
    // A template that makes no valid note writes nothing.
    let broken = base().file("templates/new-note.md", "just text {{ title }}\n");
    broken
        .run(&["new", "lora"])
        .failed()
        .says(&["templates/new-note.md: error: the note this template makes does not parse"]);
    assert!(!broken.root().join("content/lora.md").exists());
}

#[test]
fn works_in_an_empty_site() {
    let site = SiteTest::new();
    std::fs::remove_dir(site.root().join("content")).unwrap();
    site.run(&["new", "first"]).ok();
    assert!(site.root().join("content/first.md").is_file());
    site.build().ok();
}
