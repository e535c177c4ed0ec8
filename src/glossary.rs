//! The glossary: one entry per note (unless `glossary = false`), grouped under initials.
//!
//! Latin terms go under their first letter A–Z; Chinese terms under the initial of their
//! pinyin (so 量化 sits beside LoRA under L) when the site's language is Chinese; anything
//! else under `#`. Within a group, entries sort by a key that spells Chinese characters in
//! toneless pinyin, so the order is the one a Chinese reader expects.

use crate::graph::{NoteId, Site};
use crate::labels;
use pinyin::ToPinyin;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: NoteId,
    pub sort_key: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// `A`–`Z`, or `#`.
    pub initial: String,
    pub entries: Vec<Entry>,
}

/// The glossary's groups, `A`–`Z` then `#`, each sorted.
pub fn build(site: &Site) -> Vec<Group> {
    let chinese = labels::is_chinese(&site.config.language);
    let mut entries: Vec<(char, Entry)> = NoteId::enumerate(&site.notes)
        .filter(|(_, n)| n.front.glossary)
        .map(|(id, n)| {
            let sort_key = sort_key(n.title(), chinese);
            let initial =
                sort_key.chars().next().map(|c| c.to_ascii_uppercase()).filter(char::is_ascii_uppercase).unwrap_or('#');
            (initial, Entry { id, sort_key })
        })
        .collect();
    entries.sort_by(|a, b| {
        let group = |c: char| if c == '#' { '~' } else { c };
        (group(a.0), &a.1.sort_key, &site.notes[a.1.id].slug).cmp(&(
            group(b.0),
            &b.1.sort_key,
            &site.notes[b.1.id].slug,
        ))
    });
    let mut groups: Vec<Group> = Vec::new();
    for (initial, entry) in entries {
        let initial = initial.to_string();
        match groups.last_mut() {
            Some(g) if g.initial == initial => g.entries.push(entry),
            _ => groups.push(Group { initial, entries: vec![entry] }),
        }
    }
    groups
}

/// Lower-case Latin as is; Chinese characters as toneless pinyin syllables (when `chinese`).
pub fn sort_key(term: &str, chinese: bool) -> String {
    let mut key = String::new();
    for c in term.chars() {
        match c.to_pinyin().filter(|_| chinese) {
            Some(p) => {
                key.push_str(p.plain());
                key.push(' ');
            }
            None => key.extend(c.to_lowercase()),
        }
    }
    key.trim_start_matches(|c: char| !c.is_alphanumeric()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_keys() {
        assert_eq!(sort_key("量化", true), "liang hua ");
        assert_eq!(sort_key("LoRA（低秩适配）", true).chars().take(4).collect::<String>(), "lora");
        assert!(sort_key("微调", true) < sort_key("自注意力", true));
        assert!(sort_key("“引号”开头", true).starts_with("yin"));
    }
}
