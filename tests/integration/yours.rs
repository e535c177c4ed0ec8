//! Issue 14, "your notes, your site": YAML front matter, callouts, the print page, edit
//! links, sharing meta, `init` and the release workflow, over fixture sites in temp dirs.

use crate::support::*;

/// Writes `content/<slug>.md` with YAML front matter between `---` lines.
fn yaml_note(site: SiteTest, slug: &str, front: &str, body: &str) -> SiteTest {
    site.file(&format!("content/{slug}.md"), &format!("---\n{front}\n---\n\n{body}"))
}

#[test]
fn yaml_front_matter_builds_like_toml_with_obsidian_lists() {
    let site = SiteTest::peft_chain();
    let site = yaml_note(
        site,
        "lora",
        "title: LoRA\nsummary: 冻结预训练权重，只训练低秩分解矩阵。\nparent: peft\naliases:\n  - 低秩适配\n  - Low-Rank Adaptation\ntags: 微调\nrelated: [fine-tuning]",
        "LoRA 属于 [[peft|高效微调]]。",
    );
    let site = yaml_note(
        site,
        "qlora",
        "title: \"QLoRA: 量化\"\nsummary: '量化后的 LoRA。'\nparent: lora\ntags:\n- 微调\n- 量化\norder: 1\nglossary: false",
        "见 [[低秩适配]]。",
    );
    site.build().ok();
    let lora = site.read("lora.html");
    assert!(lora.contains("<h1") && lora.contains("LoRA"), "{lora}");
    assert!(lora.contains("冻结预训练权重，只训练低秩分解矩阵。"));
    // The parent from YAML gives breadcrumbs; the related note is linked.
    assert!(lora.contains("href=\"peft.html\""), "breadcrumb to the parent");
    assert!(lora.contains("href=\"fine-tuning.html\""), "related note");
    // The alias from a block list resolves a wiki link in another note.
    let qlora = site.read("qlora.html");
    assert!(qlora.contains("QLoRA: 量化"), "a quoted title with a colon");
    assert!(qlora.contains("<a href=\"lora.html\""), "[[低秩适配]] links to LoRA: {qlora}");
    // Tags in both forms: a single string and a block list.
    let tags = site.read("tags.html");
    assert!(tags.contains("量化") && tags.contains("微调"));
    // glossary: false keeps QLoRA out of the glossary; LoRA is in it, with its aliases.
    let glossary = site.read("glossary.html");
    assert!(glossary.contains("id=\"lora\"") && glossary.contains("Low-Rank Adaptation"));
    assert!(!glossary.contains("id=\"qlora\""));
}

#[test]
fn yaml_errors_name_file_line_and_column() {
    let site = yaml_note(SiteTest::peft_chain(), "lora", "title: LoRA\nsummary: s\nparent: petf\nrealted: [peft]", "");
    let run = site.build().failed();
    run.says(&[
        "content/lora.md:5:1: error: unknown front matter key `realted`",
        "did you mean `related`?",
    ]);
    assert!(!site.out().exists());
    // Once the key is right, the dangling parent is reported where it is written.
    let site = yaml_note(site, "lora", "title: LoRA\nsummary: s\nparent: petf\nrelated: [peft]", "");
    site.build().failed().says(&["content/lora.md:4:9: error: parent `petf` names no note", "did you mean `peft`?"]);
    let site = yaml_note(site, "lora", "title: LoRA\nsummary: s\nrelated:\n  - \"fine-tunning\"", "");
    site.build().failed().says(&["content/lora.md:5:6: error: related note `fine-tunning` names no note"]);
    // Bad YAML: an unclosed quote, a list where a string goes, a block never closed.
    let site = yaml_note(site, "lora", "title: LoRA\nsummary: \"s\n", "");
    site.build().failed().says(&["content/lora.md:", "invalid YAML"]);
    let site = yaml_note(site, "lora", "title: LoRA\nsummary: s\norder: first", "");
    site.build().failed().says(&["content/lora.md:4:8: error: `order` must be a whole number"]);
    let site = site.file("content/lora.md", "---\ntitle: LoRA\nsummary: s\n");
    site.build().failed().says(&["content/lora.md:1:1: error: front matter is not closed", "---"]);
    let site = yaml_note(site, "lora", "title: LoRA", "");
    site.build().failed().says(&["content/lora.md:1:1: error: missing required key `summary`", "summary: ..."]);
}
