//! Notes: one Markdown file each, TOML front matter between `+++` lines (or YAML between
//! `---` lines, see [`yaml`]), then a body.
//!
//! `parse` splits the front matter off, reads it into the raw [`FrontMatter`] (the keys as
//! the author wrote them, with spans), validates what can be validated inside one file
//! (required keys, slug syntax, one-line summary) and collects every outgoing reference
//! (`parent`, `related`, `[[wiki]]` links, relative `other.md#x` links) as a [`Ref`] with its
//! line and column. Resolving the references is the graph's job.

mod yaml;
use crate::config::{key_pos, toml_error};
use crate::error::{suggest, Diagnostic, Pos, Positions};
use crate::markdown;
use crate::names::{is_slug, short_slug, split_anchor, Heading, RefKind, MAX_SLUG};
use crate::paths::RelPath;
use crate::source::SourceFile;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

/// The front matter keys as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub summary: String,
    pub slug: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub parent: Option<Spanned<String>>,
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub order: Option<i64>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default = "default_true")]
    pub glossary: bool,
}

fn default_true() -> bool {
    true
}

pub const KEYS: &[&str] =
    &["title", "summary", "slug", "aliases", "parent", "related", "tags", "order", "draft", "glossary"];

/// A reference from a note to another note, where the author wrote it.
#[derive(Debug, Clone)]
pub struct Ref {
    pub target: String,
    pub anchor: Option<String>,
    pub pos: Pos,
    /// How many characters the reference spans from `pos` (the link, or the quoted slug).
    pub len: usize,
    pub kind: RefKind,
}

/// A parsed note: the raw front matter, the source, and what the body refers to.
#[derive(Debug, Clone)]
pub struct Note {
    pub slug: String,
    pub path: RelPath,
    pub front: FrontMatter,
    pub source: Arc<str>,
    /// Byte offset of the body in `source`.
    pub body_start: usize,
    pub refs: Vec<Ref>,
    pub headings: Vec<Heading>,
    /// The title and aliases as lookups compare them (`names::name_key`).
    pub title_key: String,
    pub alias_keys: Vec<String>,
    /// What is odd in the file but does not stop the build.
    pub warnings: Vec<Diagnostic>,
}

impl Note {
    pub fn body(&self) -> &str {
        &self.source[self.body_start..]
    }

    pub fn title(&self) -> &str {
        &self.front.title
    }

    /// How its front matter is written (a note always has front matter).
    pub fn fence(&self) -> Fence {
        if self.source.starts_with(Fence::Yaml.marker()) {
            Fence::Yaml
        } else {
            Fence::Toml
        }
    }
}

/// The home page body (`content/index.md`): Markdown with no front matter.
#[derive(Debug, Clone)]
pub struct Home {
    pub path: RelPath,
    pub source: Arc<str>,
    pub refs: Vec<Ref>,
    pub headings: Vec<Heading>,
}

pub use crate::names::HOME_FILE;

/// Every file parsed: the notes, the home page, drafts apart, and what failed.
#[derive(Debug, Default)]
pub struct Parsed {
    pub notes: Vec<Arc<Note>>,
    pub home: Option<Home>,
    pub drafts: Vec<Arc<Note>>,
    /// The notes that failed to parse: references to them are not reported again, since
    /// their own errors say what to fix.
    pub failed: FailedNotes,
    pub diagnostics: Vec<Diagnostic>,
}

/// What names the notes that failed: a reference by one of these names is left out, not
/// reported as naming no note (the author would fix the link rather than the note).
#[derive(Debug, Default)]
pub struct FailedNotes {
    /// Their file stems.
    pub stems: Vec<String>,
    /// Their titles, aliases and slugs as lookups compare them (`names::name_key`), when
    /// their front matter could be read.
    pub names: Vec<String>,
}

/// One file, parsed.
#[derive(Debug, Clone)]
pub enum ParsedFile {
    Note(Arc<Note>),
    Draft(Arc<Note>),
    Home(Home),
    /// `names`: see [`FailedNotes::names`].
    Failed {
        stem: String,
        names: Vec<String>,
        diagnostics: Vec<Diagnostic>,
    },
}

/// Parses one file of `content/`: the home page, a note, a draft, or what is wrong.
pub fn parse_file(file: SourceFile) -> ParsedFile {
    if file.path.as_str() == HOME_FILE {
        return match parse_home(file) {
            Ok(h) => ParsedFile::Home(h),
            Err(diagnostics) => ParsedFile::Failed { stem: String::new(), names: Vec::new(), diagnostics },
        };
    }
    let stem = file.path.file_stem().to_string();
    match parse_named(file) {
        Ok(n) if n.front.draft => ParsedFile::Draft(Arc::new(n)),
        Ok(n) => ParsedFile::Note(Arc::new(n)),
        Err(Failure { diagnostics, names }) => ParsedFile::Failed { stem, names, diagnostics },
    }
}

