//! Link previews: the title and summary of every note, in shared files that `js/preview.js`
//! loads when a reader hovers or focuses a `.note-link`.
//!
//! In: the site. Out: `previews/<k>.js`, one file per bucket of about [`BUCKET`] notes
//! (a note's bucket is the FNV-1a hash of its slug, as [`names::slug_bucket`] and the script
//! compute it), each a call `conceptbookPreviews({"<slug>": [title, summary], …});`; and,
//! for a page that shows previews, a `<script type="application/json" id="preview-data">`
//! placed before `</body>` that says where those files are: `{"src": "<root>previews/",
//! "buckets": N}`. The script loads a bucket's file with a `<script>` element, so previews
//! work from `file://` with no fetch, and a browser caches each file once for the whole
//! site. A page's size does not grow with what it links to (a hub's page, a map of hundreds
//! of boxes), and each summary is written once, not once for every page that links to it.
//! Pages that already show every summary next to its link (the glossary, the tags pages)
//! get no pointer, so no previews.

use crate::graph::{NoteId, Site};
use crate::names;
use crate::paths::RelPath;
use std::collections::BTreeMap;

/// Notes per `previews/<k>.js`, on average: small enough that the first hover loads little
/// (about 20 KB at this size), large enough that a 100,000-note site writes under 800 files.
pub const BUCKET: usize = 128;

/// Bytes of titles and summaries per `previews/<k>.js`, on average: notes with long
/// summaries get more, smaller files (40 notes of 30,000-character summaries wrote one
/// 3.6 MB file), so no file nears the 1 MiB limit.
pub const BUCKET_BYTES: usize = 128 * 1024;

/// How many `previews/<k>.js` files the site has: one per [`BUCKET`] notes, or per
/// [`BUCKET_BYTES`] of what they hold, whichever makes more. Worked out once per build
/// ([`Renderer`](crate::render) keeps it for every page's pointer).
pub fn buckets(site: &Site) -> usize {
    let bytes: usize = site
        .notes
        .iter()
        .map(|n| {
            16 + n.slug.len() + crate::html::escaped_len(n.title()) + crate::html::escaped_len(n.front.summary.trim())
        })
        .sum();
    site.notes.len().div_ceil(BUCKET).max(bytes.div_ceil(BUCKET_BYTES)).max(1)
}

/// The `<script type="application/json" id="preview-data">` element (with a newline) that
/// tells `js/preview.js` where the preview files are, from a page whose way to the site
/// root is `root`, for a site of `buckets` files ([`buckets`]).
pub fn pointer(buckets: usize, root: &str) -> String {
    let json = crate::html::script_json(&serde_json::json!({
        "src": format!("{root}previews/"),
        "buckets": buckets,
    }));
    format!("<script type=\"application/json\" id=\"preview-data\">{json}</script>\n")
}

/// Every `previews/<k>.js` of a site of `n` files ([`buckets`]), in bucket order.
pub fn files(site: &Site, n: usize) -> Vec<(RelPath, Vec<u8>)> {
    let mut maps: Vec<BTreeMap<&str, [&str; 2]>> = vec![BTreeMap::new(); n];
    for id in NoteId::all(site.notes.len()) {
        let note = &site.notes[id];
        maps[names::slug_bucket(&note.slug, n)].insert(&note.slug, [note.title(), note.front.summary.trim()]);
    }
    maps.into_iter()
        .enumerate()
        .map(|(k, data)| {
            let json = crate::html::script_json(&data);
            (RelPath::new(&format!("previews/{k}.js")), format!("conceptbookPreviews({json});\n").into_bytes())
        })
        .collect()
}
