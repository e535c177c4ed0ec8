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
//! | the tags (large sites) | `tags.html`, `tags.p2.html`, … |
//! | the notes of a tag (large sites) | `tags/<key>.html`, … (the key: [`names::tag_keys`]) |
//! | a glossary initial (large sites) | `glossary/l.html`, `glossary/l.p2.html`, … |
//!
//! Slugs hold no `.`, so these names never meet a note's. A small site (the project's own)
//! keeps `tags.html` and `glossary.html` whole, as before; a large one gets an index page
//! there, and `glossary.html#<slug>` finds its entry through a small script that loads
//! `glossary/where-<k>.js` (the slug's bucket) and moves on to the right part.

use super::{Base, MoreLink, NoteLink, PageResult, Renderer, TagGroup, TagsPage};
use crate::error::Diagnostic;
use crate::glossary;
use crate::graph::NoteId;
use crate::labels::ListLabels;
use crate::names;
use crate::output::Sink;
use crate::paths::RelPath;
use rayon::prelude::*;
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
/// Entries per part of a split glossary, at most.
pub const GLOSSARY_PAGE: usize = 800;
/// Bytes of entries on a list page or a glossary part, at most (as the entries' cost
/// functions count them): the page around them stays well inside the 1 MiB limit on output
/// files however long the notes' titles and summaries are.
pub const PAGE_BUDGET: usize = 640 * 1024;
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

/// Where a list of entries that cost `costs` bytes is cut into pages of at most `count`
/// entries and `budget` bytes (an entry larger than the budget gets a page of its own); no
/// pages for no entries.
pub(super) fn cuts(costs: impl Iterator<Item = usize>, count: usize, budget: usize) -> Vec<std::ops::Range<usize>> {
    let (mut ranges, mut start, mut size, mut len) = (Vec::new(), 0, 0, 0);
    for (i, cost) in costs.enumerate() {
        if i > start && (i - start == count || size + cost > budget) {
            ranges.push(start..i);
            (start, size) = (i, 0);
        }
        size += cost;
        len = i + 1;
    }
    if len > start {
        ranges.push(start..len);
    }
    ranges
}

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

/// The pages of the tag with this key ([`names::tag_keys`]).
pub fn tag_stem(key: &str) -> String {
    format!("tags/{key}")
}

/// The index of the tags on a large site: `tags.html`, `tags.p2.html`, …
const TAGS_LIST: &str = "tags";

