//! Names shared by every stage: slugs, lookup keys, heading anchors, page names, and the
//! vocabulary of references. The bottom layer: it imports nothing of this crate but paths.

use crate::paths::RelPath;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Parent,
    Related,
    /// `[[target]]` or `[[target|text]]` in the body.
    Wiki,
    /// `[text](other.md#x)` in the body; the target is the linked file's `RelPath`.
    File,
}

/// A heading of a body, with its final id.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// NFKC-folded, lower-cased, whitespace collapsed: how titles and aliases compare.
pub fn name_key(s: &str) -> String {
    let mut key = String::with_capacity(s.len());
    let mut push_word = |word: &str| {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    };
    if s.is_ascii() {
        s.split_ascii_whitespace().for_each(|w| push_word(&w.to_ascii_lowercase()));
    } else {
        let folded: String = s.nfkc().flat_map(char::to_lowercase).collect();
        folded.split_whitespace().for_each(push_word);
    }
    key
}

/// `slug#anchor` into its two parts.
pub fn split_anchor(s: &str) -> (String, Option<String>) {
    match s.split_once('#') {
        Some((t, a)) => (t.trim().to_string(), Some(a.trim().to_string()).filter(|a| !a.is_empty())),
        None => (s.trim().to_string(), None),
    }
}

/// Which of `buckets` files holds `slug`: FNV-1a over its bytes, as the scripts that look a
/// slug up compute it (`glossary.html`'s and `js/preview.js`; slugs are ASCII).
pub fn slug_bucket(slug: &str, buckets: usize) -> usize {
    let mut h: u32 = 2_166_136_261;
    for b in slug.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
    }
    h as usize % buckets
}

/// The longest slug, in bytes. A slug names files (`<slug>.html`, `map/<slug>.html`,
/// `children/<slug>.p12.html`, …), and a file system takes at most 255 bytes a name; this
/// leaves room to spare, and a URL one can still read.
pub const MAX_SLUG: usize = 100;

/// `s` as a slug (see [`slugify_ascii`]) of at most [`MAX_SLUG`] bytes.
pub fn short_slug(s: &str) -> String {
    let slug = slugify_ascii(s);
    slug[..slug.len().min(MAX_SLUG)].trim_end_matches('-').to_string()
}

/// `^[a-z0-9]+(-[a-z0-9]+)*$`
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A best-effort slug suggestion for a bad one.
pub fn slugify_ascii(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "note".to_string()
    } else {
        out
    }
}

/// A heading id: NFKC-folded, lower-cased; letters and digits of any script kept (so
/// Chinese headings keep their text), everything else collapsed to single hyphens.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "section".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The page of the note with this slug.
pub fn note_page(slug: &str) -> RelPath {
    RelPath::new(&format!("{slug}.html"))
}

/// The anchor of a tag on the tags page.
pub fn tag_id(tag: &str) -> String {
    format!("tag-{}", slugify(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_the_scripts() {
        // Math.imul(h ^ c, 16777619) >>> 0 over "lora", starting from 2166136261.
        assert_eq!(slug_bucket("lora", 1 << 31), 0xf132_4c41 % (1 << 31));
    }
}
