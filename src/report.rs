//! Printing what a command did: diagnostics, numbered and counted, and the summary line.
//!
//! Each diagnostic opens with one line that editors and `grep` understand,
//! `[1/2] content/lora.md:9:3: error: link `pefd` names no note`, then quotes the source
//! line with a caret under the offending span and ends with `= help: ...`, rustc-style
//! (the quoting is annotate-snippets'). Source lines are read from the site's files as they
//! are now, decoded like the build decodes them. Colour only when asked for: see
//! [`color_on_stderr`]. `check --format json` prints the same diagnostics as a JSON array.

use crate::error::{Diagnostic, Severity};
use crate::paths::RelPath;
use crate::pipeline::Timings;
use crate::source;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Style};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Colour on stderr: only on a terminal, and never when `NO_COLOR` is set to anything.
pub fn color_on_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints the diagnostics, numbered, with their source lines (at most [`PER_KIND`] of each
/// kind), then a count line.
pub fn diagnostics(out: &mut dyn Write, diags: &[Diagnostic], root: &Path, color: bool) -> std::io::Result<()> {
    out.write_all(render(diags, root, color).as_bytes())
}

/// How many diagnostics of one kind (see [`kind_of`]) are printed in full. Ten thousand
/// imported notes with one problem in common (no links to them, the same title) printed
/// ten thousand times six lines, and hid every other problem in the scroll; past this many,
/// a line says how many more there are of that kind and `check --format json` lists them.
pub const PER_KIND: usize = 25;

/// The text [`diagnostics`] prints.
pub fn render(diags: &[Diagnostic], root: &Path, color: bool) -> String {
    let mut sources = Sources { root, files: HashMap::new() };
    let mut text = String::new();
    // Each kind in the order it first comes: how many of it there are, and its first message.
    let mut kinds: Vec<(usize, &Diagnostic)> = Vec::new();
    let mut kind_index: HashMap<(Severity, String), usize> = HashMap::new();
    for (i, d) in diags.iter().enumerate() {
        let k = *kind_index.entry((d.severity, kind_of(&d.message))).or_insert_with(|| {
            kinds.push((0, d));
            kinds.len() - 1
        });
        kinds[k].0 += 1;
        if kinds[k].0 > PER_KIND {
            continue;
        }
        text.push_str(&header(i + 1, diags.len(), d, color));
        text.push('\n');
        let line = (d.line > 0).then(|| sources.line(&d.path, d.line)).flatten();
        text.push_str(&body(d, line.as_deref(), color));
        text.push('\n');
    }
    let mut hidden = false;
    for &(n, first) in kinds.iter().filter(|(n, _)| *n > PER_KIND) {
        let severity = if first.is_error() { "error" } else { "warning" };
        let more = n - PER_KIND;
        let line =
            format!("... and {more} more {severity}{} like: {}", if more == 1 { "" } else { "s" }, first.message);
        text.push_str(&paint(color, Style::new().bold(), &line));
        text.push('\n');
        hidden = true;
    }
    if hidden {
        text.push_str(&format!(
            "(at most {PER_KIND} of each kind are shown; `conceptbook check --format json` lists every one)\n\n"
        ));
    }
    if !diags.is_empty() {
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let style = if errors > 0 { ERROR } else { WARNING };
        let count = count_line(errors, diags.len() - errors);
        text.push_str(&paint(color, style.bold(), &count));
        text.push('\n');
    }
    text
}

/// A diagnostic's message with its particulars taken out: what is in backticks, and every
/// word with a path or a number in it. `title `Overview` is also the title of
/// content/n0.md` and the same message about another note are one kind.
fn kind_of(message: &str) -> String {
    let mut shape = String::with_capacity(message.len());
    for (i, part) in message.split('`').enumerate() {
        if i % 2 == 1 {
            shape.push_str("`…`");
            continue;
        }
        for (j, word) in part.split(' ').enumerate() {
            if j > 0 {
                shape.push(' ');
            }
            let particular = word.contains(['/', '\\']) || word.chars().any(|c| c.is_ascii_digit());
            shape.push_str(if particular { "…" } else { word });
        }
    }
    shape
}

const ERROR: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::BrightRed)));
const WARNING: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::BrightYellow)));

fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// `[1/2] content/lora.md:9:3: error: link `pefd` names no note`
fn header(n: usize, of: usize, d: &Diagnostic, color: bool) -> String {
    let mut place = d.path.to_string();
    if d.line > 0 {
        place.push_str(&format!(":{}", d.line));
        if d.column > 0 {
            place.push_str(&format!(":{}", d.column));
        }
    }
    let (kind, style) = match d.severity {
        Severity::Error => ("error", ERROR),
        Severity::Warning => ("warning", WARNING),
    };
    format!(
        "{} {}: {}{}",
        paint(color, Style::new().dimmed(), &format!("[{n}/{of}]")),
        paint(color, Style::new().bold(), &place),
        paint(color, style.bold(), kind),
        paint(color, Style::new().bold(), &format!(": {}", d.message)),
    )
}

/// Longer lines are cut to a window around the span, so a minified line stays readable.
const MAX_LINE: usize = 160;

