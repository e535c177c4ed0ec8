//! The build, top to bottom: each stage a function from values to values.
//!
//! ```text
//! configure  book.toml                     -> Config            (config::load)
//! read       content/**/*.md, attachments  -> Read              (source::read_all)
//! parse      each file                     -> Files             (note::parse_file)
//! theme      templates/, static/           -> Theme             (assets::load, render::compile)
//! link       resolve every reference       -> Site              (graph::link)
//! render     pages, glossary, maps, search -> into a Sink       (render::site_into)
//! write      staging folder, then swap     -> Written           (output::Staging)
//! ```
//!
//! Every command enters here, never a stage directly:
//! - `build` ([`publish`]) runs every stage; render and write overlap: each page goes to
//!   the staging folder as soon as it is rendered ([`output::Staging`]), so a large site
//!   never sits in memory whole, and the folder is swapped in once everything is written;
//! - `check` ([`check`]) is the same pipeline without the write: rendering included, so a
//!   template or formula error is found too, and the pages are dropped as they are made;
//! - `serve` drives the same stage functions through [`crate::incremental::Session`], which
//!   keeps each stage's last value and re-runs a stage only on what an edit changed;
//! - `new` reads and parses the notes ([`notes`]) to check the slug and parent it is given.
//!
//! Every stage reports problems as diagnostics; the pipeline stops after the first stage
//! that found an error, so later stages never see broken input, and nothing is written.

use crate::assets;
use crate::attachments::Attachments;
use crate::config::{self, Config};
use crate::error::{sorted, Diagnostic};
use crate::graph::{self, NoteId, Site};
use crate::note::{self, Note, ParsedFile};
use crate::output::{self, Output, Written};
use crate::paths::RelPath;
use crate::render::{self, Theme};
use crate::search;
use crate::source::{self, Read, SourceFile};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long each stage took.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.stages.push((name, start.elapsed()));
        out
    }
}

/// Every content file, parsed, with a digest of its text (so a rebuild can tell which
/// files really changed without keeping a second copy of every text).
pub type Files = BTreeMap<RelPath, Parsed>;

/// One content file after the parse stage.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub digest: u64,
    pub file: ParsedFile,
}

/// What a successful build produced: the value of every stage, and the warnings found on
/// the way.
pub struct Built {
    pub files: Files,
    pub theme: Theme,
    pub site: Site,
    pub output: Output,
    /// Each note's search terms, for rebuilds that reuse them ([`build_kept`] only: a
    /// one-off build drops them as soon as the index is written, to save memory).
    pub search: Option<search::Cache>,
    /// Each note's print section, for rebuilds ([`build_kept`] only).
    pub print: Option<render::PrintCache>,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
}

/// A failed build: every problem, errors and warnings, sorted.
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

impl Failed {
    pub fn new(diagnostics: Vec<Diagnostic>, timings: Timings) -> Failed {
        Failed { diagnostics: sorted(diagnostics), timings }
    }
}

/// Stage 1: book.toml, with `site_url` (a URL that [`config::site_url`] accepted) in place
/// of its `site-url` when given.
pub fn configure(root: &Path, site_url: Option<String>) -> Result<Config, Vec<Diagnostic>> {
    let mut config = config::load(root)?;
    if site_url.is_some() {
        config.site_url = site_url;
    }
    Ok(config)
}

/// Stage 2: every note's text, sorted by path, and the attachments beside them.
pub fn read(root: &Path) -> Read {
    source::read_all(root)
}

/// Stage 2, for a rebuild: just these content files (those that no longer exist are left
/// out), or `None` when they need the whole walk of [`read`].
pub fn read_paths(root: &Path, paths: &[RelPath]) -> Option<Vec<SourceFile>> {
    source::read_paths(root, paths)
}

/// The digest [`Parsed`] keeps of a file's text.
pub fn digest(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Stage 3: each file parsed on its own, in parallel.
pub fn parse(files: Vec<SourceFile>) -> Files {
    files.into_par_iter().map(|f| (f.path.clone(), parse_file(f))).collect()
}

/// Stage 3 for one file.
pub fn parse_file(file: SourceFile) -> Parsed {
    Parsed { digest: digest(&file.text), file: note::parse_file(file) }
}

/// The attachments that references may lead to: those `read` found below `content/`, and
/// the theme's static files.
pub fn attachments(found: Attachments, theme: &Theme) -> Arc<Attachments> {
    Arc::new(found.with_statics(theme.assets.files.keys()))
}

/// Stage 5: every reference resolved, the tree checked. `diags` are the problems found so
/// far (reading); they come back with the link's own, sorted.
pub fn link(
    config: Config,
    files: &Files,
    attachments: Arc<Attachments>,
    mut diags: Vec<Diagnostic>,
) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let parsed = note::assemble(files.values().map(|p| p.file.clone()));
    diags.extend(parsed.diagnostics);
    let (site, link_diags) =
        graph::link(config, parsed.notes, parsed.home, &parsed.drafts, &parsed.failed, attachments);
    diags.extend(link_diags);
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok((site, sorted(diags)))
    }
}

