//! `print.html`: every note on one page, in reading order, for printing and PDF.
//!
//! Each note is an `<article id="<slug>">` whose title is numbered by the concept tree
//! (`2.1 LoRA`) and whose headings continue the number (`2.1.1`). Links between notes
//! become in-page links (`#lora`, `#lora--heading`); every other id and in-page link of a
//! body is prefixed with its note's slug, so the notes' headings and footnotes never clash.
//! Navigation is left out; MathML and highlighted code stay. A site whose print page would
//! pass [`PART_BUDGET`] is split into `print.html`, `print-2.html`, … at note boundaries,
//! and a link to a note in another part names that part's file.

use super::{Base, Labels, PageLinker, PageResult, Renderer};
use crate::graph::NoteId;
use crate::html::escape as escape_html;
use crate::markdown::{self, AutoLink, LinkTarget, Linker};
use crate::names::RefKind;
use crate::paths::RelPath;
use rayon::prelude::*;
use serde::Serialize;
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
    toc: Vec<TocLine>,
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
    body: &'a str,
}

/// Resolves links between notes to in-page links on the print page.
struct PrintLinker<'a> {
    page: PageLinker<'a>,
    /// Each note's part, when the print page is split.
    part_of: Option<(&'a [usize], usize)>,
}

impl Linker for PrintLinker<'_> {
    fn resolve(&self, kind: RefKind, target: &str, anchor: Option<&str>) -> Option<LinkTarget> {
        let t = self.page.resolve(kind, target, anchor)?;
        let fragment = match t.href.split_once('#') {
            Some((_, a)) => format!("#{}--{a}", t.slug),
            None => format!("#{}", t.slug),
        };
        let file = match self.part_of {
            Some((parts, here)) => {
                let id = self.page.site.graph.by_slug(&t.slug)?;
                if parts[id] == here {
                    String::new()
                } else {
                    part_page(parts[id]).as_str().to_string()
                }
            }
            None => String::new(),
        };
        Some(LinkTarget { href: format!("{file}{fragment}"), ..t })
    }

    fn auto_link(&self) -> Option<AutoLink<'_>> {
        self.page.auto_link()
    }

    fn anchor_label(&self) -> &str {
        self.page.anchor_label()
    }

    fn callout_label(&self, kind: &str) -> String {
        self.page.callout_label(kind)
    }

    fn trusted_html(&self) -> bool {
        self.page.trusted_html()
    }
}

/// The print page's sections kept between rebuilds (`serve`): after a body edit only the
/// edited notes' sections, and the parts that hold them, are rendered again.
#[derive(Debug, Default)]
pub struct PrintCache {
    /// Each note's section rendered as if the print page were one file: the sizes that
    /// decide where the parts are cut.
    sizes: Vec<usize>,
    /// Each note's part (1-based).
    parts: Vec<usize>,
    /// Each note's section as published (links naming another part's file when split).
    sections: Vec<String>,
}

impl PrintCache {
    /// How many parts the print page has (0 before the first render).
    pub fn part_count(&self) -> usize {
        self.parts.iter().copied().max().unwrap_or(0)
    }
}

