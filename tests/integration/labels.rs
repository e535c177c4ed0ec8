//! Interface strings come from data: `templates/labels/<language>.toml`, embedded for `en`
//! and `zh`, replaced by a site's own file of the same name.

use crate::support::*;

fn english() -> SiteTest {
    SiteTest::new().file("book.toml", "[book]\ntitle = \"Notes\"\nlanguage = \"en\"\n").simple(
        "lora",
        "LoRA",
        "",
        "## How it works\n\nText.\n",
    )
}

#[test]
fn an_english_site_shows_no_chinese_interface_text() {
    let site = english();
    site.build().ok();
    let page = site.read("lora.html");
    assert!(page.contains("aria-label=\"Link to this section\""), "the heading anchor is in English");
    assert!(page.contains("data-error=\"The search index could not be loaded\""));
    for html in ["lora.html", "index.html", "graph.html", "glossary.html", "tags.html", "404.html"] {
        let text = site.read(html);
        let chrome: String = text.replace("LoRA的一句话定义。", "");
        assert!(
            !chrome.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '：'),
            "{html} has Chinese text"
        );
    }
}

#[test]
fn a_chinese_site_keeps_its_labels() {
    let site = SiteTest::new().simple("lora", "LoRA", "", "## 原理\n");
    site.build().ok();
    let page = site.read("lora.html");
    assert!(page.contains("aria-label=\"链接到本节\""));
    assert!(page.contains("placeholder=\"搜索概念（按 / 键）\""));
}

#[test]
fn a_site_replaces_the_labels_of_its_language() {
    let en = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/labels/en.toml")).unwrap();
    let site = english().file("templates/labels/en.toml", &en.replace("\"Glossary\"", "\"Terms\""));
    site.build().ok();
    assert!(site.read("index.html").contains(">Terms</a>"));
    let search = std::fs::read_to_string(site.out().join("search/index.js")).unwrap();
    assert!(search.contains("The search index could not be loaded"), "the manifest carries the search labels");
}

#[test]
fn a_language_without_labels_falls_back_to_english_and_a_site_can_add_one() {
    let en = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/labels/en.toml")).unwrap();
    let site = SiteTest::new()
        .file("book.toml", "[book]\ntitle = \"Notes\"\nlanguage = \"fr-CA\"\n")
        .simple("lora", "LoRA", "", "");
    site.build().ok();
    assert!(site.read("index.html").contains(">Glossary</a>"));
    let site = site.file("templates/labels/fr.toml", &en.replace("\"Glossary\"", "\"Glossaire\""));
    site.build().ok();
    assert!(site.read("index.html").contains(">Glossaire</a>"));
}

#[test]
fn a_broken_label_file_is_an_error_naming_the_file_and_line() {
    let site = english().file("templates/labels/en.toml", "search = \"Search\"\nglosary = \"x\"\n");
    site.build().failed().says(&["templates/labels/en.toml:2", "glosary"]);
}
