//! Building a site: pages, links, graph, glossary, determinism, safety of the output.

use crate::support::*;

/// 微调 → PEFT → LoRA, with a related note and body links both ways.
fn chain() -> SiteTest {
    SiteTest::new()
        .simple("fine-tuning", "微调", "aliases = [\"Fine-tuning\"]\norder = 1", "微调的正文。\n\n## 分类\n\n## 方法\n\n## 常见误解\n")
        .simple("peft", "参数高效微调", "aliases = [\"PEFT\"]\nparent = \"fine-tuning\"\ntags = [\"微调\", \"PEFT\"]", "PEFT 冻结大部分参数。见 [[lora|低秩适配]]。")
        .simple(
            "lora",
            "LoRA（低秩适配）",
            "aliases = [\"LoRA\", \"Low-Rank Adaptation\"]\norder = 1\nparent = \"peft\"\nrelated = [\"prefix-tuning\"]\ntags = [\"PEFT\"]",
            "LoRA 是 [[PEFT]] 的一种，属于[[fine-tuning#分类|微调的一类]]。\n\n公式：$W = W_0 + BA$\n\n```python\nprint(\"hi\")\n```\n\n见 [前缀](prefix-tuning.md)。\n",
        )
        .simple("prefix-tuning", "Prefix Tuning", "parent = \"peft\"\norder = 2", "前缀微调。")
        .file("content/index.md", "## 欢迎\n\n从 [[lora]] 开始。\n")
}

#[test]
fn builds_every_page_of_the_spec() {
    let site = chain();
    let run = site.build().ok();
    assert!(run.stdout.contains("built 4 notes"), "{}", run.stdout);
    for f in [
        "index.html",
        "fine-tuning.html",
        "peft.html",
        "lora.html",
        "prefix-tuning.html",
        "glossary.html",
        "tags.html",
        "404.html",
        ".nojekyll",
        "css/style.css",
        "css/highlight.css",
        "js/site.js",
        "js/search.js",
    ] {
        site.expect_file(f);
    }
    assert!(!site.out().join("sitemap.xml").exists(), "no sitemap without site-url");
    let lora = site.read("lora.html");
    assert!(lora.contains("<html lang=\"zh-CN\">"));
    assert!(lora.contains("<title>LoRA（低秩适配） · 测试站</title>"));
    assert!(lora.contains("<meta name=\"description\" content=\"LoRA（低秩适配）的一句话定义。\">"));
    assert!(lora.contains("<input type=\"search\""));
    assert!(lora.contains("<math"), "math renders to MathML");
    assert!(lora.contains("class=\"hl-"), "code is highlighted");
}

#[test]
fn breadcrumbs_children_related_and_backlinks() {
    let site = chain();
    site.build().ok();
    let lora = site.read("lora.html");
    assert_eq!(text_of_class(&lora, "breadcrumbs"), "微调 参数高效微调 LoRA（低秩适配）");
    let peft = site.read("peft.html");
    assert_eq!(
        text_of_class(&peft, "connections children"),
        "子概念 LoRA（低秩适配） LoRA（低秩适配）的一句话定义。 Prefix Tuning Prefix Tuning的一句话定义。"
    );
    // related shows on both notes: drawn in the neighbourhood by site.js (map.rs), its chips
    // kept for print and for readers without the script
    let prefix = site.read("prefix-tuning.html");
    assert!(text_of_class(&lora, "connections related print-only").contains("Prefix Tuning"));
    assert!(text_of_class(&prefix, "connections related print-only").contains("LoRA（低秩适配）"));
    // lora links to peft in its body: a backlink on peft (children are listed apart)
    assert!(!peft.contains("class=\"connections backlinks"), "lora is a child of peft, listed once");
    assert!(
        text_of_class(&site.read("fine-tuning.html"), "connections backlinks print-only").contains("LoRA（低秩适配）")
    );
    // each note once, in its strongest role: lora is related to prefix-tuning, not also a backlink
    assert!(!prefix.contains("class=\"connections backlinks"), "lora is listed once on prefix-tuning");
    // reading order: depth-first, children by order then title
    assert!(lora.contains("rel=\"prev\" href=\"peft.html\""));
    assert!(lora.contains("rel=\"next\" href=\"prefix-tuning.html\""));
}

