//! The search tokenizer: text in, terms with positions out. `static/js/search.js` holds a
//! line-by-line mirror of it, and a browser test feeds both the same strings, because an
//! index and a query that split text differently lose results.
//!
//! Text is folded one *segment* at a time (a character and the combining marks after it):
//! NFKC, then lower case, so `ＧＰＴ` is `gpt` and offsets still point into the original.
//! The folded characters fall into three classes:
//! - *words*: runs of letters, digits and marks of scripts that put spaces between words
//!   (Latin, Greek, Cyrillic, Hangul…); a `.` between two digits stays inside the word, so
//!   `GPT-3.5` is `gpt` `3.5` and `P-Tuning v2` is `p` `tuning` `v2`;
//! - *CJK*: Han ideographs and kana, written without spaces, and so the other scripts that
//!   put no spaces between words (Thai, Lao, Khmer, Myanmar, Tai: [`is_unspaced`]), whose
//!   sentences were runs longer than a word may be and went unindexed. Every character is one
//!   position. A document yields each character (a unigram) and each pair of neighbours (a
//!   bigram) at the position of its first character; a query run of two or more characters
//!   yields only its bigrams, which must then sit at consecutive positions (the phrase
//!   check), and a one-character query yields its unigram. So any run of characters inside
//!   a sentence is found, and `微` alone still is;
//! - everything else separates tokens, and whitespace also separates query *chunks*.
//!
//! Positions count words and CJK characters, so neighbours across punctuation or a space
//! (`low-rank`, `low rank`) are consecutive.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Words longer than this (in characters) are skipped: hashes and blobs, not words.
pub const MAX_WORD: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Indexing and verifying text: unigrams and bigrams.
    Doc,
    /// A reader's query: bigrams of CJK runs, a unigram for a lone character.
    Query,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Cjk,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The folded text of the token.
    pub term: String,
    pub pos: u32,
    /// Positions covered: 2 for a bigram, else 1.
    pub span: u32,
    pub kind: Kind,
    /// Byte range of the token in the original text.
    pub start: usize,
    pub end: usize,
    /// Whitespace stands between this token and the one before it.
    pub space_before: bool,
}

/// Han ideographs (with extensions and compatibility forms), kana and the ideographic
/// iteration marks: the scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007
        | 0x3021..=0x3029
        | 0x3041..=0x3096
        | 0x309D..=0x309F
        | 0x30A1..=0x30FA
        | 0x30FC..=0x30FF
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF)
}

/// Thai, Lao, Myanmar, Khmer, New Tai Lue, Tai Tham and Tai Viet (letters, marks and
/// digits): scripts written, like Chinese, without spaces between words, indexed as CJK
/// characters are (a dictionary would be needed to find their words).
pub fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF
        | 0x1000..=0x109F
        | 0x1780..=0x17FF
        | 0x1980..=0x19FF
        | 0x1A20..=0x1AAF
        | 0xA9E0..=0xA9FF
        | 0xAA60..=0xAADF)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    Cjk,
    Space,
    Other,
}

/// A token borrowed from a [`Folded`] text: what [`Folded::each`] hands out.
#[derive(Debug, Clone, Copy)]
pub struct Tok<'a> {
    pub term: &'a str,
    pub pos: u32,
    pub span: u32,
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub space_before: bool,
}

struct FoldedChar {
    /// Byte offset of the folded character in `Folded::text`.
    at: u32,
    /// Byte range of its segment in the original text.
    start: u32,
    end: u32,
    class: Class,
}

/// A text folded (NFKC, lower case) and classified, ready to yield tokens.
pub struct Folded {
    text: String,
    chars: Vec<FoldedChar>,
}

