//! Building the index: the searchable notes in, the script files of `search/` out.
//!
//! Three fields per note: *names* (title, aliases, and their pinyin on Chinese sites),
//! *summary* (with the tags), *body* (without its single Han characters: a third of the
//! postings, for queries of one character, which find bodies through the pairs it begins). Every term's posting list says, per note, which
//! fields hold it and a BM25 impact per field (precomputed, so the browser needs no length
//! tables); for names it also keeps positions with "starts a name" / "ends a name" flags,
//! which decide the exact-name and name-prefix tiers without loading any text. Phrases in
//! summaries and bodies are checked against the text of the few notes shown.
//!
//! Output, all classic scripts calling the global `conceptbookSearch` (so `file://` works):
//! - `search/index.js`: the manifest (the first term of every shard, the notes in each
//!   doc chunk, interface strings), a few kilobytes;
//! - `search/terms-N.js`: the posting lists of a range of terms in sorted order, cut at
//!   about [`SHARD_BYTES`], so a query loads the few shards its terms fall in; deflated and
//!   in base 64 like the doc chunks (a third of the size: sorted terms and lists of
//!   base-64 digits compress well);
//! - `search/docs-N.js`: slug, title, breadcrumb, summary, tags, aliases and body text of
//!   a run of notes, loaded for the hits shown, deflated and in base 64; cut at about
//!   [`DOC_CHUNK_BYTES`] of JSON (or one note alone), each body at most [`BODY_CAP`];
//! - `search/fuzzy-K-N.js`: the typo vocabulary (the ASCII words authors wrote), filed under
//!   first letter and under last letter (key `K`), in parts of about [`FUZZY_PART_BYTES`],
//!   deflated; read only when a word finds (almost) nothing;
//! - `search/pinyin-N.js` (Chinese sites): the pinyin of every Han character, in blocks of
//!   code points, read only when Han characters find (almost) nothing.
//!
//! Notes are tokenized in parallel, then terms are gathered per hash partition in parallel
//! and encoded (see [`super::encode`]); output is sorted, so builds are byte-identical.

use super::encode;
use super::tokenize::{Folded, Kind, Mode};
use super::{Doc, Labels};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::Hasher;

/// A term shard is cut once it passes this many bytes of terms and lists (deflated, about
/// a third of it is written).
pub const SHARD_BYTES: usize = 48 * 1024;
/// A part of a typo vocabulary file is cut once it passes this many bytes of words and
/// weights (deflated, about a third of it is written): far below the 1 MiB a file may
/// take, and still one part per key on most sites.
pub const FUZZY_PART_BYTES: usize = 192 * 1024;
/// zlib's level for the term shards and doc chunks: 4 writes 3% more than the default 6
/// in a third of the time (measured on the shards of 10,000 notes).
const DEFLATE_LEVEL: u32 = 4;
/// Doc chunks hold at most this many bytes of JSON before they are deflated, or one note.
pub const DOC_CHUNK_BYTES: usize = 32 * 1024;
/// Bytes of JSON a note's body takes at most in its doc record: a note of megabytes keeps
/// its first 256 KB for snippets and phrase checks, so its chunk stays far below 1 MiB.
/// The record says the body was cut ([`engine`](super::engine)'s `verify`).
pub const BODY_CAP: usize = 256 * 1024;
/// BM25 parameters; `B` per field (names, summary, body).
const K1: f64 = 1.2;
const B: [f64; 3] = [0.3, 0.5, 0.75];
/// Gap between two names in the names field, so no phrase runs across names.
const NAME_GAP: u32 = 2;
/// Impacts are quantized to one base-64 digit, 1..=31, the highest possible BM25 score
/// (the rarest term, at saturation) mapping to 31.
const IMPACT_MAX: u64 = 31;
/// Pinyin readings kept per name.
pub const PINYIN_VARIANTS: usize = 4;
/// How many hash partitions the terms are gathered in.
const PARTITIONS: usize = 16;
pub const FORMAT_VERSION: u32 = 4;

pub const FLAG_START: u32 = 2;
pub const FLAG_END: u32 = 1;

/// Maps keyed by terms: FxHash (rustc-hash), since terms are not attacker-chosen keys here.
pub type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;

fn fx(s: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

/// A term with a 64-bit key worked out once: the code points themselves for a CJK
/// unigram or bigram (no collision possible), a hash with the top bit set for a word.
/// Maps hash only the key; equality still compares the text.
#[derive(Clone, Copy)]
struct TermKey<'a> {
    key: u64,
    text: &'a str,
}