/// Sorts parsed files into notes, drafts, the home page and failures, keeping their order.
pub fn assemble(files: impl IntoIterator<Item = ParsedFile>) -> Parsed {
    let mut parsed = Parsed::default();
    for file in files {
        match file {
            ParsedFile::Note(n) => {
                parsed.diagnostics.extend(n.warnings.iter().cloned());
                parsed.notes.push(n)
            }
            ParsedFile::Draft(n) => parsed.drafts.push(n),
            ParsedFile::Home(h) => parsed.home = Some(h),
            ParsedFile::Failed { stem, names, diagnostics } => {
                if !stem.is_empty() {
                    parsed.failed.stems.push(stem);
                }
                parsed.failed.names.extend(names);
                parsed.diagnostics.extend(diagnostics);
            }
        }
    }
    parsed
}

fn parse_home(file: SourceFile) -> Result<Home, Vec<Diagnostic>> {
    // A home page may open with a thematic break (`---`); a closed `---` block is front matter.
    if let Some(split) = split_front_matter(&file.text).filter(|s| matches!(s, Ok(_) | Err((Fence::Toml, _)))) {
        let fence = split.map_or_else(|(f, _)| f, |s| s.fence).marker();
        return Err(vec![Diagnostic::error(&file.path, "the home page takes no front matter")
            .at(Pos { line: 1, column: 1 })
            .help(format!("content/index.md is the body of the home page: remove the {fence} block (the site title comes from book.toml)"))]);
    }
    let (file, shifts) = uncommented(file, 0);
    let scan = markdown::scan(&file.text);
    if !scan.math_errors.is_empty() {
        let mut diags = math_diagnostics(&file.path, &file.text, 0, scan.math_errors);
        shifts.restore_all(&mut [], &mut diags);
        return Err(diags);
    }
    let mut refs = body_refs(&file.text, 0, &file.path, scan.refs);
    shifts.restore_all(&mut refs, &mut []);
    Ok(Home { path: file.path, refs, headings: scan.headings, source: file.text.into() })
}

/// The tags as they are shown: Obsidian writes `#ai` where others write `ai`, and they are
/// one tag; each once, in the order written.
fn tag_names(tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for t in tags {
        let name = bare_tag(&t);
        let name = if name.is_empty() { t } else { name.to_string() };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// A tag without its `#` and the spaces around: empty for a tag that is nothing else.
fn bare_tag(tag: &str) -> &str {
    tag.trim().trim_start_matches('#').trim()
}

/// The file with its body's `%%comments%%` taken out ([`markdown::without_comments`]), and
/// where, for [`Shifts::restore`].
fn uncommented(file: SourceFile, body_start: usize) -> (SourceFile, Shifts) {
    match markdown::without_comments(&file.text[body_start..]) {
        Some((body, cuts)) => {
            let text = format!("{}{body}", &file.text[..body_start]);
            let mut positions = Positions::new(&text);
            let shifts = cuts.iter().map(|c| (positions.at(body_start + c.at), c.chars)).collect();
            (SourceFile { text, path: file.path }, Shifts(shifts))
        }
        None => (file, Shifts(Vec::new())),
    }
}

/// Where comments were taken out of a line: the position (in the text without them) of
/// what followed each, and how many characters of that line it lacks there.
struct Shifts(Vec<(Pos, usize)>);

impl Shifts {
    /// A position in the text without comments, as the author sees it in the file: the same
    /// line (a comment keeps its line breaks), the column moved right past the comments
    /// taken out before it on that line.
    fn restore(&self, pos: Pos) -> Pos {
        // In the order of the text: those of this line start where the earlier lines' end.
        let first = self.0.partition_point(|(p, _)| p.line < pos.line);
        let shift: usize = self.0[first..]
            .iter()
            .take_while(|(p, _)| p.line == pos.line && p.column <= pos.column)
            .map(|(_, n)| n)
            .sum();
        Pos { line: pos.line, column: pos.column + shift }
    }

    fn restore_all(&self, refs: &mut [Ref], diags: &mut [Diagnostic]) {
        if self.0.is_empty() {
            return;
        }
        for r in refs {
            r.pos = self.restore(r.pos);
        }
        for d in diags.iter_mut().filter(|d| d.line > 0 && d.column > 0) {
            let p = self.restore(Pos { line: d.line, column: d.column });
            d.column = p.column;
        }
    }
}

/// How the front matter is written: TOML between `+++` lines or YAML between `---` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fence {
    Toml,
    Yaml,
}

impl Fence {
    pub fn marker(self) -> &'static str {
        match self {
            Fence::Toml => "+++",
            Fence::Yaml => "---",
        }
    }

    /// A front-matter line setting `key` to the string `value`, as this fence writes it
    /// (`slug = "x"` or `slug: x`): what a help tells the author to write.
    pub fn set(self, key: &str, value: &str) -> String {
        match self {
            Fence::Toml => format!("{key} = \"{value}\""),
            Fence::Yaml => format!("{key}: {value}"),
        }
    }
}

