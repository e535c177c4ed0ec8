//! Link previews: the title and summary of every note a page links to, inlined in the page.
//!
//! In: a rendered page and the site. Out: the same page with a
//! `<script type="application/json" id="preview-data">` before `</body>` that maps each slug
//! the page links to (every `data-slug="…"`) to `[title, summary]`; `js/preview.js` shows
//! them when a reader hovers or focuses a `.note-link`. The data is per page, so it grows
//! with what the page links to, not with the site (a note of a 10,000-note site carries a
//! few dozen entries), and it is inline, so previews work from `file://` with no fetch.
//! Pages that already show every summary next to its link (the glossary, the tags page)
//! are left without it.

use crate::graph::Site;
use std::collections::BTreeSet;

const ATTR: &str = "data-slug=\"";

/// The slugs that `html` links to, in order, each once.
pub fn linked_slugs(html: &str) -> BTreeSet<&str> {
    html.match_indices(ATTR)
        .filter_map(|(i, _)| {
            let rest = &html[i + ATTR.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// `html` with the preview data of the notes it links to, before `</body>`.
pub fn inject(html: String, site: &Site) -> String {
    let mut data = serde_json::Map::new();
    for slug in linked_slugs(&html) {
        // Slugs are `[a-z0-9-]`, so the attribute value needs no unescaping.
        if let Some(id) = site.graph.by_slug(slug) {
            let note = &site.notes[id];
            data.insert(slug.to_string(), serde_json::json!([note.title(), note.front.summary.trim()]));
        }
    }
    if data.is_empty() {
        return html;
    }
    // `<` escaped so that no `</script>` or `<!--` in a summary can end the element.
    let json = serde_json::Value::Object(data).to_string().replace('<', "\\u003c");
    let script = format!("<script type=\"application/json\" id=\"preview-data\">{json}</script>\n");
    match html.rfind("</body>") {
        Some(at) => {
            let mut out = String::with_capacity(html.len() + script.len());
            out.push_str(&html[..at]);
            out.push_str(&script);
            out.push_str(&html[at..]);
            out
        }
        None => html + &script,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_slug_once() {
        let html = r#"<a data-slug="lora">x</a><a data-slug="peft">y</a><a data-slug="lora">z</a>"#;
        let slugs: Vec<&str> = linked_slugs(html).into_iter().collect();
        assert_eq!(slugs, ["lora", "peft"]);
    }
}