impl<'a> TermKey<'a> {
    fn new(text: &'a str, kind: Kind) -> TermKey<'a> {
        let key = match kind {
            Kind::Cjk => text.chars().fold(0u64, |k, c| (k << 21) | c as u64) | (u64::from(text.len() > 4) << 62),
            Kind::Word => fx(text) | 1 << 63,
        };
        TermKey { key, text }
    }

    fn partition(&self) -> usize {
        (self.key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize % PARTITIONS
    }
}

impl std::hash::Hash for TermKey<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.key);
    }
}

impl PartialEq for TermKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.text == other.text
    }
}

impl Eq for TermKey<'_> {}

/// One term of one note: how often in summary and body, and where in the names. Kept
/// small (24 bytes), as every note's terms are held at once while the index is built: on
/// a site of 100,000 notes they were most of the build's peak memory.
struct TermStat {
    key: u64,
    /// Start of the term's positions in `DocTerms::names`.
    names_start: u32,
    /// Occurrences in summary and body (saturating).
    tf: [u16; 2],
    /// Length of the term's text in `DocTerms::arena`, which holds each partition's terms
    /// one after another from `DocTerms::arena_at`.
    len: u16,
    /// How many positions in `DocTerms::names` (saturating).
    names_len: u16,
    /// Written by the author somewhere, not only the pinyin of a name.
    spelled: bool,
}

/// The longest term the index keeps, in bytes: a longer "word" (a pasted hash, a run of
/// letters without a space) is never searched for.
const MAX_TERM: usize = 256;

/// Everything the index needs from one note, terms grouped by hash partition.
pub struct DocTerms {
    arena: String,
    terms: Vec<TermStat>,
    /// `partition[p]..partition[p + 1]` indexes `terms`.
    partition: [u32; PARTITIONS + 1],
    /// Where partition `p`'s terms start in `arena`.
    arena_at: [u32; PARTITIONS + 1],
    /// Encoded name positions: `pos * 4 + flags`, grouped per term, ascending.
    names: Vec<u32>,
    /// Field lengths in positions: names, summary, body.
    len: [u32; 3],
}

impl DocTerms {
    /// The terms of partition `p`, each with its text.
    fn partition(&self, p: usize) -> impl Iterator<Item = (TermKey<'_>, &TermStat)> {
        let mut off = self.arena_at[p] as usize;
        self.terms[self.partition[p] as usize..self.partition[p + 1] as usize].iter().map(move |t| {
            let text = &self.arena[off..off + usize::from(t.len)];
            off += usize::from(t.len);
            (TermKey { key: t.key, text }, t)
        })
    }
}

/// The text of the summary field: the summary, then each tag on a line.
pub fn summary_text(summary: &str, tags: &[String]) -> String {
    let mut s = summary.to_string();
    for t in tags {
        s.push('\n');
        s.push_str(t);
    }
    s
}

/// Readings of a name in toneless pinyin (`LoRA 微调` → `LoRA weitiao`, `LoRA weidiao`):
/// the usual reading of every character, then each other reading of one character at a
/// time, at most [`PINYIN_VARIANTS`]. Empty when the name holds no Han character.
pub fn pinyin_names(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let readings: Vec<Vec<String>> = chars.iter().map(|&c| readings(c)).collect();
    if readings.iter().all(Vec::is_empty) {
        return Vec::new();
    }
    let spell = |pick: &dyn Fn(usize) -> usize| {
        let mut out = String::new();
        let mut prev_han = false;
        for (i, &c) in chars.iter().enumerate() {
            if readings[i].is_empty() {
                if prev_han && !c.is_whitespace() {
                    out.push(' ');
                }
                out.push(c);
                prev_han = false;
            } else {
                if !prev_han && !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(&readings[i][pick(i)]);
                prev_han = true;
            }
        }
        out
    };
    let mut out = vec![spell(&|_| 0)];
    'variants: for (i, r) in readings.iter().enumerate() {
        for k in 1..r.len() {
            if out.len() >= PINYIN_VARIANTS {
                break 'variants;
            }
            out.push(spell(&|j| if j == i { k } else { 0 }));
        }
    }
    out
}

/// The toneless readings of a character (ü written v), the usual one first; empty for a
/// character that is not Han.
pub fn readings(c: char) -> Vec<String> {
    use pinyin::{ToPinyin, ToPinyinMulti};
    let mut r: Vec<String> = Vec::new();
    if let Some(p) = c.to_pinyin() {
        r.push(p.plain().replace('ü', "v"));
    }
    if let Some(m) = c.to_pinyin_multi() {
        for p in m {
            let s = p.plain().replace('ü', "v");
            if !r.contains(&s) {
                r.push(s);
            }
        }
    }
    r
}

