//! Rendering: the linked site in, every output file in memory out.
//!
//! Pages are Tera templates fed typed, serializable contexts (`NotePage`, `HomePage`, …).
//! Note bodies are rendered in parallel. Every internal link is made by
//! [`RelPath::href_to`], from the page being written, so the output is relocatable.
//! Nothing here touches the disk: the result is an [`Output`] map that `output::write`
//! puts in place, or that `check` and `serve` use directly.

use crate::assets::Assets;
use crate::error::{Diagnostic, Pos};
use crate::glossary;
use crate::graph::{elided_range, NoteId, Site, Trail, ELLIPSIS};
use crate::graphmap::{self, Plan};
use crate::html::escape;
use crate::labels::{self, Labels};
use crate::markdown::{self, AutoLink, LinkTarget, Linker, Terms};
use crate::names::{find_heading, note_page, Heading, RefKind};
use crate::note::Ref;
use crate::output::{Output, Sink};
use crate::paths::RelPath;
use crate::previews;
use crate::search;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::{Mutex, PoisonError};

mod bounded;
pub use bounded::{list_page, LEVEL_CAP, NOTE_LIST_CAP};

mod print;
mod sidebar;

pub use print::{is_print_page, part_page, Packed, PrintCache};

pub const HOME: &str = "index.html";
pub const GLOSSARY: &str = "glossary.html";
pub const TAGS: &str = "tags.html";
pub const NOT_FOUND: &str = "404.html";

/// Renders the whole site in memory (see [`site_into`]).
pub fn site(site: &Site, theme: &Theme, cache: Option<&mut search::Cache>) -> Result<Output, Vec<Diagnostic>> {
    site_kept(site, theme, cache, &mut PrintCache::default())
}

/// [`site`], keeping the print page's sections in `print` for rebuilds.
pub fn site_kept(
    site: &Site,
    theme: &Theme,
    cache: Option<&mut search::Cache>,
    print: &mut PrintCache,
) -> Result<Output, Vec<Diagnostic>> {
    site_warned(site, theme, cache, print).map(|(out, _)| out)
}

/// [`site_kept`], with the warnings of [`site_into`].
pub fn site_warned(
    site: &Site,
    theme: &Theme,
    cache: Option<&mut search::Cache>,
    print: &mut PrintCache,
) -> Result<(Output, Vec<Diagnostic>), Vec<Diagnostic>> {
    in_memory(|sink| site_into(site, theme, cache, print, sink))
}

/// Renders the whole site with compiled templates into `sink`, each file as soon as it is
/// made: the search index first (keeping each note's terms in `cache` when given), then
/// every page, then the static files; the print page's sections are kept in `print`.
/// `Ok` holds the warnings ([`large_files`]); `Err` template errors (the pages that had
/// none may be in `sink` already).
pub fn site_into(
    site: &Site,
    theme: &Theme,
    cache: Option<&mut search::Cache>,
    print: &mut PrintCache,
    sink: &dyn Sink,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let sink = Listed { sink, pages: Mutex::default(), large: Mutex::default() };
    // The search index first: its working memory (every note's terms) is freed before the
    // pages exist, so the two never peak together.
    put_all(&sink, search_index(site, theme, cache));
    let ids: Vec<NoteId> = NoteId::all(site.notes.len()).collect();
    let sections = note_pages_into(site, theme, &ids, &sink)?;
    index_pages_into(site, theme, &sink)?;
    *print = PrintCache::default();
    Renderer::new(site, theme).print_into(print, sections, false, &sink)?;
    add_files(site, &theme.assets, &sink)?;
    Ok(large_files(site, sink.large.into_inner().unwrap_or_else(PoisonError::into_inner)))
}

/// A sink that also notes the path of every page put into it, for the sitemap, and every
/// file over [`MAX_FILE`].
struct Listed<'a> {
    sink: &'a dyn Sink,
    pages: Mutex<Vec<RelPath>>,
    large: Mutex<Vec<(RelPath, usize)>>,
}

impl Sink for Listed<'_> {
    fn put(&self, path: RelPath, bytes: Vec<u8>) {
        if path.extension() == Some("html") {
            self.pages.lock().unwrap_or_else(PoisonError::into_inner).push(path.clone());
        }
        if bytes.len() > MAX_FILE {
            self.large.lock().unwrap_or_else(PoisonError::into_inner).push((path.clone(), bytes.len()));
        }
        self.sink.put(path, bytes);
    }
}

/// The largest output file the site should have: 1 MiB. Every page the site makes is cut
/// to stay under it; only one note's own text can pass it.
pub const MAX_FILE: usize = 1024 * 1024;

/// A warning for each of the `large` files (path, bytes) over [`MAX_FILE`]: on a note's
/// own page, at the note's file; on an attachment, at its file below `content/`; on
/// another file (the print part that holds such a note), at that file. Sorted by path, so
/// the report is the same on every build.
fn large_files(site: &Site, mut large: Vec<(RelPath, usize)>) -> Vec<Diagnostic> {
    large.sort();
    let mib = |n: usize| format!("{:.1} MiB", n as f64 / MAX_FILE as f64);
    large
        .into_iter()
        .map(|(path, n)| {
            let note = path.as_str().strip_suffix(".html").and_then(|slug| site.graph.by_slug(slug));
            match note {
                Some(id) => Diagnostic::warning(
                    &site.notes[id].path,
                    format!("this note's page `{path}` is {} ({n} bytes), over the 1 MiB a page should stay under", mib(n)),
                )
                .help("split the note into several notes (children with `parent`): a reader's browser loads the page whole"),
                None if site.attachments.is_published(&path) => Diagnostic::warning(
                    &RelPath::new(crate::paths::CONTENT_DIR).join(path.as_str()),
                    format!("this file is {} ({n} bytes), over 1 MiB", mib(n)),
                )
                .help("a reader's browser loads it whole with the page that shows it: resize or compress it, or split it"),
                None => Diagnostic::warning(&path, format!("the output file `{path}` is {} ({n} bytes), over 1 MiB", mib(n)))
                    .help("it holds a note that is too long: see the warning about that note's page"),
            }
        })
        .collect()
}

