//! `book.toml`: the site's configuration, read once into a [`Config`].
//!
//! The file is parsed as TOML into a raw table first, so that an unknown key can be reported
//! with its line and the closest known key ("did you mean `site-url`?"); then it is
//! deserialized into typed structs with `deny_unknown_fields`. Every key but `book.title`
//! has a default.

use crate::error::{suggest, Diagnostic, Pos};
use crate::paths::RelPath;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub language: String,
    /// Always ends with `/` when set.
    pub site_url: Option<String>,
    pub build_dir: String,
    /// Link the first mention of another note's title or alias in a body.
    pub auto_link: bool,
    /// Titles and aliases auto-linking leaves alone (common words that are also aliases).
    pub auto_link_skip: Vec<String>,
    /// "Edit this page": an http(s) URL with `{path}`, the note's path from the site root.
    pub edit_url_template: Option<String>,
    /// `[build] trusted-html`: keep raw HTML and link URLs as authors wrote them, for a
    /// site whose every author is trusted. Off by default: they are sanitized.
    pub trusted_html: bool,
    /// `[build] print`: write the print page (`print.html`, every note on one page, in parts
    /// for a large site). On by default; a very large site may turn it off, as it holds a
    /// second copy of every body (about a sixth of a large site's bytes).
    pub print: bool,
    /// `[build] sidebar`: where the sidebar's concept tree lives (see [`Sidebar`]).
    pub sidebar: Sidebar,
}

/// `[build] sidebar`: every page's concept tree written into the page (`inline`), or kept in
/// shared files that a script expands, each page holding only a pointer to them and a short
/// no-script fallback (`shared`); `auto` picks by the site's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sidebar {
    #[default]
    Auto,
    Inline,
    Shared,
}

impl Sidebar {
    /// The values book.toml may give, in the order the help lists them.
    pub const VALUES: &'static [&'static str] = &["auto", "inline", "shared"];

    fn parse(value: &str) -> Option<Sidebar> {
        match value {
            "auto" => Some(Sidebar::Auto),
            "inline" => Some(Sidebar::Inline),
            "shared" => Some(Sidebar::Shared),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    book: RawBook,
    #[serde(default)]
    build: RawBuild,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBook {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_language")]
    language: String,
    site_url: Option<String>,
    edit_url_template: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBuild {
    build_dir: Option<String>,
    #[serde(default)]
    auto_link: bool,
    #[serde(default)]
    auto_link_skip: Vec<String>,
    #[serde(default)]
    trusted_html: bool,
    print: Option<bool>,
    sidebar: Option<String>,
}

pub const SITE_URL_HELP: &str = "write the address the site is served at, e.g. \"https://user.github.io/repo/\"";

/// Checks a site URL (book.toml's `site-url` or `build --site-url`): http(s), and ending
/// with `/` (added when missing) so that page paths can be appended.
pub fn site_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
        return Err(format!("site-url `{url}` is not an http(s) URL"));
    }
    Ok(if url.ends_with('/') { url.to_string() } else { format!("{url}/") })
}

/// Checks `edit-url-template`: an http(s) URL holding `{path}`.
pub fn edit_url_template(template: &str) -> Result<(), String> {
    let t = template.trim();
    if !(t.starts_with("https://") || t.starts_with("http://")) || t.contains(char::is_whitespace) {
        return Err(format!("edit-url-template `{t}` is not an http(s) URL"));
    }
    if !t.contains("{path}") {
        return Err(format!("edit-url-template `{t}` has no {{path}}"));
    }
    Ok(())
}

/// The "edit this page" URL of the file at `path` (`content/training/lora.md`), its
/// segments percent-encoded where a URL needs it.
pub fn edit_url(template: &str, path: &RelPath) -> String {
    let encoded: Vec<String> = path.as_str().split('/').map(encode_segment).collect();
    template.replace("{path}", &encoded.join("/"))
}

fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn default_language() -> String {
    "en".to_string()
}

const TOP_KEYS: &[&str] = &["book", "build"];
const BOOK_KEYS: &[&str] = &["title", "description", "language", "site-url", "edit-url-template"];
const BUILD_KEYS: &[&str] = &["build-dir", "auto-link", "auto-link-skip", "trusted-html", "print", "sidebar"];

pub const FILE: &str = "book.toml";

/// Reads `book.toml` under `root`.
pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
    let path = RelPath::new(FILE);
    let text = match std::fs::read(root.join(FILE)) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            vec![Diagnostic::error(
                &path,
                format!("{FILE} is not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()),
            )]
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(vec![Diagnostic::error(&path, format!("no {FILE} in {}", root.display())).help(
                "run conceptbook in a site's folder, pass --root DIR, or create book.toml with [book] title = \"...\"",
            )]);
        }
        Err(e) => return Err(vec![Diagnostic::error(&path, format!("cannot read {FILE}: {e}"))]),
    };
    parse(&text)
}

