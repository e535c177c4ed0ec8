//! `print.html`: every note on one page, in reading order, for printing and PDF.
//!
//! Each note is an `<article id="<slug>">` whose title is numbered by the concept tree
//! (`2.1 LoRA`) and whose headings continue the number (`2.1.1`). Links between notes
//! become in-page links (`#lora`, `#lora--heading`); every other id and in-page link of a
//! body is prefixed with its note's slug, so the notes' headings and footnotes never clash.
//! Navigation is left out; MathML and highlighted code stay. A site whose print page would
//! pass [`PART_BUDGET`] is split into `print.html`, `print-2.html`, … at note boundaries,
//! and a link to a note in another part names that part's file.

use super::{failed_if_any, put_pages, Base, Labels, PageResult, PrintSections, Renderer};
use crate::error::Diagnostic;
use crate::graph::NoteId;
use crate::html::escape as escape_html;
use crate::output::Sink;
use crate::paths::RelPath;
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

pub const PRINT: &str = "print.html";

/// How many bytes of note sections one part holds at most; the page around them, and a link
/// that names another part's file, stay well inside the 1 MiB limit on output files.
pub const PART_BUDGET: usize = 768 * 1024;

/// The file of part `n` (1-based): `print.html`, `print-2.html`, …
pub fn part_page(n: usize) -> RelPath {
    if n <= 1 {
        RelPath::new(PRINT)
    } else {
        RelPath::new(&format!("print-{n}.html"))
    }
}

/// Whether `path` is one of the print pages.
pub fn is_print_page(path: &RelPath) -> bool {
    let s = path.as_str();
    s == PRINT
        || s.strip_prefix("print-").and_then(|r| r.strip_suffix(".html")).is_some_and(|n| n.parse::<usize>().is_ok())
}

#[derive(Serialize)]
struct PrintPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    /// This part, and every part's link (empty when there is one part).
    part: usize,
    parts: Vec<PartLink>,
    /// The numbered contents, on a print page of one part.
    toc: &'a [TocLine],
    sections: Vec<Section<'a>>,
}

#[derive(Serialize)]
struct PartLink {
    n: usize,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct TocLine {
    number: String,
    depth: usize,
    title: String,
    slug: String,
}

#[derive(Serialize)]
struct Section<'a> {
    slug: &'a str,
    number: &'a str,
    title: &'a str,
    summary: &'a str,
    body: Cow<'a, str>,
}

/// A note's print section, deflated (zlib's fastest level) when it is long. Every section
/// waits until all are made, for the cut into parts: kept as text, they held every body a
/// second time (10,000 notes with three code blocks each: 200 MB of highlighted HTML).
/// Short sections stay text: deflating them costs more time than their memory is worth.
#[derive(Debug, Clone)]
pub enum Packed {
    Text(String),
    Deflated { len: usize, bytes: Vec<u8> },
}

impl Default for Packed {
    fn default() -> Packed {
        Packed::Text(String::new())
    }
}

/// Sections longer than this are deflated.
const DEFLATE_ABOVE: usize = 8 * 1024;

impl Packed {
    pub fn new(text: String) -> Packed {
        use std::io::Write;
        if text.len() <= DEFLATE_ABOVE {
            return Packed::Text(text);
        }
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(text.as_bytes()).expect("writes to memory");
        Packed::Deflated { len: text.len(), bytes: z.finish().expect("writes to memory") }
    }

    /// The section's length as text: what decides where the parts are cut.
    fn len(&self) -> usize {
        match self {
            Packed::Text(t) => t.len(),
            Packed::Deflated { len, .. } => *len,
        }
    }

    /// The section's text again.
    fn text(&self) -> Cow<'_, str> {
        use std::io::Read;
        match self {
            Packed::Text(t) => Cow::Borrowed(t),
            Packed::Deflated { len, bytes } => {
                let mut out = String::with_capacity(*len);
                flate2::read::DeflateDecoder::new(&bytes[..])
                    .read_to_string(&mut out)
                    .expect("a section deflated by Packed::new inflates");
                Cow::Owned(out)
            }
        }
    }
}