fn put_all(sink: &dyn Sink, files: Output) {
    for (path, bytes) in files {
        sink.put(path, bytes);
    }
}

/// Puts every page that rendered into `sink`; the problems of those that did not.
fn put_pages(sink: &dyn Sink, pages: impl IntoIterator<Item = PageResult>) -> Result<(), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for page in pages {
        match page {
            Ok((path, bytes)) => sink.put(path, bytes),
            Err(d) => diags.extend(d),
        }
    }
    failed_if_any(diags)
}

/// `Ok` when no problem was found, else every problem.
fn failed_if_any(diags: Vec<Diagnostic>) -> Result<(), Vec<Diagnostic>> {
    if diags.is_empty() {
        Ok(())
    } else {
        Err(diags)
    }
}

/// Runs `render` into a sink that keeps every file in memory.
fn in_memory<T>(render: impl FnOnce(&dyn Sink) -> Result<T, Vec<Diagnostic>>) -> Result<(Output, T), Vec<Diagnostic>> {
    let out = Mutex::new(Output::new());
    let value = render(&out)?;
    Ok((out.into_inner().unwrap_or_else(PoisonError::into_inner), value))
}

/// The search index, reusing and refilling `cache` when given.
pub fn search_index(site: &Site, theme: &Theme, cache: Option<&mut search::Cache>) -> Output {
    search::index_cached(site, &theme.labels.search_panel, cache).into_iter().collect()
}

/// A note's section of the print page, made with its page (see [`print_pages`]).
pub type PrintSection = (NoteId, Packed);
/// The print sections of several notes.
pub type PrintSections = Vec<PrintSection>;

/// The pages of the notes `ids`, rendered in parallel, and their print sections.
pub fn note_pages(site: &Site, theme: &Theme, ids: &[NoteId]) -> Result<(Output, PrintSections), Vec<Diagnostic>> {
    in_memory(|sink| note_pages_into(site, theme, ids, sink))
}

/// The pages of the notes `ids`, rendered in parallel into `sink` as they are made; their
/// print sections are returned. Every note's template errors are reported.
fn note_pages_into(
    site: &Site,
    theme: &Theme,
    ids: &[NoteId],
    sink: &dyn Sink,
) -> Result<PrintSections, Vec<Diagnostic>> {
    let r = Renderer::new(site, theme);
    let (diags, sections): (Vec<Vec<Diagnostic>>, Vec<Option<PrintSection>>) = ids
        .par_iter()
        .map(|&id| {
            let (pages, section) = r.note(id);
            (put_pages(sink, pages).err().unwrap_or_default(), section)
        })
        .unzip();
    let diags: Vec<Diagnostic> = diags.into_iter().flatten().collect();
    if diags.is_empty() {
        Ok(sections.into_iter().flatten().collect())
    } else {
        Err(diags)
    }
}

/// The pages that list the whole site: home, glossary, tags, 404, and the concept maps.
pub fn index_pages(site: &Site, theme: &Theme) -> Result<Output, Vec<Diagnostic>> {
    in_memory(|sink| index_pages_into(site, theme, sink)).map(|(out, ())| out)
}

/// [`index_pages`] into `sink`, the tags' pages and the maps as they are made (a large
/// site's tag pages can hold every note many times over). Every page's template errors
/// are reported.
fn index_pages_into(site: &Site, theme: &Theme, sink: &dyn Sink) -> Result<(), Vec<Diagnostic>> {
    let r = Renderer::new(site, theme);
    let pages = [r.home(), r.not_found()].into_iter().chain(r.glossary());
    let mut diags = put_pages(sink, pages).err().unwrap_or_default();
    diags.extend(r.tags_into(sink));
    let nav = r.shared_sidebar.then(|| r.nav_files()).into_iter().flatten();
    let rest =
        r.roots_pages().into_iter().chain(previews::files(site, r.preview_buckets).into_iter().chain(nav).map(Ok));
    diags.extend(put_pages(sink, rest).err().unwrap_or_default());
    let maps: Vec<Vec<Diagnostic>> =
        (0..r.plan.maps.len()).into_par_iter().map(|m| put_pages(sink, [r.map(m)]).err().unwrap_or_default()).collect();
    diags.extend(maps.into_iter().flatten());
    failed_if_any(diags)
}

/// The print pages after the notes of `dirty` (their new sections) changed: with the
/// `cache` of the last call, only the parts that hold them (all parts when the cache is
/// empty or the cut moved).
/// Returns those pages and how many parts there are now.
pub fn print_pages(
    site: &Site,
    theme: &Theme,
    cache: &mut PrintCache,
    dirty: PrintSections,
) -> Result<(Output, usize), Vec<Diagnostic>> {
    let r = Renderer::new(site, theme);
    let (pages, ()) = in_memory(|sink| r.print_into(cache, dirty, true, sink))?;
    Ok((pages, cache.part_count()))
}

/// The attachments at `paths` (output paths), read from `content/` into `sink`, each as
/// soon as it is read, so that a site's images never sit in memory together; the files
/// that cannot be read are errors.
fn put_attachments<'p>(
    site: &Site,
    paths: impl IntoIterator<Item = &'p RelPath>,
    sink: &dyn Sink,
) -> Result<(), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for path in paths {
        match std::fs::read(site.attachments.source(path)) {
            Ok(bytes) => sink.put(path.clone(), bytes),
            Err(e) => diags.push(
                Diagnostic::error(
                    &RelPath::new(crate::paths::CONTENT_DIR).join(path.as_str()),
                    format!("cannot read: {e}"),
                )
                .help("check the file's permissions"),
            ),
        }
    }
    failed_if_any(diags)
}

/// The attachments at `paths`, read again (for a rebuild after they changed).
pub fn attachments(site: &Site, paths: &[RelPath]) -> Result<Output, Vec<Diagnostic>> {
    in_memory(|sink| put_attachments(site, paths, sink)).map(|(out, ())| out)
}

