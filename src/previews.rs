//! Link previews: the title and summary of every note a page links to, inlined in the page.
//!
//! In: the notes a page links to, as the renderer resolved them (its body's links, its
//! lists, its map boxes). Out: a `<script type="application/json" id="preview-data">`,
//! placed before `</body>`, that maps each of their slugs to `[title, summary]`; `js/preview.js` shows
//! them when a reader hovers or focuses a `.note-link`. The data is per page, so it grows
//! with what the page links to, not with the site (a note of a 10,000-note site carries a
//! few dozen entries), and it is inline, so previews work from `file://` with no fetch.
//! Pages that already show every summary next to its link (the glossary, the tags page)
//! are left without it.

use crate::graph::{NoteId, Site};
use std::collections::BTreeMap;

/// The `<script type="application/json" id="preview-data">` element (with a newline) that
/// maps the slug of each note in `linked` to `[title, summary]`; empty when `linked` is.
pub fn script(site: &Site, linked: impl IntoIterator<Item = NoteId>) -> String {
    let data: BTreeMap<&str, [&str; 2]> = linked
        .into_iter()
        .map(|id| {
            let note = &site.notes[id];
            (note.slug.as_str(), [note.title(), note.front.summary.trim()])
        })
        .collect();
    if data.is_empty() {
        return String::new();
    }
    let json = crate::html::script_json(&data);
    format!("<script type=\"application/json\" id=\"preview-data\">{json}</script>\n")
}