/// The print page's sections kept between rebuilds (`serve`): after a body edit only the
/// edited notes' sections, and the parts that hold them, are rendered again.
#[derive(Debug, Default)]
pub struct PrintCache {
    /// Each note's part (1-based).
    parts: Vec<usize>,
    /// Each note's section as if the print page were one file (a split page's links to
    /// notes in other parts are made as each part is rendered).
    whole: Vec<Packed>,
}

impl PrintCache {
    /// How many parts the print page has (0 before the first render).
    pub fn part_count(&self) -> usize {
        self.parts.iter().copied().max().unwrap_or(0)
    }
}

impl Renderer<'_> {
    /// The print pages: `print.html`, and `print-N.html` for a large site, from the notes'
    /// `sections` ([`Renderer::print_section`], made with each note's page: a body is
    /// rendered once). With a `cache` from the last build and `dirty` the notes whose
    /// sections are given, only the parts that hold a changed note are rendered (all of
    /// them when the cut moves); without, `sections` holds every note.
    pub(super) fn print_into(
        &self,
        cache: &mut PrintCache,
        mut sections: PrintSections,
        dirty: bool,
        sink: &dyn Sink,
    ) -> Result<(), Vec<Diagnostic>> {
        let site = self.site;
        if !site.config.print {
            *cache = PrintCache::default();
            return Ok(());
        }
        let n = site.notes.len();
        let order = &site.graph.reading_order;
        let numbers = &self.numbers;
        let kept = cache.whole.len() == n;
        if dirty && !kept {
            // Nothing kept (a failed rebuild emptied it): the other notes' sections again.
            let given: BTreeSet<NoteId> = sections.iter().map(|(id, _)| *id).collect();
            let others: Vec<NoteId> = NoteId::all(n).filter(|id| !given.contains(id)).collect();
            sections.par_extend(
                others.par_iter().map(|&id| (id, Packed::new(self.print_section(id, &self.page_body(id))))),
            );
        }
        let dirty = dirty && kept;
        if !dirty {
            cache.whole = vec![Packed::default(); n];
        }
        let changed: Vec<NoteId> = sections.iter().map(|(id, _)| *id).collect();
        for (id, body) in sections {
            cache.whole[id] = body;
        }
        // Cut into parts at note boundaries.
        let mut part_of = vec![1usize; n];
        let parts = super::bounded::cuts(
            order.iter().map(|&id| self.print_cost(id, cache.whole[id].len())),
            usize::MAX,
            PART_BUDGET,
        );
        for (k, range) in parts.iter().enumerate() {
            for &id in &order[range.clone()] {
                part_of[id] = k + 1;
            }
        }
        let part_count = parts.len().max(1);
        let same_cut = dirty && part_of == cache.parts;
        let wanted: BTreeSet<usize> =
            if same_cut { changed.iter().map(|&id| part_of[id]).collect() } else { (1..=part_count).collect() };
        cache.parts = part_of;
        let mut members: BTreeMap<usize, Vec<NoteId>> = wanted.iter().map(|&p| (p, Vec::new())).collect();
        for &id in order {
            if let Some(list) = members.get_mut(&cache.parts[id]) {
                list.push(id);
            }
        }
        let toc = if part_count == 1 {
            order
                .iter()
                .map(|&id| TocLine {
                    number: numbers[id].clone(),
                    // The style sheet indents five levels; deeper ones line up with the fifth.
                    depth: site.graph.depth[id].min(5),
                    title: site.notes[id].title().to_string(),
                    slug: site.notes[id].slug.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let cache = &*cache;
        let members: Vec<(usize, Vec<NoteId>)> = members.into_iter().collect();
        // Each part goes to the sink as soon as it is made: a large site's parts, all
        // rendered before any was written, held the whole print page in memory at once.
        let diags: Vec<Vec<Diagnostic>> = members
            .into_par_iter()
            .map(|(n, ids)| {
                let sections = self.part_sections(cache, n, part_count, &ids);
                let part = self.print_part(n, part_count, if n == 1 { &toc } else { &[] }, sections);
                put_pages(sink, [part]).err().unwrap_or_default()
            })
            .collect();
        failed_if_any(diags.into_iter().flatten().collect())
    }

    /// The sections of the notes `ids` in part `n` of `count`, from `cache`. A split page's
    /// links to notes in other parts name their file.
    fn part_sections<'a>(&'a self, cache: &'a PrintCache, n: usize, count: usize, ids: &[NoteId]) -> Vec<Section<'a>> {
        ids.iter()
            .map(|&id| {
                let note = &self.site.notes[id];
                let whole = cache.whole[id].text();
                Section {
                    slug: &note.slug,
                    number: &self.numbers[id],
                    title: note.title(),
                    summary: note.front.summary.trim(),
                    body: if count == 1 { whole } else { Cow::Owned(link_parts(&whole, self.site, &cache.parts, n)) },
                }
            })
            .collect()
    }

    /// What a note's section of `body` bytes costs a print part: it also costs its heading,
    /// its summary and its line in the part's table of contents (a site of thousands of tiny
    /// notes passed 1 MiB without counting the line; one of long summaries, without counting
    /// them).
    fn print_cost(&self, id: NoteId, body: usize) -> usize {
        let note = &self.site.notes[id];
        let text = crate::html::escaped_len;
        body + 160 + 2 * (text(note.title()) + self.numbers[id].len()) + text(note.front.summary.trim())
    }

    /// Part `n` of `count` of the print page.
    fn print_part(&self, n: usize, count: usize, toc: &[TocLine], sections: Vec<Section>) -> PageResult {
        let page = part_page(n);
        let labels: &Labels = self.labels;
        let title =
            if count > 1 { format!("{} ({n}/{count})", labels.print.title) } else { labels.print.title.clone() };
        let mut base = self.base(&page, &title, &self.site.config.description, None);
        base.sidebar = String::new();
        let parts = if count > 1 {
            (1..=count).map(|k| PartLink { n: k, href: page.href_to(&part_page(k)), current: k == n }).collect()
        } else {
            Vec::new()
        };
        let ctx = PrintPage { base, part: n, parts, toc, sections };
        self.render("print.html", &ctx, page)
    }

    /// Note `id`'s section of the print page, from the body its own page shows (`body`,
    /// links relative to the note's page): links between notes become in-page links (as if
    /// the print page were one file), ids are prefixed, headings go one level down and are
    /// numbered, folded callouts print open.
    pub(super) fn print_section(&self, id: NoteId, body: &str) -> String {
        let note = &self.site.notes[id];
        let html = in_page_links(body);
        let html = prefix_ids(&html, &note.slug);
        let html = shift_headings(&html);
        let html = number_headings(&html, &note.slug, &note.headings, &self.numbers[id]);
        html.replace("\" open>\n<summary", "\">\n<summary")
            .replace("<details class=\"callout", "<details open class=\"callout")
    }
}

/// The parts of a link between notes as markdown writes it:
/// `<a class="note-link…" href="HREF" data-slug="SLUG">`. Yields, for each, the byte range
/// of HREF, and SLUG.
fn note_links(html: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> + '_ {
    const OPEN: &str = "<a class=\"note-link";
    const HREF: &str = " href=\"";
    const SLUG: &str = "\" data-slug=\"";
    html.match_indices(OPEN).filter_map(move |(at, _)| {
        let tag_end = at + html[at..].find('>')?;
        let tag = &html[at..tag_end];
        let href_start = at + tag.find(HREF)? + HREF.len();
        let href_len = html[href_start..tag_end].find(SLUG)?;
        let slug_start = href_start + href_len + SLUG.len();
        let slug = html[slug_start..tag_end].strip_suffix('"')?;
        Some((href_start..href_start + href_len, slug))
    })
}

/// Rewrites the links between notes of a note page's body (`slug.html`,
/// `slug.html#heading`: every note page sits at the top of the site) as links inside the
/// print page (`#slug`, `#slug--heading`). A link whose target is not its note's page is
/// left alone.
fn in_page_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (range, slug) in note_links(html) {
        let href = &html[range.clone()];
        let Some(rest) = href.strip_prefix(slug).and_then(|r| r.strip_prefix(".html")) else { continue };
        out.push_str(&html[last..range.start]);
        out.push('#');
        out.push_str(slug);
        if let Some(anchor) = rest.strip_prefix('#') {
            out.push_str("--");
            out.push_str(anchor);
        } else if !rest.is_empty() {
            out.push_str(rest);
        }
        last = range.end;
    }
    out.push_str(&html[last..]);
    out
}

/// A section of the print page as published in part `here` of a split page: each in-page
/// link to a note of another part names that part's file (`print-3.html#slug`).
fn link_parts(html: &str, site: &crate::graph::Site, part_of: &[usize], here: usize) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut last = 0;
    for (range, slug) in note_links(html) {
        if !html[range.clone()].starts_with('#') {
            continue;
        }
        let Some(id) = site.graph.by_slug(slug) else { continue };
        if part_of[id] == here {
            continue;
        }
        out.push_str(&html[last..range.start]);
        out.push_str(part_page(part_of[id]).as_str());
        last = range.start;
    }
    out.push_str(&html[last..]);
    out
}

