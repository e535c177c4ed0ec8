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

/// A note with a callout of every GitHub kind and Obsidian's titled and foldable forms.
pub fn callout_body() -> &'static str {
    "开头一段。\n\n> [!NOTE]\n> 说明。\n\n> [!TIP]\n> 提示。\n\n> [!IMPORTANT]\n> 重要。\n\n> [!WARNING]\n> 警告。\n\n> [!CAUTION]\n> 当心。\n\n> [!warning] 显存不够时\n> 换用 [[fine-tuning]]。\n\n> [!tip]- 点开看\n> 折起来的内容。\n\n> [!question]+ 还有问题？\n> 展开的内容。\n\n> 普通引文。\n"
}

#[test]
fn callouts_in_both_syntaxes_render_as_labelled_boxes_in_the_site_language() {
    let site = SiteTest::peft_chain().simple("lora", "LoRA", "parent = \"peft\"", callout_body());
    site.build().ok();
    let html = site.read("lora.html");
    assert!(!html.contains("[!"), "no literal marker is left: {html}");
    for (kind, label) in [("note", "注"), ("tip", "提示"), ("important", "重要"), ("warning", "警告"), ("caution", "当心")] {
        assert!(
            html.contains(&format!("<div class=\"callout callout-{kind}\" role=\"note\" aria-label=\"{label}\">")),
            "{kind} box labelled {label}"
        );
    }
    assert!(html.contains("</span>显存不够时</p>"), "the custom title shows");
    assert!(html.contains("<a class=\"note-link\" href=\"fine-tuning.html\""), "links inside a callout resolve");
    assert!(html.contains("<details class=\"callout callout-tip\">\n<summary class=\"callout-title\">"), "- is closed");
    assert!(html.contains("<details class=\"callout callout-question\" open>"), "+ is open");
    assert!(html.contains("<blockquote>\n<p>普通引文。</p>"), "a plain quote stays a quote");
    // In English, English labels.
    let site = site.file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"en\"\n");
    site.build().ok();
    let html = site.read("lora.html");
    assert!(html.contains("aria-label=\"Warning\">") && html.contains("</span>Caution</p>"), "{html}");
}