/// Everything that is neither a page nor the search index: static files, the attachments
/// beside the notes, `.nojekyll`, and the sitemap (which lists the pages already put).
fn add_files(site: &Site, assets: &Assets, out: &Listed) -> Result<(), Vec<Diagnostic>> {
    for (path, bytes) in &assets.files {
        out.put(path.clone(), bytes.clone());
    }
    put_attachments(site, site.attachments.files(), out)?;
    out.put(RelPath::new(".nojekyll"), Vec::new());
    if let Some(url) = &site.config.site_url {
        let mut pages = std::mem::take(&mut *out.pages.lock().unwrap_or_else(PoisonError::into_inner));
        pages.sort();
        for (path, xml) in sitemap(url, &pages) {
            out.put(path, xml.into_bytes());
        }
    }
    Ok(())
}

/// One rendered page, or what went wrong rendering it.
type PageResult = Result<(RelPath, Vec<u8>), Vec<Diagnostic>>;

/// Templates compiled once, for as many renders as needed.
pub struct Templates {
    tera: tera::Tera,
}

/// The site's look: its static files, compiled templates and interface strings (embedded
/// defaults, overridden by the site's own `templates/` and `static/`).
pub struct Theme {
    pub assets: Assets,
    pub templates: Templates,
    pub labels: Labels,
}

/// Compiles the templates and picks the labels of `language`.
pub fn theme(assets: Assets, language: &str) -> Result<Theme, Vec<Diagnostic>> {
    let labels = labels::load(&assets.labels, language);
    let templates = compile(&assets);
    match (templates, labels) {
        (Ok(templates), Ok(labels)) => Ok(Theme { assets, templates, labels }),
        (t, l) => Err(t.err().into_iter().chain(l.err()).flatten().collect()),
    }
}

/// Compiles the templates; a syntax error names the template and its line.
pub fn compile(assets: &Assets) -> Result<Templates, Vec<Diagnostic>> {
    let diagnostic = |path: &RelPath, e: &tera::Error| {
        let (message, pos) = tera_message(e);
        Diagnostic::error(path, format!("template error: {message}")).at(pos)
    };
    // Each template parsed on its own first, so an error names the template it is in.
    let diags: Vec<Diagnostic> = assets
        .templates
        .iter()
        .filter_map(|(name, (path, text))| tera::Template::new(name, None, text).err().map(|e| diagnostic(path, &e)))
        .collect();
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut tera = tera::Tera::default();
    tera.set_escape_fn(escape_html);
    let sources: Vec<(&str, &str)> =
        assets.templates.iter().map(|(name, (_, text))| (name.as_str(), text.as_str())).collect();
    tera.add_raw_templates(sources).map_err(|e| {
        // What is left are errors between templates: `{% extends %}` of a missing parent, or
        // a circle of them; the error says which template.
        let name = match e.kind {
            tera::ErrorKind::MissingParent { ref current, .. } => Some(current),
            tera::ErrorKind::CircularExtend { ref tpl, .. } => Some(tpl),
            _ => None,
        };
        let path = name
            .and_then(|n| assets.templates.get(n))
            .map_or_else(|| RelPath::new(crate::assets::TEMPLATES_DIR), |(p, _)| p.clone());
        vec![diagnostic(&path, &e)]
    })?;
    Ok(Templates { tera })
}

/// Escapes what HTML needs escaped, and leaves `/` alone so URLs stay readable.
fn escape_html(s: &str) -> String {
    escape(s)
}

/// The whole chain of a Tera error on one line, and a position when it gives one.
fn tera_message(e: &tera::Error) -> (String, Pos) {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    let text = parts.join(": ");
    // Tera's parse errors carry `--> line:col`.
    let pos = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let mut it = rest.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
            Some(Pos { line: it.next()?.parse().ok()?, column: it.next()?.parse().ok()? })
        })
        .unwrap_or_default();
    let one_line = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    (one_line, pos)
}

/// What every page's layout needs.
#[derive(Serialize)]
struct Base<'a> {
    site: SiteInfo<'a>,
    labels: &'a Labels,
    /// Prefix from this page to the site root (`""` for top-level pages).
    root: String,
    page_title: String,
    description: String,
    canonical: Option<String>,
    /// The concept tree around the page, as HTML (a `<ul>` of `<ul>`s; see [`Renderer::tree`]),
    /// or with a shared sidebar the pointer to its files and a short fallback (`render::sidebar`).
    sidebar: String,
    /// `<base href>` for the 404 page, when the site URL is known.
    base_href: Option<String>,
    /// Where `js/preview.js` finds the link previews (see `previews`), on pages that show
    /// them; or nothing.
    previews: String,
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    description: &'a str,
    lang: &'a str,
    /// Whether the site has a print page to link to (book.toml's `[build] print`).
    print: bool,
}

/// "and N more", linking to where the rest is listed.
#[derive(Serialize, Clone)]
struct MoreLink {
    text: String,
    href: String,
}

#[derive(Serialize, Clone)]
struct NoteLink {
    slug: String,
    title: String,
    summary: String,
    href: String,
    /// On a trail, the "…" for the levels left out: its accessible name (the title is "…").
    #[serde(skip_serializing_if = "Option::is_none")]
    gap: Option<String>,
    /// Drawn in the note's neighbourhood already: its chip below shows only in print.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    on_map: bool,
}

#[derive(Serialize)]
struct TagLink {
    name: String,
    href: String,
}

#[derive(Serialize)]
struct TocEntry {
    level: u8,
    id: String,
    text: String,
}

#[derive(Serialize)]
struct NotePage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    aliases: Vec<String>,
    tags: Vec<TagLink>,
    body: String,
    toc: Vec<TocEntry>,
    breadcrumbs: Vec<NoteLink>,
    children: Vec<NoteLink>,
    children_more: Option<MoreLink>,
    related: Vec<NoteLink>,
    related_more: Option<MoreLink>,
    backlinks: Vec<NoteLink>,
    backlinks_more: Option<MoreLink>,
    /// Every related note / backlink is drawn in the neighbourhood: the list is for print.
    related_on_map: bool,
    backlinks_on_map: bool,
    prev: Option<NoteLink>,
    next: Option<NoteLink>,
    /// How many parents, children, related notes and backlinks the note has ("1 12 4 0"),
    /// each in its strongest role: `js/site.js` draws the neighbourhood from the page's lists
    /// and these counts (its `+N` boxes); empty for a note with no neighbours.
    neighbourhood: String,
    /// Where the note sits on the concept map: `graph.html#n-<slug>`.
    map_href: String,
    /// "Edit this page", when book.toml sets `edit-url-template`.
    edit_url: Option<String>,
}

