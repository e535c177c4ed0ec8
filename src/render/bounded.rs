//! Bounded navigation: what keeps every page's size independent of the site's size and shape.
//!
//! A page shows at most a few of any list that grows with the site (roots, siblings,
//! children, related notes, backlinks, root cards on the home page), then "and N more" linking to a
//! *list page* that shows them all, [`LIST_PAGE`] to a page:
//!
//! | list | pages |
//! | --- | --- |
//! | every root | `all/roots.html`, `all/roots.p2.html`, … |
//! | the children of `x` | `children/x.html`, … |
//! | the related notes of `x` | `related/x.html`, … |
//! | the backlinks of `x` | `backlinks/x.html`, … |
//! | the notes of a tag (large sites) | `tags/<tag>.html`, … |
//! | a glossary initial (large sites) | `glossary/l.html`, `glossary/l.p2.html`, … |
//!
//! Slugs hold no `.`, so these names never meet a note's. A small site (the project's own)
//! keeps `tags.html` and `glossary.html` whole, as before; a large one gets an index page
//! there, and `glossary.html#<slug>` finds its entry through a small script that loads
//! `glossary/where-<k>.js` (the slug's bucket) and moves on to the right part.

use super::{Base, MoreLink, NoteLink, PageResult, Renderer};
use crate::glossary;
use crate::graph::NoteId;
use crate::labels::ListLabels;
use crate::names;
use crate::paths::RelPath;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many entries of one level of the sidebar tree, or root cards on the home page, a
/// page shows before "and N more".
pub const LEVEL_CAP: usize = 15;
/// How many children, related notes and backlinks a note's page lists before "and N more".
pub const NOTE_LIST_CAP: usize = 30;
/// Entries per list page.
pub const LIST_PAGE: usize = 500;
/// From this many glossary entries on, the glossary is split per initial.
pub const GLOSSARY_SPLIT: usize = 1500;
/// Entries per part of a split glossary.
pub const GLOSSARY_PAGE: usize = 800;
/// Entries per `glossary/where-<k>.js` bucket.
const WHERE_BUCKET: usize = 4000;
/// From this many (note, tag) pairs on, each tag gets pages of its own.
pub const TAGS_SPLIT: usize = 1500;

/// Above this many notes, book.toml's `sidebar = "auto"` keeps the sidebar's tree in shared
/// files (`render::sidebar`) rather than in every page. The inline tree is about 2.5 KB of a
/// page: on a small site that is little in all (2.5 MB at this size) and it needs no script
/// and no second request; on a large one it is a fifth of every note's page, written again
/// for each, while the shared files hold each note once (about 50 bytes) and the browser
/// caches them across pages.
pub const SHARED_SIDEBAR_ABOVE: usize = 1000;

pub const ROOTS_LIST: &str = "all/roots";

/// `stem.html`, `stem.p2.html`, … : page `k` (from 0) of a list.
pub fn list_page(stem: &str, k: usize) -> RelPath {
    if k == 0 {
        RelPath::new(&format!("{stem}.html"))
    } else {
        RelPath::new(&format!("{stem}.p{}.html", k + 1))
    }
}

pub fn children_stem(slug: &str) -> String {
    format!("children/{slug}")
}

pub fn related_stem(slug: &str) -> String {
    format!("related/{slug}")
}

pub fn backlinks_stem(slug: &str) -> String {
    format!("backlinks/{slug}")
}

pub fn tag_stem(tag: &str) -> String {
    format!("tags/{}", names::slugify(tag))
}

#[derive(Serialize)]
struct ListPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    heading: String,
    intro: String,
    /// The note this list belongs to.
    owner: Option<NoteLink>,
    items: Vec<NoteLink>,
    /// Every page of the list, when there is more than one.
    pages: Vec<PageLink>,
    pages_label: &'a str,
}

#[derive(Serialize)]
pub(super) struct PageLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// One part of a split glossary: an initial, or a run of its entries.
pub(super) struct GlossaryPart {
    pub group: usize,
    pub range: std::ops::Range<usize>,
    pub path: RelPath,
    pub label: String,
}

