//! Search: the linked site in, the files of a sharded search index out; and a reader of
//! that index, the same query engine the browser runs, for tests and measurements.
//!
//! The browser side is `static/js/search.js`, a classic script: it loads `search/index.js`
//! when the reader first touches the search box, then only the term shards and doc chunks
//! a query needs, all as `<script>` tags so the site works from `file://`. Both sides split
//! text with one tokenizer ([`tokenize`], mirrored in the script and checked against it in
//! a browser test), so what the index holds is what a query asks for.
//!
//! - [`tokenize`]: text → terms with positions (NFKC, lower case, words, CJK bigrams).
//! - [`text`]: Markdown body → the plain text the reader sees.
//! - [`index`]: notes → `search/*.js` (postings with BM25 impacts, doc chunks, manifest).
//! - [`engine`]: `search/*.js` → ranked hits (exact name > name prefix > names > summary >
//!   body, then score), the algorithm of the client in Rust.
//! - [`encode`]: the base-64 numbers posting lists are written in.

pub mod encode;
pub mod engine;
pub mod index;
pub mod rank;
pub mod text;
pub mod tokenize;

use crate::graph::{NoteId, Site};
use crate::names::RefKind;
use crate::note::Note;
use crate::paths::RelPath;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The folder of the index in the output, with its slash.
pub const DIR: &str = "search/";

/// One searchable note, as the index and the result list need it.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub slug: String,
    pub title: String,
    pub aliases: Vec<String>,
    /// Titles of the ancestors, root first (the breadcrumb without the note itself).
    pub crumbs: Vec<String>,
    pub summary: String,
    pub tags: Vec<String>,
    /// The body as plain text ([`text::plain`]).
    pub body: String,
}

pub use crate::labels::SearchLabels as Labels;

/// The titles of a note's trail without the note itself ([`crate::graph::Graph::trail`]),
/// with "…" where it leaves levels out.
fn crumbs(site: &Site, id: NoteId) -> Vec<String> {
    let title = |&a: &NoteId| site.notes[a].title().to_string();
    let mut crumbs = site.graph.trail(id).entries(&site.graph, title, |_| crate::graph::ELLIPSIS.to_string());
    crumbs.pop();
    crumbs
}

fn doc(site: &Site, id: NoteId) -> Doc {
    let g = &site.graph;
    let title_of = |target: &str| g.resolve(RefKind::Wiki, target).map(|id| site.notes[id].title().to_string());
    let note = &site.notes[id];
    Doc {
        slug: note.slug.clone(),
        title: note.title().to_string(),
        aliases: note.front.aliases.clone(),
        crumbs: crumbs(site, id),
        summary: note.front.summary.trim().to_string(),
        tags: note.front.tags.clone(),
        body: text::plain(note.body(), &title_of),
    }
}

/// The files of the search index, by path below the output root.
pub fn index(site: &Site, labels: &Labels) -> BTreeMap<RelPath, Vec<u8>> {
    index_cached(site, labels, None)
}

/// What the index made of each note last time, for `serve`'s rebuilds: a note whose
/// parse result (the same `Arc`) and breadcrumb are unchanged is not tokenized again.
/// Clear it when titles may have changed (they show inside other notes' text).
#[derive(Default)]
pub struct Cache {
    by_slug: HashMap<String, Cached>,
}

/// A note as last indexed: its parse result, its searchable form, its terms.
type Cached = (Arc<Note>, Arc<Doc>, Arc<index::DocTerms>);

impl Cache {
    pub fn clear(&mut self) {
        self.by_slug.clear();
    }
}

/// How many notes' terms a build works out at once (see [`index_cached`]).
const TERM_BATCH: usize = 2048;

/// [`index`], reusing what `cache` holds and refilling it. Without a cache every note's
/// terms are dropped as soon as the index is written (a build needs them no longer).
pub fn index_cached(site: &Site, labels: &Labels, cache: Option<&mut Cache>) -> BTreeMap<RelPath, Vec<u8>> {
    let empty = Cache::default();
    let old = cache.as_deref().unwrap_or(&empty);
    use rayon::prelude::*;
    let pinyin = crate::labels::is_chinese(&site.config.language);
    let order = &site.graph.reading_order;
    // Each note's search text, and its terms when the cache holds them unchanged.
    let (docs, kept): (Vec<Arc<Doc>>, Vec<Option<Arc<index::DocTerms>>>) = order
        .par_iter()
        .map(|&id| {
            let note = &site.notes[id];
            if let Some((parsed, doc, terms)) = old.by_slug.get(&note.slug) {
                if Arc::ptr_eq(parsed, note) && doc.crumbs == crumbs(site, id) {
                    return (doc.clone(), Some(terms.clone()));
                }
            }
            (Arc::new(doc(site, id)), None)
        })
        .unzip();
    let (mut files, chunks) = index::doc_files(&docs.iter().map(Arc::as_ref).collect::<Vec<_>>());
    let mut gathered = index::Gathered::default();
    match cache {
        // `serve` keeps every note's terms, to work out again only those of edited notes.
        Some(cache) => {
            let terms: Vec<Arc<index::DocTerms>> = docs
                .par_iter()
                .zip(kept)
                .map(|(d, t)| t.unwrap_or_else(|| Arc::new(index::doc_terms(d, pinyin))))
                .collect();
            gathered.add(&terms.iter().map(Arc::as_ref).collect::<Vec<_>>());
            cache.by_slug = order
                .iter()
                .zip(docs.into_iter().zip(terms))
                .map(|(&id, (d, t))| (site.notes[id].slug.clone(), (site.notes[id].clone(), d, t)))
                .collect();
        }
        // A build works the terms out a batch of notes at a time and keeps only their hits:
        // every note's terms at once were most of a large build's peak memory.
        // Each batch's notes (their plain text above all) go as soon as their hits are in.
        None => {
            let mut docs = docs.into_iter();
            loop {
                let batch: Vec<Arc<Doc>> = docs.by_ref().take(TERM_BATCH).collect();
                if batch.is_empty() {
                    break;
                }
                let terms: Vec<index::DocTerms> = batch.par_iter().map(|d| index::doc_terms(d, pinyin)).collect();
                gathered.add(&terms.iter().collect::<Vec<_>>());
            }
        }
    }
    files.extend(index::term_files(gathered, &chunks, pinyin, labels));
    files.into_iter().map(|(path, bytes)| (RelPath::new(&path), bytes)).collect()
}