#[derive(Serialize)]
struct MapPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    heading: String,
    intro: String,
    /// The maps from the top one down to this one (one entry on the top map).
    chain: Vec<MapLink>,
    /// The note at the top of a sub-map.
    map_root: Option<NoteLink>,
    /// How many subtrees this map folds into maps of their own.
    folded: usize,
    svg: String,
    /// The top maps, when the roots are shared out among several.
    parts: Vec<bounded::PageLink>,
}

#[derive(Serialize)]
struct MapLink {
    title: String,
    href: String,
    /// As [`NoteLink::gap`].
    #[serde(skip_serializing_if = "Option::is_none")]
    gap: Option<String>,
}

#[derive(Serialize)]
struct HomePage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    body: String,
    roots: Vec<RootCard>,
    roots_more: Option<MoreLink>,
    note_count: usize,
    term_count: usize,
    tag_count: usize,
}

#[derive(Serialize)]
struct RootCard {
    #[serde(flatten)]
    link: NoteLink,
    count: usize,
    children: Vec<NoteLink>,
    more: Option<MoreLink>,
}

#[derive(Serialize)]
struct GlossaryPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    groups: Vec<GlossaryGroup>,
    /// The parts of a split glossary (empty when it is one page).
    parts: Vec<bounded::PageLink>,
    parts_label: &'a str,
    /// On the index of a split glossary: how many `glossary/where-<k>.js` files there are.
    where_buckets: usize,
    /// schema.org `DefinedTermSet` JSON-LD of the entries on the page, safe inside `<script>`.
    json_ld: String,
}

#[derive(Serialize)]
struct GlossaryGroup {
    initial: String,
    id: String,
    entries: Vec<GlossaryEntry>,
}

#[derive(Serialize)]
struct GlossaryEntry {
    #[serde(flatten)]
    link: NoteLink,
    aliases: Vec<String>,
}

#[derive(Serialize)]
struct TagsPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    tags: Vec<TagGroup>,
    /// Every page of the index of a large site's tags, when there is more than one.
    pages: Vec<bounded::PageLink>,
    pages_label: &'a str,
}

#[derive(Serialize)]
struct TagGroup {
    name: String,
    id: String,
    /// Where its notes are listed: `#tag-…` below, or its own page on a large site.
    href: String,
    count: usize,
    /// Empty on a large site, where each tag has pages of its own.
    notes: Vec<NoteLink>,
}

#[derive(Serialize)]
struct NotFoundPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    /// The stylesheet inlined, for when the site's root is not known at build time.
    inline_css: String,
}

struct Renderer<'a> {
    site: &'a Site,
    assets: &'a Assets,
    tera: &'a tera::Tera,
    labels: &'a Labels,
    /// How the concept map is cut into pages.
    plan: Plan,
    /// Every title and alias, when book.toml turns `auto-link` on.
    terms: Option<Terms>,
    /// Each note's place among its siblings (or among the roots).
    rank: Vec<usize>,
    /// Whether each tag has pages of its own.
    tags_split: bool,
    /// Each tag's key: its anchor's and its pages' name.
    tag_keys: rustc_hash::FxHashMap<&'a str, String>,
    /// Each note's number in the tree (`2.1`), for the print page.
    numbers: Vec<String>,
    /// Whether pages carry a pointer to the shared sidebar files rather than the tree.
    shared_sidebar: bool,
    /// How many `previews/<k>.js` files the site has.
    preview_buckets: usize,
}

/// Resolves body links relative to the page being rendered.
struct PageLinker<'a> {
    site: &'a Site,
    page: &'a RelPath,
    /// The Markdown file the body comes from: relative `other.md` links start at its folder.
    source: &'a RelPath,
    labels: &'a Labels,
    /// Auto-linking: the site's terms, and the slugs this body must not link again.
    auto: Option<(&'a Terms, std::collections::BTreeSet<String>)>,
}
/// The aliases worth a chip next to `title`: not the title itself, nor either part of a
/// title like "LoRA（低秩适配）" (so neither "LoRA" nor "低秩适配"), nor a repeat. The
/// search index still knows them all.
pub fn distinct_aliases(title: &str, aliases: &[String]) -> Vec<String> {
    // Spellings apart only by case, width, spaces or hyphens ("DeepSpeed-Chat") are one name.
    let key = |s: &str| -> String {
        use unicode_normalization::UnicodeNormalization;
        s.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace() && !"-_·・".contains(*c)).collect()
    };
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::from([key(title)]);
    if let Some(open) = title.find(['（', '(']) {
        let inner = &title[open..];
        let inner = inner[inner.chars().next().map_or(0, char::len_utf8)..].trim_end_matches(['）', ')']);
        seen.insert(key(&title[..open]));
        seen.insert(key(inner));
    }
    let mut out = Vec::new();
    for a in aliases {
        let k = key(a);
        if !k.is_empty() && seen.insert(k) {
            out.push(a.clone());
        }
    }
    out
}

/// The names auto-linking looks for: every note's title and aliases; those book.toml's
/// `auto-link-skip` lists are never linked.
fn auto_link_terms(site: &Site) -> Terms {
    let skip: std::collections::BTreeSet<String> =
        site.config.auto_link_skip.iter().map(|s| crate::names::name_key(s)).collect();
    Terms::new(site.notes.iter().flat_map(|n| {
        let skip = &skip;
        std::iter::once(n.title()).chain(n.front.aliases.iter().map(String::as_str)).map(move |name| {
            // A name that several notes share as an alias links to none of them.
            let linked = !skip.contains(&crate::names::name_key(name)) && site.graph.shared_name(name).is_none();
            (name, linked.then_some(n.slug.as_str()))
        })
    }))
}