/// Title, aliases and (on Chinese sites) their pinyin, without repeats.
pub fn names_of(doc: &Doc, pinyin: bool) -> Vec<String> {
    names_marked(doc, pinyin).into_iter().map(|(n, _)| n).collect()
}

/// [`names_of`], each name with whether it is pinyin (not written by the author).
fn names_marked(doc: &Doc, pinyin: bool) -> Vec<(String, bool)> {
    let mut names: Vec<(String, bool)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let written = std::iter::once(&doc.title).chain(&doc.aliases);
    let py: Vec<String> = if pinyin { written.clone().flat_map(|n| pinyin_names(n)).collect() } else { Vec::new() };
    let count = 1 + doc.aliases.len();
    for (i, n) in written.chain(py.iter()).enumerate() {
        let key: Vec<String> = super::tokenize::tokenize(n, Mode::Query).into_iter().map(|t| t.term).collect();
        if !key.is_empty() && seen.insert(key) {
            names.push((n.clone(), i >= count));
        }
    }
    names
}

/// The slot of `term` in `stats`, added on first sight.
fn slot<'a>(
    term: &'a str,
    kind: Kind,
    index: &mut FxMap<TermKey<'a>, usize>,
    stats: &mut Vec<(TermKey<'a>, [u32; 2])>,
) -> Option<usize> {
    if term.len() > MAX_TERM {
        return None;
    }
    let key = TermKey::new(term, kind);
    Some(*index.entry(key).or_insert_with(|| {
        stats.push((key, [0, 0]));
        stats.len() - 1
    }))
}

pub fn doc_terms(doc: &Doc, pinyin: bool) -> DocTerms {
    let names: Vec<(Folded, bool)> = names_marked(doc, pinyin).iter().map(|(n, py)| (Folded::new(n), *py)).collect();
    let summary = Folded::new(&summary_text(&doc.summary, &doc.tags));
    let body = Folded::new(&doc.body);
    let mut index: FxMap<TermKey, usize> = FxMap::default();
    index.reserve(doc.body.len() / 4 + 64);
    let mut stats: Vec<(TermKey, [u32; 2])> = Vec::with_capacity(doc.body.len() / 4 + 64);
    let mut name_pos: Vec<(usize, u32)> = Vec::new();
    // Terms the author wrote (not only the pinyin of a name): the typo vocabulary.
    let mut spelled: Vec<bool> = Vec::new();
    let mut spell = |i: usize| {
        if spelled.len() <= i {
            spelled.resize(i + 1, false);
        }
        spelled[i] = true;
    };
    let mut len = [0u32; 3];
    let mut base = 0;
    for (name, py) in &names {
        let mut toks = Vec::new();
        name.each(Mode::Doc, |t| toks.push(t));
        let (Some(first), Some(last)) =
            (toks.iter().map(|t| t.pos).min(), toks.iter().map(|t| t.pos + t.span - 1).max())
        else {
            continue;
        };
        for t in &toks {
            let mut flags = 0;
            if t.pos == first {
                flags |= FLAG_START;
            }
            if t.pos + t.span - 1 == last {
                flags |= FLAG_END;
            }
            let Some(i) = slot(t.term, t.kind, &mut index, &mut stats) else { continue };
            if !py {
                spell(i);
            }
            name_pos.push((i, (base + t.pos) * 4 + flags));
        }
        len[0] += last + 1;
        base += last + 1 + NAME_GAP;
    }
    for (field, folded) in [(0, &summary), (1, &body)] {
        let mut end = 0;
        folded.each(Mode::Doc, |t| {
            end = t.pos + t.span;
            // A body's single characters are left out (a third of the postings): a query
            // of one character finds them through the pairs it begins.
            if field == 1 && t.kind == Kind::Cjk && t.span == 1 {
                return;
            }
            let Some(i) = slot(t.term, t.kind, &mut index, &mut stats) else { return };
            spell(i);
            stats[i].1[field] += 1;
        });
        len[field + 1] = end;
    }
    name_pos.sort_unstable();
    let mut order: Vec<(usize, usize)> = (0..stats.len()).map(|i| (i, stats[i].0.partition())).collect();
    order.sort_unstable_by_key(|&(i, p)| (p, i));
    let mut d = DocTerms {
        arena: String::with_capacity(order.iter().map(|&(i, _)| stats[i].0.text.len()).sum()),
        terms: Vec::with_capacity(stats.len()),
        partition: [0; PARTITIONS + 1],
        arena_at: [0; PARTITIONS + 1],
        names: name_pos.iter().map(|&(_, e)| e).collect(),
        len,
    };
    let mut name_ranges = vec![(0u32, 0u16); stats.len()];
    let mut k = 0;
    while k < name_pos.len() {
        let i = name_pos[k].0;
        let start = k;
        while k < name_pos.len() && name_pos[k].0 == i {
            k += 1;
        }
        name_ranges[i] = (start as u32, u16::try_from(k - start).unwrap_or(u16::MAX));
    }
    let saturate = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
    for &(i, p) in &order {
        let (term, tf) = stats[i];
        d.terms.push(TermStat {
            key: term.key,
            names_start: name_ranges[i].0,
            tf: [saturate(tf[0]), saturate(tf[1])],
            len: term.text.len() as u16, // at most MAX_TERM
            names_len: name_ranges[i].1,
            spelled: spelled.get(i).copied().unwrap_or(false),
        });
        d.arena.push_str(term.text);
        d.partition[p + 1] += 1;
        d.arena_at[p + 1] += term.text.len() as u32;
    }
    for p in 0..PARTITIONS {
        d.partition[p + 1] += d.partition[p];
        d.arena_at[p + 1] += d.arena_at[p];
    }
    d
}