/// The quoted source line with its caret, and the help; empty when there is neither.
fn body(d: &Diagnostic, line: Option<&str>, color: bool) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let mut group = Group::with_level(level.clone());
    let window;
    if let Some(line) = line {
        let (text, start, len) = cut(line, d.column.saturating_sub(1), d.span);
        window = text;
        let from = byte_of(&window, start);
        let to = byte_of(&window, start + len.max(1));
        group = group.element(
            Snippet::source(window.as_str()).line_start(d.line).annotation(AnnotationKind::Primary.span(from..to)),
        );
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if group.is_empty() {
        return String::new();
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut text = renderer.render(&[group]);
    text.push('\n');
    text
}

/// The line (or a window of it) and the span's start and length in characters within it.
fn cut(line: &str, start: usize, len: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let start = start.min(chars.len());
    let len = len.min(chars.len() - start);
    if chars.len() <= MAX_LINE {
        return (line.to_string(), start, len);
    }
    let from = start.saturating_sub(40);
    let to = (from + MAX_LINE).min(chars.len()).max(start + len.min(MAX_LINE));
    let mut text = String::new();
    let mut shift = 0;
    if from > 0 {
        text.push('…');
        shift = 1;
    }
    text.extend(&chars[from..to]);
    if to < chars.len() {
        text.push('…');
    }
    (text, start - from + shift, len.min(to - start))
}

/// The byte offset of character `i` of `s` (its length when past the end).
fn byte_of(s: &str, i: usize) -> usize {
    s.char_indices().nth(i).map_or(s.len(), |(b, _)| b)
}

/// The site's files, read once each, decoded like the build decodes them.
struct Sources<'a> {
    root: &'a Path,
    files: HashMap<RelPath, Option<Lines>>,
}

/// A file's text and where each of its lines (as `str::lines` splits them) lies, so that
/// a file with thousands of problems is not walked from its start for each.
struct Lines {
    text: String,
    spans: Vec<std::ops::Range<usize>>,
}

impl Sources<'_> {
    fn line(&mut self, path: &RelPath, line: usize) -> Option<String> {
        let root = self.root;
        let lines = self.files.entry(path.clone()).or_insert_with(|| {
            let bytes = std::fs::read(path.to_fs(root)).ok()?;
            let text = source::decode(bytes).ok()?;
            let spans = text
                .lines()
                .map(|l| {
                    let start = l.as_ptr() as usize - text.as_ptr() as usize;
                    start..start + l.len()
                })
                .collect();
            Some(Lines { text, spans })
        });
        let lines = lines.as_ref()?;
        lines.spans.get(line.checked_sub(1)?).map(|span| lines.text[span.clone()].to_string())
    }
}

pub fn count_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// One diagnostic as `check --format json` prints it. `line` and `column` are 1-based,
/// `null` when the problem has no position (a missing key, a whole file).
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
}

/// Every diagnostic as a JSON array (`[]` when there is none), for editors and CI.
pub fn json(diags: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic> = diags
        .iter()
        .map(|d| JsonDiagnostic {
            path: d.path.as_str(),
            line: (d.line > 0).then_some(d.line),
            column: (d.line > 0 && d.column > 0).then_some(d.column),
            severity: d.severity,
            message: &d.message,
            help: d.help.as_deref(),
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string())
}

pub fn timings(out: &mut dyn Write, timings: &Timings) -> std::io::Result<()> {
    for (stage, d) in &timings.stages {
        writeln!(out, "  {stage:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0)?;
    }
    Ok(())
}

/// `1 note`, `2 notes`: a count with its noun (one that takes an `s`).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `1.9 MB`, `840 KB`, `12 B`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{} KB", b / 1000),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Pos;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = t.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        t
    }

    #[test]
    fn a_kind_is_the_message_without_its_particulars() {
        let a = kind_of("title `Overview` is also the title of content/n0.md");
        assert_eq!(a, "title `…` is also the title of …");
        assert_eq!(a, kind_of("title `概览` is also the title of content/sub/x.md"));
        assert_ne!(kind_of("link `x` names no note"), kind_of("parent `x` names no note"));
        assert_eq!(kind_of("a page of 1.2 MB"), kind_of("a page of 3.4 MB"));
    }

    #[test]
    fn quotes_the_line_with_a_caret_under_the_span() {
        let t = site(&[("content/lora.md", "+++\r\ntitle = \"x\"\r\n+++\r\n见 [[pefd]]。\r\n")]);
        let d = Diagnostic::error(&RelPath::new("content/lora.md"), "link `pefd` names no note")
            .at(Pos { line: 4, column: 3 })
            .spanning(8)
            .help("did you mean `peft`?");
        let text = render(&[d], t.path(), false);
        assert_eq!(
            text,
            "[1/1] content/lora.md:4:3: error: link `pefd` names no note\n  |\n4 | 见 [[pefd]]。\n  |    ^^^^^^^^\n  |\n  = help: did you mean `peft`?\n\n1 error\n"
        );
    }

    #[test]
    fn without_a_line_there_is_only_the_help() {
        let t = site(&[]);
        let d = Diagnostic::warning(&RelPath::new("book.toml"), "odd").help("fix it\nlike this");
        let text = render(&[d], t.path(), false);
        assert_eq!(text, "[1/1] book.toml: warning: odd\n = help: fix it\n         like this\n\n1 warning\n");
        let bare = Diagnostic::error(&RelPath::new("gone.md"), "gone").at(Pos { line: 3, column: 1 });
        assert_eq!(render(&[bare], t.path(), false), "[1/1] gone.md:3:1: error: gone\n\n1 error\n");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("{}[[x]]{}", "a".repeat(500), "b".repeat(500));
        let (text, start, len) = cut(&line, 500, 5);
        assert!(text.chars().count() <= MAX_LINE + 2);
        assert_eq!(text.chars().skip(start).take(len).collect::<String>(), "[[x]]");
    }

    #[test]
    fn colour_only_when_asked() {
        let t = site(&[]);
        let d = Diagnostic::error(&RelPath::new("a.md"), "bad");
        assert!(!render(std::slice::from_ref(&d), t.path(), false).contains('\x1b'));
        assert!(render(&[d], t.path(), true).contains("\x1b["));
    }
}