impl Linker for PageLinker<'_> {
    fn anchor_label(&self) -> &str {
        &self.labels.anchor
    }

    fn callout_label(&self, kind: &str) -> String {
        self.labels.callouts.get(kind).cloned().unwrap_or_else(|| crate::callout::label(kind).to_string())
    }

    fn words(&self) -> markdown::BodyWords<'_> {
        markdown::BodyWords { footnotes: &self.labels.footnotes, back: &self.labels.footnote_back }
    }

    fn resolve(&self, kind: RefKind, target: &str, anchor: Option<&str>) -> Option<LinkTarget> {
        let target = match kind {
            RefKind::File => self.source.parent().join(target).to_string(),
            _ => target.to_string(),
        };
        if self.site.graph.links_home(kind, &target) {
            let mut href = self.page.href_to(&RelPath::new("index.html"));
            if let Some(a) = anchor {
                href = format!("{href}#{a}");
            }
            return Some(LinkTarget { href, slug: String::new(), text: self.site.config.title.clone() });
        }
        let id = match kind {
            // `[[#Setup]]`: a heading of the note this body is.
            RefKind::Wiki if target.trim().is_empty() && anchor.is_some() => {
                self.site.graph.resolve(RefKind::File, self.source.as_str())?
            }
            _ => self.site.graph.resolve(kind, &target)?,
        };
        let note = &self.site.notes[id];
        let mut href = self.page.href_to(&note_page(&note.slug));
        let mut text = note.title().to_string();
        if let Some(a) = anchor {
            match find_heading(&note.headings, a) {
                Some(h) => {
                    href = format!("{href}#{}", h.id);
                    text = format!("{} › {}", note.title(), h.text);
                }
                // A block reference (`#^id`, a warning) goes to the top of the page.
                None if a.starts_with('^') => {}
                None => href = format!("{href}#{a}"),
            }
        }
        Some(LinkTarget { href, slug: note.slug.clone(), text })
    }

    fn attachment(&self, url: &str, by_name: bool) -> Option<String> {
        self.site.attachments.href(self.page, self.source, url, by_name)
    }

    fn auto_link(&self) -> Option<AutoLink<'_>> {
        self.auto.as_ref().map(|(terms, skip)| AutoLink { terms, skip: skip.clone() })
    }

    fn trusted_html(&self) -> bool {
        self.site.config.trusted_html
    }
}