impl Renderer<'_> {
    /// The print pages: `print.html`, and `print-N.html` for a large site. With a `cache`
    /// from the last build and the notes changed since (`dirty`), only the parts that hold a
    /// changed note are rendered (all of them when the cut moves).
    pub(super) fn print(&self, cache: &mut PrintCache, dirty: Option<&[NoteId]>) -> Vec<PageResult> {
        let site = self.site;
        let n = site.notes.len();
        let order = &site.graph.reading_order;
        let numbers = tree_numbers(site);
        let dirty = dirty.filter(|_| cache.sections.len() == n && cache.sizes.len() == n);
        // Each note's size as one file, and its section when the page is not split.
        let whole: Vec<(NoteId, String)> = match dirty {
            Some(ids) => ids.par_iter().map(|&id| (id, self.print_section(id, &numbers[id], None))).collect(),
            None => (0..n)
                .into_par_iter()
                .map(NoteId::new)
                .map(|id| (id, self.print_section(id, &numbers[id], None)))
                .collect(),
        };
        if dirty.is_none() {
            cache.sizes = vec![0; n];
            cache.sections = vec![String::new(); n];
        }
        for (id, body) in &whole {
            cache.sizes[*id] = body.len();
        }
        // Cut into parts at note boundaries.
        let mut part_of = vec![1usize; n];
        let (mut part, mut size) = (1, 0);
        // A note also costs its line in the part's table of contents (a site of thousands of
        // tiny notes passed 1 MiB without counting it).
        let cost = |id: NoteId| cache.sizes[id] + 160 + 2 * site.notes[id].title().len();
        for &id in order {
            if size > 0 && size + cost(id) > PART_BUDGET {
                part += 1;
                size = 0;
            }
            size += cost(id);
            part_of[id] = part;
        }
        let part_count = part;
        let same_cut = dirty.is_some() && part_of == cache.parts;
        if part_count == 1 {
            for (id, body) in whole {
                cache.sections[id] = body;
            }
        } else {
            let again: Vec<NoteId> = match dirty {
                Some(ids) if same_cut => ids.to_vec(),
                _ => NoteId::all(n).collect(),
            };
            let fresh: Vec<(NoteId, String)> =
                again.par_iter().map(|&id| (id, self.print_section(id, &numbers[id], Some(&part_of)))).collect();
            for (id, body) in fresh {
                cache.sections[id] = body;
            }
        }
        let wanted: BTreeSet<usize> = match dirty {
            Some(ids) if same_cut => ids.iter().map(|&id| part_of[id]).collect(),
            _ => (1..=part_count).collect(),
        };
        cache.parts = part_of;
        let mut sections: BTreeMap<usize, Vec<Section>> = wanted.iter().map(|&p| (p, Vec::new())).collect();
        for &id in order {
            if let Some(list) = sections.get_mut(&cache.parts[id]) {
                let note = &site.notes[id];
                list.push(Section {
                    slug: &note.slug,
                    number: &numbers[id],
                    title: note.title(),
                    summary: note.front.summary.trim(),
                    body: &cache.sections[id],
                });
            }
        }
        let toc = if part_count == 1 {
            order
                .iter()
                .map(|&id| TocLine {
                    number: numbers[id].clone(),
                    depth: numbers[id].matches('.').count(),
                    title: site.notes[id].title().to_string(),
                    slug: site.notes[id].slug.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut toc = Some(toc);
        sections.into_iter().map(|(n, sections)| self.print_part(n, part_count, toc.take(), sections)).collect()
    }

    /// Part `n` of `count` of the print page.
    fn print_part(&self, n: usize, count: usize, toc: Option<Vec<TocLine>>, sections: Vec<Section>) -> PageResult {
        let page = part_page(n);
        let labels: &Labels = self.labels;
        let title =
            if count > 1 { format!("{} ({n}/{count})", labels.print.title) } else { labels.print.title.clone() };
        let mut base = self.base(&page, &title, &self.site.config.description, None);
        base.sidebar = Vec::new();
        let parts = if count > 1 {
            (1..=count).map(|k| PartLink { n: k, href: page.href_to(&part_page(k)), current: k == n }).collect()
        } else {
            Vec::new()
        };
        let ctx = PrintPage { base, part: n, parts, toc: toc.unwrap_or_default(), sections };
        self.render("print.html", &ctx, page)
    }

    /// One note's body for the print page: ids prefixed, headings one level down and numbered.
    fn print_section(&self, id: NoteId, number: &str, parts: Option<&[usize]>) -> String {
        let site = self.site;
        let note = &site.notes[id];
        let page = super::note_page(&note.slug);
        let linker = PrintLinker {
            page: self.linker(&page, &note.path, &note.refs, Some(&note.slug)),
            part_of: parts.map(|p| (p, p[id])),
        };
        let html = markdown::render(note.body(), &note.headings, &linker);
        let html = prefix_ids(&html, &note.slug);
        let html = shift_headings(&html);
        let html = number_headings(&html, &note.slug, &note.headings, number);
        // Folded callouts print open.
        html.replace("\" open>\n<summary", "\">\n<summary")
            .replace("<details class=\"callout", "<details open class=\"callout")
    }
}

/// Each note's number in the tree: roots `1`, `2`, …; children `1.1`, `1.2`, ….
fn tree_numbers(site: &crate::graph::Site) -> Vec<String> {
    let g = &site.graph;
    let mut numbers = vec![String::new(); site.notes.len()];
    let mut stack: Vec<(NoteId, String)> =
        g.roots.iter().enumerate().rev().map(|(i, &id)| (id, (i + 1).to_string())).collect();
    while let Some((id, number)) = stack.pop() {
        for (i, &child) in g.children[id].iter().enumerate().rev() {
            stack.push((child, format!("{number}.{}", i + 1)));
        }
        numbers[id] = number;
    }
    numbers
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

/// `<h2>` becomes `<h3>` and so on (the note's title is the `<h2>`); `<h6>` stays.
fn shift_headings(html: &str) -> String {
    let mut html = html.to_string();
    for level in (2..=5).rev() {
        html = html
            .replace(&format!("<h{level} "), &format!("<h{} ", level + 1))
            .replace(&format!("<h{level}>"), &format!("<h{}>", level + 1))
            .replace(&format!("</h{level}>"), &format!("</h{}>", level + 1));
    }
    html.replace("<h1 ", "<h2 ").replace("<h1>", "<h2>").replace("</h1>", "</h2>")
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
