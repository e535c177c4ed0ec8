//! Rebuilding after an edit, for `serve`: only what the edit can have changed.
//!
//! A [`Session`] keeps what the last good build made: every content file's text and parse
//! result, the compiled templates, the linked site and the rendered output. After some
//! files changed it re-reads and re-parses just those, links the whole graph again (cheap),
//! and then:
//! - when only bodies changed (no note added, removed, renamed or re-titled, no front
//!   matter changed), re-renders the edited notes' pages, the pages whose backlinks changed,
//!   and the pages that link into an edited note whose headings changed; the home page if
//!   `content/index.md` changed; and then, in [`Session::refresh_search`], the search
//!   index, reusing each unchanged note's terms;
//! - reads an attachment edited in place (`content/img/pic.png`) into the output again;
//!   one added or removed starts over, as references may lead elsewhere;
//! - otherwise renders every page again with the compiled templates;
//! - and when `book.toml`, `templates/` or `static/` changed, starts over.
//!
//! A failed rebuild keeps the last good output and returns every problem.

use crate::assets::{STATIC_DIR, TEMPLATES_DIR};
use crate::attachments::Attachments;
use crate::config;
use crate::error::Diagnostic;
use crate::graph::{NoteId, Site};
use crate::names::RefKind;
use crate::note::{self, Note};
use crate::output::Output;
use crate::paths::RelPath;
use crate::pipeline::{self, Failed, Files, Timings};
use crate::render::Theme;
use crate::search;
use crate::source::CONTENT_DIR;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The last value of every stage of the pipeline, for a site being served.
pub struct Session {
    root: PathBuf,
    theme: Theme,
    /// Every content file, parsed.
    files: Files,
    site: Site,
    output: Output,
    warnings: Vec<Diagnostic>,
    /// Each note's search terms, kept across body-only rebuilds.
    search: search::Cache,
    /// Body edits were rendered, but the search index is not rebuilt yet.
    search_stale: bool,
    /// The print page's sections, kept across body-only rebuilds.
    print: pipeline::PrintCache,
}

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebuilt {
    /// Everything again: configuration, templates or static files changed.
    Full,
    /// Every page again, with the same templates: the graph's shape changed.
    AllPages,
    /// Only these pages (and the search index).
    Pages(usize),
    /// Nothing that the site shows changed.
    Nothing,
}

#[derive(Debug)]
pub struct Report {
    pub rebuilt: Rebuilt,
    /// Time per step: read, link, render.
    pub timings: Timings,
}

impl Session {
    /// A full build of the site at `root` ([`pipeline::build_kept`]), kept in memory.
    pub fn new(root: &Path) -> Result<Session, Failed> {
        let built = pipeline::build_kept(root)?;
        Ok(Session {
            root: root.to_path_buf(),
            theme: built.theme,
            files: built.files,
            site: built.site,
            output: built.output,
            warnings: built.warnings,
            search: built.search.unwrap_or_default(),
            print: built.print.unwrap_or_default(),
            search_stale: false,
        })
    }

