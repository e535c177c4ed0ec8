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

#[test]
fn print_page_holds_every_note_in_reading_order_with_in_page_links_and_numbers() {
    let site = SiteTest::peft_chain()
        .simple("lora", "LoRA", "parent = \"peft\"\norder = 1", "## 原理\n\n见 [[peft]] 和 [[fine-tuning#用法]]，以及 [本节](#原理)。\n\n$$W = W_0 + BA$$\n\n```python\nprint(1)\n```\n\n脚注[^1]。\n\n[^1]: 注释。\n")
        .simple("prefix-tuning", "Prefix Tuning", "parent = \"peft\"\norder = 2", "## 原理\n\n同名小节。")
        .simple("rlhf", "RLHF", "", "> [!tip]- 折起\n> 内容。\n")
        .file("content/fine-tuning.md", "+++\ntitle = \"微调\"\nsummary = \"微调的一句话定义。\"\n+++\n\n## 用法\n\n看 [[lora]]。\n");
    site.build().ok();
    let print = site.read("print.html");
    // Every note, in reading order (the tree, depth first), each an article with its slug as id.
    let at = |s: &str| print.find(&format!("<article class=\"print-note\" id=\"{s}\">")).unwrap_or_else(|| panic!("{s} missing"));
    let order = ["rlhf", "fine-tuning", "peft", "lora", "prefix-tuning"];
    let found: Vec<_> = print.split("<article class=\"print-note\" id=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "reading order: {found:?}");
    // Numbered by the tree, headings continuing the number.
    assert!(print.contains("<h2><span class=\"secno\">2.1.1</span> LoRA</h2>"), "{print}");
    assert!(print.contains("<h3 id=\"lora--原理\"><span class=\"secno\">2.1.1.1</span> 原理"), "{print}");
    assert!(print.contains("<h3 id=\"prefix-tuning--原理\">"), "same heading in two notes, two ids");
    assert!(print.contains("<h2><span class=\"secno\">1</span> RLHF</h2>"));
    // Links between notes are in-page; a note's own links and footnotes are prefixed.
    assert!(print.contains("<a class=\"note-link\" href=\"#peft\" data-slug=\"peft\">"), "{print}");
    assert!(print.contains("href=\"#fine-tuning--用法\""), "a heading in another note");
    // (A relative `lora.md` link renders broken on every page today, print or not: the
    // page linker joins it to the output page's folder, not the note's; left for the lead.)
    assert!(print.contains("href=\"#lora--%E5%8E%9F%E7%90%86\">本节</a>"), "a link to the note's own heading: {print}");
    assert!(!print.contains("href=\"lora.html") && !print.contains("href=\"peft.html"), "no link leaves the page");
    for id in print.split(" id=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
        assert_eq!(print.matches(&format!(" id=\"{id}\"")).count(), 1, "id {id} is unique");
    }
    // MathML and highlighted code stay; navigation is left out; folded callouts print open.
    assert!(print.contains("<math") && print.contains("<pre class=\"code\""));
    assert!(!print.contains("class=\"sidebar\"") && !print.contains("class=\"topbar\"") && !print.contains("prev-next"));
    assert!(print.contains("<details open class=\"callout callout-tip\">"));
    // The home page and every page's top bar link to it.
    assert!(site.read("index.html").contains("href=\"print.html\""));
    assert!(site.read("lora.html").contains("<a href=\"print.html\">打印</a>"));
}

#[test]
fn a_large_print_page_splits_below_one_mebibyte_and_links_across_parts() {
    // 14 notes of about 100 KB each: more than a megabyte of print page.
    let filler = "这是一段用来填充篇幅的文字，内容重复。".repeat(1800);
    let mut site = SiteTest::new().simple("n00", "第0篇", "", &format!("见 [[n13]]。\n\n{filler}"));
    for i in 1..14 {
        site = site.simple(&format!("n{i:02}"), &format!("第{i}篇"), "parent = \"n00\"", &format!("见 [[n00]]。\n\n{filler}"));
    }
    site.build().ok();
    let parts: Vec<String> = std::iter::once("print.html".to_string())
        .chain((2..10).map(|n| format!("print-{n}.html")))
        .filter(|p| site.out().join(p).exists())
        .collect();
    assert!(parts.len() >= 2, "{parts:?}");
    let mut seen = 0;
    for p in &parts {
        let html = site.read(p);
        assert!(html.len() < 1024 * 1024, "{p} is {} bytes", html.len());
        seen += html.matches("<article class=\"print-note\"").count();
        // Every part links to every other.
        for q in &parts {
            assert!(q == p || html.contains(&format!("href=\"{q}\"")), "{p} links to {q}");
        }
    }
    assert_eq!(seen, 14, "every note once");
    // Every link between notes lands on the article it names, in this part or another.
    let mut across = 0;
    for p in &parts {
        let html = site.read(p);
        for link in html.split("<a class=\"note-link\" href=\"").skip(1) {
            let href = &link[..link.find('"').unwrap()];
            let (file, slug) = href.split_once('#').unwrap();
            assert_ne!(file, p.as_str(), "a link within the part is #slug alone");
            let target = if file.is_empty() { html.clone() } else { across += 1; site.read(file) };
            assert!(target.contains(&format!("<article class=\"print-note\" id=\"{slug}\">")), "{p}: {href}");
        }
    }
    assert!(across > 0, "some links cross parts");
}

#[test]
fn edit_links_point_at_each_note_file_and_a_bad_template_is_refused() {
    let site = SiteTest::peft_chain()
        .simple("training/lora", "LoRA", "parent = \"peft\"", "正文。")
        .file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"zh-CN\"\nedit-url-template = \"https://github.com/u/r/edit/main/{path}\"\n");
    site.build().ok();
    let lora = site.read("lora.html");
    assert!(
        lora.contains("<a href=\"https://github.com/u/r/edit/main/content/training/lora.md\" rel=\"noopener\">编辑本页</a>"),
        "{lora}"
    );
    assert!(site.read("peft.html").contains("href=\"https://github.com/u/r/edit/main/content/peft.md\""));
    assert!(!site.read("index.html").contains("编辑本页"), "notes only");
    // Without the key, no link.
    let plain = SiteTest::peft_chain();
    plain.build().ok();
    assert!(!plain.read("peft.html").contains("编辑本页"));
    // A template without {path}, or not http(s), is an error at its line.
    let site = site.file("book.toml", "[book]\ntitle = \"T\"\nedit-url-template = \"https://github.com/u/r/edit/main/\"\n");
    site.build().failed().says(&["book.toml:3:1: error: edit-url-template `https://github.com/u/r/edit/main/` has no {path}", "help:"]);
    let site = site.file("book.toml", "[book]\ntitle = \"T\"\nedit-url-template = \"javascript:alert(1)/{path}\"\n");
    site.build().failed().says(&["book.toml:3:1: error:", "is not an http(s) URL"]);
    let site = site.file("book.toml", "[book]\ntitle = \"T\"\nedit-url-templat = \"https://x.io/{path}\"\n");
    site.build().failed().says(&["did you mean `edit-url-template`?"]);
}