/// BM25 with everything but the term frequency worked out in advance.
struct Scorer {
    /// Per note and field: `K1 * (1 - b + b * len / avg_len)`.
    norm: Vec<[f64; 3]>,
    docs: f64,
    /// Quantization: the best possible score maps to [`IMPACT_MAX`].
    scale: f64,
}

impl Scorer {
    /// From each note's field lengths.
    fn new(docs: &[[u32; 3]]) -> Scorer {
        let n = docs.len().max(1) as f64;
        let mut avg = [0.0f64; 3];
        for d in docs {
            for (a, &len) in avg.iter_mut().zip(d) {
                *a += len as f64 / n;
            }
        }
        let avg = avg.map(|a| a.max(1.0));
        let best = (1.0 + (docs.len() as f64 - 0.5) / 1.5).ln() * (K1 + 1.0);
        Scorer {
            norm: docs
                .iter()
                .map(|d| std::array::from_fn(|f| K1 * (1.0 - B[f] + B[f] * d[f] as f64 / avg[f])))
                .collect(),
            docs: docs.len() as f64,
            scale: IMPACT_MAX as f64 / best.max(1e-9),
        }
    }

    fn idf(&self, df: usize) -> f64 {
        (1.0 + (self.docs - df as f64 + 0.5) / (df as f64 + 0.5)).ln()
    }

    /// A field's BM25 impact, quantized to 1..=31.
    fn impact(&self, idf: f64, tf: u32, doc: u32, field: usize) -> u64 {
        let tf = tf as f64;
        let bm25 = idf * tf * (K1 + 1.0) / (tf + self.norm[doc as usize][field]);
        ((bm25 * self.scale).round() as u64).clamp(1, IMPACT_MAX)
    }
}

/// One note's share of a term, copied out of its [`DocTerms`] while gathering.
struct Hit {
    doc: u32,
    tf: [u16; 2],
    /// The note's name positions of the term: `DocTerms::names[names_start..][..names_len]`.
    names_start: u32,
    names_len: u16,
    spelled: bool,
}

// What the comments on [`TermStat`] and [`Gathered`] promise about memory.
const _: () = assert!(std::mem::size_of::<TermStat>() == 24 && std::mem::size_of::<Hit>() == 16);

/// One term's posting list, as a string of base-64 numbers (see the module comment).
fn postings(scorer: &Scorer, names_of: &[Vec<u32>], hits: &[Hit]) -> String {
    let mut out = String::with_capacity(hits.len() * 3);
    let idf = scorer.idf(hits.len());
    let mut prev: i64 = -1;
    for h in hits {
        let start = h.names_start as usize;
        let names: &[u32] = &names_of[h.doc as usize][start..start + usize::from(h.names_len)];
        let mask = u64::from(!names.is_empty()) | u64::from(h.tf[0] > 0) << 1 | u64::from(h.tf[1] > 0) << 2;
        encode::push(&mut out, (h.doc as i64 - prev - 1) as u64 * 8 + mask);
        prev = h.doc as i64;
        if !names.is_empty() {
            encode::push(&mut out, scorer.impact(idf, names.len() as u32, h.doc, 0));
            encode::push(&mut out, names.len() as u64);
            let mut prev_pos = 0;
            for &e in names {
                let pos = e / 4;
                encode::push(&mut out, ((pos - prev_pos) * 4 + (e & 3)) as u64);
                prev_pos = pos;
            }
        }
        for field in 0..2 {
            if h.tf[field] > 0 {
                encode::push(&mut out, scorer.impact(idf, u32::from(h.tf[field]), h.doc, field + 1));
            }
        }
    }
    out
}

