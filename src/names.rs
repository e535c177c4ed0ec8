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
    /// `![x](img/pic.png)` or `[x](doc.pdf)` in the body, or an Obsidian embed
    /// `![[pic.png]]` (`by_name`: found by file name too): an attachment, not a note; the
    /// target is the URL as written (see `crate::attachments`). `image`: shown, not linked.
    Attachment {
        by_name: bool,
        image: bool,
    },
}

/// Whether a file name is a note's: `.md` or `.markdown`, in any case (`Notes.MD`, as
/// Windows and Hugo users have them). Any other file under content/ is no note.
pub fn is_note_file(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && (ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown"))
    })
}

/// The home page's Markdown file (`[home](index.md)` from a note at the top of content/).
pub const HOME_FILE: &str = "content/index.md";

/// Whether a reference means the home page (`index.html`, always made): a link to its
/// body's file, or `[[index]]`, the name no note may take (a reserved slug), as an
/// Obsidian vault's index note is linked.
pub fn is_home_ref(kind: RefKind, target: &str) -> bool {
    match kind {
        RefKind::File => target == HOME_FILE,
        RefKind::Wiki => target.trim().eq_ignore_ascii_case("index"),
        _ => false,
    }
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

/// A best-effort slug suggestion for a bad one, made of what can be spelled in ASCII:
/// accents dropped (`Café Bar` → `cafe-bar`), Han characters in toneless pinyin
/// (`大语言模型` → `da-yu-yan-mo-xing`), a Notion export's trailing 32-hex-digit id left out
/// (`My Page 8f3a…` → `my-page`). A name with nothing of that (`Привет`) gets `note-` and 8
/// hex digits of a hash of it, so that no two such files are told to take the same slug.
pub fn slugify_ascii(s: &str) -> String {
    let name = without_notion_id(s);
    let mut spelled = String::with_capacity(name.len());
    for c in name.nfkd().filter(|&c| !unicode_normalization::char::is_combining_mark(c)) {
        match (pinyin::ToPinyin::to_pinyin(&c), ascii_letters(c)) {
            // A word of its own each: 微调 is `wei-tiao`, not `weitiao`.
            (Some(p), _) => {
                spelled.push(' ');
                spelled.push_str(&p.plain().replace('ü', "v"));
                spelled.push(' ');
            }
            (None, Some(letters)) => spelled.push_str(letters),
            (None, None) => spelled.push(c),
        }
    }
    let mut out = String::new();
    for c in spelled.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        format!("note-{}", short_hash(s))
    } else {
        out
    }
}

/// The ASCII of a Latin letter that does not decompose into a letter and accents.
fn ascii_letters(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        _ => return None,
    })
}

/// A Notion export's file name without the page id Notion appends (`My Page 8f3a…`, 32
/// hex digits): the id says nothing to a reader of the URL.
fn without_notion_id(s: &str) -> &str {
    match s.trim_end().rsplit_once(' ') {
        Some((name, id)) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !name.trim().is_empty() => {
            name
        }
        _ => s,
    }
}

/// A heading id: NFKC-folded, lower-cased; letters and digits of any script kept (so
/// Chinese headings keep their text), everything else collapsed to single hyphens.
pub fn slugify(text: &str) -> String {
    let words = slug_words(text);
    if words.is_empty() {
        "section".to_string()
    } else {
        words
    }
}

/// The heading an anchor names: by its id (`#lora-原理`), else by its text as Obsidian
/// writes it (`[[LoRA#LoRA 原理]]`), made into an id the way [`slugify`] makes every id.
pub fn find_heading<'h>(headings: &'h [Heading], anchor: &str) -> Option<&'h Heading> {
    headings.iter().find(|h| h.id == anchor).or_else(|| {
        let id = slugify(anchor);
        headings.iter().find(|h| h.id == id)
    })
}

/// [`slugify`] without its fallback: empty for a text with no letter or digit.
fn slug_words(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(out.trim_end_matches('-').len());
    out
}

/// The page of the note with this slug.
pub fn note_page(slug: &str) -> RelPath {
    RelPath::new(&format!("{slug}.html"))
}

/// How many bytes of a tag's slug its key keeps before the hash that stands for the rest:
/// with `tags/` and `.p12.html` around it, a tag page's name stays far below the 255 bytes
/// file systems take.
const TAG_KEY_CUT: usize = 90;