impl<'a> Renderer<'a> {
    pub(super) fn words(&self) -> &'a ListLabels {
        &self.labels.lists
    }

    /// "and N more" for a list of `total` of which `shown` are on the page.
    pub(super) fn more(
        &self,
        page: &RelPath,
        total: usize,
        shown: usize,
        to: &RelPath,
        anchor: &str,
    ) -> Option<MoreLink> {
        (total > shown).then(|| MoreLink {
            text: self.words().more.replace("{n}", &(total - shown).to_string()),
            href: format!("{}{anchor}", page.href_to(to)),
        })
    }

    /// Where every child of `id` is listed: its list page, or its own page when short.
    pub(super) fn children_list(&self, id: NoteId) -> (RelPath, &'static str) {
        let slug = &self.site.notes[id].slug;
        if self.site.graph.children[id].len() > NOTE_LIST_CAP {
            (list_page(&children_stem(slug), 0), "")
        } else {
            (super::note_page(slug), "#children-h")
        }
    }

    /// Where every root is listed.
    pub(super) fn roots_list(&self) -> RelPath {
        list_page(ROOTS_LIST, 0)
    }

    /// The pages of a list of notes, [`LIST_PAGE`] to a page.
    fn list(&self, stem: &str, heading: &str, intro: &str, owner: Option<NoteId>, ids: &[NoteId]) -> Vec<PageResult> {
        let chunks: Vec<&[NoteId]> = ids.chunks(LIST_PAGE).collect();
        let paths: Vec<RelPath> = (0..chunks.len()).map(|k| list_page(stem, k)).collect();
        chunks
            .iter()
            .enumerate()
            .map(|(k, chunk)| {
                let page = paths[k].clone();
                let pages = if chunks.len() > 1 {
                    paths
                        .iter()
                        .enumerate()
                        .map(|(j, p)| PageLink { label: (j + 1).to_string(), href: page.href_to(p), current: j == k })
                        .collect()
                } else {
                    Vec::new()
                };
                let ctx = ListPage {
                    base: self.base(&page, heading, intro, None),
                    heading: heading.to_string(),
                    intro: intro.to_string(),
                    owner: owner.map(|o| self.link(&page, o)),
                    items: self.links(&page, chunk),
                    pages,
                    pages_label: &self.words().pages,
                };
                self.render("list.html", &ctx, page)
            })
            .collect()
    }

    /// The list pages that belong to note `id`: all its children, all its related notes,
    /// all its backlinks, when its page cannot list them all.
    pub(super) fn note_lists(&self, id: NoteId, related: &[NoteId], backlinks: &[NoteId]) -> Vec<PageResult> {
        let g = &self.site.graph;
        let note = &self.site.notes[id];
        let w = self.words();
        let mut out = Vec::new();
        if g.children[id].len() > NOTE_LIST_CAP {
            let heading = w.children_of.replace("{title}", note.title());
            out.extend(self.list(&children_stem(&note.slug), &heading, "", Some(id), &g.children[id]));
        }
        if related.len() > NOTE_LIST_CAP {
            let heading = w.related_of.replace("{title}", note.title());
            out.extend(self.list(&related_stem(&note.slug), &heading, "", Some(id), related));
        }
        if backlinks.len() > NOTE_LIST_CAP {
            let heading = w.backlinks_of.replace("{title}", note.title());
            out.extend(self.list(&backlinks_stem(&note.slug), &heading, "", Some(id), backlinks));
        }
        out
    }

    /// `all/roots.html` and its next pages, when a page cannot show every root.
    pub(super) fn roots_pages(&self) -> Vec<PageResult> {
        let roots = &self.site.graph.roots;
        if roots.len() <= LEVEL_CAP {
            return Vec::new();
        }
        let w = self.words();
        self.list(ROOTS_LIST, &w.all_roots, &w.roots_intro, None, roots)
    }

    /// Every tag and its notes in reading order, sorted as the glossary sorts.
    pub(super) fn tag_lists(&self) -> Vec<(String, Vec<NoteId>)> {
        let mut by_tag: BTreeMap<&str, Vec<NoteId>> = BTreeMap::new();
        for &id in &self.site.graph.reading_order {
            for t in &self.site.notes[id].front.tags {
                by_tag.entry(t).or_default().push(id);
            }
        }
        let chinese = crate::labels::is_chinese(&self.site.config.language);
        let mut tags: Vec<(String, Vec<NoteId>)> = by_tag.into_iter().map(|(t, ids)| (t.to_string(), ids)).collect();
        tags.sort_by_cached_key(|(t, _)| (glossary::sort_key(t, chinese), t.clone()));
        tags
    }

    /// Whether each tag has pages of its own (and `tags.html` is only their index).
    pub(super) fn tags_split(&self) -> bool {
        self.site.notes.iter().map(|n| n.front.tags.len()).sum::<usize>() > TAGS_SPLIT
    }

    /// The link from `page` to where tag `t` lists its notes.
    pub(super) fn tag_href(&self, page: &RelPath, split: bool, tag: &str) -> String {
        if split {
            page.href_to(&list_page(&tag_stem(tag), 0))
        } else {
            format!("{}#{}", page.href_to(&RelPath::new(super::TAGS)), super::tag_id(tag))
        }
    }

    /// One page (or more) per tag, for a large site.
    pub(super) fn tag_pages(&self, tags: &[(String, Vec<NoteId>)]) -> Vec<PageResult> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for (tag, ids) in tags {
            // Two tags that slugify alike share the first one's pages.
            let stem = tag_stem(tag);
            if seen.insert(stem.clone()) {
                out.extend(self.list(&stem, &format!("#{tag}"), &self.words().tag_intro, None, ids));
            }
        }
        out
    }

    /// The parts of a split glossary, or none when it fits one page.
    pub(super) fn glossary_parts(&self, groups: &[glossary::Group]) -> Vec<GlossaryPart> {
        let total: usize = groups.iter().map(|g| g.entries.len()).sum();
        if total < GLOSSARY_SPLIT {
            return Vec::new();
        }
        let mut parts = Vec::new();
        for (gi, g) in groups.iter().enumerate() {
            let letter = if g.initial == "#" { "other".to_string() } else { g.initial.to_lowercase() };
            let n = g.entries.len().div_ceil(GLOSSARY_PAGE);
            for k in 0..n {
                let range = k * GLOSSARY_PAGE..((k + 1) * GLOSSARY_PAGE).min(g.entries.len());
                let label = if n == 1 { g.initial.clone() } else { format!("{} {}", g.initial, k + 1) };
                parts.push(GlossaryPart { group: gi, range, path: list_page(&format!("glossary/{letter}"), k), label });
            }
        }
        parts
    }

    /// `glossary/where-<k>.js`: which part holds each entry, for `glossary.html#<slug>`.
    pub(super) fn glossary_where(
        &self,
        groups: &[glossary::Group],
        parts: &[GlossaryPart],
    ) -> (usize, Vec<(RelPath, Vec<u8>)>) {
        let total: usize = parts.iter().map(|p| p.range.len()).sum();
        let buckets = total.div_ceil(WHERE_BUCKET).max(1);
        let mut maps: Vec<serde_json::Map<String, serde_json::Value>> = vec![serde_json::Map::new(); buckets];
        for p in parts {
            let target = p.path.as_str().trim_start_matches("glossary/").trim_end_matches(".html").to_string();
            for e in &groups[p.group].entries[p.range.clone()] {
                let slug = &self.site.notes[e.id].slug;
                maps[names::slug_bucket(slug, buckets)].insert(slug.clone(), serde_json::Value::String(target.clone()));
            }
        }
        let files = maps
            .into_iter()
            .enumerate()
            .map(|(k, m)| {
                let json = crate::html::script_json(&m);
                (
                    RelPath::new(&format!("glossary/where-{k}.js")),
                    format!("conceptbookGlossary({json});\n").into_bytes(),
                )
            })
            .collect();
        (buckets, files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_pages_are_numbered_from_two() {
        assert_eq!(list_page("all/roots", 0).as_str(), "all/roots.html");
        assert_eq!(list_page("all/roots", 2).as_str(), "all/roots.p3.html");
    }
}