/// Where the front matter and body are, as byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub fence: Fence,
    /// The first byte of the front matter (after the opening fence's line).
    pub start: usize,
    /// The end of the front matter (the start of the closing fence's line).
    pub end: usize,
    pub body_start: usize,
}

/// Where the front matter and body are. `None` when the file does not open with a `+++`
/// or `---` line; `Err((fence, line_end))` when the block is never closed.
pub fn split_front_matter(text: &str) -> Option<Result<Split, (Fence, usize)>> {
    let first_end = text.find('\n').unwrap_or(text.len());
    let fence = match text[..first_end].trim_end() {
        "+++" => Fence::Toml,
        "---" => Fence::Yaml,
        _ => return None,
    };
    let start = (first_end + 1).min(text.len());
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end() == fence.marker() {
            return Some(Ok(Split { fence, start, end: offset, body_start: offset + line.len() }));
        }
        offset += line.len();
    }
    Some(Err((fence, first_end)))
}

/// Parses one note file: split off the front matter, read it, validate it, then collect
/// the references of front matter and body.
pub fn parse(file: SourceFile) -> Result<Note, Vec<Diagnostic>> {
    parse_named(file).map_err(|f| f.diagnostics)
}

/// Why a note failed, and the names it would have had (see [`FailedNotes::names`]).
struct Failure {
    diagnostics: Vec<Diagnostic>,
    names: Vec<String>,
}

/// Front matter that did not read cleanly: its problems, and what could be read of it
/// (unknown keys left out, a missing `title` or `summary` empty), so that the note's other
/// problems (its slug, an empty alias) are reported in the same round, not one at a time.
struct Unread {
    /// Boxed: the error is passed up through several returns, the front matter is large.
    front: Option<Box<FrontMatter>>,
    /// The required keys that are missing (already reported: not reported again as empty).
    missing: Vec<&'static str>,
    diagnostics: Vec<Diagnostic>,
}

impl Unread {
    fn unreadable(diagnostics: Vec<Diagnostic>) -> Unread {
        Unread { front: None, missing: Vec::new(), diagnostics }
    }
}

/// [`parse`], with the names of a note that fails once its front matter is read.
fn parse_named(file: SourceFile) -> Result<Note, Failure> {
    let split = split(&file).map_err(|diagnostics| Failure { diagnostics, names: Vec::new() })?;
    let (file, shifts) = uncommented(file, split.body_start);
    let (mut front, mut diags, missing) = match front_matter(&file, &split) {
        Ok(front) => (front, Vec::new(), Vec::new()),
        Err(Unread { front: Some(front), missing, diagnostics }) => (*front, diagnostics, missing),
        Err(Unread { front: None, diagnostics, .. }) => return Err(Failure { diagnostics, names: Vec::new() }),
    };
    front.tags = tag_names(std::mem::take(&mut front.tags));
    let slug = front.slug.clone().unwrap_or_else(|| file.path.file_stem().to_string());
    diags.extend(validate(&file, &split, &front, &slug, &missing));
    let failed = |diagnostics| {
        let names = [front.title.as_str(), &slug].into_iter().chain(front.aliases.iter().map(String::as_str));
        let names = names.filter(|n| !n.trim().is_empty()).map(crate::names::name_key).collect();
        Failure { diagnostics, names }
    };
    if !diags.is_empty() {
        return Err(failed(diags));
    }
    let (mut refs, headings, mut warnings) = references(&file, &split, &front).map_err(|mut diags| {
        shifts.restore_all(&mut [], &mut diags);
        failed(diags)
    })?;
    shifts.restore_all(&mut refs, &mut warnings);
    // `[[#Setup]]`, Obsidian's link to a heading of the same note.
    for r in refs.iter_mut().filter(|r| r.kind == RefKind::Wiki && r.target.is_empty() && r.anchor.is_some()) {
        r.target = slug.clone();
    }
    if crate::names::is_windows_device(&slug) {
        let at = slug_key(&file, &split, &front).unwrap_or(Pos { line: 1, column: 1 });
        warnings.push(
            Diagnostic::warning(
                &file.path,
                format!("the page `{slug}.html` cannot be written or checked out on Windows"),
            )
            .at(at)
            .help(format!(
                "`{slug}` is a device name there: if the site is built or cloned on Windows, set `{}`",
                split.fence.set("slug", &format!("{slug}-note"))
            )),
        );
    }
    let title_key = crate::names::name_key(&front.title);
    let alias_keys = front.aliases.iter().map(|a| crate::names::name_key(a)).collect();
    Ok(Note {
        slug,
        path: file.path,
        front,
        body_start: split.body_start,
        refs,
        headings,
        source: file.text.into(),
        title_key,
        alias_keys,
        warnings,
    })
}