impl<'a> Renderer<'a> {
    fn new(site: &'a Site, theme: &'a Theme) -> Renderer<'a> {
        let plan = graphmap::plan(site);
        let terms = site.config.auto_link.then(|| auto_link_terms(site));
        let g = &site.graph;
        let mut rank = vec![0; site.notes.len()];
        for level in std::iter::once(&g.roots).chain(&g.children) {
            for (k, &id) in level.iter().enumerate() {
                rank[id] = k;
            }
        }
        let mut r = Renderer {
            site,
            assets: &theme.assets,
            tera: &theme.templates.tera,
            labels: &theme.labels,
            plan,
            terms,
            rank,
            tags_split: false,
            tag_keys: crate::names::tag_keys(site.notes.iter().flat_map(|n| n.front.tags.iter().map(String::as_str))),
            numbers: Vec::new(),
            shared_sidebar: sidebar::shared(site.config.sidebar, site.notes.len()),
            preview_buckets: previews::buckets(site),
        };
        r.tags_split = r.tags_split();
        r.numbers = print::tree_numbers(site, &r.rank);
        r
    }

    fn base(&self, page: &RelPath, title: &str, description: &str, current: Option<NoteId>) -> Base<'a> {
        let config = &self.site.config;
        Base {
            site: SiteInfo {
                title: &config.title,
                description: &config.description,
                lang: &config.language,
                print: config.print,
            },
            labels: self.labels,
            root: page.href_to(&RelPath::new("")).trim_start_matches("./").to_string(),
            page_title: title.to_string(),
            description: description.to_string(),
            canonical: config.site_url.as_ref().map(|u| format!("{u}{}", page.as_str().trim_end_matches(HOME))),
            sidebar: self.sidebar(page, current),
            base_href: None,
            previews: String::new(),
        }
    }

    /// `base` for a page that shows link previews.
    fn with_previews(&self, base: Base<'a>) -> Base<'a> {
        Base { previews: previews::pointer(self.preview_buckets, &base.root), ..base }
    }

    fn link(&self, page: &RelPath, id: NoteId) -> NoteLink {
        let note = &self.site.notes[id];
        NoteLink {
            slug: note.slug.clone(),
            title: note.title().to_string(),
            summary: note.front.summary.trim().to_string(),
            href: page.href_to(&note_page(&note.slug)),
            gap: None,
            on_map: false,
        }
    }

    /// The links of a trail ([`crate::graph::Graph::trail`]): with a "…" after the root
    /// for the levels left out, leading to the nearest of them.
    fn trail_links(&self, page: &RelPath, trail: &Trail) -> Vec<NoteLink> {
        trail.entries(
            &self.site.graph,
            |&id| self.link(page, id),
            |hidden| NoteLink {
                title: ELLIPSIS.to_string(),
                gap: Some(self.elided(trail.elided, self.site.notes[hidden].title())),
                ..self.link(page, hidden)
            },
        )
    }

    /// The accessible name of a trail's "…": `n` levels left out, the nearest titled `title`.
    fn elided(&self, n: usize, title: &str) -> String {
        self.labels.elided.replace("{n}", &n.to_string()).replace("{title}", title)
    }

    fn links(&self, page: &RelPath, ids: &[NoteId]) -> Vec<NoteLink> {
        ids.iter().map(|&id| self.link(page, id)).collect()
    }

    fn render<T: Serialize>(
        &self,
        template: &str,
        ctx: &T,
        page: RelPath,
    ) -> Result<(RelPath, Vec<u8>), Vec<Diagnostic>> {
        let context = tera::Context::from_serialize(ctx)
            .map_err(|e| vec![Diagnostic::error(&page, format!("template context: {e}"))])?;
        match self.tera.render(template, &context) {
            Ok(html) => Ok((page, html.into_bytes())),
            Err(e) => {
                let (message, _) = tera_message(&e);
                let path = RelPath::new(&format!("templates/{template}"));
                Err(vec![Diagnostic::error(&path, format!("template error while writing {page}: {message}"))])
            }
        }
    }

    /// The body's HTML, links relative to `page`.
    fn body(
        &self,
        page: &RelPath,
        source: &RelPath,
        body: &str,
        headings: &[Heading],
        refs: &[Ref],
        current: Option<&str>,
    ) -> String {
        markdown::render(body, headings, &self.linker(page, source, refs, current))
    }

    /// The linker of a body written in `source` and shown on `page`. With auto-linking on,
    /// it leaves out the note itself (`current`) and the notes its body links to by hand.
    fn linker<'p>(
        &'p self,
        page: &'p RelPath,
        source: &'p RelPath,
        refs: &[Ref],
        current: Option<&str>,
    ) -> PageLinker<'p> {
        let auto = self.terms.as_ref().map(|terms| {
            let graph = &self.site.graph;
            let skip = refs
                .iter()
                .filter(|r| matches!(r.kind, RefKind::Wiki | RefKind::File))
                .filter_map(|r| graph.resolve(r.kind, &r.target)) // targets already from the note's folder
                .map(|id| self.site.notes[id].slug.clone())
                .chain(current.map(str::to_string))
                .collect();
            (terms, skip)
        });
        PageLinker { site: self.site, page, source, labels: self.labels, auto }
    }

    /// The body of note `id` as its page shows it.
    fn page_body(&self, id: NoteId) -> String {
        let note = &self.site.notes[id];
        self.body(&note_page(&note.slug), &note.path, note.body(), &note.headings, &note.refs, Some(&note.slug))
    }

    /// Note `id`'s page, and the list pages of its children, related notes and backlinks
    /// when they are many; and its section of the print page, made from the same body, when the site
    /// has one.
    fn note(&self, id: NoteId) -> (Vec<PageResult>, Option<PrintSection>) {
        let site = self.site;
        let g = &site.graph;
        let note = &site.notes[id];
        let page = note_page(&note.slug);
        let body = self.page_body(id);
        let section = site.config.print.then(|| (id, Packed::new(self.print_section(id, &body))));
        let children = &g.children[id];
        // Each neighbour once, in its strongest role: parent, child, related, backlink.
        let [parent, _, related, backlinks] = graphmap::roles(site, id, &g.backlinks[id]);
        let counts = [parent.len(), children.len(), related.len(), backlinks.len()];
        let drawn = graphmap::neighbourhood_shown(site, id, &backlinks);
        let chips = |ids: &[NoteId]| -> Vec<NoteLink> {
            ids.iter().map(|&n| NoteLink { on_map: drawn.contains(&n), ..self.link(&page, n) }).collect()
        };
        // A hub's related notes and backlinks: the first few here, all of them on its list
        // pages (`related` goes both ways: a note that many name is related to them all).
        let cap = |ids: &[NoteId]| ids.len().min(NOTE_LIST_CAP);
        let (related_links, backlink_links) = (chips(&related[..cap(&related)]), chips(&backlinks[..cap(&backlinks)]));
        let toc = if note.headings.len() >= 3 {
            note.headings
                .iter()
                .filter(|h| h.level <= 3)
                .map(|h| TocEntry { level: h.level, id: h.id.clone(), text: h.text.clone() })
                .collect()
        } else {
            Vec::new()
        };
        let ctx = NotePage {
            base: self.with_previews(self.base(&page, note.title(), note.front.summary.trim(), Some(id))),
            slug: &note.slug,
            title: note.title(),
            summary: note.front.summary.trim(),
            aliases: distinct_aliases(note.title(), &note.front.aliases),
            tags: note.front.tags.iter().map(|t| TagLink { name: t.clone(), href: self.tag_href(&page, t) }).collect(),
            body,
            toc,
            breadcrumbs: self.trail_links(&page, &g.trail(id)),
            children: self.links(&page, &children[..children.len().min(NOTE_LIST_CAP)]),
            children_more: {
                let (to, anchor) = self.children_list(id);
                self.more(&page, children.len(), NOTE_LIST_CAP, &to, anchor)
            },
            // A list shorter than its count (the rest on a list page) is never all on the
            // map: site.js then draws a `+N` box that leads to it, so it stays on the screen.
            related_on_map: related.len() <= NOTE_LIST_CAP && related_links.iter().all(|l| l.on_map),
            backlinks_on_map: backlinks.len() <= NOTE_LIST_CAP && backlink_links.iter().all(|l| l.on_map),
            related: related_links,
            backlinks: backlink_links,
            related_more: self.more(
                &page,
                related.len(),
                NOTE_LIST_CAP,
                &list_page(&bounded::related_stem(&note.slug), 0),
                "",
            ),
            backlinks_more: self.more(
                &page,
                backlinks.len(),
                NOTE_LIST_CAP,
                &list_page(&bounded::backlinks_stem(&note.slug), 0),
                "",
            ),
            prev: g.prev(id).map(|p| self.link(&page, p)),
            next: g.next(id).map(|n| self.link(&page, n)),
            neighbourhood: if counts == [0; 4] { String::new() } else { counts.map(|n| n.to_string()).join(" ") },
            map_href: self.plan.locate(site, &page, id),
            edit_url: site.config.edit_url_template.as_ref().map(|t| crate::config::edit_url(t, &note.path)),
        };
        let mut pages = vec![self.render("note.html", &ctx, page)];
        pages.extend(self.note_lists(id, &related, &backlinks));
        (pages, section)
    }

    fn home(&self) -> Result<(RelPath, Vec<u8>), Vec<Diagnostic>> {
        let site = self.site;
        let page = RelPath::new(HOME);
        let body = match &site.home {
            Some(h) => self.body(&page, &h.path, &h.source, &h.headings, &h.refs, None),
            None => Default::default(),
        };
        let all_roots = &site.graph.roots;
        let roots = all_roots.iter().take(LEVEL_CAP).map(|&id| {
            let children = &site.graph.children[id];
            let (to, anchor) = self.children_list(id);
            RootCard {
                link: self.link(&page, id),
                count: self.plan.size[id],
                children: self.links(&page, &children[..children.len().min(LEVEL_CAP)]),
                more: self.more(&page, children.len(), LEVEL_CAP, &to, anchor),
            }
        });
        let ctx = HomePage {
            base: self.with_previews(self.base(&page, &site.config.title, &site.config.description, None)),
            body,
            roots: roots.collect(),
            roots_more: self.more(&page, all_roots.len(), LEVEL_CAP, &self.roots_list(), ""),
            note_count: site.notes.len(),
            term_count: site.notes.iter().filter(|n| n.front.glossary).count(),
            tag_count: self.tag_keys.len(),
        };
        self.render("index.html", &ctx, page)
    }

    /// `glossary.html`; for a large site, also its parts (one per initial, or more for a
    /// long one) and the `glossary/where-<k>.js` files that lead `glossary.html#<slug>` there.
    fn glossary(&self) -> Vec<PageResult> {
        let index = RelPath::new(GLOSSARY);
        let groups = glossary::build(self.site);
        let parts = self.glossary_parts(&groups);
        let group = |page: &RelPath, g: &glossary::Group, range: std::ops::Range<usize>| GlossaryGroup {
            id: format!("letter-{}", if g.initial == "#" { "other".to_string() } else { g.initial.to_lowercase() }),
            initial: g.initial.clone(),
            entries: g.entries[range]
                .iter()
                .map(|e| GlossaryEntry {
                    link: self.link(page, e.id),
                    aliases: distinct_aliases(self.site.notes[e.id].title(), &self.site.notes[e.id].front.aliases),
                })
                .collect(),
        };
        let page_ctx = |page: &RelPath, groups: Vec<GlossaryGroup>, current: Option<usize>, where_buckets: usize| {
            let base = self.base(page, &self.labels.glossary, &self.labels.glossary_intro, None);
            // The split glossary's index holds no entries: its parts carry them.
            let json_ld = if groups.is_empty() { String::new() } else { defined_term_set(self.site, &base, &groups) };
            GlossaryPage {
                base,
                groups,
                json_ld,
                parts: parts
                    .iter()
                    .enumerate()
                    .map(|(k, p)| bounded::PageLink {
                        label: p.label.clone(),
                        href: page.href_to(&p.path),
                        current: Some(k) == current,
                    })
                    .collect(),
                parts_label: &self.words().glossary_parts,
                where_buckets,
            }
        };
        if parts.is_empty() {
            let all = groups.iter().map(|g| group(&index, g, 0..g.entries.len())).collect();
            return vec![self.render("glossary.html", &page_ctx(&index, all, None, 0), index)];
        }
        let (buckets, files) = self.glossary_where(&groups, &parts);
        let mut out = vec![self.render("glossary.html", &page_ctx(&index, Vec::new(), None, buckets), index)];
        out.extend(files.into_iter().map(Ok));
        for (k, p) in parts.iter().enumerate() {
            let groups = vec![group(&p.path, &groups[p.group], p.range.clone())];
            out.push(self.render("glossary.html", &page_ctx(&p.path, groups, Some(k), 0), p.path.clone()));
        }
        out
    }

    /// Map `m` of the concept map: `graph.html`, or `map/<slug>.html` for a folded subtree.
    fn map(&self, m: usize) -> Result<(RelPath, Vec<u8>), Vec<Diagnostic>> {
        let (site, plan, labels) = (self.site, &self.plan, self.labels);
        let page = plan.page(site, m);
        let folded = |n: usize| labels.map_folded.replace("{n}", &n.to_string());
        let more = |n: usize| self.words().more.replace("{n}", &n.to_string());
        let children_list = |id: NoteId| {
            let (to, anchor) = self.children_list(id);
            format!("{}{anchor}", page.href_to(&to))
        };
        let text =
            graphmap::MapText { folded_title: &folded, more: &more, children_list: &children_list, name: &labels.map };
        let svg = graphmap::map_svg(site, plan, m, &page, &text);
        let mut chain: Vec<MapLink> = plan
            .chain(m)
            .into_iter()
            .map(|c| MapLink {
                title: plan.maps[c].root.map_or(labels.map.as_str(), |r| site.notes[r].title()).to_string(),
                href: page.href_to(&plan.page(site, c)),
                gap: None,
            })
            .collect();
        // Bounded as a note's trail: the top map, "…" to the nearest map left out, the rest.
        if let Some(left_out) = elided_range(chain.len()) {
            let nearest = &chain[left_out.end - 1];
            let gap = MapLink {
                title: ELLIPSIS.to_string(),
                href: nearest.href.clone(),
                gap: Some(self.elided(left_out.len(), &nearest.title)),
            };
            chain.splice(left_out, [gap]);
        }
        let root = plan.maps[m].root;
        let tops = plan.parts();
        let parts: Vec<bounded::PageLink> = tops
            .iter()
            .enumerate()
            .map(|(k, &t)| bounded::PageLink {
                label: (k + 1).to_string(),
                href: page.href_to(&plan.page(site, t)),
                current: t == m,
            })
            .collect();
        let (heading, intro) = match root {
            None if !tops.is_empty() => {
                (format!("{} ({}/{})", labels.map, plan.maps[m].part + 1, tops.len()), labels.map_intro.to_string())
            }
            None => (labels.map.to_string(), labels.map_intro.to_string()),
            Some(r) => (
                format!("{} · {}", labels.map, site.notes[r].title()),
                labels.map_sub_intro.replace("{title}", site.notes[r].title()),
            ),
        };
        let ctx = MapPage {
            base: self.with_previews(self.base(&page, &heading, &intro, None)),
            heading,
            intro,
            chain,
            map_root: root.map(|r| self.link(&page, r)),
            folded: plan.maps[m].folded.len(),
            svg,
            parts,
        };
        self.render("graph.html", &ctx, page)
    }

    fn not_found(&self) -> Result<(RelPath, Vec<u8>), Vec<Diagnostic>> {
        let page = RelPath::new(NOT_FOUND);
        let mut base = self.base(&page, &self.labels.not_found, &self.labels.not_found_text, None);
        base.canonical = None;
        base.base_href = self.site.config.site_url.as_ref().map(|u| url_path(u));
        let inline_css = match base.base_href {
            Some(_) => String::new(),
            None => {
                String::from_utf8_lossy(self.assets.files.get(&RelPath::new("css/style.css")).map_or(&[][..], |v| v))
                    .into_owned()
            }
        };
        self.render("404.html", &NotFoundPage { base, inline_css }, page)
    }
}

