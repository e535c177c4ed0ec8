//! `conceptbook new SLUG [--parent P] [--title T]`: a new note from a template.
//!
//! In: the site's folder and what the author typed. Out: `content/SLUG.md`, written only
//! when the slug is a slug, no file or note has it yet, and the parent (a slug, title or
//! alias) names an existing note; otherwise diagnostics with the likely fix ("did you
//! mean"). The text comes from the `new-note.md` template (embedded, or the site's
//! `templates/new-note.md`), rendered with Tera, and is parsed back as a note before it is
//! written, so a broken template never leaves a broken note behind.

use crate::assets;
use crate::config;
use crate::error::{suggest, Diagnostic};
use crate::labels;
use crate::names::{self, name_key};
use crate::note::{Note, ParsedFile};
use crate::paths::RelPath;
use crate::pipeline;
use crate::report;
use crate::source::{SourceFile, CONTENT_DIR};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

pub const TEMPLATE: &str = "new-note.md";

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct Request {
    pub slug: String,
    pub parent: Option<String>,
    pub title: Option<String>,
}

/// Runs `new`: writes the note, or prints why not.
pub fn run(root: &Path, request: &Request, quiet: bool) -> anyhow::Result<ExitCode> {
    match create(root, request) {
        Ok(path) => {
            if !quiet {
                println!("created {path}: write its summary and body, then see it with `conceptbook serve`");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            let mut err = std::io::stderr().lock();
            report::diagnostics(&mut err, &diags, root, report::color_on_stderr())?;
            writeln!(err, "no note was created")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Writes `content/<slug>.md` under `root`; returns its path.
pub fn create(root: &Path, req: &Request) -> Result<RelPath, Vec<Diagnostic>> {
    let path = RelPath::new(&format!("{CONTENT_DIR}/{}.md", req.slug));
    if !names::is_slug(&req.slug) {
        let fix = names::short_slug(&req.slug);
        return Err(vec![Diagnostic::error(&path, format!("`{}` is not a valid slug", req.slug)).help(format!(
            "a slug is lower-case ASCII letters and digits joined by single hyphens: try `conceptbook new {fix}`"
        ))]);
    }
    if req.slug.len() > names::MAX_SLUG {
        let (n, fix) = (req.slug.len(), names::short_slug(&req.slug));
        return Err(vec![Diagnostic::error(
            &path,
            format!("the slug is {n} bytes long; a slug may be at most {}", names::MAX_SLUG),
        )
        .help(format!("it names the note's pages and file: try `conceptbook new {fix}`"))]);
    }
    let config = config::load(root)?;
    let file = path.to_fs(root);
    if file.exists() {
        return Err(vec![Diagnostic::error(&path, "this note already exists")
            .help("edit it, or choose another slug: nothing was overwritten")]);
    }
    let notes = pipeline::notes(root);
    if let Some(other) = notes.iter().find(|n| n.slug == req.slug) {
        return Err(vec![Diagnostic::error(&path, format!("slug `{}` is already used by {}", req.slug, other.path))
            .help("slugs are unique: choose another one")]);
    }
    let parent = match &req.parent {
        Some(p) => Some(resolve_parent(&notes, p).map_err(|d| vec![d.with_path(&path)])?),
        None => None,
    };
    let title = req.title.clone().unwrap_or_else(|| title_from(&req.slug));
    let text = render(root, &config, &req.slug, &title, parent.as_deref())?;
    if let ParsedFile::Failed { diagnostics: diags, .. } =
        pipeline::parse_file(SourceFile { path: path.clone(), text: text.clone() }).file
    {
        let template = RelPath::new(&format!("{}/{TEMPLATE}", assets::TEMPLATES_DIR));
        let first = diags.into_iter().next().map(|d| d.message).unwrap_or_default();
        return Err(vec![Diagnostic::error(
            &template,
            format!("the note this template makes does not parse: {first}"),
        )
        .help("the template must write a +++ block with `title` and `summary`")]);
    }
    write_new(&file, &text).map_err(|e| {
        vec![Diagnostic::error(&path, format!("cannot write: {e}"))
            .help("check that content/ is a folder you can write to")]
    })?;
    Ok(path)
}

/// The parent's slug: `name` is a slug, a title or an alias of a published note.
fn resolve_parent(notes: &[Arc<Note>], name: &str) -> Result<String, Diagnostic> {
    let published: Vec<&Note> = notes.iter().map(Arc::as_ref).filter(|n| !n.front.draft).collect();
    if let Some(n) = published.iter().find(|n| n.slug == name.trim()) {
        return Ok(n.slug.clone());
    }
    let key = name_key(name);
    let by_title = published.iter().find(|n| name_key(n.title()) == key);
    let by_alias = || published.iter().find(|n| n.front.aliases.iter().any(|a| name_key(a) == key));
    if let Some(n) = by_title.or_else(by_alias) {
        return Ok(n.slug.clone());
    }
    let draft = notes.iter().find(|n| n.front.draft && n.slug == name.trim());
    let names = published
        .iter()
        .map(|n| n.slug.as_str())
        .chain(published.iter().map(|n| n.title()))
        .chain(published.iter().flat_map(|n| n.front.aliases.iter().map(String::as_str)));
    let help = match (draft, suggest(name, names)) {
        (Some(d), _) => Some(format!("{} is a draft: publish it first (remove its `draft` line)", d.path)),
        (None, Some(s)) => Some(format!("did you mean `{s}`?")),
        (None, None) if published.is_empty() => Some("the site has no notes yet: create the parent first".to_string()),
        (None, None) => None,
    };
    Err(Diagnostic::error(&RelPath::new(""), format!("parent `{name}` names no note")).help_opt(help))
}

/// `p-tuning-v2` → `P tuning v2`.
fn title_from(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// The note's text, from the `new-note.md` template.
fn render(
    root: &Path,
    config: &config::Config,
    slug: &str,
    title: &str,
    parent: Option<&str>,
) -> Result<String, Vec<Diagnostic>> {
    let (path, source) = assets::template(root, TEMPLATE).ok_or_else(|| {
        vec![Diagnostic::error(
            &RelPath::new(&format!("{}/{TEMPLATE}", assets::TEMPLATES_DIR)),
            "cannot read the template",
        )
        .help("save it as UTF-8, or remove it to use the default")]
    })?;
    let fail = |e: tera::Error| {
        let mut chain = vec![e.to_string()];
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        let message = chain.join(": ").split_whitespace().collect::<Vec<_>>().join(" ");
        vec![Diagnostic::error(&path, format!("template error: {message}"))]
    };
    let mut tera = tera::Tera::default();
    tera.register_filter("toml", toml_filter);
    tera.add_raw_template(TEMPLATE, &source).map_err(fail)?;
    let mut ctx = tera::Context::new();
    ctx.insert("slug", slug);
    ctx.insert("title", title);
    ctx.insert("parent", parent.unwrap_or(""));
    ctx.insert("zh", &labels::is_chinese(&config.language));
    tera.render(TEMPLATE, &ctx).map_err(fail)
}

/// `{{ x | toml }}`: the value as a quoted TOML string.
fn toml_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(tera::Value::String(toml::Value::String(text).to_string()))
}

/// Creates `file` (and its folder); fails rather than replace an existing file.
fn write_new(file: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(file)?;
    f.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_slugs() {
        assert_eq!(title_from("p-tuning-v2"), "P tuning v2");
        assert_eq!(title_from("lora"), "Lora");
    }

    #[test]
    fn toml_quotes_what_needs_quoting() {
        let v = toml_filter(&tera::Value::from("a \"b\" \\ c"), &HashMap::new()).unwrap();
        let parsed: toml::Table = toml::from_str(&format!("x = {}", v.as_str().unwrap())).unwrap();
        assert_eq!(parsed["x"].as_str(), Some("a \"b\" \\ c"));
    }
}