/// The pager of page `k` of a list whose pages are `paths`; none for a list of one page.
fn pager(paths: &[RelPath], k: usize) -> Vec<PageLink> {
    if paths.len() < 2 {
        return Vec::new();
    }
    let page = &paths[k];
    paths
        .iter()
        .enumerate()
        .map(|(j, p)| PageLink { label: (j + 1).to_string(), href: page.href_to(p), current: j == k })
        .collect()
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

    /// The pages of a list of notes, [`LIST_PAGE`] to a page and [`PAGE_BUDGET`] bytes at
    /// most, each rendered as it is asked for (a tag of a large site can have many).
    fn list<'s>(
        &'s self,
        stem: &str,
        heading: String,
        intro: &'s str,
        owner: Option<NoteId>,
        ids: &'s [NoteId],
    ) -> impl Iterator<Item = PageResult> + 's {
        let costs = ids.iter().map(|&id| self.list_entry_cost(id));
        let ranges = cuts(costs, LIST_PAGE, PAGE_BUDGET);
        let paths: Vec<RelPath> = (0..ranges.len()).map(|k| list_page(stem, k)).collect();
        ranges.into_iter().enumerate().map(move |(k, range)| {
            let page = paths[k].clone();
            let ctx = ListPage {
                base: self.base(&page, &heading, intro, None),
                heading: heading.clone(),
                intro: intro.to_string(),
                owner: owner.map(|o| self.link(&page, o)),
                items: self.links(&page, &ids[range]),
                pages: pager(&paths, k),
                pages_label: &self.words().pages,
            };
            self.render("list.html", &ctx, page)
        })
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
            out.extend(self.list(&children_stem(&note.slug), heading, "", Some(id), &g.children[id]));
        }
        if related.len() > NOTE_LIST_CAP {
            let heading = w.related_of.replace("{title}", note.title());
            out.extend(self.list(&related_stem(&note.slug), heading, "", Some(id), related));
        }
        if backlinks.len() > NOTE_LIST_CAP {
            let heading = w.backlinks_of.replace("{title}", note.title());
            out.extend(self.list(&backlinks_stem(&note.slug), heading, "", Some(id), backlinks));
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
        self.list(ROOTS_LIST, w.all_roots.clone(), &w.roots_intro, None, roots).collect()
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

    /// The key of a tag of the site: its anchor's and its pages' name.
    fn tag_key(&self, tag: &str) -> &str {
        self.tag_keys.get(tag).map_or("", String::as_str)
    }

    /// The id of tag `tag`'s section of a small site's `tags.html`.
    fn tag_anchor(&self, tag: &str) -> String {
        format!("tag-{}", self.tag_key(tag))
    }

    /// The link from `page` to where tag `tag` lists its notes.
    pub(super) fn tag_href(&self, page: &RelPath, tag: &str) -> String {
        if self.tags_split {
            page.href_to(&list_page(&tag_stem(self.tag_key(tag)), 0))
        } else {
            format!("{}#{}", page.href_to(&RelPath::new(super::TAGS)), self.tag_anchor(tag))
        }
    }

    /// `tags.html`: every tag and its notes. On a large site, an index of the tags instead,
    /// [`LIST_PAGE`] to a page (`tags.html`, `tags.p2.html`, …), and each tag's notes on
    /// pages of its own. Each page goes into `sink` as it is made, the tags' pages in
    /// parallel, so that no more than a few are ever held at once. Returns the template
    /// errors.
    pub(super) fn tags_into(&self, sink: &dyn Sink) -> Vec<Diagnostic> {
        let lists = self.tag_lists();
        let split = self.tags_split;
        let group = |page: &RelPath, (name, ids): &(String, Vec<NoteId>)| TagGroup {
            name: name.clone(),
            id: self.tag_anchor(name),
            href: if split { self.tag_href(page, name) } else { format!("#{}", self.tag_anchor(name)) },
            count: ids.len(),
            notes: if split { Vec::new() } else { self.links(page, ids) },
        };
        let per_page = if split { LIST_PAGE } else { lists.len().max(1) };
        let paths: Vec<RelPath> = (0..lists.len().div_ceil(per_page).max(1)).map(|k| list_page(TAGS_LIST, k)).collect();
        let index = paths.iter().enumerate().map(|(k, page)| {
            let tags = lists.iter().skip(k * per_page).take(per_page).map(|t| group(page, t)).collect();
            let ctx = TagsPage {
                base: self.base(page, &self.labels.tags, &self.labels.tags_intro, None),
                tags,
                pages: pager(&paths, k),
                pages_label: &self.words().pages,
            };
            self.render("tags.html", &ctx, page.clone())
        });
        let mut diags = super::put_pages(sink, index).err().unwrap_or_default();
        if split {
            let intro = &self.words().tag_intro;
            let pages: Vec<Vec<Diagnostic>> = lists
                .par_iter()
                .map(|(tag, ids)| {
                    let pages = self.list(&tag_stem(self.tag_key(tag)), format!("#{tag}"), intro, None, ids);
                    super::put_pages(sink, pages).err().unwrap_or_default()
                })
                .collect();
            diags.extend(pages.into_iter().flatten());
        }
        diags
    }

    /// The parts of a split glossary, or none when it fits one page.
    pub(super) fn glossary_parts(&self, groups: &[glossary::Group]) -> Vec<GlossaryPart> {
        let total: usize = groups.iter().map(|g| g.entries.len()).sum();
        // Each entry's bytes on the page: a site of long summaries or titles passes 1 MiB
        // with far fewer entries than GLOSSARY_SPLIT (1,000 summaries of 400 characters
        // made a glossary.html of 1.6 MB), so parts are cut by bytes as well as by count.
        let costs: Vec<Vec<usize>> =
            groups.iter().map(|g| g.entries.iter().map(|e| self.glossary_entry_cost(e.id)).collect()).collect();
        if total < GLOSSARY_SPLIT && costs.iter().flatten().sum::<usize>() <= PAGE_BUDGET {
            return Vec::new();
        }
        let mut parts = Vec::new();
        for (gi, g) in groups.iter().enumerate() {
            let letter = if g.initial == "#" { "other".to_string() } else { g.initial.to_lowercase() };
            let ranges = cuts(costs[gi].iter().copied(), GLOSSARY_PAGE, PAGE_BUDGET);
            let n = ranges.len();
            for (k, range) in ranges.into_iter().enumerate() {
                let label = if n == 1 { g.initial.clone() } else { format!("{} {}", g.initial, k + 1) };
                parts.push(GlossaryPart { group: gi, range, path: list_page(&format!("glossary/{letter}"), k), label });
            }
        }
        parts
    }

    /// About how many bytes a note's entry on a list page takes: its markup, its slug twice,
    /// its title and summary as escaped.
    fn list_entry_cost(&self, id: NoteId) -> usize {
        let note = &self.site.notes[id];
        let text = crate::html::escaped_len;
        150 + 2 * note.slug.len() + text(note.title()) + text(note.front.summary.trim())
    }

    /// About how many bytes a note's glossary entry takes: its markup, its slug three times
    /// (id, data-slug, href), and its title, aliases and summary as escaped; then its
    /// title, aliases, summary and slug again in the page's JSON-LD `DefinedTermSet` (100
    /// long aliases, counted once, made a part of 1.05 MB).
    fn glossary_entry_cost(&self, id: NoteId) -> usize {
        let note = &self.site.notes[id];
        let text = crate::html::escaped_len;
        let (title, summary) = (text(note.title()), text(note.front.summary.trim()));
        200 + 3 * note.slug.len()
            + title
            + note.front.aliases.iter().map(|a| 30 + text(a) + 4 + a.len()).sum::<usize>()
            + summary
            + 80
            + note.slug.len()
            + title
            + summary
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
    fn lists_are_cut_by_count_and_by_bytes() {
        assert_eq!(cuts([1, 1, 1, 1, 1].into_iter(), 2, 100), [0..2, 2..4, 4..5]);
        assert_eq!(cuts([60, 60, 30, 10, 200, 1].into_iter(), 10, 100), [0..1, 1..4, 4..5, 5..6]);
        assert!(cuts(std::iter::empty(), 10, 100).is_empty());
    }

    #[test]
    fn list_pages_are_numbered_from_two() {
        assert_eq!(list_page("all/roots", 0).as_str(), "all/roots.html");
        assert_eq!(list_page("all/roots", 2).as_str(), "all/roots.p3.html");
    }
}