/// The glossary as schema.org JSON-LD: a `DefinedTermSet` with one `DefinedTerm` per
/// entry. Every `<` is written `\u003c`, so no `</script>` (nor `<!--`) in a term ends the
/// script early.
fn defined_term_set(site: &Site, base: &Base, groups: &[GlossaryGroup]) -> String {
    let absolute = |href: &str| match &site.config.site_url {
        Some(url) => format!("{url}{href}"),
        None => href.to_string(),
    };
    let terms: Vec<serde_json::Value> = groups
        .iter()
        .flat_map(|g| &g.entries)
        .map(|e| {
            let mut term = serde_json::json!({
                "@type": "DefinedTerm",
                "name": e.link.title,
                "description": e.link.summary,
                // The note's own path: a part of a split glossary links up a folder.
                "url": match &site.config.site_url {
                    Some(_) => absolute(&format!("{}.html", e.link.slug)),
                    None => e.link.href.clone(),
                },
            });
            if !e.aliases.is_empty() {
                term["alternateName"] = serde_json::json!(e.aliases);
            }
            term
        })
        .collect();
    let mut set = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "name": format!("{} · {}", base.page_title, site.config.title),
        "inLanguage": site.config.language,
        "hasDefinedTerm": terms,
    });
    if let Some(url) = &base.canonical {
        set["url"] = serde_json::json!(url);
    }
    crate::html::script_json(&set)
}

