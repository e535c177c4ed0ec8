//! The sidebar's concept tree, written into every page (`inline`) or kept in shared files
//! that `js/site.js` expands (`shared`); book.toml's `[build] sidebar` picks, and `auto`
//! (the default) picks `shared` above [`SHARED_SIDEBAR_ABOVE`] notes.
//!
//! Both show the same tree (see [`Renderer::tree`]). Inline, it is about 2.5 KB of HTML on
//! every page. Shared, a page's sidebar holds only:
//! - a pointer, `<script type="application/json" id="nav-data">`:
//!   `{"page": "<the page's path>", "files": N, "roots": R, "cap": [LEVEL_CAP, SMALL_LEVEL,
//!   CHUNK], "path": [[slug, rank, children], …]}`: the page's path (the way to the site root
//!   and every href is made from it, as `RelPath::href_to` makes them), how many nav files
//!   there are, how many roots, the numbers that shape a level's window, and the current
//!   note's trail from its root down to the note ([`crate::graph::Graph::trail`]), each with
//!   its rank within its level and how many children it has (so every level's length is
//!   known before anything loads); for a trail that leaves levels out, `"gap": [slug,
//!   children, name]`: the nearest note left out, where the "…" below the root leads, whose
//!   children's level holds `path[1]`;
//! - a fallback for readers without scripts, `<ul class="nav-fallback">`: a link to where
//!   every root is listed (a note page's breadcrumbs give its path).
//!
//! The levels (the roots, and each note's children) are in `nav/<k>.js`, each a call
//! `conceptbookNav({"more": "<"and N more" label>", "levels": {"<parent>/<c>": {"e": [[slug,
//! title, children?], …], "more": "<where the whole level is listed>"}}})`: chunk `c` of the
//! level below `parent` (`""` for the roots), [`CHUNK`] entries a chunk, in the file of the
//! FNV-1a bucket of `"<parent>/<c>"` ([`names::slug_bucket`], mirrored in the script);
//! `children` is left out for a leaf and `more` for a level that never needs "and N more".
//! Every note is one entry of one chunk, so the files grow with the notes (about 40 bytes a
//! note at 10,000), and no file grows with a level: a flat site of 100,000 roots is 1,563 chunks
//! shared out over 782 files. The script loads them with `<script>` elements, so the tree
//! works from `file://`, and each file once.

use super::bounded::SHARED_SIDEBAR_ABOVE;
use super::{note_page, Renderer, LEVEL_CAP};
use crate::config::Sidebar;
use crate::graph::{NoteId, Trail, ELLIPSIS};
use crate::html::escape;
use crate::names;
use crate::paths::RelPath;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A level of at most this many entries is shown whole around the path even when the page's
/// note is not on it; a longer one shows only the path's note.
const SMALL_LEVEL: usize = 12;
/// Entries of a level per chunk of the nav files: a window of [`LEVEL_CAP`] spans two at most.
pub const CHUNK: usize = 64;
/// Entries per `nav/<k>.js` on average: about 6 KB a file, so a page's first view loads a
/// few small files, and a 100,000-note site writes under 800.
pub const NAV_BUCKET: usize = 128;
/// The folder of the nav files.
pub const NAV_DIR: &str = "nav";

/// Whether a site of `notes` notes whose book.toml says `mode` gets the shared sidebar.
pub fn shared(mode: Sidebar, notes: usize) -> bool {
    match mode {
        Sidebar::Auto => notes > SHARED_SIDEBAR_ABOVE,
        Sidebar::Inline => false,
        Sidebar::Shared => true,
    }
}

/// How many `nav/<k>.js` files a site of `notes` notes has.
pub fn nav_buckets(notes: usize) -> usize {
    notes.div_ceil(NAV_BUCKET).max(1)
}