/// Parses the text of `book.toml`.
pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
    let path = RelPath::new(FILE);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let table: toml::Table = toml::from_str(text).map_err(|e| vec![toml_error(&path, text, &e)])?;
    let mut diags = Vec::new();
    check_keys(&path, text, &table, None, TOP_KEYS, &mut diags);
    for (section, keys) in [("book", BOOK_KEYS), ("build", BUILD_KEYS)] {
        if let Some(toml::Value::Table(t)) = table.get(section) {
            check_keys(&path, text, t, Some(section), keys, &mut diags);
        }
    }
    if !table.contains_key("book") {
        diags.push(
            Diagnostic::error(&path, "missing the [book] table").help("add:\n  [book]\n  title = \"My concepts\""),
        );
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let raw: RawConfig = toml::from_str(text).map_err(|e| vec![toml_error(&path, text, &e)])?;
    let build_dir = raw.build.build_dir.unwrap_or_else(|| "book".to_string());
    if build_dir.trim().is_empty() {
        return Err(vec![
            Diagnostic::error(&path, "build.build-dir is empty").help("use a folder name such as \"book\"")
        ]);
    }
    let site_url = match raw.book.site_url.as_deref().map(site_url) {
        Some(Err(message)) => {
            let pos = key_pos(text, "site-url");
            return Err(vec![Diagnostic::error(&path, message)
                .at(pos)
                .spanning(pos.rest_of_line(text))
                .help(SITE_URL_HELP)]);
        }
        Some(Ok(url)) => Some(url),
        None => None,
    };
    if let Some(template) = &raw.book.edit_url_template {
        if let Err(message) = edit_url_template(template) {
            let pos = key_pos(text, "edit-url-template");
            return Err(vec![Diagnostic::error(&path, message).at(pos).spanning(pos.rest_of_line(text)).help(
                "write the URL of your repository's editor with {path} where the note's path goes, e.g. \"https://github.com/user/repo/edit/main/{path}\"",
            )]);
        }
    }
    let sidebar = match raw.build.sidebar.as_deref() {
        None => Sidebar::Auto,
        Some(value) => Sidebar::parse(value.trim()).ok_or_else(|| vec![sidebar_error(text, value)])?,
    };
    Ok(Config {
        edit_url_template: raw.book.edit_url_template.map(|t| t.trim().to_string()),
        title: raw.book.title,
        description: raw.book.description,
        language: raw.book.language,
        site_url,
        build_dir,
        auto_link: raw.build.auto_link,
        auto_link_skip: raw.build.auto_link_skip,
        trusted_html: raw.build.trusted_html,
        print: raw.build.print.unwrap_or(true),
        sidebar,
    })
}

/// `[build] sidebar = "<value>"` with a value it does not know.
fn sidebar_error(text: &str, value: &str) -> Diagnostic {
    let pos = key_pos(text, "sidebar");
    let allowed = Sidebar::VALUES.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ");
    let help = match suggest(value.trim(), Sidebar::VALUES.iter().copied()) {
        Some(v) => format!("did you mean \"{v}\"? build.sidebar is one of {allowed}"),
        None => format!("build.sidebar is one of {allowed}"),
    };
    Diagnostic::error(&RelPath::new(FILE), format!("unknown value \"{value}\" for build.sidebar in {FILE}"))
        .at(pos)
        .spanning(pos.rest_of_line(text))
        .help(help)
}

fn check_keys(
    path: &RelPath,
    text: &str,
    table: &toml::Table,
    section: Option<&str>,
    known: &[&str],
    diags: &mut Vec<Diagnostic>,
) {
    for key in table.keys() {
        if known.contains(&key.as_str()) {
            continue;
        }
        let name = match section {
            Some(s) => format!("{s}.{key}"),
            None => key.clone(),
        };
        let help = match suggest(key, known.iter().copied()) {
            Some(k) => format!("did you mean `{k}`? known keys: {}", known.join(", ")),
            None => format!("known keys: {}", known.join(", ")),
        };
        diags.push(
            Diagnostic::error(path, format!("unknown key `{name}` in {FILE}"))
                .at(key_pos(text, key))
                .spanning(key.chars().count())
                .help(help),
        );
    }
}

/// The position of the first line that assigns `key` (`key =`, `[key]` or `key:`).
pub fn key_pos(text: &str, key: &str) -> Pos {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let bare = trimmed.trim_start_matches('[').trim_start_matches('"');
        if let Some(rest) = bare.strip_prefix(key) {
            let rest = rest.trim_start_matches('"').trim_start();
            // `key =` (TOML), `[key]` (a TOML table), `key:` (YAML front matter).
            if rest.starts_with('=') || rest.starts_with(']') || rest.starts_with(':') {
                return Pos::of_offset(text, offset + indent);
            }
        }
        offset += line.len();
    }
    Pos::default()
}