/// The path part of a URL: `https://u.github.io/repo/` → `/repo/`.
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/".to_string(), |i| rest[i..].to_string())
}

/// How many bytes of `<url>` lines one sitemap file holds at most before the sitemap is
/// split: well inside the 1 MiB limit on output files (the protocol's own limit is 50 MB
/// and 50,000 URLs, which this stays under too).
const SITEMAP_BUDGET: usize = 768 * 1024;

/// `sitemap.xml`, listing every page but the 404 page. A large site gets `sitemap-1.xml`,
/// `sitemap-2.xml`, … and `sitemap.xml` is their index (the protocol's sitemap index).
fn sitemap(url: &str, pages: &[RelPath]) -> Vec<(RelPath, String)> {
    const HEAD: &str =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    const TAIL: &str = "</urlset>\n";
    let mut parts: Vec<String> = vec![String::new()];
    let mut count = 0;
    for path in pages.iter().filter(|p| p.as_str() != NOT_FOUND) {
        let loc = format!("{url}{}", path.as_str().trim_end_matches(HOME));
        let line = format!("  <url><loc>{}</loc></url>\n", escape(&loc));
        let last = parts.last_mut().expect("one part at least");
        if !last.is_empty() && (last.len() + line.len() > SITEMAP_BUDGET || count == 50_000) {
            parts.push(String::new());
            count = 0;
        }
        parts.last_mut().expect("one part at least").push_str(&line);
        count += 1;
    }
    if parts.len() == 1 {
        return vec![(RelPath::new("sitemap.xml"), format!("{HEAD}{}{TAIL}", parts[0]))];
    }
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut files = Vec::new();
    for (k, part) in parts.into_iter().enumerate() {
        let name = format!("sitemap-{}.xml", k + 1);
        index.push_str(&format!("  <sitemap><loc>{}</loc></sitemap>\n", escape(&format!("{url}{name}"))));
        files.push((RelPath::new(&name), format!("{HEAD}{part}{TAIL}")));
    }
    index.push_str("</sitemapindex>\n");
    files.push((RelPath::new("sitemap.xml"), index));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_sitemap_is_split_under_one_mebibyte_with_an_index() {
        let url = "https://someone.github.io/a-rather-long-repository-name/";
        let small: Vec<RelPath> = ["index.html", "404.html", "lora.html"].iter().map(|p| RelPath::new(p)).collect();
        let one = sitemap(url, &small);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0.as_str(), "sitemap.xml");
        assert!(one[0].1.contains("<loc>https://someone.github.io/a-rather-long-repository-name/</loc>"));
        assert!(!one[0].1.contains("404"));
        let pages: Vec<RelPath> = (0..30_000).map(|i| RelPath::new(&format!("concept-number-{i}.html"))).collect();
        let files = sitemap(url, &pages);
        assert!(files.len() > 2, "{}", files.len());
        let (index_path, index) = files.last().unwrap();
        assert_eq!(index_path.as_str(), "sitemap.xml");
        assert!(index.contains("<sitemapindex"));
        let mut listed = 0;
        for (k, (path, xml)) in files[..files.len() - 1].iter().enumerate() {
            assert_eq!(path.as_str(), format!("sitemap-{}.xml", k + 1));
            assert!(xml.len() < 1024 * 1024, "{path} is {} bytes", xml.len());
            assert!(index.contains(&format!("<loc>{url}{path}</loc>")));
            listed += xml.matches("<url>").count();
        }
        assert_eq!(listed, pages.len(), "every page once");
    }

    #[test]
    fn aliases_that_repeat_the_title_are_left_out() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            distinct_aliases("LoRA（低秩适配）", &v(&["LoRA", "低秩适配", "lora", "Low-Rank Adaptation"])),
            v(&["Low-Rank Adaptation"])
        );
        assert_eq!(distinct_aliases("RAG (Retrieval)", &v(&["rag", "retrieval", "检索增强"])), v(&["检索增强"]));
        assert_eq!(distinct_aliases("微调", &v(&["微调", "Fine-tuning", "fine-tuning"])), v(&["Fine-tuning"]));
        assert_eq!(distinct_aliases("DeepSpeed Chat", &v(&["DeepSpeed-Chat", "Deep Speed Chat", "DS"])), v(&["DS"]));
    }

    #[test]
    fn url_paths() {
        assert_eq!(url_path("https://u.github.io/repo/"), "/repo/");
        assert_eq!(url_path("https://example.com/"), "/");
    }
}