/// Each distinct tag's key: its anchor on the tags page (`tag-<key>`) and its pages
/// (`tags/<key>.html`). An ordinary tag's key is its slug, as it always was; a tag with no
/// letter or digit (`🔥`, `!!!`) has 8 hex digits of a hash of it instead, and a slug longer
/// than [`TAG_KEY_CUT`] bytes is cut there, at a character's end, plus that hash. Tags whose
/// keys still meet (`C#` and `C++` are both `c`, `Ω` and `ω` both `ω`) take them in the byte
/// order of the tags: the first keeps the key, the next get `-2`, `-3`, … (skipping any key
/// another tag has), so a key depends only on the set of tags.
pub fn tag_keys<'a>(tags: impl IntoIterator<Item = &'a str>) -> rustc_hash::FxHashMap<&'a str, String> {
    let mut tags: Vec<&str> = tags.into_iter().collect();
    tags.sort_unstable();
    tags.dedup();
    let wanted: Vec<String> = tags.iter().map(|t| tag_key_wanted(t)).collect();
    let claimed: rustc_hash::FxHashSet<&str> = wanted.iter().map(String::as_str).collect();
    let mut taken: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
    // The next suffix to try for each key, so that thousands of tags meeting on one key
    // (`C#`, `C++`, `C+++`, …) do not try every suffix from 2 again.
    let mut next: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut keys = rustc_hash::FxHashMap::default();
    for (tag, want) in tags.into_iter().zip(&wanted) {
        let key = if taken.contains(want) {
            let n = next.entry(want.as_str()).or_insert(2);
            loop {
                let k = format!("{want}-{n}");
                *n += 1;
                if !claimed.contains(k.as_str()) && !taken.contains(&k) {
                    break k;
                }
            }
        } else {
            want.clone()
        };
        taken.insert(key.clone());
        keys.insert(tag, key);
    }
    keys
}

/// The key `tag` has unless another tag has it too (see [`tag_keys`]).
fn tag_key_wanted(tag: &str) -> String {
    let mut words = slug_words(tag);
    if words.is_empty() {
        return short_hash(tag);
    }
    if words.len() > TAG_KEY_CUT {
        let mut cut = TAG_KEY_CUT;
        while !words.is_char_boundary(cut) {
            cut -= 1;
        }
        words.truncate(words[..cut].trim_end_matches('-').len());
        words = format!("{words}-{}", short_hash(tag));
    }
    // `tags/con.html` is a file Windows cannot hold.
    if is_windows_device(&words) {
        words.push_str("-tag");
    }
    words
}

/// Whether `name` is a device name on Windows (`con`, `prn`, `aux`, `nul`, `com1`–`com9`,
/// `lpt1`–`lpt9`): there, no file may be called `con.html` or `con.anything`, so a page of
/// that name could not be written or checked out.
pub fn is_windows_device(name: &str) -> bool {
    matches!(name, "con" | "prn" | "aux" | "nul")
        || name
            .strip_prefix("com")
            .or_else(|| name.strip_prefix("lpt"))
            .is_some_and(|n| n.len() == 1 && (b'1'..=b'9').contains(&n.as_bytes()[0]))
}

/// 8 hex digits of the FNV-1a hash of `s`: the same on every machine and every build.
fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_that_slugify_alike_get_keys_of_their_own() {
        let keys = tag_keys(["C++", "C#", "C 2", "Rust", "🔥", "🚀", "Ω", "ω", "机器学习"]);
        assert_eq!(keys["C#"], "c");
        assert_eq!(keys["C++"], "c-3", "c-2 is C 2's");
        assert_eq!(keys["C 2"], "c-2");
        assert_eq!((keys["Rust"].as_str(), keys["机器学习"].as_str()), ("rust", "机器学习"));
        assert_eq!((keys["Ω"].as_str(), keys["ω"].as_str()), ("ω", "ω-2"));
        assert!(keys["🔥"].len() == 8 && keys["🔥"] != keys["🚀"], "{keys:?}");
        let long = "ω".repeat(300);
        let key = &tag_keys([long.as_str()])[long.as_str()];
        assert!(key.len() <= TAG_KEY_CUT + 9 && key.starts_with("ωω"), "{key}");
    }

    #[test]
    fn buckets_match_the_scripts() {
        // Math.imul(h ^ c, 16777619) >>> 0 over "lora", starting from 2166136261.
        assert_eq!(slug_bucket("lora", 1 << 31), 0xf132_4c41 % (1 << 31));
    }

    #[test]
    fn slug_suggestions_spell_what_they_can() {
        assert_eq!(slugify_ascii("大语言模型"), "da-yu-yan-mo-xing");
        assert_eq!(slugify_ascii("LoRA注意力"), "lora-zhu-yi-li");
        assert_eq!(slugify_ascii("Café Bar"), "cafe-bar");
        assert_eq!(slugify_ascii("Straße Ærø"), "strasse-aero");
        assert_eq!(slugify_ascii("绿"), "lv");
        assert_eq!(slugify_ascii("My Page 8f3a2b1c9d4e4f5a8b7c6d5e4f3a2b1c"), "my-page");
        assert_eq!(slugify_ascii("8f3a2b1c9d4e4f5a8b7c6d5e4f3a2b1c"), "8f3a2b1c9d4e4f5a8b7c6d5e4f3a2b1c");
        let (a, b) = (slugify_ascii("Привет"), slugify_ascii("Мир"));
        assert!(a.starts_with("note-") && is_slug(&a) && a != b, "{a} {b}");
    }
}