/// Where the front matter and the body are, or why the file has no usable front matter.
fn split(file: &SourceFile) -> Result<Split, Vec<Diagnostic>> {
    let (path, text) = (&file.path, &file.text);
    match split_front_matter(text) {
        Some(Ok(s)) => Ok(s),
        Some(Err((fence, _))) => Err(vec![Diagnostic::error(path, "front matter is not closed")
            .at(Pos { line: 1, column: 1 })
            .help(format!("end the front matter with a line holding only {}", fence.marker()))]),
        None if !logseq_properties(text).is_empty() => Err(vec![logseq_page(path, text)]),
        None => {
            let what = if text.trim().is_empty() { "the file is empty" } else { "missing front matter" };
            Err(vec![Diagnostic::error(path, format!("{what}: a note starts with a +++ (TOML) or --- (YAML) block"))
                .at(Pos { line: 1, column: 1 })
                .help("begin the file with:\n  +++\n  title = \"...\"\n  summary = \"...\"\n  +++\nor with:\n  ---\n  title: ...\n  summary: ...\n  ---")])
        }
    }
}

/// The `key:: value` lines a Logseq page opens with (its properties), as (key, value).
fn logseq_properties(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map_while(|line| {
            let (key, value) = line.split_once("::")?;
            let key = key.trim();
            let word = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
            word.then(|| (key, value.trim()))
        })
        .collect()
}

/// A Logseq page: properties where a note has its front matter. The help writes the block
/// from the page's own `title::` and `summary::` (or `description::`) lines.
fn logseq_page(path: &RelPath, text: &str) -> Diagnostic {
    let props = logseq_properties(text);
    let value = |keys: &[&str]| {
        props.iter().find(|(k, v)| keys.contains(&k.to_lowercase().as_str()) && !v.is_empty()).map_or("...", |p| p.1)
    };
    // A value YAML would read as something else (`a: b`, `[x]`, `#x`) goes in quotes.
    let yaml = |v: &str| {
        let plain =
            !v.contains(": ") && !v.contains(" #") && !v.starts_with(|c: char| "[]{}&*!|>'\"%@`#,?:-".contains(c));
        if plain || v == "..." {
            v.to_string()
        } else {
            serde_json::to_string(v).unwrap_or_default()
        }
    };
    let (title, summary) = (yaml(value(&["title"])), yaml(value(&["summary", "description"])));
    Diagnostic::error(path, "missing front matter: these `key:: value` lines are Logseq page properties")
        .at(Pos { line: 1, column: 1 })
        .help(format!(
            "a note starts with a front matter block: replace the property lines with\n  ---\n  title: {title}\n  summary: {summary}\n  ---"
        ))
}

/// A position inside the front matter block, moved to file coordinates.
fn shift(text: &str, split: &Split, p: Pos) -> Pos {
    Pos { line: p.line + text[..split.start].matches('\n').count(), column: p.column }
}

/// The front matter read as TOML or YAML into the raw [`FrontMatter`]; problems at their
/// place in the file.
fn front_matter(file: &SourceFile, split: &Split) -> Result<FrontMatter, Unread> {
    let (path, text) = (&file.path, &file.text);
    let fm_text = &text[split.start..split.end];
    let front = match split.fence {
        Fence::Toml => parse_front(path, fm_text),
        Fence::Yaml => yaml::parse(path, fm_text),
    };
    front.map_err(|mut unread| {
        for d in &mut unread.diagnostics {
            let p = if d.line > 0 {
                shift(text, split, Pos { line: d.line, column: d.column })
            } else {
                Pos { line: 1, column: 1 }
            };
            d.line = p.line;
            d.column = p.column;
        }
        unread
    })
}

/// Where the front matter's `slug =` line is, in file coordinates, when it has one (else
/// the slug is the file's name).
fn slug_key(file: &SourceFile, split: &Split, front: &FrontMatter) -> Option<Pos> {
    front.slug.is_some().then(|| shift(&file.text, split, key_pos(&file.text[split.start..split.end], "slug")))
}