#[test]
fn note_pages_carry_open_graph_and_twitter_meta_and_the_glossary_json_ld() {
    let site = SiteTest::peft_chain()
        .simple("lora", "LoRA </script><script>alert(1)</script>", "parent = \"peft\"\naliases = [\"低秩适配\"]", "")
        .file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\nsite-url = \"https://u.github.io/r/\"\n");
    site.build().ok();
    let peft = site.read("peft.html");
    for meta in [
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:title\" content=\"参数高效微调\">",
        "<meta property=\"og:description\" content=\"参数高效微调的一句话定义。\">",
        "<meta property=\"og:url\" content=\"https://u.github.io/r/peft.html\">",
        "<meta property=\"og:site_name\" content=\"测试站\">",
        "<meta name=\"twitter:card\" content=\"summary\">",
        "<meta name=\"twitter:title\" content=\"参数高效微调\">",
        "<meta name=\"twitter:description\" content=\"参数高效微调的一句话定义。\">",
    ] {
        assert!(peft.contains(meta), "{meta}");
    }
    // Without site-url there is no og:url, the rest stays.
    let local = SiteTest::peft_chain();
    local.build().ok();
    let html = local.read("peft.html");
    assert!(html.contains("og:title") && !html.contains("og:url"));
    // The glossary: one DefinedTerm per entry, and no `</` inside the script.
    let glossary = site.read("glossary.html");
    let start = glossary.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
    let json = &glossary[start..start + glossary[start..].find("</script>").unwrap()];
    assert!(!json.contains("</"), "{json}");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["@context"], "https://schema.org");
    assert_eq!(v["@type"], "DefinedTermSet");
    let terms = v["hasDefinedTerm"].as_array().unwrap();
    assert_eq!(terms.len(), 3);
    assert!(terms.iter().all(|t| t["@type"] == "DefinedTerm"));
    let lora = terms.iter().find(|t| t["url"] == "https://u.github.io/r/lora.html").unwrap();
    assert_eq!(lora["name"], "LoRA </script><script>alert(1)</script>");
    assert_eq!(lora["alternateName"][0], "低秩适配");
    assert_eq!(lora["description"], "LoRA </script><script>alert(1)</script>的一句话定义。");
}
