//! The build, top to bottom: each stage a function from values to values.
//!
//! ```text
//! config::load → source::read_all → note::parse_all → graph::link   (check stops here)
//!              → render::site → output::write
//! ```
//! Every stage reports problems as diagnostics; the pipeline stops after the first stage
//! that found an error, so later stages never see broken input, and nothing is written.

use crate::assets;
use crate::config::{self, Config};
use crate::error::{sorted, Diagnostic};
use crate::graph::{self, Site};
use crate::note;
use crate::render::{self, Output};
use crate::source;
use std::path::Path;
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

/// What a successful build produced, with the warnings found on the way.
pub struct Built {
    pub site: Site,
    pub output: Output,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
}

/// A failed build: every problem, errors and warnings, sorted.
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

fn fail(diags: Vec<Diagnostic>, timings: Timings) -> Failed {
    Failed { diagnostics: sorted(diags), timings }
}

/// Reads, parses and links the site at `root`: everything `check` validates.
pub fn load(root: &Path, config: Config, timings: &mut Timings) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (files, mut diags) = timings.time("read", || source::read_all(root));
    let parsed = timings.time("parse", || note::parse_all(files));
    diags.extend(parsed.diagnostics);
    let (site, link_diags) =
        timings.time("link", || graph::link(config, parsed.notes, parsed.home, &parsed.drafts, &parsed.failed));
    diags.extend(link_diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok((site, diags))
}

/// Builds the site at `root` in memory.
pub fn build(root: &Path) -> Result<Built, Failed> {
    build_at(root, None)
}

/// Builds the site at `root` in memory, published at `site_url` when given (a URL that
/// [`config::site_url`] accepted) rather than at book.toml's `site-url`.
pub fn build_at(root: &Path, site_url: Option<String>) -> Result<Built, Failed> {
    let mut timings = Timings::default();
    let mut config = timings.time("config", || config::load(root)).map_err(|d| fail(d, Timings::default()))?;
    if site_url.is_some() {
        config.site_url = site_url;
    }
    build_with(root, config, timings)
}

pub fn build_with(root: &Path, config: Config, mut timings: Timings) -> Result<Built, Failed> {
    let (site, warnings) = match load(root, config, &mut timings) {
        Ok(x) => x,
        Err(d) => return Err(fail(d, timings)),
    };
    let (assets, asset_diags) = timings.time("assets", || assets::load(root));
    if !asset_diags.is_empty() {
        return Err(fail(asset_diags.into_iter().chain(warnings).collect(), timings));
    }
    let output = match timings.time("render", || render::site(&site, &assets)) {
        Ok(o) => o,
        Err(d) => return Err(fail(d.into_iter().chain(warnings).collect(), timings)),
    };
    Ok(Built { site, output, warnings: sorted(warnings), timings })
}