/// What can be checked inside one file: the slug's form, reserved page names, a title, a
/// one-line summary, no empty alias. The `missing` required keys are reported already.
fn validate(file: &SourceFile, split: &Split, front: &FrontMatter, slug: &str, missing: &[&str]) -> Vec<Diagnostic> {
    let (path, text) = (&file.path, &file.text);
    let fm_text = &text[split.start..split.end];
    // A key's whole `key = value` line, in file coordinates.
    let line_of = |key: &str| {
        let pos = shift(text, split, key_pos(fm_text, key));
        (pos, pos.rest_of_line(text))
    };
    let mut diags = Vec::new();
    if slug.len() > MAX_SLUG {
        let at = slug_key(file, split, front);
        diags.push(long_slug(path, text, slug, at, split.fence));
    } else if !is_slug(slug) {
        let (pos, help) = if front.slug.is_some() {
            (
                shift(text, split, key_pos(fm_text, "slug")),
                "a slug is lower-case ASCII letters and digits joined by single hyphens, e.g. `p-tuning-v2`"
                    .to_string(),
            )
        } else {
            (Pos { line: 1, column: 1 }, rename_help(path, split.fence))
        };
        let span = if front.slug.is_some() { pos.rest_of_line(text) } else { 0 };
        diags.push(Diagnostic::error(path, format!("`{slug}` is not a valid slug")).at(pos).spanning(span).help(help));
    }
    if is_reserved(slug) {
        let at = slug_key(file, split, front);
        diags.push(reserved_slug(path, text, slug, at, split.fence));
    }
    let mut problem = |key: &str, message: &str, help: &str| {
        let (pos, span) = line_of(key);
        diags.push(Diagnostic::error(path, message).at(pos).spanning(span).help(help));
    };
    if front.title.trim().is_empty() && !missing.contains(&"title") {
        problem(
            "title",
            "`title` is empty",
            "write the term this note explains: it is the page title and the glossary entry",
        );
    }
    let summary = front.summary.trim();
    if summary.is_empty() {
        if !missing.contains(&"summary") {
            problem(
                "summary",
                "`summary` is empty",
                "write one sentence: it is the glossary definition, the search snippet and the meta description",
            );
        }
    } else if summary.contains('\n') {
        problem("summary", "`summary` must be one line", "keep the summary to one sentence; put the rest in the body");
    }
    for alias in &front.aliases {
        if alias.trim().is_empty() {
            problem("aliases", "an alias is empty", "remove the empty string from `aliases`");
        }
    }
    // `#` alone, or nothing: a nameless tag, shown as `##` with a page of its own.
    if front.tags.iter().any(|t| bare_tag(t).is_empty()) {
        problem("tags", "a tag is empty", "remove the empty tag (or the lone `#`) from `tags`");
    }
    for (key, message, help) in limits(front) {
        problem(key, &message, help);
    }
    diags
}

/// The most characters of a title, and of an alias: a name is repeated wherever the note
/// is named (breadcrumbs, sidebars, lists, maps, search hits, previews).
pub const MAX_TITLE: usize = 200;
/// The most characters of a summary, shown under the note's name in lists, previews and
/// the glossary.
pub const MAX_SUMMARY: usize = 2_000;
/// The most aliases and tags of one note, each listed on its page.
pub const MAX_NAMES: usize = 100;

/// What a note's front matter holds beyond the limits that keep every page that names it
/// bounded: a 20,000-character title made each of its children's pages 60 KB longer, and
/// 40 summaries of 30,000 characters a 3 MB page (their parent's) and a 3.6 MB preview
/// file. As (key, message, help).
fn limits(front: &FrontMatter) -> Vec<(&'static str, String, &'static str)> {
    let long = |what: &str, text: &str, max: usize| {
        let n = text.chars().count();
        (n > max).then(|| {
            let start: String = text.chars().take(20).collect();
            format!("{what} `{start}…` is {n} characters long; at most {max} are allowed")
        })
    };
    let mut out = Vec::new();
    if let Some(m) = long("the title", front.title.trim(), MAX_TITLE) {
        out.push((
            "title",
            m,
            "a title is repeated wherever the note is named: shorten it, and say the rest in the summary or the body",
        ));
    }
    if let Some(m) = long("the summary", front.summary.trim(), MAX_SUMMARY) {
        out.push((
            "summary",
            m,
            "the summary is one sentence shown in lists, previews and the glossary: move the rest into the body",
        ));
    }
    if let Some(m) = front.aliases.iter().find_map(|a| long("an alias", a.trim(), MAX_TITLE)) {
        out.push(("aliases", m, "an alias is another name for the note: shorten it"));
    }
    if let Some(m) = front.tags.iter().find_map(|t| long("a tag", t.trim(), MAX_TITLE)) {
        out.push(("tags", m, "a tag is a short label: shorten it"));
    }
    for (key, n) in [("aliases", front.aliases.len()), ("tags", front.tags.len())] {
        if n > MAX_NAMES {
            let help =
                "each is listed on the note's page: keep the ones readers look for, and name the others in the body";
            out.push((key, format!("`{key}` lists {n} entries; at most {MAX_NAMES} are allowed"), help));
        }
    }
    out
}