/// JavaScript's string order (UTF-16 code units), which the client's binary search uses.
pub fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    let astral = |s: &str| s.bytes().any(|b| b >= 0xF0);
    if astral(a) || astral(b) {
        a.encode_utf16().cmp(b.encode_utf16())
    } else {
        a.cmp(b)
    }
}

/// One hash partition's terms, each with its hits in note order.
#[derive(Default)]
struct Part {
    by_key: FxMap<u64, (Box<str>, Vec<Hit>)>,
    /// Words whose 64-bit key another word of the partition has already.
    other: FxMap<Box<str>, Vec<Hit>>,
}

impl Part {
    fn push(&mut self, term: TermKey, hit: Hit) {
        use std::collections::hash_map::Entry;
        match self.by_key.entry(term.key) {
            Entry::Occupied(mut e) if &*e.get().0 == term.text => e.get_mut().1.push(hit),
            Entry::Occupied(_) => self.other.entry(term.text.into()).or_default().push(hit),
            Entry::Vacant(e) => {
                e.insert((term.text.into(), vec![hit]));
            }
        }
    }
}

/// Every note's terms scattered into per-partition hit lists, a batch of notes at a time
/// ([`Gathered::add`]): a build need not hold every note's [`DocTerms`] at once, only the
/// hits (16 bytes each, each term's text once) and each note's name positions and field
/// lengths.
pub struct Gathered {
    parts: Vec<Part>,
    lens: Vec<[u32; 3]>,
    names: Vec<Vec<u32>>,
}

impl Default for Gathered {
    fn default() -> Gathered {
        Gathered { parts: (0..PARTITIONS).map(|_| Part::default()).collect(), lens: Vec::new(), names: Vec::new() }
    }
}

impl Gathered {
    /// Adds the next notes, in order; each partition is filled by a task of its own.
    pub fn add(&mut self, batch: &[&DocTerms]) {
        let first = self.lens.len() as u32;
        self.parts.par_iter_mut().enumerate().for_each(|(p, part)| {
            for (k, doc) in batch.iter().enumerate() {
                for (term, t) in doc.partition(p) {
                    let hit = Hit {
                        doc: first + k as u32,
                        tf: t.tf,
                        names_start: t.names_start,
                        names_len: t.names_len,
                        spelled: t.spelled,
                    };
                    part.push(term, hit);
                }
            }
        });
        for d in batch {
            self.lens.push(d.len);
            self.names.push(d.names.clone());
        }
    }

    pub fn len(&self) -> usize {
        self.lens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }
}

