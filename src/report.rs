//! Printing what a command did: diagnostics, numbered and counted, and the summary line.

use crate::error::{Diagnostic, Severity};
use crate::pipeline::Timings;
use std::io::Write;

/// Prints every diagnostic, numbered, then a count line.
pub fn diagnostics(out: &mut dyn Write, diags: &[Diagnostic]) -> std::io::Result<()> {
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    for (i, d) in diags.iter().enumerate() {
        writeln!(out, "[{}/{}] {d}", i + 1, diags.len())?;
    }
    if !diags.is_empty() {
        writeln!(out, "{}", count_line(errors, warnings))?;
    }
    Ok(())
}

pub fn count_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

pub fn timings(out: &mut dyn Write, timings: &Timings) -> std::io::Result<()> {
    for (stage, d) in &timings.stages {
        writeln!(out, "  {stage:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0)?;
    }
    Ok(())
}

/// `1.9 MB`, `840 KB`, `12 B`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{} KB", b / 1000),
        b => format!("{b} B"),
    }
}