/// A note's references, its body's headings and the warnings its body raised.
type References = (Vec<Ref>, Vec<Heading>, Vec<Diagnostic>);

/// The references of the front matter (`parent`, `related`) and the body (links), with
/// the body's headings; a formula that does not parse is an error at its place, raw HTML
/// with too many tags a warning.
fn references(file: &SourceFile, split: &Split, front: &FrontMatter) -> Result<References, Vec<Diagnostic>> {
    let (path, text) = (&file.path, &file.text);
    let mut refs = Vec::new();
    if let Some(p) = &front.parent {
        refs.push(span_ref(text, split.start, p, RefKind::Parent));
    }
    for r in &front.related {
        refs.push(span_ref(text, split.start, r, RefKind::Related));
    }
    let scan = markdown::scan(&text[split.body_start..]);
    if !scan.math_errors.is_empty() {
        return Err(math_diagnostics(path, text, split.body_start, scan.math_errors));
    }
    refs.extend(body_refs(text, split.body_start, path, scan.refs));
    let mut warnings: Vec<Diagnostic> =
        scan.html_over.map(|at| html_warning(path, text, split.body_start + at)).into_iter().collect();
    let mut positions = Positions::new(text);
    for (at, url) in scan.rooted {
        warnings.push(
            Diagnostic::warning(path, format!("the link `{url}` starts at the server's root"))
                .at(positions.at(split.body_start + at))
                .help("it misses the site when it is published below a folder (a GitHub Pages project site, user.github.io/repo/) or opened from disk: link a note as [[slug]] or other.md, a file by its path from this note, or write the whole URL (https://…)"),
        );
    }
    Ok((refs, scan.headings, warnings))
}

fn html_warning(path: &RelPath, text: &str, at: usize) -> Diagnostic {
    Diagnostic::warning(
        path,
        format!(
            "the raw HTML of this note holds more than {} tags, so all of it is shown as text",
            markdown::MAX_HTML_TAGS
        ),
    )
    .at(Positions::new(text).at(at))
    .help("split the note, or write this part in Markdown: so many tags would slow the HTML sanitizer down")
}

fn math_diagnostics(
    path: &RelPath,
    text: &str,
    body_start: usize,
    errors: Vec<(std::ops::Range<usize>, String)>,
) -> Vec<Diagnostic> {
    let mut positions = Positions::new(text);
    errors
        .into_iter()
        .map(|(range, message)| {
            // The formula, up to the end of its first line.
            let formula = text.get(body_start + range.start..body_start + range.end).unwrap_or("");
            Diagnostic::error(path, message)
                .at(positions.at(body_start + range.start))
                .spanning(formula.split('\n').next().unwrap_or("").chars().count())
                .help("check the LaTeX between the $ signs; write \\$ for a literal dollar sign")
        })
        .collect()
}

/// Body references with file positions; `other.md` paths made relative to the root.
fn body_refs(text: &str, body_start: usize, path: &RelPath, refs: Vec<markdown::BodyRef>) -> Vec<Ref> {
    let mut positions = Positions::new(text);
    refs.into_iter()
        .map(|r| Ref {
            target: if r.kind == RefKind::File { path.parent().join(&r.target).to_string() } else { r.target },
            anchor: r.anchor,
            pos: positions.at(body_start + r.offset),
            len: r.len,
            kind: r.kind,
        })
        .collect()
}

fn span_ref(text: &str, toml_start: usize, s: &Spanned<String>, kind: RefKind) -> Ref {
    // The span covers the string as written; point at its first character, past a quote.
    let start = toml_start + s.span().start;
    let start = if text[start..].starts_with(['"', '\'']) { start + 1 } else { start };
    // Obsidian's Properties write a picked note as a link, `parent: "[[Machine Learning]]"`
    // or `"[[ml|ML]]"`: the link's target is the name.
    let written = s.get_ref().trim();
    let name = match written.strip_prefix("[[").and_then(|w| w.strip_suffix("]]")) {
        Some(inner) => inner.split('|').next().unwrap_or(inner),
        None => written,
    };
    let (target, anchor) = split_anchor(name);
    Ref { target, anchor, pos: Pos::of_offset(text, start), len: s.get_ref().chars().count(), kind }
}