/// Every term with its posting list, in JavaScript's string order. Each hash partition is
/// encoded by one task.
fn all_postings(gathered: Gathered) -> Vec<Posting> {
    let Gathered { parts, lens, names } = gathered;
    let scorer = Scorer::new(&lens);
    let (scorer, names) = (&scorer, &names);
    let mut terms: Vec<Posting> = parts
        .into_par_iter()
        .flat_map_iter(|part| {
            let Part { by_key, other } = part;
            by_key
                .into_values()
                .chain(other)
                .map(move |(term, hits)| Posting {
                    list: postings(scorer, names, &hits),
                    docs: hits.len(),
                    names: hits.iter().any(|h| h.names_len > 0),
                    spelled: hits.iter().any(|h| h.spelled),
                    term: term.into_string(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    terms.par_sort_unstable_by(|a, b| js_order(&a.term, &b.term));
    terms
}

/// A term's posting list, with how many notes hold it and whether one names it.
struct Posting {
    term: String,
    list: String,
    docs: usize,
    names: bool,
    /// Written by some author, not only the pinyin of names.
    spelled: bool,
}

/// A note as the browser shows it in a hit: slug, title, breadcrumb titles, summary, tags,
/// aliases, body text (its beginning, [`BODY_CAP`]), and 1 when the body was cut, else 0.
type DocRecord<'a> = (&'a str, &'a str, &'a [String], &'a str, &'a [String], &'a [String], &'a str, u8);

fn record(d: &Doc) -> DocRecord<'_> {
    let body = capped(&d.body, BODY_CAP);
    (&d.slug, &d.title, &d.crumbs, &d.summary, &d.tags, &d.aliases, body, u8::from(body.len() < d.body.len()))
}

/// The longest beginning of `text` whose JSON takes at most `cap` bytes, each character
/// counted as JSON may write it at worst (six bytes for a control character, two for a
/// quote or a backslash).
pub fn capped(text: &str, cap: usize) -> &str {
    if text.len() <= cap / 6 {
        return text;
    }
    let mut size = 0;
    for (i, c) in text.char_indices() {
        size += match c {
            '"' | '\\' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        };
        if size > cap {
            return &text[..i];
        }
    }
    text
}

/// Bytes of `v`'s JSON, without writing it.
fn json_size(v: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, v).expect("serializes");
    count.0
}

/// The pinyin table of the client, for the homophones of a query: readings of the code
/// points from [`PINYIN_FROM`] below [`PINYIN_TO`], in blocks of [`PINYIN_BLOCK`].
pub const PINYIN_FROM: u32 = 0x3400;
pub const PINYIN_TO: u32 = 0xA000;
pub const PINYIN_BLOCK: u32 = 1024;

#[derive(Serialize)]
struct PinyinTable {
    from: u32,
    block: u32,
    /// Blocks written, as `search/pinyin-{k}.js`.
    blocks: Vec<u32>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    docs: usize,
    /// The notes in each doc chunk, in base-64 numbers ([`encode`]): `docs-{k}.js` holds
    /// the notes after those of the chunks before it.
    chunks: String,
    /// The first term of each shard: shard `k` holds the terms from `shards[k]` up to
    /// `shards[k + 1]` (exclusive).
    shards: Vec<&'a str>,
    /// The keys of the typo vocabulary, each with its number of parts: `search/fuzzy-{key}-{k}.js`
    /// for `k` below it.
    fuzzy: BTreeMap<String, usize>,
    /// On Chinese sites, the pinyin table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pinyin: Option<PinyinTable>,
    rank: &'a super::rank::Rank,
    labels: &'a Labels,
}

/// The files of `search/`, by path below the output root.
pub fn build(docs: &[Doc], pinyin: bool, labels: &Labels) -> BTreeMap<String, Vec<u8>> {
    let terms: Vec<DocTerms> = docs.par_iter().map(|d| doc_terms(d, pinyin)).collect();
    let docs: Vec<&Doc> = docs.iter().collect();
    build_from(&docs, &terms.iter().collect::<Vec<_>>(), pinyin, labels)
}

/// The files of `search/` from notes whose terms were worked out already (`doc_terms`),
/// in the same order: [`doc_files`] then [`term_files`].
pub fn build_from(docs: &[&Doc], terms: &[&DocTerms], pinyin: bool, labels: &Labels) -> BTreeMap<String, Vec<u8>> {
    let (mut files, chunks) = doc_files(docs);
    let mut gathered = Gathered::default();
    gathered.add(terms);
    files.extend(term_files(gathered, &chunks, pinyin, labels));
    files
}

/// The notes as hits show them, in deflated chunks (`search/docs-<k>.js`), and how many
/// notes each chunk holds. A chunk is cut by the running size of its records' JSON, at
/// [`DOC_CHUNK_BYTES`], or holds one note alone (its body bounded by [`BODY_CAP`]): a run
/// of long notes among short ones gets chunks of its own, not the short notes' count.
/// Once these are made, the notes' texts are not needed.
pub fn doc_files(docs: &[&Doc]) -> (BTreeMap<String, Vec<u8>>, Vec<usize>) {
    let sizes: Vec<usize> = docs.par_iter().map(|d| json_size(&record(d)) + 1).collect();
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < docs.len() {
        let mut end = start;
        let mut size = 0;
        while end < docs.len() && (end == start || size + sizes[end] <= DOC_CHUNK_BYTES) {
            size += sizes[end];
            end += 1;
        }
        ranges.push(start..end);
        start = end;
    }
    let chunks: BTreeMap<String, Vec<u8>> = ranges
        .par_iter()
        .enumerate()
        .map(|(k, r)| {
            let records: Vec<DocRecord> = docs[r.clone()].iter().map(|d| record(d)).collect();
            let json = serde_json::to_string(&records).expect("doc records serialize");
            (
                format!("search/docs-{k}.js"),
                format!("conceptbookSearch.docs({k},\"{}\");\n", deflate(&json)).into_bytes(),
            )
        })
        .collect();
    (chunks, ranges.iter().map(ExactSizeIterator::len).collect())
}

/// The term shards, fuzzy and pinyin tables and the manifest, from every note's terms
/// (`chunks[k]` notes in `docs-{k}.js`).
pub fn term_files(gathered: Gathered, chunks: &[usize], pinyin: bool, labels: &Labels) -> BTreeMap<String, Vec<u8>> {
    let docs = gathered.len();
    let postings = all_postings(gathered);
    let mut files = BTreeMap::new();
    let mut shards: Vec<&str> = Vec::new();
    for range in runs(postings.iter().map(|p| p.term.len() + p.list.len() + 6), SHARD_BYTES) {
        let k = shards.len();
        shards.push(if k == 0 { "" } else { &postings[range.start].term });
        files.insert(format!("search/terms-{k}.js"), shard_js(k, &postings[range]));
    }
    let fuzzy_parts = fuzzy_files(&postings, &mut files);
    let pinyin = pinyin.then(|| {
        let mut blocks = Vec::new();
        for (k, js) in pinyin_files() {
            files.insert(format!("search/pinyin-{k}.js"), js);
            blocks.push(k);
        }
        PinyinTable { from: PINYIN_FROM, block: PINYIN_BLOCK, blocks }
    });
    let manifest = Manifest {
        version: FORMAT_VERSION,
        docs,
        chunks: chunks.iter().fold(String::new(), |mut s, &n| {
            encode::push(&mut s, n as u64);
            s
        }),
        shards,
        fuzzy: fuzzy_parts,
        pinyin,
        rank: &super::rank::RANK,
        labels,
    };
    let json = serde_json::to_string(&manifest).expect("manifest serializes");
    files.insert("search/index.js".to_string(), format!("conceptbookSearch.manifest({json});\n").into_bytes());
    files
}

/// `text` compressed (raw deflate, as `DecompressionStream("deflate-raw")` reads it) and
/// written in base 64.
fn deflate(text: &str) -> String {
    use base64::Engine;
    use std::io::Write;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(DEFLATE_LEVEL));
    z.write_all(text.as_bytes()).expect("writes to memory");
    base64::engine::general_purpose::STANDARD.encode(z.finish().expect("writes to memory"))
}

/// [`deflate`] undone.
pub fn inflate(b64: &str) -> Result<String, String> {
    use base64::Engine;
    use std::io::Read;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|e| e.to_string())?;
    let mut out = String::new();
    flate2::read::DeflateDecoder::new(&bytes[..]).read_to_string(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Whether a term goes into the typo vocabulary: letters and digits of ASCII, a letter
/// among them, long enough to be one edit from a word typos are looked up for.
pub fn fuzzy_term(t: &str) -> bool {
    t.len() + 1 >= super::rank::RANK.fuzzy_min_len
        && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && t.bytes().any(|b| b.is_ascii_lowercase())
}

/// The keys a word of the typo vocabulary is filed under: its first letter (`f` + it)
/// and its last (`l` + it). A word one edit from another keeps one of the two (an edit
/// at one end leaves the other), so a query reads two small files, never the whole
/// vocabulary.
pub fn fuzzy_keys(t: &str) -> [String; 2] {
    let b = t.as_bytes();
    [format!("f{}", b[0] as char), format!("l{}", b[b.len() - 1] as char)]
}

/// Consecutive runs of items of these `sizes`, each closed by the item that brings it to
/// `limit` or past: the term shards and the typo vocabulary's parts.
fn runs(sizes: impl IntoIterator<Item = usize>, limit: usize) -> Vec<std::ops::Range<usize>> {
    let (mut out, mut start, mut size, mut len) = (Vec::new(), 0, 0, 0);
    for (i, n) in sizes.into_iter().enumerate() {
        size += n;
        len = i + 1;
        if size >= limit {
            out.push(start..len);
            (start, size) = (len, 0);
        }
    }
    if len > start {
        out.push(start..len);
    }
    out
}

/// The typo vocabulary, by key and part: `conceptbookSearch.fuzzy(key, part, "…")`, the
/// deflated JSON of `[[words], "weights"]`, the words in JavaScript order, a weight per
/// word (notes holding it × 2, + 1 when a name holds it) in base-64 numbers. A key's words
/// are cut into parts of about [`FUZZY_PART_BYTES`], so no file grows with the vocabulary
/// (every plural of an English site ends in `s`: 1.4 MB in one file at 10,000 notes);
/// the client reads every part of the keys it needs. The files go into `files`; returns
/// each key's part count.
fn fuzzy_files(postings: &[Posting], files: &mut BTreeMap<String, Vec<u8>>) -> BTreeMap<String, usize> {
    let mut by_key: BTreeMap<String, Vec<Weighted>> = BTreeMap::new();
    for p in postings.iter().filter(|p| p.spelled && fuzzy_term(&p.term)) {
        for key in fuzzy_keys(&p.term) {
            by_key.entry(key).or_default().push((&p.term, p.docs as u64 * 2 + u64::from(p.names)));
        }
    }
    // (key, part, the part's words with their weights)
    let mut parts: Vec<(&str, usize, &[Weighted])> = Vec::new();
    let mut counts = BTreeMap::new();
    for (key, words) in &by_key {
        // the word, its quotes and comma, its weight (a few digits)
        let ranges = runs(words.iter().map(|w| w.0.len() + 6), FUZZY_PART_BYTES);
        counts.insert(key.clone(), ranges.len());
        parts.extend(ranges.into_iter().enumerate().map(|(k, r)| (key.as_str(), k, &words[r])));
    }
    let written: Vec<(String, Vec<u8>)> = parts
        .into_par_iter()
        .map(|(key, k, words)| {
            let mut weights = String::new();
            for &(_, w) in words {
                encode::push(&mut weights, w);
            }
            let list: Vec<&str> = words.iter().map(|w| w.0).collect();
            let json = serde_json::to_string(&(list, weights)).expect("strings serialize");
            (
                format!("search/fuzzy-{key}-{k}.js"),
                format!("conceptbookSearch.fuzzy(\"{key}\",{k},\"{}\");\n", deflate(&json)).into_bytes(),
            )
        })
        .collect();
    files.extend(written);
    counts
}

/// A word of the typo vocabulary with its weight.
type Weighted<'a> = (&'a str, u64);

/// The pinyin table, by block: `conceptbookSearch.pinyin(k, "wei|diao,tiao|…")`, one entry
/// per code point of the block, its readings separated by commas.
fn pinyin_files() -> Vec<(u32, Vec<u8>)> {
    (0..(PINYIN_TO - PINYIN_FROM).div_ceil(PINYIN_BLOCK))
        .filter_map(|k| {
            let from = PINYIN_FROM + k * PINYIN_BLOCK;
            let entries: Vec<String> = (from..(from + PINYIN_BLOCK).min(PINYIN_TO))
                .map(|c| char::from_u32(c).map(|c| readings(c).join(",")).unwrap_or_default())
                .collect();
            if entries.iter().all(String::is_empty) {
                return None;
            }
            Some((k, format!("conceptbookSearch.pinyin({k},\"{}\");\n", entries.join("|")).into_bytes()))
        })
        .collect()
}

fn shard_js(k: usize, terms: &[Posting]) -> Vec<u8> {
    let names: Vec<&str> = terms.iter().map(|p| p.term.as_str()).collect();
    let lists: Vec<&str> = terms.iter().map(|p| p.list.as_str()).collect();
    let json = serde_json::to_string(&(names, lists)).expect("terms serialize");
    format!("conceptbookSearch.terms({k},\"{}\");\n", deflate(&json)).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_of_names_with_other_readings() {
        // 调 reads diao by default, tiao in 微调: both are kept
        assert_eq!(pinyin_names("LoRA 微调"), ["LoRA weidiao", "LoRA weitiao"]);
        assert_eq!(pinyin_names("奖励模型")[0], "jianglimoxing");
        assert!(pinyin_names("GPT-3.5").is_empty());
    }

    #[test]
    fn posting_lists_are_deterministic_and_sorted() {
        let docs: Vec<Doc> = (0..50)
            .map(|i| Doc {
                slug: format!("n{i}"),
                title: format!("概念{i}"),
                summary: "一句话。".into(),
                body: format!("正文 {i} 模型 model{} 𠀀字", i % 7),
                ..Doc::default()
            })
            .collect();
        let labels = crate::assets::embedded_labels("zh").search_panel;
        let a = build(&docs, true, &labels);
        assert_eq!(a, build(&docs, true, &labels));
        let manifest = String::from_utf8(a["search/index.js"].clone()).unwrap();
        assert!(manifest.starts_with("conceptbookSearch.manifest({\"version\":4,\"docs\":50"));
        let shard = String::from_utf8(a["search/terms-0.js"].clone()).unwrap();
        let packed = shard.strip_prefix("conceptbookSearch.terms(0,\"").unwrap().strip_suffix("\");\n").unwrap();
        let (terms, lists): (Vec<String>, Vec<String>) = serde_json::from_str(&inflate(packed).unwrap()).unwrap();
        assert_eq!(terms.len(), lists.len());
        assert!(terms.windows(2).all(|w| js_order(&w[0], &w[1]).is_lt()), "sorted, no term twice");
        assert!(js_order("\u{FFFD}", "𠀀").is_gt(), "UTF-16 order, as in JavaScript");
    }

    #[test]
    fn a_body_is_capped_as_json_counts_it() {
        assert_eq!(capped("short", 6), "short");
        assert_eq!(capped("abcdefgh", 6), "abcdef");
        assert_eq!(capped("a\"b\"cdefgh", 6), "a\"b\"");
        assert_eq!(capped("\u{1}\u{1}", 6), "\u{1}", "a control character takes six bytes");
        assert_eq!(capped("微调微调", 6), "微调", "cut between characters");
    }
}