#[test]
fn wiki_links_resolve_by_slug_title_and_alias() {
    let site = chain().simple(
        "x",
        "某概念",
        "parent = \"lora\"",
        "[[lora]] [[LoRA（低秩适配）]] [[low-rank adaptation|别名]] [[ＰＥＦＴ]]",
    );
    site.build().ok();
    let page = site.read("x.html");
    let x = &page[page.find("class=\"note-body\"").unwrap()..page.find("class=\"connections").unwrap()];
    assert!(x.contains("href=\"lora.html\" data-slug=\"lora\">LoRA（低秩适配）</a>"));
    assert_eq!(x.matches("href=\"lora.html\" data-slug=\"lora\"").count(), 3, "slug, title and alias");
    assert!(x.contains("href=\"peft.html\" data-slug=\"peft\">参数高效微调</a>"), "full-width alias folds");
    let lora = site.read("lora.html");
    assert!(lora.contains("href=\"fine-tuning.html#分类\""));
    assert!(lora.contains("href=\"prefix-tuning.html\""), "relative .md link");
}

#[test]
fn every_link_and_fragment_resolves() {
    let site = chain();
    site.build().ok();
    let n = check_links(&site.out());
    assert!(n > 50, "checked only {n} links");
}

#[test]
fn toc_appears_from_three_headings() {
    let site = chain();
    site.build().ok();
    let ft = site.read("fine-tuning.html");
    assert!(ft.contains("class=\"toc\""));
    assert!(ft.contains("<h2 id=\"常见误解\">"));
    assert!(!site.read("lora.html").contains("class=\"toc\""));
}

#[test]
fn glossary_has_every_term_grouped_by_initial() {
    let site = chain().simple("quantization", "量化", "parent = \"lora\"\naliases = [\"Quantization\"]", "").simple(
        "hidden",
        "隐藏",
        "parent = \"lora\"\nglossary = false",
        "",
    );
    site.build().ok();
    let g = site.read("glossary.html");
    let entry_ids: Vec<String> =
        g.split("<div class=\"entry\" id=\"").skip(1).map(|s| s[..s.find('"').unwrap()].to_string()).collect();
    // 参数 is C (can); 量化 (liang hua) before LoRA; Prefix Tuning under P; 微调 under W (wei)
    let groups: Vec<String> = ids(&g).into_iter().filter(|i| i.starts_with("letter-")).collect();
    assert_eq!(groups, ["letter-c", "letter-l", "letter-p", "letter-w"]);
    assert_eq!(entry_ids, ["peft", "quantization", "lora", "prefix-tuning", "fine-tuning"]);
    assert!(!g.contains("隐藏"));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = chain()
        .file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"zh-CN\"\nsite-url = \"https://u.github.io/repo/\"\n");
    site.build().ok();
    let first = site.snapshot_output();
    site.build().ok();
    assert_eq!(first, site.snapshot_output());
    assert!(first.contains_key("sitemap.xml"));
    let sitemap = String::from_utf8(first["sitemap.xml"].clone()).unwrap();
    assert!(sitemap.contains("<loc>https://u.github.io/repo/lora.html</loc>"));
    assert!(sitemap.contains("<loc>https://u.github.io/repo/</loc>"));
    assert!(!sitemap.contains("404"));
    let lora = String::from_utf8(first["lora.html"].clone()).unwrap();
    assert!(lora.contains("<link rel=\"canonical\" href=\"https://u.github.io/repo/lora.html\">"));
    let not_found = String::from_utf8(first["404.html"].clone()).unwrap();
    assert!(not_found.contains("<base href=\"/repo/\">"));
}

#[test]
fn a_failed_build_leaves_the_old_output() {
    let site = chain();
    site.build().ok();
    let before = site.snapshot_output();
    let site = site.simple("broken", "坏", "parent = \"nope\"", "");
    site.build().failed().says(&["build failed: nothing was written"]);
    assert_eq!(before, site.snapshot_output());
}

#[test]
fn a_build_that_fails_while_writing_pages_leaves_the_old_output_and_no_litter() {
    // The pages go to a staging folder as they are rendered; an error found half-way (here a
    // note template that names a variable no page has) must still leave the last good
    // build whole, and the staging folder gone.
    let site = chain();
    site.build().ok();
    let before = site.snapshot_output();
    let note = include_str!("../../templates/note.html").replace("{{ title }}", "{{ title }}{{ no_such_value }}");
    let site = site.file("templates/note.html", &note);
    site.build().failed().says(&["templates/note.html", "build failed: nothing was written"]);
    assert_eq!(before, site.snapshot_output());
    let litter: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".staging-") || n.contains(".old-"))
        .collect();
    assert!(litter.is_empty(), "{litter:?}");
}