impl Folded {
    /// Folds `text` segment by segment (a character and the combining marks after it).
    pub fn new(text: &str) -> Folded {
        let mut f = Folded { text: String::with_capacity(text.len()), chars: Vec::with_capacity(text.len()) };
        let mut it = text.char_indices().peekable();
        while let Some((start, c)) = it.next() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, m)) = it.peek() {
                if (m as u32) < 0x300 || !is_combining_mark(m) {
                    break;
                }
                end = i + m.len_utf8();
                it.next();
            }
            let single = end == start + c.len_utf8();
            if single && c.is_ascii() {
                f.push(c.to_ascii_lowercase(), start, end);
            } else if single && matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF) {
                f.push(c, start, end);
            } else {
                let folded: String = text[start..end].nfkc().collect::<String>().to_lowercase();
                for c in folded.chars() {
                    f.push(c, start, end);
                }
            }
        }
        let chars = &mut f.chars;
        let text = f.text.as_bytes();
        for i in 1..chars.len().saturating_sub(1) {
            if text[chars[i].at as usize] == b'.'
                && text[chars[i - 1].at as usize].is_ascii_digit()
                && text[chars[i + 1].at as usize].is_ascii_digit()
            {
                chars[i].class = Class::Word;
            }
        }
        f
    }

    fn push(&mut self, c: char, start: usize, end: usize) {
        let class = if is_cjk(c) || is_unspaced(c) {
            Class::Cjk
        } else if is_word(c) {
            Class::Word
        } else if is_space(c) {
            Class::Space
        } else {
            Class::Other
        };
        self.chars.push(FoldedChar { at: self.text.len() as u32, start: start as u32, end: end as u32, class });
        self.text.push(c);
    }

    /// The folded text from character `i` to character `j` (exclusive).
    fn slice(&self, i: usize, j: usize) -> &str {
        let a = self.chars[i].at as usize;
        let b = self.chars.get(j).map_or(self.text.len(), |c| c.at as usize);
        &self.text[a..b]
    }

    /// Calls `f` with every token, in order of position.
    pub fn each<'a>(&'a self, mode: Mode, mut f: impl FnMut(Tok<'a>)) {
        let chars = &self.chars;
        let mut pos: u32 = 0;
        let mut space = false;
        let mut i = 0;
        while i < chars.len() {
            let class = chars[i].class;
            let mut j = i + 1;
            while j < chars.len() && chars[j].class == class {
                j += 1;
            }
            match class {
                Class::Space => space = true,
                Class::Other => {}
                Class::Word => {
                    if j - i <= MAX_WORD {
                        f(Tok {
                            term: self.slice(i, j),
                            pos,
                            span: 1,
                            kind: Kind::Word,
                            start: chars[i].start as usize,
                            end: chars[j - 1].end as usize,
                            space_before: std::mem::take(&mut space),
                        });
                    }
                    pos += 1;
                }
                Class::Cjk => {
                    let n = j - i;
                    for k in i..j {
                        let p = pos + (k - i) as u32;
                        if mode == Mode::Doc || n == 1 {
                            f(Tok {
                                term: self.slice(k, k + 1),
                                pos: p,
                                span: 1,
                                kind: Kind::Cjk,
                                start: chars[k].start as usize,
                                end: chars[k].end as usize,
                                space_before: std::mem::take(&mut space),
                            });
                        }
                        if k + 1 < j {
                            f(Tok {
                                term: self.slice(k, k + 2),
                                pos: p,
                                span: 2,
                                kind: Kind::Cjk,
                                start: chars[k].start as usize,
                                end: chars[k + 1].end as usize,
                                space_before: std::mem::take(&mut space),
                            });
                        }
                    }
                    pos += n as u32;
                }
            }
            i = j;
        }
    }
}