fn parse_front(path: &RelPath, fm: &str) -> Result<FrontMatter, Unread> {
    let mut table: toml::Table = toml::from_str(fm).map_err(|e| Unread::unreadable(vec![toml_error(path, fm, &e)]))?;
    let mut diags = Vec::new();
    for key in table.keys() {
        if !KEYS.contains(&key.as_str()) {
            diags.push(
                Diagnostic::error(path, format!("unknown front matter key `{key}`"))
                    .at(key_pos(fm, key))
                    .spanning(key.chars().count())
                    .help(unknown_key_help(key)),
            );
        }
    }
    let mut missing = Vec::new();
    for key in ["title", "summary"] {
        if !table.contains_key(key) {
            missing.push(key);
            diags.push(
                Diagnostic::error(path, format!("missing required key `{key}`"))
                    .help(format!("add `{key} = \"...\"` to the front matter")),
            );
        }
    }
    if diags.is_empty() {
        return toml::from_str(fm).map_err(|e| Unread::unreadable(vec![toml_error(path, fm, &e)]));
    }
    // The rest, read again without the unknown keys and with the missing ones empty. Its
    // spans are those of the text written here, not of the file: they are never shown,
    // since this note fails whatever else is found.
    table.retain(|key, _| KEYS.contains(&key));
    for key in &missing {
        table.insert(key.to_string(), toml::Value::String(String::new()));
    }
    let front = toml::to_string(&table).ok().and_then(|rest| toml::from_str(&rest).ok()).map(Box::new);
    Err(Unread { front, missing, diagnostics: diags })
}

/// Keys other tools write (Hugo, Zola, Jekyll, Obsidian, Notion) for what conceptbook has
/// a key of its own.
const FOREIGN_RENAMED: &[(&str, &str)] = &[
    ("description", "summary"),
    ("desc", "summary"),
    ("excerpt", "summary"),
    ("weight", "order"),
    ("categories", "tags"),
    ("keywords", "tags"),
];

/// Keys other tools write for what conceptbook does not do: dates, authors, layouts.
const FOREIGN_DROPPED: &[&str] = &[
    "date",
    "created",
    "updated",
    "lastmod",
    "modified",
    "author",
    "authors",
    "layout",
    "permalink",
    "cssclass",
    "cssclasses",
    "publish",
    "id",
];

/// The help for an unknown front matter key: what conceptbook calls a key other tools
/// write, else a known key a typo or two away, else the known keys. A key is suggested
/// only when the edits are few for its length (`realted` → `related`, 1 of 7) or it is a
/// part of the key (`alias` → `aliases`): `created` is 2 edits from `related`, and means
/// something else.
fn unknown_key_help(key: &str) -> String {
    let lower = key.to_lowercase();
    if let Some((_, ours)) = FOREIGN_RENAMED.iter().find(|(theirs, _)| *theirs == lower) {
        return format!("conceptbook calls it `{ours}`: rename the key");
    }
    if FOREIGN_DROPPED.contains(&lower.as_str()) {
        let also = if lower == "publish" { " (`draft` keeps a note off the site)" } else { "" };
        return format!("conceptbook has no `{key}` key: remove the line{also}");
    }
    let close = suggest(key, KEYS.iter().copied()).filter(|k| {
        let edits = strsim::osa_distance(&lower, k);
        edits <= 1 || 4 * edits <= lower.chars().count() || (lower.len() >= 3 && k.contains(lower.as_str()))
    });
    match close {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("known keys: {}", KEYS.join(", ")),
    }
}

/// The names of the pages conceptbook generates: a note with one of these slugs would be
/// hidden behind the generated page (`glossary.html`, `404.html`…).
pub const RESERVED_SLUGS: &[&str] = &["index", "glossary", "tags", "graph", "404", "print", "search", "map", "sitemap"];

