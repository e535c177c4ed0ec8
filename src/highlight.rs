//! Code highlighting at build time, with syntect, into compact class-based HTML.
//!
//! syntect parses each fenced block with the syntax named by the fence (its bundled
//! syntaxes, loaded once per process from the binary dump). Rather than one span per scope
//! (dozens of long class names per line), each run of text is classified into one of a few
//! token kinds (keyword, string, comment, number, function, type, …) and written as
//! `<span class="hl-k">`: output stays small, and `static/css/highlight.css` colours the
//! kinds for light and dark themes (a site can override that file). An unknown language is
//! escaped plain text, never an error.

use crate::html::escape;
use std::sync::OnceLock;
use syntect::easy::ScopeRangeIterator;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Scope prefixes and the token kind they mean, most specific first. Comments and strings
/// win wherever they appear in the stack; otherwise the innermost scope decides.
fn kinds() -> &'static Kinds {
    static KINDS: OnceLock<Kinds> = OnceLock::new();
    KINDS.get_or_init(|| {
        let s = |name: &str| Scope::new(name).expect("valid scope");
        Kinds {
            comment: s("comment"),
            string: s("string"),
            by_innermost: vec![
                (s("constant.numeric"), "n"),
                (s("constant.character.escape"), "e"),
                (s("constant"), "c"),
                (s("keyword.operator"), "o"),
                (s("keyword"), "k"),
                (s("storage.type"), "k"),
                (s("storage.modifier"), "k"),
                (s("entity.name.function"), "f"),
                (s("variable.function"), "f"),
                (s("support.function"), "f"),
                (s("entity.name.class"), "t"),
                (s("entity.name.type"), "t"),
                (s("entity.other.inherited-class"), "t"),
                (s("support.type"), "t"),
                (s("support.class"), "t"),
                (s("entity.name.tag"), "g"),
                (s("entity.other.attribute-name"), "a"),
                (s("variable.parameter"), "v"),
                (s("variable.language"), "b"),
                (s("support"), "b"),
                (s("entity.name"), "t"),
                (s("meta.decorator"), "d"),
                (s("markup.heading"), "h"),
                (s("markup.inserted"), "i"),
                (s("markup.deleted"), "r"),
            ],
        }
    })
}

struct Kinds {
    comment: Scope,
    string: Scope,
    by_innermost: Vec<(Scope, &'static str)>,
}

impl Kinds {
    fn classify(&self, stack: &[Scope]) -> Option<&'static str> {
        if stack.iter().any(|s| self.comment.is_prefix_of(*s)) {
            return Some("cm");
        }
        if stack.iter().any(|s| self.string.is_prefix_of(*s)) {
            let escape =
                stack.last().is_some_and(|s| Scope::new("constant.character.escape").is_ok_and(|e| e.is_prefix_of(*s)));
            return Some(if escape { "e" } else { "s" });
        }
        stack
            .iter()
            .rev()
            .find_map(|scope| self.by_innermost.iter().find(|(p, _)| p.is_prefix_of(*scope)).map(|(_, k)| *k))
    }
}

/// A `<pre>` block for `code` written in `lang` (a fence's first word; may be empty).
pub fn code_block(code: &str, lang: &str) -> String {
    let set = syntaxes();
    let syntax = (!lang.is_empty()).then(|| set.find_syntax_by_token(lang)).flatten();
    let lang_attr = if lang.is_empty() { String::new() } else { format!(" data-lang=\"{}\"", escape(lang)) };
    let inner = syntax.and_then(|s| highlight(code, ParseState::new(s), set)).unwrap_or_else(|| escape(code));
    // tabindex: a block wider than the page scrolls, and keyboard users must reach it too.
    format!("<pre class=\"code\" tabindex=\"0\"{lang_attr}><code>{inner}</code></pre>\n")
}

fn highlight(code: &str, mut state: ParseState, set: &SyntaxSet) -> Option<String> {
    let kinds = kinds();
    let mut stack = ScopeStack::new();
    let mut out = String::with_capacity(code.len() * 2);
    let mut run: (Option<&str>, String) = (None, String::new());
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, set).ok()?;
        for (range, op) in ScopeRangeIterator::new(&ops, line) {
            stack.apply(op).ok()?;
            let text = &line[range];
            if !text.is_empty() {
                let kind = if text.trim().is_empty() { run.0 } else { kinds.classify(stack.as_slice()) };
                if kind != run.0 {
                    flush(&mut out, &mut run);
                    run.0 = kind;
                }
                run.1.push_str(text);
            }
        }
    }
    flush(&mut out, &mut run);
    Some(out)
}

fn flush(out: &mut String, run: &mut (Option<&str>, String)) {
    if run.1.is_empty() {
        return;
    }
    match run.0 {
        Some(kind) => {
            out.push_str("<span class=\"hl-");
            out.push_str(kind);
            out.push_str("\">");
            out.push_str(&escape(&run.1));
            out.push_str("</span>");
        }
        None => out.push_str(&escape(&run.1)),
    }
    run.1.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_compactly() {
        let html = code_block("def f(x):\n    return \"s\"  # c\n", "python");
        assert!(
            html.contains(
                "<span class=\"hl-k\">def </span><span class=\"hl-f\">f</span>(<span class=\"hl-v\">x</span>)"
            ),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-s\">&quot;s&quot;  </span>"), "{html}");
        assert!(html.contains("<span class=\"hl-cm\"># c\n</span>"), "{html}");
        assert!(html.starts_with("<pre class=\"code\" tabindex=\"0\" data-lang=\"python\"><code>"));
    }

    /// Every token colour of static/css/highlight.css reads at WCAG AA (4.5:1) on the code
    /// background (`--bg-soft` in style.css), light and dark.
    #[test]
    fn token_colours_read_at_aa_on_the_code_background() {
        let css = include_str!("../static/css/highlight.css");
        let rgb = |hex: &str| -> [f64; 3] {
            let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            [v(0), v(2), v(4)]
        };
        let lum = |c: [f64; 3]| {
            let l = |c: f64| if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
            0.2126 * l(c[0]) + 0.7152 * l(c[1]) + 0.0722 * l(c[2])
        };
        let contrast = |a: f64, b: f64| (a.max(b) + 0.05) / (a.min(b) + 0.05);
        let dark_at = css.find(":root[data-theme=\"dark\"]").unwrap();
        let mut checked = 0;
        for (block, bg) in [(&css[..dark_at], "f6f7f9"), (&css[dark_at..], "1b1e24")] {
            let block = &block[..block.find('}').unwrap()];
            for (i, _) in block.match_indices(": #") {
                let hex = &block[i + 3..i + 9];
                let c = contrast(lum(rgb(hex)), lum(rgb(bg)));
                assert!(c >= 4.5, "#{hex} on #{bg}: {c:.2}");
                checked += 1;
            }
        }
        assert_eq!(checked, 2 * 17);
    }

    #[test]
    fn unknown_languages_are_escaped_text() {
        let html = code_block("<b>x</b>\n", "no-such-lang");
        assert_eq!(
            html,
            "<pre class=\"code\" tabindex=\"0\" data-lang=\"no-such-lang\"><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n"
        );
    }
}
