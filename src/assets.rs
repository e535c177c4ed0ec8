//! Templates and static files: the embedded defaults, overridden by the site's own files.
//!
//! The repo's `templates/` and `static/` are compiled into the binary (`include_dir!`, and
//! `build.rs` reruns on changes there). A site's `templates/x.html` replaces the embedded
//! template of that name; a site's `static/x` replaces or adds a file copied to the output.
//! This module is the one place that lists where defaults come from.

use crate::error::Diagnostic;
use crate::labels;
use crate::paths::RelPath;
use crate::source::is_ignored;
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::Path;
use walkdir::WalkDir;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");
static STATIC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/static");

pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";

/// Template sources by name, and static files by output path.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    /// Template name (`note.html`) to (where it came from, its text).
    pub templates: BTreeMap<String, (RelPath, String)>,
    /// Label files by name below `templates/` (`labels/zh.toml`), likewise.
    pub labels: BTreeMap<String, (RelPath, String)>,
    pub files: BTreeMap<RelPath, Vec<u8>>,
}

/// The embedded defaults with the site's own files laid over them.
pub fn load(root: &Path) -> (Assets, Vec<Diagnostic>) {
    let mut assets = Assets::default();
    let mut diags = Vec::new();
    for (name, bytes) in embedded(&TEMPLATES) {
        match String::from_utf8(bytes) {
            Ok(text) => {
                assets.templates.insert(name.clone(), (RelPath::new(&format!("{TEMPLATES_DIR}/{name}")), text));
            }
            Err(_) => diags.push(Diagnostic::error(&RelPath::new(&name), "embedded template is not UTF-8")),
        }
    }
    for (name, bytes) in embedded(&STATIC) {
        assets.files.insert(RelPath::new(&name), bytes);
    }
    for (name, path, bytes) in site_files(root, TEMPLATES_DIR, &mut diags) {
        match String::from_utf8(bytes) {
            Ok(text) => {
                assets.templates.insert(name, (path, text));
            }
            Err(e) => diags.push(Diagnostic::error(
                &path,
                format!("not UTF-8: invalid byte at offset {}", e.utf8_error().valid_up_to()),
            )),
        }
    }
    for (name, _, bytes) in site_files(root, STATIC_DIR, &mut diags) {
        assets.files.insert(RelPath::new(&name), bytes);
    }
    let labels: Vec<String> = assets.templates.keys().filter(|n| n.starts_with(labels::DIR)).cloned().collect();
    for name in labels {
        if let Some(file) = assets.templates.remove(&name) {
            assets.labels.insert(name, file);
        }
    }
    (assets, diags)
}

/// The embedded labels of `language`, with no site overriding them (for tools and tests).
pub fn embedded_labels(language: &str) -> labels::Labels {
    let files: BTreeMap<String, (RelPath, String)> = embedded(&TEMPLATES)
        .into_iter()
        .filter(|(name, _)| name.starts_with(labels::DIR))
        .map(|(name, bytes)| {
            let path = RelPath::new(&format!("{TEMPLATES_DIR}/{name}"));
            (name, (path, String::from_utf8(bytes).expect("embedded labels are UTF-8")))
        })
        .collect();
    labels::load(&files, language).expect("the embedded labels parse")
}

/// One template's source: the site's `templates/<name>` if there is one, else the embedded
/// default; `None` when neither exists or the site's file cannot be read as UTF-8.
pub fn template(root: &Path, name: &str) -> Option<(RelPath, String)> {
    let path = RelPath::new(&format!("{TEMPLATES_DIR}/{name}"));
    if !crate::source::inside_root(&crate::source::real_root(root), &path.to_fs(root)) {
        return None;
    }
    match std::fs::read(path.to_fs(root)) {
        Ok(bytes) => String::from_utf8(bytes).ok().map(|text| (path, text)),
        Err(_) => TEMPLATES.get_file(name).and_then(|f| f.contents_utf8()).map(|text| (path, text.to_string())),
    }
}

fn embedded(dir: &Dir<'static>) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for f in d.files() {
            let path = f.path().to_string_lossy().replace('\\', "/");
            let name = path.rsplit('/').next().unwrap_or("");
            if !is_ignored(name) {
                out.push((path, f.contents().to_vec()));
            }
        }
        stack.extend(d.dirs());
    }
    out.sort();
    out
}

/// Files below `root/dir`: (name relative to `dir`, path relative to root, bytes).
fn site_files(root: &Path, dir: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, RelPath, Vec<u8>)> {
    let base = root.join(dir);
    if !base.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let real_root = crate::source::real_root(root);
    let mut walker = WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        if let Some(d) = entry.as_ref().ok().and_then(|e| crate::source::link_outside(root, &real_root, e)) {
            diags.push(d);
            if entry.as_ref().is_ok_and(|e| e.file_type().is_dir()) {
                walker.skip_current_dir();
            }
            continue;
        }
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let (Some(name), Some(path)) = (RelPath::from_fs(&base, e.path()), RelPath::from_fs(root, e.path()))
                else {
                    continue;
                };
                match std::fs::read(e.path()) {
                    Ok(bytes) => out.push((name.to_string(), path, bytes)),
                    Err(err) => diags.push(Diagnostic::error(&path, format!("cannot read: {err}"))),
                }
            }
            Ok(_) => {}
            Err(e) => diags.push(Diagnostic::error(&RelPath::new(dir), format!("cannot read: {e}"))),
        }
    }
    out
}