/// Whether a slug names a generated page: one of [`RESERVED_SLUGS`], or a part of a split
/// print page (`print-2`, `print-3`, …).
pub fn is_reserved(slug: &str) -> bool {
    RESERVED_SLUGS.contains(&slug) || slug.strip_prefix("print-").is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

/// A slug too long to name a file: at its `slug =` line, or at the top of the file when the
/// slug is the file's name. The message shows its start, not all of it.
fn long_slug(path: &RelPath, text: &str, slug: &str, slug_key: Option<Pos>, fence: Fence) -> Diagnostic {
    let start: String = slug.chars().take(40).collect();
    let message = format!("the slug `{start}…` is {} bytes long; a slug may be at most {MAX_SLUG}", slug.len());
    let short = short_slug(slug);
    let why = "it names the note's pages, and a file name may be at most 255 bytes";
    match slug_key {
        Some(pos) => Diagnostic::error(path, message)
            .at(pos)
            .spanning(pos.rest_of_line(text))
            .help(format!("{why}: shorten it, e.g. `{}`", fence.set("slug", &short))),
        None => Diagnostic::error(path, message)
            .at(Pos { line: 1, column: 1 })
            .help(format!("{why}: rename the file to `{short}.md` or set `{}`", fence.set("slug", &short))),
    }
}

/// A note whose slug names a generated page: at its `slug =` line, or at the top of the
/// file when the slug comes from the file's name.
fn reserved_slug(path: &RelPath, text: &str, slug: &str, slug_key: Option<Pos>, fence: Fence) -> Diagnostic {
    let message = format!("the slug `{slug}` is reserved for conceptbook's own {slug} page");
    match slug_key {
        Some(pos) => Diagnostic::error(path, message)
            .at(pos)
            .spanning(pos.rest_of_line(text))
            .help(format!("choose another slug, e.g. `{}`", fence.set("slug", &format!("{slug}-note")))),
        None => Diagnostic::error(path, message).at(Pos { line: 1, column: 1 }).help(format!(
            "{}; reserved: {}, print-2, print-3, …",
            rename_help(path, fence),
            RESERVED_SLUGS.join(", ")
        )),
    }
}

/// The help for a note whose file name is no slug it can have: the slug to take, and how.
fn rename_help(path: &RelPath, fence: Fence) -> String {
    let slug = suggested_slug(path);
    let set = fence.set("slug", &slug);
    match folder_slug(path) {
        Some(_) => format!(
            "`{}.md` is named alike in every folder: set `{set}` (the folder's name) in its front matter",
            path.file_stem()
        ),
        None => format!("rename the file to `{slug}.md` or set `{set}`"),
    }
}

/// The stems tools give a folder's own page: Hugo's and Zola's `index.md` and `_index.md`,
/// mdBook's and GitHub's `README.md`. Their slug would be the same in every folder.
const FOLDER_PAGES: &[&str] = &["index", "_index", "readme"];

/// The slug of a folder's own page (`content/about/index.md` → `about`): its folder's name.
/// `None` for any other file, and for one right in `content/`.
fn folder_slug(path: &RelPath) -> Option<String> {
    if !FOLDER_PAGES.contains(&path.file_stem().to_lowercase().as_str()) {
        return None;
    }
    let folder = path.parent();
    let (rest, name) = folder.as_str().rsplit_once('/')?;
    // `content/x.md` has the folder `content`, whose name says nothing of the note.
    (!rest.is_empty()).then(|| short_slug(name))
}

/// The slug a help suggests for a note named by its file: the folder's name for a folder's
/// own page, else the file's name made a slug; never a reserved one (`Glossary.md` →
/// `glossary-note`), so that following the help does not lead to the next error.
pub fn suggested_slug(path: &RelPath) -> String {
    let slug = folder_slug(path).unwrap_or_else(|| short_slug(path.file_stem()));
    if is_reserved(&slug) {
        format!("{slug}-note")
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile { path: RelPath::new(path), text: text.to_string() }
    }

    #[test]
    fn slugs() {
        for ok in ["lora", "p-tuning-v2", "gpt4all", "a1"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "LoRA", "p--tuning", "-a", "a-", "a_b", "微调"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn parses_front_matter_and_refs() {
        let n = parse(file(
            "content/t/lora.md",
            "+++\ntitle = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"\nrelated = [\"x\"]\n+++\n\nSee [[peft|PEFT]] and [q](../q.md#a).\n",
        ))
        .unwrap();
        assert_eq!(n.slug, "lora");
        let r: Vec<_> = n.refs.iter().map(|r| (r.target.as_str(), r.kind, r.pos.line, r.pos.column)).collect();
        assert_eq!(
            r,
            vec![
                ("peft", RefKind::Parent, 4, 11),
                ("x", RefKind::Related, 5, 13),
                ("peft", RefKind::Wiki, 8, 5),
                ("content/q.md", RefKind::File, 8, 23),
            ]
        );
    }

    #[test]
    fn unknown_key_is_located() {
        let e = parse(file("content/a.md", "+++\ntitle = \"A\"\nsummary = \"s\"\nrealted = []\n+++\n")).unwrap_err();
        assert_eq!((e[0].line, e[0].column), (4, 1));
        assert_eq!(e[0].help.as_deref(), Some("did you mean `related`?"));
    }

    #[test]
    fn bad_toml_is_located() {
        let e = parse(file("content/a.md", "+++\ntitle = \"A\nsummary = \"s\"\n+++\n")).unwrap_err();
        assert_eq!(e[0].line, 2, "{}", e[0]);
    }

    #[test]
    fn missing_front_matter() {
        let e = parse(file("content/a.md", "")).unwrap_err();
        assert!(e[0].message.contains("empty"));
        let e = parse(file("content/a.md", "+++\ntitle = \"A\"\n")).unwrap_err();
        assert!(e[0].message.contains("not closed"));
    }

    #[test]
    fn tolerates_spaces_after_fences() {
        let n = parse(file("content/a.md", "+++  \ntitle = \"A\"\nsummary = \"s\"\n+++ \nbody")).unwrap();
        assert_eq!(n.body(), "body");
    }
}
