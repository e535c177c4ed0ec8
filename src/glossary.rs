//! The glossary: one entry per note (unless `glossary = false`), grouped under initials.
//!
//! Latin terms go under their first letter A–Z; Chinese terms under the initial of their
//! pinyin (so 量化 sits beside LoRA under L) when the site's language is Chinese; Korean
//! terms under the first consonant of their first syllable (ㄱ, ㄴ, … as a Korean index
//! has them, ㄲ with ㄱ); kana under the head of their row of the gojūon (か for が or カ);
//! anything else (kanji without a reading, digits, symbols) under `#`, last. Within a group, entries sort by a key that spells Chinese characters in
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
            let initial = sort_key.chars().next().map_or('#', initial);
            (initial, Entry { id, sort_key })
        })
        .collect();
    entries.sort_by(|a, b| {
        let group = |c: char| if c == '#' { char::MAX } else { c };
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

/// The group of a term whose sort key begins with `c` (see the module comment).
fn initial(c: char) -> char {
    /// The first consonants of Hangul syllables, in order, doubled ones as their single.
    const HANGUL: [char; 19] = [
        'ㄱ', 'ㄱ', 'ㄴ', 'ㄷ', 'ㄷ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅂ', 'ㅅ', 'ㅅ', 'ㅇ', 'ㅈ', 'ㅈ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ',
        'ㅎ',
    ];
    /// The last hiragana of each row of the gojūon, with the row's head.
    const KANA: [(u32, char); 10] = [
        (0x304A, 'あ'),
        (0x3054, 'か'),
        (0x305E, 'さ'),
        (0x3069, 'た'),
        (0x306E, 'な'),
        (0x307D, 'は'),
        (0x3082, 'ま'),
        (0x3088, 'や'),
        (0x308D, 'ら'),
        (0x3093, 'わ'),
    ];
    let u = c as u32;
    // Katakana as the hiragana of the same sound.
    let kana = if (0x30A1..=0x30F6).contains(&u) { u - 0x60 } else { u };
    match c {
        _ if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
        '\u{AC00}'..='\u{D7A3}' => HANGUL[((u - 0xAC00) / 588) as usize],
        _ if (0x3041..=0x3096).contains(&kana) => match kana {
            0x3094 => 'あ',
            0x3095 | 0x3096 => 'か',
            _ => KANA.iter().find(|&&(last, _)| kana <= last).map_or('#', |&(_, head)| head),
        },
        _ => '#',
    }
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

    #[test]
    fn korean_and_kana_terms_get_initials_of_their_own() {
        let got: String =
            ["검색", "꿈", "한국어", "가나", "がくしゅう", "ガクシュウ", "ん", "ヴ", "モデル", "学習", "3D", "lora"]
                .iter()
                .map(|t| initial(sort_key(t, false).chars().next().unwrap()))
                .collect();
        assert_eq!(got, "ㄱㄱㅎㄱかかわあま##L");
    }
}