/// Each note's number in the tree, from `rank` (each note's place among its siblings): roots `1`,
/// `2`, …; children `1.1`, `1.2`, ….
pub(super) fn tree_numbers(site: &crate::graph::Site, rank: &[usize]) -> Vec<String> {
    let g = &site.graph;
    // The places (1-based ranks among siblings) along each note's trail, with "…" where
    // the trail leaves levels out (`1.….3.1.2.1.1.4`), so that a deep tree's numbers stay
    // short.
    NoteId::all(site.notes.len())
        .map(|id| {
            let places = g.trail(id).entries(g, |&s| (rank[s] + 1).to_string(), |_| crate::graph::ELLIPSIS.to_string());
            places.join(".")
        })
        .collect()
}

/// Prefixes every `id="x"` with `slug--`, every in-page `href="#x"` but the links between
/// notes (already `#slug…`), and every id an `aria-*` attribute refers to.
fn prefix_ids(html: &str, slug: &str) -> String {
    const ID: &str = " id=\"";
    const HREF: &str = " href=\"#";
    /// Attributes holding a list of ids.
    const REFS: [&str; 3] = [" aria-labelledby=\"", " aria-describedby=\"", " aria-controls=\""];
    const NOTE_LINK: &str = "<a class=\"note-link";
    let mut out = String::with_capacity(html.len() + 64);
    let mut last = 0;
    // One pass: every attribute starts with a space; look only where one does.
    for (at, _) in html.match_indices(' ') {
        if at < last {
            continue;
        }
        let rest = &html[at..];
        if let Some(attr) = REFS.iter().find(|a| rest.starts_with(**a)) {
            let start = at + attr.len();
            let Some(len) = html[start..].find('"') else { continue };
            out.push_str(&html[last..start]);
            let ids: Vec<String> =
                html[start..start + len].split_whitespace().map(|id| format!("{slug}--{id}")).collect();
            out.push_str(&ids.join(" "));
            last = start + len;
            continue;
        }
        let len = if rest.starts_with(ID) {
            ID.len()
        } else if rest.starts_with(HREF) {
            HREF.len()
        } else {
            continue;
        };
        let end = at + len;
        out.push_str(&html[last..end]);
        last = end;
        // A link to a note (`<a class="note-link…" href="#slug">`, auto-links too) is left alone.
        let note_link = len == HREF.len() && html[..at].rfind('<').is_some_and(|t| html[t..at].starts_with(NOTE_LINK));
        if !note_link {
            out.push_str(slug);
            out.push_str("--");
        }
    }
    out.push_str(&html[last..]);
    out
}

