//! What authors write that could run in a reader's browser: raw HTML in a body, and the
//! URLs of Markdown links and images.
//!
//! Raw HTML goes through ammonia (an allow-list sanitizer on html5ever): harmless markup
//! stays (`<details>`, `<summary>`, `<kbd>`, `<sup>`, `<sub>`, `<br>`, tables, `<img>` with
//! an http(s) or relative `src`…); scripts, styles, event handlers, `style` attributes and
//! URLs with a scheme not on the list (`javascript:`, `data:`, `vbscript:`…) go. A link or
//! image URL in Markdown is held to the same list of schemes.
//!
//! Only what an author wrote is sanitized, never conceptbook's own markup (headings, note
//! links, highlighted code, MathML, callouts). The raw fragments of one body are cleaned
//! together, with a placeholder for each stretch of generated markup between them, so a
//! `<details>` opened in one HTML block and closed in another keeps its Markdown inside.
//! Should the sanitizer move or drop a placeholder (a table's foster parenting), each
//! fragment is cleaned on its own instead: less kind to odd markup, just as safe.
//!
//! book.toml's `[build] trusted-html = true` turns all of this off for sites whose
//! authors are all trusted.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The URL schemes a link or image may use; a URL without a scheme (relative, `#id`) is
/// always fine.
const SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "ftps", "sftp", "ssh", "irc", "ircs", "magnet", "geo", "news", "nntp",
    "sip", "sms", "xmpp", "webcal", "bitcoin",
];

/// Whether a Markdown link or image may keep `url`: no scheme, or one on the list.
/// Browsers drop tabs and newlines inside a URL and leading spaces and controls before
/// it (`java\tscript:` is `javascript:`), so the scheme is read the same way.
pub fn url_is_safe(url: &str) -> bool {
    let cleaned: String =
        url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    match scheme(&cleaned) {
        None => true,
        Some(s) => SCHEMES.iter().any(|k| k.eq_ignore_ascii_case(s)),
    }
}

/// The scheme of a URL (the letters before the first `:`, when no `/`, `?` or `#` comes
/// before it).
fn scheme(url: &str) -> Option<&str> {
    let end = url.find([':', '/', '?', '#'])?;
    if !url[end..].starts_with(':') {
        return None;
    }
    let s = &url[..end];
    let mut chars = s.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    // Anything else before the colon (`a b:`, `微调:x`) is a relative path to a browser.
    valid.then_some(s)
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(SCHEMES.iter().copied().collect::<HashSet<_>>()).add_tag_attributes("details", ["open"]);
        b
    })
}

/// Sanitized HTML for one fragment on its own.
pub fn clean(fragment: &str) -> String {
    cleaner().clean(fragment).to_string()
}

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The raw HTML fragments of one body, in order, sanitized; one string for each.
pub fn fragments(raw: &[&str]) -> Vec<String> {
    if raw.len() <= 1 {
        return raw.iter().map(|f| clean(f)).collect();
    }
    let mut joined = String::new();
    for (i, f) in raw.iter().enumerate() {
        if i > 0 {
            joined.push(OPEN);
            joined.push_str(&(i - 1).to_string());
            joined.push(CLOSE);
        }
        joined.push_str(f);
    }
    let cleaned = clean(&joined);
    split_at_placeholders(&cleaned, raw.len() - 1).unwrap_or_else(|| raw.iter().map(|f| clean(f)).collect())
}

/// `cleaned` cut at the placeholders `0..n`, when all of them are there, in order, and
/// each stands in text (never inside a tag or an attribute value); `None` otherwise.
fn split_at_placeholders(cleaned: &str, n: usize) -> Option<Vec<String>> {
    let mut pieces = Vec::with_capacity(n + 1);
    let (mut in_tag, mut quoted) = (false, false);
    let mut start = 0;
    let mut next = 0;
    let mut chars = cleaned.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '<' if !in_tag => in_tag = true,
            '"' if in_tag => quoted = !quoted,
            '>' if in_tag && !quoted => in_tag = false,
            OPEN => {
                if in_tag {
                    return None;
                }
                let digits_start = i + c.len_utf8();
                let close = cleaned[digits_start..].find(CLOSE)? + digits_start;
                if cleaned[digits_start..close].parse::<usize>().ok()? != next {
                    return None;
                }
                pieces.push(cleaned[start..i].to_string());
                next += 1;
                start = close + CLOSE.len_utf8();
                while chars.peek().is_some_and(|&(j, _)| j < start) {
                    chars.next();
                }
            }
            CLOSE => return None,
            _ => {}
        }
    }
    if next != n {
        return None;
    }
    pieces.push(cleaned[start..].to_string());
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        for ok in
            ["https://a.b/c", "http://x", "lora.html", "#x", "../a/b.png", "mailto:a@b.c", "a b:c", "微调:x", "?q=1:2"]
        {
            assert!(url_is_safe(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:x",
            " javascript:x",
            "java\tscript:x",
            "\u{1}javascript:x",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
        ] {
            assert!(!url_is_safe(bad), "{bad}");
        }
    }

    #[test]
    fn harmful_markup_goes_and_harmless_stays() {
        let out = clean("<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:x\">a</a><p style=\"position:fixed\">p</p>");
        assert!(
            !out.contains("script")
                && !out.contains("onerror")
                && !out.contains("javascript")
                && !out.contains("style"),
            "{out}"
        );
        let kept = clean("<details open><summary>s</summary><kbd>Ctrl</kbd> x<sup>2</sup><sub>i</sub><br><img src=\"https://a.b/c.png\" alt=\"c\"></details>");
        assert_eq!(kept, "<details open=\"\"><summary>s</summary><kbd>Ctrl</kbd> x<sup>2</sup><sub>i</sub><br><img src=\"https://a.b/c.png\" alt=\"c\"></details>");
        assert_eq!(clean("<img src=\"data:image/png;base64,AAAA\">"), "<img>");
    }

    #[test]
    fn fragments_are_cleaned_together_around_generated_markup() {
        let out = fragments(&["<details><summary>s</summary>\n", "</details>\n"]);
        assert_eq!(out, ["<details><summary>s</summary>\n", "</details>\n"]);
        // A placeholder inside an attribute value, or a fake one an author wrote there:
        // each fragment is cleaned on its own, so generated markup never lands in a tag.
        for raw in [["<div title=\"", "\">"], ["<abbr title=\"\u{E000}0\u{E001}\">", "</abbr>"]] {
            assert_eq!(fragments(&raw), [clean(raw[0]), clean(raw[1])]);
        }
    }
}