/// Splits `text` into owned tokens; see the module comment for the rules.
pub fn tokenize(text: &str, mode: Mode) -> Vec<Token> {
    let folded = Folded::new(text);
    let mut out = Vec::new();
    folded.each(mode, |t| {
        out.push(Token {
            term: t.term.to_string(),
            pos: t.pos,
            span: t.span,
            kind: t.kind,
            start: t.start,
            end: t.end,
            space_before: t.space_before,
        })
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str, mode: Mode) -> Vec<(String, u32)> {
        tokenize(text, mode).into_iter().map(|t| (t.term, t.pos)).collect()
    }

    fn t(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
        pairs.iter().map(|(s, p)| (s.to_string(), *p)).collect()
    }

    #[test]
    fn latin_words_fold_case_and_width() {
        assert_eq!(terms("LoRA", Mode::Query), t(&[("lora", 0)]));
        assert_eq!(terms("ＧＰＴ－４", Mode::Query), t(&[("gpt", 0), ("4", 1)]));
        assert_eq!(terms("Low-Rank Adaptation", Mode::Doc), t(&[("low", 0), ("rank", 1), ("adaptation", 2)]));
    }

    #[test]
    fn versions_keep_their_dots() {
        assert_eq!(
            terms("GPT-3.5 and gpt-3.5-turbo.", Mode::Doc),
            t(&[("gpt", 0), ("3.5", 1), ("and", 2), ("gpt", 3), ("3.5", 4), ("turbo", 5)])
        );
        assert_eq!(terms("P-Tuning v2", Mode::Query), t(&[("p", 0), ("tuning", 1), ("v2", 2)]));
        assert_eq!(terms("e.g. 1.", Mode::Doc), t(&[("e", 0), ("g", 1), ("1", 2)]));
    }

    #[test]
    fn chinese_documents_give_unigrams_and_bigrams() {
        assert_eq!(
            terms("奖励模型", Mode::Doc),
            t(&[("奖", 0), ("奖励", 0), ("励", 1), ("励模", 1), ("模", 2), ("模型", 2), ("型", 3)])
        );
        assert_eq!(terms("奖励模型", Mode::Query), t(&[("奖励", 0), ("励模", 1), ("模型", 2)]));
        assert_eq!(terms("秩", Mode::Query), t(&[("秩", 0)]));
    }

    #[test]
    fn mixed_text_and_chunks() {
        let toks = tokenize("token 上限", Mode::Query);
        let got: Vec<_> = toks.iter().map(|t| (t.term.as_str(), t.pos, t.space_before)).collect();
        assert_eq!(got, [("token", 0, false), ("上限", 1, true)]);
        // punctuation separates runs but keeps positions consecutive
        assert_eq!(terms("LoRA（低秩）", Mode::Doc), t(&[("lora", 0), ("低", 1), ("低秩", 1), ("秩", 2)]));
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Ｌｏｒａ：低秩";
        let toks = tokenize(text, Mode::Doc);
        assert_eq!(&text[toks[0].start..toks[0].end], "Ｌｏｒａ");
        assert_eq!(&text[toks[2].start..toks[2].end], "低秩");
        // a ligature folds to two letters inside one segment
        let toks = tokenize("ﬁne-tune", Mode::Doc);
        assert_eq!(toks[0].term, "fine");
        assert_eq!((toks[0].start, toks[0].end), (0, 5));
    }

    #[test]
    fn combining_marks_stay_in_their_word() {
        assert_eq!(terms("Cafe\u{301} crème", Mode::Doc), t(&[("café", 0), ("crème", 1)]));
        assert_eq!(terms("ΣΟΦΟΣ", Mode::Doc)[0].0, "σοφοσ");
    }

    #[test]
    fn long_blobs_are_skipped_but_counted() {
        let blob = "a".repeat(MAX_WORD + 1);
        assert_eq!(terms(&format!("x {blob} y"), Mode::Doc), t(&[("x", 0), ("y", 2)]));
    }

    #[test]
    fn kana_and_hangul() {
        assert_eq!(terms("カタカナ", Mode::Query), t(&[("カタ", 0), ("タカ", 1), ("カナ", 2)]));
        assert_eq!(terms("한국어 검색", Mode::Query), t(&[("한국어", 0), ("검색", 1)]));
        // half-width katakana folds to full width
        assert_eq!(terms("ｶﾅ", Mode::Query), t(&[("カナ", 0)]));
    }
}