/// `<h2>` becomes `<h3>` and so on (the note's title is the `<h2>`); `<h6>` stays. One pass.
fn shift_headings(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    let bytes = html.as_bytes();
    for (at, _) in html.match_indices('<') {
        // `<hN ` or `<hN>`, and the closing `</hN>`.
        let closing = bytes.get(at + 1) == Some(&b'/');
        let h = at + 1 + usize::from(closing);
        let (Some(b'h'), Some(&level), Some(&after)) = (bytes.get(h), bytes.get(h + 1), bytes.get(h + 2)) else {
            continue;
        };
        if (b'1'..=b'5').contains(&level) && (after == b'>' || (after == b' ' && !closing)) {
            out.push_str(&html[last..h + 1]);
            out.push(char::from(level + 1));
            last = h + 2;
        }
    }
    out.push_str(&html[last..]);
    out
}

/// Puts the tree number before each heading's text: `2.1` then `2.1.1`, `2.1.2`, `2.1.2.1`.
fn number_headings(html: &str, slug: &str, headings: &[crate::names::Heading], number: &str) -> String {
    let mut out = String::with_capacity(html.len() + headings.len() * 48);
    let mut rest = html;
    let mut counters = [0usize; 7];
    for h in headings {
        let level = usize::from(h.level.clamp(1, 6));
        counters[level] += 1;
        counters[level + 1..].iter_mut().for_each(|c| *c = 0);
        let needle = format!(" id=\"{slug}--{}\">", escape_html(&h.id));
        let Some(at) = rest.find(&needle) else { continue };
        let (head, tail) = rest.split_at(at + needle.len());
        out.push_str(head);
        let parts: Vec<String> = counters[1..=level].iter().filter(|&&c| c > 0).map(|c| c.to_string()).collect();
        out.push_str(&format!("<span class=\"secno\">{number}.{}</span> ", parts.join(".")));
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aria_references_follow_their_ids() {
        assert_eq!(
            prefix_ids("<section aria-labelledby=\"fn-list\"><h2 id=\"fn-list\">", "lora"),
            "<section aria-labelledby=\"lora--fn-list\"><h2 id=\"lora--fn-list\">"
        );
        assert_eq!(prefix_ids("<p aria-describedby=\"a b\">", "x"), "<p aria-describedby=\"x--a x--b\">");
    }

    #[test]
    fn ids_and_local_links_are_prefixed_but_note_links_are_not() {
        let html = "<h2 id=\"a\">A<a class=\"anchor\" href=\"#a\">#</a></h2><a class=\"note-link\" href=\"#peft--b\" data-slug=\"peft\">x</a><a href=\"https://x.io/#y\">y</a>";
        assert_eq!(
            prefix_ids(html, "lora"),
            "<h2 id=\"lora--a\">A<a class=\"anchor\" href=\"#lora--a\">#</a></h2><a class=\"note-link\" href=\"#peft--b\" data-slug=\"peft\">x</a><a href=\"https://x.io/#y\">y</a>"
        );
    }

    #[test]
    fn headings_shift_and_number() {
        assert_eq!(
            shift_headings("<h2 id=\"x\">a</h2><h3>b</h3><h6>c</h6>"),
            "<h3 id=\"x\">a</h3><h4>b</h4><h6>c</h6>"
        );
        let hs = |specs: &[(u8, &str)]| -> Vec<crate::names::Heading> {
            specs
                .iter()
                .map(|(l, id)| crate::names::Heading { level: *l, id: id.to_string(), text: id.to_string() })
                .collect()
        };
        let html = "<h3 id=\"n--a\">a</h3><h4 id=\"n--b\">b</h4><h3 id=\"n--c\">c</h3>";
        assert_eq!(
            number_headings(html, "n", &hs(&[(2, "a"), (3, "b"), (2, "c")]), "2.1"),
            "<h3 id=\"n--a\"><span class=\"secno\">2.1.1</span> a</h3><h4 id=\"n--b\"><span class=\"secno\">2.1.1.1</span> b</h4><h3 id=\"n--c\"><span class=\"secno\">2.1.2</span> c</h3>"
        );
    }

    #[test]
    fn print_pages_are_recognised() {
        assert!(is_print_page(&RelPath::new("print.html")));
        assert!(is_print_page(&RelPath::new("print-12.html")));
        assert!(!is_print_page(&RelPath::new("print-x.html")));
        assert!(!is_print_page(&RelPath::new("printer.html")));
    }
}
