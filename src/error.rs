//! Diagnostics: every problem a build finds, with where it happened and how to fix it.
//!
//! Stages never stop at the first problem: they collect `Diagnostic`s, and `main` prints
//! them all, sorted by file, line and column, numbered and counted. A diagnostic carries
//! the file (`RelPath`), a 1-based line and column where there is one, a message and an
//! optional `help` (usually "did you mean ...", from [`suggest`]).

use crate::paths::RelPath;
pub use crate::suggest::Suggester;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub path: RelPath,
    /// 1-based; 0 when the problem has no line (a missing key, a whole file).
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub column: usize,
    /// How many characters from `column` the problem spans, on its line; 0 when unknown
    /// (the report then points at one character).
    #[serde(skip)]
    pub span: usize,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(path: &RelPath, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: path.clone(),
            line: 0,
            column: 0,
            span: 0,
            severity: Severity::Error,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(path: &RelPath, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, message) }
    }

    pub fn at(mut self, pos: Pos) -> Diagnostic {
        self.line = pos.line;
        self.column = pos.column;
        self
    }

    /// The same problem, reported against another file.
    pub fn with_path(mut self, path: &RelPath) -> Diagnostic {
        self.path = path.clone();
        self
    }

    /// Sets how many characters the problem spans from its column.
    pub fn spanning(mut self, chars: usize) -> Diagnostic {
        self.span = chars;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (&RelPath, usize, usize, Severity, &str) {
        (&self.path, self.line, self.column, self.severity, &self.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {kind}: {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// A 1-based line and column in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// The position of byte `offset` in `text` (column counted in characters).
    pub fn of_offset(text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Pos { line, column: before[line_start..].chars().count() + 1 }
    }

    /// How many characters of `text`'s line `self.line` lie from `self.column` to the end of
    /// the line, trailing blanks left out: the span of "this whole `key = value` line".
    pub fn rest_of_line(self, text: &str) -> usize {
        let Some(line) = self.line.checked_sub(1).and_then(|i| text.lines().nth(i)) else {
            return 0;
        };
        line.trim_end().chars().skip(self.column.saturating_sub(1)).count()
    }
}

/// Positions of many offsets in one text, in one pass when they come in order: a huge note
/// with thousands of links costs its length once, not once per link.
pub struct Positions<'a> {
    text: &'a str,
    offset: usize,
    pos: Pos,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Positions<'a> {
        Positions { text, offset: 0, pos: Pos { line: 1, column: 1 } }
    }

    /// The position of byte `offset` (as [`Pos::of_offset`]); cheap when offsets grow.
    pub fn at(&mut self, offset: usize) -> Pos {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        if offset < self.offset {
            *self = Positions::new(self.text);
        }
        let step = &self.text[self.offset..offset];
        match step.rfind('\n') {
            Some(last) => {
                self.pos.line += step.matches('\n').count();
                self.pos.column = step[last + 1..].chars().count() + 1;
            }
            None => self.pos.column += step.chars().count(),
        }
        self.offset = offset;
        self.pos
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Sorts diagnostics by file, line and column, and drops exact duplicates.
pub fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
    diags
}

/// The closest candidate to `word` within a small edit distance, if any is close: see
/// [`Suggester::suggest`]; a list checked against many words is better prepared once.
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    Suggester::new(candidates).suggest(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "ab\n低秩x";
        assert_eq!(Pos::of_offset(text, 0), Pos { line: 1, column: 1 });
        assert_eq!(Pos::of_offset(text, 3), Pos { line: 2, column: 1 });
        assert_eq!(Pos::of_offset(text, "ab\n低秩".len()), Pos { line: 2, column: 3 });
    }

    #[test]
    fn positions_in_one_pass_match_one_by_one() {
        let text = "ab\n低秩x\n\nlast line";
        let mut p = Positions::new(text);
        for offset in [0, 1, 3, 6, 9, 10, 11, 4, 0, 100, 5] {
            assert_eq!(p.at(offset), Pos::of_offset(text, offset), "{offset}");
        }
    }

    #[test]
    fn rest_of_line_counts_characters() {
        let text = "a\nslug = \"低秩\"  \nz";
        assert_eq!(Pos { line: 2, column: 1 }.rest_of_line(text), 11);
        assert_eq!(Pos { line: 2, column: 8 }.rest_of_line(text), 4);
        assert_eq!(Pos { line: 9, column: 1 }.rest_of_line(text), 0);
    }

    #[test]
    fn suggestions_are_bounded() {
        let keys = ["title", "summary", "related", "parent"];
        assert_eq!(suggest("realted", keys), Some("related"));
        assert_eq!(suggest("petf", ["peft", "lora"]), Some("peft"));
        assert_eq!(suggest("Title", keys), Some("title"));
        assert_eq!(suggest("zzzzzz", keys), None);
    }
}