#[test]
fn drafts_are_not_built() {
    let site = chain().simple("wip", "草稿", "parent = \"lora\"\ndraft = true", "");
    site.build().ok();
    assert!(!site.out().join("wip.html").exists());
    assert!(!site.read("glossary.html").contains("草稿"));
}

#[test]
fn refuses_build_dirs_that_hold_the_sources() {
    for dir in [".", "..", "content", "content/out", "static"] {
        let site = chain().file("book.toml", &format!("[book]\ntitle = \"T\"\n[build]\nbuild-dir = \"{dir}\"\n"));
        site.build().failed().says(&["refusing to build into"]);
        assert!(site.root().join("content/lora.md").exists());
    }
}

#[test]
fn does_not_replace_a_folder_it_did_not_make() {
    let site = chain().file("book/precious.txt", "keep me");
    site.build().failed();
    assert_eq!(std::fs::read_to_string(site.root().join("book/precious.txt")).unwrap(), "keep me");
}

#[test]
fn dest_flag_and_root_flag() {
    let site = chain();
    let other = tempfile::tempdir().unwrap();
    let dest = other.path().join("site-out");
    let run = std::process::Command::new(BIN)
        .args(["build", "--root", site.root().to_str().unwrap(), "--dest", dest.to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(run.stdout.is_empty(), "--quiet prints nothing on success");
    assert!(dest.join("lora.html").is_file());
}

#[test]
fn templates_and_static_files_can_be_overridden() {
    let site = chain()
        .file("templates/404.html", "{% extends \"base.html\" %}{% block main %}<p>自定义 404</p>{% endblock main %}")
        .file("static/css/extra.css", "body{}")
        .file("static/CNAME", "concepts.example.org");
    site.build().ok();
    assert!(site.read("404.html").contains("自定义 404"));
    assert_eq!(site.read("CNAME"), "concepts.example.org");
    site.expect_file("css/extra.css");
    assert!(site.read("lora.html").contains("LoRA"), "other templates stay the defaults");
}

#[test]
fn home_page_lists_roots_and_renders_index_md() {
    let site = chain();
    site.build().ok();
    let home = site.read("index.html");
    assert!(home.contains("<h2 id=\"欢迎\">"));
    assert!(home.contains("href=\"lora.html\""));
    assert!(text_of_class(&home, "root-card").contains("微调"));
    assert!(text_of_class(&home, "root-card").contains("3"), "descendant count");
}

#[test]
fn not_found_page_works_at_any_depth_without_site_url() {
    let site = chain();
    site.build().ok();
    let page = site.read("404.html");
    assert!(page.contains("<style>"), "styles inlined when the root is unknown");
    assert!(!page.contains("<link rel=\"stylesheet\""), "no relative stylesheet that breaks at depth");
    assert!(!page.contains("<script src="), "no relative script that breaks at depth");
}

#[test]
fn relative_markdown_links_resolve_from_the_notes_own_folder() {
    let site = SiteTest::new()
        .file("content/peft.md", "+++\ntitle = \"参数高效微调\"\nsummary = \"s\"\n+++\n\n## 分类\n")
        .file(
            "content/training/lora.md",
            "+++\ntitle = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"\n+++\n\n见 [前缀](prefix-tuning.md)、[上一层](../peft.md#分类)。\n",
        )
        .file("content/training/prefix-tuning.md", "+++\ntitle = \"Prefix\"\nsummary = \"s\"\nparent = \"peft\"\n+++\n");
    site.build().ok();
    for page in ["lora.html", "print.html"] {
        let html = site.read(page);
        assert!(!html.contains("note-link broken"), "{page}: a relative link came out broken");
    }
    let lora = site.read("lora.html");
    assert!(lora.contains("href=\"prefix-tuning.html\" data-slug=\"prefix-tuning\""), "{lora}");
    assert!(lora.contains("href=\"peft.html#分类\" data-slug=\"peft\""));
}