/// Stage 4: the static files, the compiled templates and the labels of the site's
/// language. Before the link, which checks references to the static files too.
pub fn theme(root: &Path, config: &Config) -> Result<Theme, Vec<Diagnostic>> {
    let (assets, diags) = assets::load(root);
    if !diags.is_empty() {
        return Err(diags);
    }
    render::theme(assets, &config.language)
}

/// Stage 6: every page, the search index and the static files, in memory. Each note's
/// search terms are kept in `search`, when given, for later rebuilds.
pub fn render(site: &Site, theme: &Theme, search: Option<&mut search::Cache>) -> Result<Output, Vec<Diagnostic>> {
    render::site(site, theme, search)
}

/// Stage 6, keeping what rebuilds reuse: each note's search terms and print section.
pub fn render_kept(
    site: &Site,
    theme: &Theme,
    search: &mut search::Cache,
    print: &mut render::PrintCache,
) -> Result<Output, Vec<Diagnostic>> {
    render::site_kept(site, theme, Some(search), print)
}

/// Stage 6 for a rebuild: the pages of the notes `ids` only, and their print sections
/// (for [`render_print`]).
pub fn render_notes(
    site: &Site,
    theme: &Theme,
    ids: &[NoteId],
) -> Result<(Output, render::PrintSections), Vec<Diagnostic>> {
    render::note_pages(site, theme, ids)
}

/// Stage 6 for a rebuild: the pages that list the whole site (home, glossary, tags, maps).
pub fn render_index(site: &Site, theme: &Theme) -> Result<Output, Vec<Diagnostic>> {
    render::index_pages(site, theme)
}

/// Stage 6 for a rebuild: the print pages (`print.html`, `print-2.html`, …), which hold
/// every body, after the notes whose sections [`render_notes`] gave changed.
/// [`render::is_print_page`] tells the old ones apart.
pub fn render_print(
    site: &Site,
    theme: &Theme,
    cache: &mut render::PrintCache,
    changed: render::PrintSections,
) -> Result<(Output, usize), Vec<Diagnostic>> {
    render::print_pages(site, theme, cache, changed)
}

pub use render::{is_print_page, part_page, PrintCache};

/// Stage 6 for a rebuild: the search index again, reusing each unchanged note's terms.
pub fn render_search(site: &Site, theme: &Theme, search: &mut search::Cache) -> Output {
    render::search_index(site, theme, Some(search))
}

/// Stage 6 for a rebuild: the attachments at `paths` (output paths), read again.
pub fn render_attachments(site: &Site, paths: &[RelPath]) -> Result<Output, Vec<Diagnostic>> {
    render::attachments(site, paths)
}

pub use output::WriteError;

/// Stage 7 for an output held in memory ([`build`]): written to `dest` through a staging
/// folder; a failure leaves what was there before. (`conceptbook build` streams instead:
/// [`publish`].)
pub fn write(output: &Output, root: &Path, dest: &Path) -> Result<Written, WriteError> {
    output::write(output, root, dest)
}

/// Builds the site at `root` in memory: every stage but the write.
pub fn build(root: &Path) -> Result<Built, Failed> {
    build_at(root, None)
}

/// [`build`], published at `site_url` rather than at book.toml's `site-url`.
pub fn build_at(root: &Path, site_url: Option<String>) -> Result<Built, Failed> {
    run(root, site_url, false)
}

/// [`build`], keeping each note's search terms for `serve`'s rebuilds.
pub fn build_kept(root: &Path) -> Result<Built, Failed> {
    run(root, None, true)
}

/// The stages before rendering, and what they found.
struct Prepared {
    files: Files,
    site: Site,
    theme: Theme,
    warnings: Vec<Diagnostic>,
    timings: Timings,
}

/// Stages 1 to 5: configure, read, parse, theme, link.
fn prepare(root: &Path, site_url: Option<String>) -> Result<Prepared, Failed> {
    let mut timings = Timings::default();
    let config = match timings.time("config", || configure(root, site_url)) {
        Ok(c) => c,
        Err(d) => return Err(Failed::new(d, timings)),
    };
    let read = timings.time("read", || read(root));
    let files = timings.time("parse", || parse(read.files));
    let theme = match timings.time("theme", || theme(root, &config)) {
        Ok(theme) => theme,
        Err(d) => return Err(Failed::new(d.into_iter().chain(read.diagnostics).collect(), timings)),
    };
    let attachments = attachments(read.attachments, &theme);
    match timings.time("link", || link(config, &files, attachments, read.diagnostics)) {
        Ok((site, warnings)) => Ok(Prepared { files, site, theme, warnings, timings }),
        Err(d) => Err(Failed::new(d, timings)),
    }
}

