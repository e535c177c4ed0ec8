//! The interface strings of the site's language, read from data rather than code.
//!
//! In: the theme's label files (`templates/labels/<language>.toml`: the embedded `en` and
//! `zh`, or the site's own, which replace an embedded file of the same name whole) and
//! book.toml's `language`. Out: one [`Labels`], which every template reads as `labels.*`,
//! the renderer uses for the text it writes itself, and the search index hands to
//! `js/search.js` in its manifest. The file is chosen by the language tag, then its
//! primary subtag (`zh-CN` → `zh-cn.toml`, then `zh.toml`), then English.

use crate::config::toml_error;
use crate::error::Diagnostic;
use crate::paths::RelPath;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where label files live below `templates/`.
pub const DIR: &str = "labels/";

/// The language used when no file matches the site's.
pub const FALLBACK: &str = "en";

/// Interface strings. `{n}` and `{title}` inside them are filled in where they are used.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub search: String,
    pub search_hint: String,
    /// The search box's placeholder on touch screens and phones: no "/" key there.
    pub search_hint_touch: String,
    /// The top bar's links to the map, glossary and tags.
    pub site_nav: String,
    pub no_results: String,
    pub glossary: String,
    pub tags: String,
    pub home: String,
    pub contents: String,
    pub children: String,
    pub related: String,
    pub backlinks: String,
    pub prev: String,
    pub next: String,
    pub aliases: String,
    pub tree: String,
    pub skip: String,
    pub theme: String,
    pub menu: String,
    pub not_found: String,
    pub not_found_text: String,
    pub concepts: String,
    pub notes: String,
    pub terms: String,
    /// After the home page's count of tags, worded like `notes` and `terms`.
    pub tag_count: String,
    /// The heading anchor's accessible name.
    pub anchor: String,
    pub glossary_intro: String,
    pub tags_intro: String,
    pub breadcrumbs: String,
    pub built_with: String,
    pub map: String,
    pub map_intro: String,
    pub map_sub_intro: String,
    pub map_folded: String,
    pub map_scroll: String,
    pub legend_tree: String,
    pub legend_related: String,
    pub legend_backlinks: String,
    pub legend_folded: String,
    pub map_related: String,
    pub show_related: String,
    pub neighbourhood: String,
    pub view_on_map: String,
    pub more: String,
    pub open_note: String,
    /// The heading over a note's footnotes, and the name of a footnote's ↩ link.
    pub footnotes: String,
    pub footnote_back: String,
    /// The search panel's strings, which `js/search.js` reads from the index manifest.
    pub search_panel: SearchLabels,
    /// The print page's strings (English when a site's own label file has none).
    #[serde(default)]
    pub print: PrintLabels,
    /// The strings of long lists split off a page, and of a split glossary (English when a
    /// site's own label file has none).
    #[serde(default)]
    pub lists: ListLabels,
    /// The "edit this page" link under each note, when book.toml sets `edit-url-template`.
    #[serde(default = "default_edit")]
    pub edit: String,
    /// The "…" that stands for the levels a deep note's breadcrumbs and sidebar leave out,
    /// and leads to the nearest of them: its accessible name and tooltip.
    #[serde(default = "default_elided")]
    pub elided: String,
    /// Callout labels by kind (`note`, `tip`, `warning`, …); a kind not listed reads in
    /// English.
    #[serde(default)]
    pub callouts: BTreeMap<String, String>,
}

/// Interface strings of the print page.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrintLabels {
    /// The link to it in the top bar.
    pub link: String,
    /// Its title, and the home page's link to it.
    pub title: String,
    pub contents: String,
    /// The list of parts of a split print page.
    pub parts: String,
}

impl Default for PrintLabels {
    fn default() -> PrintLabels {
        PrintLabels {
            link: "Print".to_string(),
            title: "The whole book, for print".to_string(),
            contents: "Contents".to_string(),
            parts: "Parts".to_string(),
        }
    }
}

/// Interface strings of the list pages (every root, every child, related note or backlink
/// of a note, a tag's notes) and of a split glossary. `{n}` and `{title}` are filled in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListLabels {
    /// The link under a capped list to the page that holds all of it.
    pub more: String,
    pub all_roots: String,
    pub roots_intro: String,
    pub children_of: String,
    /// A site's own label file from before related lists had pages may leave it out.
    #[serde(default = "default_related_of")]
    pub related_of: String,
    pub backlinks_of: String,
    pub tag_intro: String,
    /// The links between the pages of a long list.
    pub pages: String,
    /// The links to the parts of a split glossary.
    pub glossary_parts: String,
}

impl Default for ListLabels {
    fn default() -> ListLabels {
        ListLabels {
            more: "{n} more →".to_string(),
            all_roots: "All top-level concepts".to_string(),
            roots_intro: "The notes that have no parent, in reading order.".to_string(),
            children_of: "Every subconcept of “{title}”".to_string(),
            related_of: default_related_of(),
            backlinks_of: "Every note linking to “{title}”".to_string(),
            tag_intro: "Every note with this tag.".to_string(),
            pages: "Pages".to_string(),
            glossary_parts: "By initial:".to_string(),
        }
    }
}

fn default_related_of() -> String {
    "Every note related to “{title}”".to_string()
}

fn default_elided() -> String {
    "{n} levels left out; up one to “{title}”".to_string()
}

fn default_edit() -> String {
    "Edit this page".to_string()
}

/// Interface strings of the search panel.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SearchLabels {
    pub loading: String,
    pub error: String,
    pub no_results: String,
    /// `{n}` is replaced by the number of hits.
    pub count: String,
    pub one: String,
    pub more: String,
    pub partial: String,
    pub aliases: String,
    /// Above hits found by correcting a typo; `{q}` is the corrected query (a button). A
    /// site's own label file may leave it out: the button then shows alone.
    #[serde(default)]
    pub did_you_mean: String,
    /// The keyboard, in the panel's footer.
    pub keys: String,
}

/// The file name (below [`DIR`]) for each candidate of `language`, best first.
fn candidates(language: &str) -> Vec<String> {
    let tag = language.trim().to_lowercase();
    let primary = tag.split(['-', '_']).next().unwrap_or("").to_string();
    let mut out = Vec::new();
    for c in [tag, primary, FALLBACK.to_string()] {
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// The labels for `language`, from `files` (name below `templates/` to its path and text).
pub fn load(files: &BTreeMap<String, (RelPath, String)>, language: &str) -> Result<Labels, Vec<Diagnostic>> {
    let Some((path, text)) = candidates(language).iter().find_map(|c| files.get(&format!("{DIR}{c}.toml"))) else {
        return Err(vec![Diagnostic::error(
            &RelPath::new("templates/labels"),
            "no label file for the site's language",
        )
        .help(format!("add templates/{DIR}{FALLBACK}.toml"))]);
    };
    toml::from_str(text).map_err(|e| vec![toml_error(path, text, &e)])
}

/// Whether `language` is Chinese: the glossary sorts by pinyin and search indexes pinyin.
pub fn is_chinese(language: &str) -> bool {
    language.trim().to_lowercase().starts_with("zh")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_tag_then_its_primary_subtag_then_english() {
        assert_eq!(candidates("zh-CN"), ["zh-cn", "zh", "en"]);
        assert_eq!(candidates("en"), ["en"]);
        assert_eq!(candidates(""), ["en"]);
    }
}