/// Turns a TOML error into a diagnostic at its span, with the message's first line.
pub fn toml_error(path: &RelPath, text: &str, e: &toml::de::Error) -> Diagnostic {
    let pos = e.span().map(|s| Pos::of_offset(text, s.start)).unwrap_or_default();
    // The span, cut at the end of its first line.
    let span = e.span().map_or(0, |s| {
        let end = s.end.min(text.len());
        text.get(s.start.min(end)..end).map_or(0, |t| t.split('\n').next().unwrap_or("").chars().count())
    });
    let message = e.message().lines().next().unwrap_or("invalid TOML").to_string();
    Diagnostic::error(path, format!("invalid TOML: {message}")).at(pos).spanning(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_url_templates() {
        let c =
            parse("[book]\ntitle = \"T\"\nedit-url-template = \"https://github.com/u/r/edit/main/{path}\"\n").unwrap();
        let t = c.edit_url_template.unwrap();
        assert_eq!(
            edit_url(&t, &RelPath::new("content/training/lora.md")),
            "https://github.com/u/r/edit/main/content/training/lora.md"
        );
        assert_eq!(
            edit_url(&t, &RelPath::new("content/微调 a.md")),
            "https://github.com/u/r/edit/main/content/%E5%BE%AE%E8%B0%83%20a.md"
        );
        let e =
            parse("[book]\ntitle = \"T\"\nedit-url-template = \"https://github.com/u/r/edit/main/\"\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (3, 1));
        assert!(e[0].message.contains("has no {path}"), "{}", e[0]);
        let e = parse("[book]\ntitle = \"T\"\nedit-url-template = \"javascript:alert(1)//{path}\"\n").unwrap_err();
        assert!(e[0].message.contains("not an http(s) URL"), "{}", e[0]);
    }

    #[test]
    fn defaults() {
        let c = parse("[book]\ntitle = \"T\"\n").unwrap();
        assert_eq!(c.build_dir, "book");
        assert_eq!(c.language, "en");
        assert_eq!(c.site_url, None);
    }

    #[test]
    fn unknown_key_names_closest() {
        let err = parse("[book]\ntitle = \"T\"\nsite_url = \"https://x.io\"\n").unwrap_err();
        assert_eq!(err[0].line, 3);
        assert!(err[0].message.contains("book.site_url"), "{}", err[0]);
        assert!(err[0].help.as_deref().unwrap().contains("did you mean `site-url`"));
    }

    #[test]
    fn the_print_page_is_on_unless_turned_off() {
        assert!(parse("[book]\ntitle = \"T\"\n").unwrap().print);
        assert!(parse("[book]\ntitle = \"T\"\n[build]\nbuild-dir = \"out\"\n").unwrap().print);
        assert!(!parse("[book]\ntitle = \"T\"\n[build]\nprint = false\n").unwrap().print);
        let err = parse("[book]\ntitle = \"T\"\n[build]\nprnt = false\n").unwrap_err();
        assert!(err[0].help.as_deref().unwrap().contains("did you mean `print`"), "{}", err[0]);
    }

    #[test]
    fn trusted_html_is_off_unless_asked_and_a_typo_is_caught() {
        assert!(!parse("[book]\ntitle = \"T\"\n").unwrap().trusted_html);
        assert!(parse("[book]\ntitle = \"T\"\n[build]\ntrusted-html = true\n").unwrap().trusted_html);
        let err = parse("[book]\ntitle = \"T\"\n[build]\ntrusted-htm = true\n").unwrap_err();
        assert!(err[0].help.as_deref().unwrap().contains("did you mean `trusted-html`"), "{}", err[0]);
    }

    #[test]
    fn the_sidebar_is_auto_unless_set_and_an_unknown_value_names_the_allowed_ones() {
        assert_eq!(parse("[book]\ntitle = \"T\"\n").unwrap().sidebar, Sidebar::Auto);
        for (value, mode) in [("auto", Sidebar::Auto), ("inline", Sidebar::Inline), ("shared", Sidebar::Shared)] {
            let c = parse(&format!("[book]\ntitle = \"T\"\n[build]\nsidebar = \"{value}\"\n")).unwrap();
            assert_eq!(c.sidebar, mode);
        }
        let err = parse("[book]\ntitle = \"T\"\n[build]\nsidebar = \"shard\"\n").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (4, 1));
        assert!(err[0].message.contains("\"shard\"") && err[0].message.contains("book.toml"), "{}", err[0]);
        let help = err[0].help.as_deref().unwrap();
        assert!(
            help.contains("did you mean \"shared\"") && help.contains("\"auto\", \"inline\", \"shared\""),
            "{help}"
        );
        let err = parse("[book]\ntitle = \"T\"\n[build]\nsidebar = true\n").unwrap_err();
        assert!(err[0].message.contains("invalid TOML"), "{}", err[0]);
    }

    #[test]
    fn site_url_gets_a_slash() {
        let c = parse("[book]\ntitle = \"T\"\nsite-url = \"https://u.github.io/repo\"\n").unwrap();
        assert_eq!(c.site_url.as_deref(), Some("https://u.github.io/repo/"));
    }
}