fn run(root: &Path, site_url: Option<String>, keep_terms: bool) -> Result<Built, Failed> {
    let Prepared { files, site, theme, warnings, mut timings } = prepare(root, site_url)?;
    let mut search = keep_terms.then(search::Cache::default);
    let mut print = keep_terms.then(render::PrintCache::default);
    let mut unkept = render::PrintCache::default();
    let rendered = timings
        .time("render", || render::site_warned(&site, &theme, search.as_mut(), print.as_mut().unwrap_or(&mut unkept)));
    let (output, large) = match rendered {
        Ok(o) => o,
        Err(d) => return Err(Failed::new(d.into_iter().chain(warnings).collect(), timings)),
    };
    let warnings = sorted(warnings.into_iter().chain(large).collect());
    Ok(Built { files, theme, site, output, search, print, warnings, timings })
}

/// Where [`publish`] writes.
pub enum Dest {
    /// Named on the command line (`--dest`): any folder that is safe to replace.
    Given(PathBuf),
    /// book.toml's `build-dir`, inside the site's folder.
    BookToml,
}

/// What [`publish`] did.
pub struct Published {
    pub site: Site,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
    pub dest: PathBuf,
    pub written: Written,
}

/// Why [`publish`] wrote nothing.
#[derive(Debug)]
pub enum PublishError {
    /// The notes, templates or config have errors.
    Failed(Failed),
    /// book.toml's `build-dir` (as written there) lies outside the site's folder.
    Outside {
        dest: PathBuf,
        reason: String,
        build_dir: String,
    },
    /// The build dir is not a safe place.
    Refused {
        dest: PathBuf,
        reason: String,
    },
    Io(std::io::Error),
}

/// `build`: every stage, the pages written to a staging folder as they are rendered, then
/// swapped in for `dest`. On any failure the build dir is left as it was.
pub fn publish(root: &Path, site_url: Option<String>, dest: Dest) -> Result<Published, PublishError> {
    let Prepared { site, theme, warnings, mut timings, .. } = prepare(root, site_url).map_err(PublishError::Failed)?;
    let (dest, book_toml) = match dest {
        Dest::Given(d) => (d, false),
        Dest::BookToml => (root.join(&site.config.build_dir), true),
    };
    if book_toml {
        if let Some(reason) = output::outside_reason(root, &dest) {
            return Err(PublishError::Outside { dest, reason, build_dir: site.config.build_dir.clone() });
        }
    }
    let start = Instant::now();
    let staging = match output::Staging::begin(root, &dest) {
        Ok(s) => s,
        Err(WriteError::Refused(reason)) => return Err(PublishError::Refused { dest, reason }),
        Err(WriteError::Io(e)) => return Err(PublishError::Io(e)),
    };
    let rendered = render::site_into(&site, &theme, None, &mut render::PrintCache::default(), &staging);
    timings.stages.push(("render", start.elapsed()));
    let large = match rendered {
        Ok(large) => large,
        Err(d) => return Err(PublishError::Failed(Failed::new(d.into_iter().chain(warnings).collect(), timings))),
    };
    let start = Instant::now();
    let written = staging.finish().map_err(PublishError::Io)?;
    timings.stages.push(("write", start.elapsed()));
    let warnings = sorted(warnings.into_iter().chain(large).collect());
    Ok(Published { site, warnings, timings, dest, written })
}

/// `check`: the build without the write (each page is dropped as soon as it is rendered).
/// `Ok` holds the warnings, `Err` every problem.
pub fn check(root: &Path) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let Prepared { site, theme, warnings, .. } = prepare(root, None).map_err(|f| f.diagnostics)?;
    match render::site_into(&site, &theme, None, &mut render::PrintCache::default(), &output::Discard) {
        Ok(large) => Ok(sorted(warnings.into_iter().chain(large).collect())),
        Err(d) => Err(sorted(d.into_iter().chain(warnings).collect())),
    }
}

/// The linked site at `root` (configure, read, parse, theme, link): for tools that
/// measure the later stages on their own.
pub fn load(root: &Path) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let config = configure(root, None)?;
    let read = read(root);
    let attachments = attachments(read.attachments, &theme(root, &config)?);
    link(config, &parse(read.files), attachments, read.diagnostics)
}

/// The notes at `root` as parsed (read and parse, no link): what `new` checks a request
/// against. Files that fail to parse are left out.
pub fn notes(root: &Path) -> Vec<Arc<Note>> {
    parse(read(root).files)
        .into_values()
        .filter_map(|p| match p.file {
            ParsedFile::Note(n) | ParsedFile::Draft(n) => Some(n),
            _ => None,
        })
        .collect()
}