    pub fn output(&self) -> &Output {
        &self.output
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Rebuilds after the files at `changed` (absolute or relative to the root) changed.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Report, Failed> {
        let rels: Vec<RelPath> = changed.iter().filter_map(|p| self.relative(p)).collect();
        let restart = rels.iter().any(|p| {
            let s = p.as_str();
            s == config::FILE
                || s.starts_with(&format!("{TEMPLATES_DIR}/"))
                || s.starts_with(&format!("{STATIC_DIR}/"))
                || s == TEMPLATES_DIR
                || s == STATIC_DIR
        });
        if restart {
            *self = Session::new(&self.root)?;
            return Ok(Report { rebuilt: Rebuilt::Full, timings: Timings::default() });
        }
        let content: Vec<RelPath> =
            rels.into_iter().filter(|p| p.as_str().starts_with(&format!("{CONTENT_DIR}/"))).collect();
        let mut timings = Timings::default();
        let (edited, found) = timings.time("read", || self.reread(&content));
        if found.is_some_and(|found| !found.same_files(&self.site.attachments)) {
            // An attachment added or removed: references may lead elsewhere now.
            *self = Session::new(&self.root)?;
            return Ok(Report { rebuilt: Rebuilt::Full, timings });
        }
        let attachments = timings.time("render", || self.refresh_attachments(&content))?;
        if edited.is_empty() {
            let rebuilt = if attachments == 0 { Rebuilt::Nothing } else { Rebuilt::Pages(attachments) };
            return Ok(Report { rebuilt, timings });
        }
        let (site, warnings) = timings
            .time("link", || {
                pipeline::link(self.site.config.clone(), &self.files, self.site.attachments.clone(), Vec::new())
            })
            .map_err(|d| Failed::new(d, Timings::default()))?;
        let rebuilt = timings.time("render", || self.render_changes(&site, &edited))?;
        self.site = site;
        self.warnings = warnings;
        Ok(Report { rebuilt, timings })
    }

    /// Reads again the published attachments among the changed content `paths` (an image
    /// edited in place) into the output; returns how many.
    fn refresh_attachments(&mut self, paths: &[RelPath]) -> Result<usize, Failed> {
        let changed: Vec<RelPath> = paths
            .iter()
            .filter_map(|p| p.as_str().strip_prefix(&format!("{CONTENT_DIR}/")).map(RelPath::new))
            .filter(|p| self.site.attachments.is_published(p))
            .collect();
        if changed.is_empty() {
            return Ok(0);
        }
        let fresh =
            pipeline::render_attachments(&self.site, &changed).map_err(|d| Failed::new(d, Timings::default()))?;
        self.output.extend(fresh);
        Ok(changed.len())
    }

    fn relative(&self, p: &Path) -> Option<RelPath> {
        if p.is_relative() {
            return Some(RelPath::new(&p.to_string_lossy().replace('\\', "/")));
        }
        RelPath::from_fs(&self.root, p)
            .or_else(|| RelPath::from_fs(&crate::output::resolve(&self.root), &crate::output::resolve(p)))
    }

    /// Reads and parses the changed content paths again; returns those whose text really
    /// changed. A folder, or anything unexpected (an attachment), makes it re-read the
    /// whole of `content/`: then the attachments found there come back too.
    fn reread(&mut self, paths: &[RelPath]) -> (BTreeSet<RelPath>, Option<Attachments>) {
        let some = pipeline::read_paths(&self.root, paths);
        let simple = some.is_some();
        let (fresh, found) = match some {
            Some(files) => (files, None),
            None => {
                let read = pipeline::read(&self.root);
                (read.files, Some(read.attachments))
            }
        };
        let mut edited = BTreeSet::new();
        let present: BTreeSet<RelPath> = fresh.iter().map(|f| f.path.clone()).collect();
        let gone: Vec<RelPath> = if simple {
            paths.iter().filter(|p| !present.contains(*p) && self.files.contains_key(*p)).cloned().collect()
        } else {
            self.files.keys().filter(|p| !present.contains(*p)).cloned().collect()
        };
        for p in gone {
            self.files.remove(&p);
            edited.insert(p);
        }
        for f in fresh {
            if self.files.get(&f.path).is_some_and(|old| old.digest == pipeline::digest(&f.text)) {
                continue;
            }
            edited.insert(f.path.clone());
            self.files.insert(f.path.clone(), pipeline::parse_file(f));
        }
        (edited, found)
    }

    /// Renders what `edited` can have changed into the output, or fails keeping it.
    fn render_changes(&mut self, site: &Site, edited: &BTreeSet<RelPath>) -> Result<Rebuilt, Failed> {
        let fail = |diagnostics: Vec<Diagnostic>| Failed::new(diagnostics, Timings::default());
        let old = &self.site;
        let same_shape = old.notes.len() == site.notes.len()
            && old.notes.iter().zip(&site.notes).all(|(a, b)| shape(a) == shape(b))
            && old.home.is_some() == site.home.is_some();
        if !same_shape {
            self.search.clear(); // titles shown inside other notes' text may have changed
            self.search_stale = false;
            self.output = pipeline::render_kept(site, &self.theme, &mut self.search, &mut self.print).map_err(fail)?;
            return Ok(Rebuilt::AllPages);
        }
        let mut pages: BTreeSet<NoteId> = BTreeSet::new();
        for (id, (a, b)) in NoteId::all(site.notes.len()).zip(old.notes.iter().zip(&site.notes)) {
            if edited.contains(&b.path) {
                pages.insert(id);
                if a.headings != b.headings {
                    pages.extend(site.graph.backlinks[id].iter().copied());
                    pages.extend(old.graph.backlinks[id].iter().copied());
                }
            }
            if old.graph.backlinks[id] != site.graph.backlinks[id] {
                pages.insert(id);
            }
        }
        let ids: Vec<NoteId> = pages.into_iter().collect();
        let (mut fresh, sections) = pipeline::render_notes(site, &self.theme, &ids).map_err(fail)?;
        if edited.contains(&RelPath::new(note::HOME_FILE)) {
            fresh.extend(pipeline::render_index(site, &self.theme).map_err(fail)?);
        }
        if !ids.is_empty() {
            // The print page holds every body: redo it, and drop parts it no longer has.
            let (print, parts) = match pipeline::render_print(site, &self.theme, &mut self.print, sections) {
                Ok(done) => done,
                Err(d) => {
                    self.print = pipeline::PrintCache::default(); // it may hold the failed attempt
                    return Err(fail(d));
                }
            };
            let kept: BTreeSet<RelPath> = (1..=parts).map(pipeline::part_page).collect();
            self.output.retain(|path, _| !pipeline::is_print_page(path) || kept.contains(path));
            fresh.extend(print);
        }
        let count = fresh.len();
        self.output.extend(fresh);
        self.search_stale = true;
        Ok(if count == 0 { Rebuilt::Nothing } else { Rebuilt::Pages(count) })
    }

    /// Brings the search index up to date after body edits. [`Session::rebuild`] leaves this
    /// for afterwards, so that `serve` can reload the edited page first: the index must
    /// weigh every note again (its scores depend on all of them), which takes longer than
    /// the page. Returns how long it took, or `None` when there was nothing to do.
    pub fn refresh_search(&mut self) -> Option<Duration> {
        if !self.search_stale {
            return None;
        }
        let start = Instant::now();
        self.output.retain(|path, _| !path.as_str().starts_with(search::DIR));
        self.output.extend(pipeline::render_search(&self.site, &self.theme, &mut self.search));
        self.search_stale = false;
        Some(start.elapsed())
    }
}

/// Everything of a note that other pages show: when none of it changes, an edit stays
/// inside the note's own page (and its backlinks).
fn shape(n: &Note) -> impl PartialEq + '_ {
    let f = &n.front;
    let refs: Vec<(&str, Option<&str>)> = n
        .refs
        .iter()
        .filter(|r| matches!(r.kind, RefKind::Parent | RefKind::Related))
        .map(|r| (r.target.as_str(), r.anchor.as_deref()))
        .collect();
    (&n.slug, &n.path, &f.title, &f.summary, &f.aliases, &f.tags, f.order, f.glossary, refs)
}