impl Renderer<'_> {
    /// The sidebar of `page`, whose note is `current`: the tree, or its pointer and fallback.
    pub(super) fn sidebar(&self, page: &RelPath, current: Option<NoteId>) -> String {
        if self.shared_sidebar {
            self.sidebar_pointer(page, current)
        } else {
            self.tree(page, current)
        }
    }

    /// The concept tree around `current`, as the sidebar's HTML: the roots, the path down to
    /// the note open, the note's siblings and children. Siblings of the note's ancestors are
    /// shown where a level is small. A level shows at most [`LEVEL_CAP`] entries (a window
    /// around the path), then "and N more" linking to where the whole level is listed, so a
    /// page's tree grows with its depth, never with the site. Written here rather than by a
    /// recursive template macro, which took a tenth of a large build.
    fn tree(&self, page: &RelPath, current: Option<NoteId>) -> String {
        let trail = self.trail(current);
        let mut html = String::with_capacity(2048);
        self.tree_level(&mut html, page, &self.site.graph.roots, None, current, &trail, true);
        html
    }

    #[allow(clippy::too_many_arguments)]
    fn tree_level(
        &self,
        html: &mut String,
        page: &RelPath,
        level: &[NoteId],
        parent: Option<NoteId>,
        current: Option<NoteId>,
        trail: &Trail,
        show_all: bool,
    ) {
        let graph = &self.site.graph;
        let path = &trail.steps;
        // The note of the path on this level, if any.
        let member = path.iter().copied().find(|&p| graph.parent[p] == parent && level.get(self.rank[p]) == Some(&p));
        let holds_current = current.is_some() && member == current;
        let full = show_all || level.len() <= SMALL_LEVEL || holds_current;
        let shown: &[NoteId] = if !full {
            match member {
                Some(m) => &level[self.rank[m]..=self.rank[m]],
                None => &[],
            }
        } else if level.len() <= LEVEL_CAP {
            level
        } else {
            let at = member.map_or(0, |m| self.rank[m]);
            let start = at.saturating_sub(LEVEL_CAP / 2).min(level.len() - LEVEL_CAP);
            &level[start..start + LEVEL_CAP]
        };
        html.push_str("<ul>");
        for &id in shown {
            let children = &graph.children[id];
            let is_current = Some(id) == current;
            let open =
                !children.is_empty() && (path.contains(&id) || (current.is_none() && graph.parent[id].is_none()));
            html.push_str("<li");
            if is_current || !children.is_empty() {
                html.push_str(" class=\"");
                let mut classes = Vec::with_capacity(3);
                if is_current {
                    classes.push("current");
                }
                if !children.is_empty() {
                    classes.push("branch");
                    if open {
                        classes.push("open");
                    }
                }
                html.push_str(&classes.join(" "));
                html.push('"');
            }
            html.push_str("><a href=\"");
            html.push_str(&escape(&page.href_to(&note_page(&self.site.notes[id].slug))));
            html.push('"');
            if is_current {
                html.push_str(" aria-current=\"page\"");
            }
            html.push('>');
            html.push_str(&escape(self.site.notes[id].title()));
            html.push_str("</a>");
            match trail.hidden(graph).filter(|_| open && path[0] == id) {
                // A deep note's trail leaves levels out below its root: a "…" that leads to
                // the nearest of them holds the rest of the way down.
                Some(hidden) => {
                    html.push_str("<ul><li class=\"gap\"><a href=\"");
                    html.push_str(&escape(&page.href_to(&note_page(&self.site.notes[hidden].slug))));
                    let label = escape(&self.elided(trail.elided, self.site.notes[hidden].title()));
                    html.push_str(&format!("\" aria-label=\"{label}\" title=\"{label}\">{ELLIPSIS}</a>"));
                    self.tree_level(html, page, &graph.children[hidden], Some(hidden), current, trail, false);
                    html.push_str("</li></ul>");
                }
                None if open => self.tree_level(html, page, children, Some(id), current, trail, is_current),
                None => {}
            }
            html.push_str("</li>");
        }
        if full && level.len() > shown.len() {
            let (to, anchor) = self.level_list(parent);
            if let Some(more) = self.more(page, level.len(), shown.len(), &to, anchor) {
                html.push_str("<li class=\"more\"><a href=\"");
                html.push_str(&escape(&more.href));
                html.push_str("\">");
                html.push_str(&escape(&more.text));
                html.push_str("</a></li>");
            }
        }
        html.push_str("</ul>");
    }

    /// The trail of `current`, none for a page of no note.
    fn trail(&self, current: Option<NoteId>) -> Trail {
        current.map_or(Trail { steps: Vec::new(), elided: 0 }, |c| self.site.graph.trail(c))
    }

    /// Where the whole level below `parent` (the roots for `None`) is listed, and the anchor
    /// there: the target of its "and N more".
    fn level_list(&self, parent: Option<NoteId>) -> (RelPath, &'static str) {
        match parent {
            Some(p) => self.children_list(p),
            None => (self.roots_list(), ""),
        }
    }

    /// The shared sidebar's pointer and no-script fallback (see the module's comment).
    fn sidebar_pointer(&self, page: &RelPath, current: Option<NoteId>) -> String {
        let (site, g) = (self.site, &self.site.graph);
        let trail = self.trail(current);
        let steps: Vec<Value> =
            trail.steps.iter().map(|&id| json!([site.notes[id].slug, self.rank[id], g.children[id].len()])).collect();
        let mut pointer = json!({
            "page": page.as_str(),
            "files": nav_buckets(site.notes.len()),
            "roots": g.roots.len(),
            "cap": [LEVEL_CAP, SMALL_LEVEL, CHUNK],
            "path": steps,
        });
        if let Some(hidden) = trail.hidden(g) {
            pointer["gap"] = json!([
                site.notes[hidden].slug,
                g.children[hidden].len(),
                self.elided(trail.elided, self.site.notes[hidden].title())
            ]);
        }
        let pointer = crate::html::script_json(&pointer);
        let mut html = format!("<script type=\"application/json\" id=\"nav-data\">{pointer}</script>");
        // Without the script, the page's breadcrumbs already give the path: the fallback is
        // the way to every root (it was the path again, a twentieth of a large site's pages).
        html.push_str("<ul class=\"nav-fallback\">");
        // Every root: on their list when a page cannot show them all, else on the home page.
        let roots = if g.roots.len() > LEVEL_CAP { self.roots_list() } else { RelPath::new(super::HOME) };
        html.push_str("<li class=\"more\"><a href=\"");
        html.push_str(&escape(&page.href_to(&roots)));
        html.push_str("\">");
        html.push_str(&escape(&self.words().all_roots));
        html.push_str("</a></li></ul>");
        html
    }

    /// Every `nav/<k>.js` of the shared sidebar, in bucket order.
    pub(super) fn nav_files(&self) -> Vec<(RelPath, Vec<u8>)> {
        let (site, g) = (self.site, &self.site.graph);
        let n = nav_buckets(site.notes.len());
        let mut buckets: Vec<BTreeMap<String, Value>> = vec![BTreeMap::new(); n];
        let levels = std::iter::once((None, &g.roots))
            .chain(NoteId::all(site.notes.len()).map(|id| (Some(id), &g.children[id])))
            .filter(|(_, level)| !level.is_empty());
        for (parent, level) in levels {
            let key = parent.map_or("", |p| site.notes[p].slug.as_str());
            // Where the whole level is listed, for "and N more": only a level longer than a
            // window has one.
            let more = (level.len() > LEVEL_CAP).then(|| {
                let (to, anchor) = self.level_list(parent);
                format!("{to}{anchor}")
            });
            for (c, chunk) in level.chunks(CHUNK).enumerate() {
                let entries: Vec<Value> = chunk
                    .iter()
                    .map(|&id| {
                        let (slug, title, kids) = (&site.notes[id].slug, site.notes[id].title(), g.children[id].len());
                        if kids > 0 {
                            json!([slug, title, kids])
                        } else {
                            json!([slug, title])
                        }
                    })
                    .collect();
                let mut record = Map::new();
                record.insert("e".to_string(), Value::Array(entries));
                if let Some(m) = &more {
                    record.insert("more".to_string(), Value::String(m.clone()));
                }
                let name = format!("{key}/{c}");
                buckets[names::slug_bucket(&name, n)].insert(name, Value::Object(record));
            }
        }
        let more = &self.words().more;
        buckets
            .into_iter()
            .enumerate()
            .map(|(k, levels)| {
                let json = crate::html::script_json(&json!({ "more": more, "levels": levels }));
                (RelPath::new(&format!("{NAV_DIR}/{k}.js")), format!("conceptbookNav({json});\n").into_bytes())
            })
            .collect()
    }
}
