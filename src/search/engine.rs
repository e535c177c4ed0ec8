//! The query engine: the files of `search/` and a query in, ranked hits out.
//!
//! This is the algorithm `static/js/search.js` runs in the browser, step for step, so that
//! tests can query a built site from Rust and a browser test can check that both sides
//! rank alike. Its numbers (tiers, weights, limits) are [`RANK`], which the manifest hands
//! to the browser. In short:
//! 1. The query is tokenized ([`Mode::Query`]); whitespace splits it into *chunks*, whose
//!    tokens must appear as a phrase (at the same relative positions). The last token, if a
//!    word, also matches as a prefix while the reader types; so does a lone Han character
//!    (bodies index pairs of characters, not single ones, so `秩` finds 低秩矩阵 in a body
//!    through 秩矩, but not a body where 秩 only ends a run, as in 低秩。).
//! 2. Every note holding all tokens is a candidate. Its *tier*: 6 when the whole query is a
//!    title or alias, 5 when it is one once its last word is completed (`lor` → `LoRA`),
//!    4 when it begins one, 3 when every chunk is inside the names, 2 when every chunk is
//!    in the names or the summary, 1 otherwise. Below tier 3, how well the chunks match
//!    names (a whole name, its beginning, inside one) decides first, so `GPT-4 图像` puts
//!    the note named GPT-4 before one named Mini GPT-4. Its *score*: per token the best
//!    BM25 impact of its terms, fields weighted 4 (names), 2 (summary), 1 (body), prefix
//!    matches at 7/10.
//! 3. Candidates are taken best first (tier, names, score, then reading order). A chunk
//!    that only the summary or body can hold is checked as a phrase against the note's
//!    text; a failed check drops the note, or lowers its tier. Tiers only fall, so the walk
//!    stops once the next candidate cannot beat the last hit kept.
//! 4. When no note holds every chunk, the tokens count one by one: notes holding at least
//!    half of them, most first, then those the tokens name best (`partial`).
//! 5. *Forgiving*: when fewer than a page of notes hold the query and some token is held
//!    by fewer than `fuzzy_below` notes, the query is asked again with such tokens
//!    replaced: a Latin word by the close words of the typo vocabulary (one edit for 4–7
//!    letters, two from 8; a swap of neighbours is one edit), a run of Han characters by
//!    its pinyin, matched against names only (威调 → weitiao, the pinyin of 微调). Those
//!    hits come after every exact hit, and replace partial ones; a corrected word makes
//!    the suggestion ("Did you mean …").

use super::encode::Reader;
use super::index::{fuzzy_keys, fuzzy_term, inflate, js_order, summary_text, FLAG_END, FLAG_START, FORMAT_VERSION};
use super::rank::{max_edits, osa, RANK};
use super::tokenize::{tokenize, Folded, Kind, Mode, Token};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Hits shown for a query.
pub const LIMIT: usize = RANK.limit;

const NAMES: u8 = 1;
const SUMMARY: u8 = 2;
const BODY: u8 = 4;

#[derive(Debug, Deserialize)]
struct PinyinTable {
    from: u32,
    block: u32,
    blocks: Vec<u32>,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    docs: usize,
    /// Notes per doc chunk, in base-64 numbers.
    chunks: String,
    shards: Vec<String>,
    /// Typo vocabulary keys, with how many parts each.
    fuzzy: BTreeMap<String, usize>,
    pinyin: Option<PinyinTable>,
}

/// A note as stored in a doc chunk.
#[derive(Debug, Clone, Deserialize)]
pub struct DocData {
    pub slug: String,
    pub title: String,
    pub crumbs: Vec<String>,
    pub summary: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub body: String,
    /// The body is only the beginning of the note's ([`super::index::BODY_CAP`]).
    pub cut: bool,
}

/// A doc chunk's record: slug, title, crumbs, summary, tags, aliases, body, cut (0 or 1).
type Record = (String, String, Vec<String>, String, Vec<String>, Vec<String>, String, u8);

/// A loaded index.
pub struct Index {
    manifest: Manifest,
    /// Every term with its posting list, in JavaScript's string order, and its shard.
    terms: Vec<(String, String, usize)>,
    pub docs: Vec<DocData>,
    /// The first note of each doc chunk.
    doc_starts: Vec<usize>,
    /// The typo vocabulary by key: words and their weights.
    fuzzy: HashMap<String, Vec<(String, u64)>>,
    /// The pinyin table by block: readings per code point.
    pinyin: HashMap<u32, Vec<Vec<String>>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub doc: usize,
    pub slug: String,
    pub tier: u8,
    pub score: u64,
    /// Found only by the forgiving pass (a typo corrected, a homophone).
    pub fuzzy: bool,
}

#[derive(Debug, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// No note held every chunk: these hold some.
    pub partial: bool,
    /// The query with its typos corrected, when corrected words found notes.
    pub suggest: Option<String>,
    /// Index files the query read, as the browser would load them.
    pub files: BTreeSet<String>,
}

/// The arguments of `conceptbookSearch.<call>(…);` in one of the index's scripts.
fn script_args(js: &[u8], call: &str) -> Result<serde_json::Value, String> {
    let text = std::str::from_utf8(js).map_err(|e| e.to_string())?;
    let head = format!("conceptbookSearch.{call}(");
    let inner = text
        .trim_end()
        .strip_prefix(&head)
        .and_then(|r| r.strip_suffix(");"))
        .ok_or_else(|| format!("not a conceptbookSearch.{call} script"))?;
    serde_json::from_str(&format!("[{inner}]")).map_err(|e| e.to_string())
}

fn json<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| e.to_string())
}

impl Index {
    /// Reads an index through `read` (a path below the output root → its bytes).
    pub fn load(read: impl Fn(&str) -> Option<Vec<u8>>) -> Result<Index, String> {
        let get = |p: &str| read(p).ok_or_else(|| format!("{p} is missing"));
        let args = script_args(&get("search/index.js")?, "manifest")?;
        let version: u32 = json(&args[0]["version"])?;
        if version != FORMAT_VERSION {
            return Err(format!("index format {version} unknown"));
        }
        let manifest: Manifest = json(&args[0])?;
        let mut terms = Vec::new();
        for k in 0..manifest.shards.len() {
            let args = script_args(&get(&format!("search/terms-{k}.js"))?, "terms")?;
            let packed: String = json(&args[1])?;
            let (names, lists): (Vec<String>, Vec<String>) =
                serde_json::from_str(&inflate(&packed)?).map_err(|e| e.to_string())?;
            terms.extend(names.into_iter().zip(lists).map(|(t, p)| (t, p, k)));
        }
        let mut docs = Vec::with_capacity(manifest.docs);
        let mut doc_starts = Vec::new();
        let mut r = Reader::new(&manifest.chunks);
        let mut at = 0;
        while !r.done() {
            doc_starts.push(at);
            at += r.read() as usize;
        }
        for (k, &start) in doc_starts.iter().enumerate() {
            let args = script_args(&get(&format!("search/docs-{k}.js"))?, "docs")?;
            let packed: String = json(&args[1])?;
            let records: Vec<Record> = serde_json::from_str(&inflate(&packed)?).map_err(|e| e.to_string())?;
            if docs.len() != start {
                return Err(format!("search/docs-{}.js holds {} notes, not as the manifest says", k - 1, docs.len()));
            }
            docs.extend(records.into_iter().map(|(slug, title, crumbs, summary, tags, aliases, body, cut)| DocData {
                slug,
                title,
                crumbs,
                summary,
                tags,
                aliases,
                body,
                cut: cut == 1,
            }));
        }
        let mut fuzzy = HashMap::new();
        for (key, &parts) in &manifest.fuzzy {
            let mut all: Vec<(String, u64)> = Vec::new();
            for k in 0..parts {
                let args = script_args(&get(&format!("search/fuzzy-{key}-{k}.js"))?, "fuzzy")?;
                let packed: String = json(&args[2])?;
                let (words, weights): (Vec<String>, String) =
                    serde_json::from_str(&inflate(&packed)?).map_err(|e| e.to_string())?;
                let mut r = Reader::new(&weights);
                all.extend(words.into_iter().map(|w| (w, r.read())));
            }
            fuzzy.insert(key.clone(), all);
        }
        let mut pinyin = HashMap::new();
        for &k in manifest.pinyin.iter().flat_map(|p| &p.blocks) {
            let args = script_args(&get(&format!("search/pinyin-{k}.js"))?, "pinyin")?;
            let table: String = json(&args[1])?;
            let entries = table
                .split('|')
                .map(|e| if e.is_empty() { Vec::new() } else { e.split(',').map(str::to_string).collect() })
                .collect();
            pinyin.insert(k, entries);
        }
        Ok(Index { manifest, terms, docs, doc_starts, fuzzy, pinyin })
    }

    /// Reads the index of a site built into `dir`.
    pub fn open(dir: &std::path::Path) -> Result<Index, String> {
        Index::load(|p| std::fs::read(dir.join(p)).ok())
    }

    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    pub fn shard_count(&self) -> usize {
        self.manifest.shards.len()
    }

    fn lower_bound(&self, t: &str) -> usize {
        self.terms.partition_point(|(x, _, _)| js_order(x, t) == std::cmp::Ordering::Less)
    }

    /// The terms a query token matches: itself, and when `prefix`, the terms it begins
    /// (at most `max_expansions`, from the shard of the token and the next ones whose
    /// first term it begins, at most `max_prefix_shards` in all: those are the shards
    /// the browser loads).
    fn matches(&self, token: &str, prefix: bool, files: &mut BTreeSet<String>) -> Vec<(usize, bool)> {
        let first_shard = self.shard_of(token);
        files.insert(format!("search/terms-{first_shard}.js"));
        if prefix {
            for k in first_shard + 1..(first_shard + RANK.max_prefix_shards).min(self.shard_count()) {
                if !self.manifest.shards[k].starts_with(token) {
                    break;
                }
                files.insert(format!("search/terms-{k}.js"));
            }
        }
        let mut out = Vec::new();
        let mut i = self.lower_bound(token);
        if self.terms.get(i).is_some_and(|t| t.0 == token) {
            out.push((i, true));
            i += 1;
        }
        if prefix {
            let mut n = 0;
            while let Some((t, _, shard)) = self.terms.get(i) {
                if !t.starts_with(token) || n >= RANK.max_expansions || shard - first_shard >= RANK.max_prefix_shards {
                    break;
                }
                out.push((i, false));
                n += 1;
                i += 1;
            }
        }
        out
    }

    /// The shard whose range holds `t`.
    fn shard_of(&self, t: &str) -> usize {
        let s = &self.manifest.shards;
        s.partition_point(|x| js_order(x, t) != std::cmp::Ordering::Greater).saturating_sub(1)
    }

    fn doc_file(&self, doc: usize) -> String {
        format!("search/docs-{}.js", self.doc_starts.partition_point(|&s| s <= doc).saturating_sub(1))
    }

    /// What each token of `plan` matched.
    fn gather(&self, plan: &Plan, files: &mut BTreeSet<String>) -> Vec<TokenDocs> {
        (0..plan.tokens.len())
            .map(|i| {
                let mut terms: Vec<(usize, bool)> = Vec::new();
                for alt in &plan.alts[i] {
                    for (t, exact) in self.matches(alt, plan.prefix[i], files) {
                        match terms.iter_mut().find(|x| x.0 == t) {
                            Some(x) => x.1 |= exact,
                            None => terms.push((t, exact)),
                        }
                    }
                }
                let (we, wp) = if plan.fuzzy[i] { (RANK.w_fuzzy, RANK.w_fuzzy) } else { (RANK.w_exact, RANK.w_prefix) };
                TokenDocs::gather(self, &terms, self.manifest.docs, (we, wp), plan.names_only[i])
            })
            .collect()
    }

    /// Runs a query; at most `limit` hits.
    pub fn search(&self, query: &str, limit: usize) -> Results {
        let mut res = Results::default();
        let q = tokenize(query, Mode::Query);
        if q.is_empty() {
            return res;
        }
        res.files.insert("search/index.js".to_string());
        if self.manifest.shards.is_empty() {
            return res;
        }
        let plan = Plan::new(q);
        let toks = self.gather(&plan, &mut res.files);
        let (hits, mut partial) = self.rank(&plan, &toks, limit, &mut res.files);
        let mut hits: Vec<(Cand, bool)> = hits.into_iter().map(|c| (c, false)).collect();
        if partial || hits.len() < limit {
            if let Some((plan2, suggest)) = self.forgive(query, &plan, &toks, &mut res.files) {
                let toks2 = self.gather(&plan2, &mut res.files);
                let (more, partial2) = self.rank(&plan2, &toks2, limit, &mut res.files);
                if !more.is_empty() && (!partial2 || hits.is_empty()) {
                    if partial && !partial2 {
                        hits.clear();
                    }
                    partial = partial2;
                    for c in more {
                        if hits.len() < limit && !hits.iter().any(|h| h.0.doc == c.doc) {
                            hits.push((c, true));
                            res.suggest = suggest.clone();
                        }
                    }
                }
            }
        }
        res.partial = partial && !hits.is_empty();
        for (h, fuzzy) in hits {
            res.files.insert(self.doc_file(h.doc));
            res.hits.push(Hit { doc: h.doc, slug: self.docs[h.doc].slug.clone(), tier: h.tier, score: h.score, fuzzy });
        }
        res
    }

    /// The best hits of a plan, and whether they are partial matches.
    fn rank(&self, plan: &Plan, toks: &[TokenDocs], limit: usize, files: &mut BTreeSet<String>) -> (Vec<Cand>, bool) {
        let mut cands = candidates(plan, toks);
        sort(&mut cands);
        let mut hits: Vec<Cand> = Vec::new();
        for mut c in cands {
            if hits.len() >= limit && key(&hits[limit - 1]) > key(&c) {
                break;
            }
            if c.verify {
                files.insert(self.doc_file(c.doc));
                let d = &self.docs[c.doc];
                match verify(plan, &c, &summary_text(&d.summary, &d.tags), &d.body, d.cut) {
                    Some(tier) => c.tier = tier,
                    None => continue,
                }
            }
            let at = hits.partition_point(|h| key(h) > key(&c));
            hits.insert(at, c);
            hits.truncate(limit);
        }
        if !hits.is_empty() {
            return (hits, false);
        }
        let mut cands = partial_candidates(toks);
        sort(&mut cands);
        cands.truncate(limit);
        (cands, true)
    }

    /// The query again with its weak tokens replaced (see the module comment), and the
    /// suggestion its corrected words make; `None` when no token is weak.
    fn forgive(
        &self,
        query: &str,
        plan: &Plan,
        toks: &[TokenDocs],
        files: &mut BTreeSet<String>,
    ) -> Option<(Plan, Option<String>)> {
        let weak: Vec<bool> = toks.iter().map(|t| t.docs.len() < RANK.fuzzy_below).collect();
        let corrections = self.typo_corrections(plan, &weak, files);
        let runs = self.homophone_runs(plan, &weak, files);
        if runs.is_empty() && corrections.iter().all(Vec::is_empty) {
            return None;
        }
        Some((replan(plan, &corrections, &runs), suggestion(query, plan, &corrections)))
    }

    /// For each weak Latin word of the query, the close words of the typo vocabulary.
    fn typo_corrections(&self, plan: &Plan, weak: &[bool], files: &mut BTreeSet<String>) -> Vec<Vec<String>> {
        plan.tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if t.kind == Kind::Word && weak[i] && fuzzy_term(&t.term) && max_edits(t.term.chars().count()) > 0 {
                    self.corrections(&t.term, files)
                } else {
                    Vec::new()
                }
            })
            .collect()
    }

    /// Runs of Han bigrams (tokens `i..j`, one run of `j - i + 1` characters) with a weak
    /// token, by their first token: the run's end and the names that sound like it.
    fn homophone_runs(
        &self,
        plan: &Plan,
        weak: &[bool],
        files: &mut BTreeSet<String>,
    ) -> HashMap<usize, (usize, Vec<String>)> {
        let mut runs = HashMap::new();
        if self.manifest.pinyin.is_none() {
            return runs;
        }
        let n = plan.tokens.len();
        let bigram = |k: usize| plan.tokens[k].kind == Kind::Cjk && plan.tokens[k].span == 2;
        let mut i = 0;
        while i < n {
            if !bigram(i) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && bigram(j) && !plan.tokens[j].space_before && plan.tokens[j].pos == plan.tokens[j - 1].pos + 1
            {
                j += 1;
            }
            if weak[i..j].iter().any(|&w| w) {
                let mut chars: Vec<char> = plan.tokens[i..j].iter().filter_map(|t| t.term.chars().next()).collect();
                chars.extend(plan.tokens[j - 1].term.chars().nth(1));
                let variants = self.pinyin_variants(&chars, files);
                if !variants.is_empty() {
                    runs.insert(i, (j, variants));
                }
            }
            i = j;
        }
        runs
    }

    /// The words of the typo vocabulary close to `term`, best first: fewest edits, then
    /// words that name a note, then the most common; at most `fuzzy_max_terms`.
    fn corrections(&self, term: &str, files: &mut BTreeSet<String>) -> Vec<String> {
        let q: Vec<char> = term.chars().collect();
        let max = max_edits(q.len());
        let mut found: Vec<(usize, u64, &str)> = Vec::new();
        for key in fuzzy_keys(term) {
            let Some(words) = self.fuzzy.get(&key) else { continue };
            // the browser loads every part of the key before it looks
            for k in 0..self.manifest.fuzzy[&key] {
                files.insert(format!("search/fuzzy-{key}-{k}.js"));
            }
            for (w, weight) in words {
                if w == term || found.iter().any(|f| f.2 == w) {
                    continue;
                }
                let wc: Vec<char> = w.chars().collect();
                if let Some(d) = osa(&q, &wc, max) {
                    found.push((d, *weight, w));
                }
            }
        }
        found
            .sort_by(|a, b| a.0.cmp(&b.0).then((b.1 & 1).cmp(&(a.1 & 1))).then(b.1.cmp(&a.1)).then(js_order(a.2, b.2)));
        found.into_iter().take(RANK.fuzzy_max_terms).map(|f| f.2.to_string()).collect()
    }

    /// The readings of `c` in the pinyin table (empty when it has none).
    fn readings(&self, c: char, files: &mut BTreeSet<String>) -> Vec<String> {
        let Some(table) = &self.manifest.pinyin else { return Vec::new() };
        let c = c as u32;
        if c < table.from {
            return Vec::new();
        }
        let k = (c - table.from) / table.block.max(1);
        let Some(block) = self.pinyin.get(&k) else { return Vec::new() };
        files.insert(format!("search/pinyin-{k}.js"));
        block.get(((c - table.from) % table.block) as usize).cloned().unwrap_or_default()
    }

    /// Spellings of a run of Han characters in toneless pinyin, as names are indexed
    /// ([`super::index::pinyin_names`]): the usual readings, then each other reading of
    /// one character at a time; at most `pinyin_variants`. Empty when a character has
    /// no reading.
    fn pinyin_variants(&self, chars: &[char], files: &mut BTreeSet<String>) -> Vec<String> {
        let readings: Vec<Vec<String>> = chars.iter().map(|&c| self.readings(c, files)).collect();
        if readings.iter().any(Vec::is_empty) {
            return Vec::new();
        }
        let spell = |at: usize, k: usize| -> String {
            readings.iter().enumerate().map(|(i, r)| if i == at { r[k].as_str() } else { r[0].as_str() }).collect()
        };
        let mut out = vec![spell(usize::MAX, 0)];
        'all: for (i, r) in readings.iter().enumerate() {
            for k in 1..r.len() {
                if out.len() >= RANK.pinyin_variants {
                    break 'all;
                }
                let s = spell(i, k);
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }
}

/// `plan` with each weak word widened to its corrections (and itself), and each homophone
/// run replaced by one token standing for the names that sound like it.
fn replan(plan: &Plan, corrections: &[Vec<String>], runs: &HashMap<usize, (usize, Vec<String>)>) -> Plan {
    let mut p = Plan {
        tokens: Vec::new(),
        chunks: Vec::new(),
        alts: Vec::new(),
        prefix: Vec::new(),
        names_only: Vec::new(),
        fuzzy: Vec::new(),
    };
    let mut shift = 0;
    let mut i = 0;
    while i < plan.tokens.len() {
        let t = &plan.tokens[i];
        if let Some((j, variants)) = runs.get(&i) {
            let last = &plan.tokens[j - 1];
            p.tokens.push(Token {
                term: variants[0].clone(),
                pos: t.pos - shift,
                span: 1,
                kind: Kind::Word,
                start: t.start,
                end: last.end,
                space_before: t.space_before,
            });
            p.alts.push(variants.clone());
            p.prefix.push(true);
            p.names_only.push(true);
            p.fuzzy.push(true);
            shift += (j - i) as u32;
            i = *j;
            continue;
        }
        p.tokens.push(Token { pos: t.pos - shift, ..t.clone() });
        if corrections[i].is_empty() {
            p.alts.push(plan.alts[i].clone());
            p.prefix.push(plan.prefix[i]);
            p.fuzzy.push(false);
        } else {
            p.alts.push(corrections[i].iter().cloned().chain([t.term.clone()]).collect());
            p.prefix.push(false);
            p.fuzzy.push(true);
        }
        p.names_only.push(false);
        i += 1;
    }
    p.chunks = chunks_of(&p.tokens);
    p
}

/// "Did you mean": the query with each corrected word replaced by its best correction.
fn suggestion(query: &str, plan: &Plan, corrections: &[Vec<String>]) -> Option<String> {
    corrections.iter().any(|c| !c.is_empty()).then(|| {
        let mut s = query.to_string();
        for (t, c) in plan.tokens.iter().zip(corrections).rev() {
            if let Some(best) = c.first() {
                s.replace_range(t.start..t.end, best);
            }
        }
        s
    })
}

/// Token ranges of the chunks: whitespace starts a new one.
fn chunks_of(tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for i in 1..=tokens.len() {
        if i == tokens.len() || tokens[i].space_before {
            chunks.push(start..i);
            start = i;
        }
    }
    chunks
}

/// A query, tokenized and split into chunks, with what each token matches.
pub struct Plan {
    pub tokens: Vec<Token>,
    /// Token ranges of the chunks.
    pub chunks: Vec<std::ops::Range<usize>>,
    /// Per token, the terms it matches whole: itself, or its corrections, or the pinyin
    /// spellings of a run of Han characters.
    pub alts: Vec<Vec<String>>,
    /// Per token: it also matches terms it begins (the last word, while typing).
    pub prefix: Vec<bool>,
    /// Per token: only names count (pinyin).
    pub names_only: Vec<bool>,
    /// Per token: matched forgivingly.
    pub fuzzy: Vec<bool>,
}

impl Plan {
    pub fn new(tokens: Vec<Token>) -> Plan {
        let n = tokens.len();
        let last = tokens.last().expect("a plan has tokens");
        let prefix = last.kind == Kind::Word && (last.term.chars().count() >= 2 || n > 1);
        Plan {
            chunks: chunks_of(&tokens),
            alts: tokens.iter().map(|t| vec![t.term.clone()]).collect(),
            // a lone Han character also matches the pairs it begins (bodies index no single
            // characters)
            prefix: tokens
                .iter()
                .enumerate()
                .map(|(i, t)| (prefix && i + 1 == n) || (t.kind == Kind::Cjk && t.span == 1))
                .collect(),
            names_only: vec![false; n],
            fuzzy: vec![false; n],
            tokens,
        }
    }

    /// Whether document term `term` matches query token `i`.
    fn token_matches(&self, i: usize, term: &str) -> bool {
        self.alts[i].iter().any(|a| term == a || (self.prefix[i] && term.starts_with(a.as_str())))
    }
}

/// What one query token matched, per note.
struct TokenDocs {
    mask: Vec<u8>,
    score: Vec<u64>,
    /// Name positions: (position, flags, matched by the token itself rather than a prefix).
    names: HashMap<usize, Vec<(u32, u32, bool)>>,
    /// Notes holding the token, ascending.
    docs: Vec<usize>,
}

impl TokenDocs {
    /// `weights`: of an exact match, of a prefix match; `names_only`: other fields
    /// do not count.
    fn gather(index: &Index, terms: &[(usize, bool)], n: usize, weights: (u64, u64), names_only: bool) -> TokenDocs {
        let mut t = TokenDocs { mask: vec![0; n], score: vec![0; n], names: HashMap::new(), docs: Vec::new() };
        for &(i, exact) in terms {
            let mut r = Reader::new(&index.terms[i].1);
            let mut doc: i64 = -1;
            while !r.done() {
                let head = r.read();
                doc += (head / 8) as i64 + 1;
                let d = doc as usize;
                let mut mask = (head % 8) as u8;
                let (mut qn, mut qs, mut qb) = (0, 0, 0);
                let mut positions = Vec::new();
                if mask & NAMES != 0 {
                    qn = r.read();
                    let count = r.read();
                    let mut pos = 0;
                    for _ in 0..count {
                        let v = r.read() as u32;
                        pos += v / 4;
                        positions.push((pos, v & 3, exact));
                    }
                }
                if mask & SUMMARY != 0 {
                    qs = r.read();
                }
                if mask & BODY != 0 {
                    qb = r.read();
                }
                if names_only {
                    mask &= NAMES;
                    (qs, qb) = (0, 0);
                }
                if mask == 0 {
                    continue;
                }
                if !positions.is_empty() {
                    t.names.entry(d).or_default().extend(positions);
                }
                if t.mask[d] == 0 {
                    t.docs.push(d);
                }
                t.mask[d] |= mask;
                let w = if exact { weights.0 } else { weights.1 };
                let s = (RANK.w_names * qn + RANK.w_summary * qs + RANK.w_body * qb) * w;
                t.score[d] = t.score[d].max(s);
            }
        }
        t.docs.sort_unstable();
        t
    }
}

#[derive(Debug, Clone)]
struct Cand {
    doc: usize,
    /// Decides first: the tier from `tier_names` up (or, for partial matches, the tokens
    /// held), else 0.
    major: u8,
    tier: u8,
    /// How well the chunks (for partial matches: the tokens) name the note.
    names: u32,
    score: u64,
    /// Per chunk: held by the names (checked), or possibly by summary / body (to check).
    chunks: Vec<(bool, bool, bool)>,
    verify: bool,
}

fn key(c: &Cand) -> (u8, u32, u8, u64, std::cmp::Reverse<usize>) {
    (c.major, c.names, c.tier, c.score, std::cmp::Reverse(c.doc))
}

fn sort(cands: &mut [Cand]) {
    cands.sort_by_key(|c| std::cmp::Reverse(key(c)));
}

/// How a run of query tokens sits in the names of a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum InNames {
    /// Somewhere inside a name.
    Inside,
    /// At the start of a name.
    Begins,
    /// The whole name, once the last word is completed (`lor` → `LoRA`).
    Completes,
    /// The whole name.
    Exact,
}

impl InNames {
    fn quality(self) -> u32 {
        match self {
            InNames::Exact => RANK.q_exact,
            InNames::Completes => RANK.q_completes,
            InNames::Begins => RANK.q_begins,
            InNames::Inside => RANK.q_inside,
        }
    }
}

/// Where the tokens of `range` sit in the names of `doc` as a phrase (each at `p + its
/// query position - the first's`), the best way found; `whole` looks only at runs that
/// begin a name.
fn names_phrase(
    plan: &Plan,
    toks: &[TokenDocs],
    doc: usize,
    range: std::ops::Range<usize>,
    whole: bool,
) -> Option<InNames> {
    let first = range.start;
    let base = plan.tokens[first].pos;
    let empty = Vec::new();
    let lists: Vec<&Vec<(u32, u32, bool)>> = range.clone().map(|i| toks[i].names.get(&doc).unwrap_or(&empty)).collect();
    let mut best = None;
    for &(p, flags, _) in lists[0] {
        if whole && flags & FLAG_START == 0 {
            continue;
        }
        let mut how = if flags & FLAG_START != 0 { InNames::Begins } else { InNames::Inside };
        let all = range.clone().enumerate().all(|(k, i)| {
            let want = p + (plan.tokens[i].pos - base);
            lists[k].iter().any(|&(q, f, exact)| {
                if q == want && k + 1 == lists.len() && f & FLAG_END != 0 && how == InNames::Begins {
                    how = if exact { InNames::Exact } else { InNames::Completes };
                }
                q == want
            })
        });
        if all {
            best = best.max(Some(how));
        }
    }
    best
}

fn candidates(plan: &Plan, toks: &[TokenDocs]) -> Vec<Cand> {
    let rarest = toks.iter().min_by_key(|t| t.docs.len()).expect("a plan has tokens");
    let mut out = Vec::new();
    'doc: for &d in &rarest.docs {
        if toks.iter().any(|t| t.mask[d] == 0) {
            continue;
        }
        let mut chunks = Vec::with_capacity(plan.chunks.len());
        let mut names = 0;
        for r in &plan.chunks {
            let all = |bit: u8| r.clone().all(|i| toks[i].mask[d] & bit != 0);
            let how = if all(NAMES) { names_phrase(plan, toks, d, r.clone(), false) } else { None };
            names += how.map_or(0, InNames::quality);
            let in_names = if r.len() == 1 { toks[r.start].mask[d] & NAMES != 0 } else { how.is_some() };
            let (s, b) = (all(SUMMARY), all(BODY));
            if !in_names && !s && !b {
                continue 'doc;
            }
            chunks.push((in_names, s, b));
        }
        let named = toks.iter().all(|t| t.mask[d] & NAMES != 0);
        let whole = if named { names_phrase(plan, toks, d, 0..plan.tokens.len(), true) } else { None };
        let tier = match whole {
            Some(InNames::Exact) => RANK.tier_exact,
            Some(InNames::Completes) => RANK.tier_completes,
            Some(_) => RANK.tier_begins,
            None if chunks.iter().all(|c| c.0) => RANK.tier_names,
            None if chunks.iter().all(|c| c.0 || c.1) => RANK.tier_summary,
            None => RANK.tier_body,
        };
        let verify = tier < RANK.tier_names && plan.chunks.iter().zip(&chunks).any(|(r, c)| r.len() > 1 && !c.0);
        out.push(Cand {
            doc: d,
            major: if tier >= RANK.tier_names { tier } else { 0 },
            tier,
            names,
            score: toks.iter().map(|t| t.score[d]).sum(),
            chunks,
            verify,
        });
    }
    out
}

/// Checks the chunks only summary or body could hold against the text; the tier that
/// holds up, or `None` when a chunk is in neither. A body `cut` at
/// [`super::index::BODY_CAP`] may hold the phrase past the cut, where no text is kept to
/// check: its tokens are all in the body (the posting lists say so), so it counts as
/// found, rather than lose the hit.
fn verify(plan: &Plan, c: &Cand, summary: &str, body: &str, cut: bool) -> Option<u8> {
    let summary = Folded::new(summary);
    let body = Folded::new(body);
    let mut all_upper = true;
    for (r, &(in_names, s, b)) in plan.chunks.iter().zip(&c.chunks) {
        if in_names {
            continue;
        }
        if r.len() == 1 {
            all_upper &= s;
            continue;
        }
        if s && text_phrase(plan, r.clone(), &summary) {
            continue;
        }
        if b && (cut || text_phrase(plan, r.clone(), &body)) {
            all_upper = false;
            continue;
        }
        return None;
    }
    Some(if all_upper { RANK.tier_summary } else { RANK.tier_body })
}

/// Whether the tokens of `range` appear in `text` at their relative query positions.
pub fn text_phrase(plan: &Plan, range: std::ops::Range<usize>, text: &Folded) -> bool {
    let mut at: HashMap<u32, Vec<&str>> = HashMap::new();
    text.each(Mode::Doc, |t| at.entry(t.pos).or_default().push(t.term));
    let base = plan.tokens[range.start].pos;
    let mut starts: Vec<u32> = at
        .iter()
        .filter(|(_, terms)| terms.iter().any(|t| plan.token_matches(range.start, t)))
        .map(|(&p, _)| p)
        .collect();
    starts.sort_unstable();
    starts.into_iter().any(|p| {
        range.clone().all(|i| {
            at.get(&(p + plan.tokens[i].pos - base)).is_some_and(|terms| terms.iter().any(|t| plan.token_matches(i, t)))
        })
    })
}

/// Notes holding at least half of the tokens. The tier is how many they hold; `names`
/// counts 2 for a token that is a whole name of the note, 1 for one inside a name.
fn partial_candidates(toks: &[TokenDocs]) -> Vec<Cand> {
    let need = toks.len().div_ceil(2).max(1);
    let mut count: HashMap<usize, usize> = HashMap::new();
    for t in toks {
        for &d in &t.docs {
            *count.entry(d).or_default() += 1;
        }
    }
    let mut out: Vec<Cand> = count
        .into_iter()
        .filter(|&(_, n)| n >= need)
        .map(|(d, n)| Cand {
            doc: d,
            major: n.min(255) as u8,
            tier: n.min(255) as u8,
            names: toks
                .iter()
                .map(|t| match t.names.get(&d) {
                    Some(l) if l.iter().any(|&(_, f, exact)| f == FLAG_START | FLAG_END && exact) => 2,
                    Some(_) => 1,
                    None => 0,
                })
                .sum(),
            score: toks.iter().map(|t| t.score[d]).sum(),
            chunks: Vec::new(),
            verify: false,
        })
        .collect();
    out.sort_by_key(|c| c.doc);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{index, Doc};

    fn doc(slug: &str, title: &str, aliases: &[&str], summary: &str, body: &str) -> Doc {
        Doc {
            slug: slug.into(),
            title: title.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            summary: summary.into(),
            body: body.into(),
            ..Doc::default()
        }
    }

    fn load(docs: &[Doc]) -> Index {
        let files = index::build(docs, true, &crate::assets::embedded_labels("zh").search_panel);
        Index::load(|p| files.get(p).cloned()).expect("index loads")
    }

    fn slugs(ix: &Index, q: &str) -> Vec<String> {
        ix.search(q, LIMIT).hits.into_iter().map(|h| h.slug).collect()
    }

    fn site() -> Index {
        load(&[
            doc("body-only", "正文提及", &[], "一句话。", "这里顺带说到 LoRA 和低秩适配，还有奖励的模型。"),
            doc("summary", "摘要提及", &[], "与 LoRA 低秩适配相关的方法。", "正文。"),
            doc(
                "lora",
                "LoRA（低秩适配）",
                &["LoRA", "Low-Rank Adaptation"],
                "冻结权重，只训练低秩矩阵。",
                "LoRA 是常用的 PEFT 方法。",
            ),
            doc("lora-ext", "LoRA 变体", &[], "基于 LoRA 的改进。", "QLoRA 与 LoRA+。"),
            doc("alpaca", "Alpaca", &["Alpaca-LoRA"], "斯坦福的模型。", "用 LoRA 微调。"),
            doc("rlhf", "RLHF", &["奖励模型", "Reward Model"], "人类反馈。", "先训练奖励模型，再用 PPO 优化。"),
            doc("fine-tuning", "微调", &["Fine-tuning"], "在预训练模型上继续训练。", "微调分全量微调与高效微调。"),
            doc("gpt", "GPT 系列", &["GPT-3.5", "gpt-3.5-turbo"], "OpenAI 的模型。", "GPT-3 之后是 GPT-3.5 与 GPT-4。"),
        ])
    }

    #[test]
    fn tiers_exact_then_prefix_then_names_then_summary_then_body() {
        let ix = site();
        assert_eq!(slugs(&ix, "lora"), ["lora", "lora-ext", "alpaca", "summary", "body-only"]);
        let tiers: Vec<u8> = ix.search("lora", LIMIT).hits.iter().map(|h| h.tier).collect();
        assert_eq!(tiers, [6, 4, 3, 2, 1]);
        assert_eq!(slugs(&ix, "LoRA")[0], "lora");
        assert_eq!(slugs(&ix, "Ｌｏｒａ")[0], "lora", "full width folds");
    }

    #[test]
    fn prefixes_match_while_typing() {
        let ix = site();
        assert_eq!(slugs(&ix, "lor")[0], "lora");
        assert_eq!(slugs(&ix, "Low-Ra"), ["lora"]);
        assert_eq!(slugs(&ix, "gpt-3.")[0], "gpt");
        assert!(slugs(&ix, "l").is_empty(), "one letter matches only itself");
    }

    #[test]
    fn chinese_phrases_must_be_consecutive() {
        let ix = site();
        // body-only has 奖励 and 模型 but not 奖励模型
        assert_eq!(slugs(&ix, "奖励模型"), ["rlhf"]);
        assert_eq!(slugs(&ix, "低秩")[..2], ["lora", "summary"]);
        assert_eq!(slugs(&ix, "微调")[0], "fine-tuning");
        assert_eq!(ix.search("微调", LIMIT).hits[0].tier, 6);
        // a single character is found
        assert!(slugs(&ix, "秩").contains(&"lora".to_string()));
    }

    #[test]
    fn several_words_narrow_and_fall_back() {
        let ix = site();
        assert_eq!(slugs(&ix, "lora 斯坦福"), ["alpaca"]);
        let r = ix.search("lora 斯坦福大学", LIMIT);
        assert!(r.partial);
        assert_eq!(r.hits[0].slug, "alpaca");
        let r = ix.search("lora 量子", LIMIT);
        assert!(r.partial);
        assert_eq!(r.hits[0].slug, "lora");
        assert!(!ix.search("lora 微调", LIMIT).partial);
    }

    #[test]
    fn versions_and_pinyin() {
        let ix = site();
        assert_eq!(slugs(&ix, "GPT-3.5")[0], "gpt");
        assert_eq!(ix.search("gpt-3.5-turbo", LIMIT).hits[0].tier, 6);
        assert_eq!(slugs(&ix, "weitiao")[0], "fine-tuning");
        assert_eq!(slugs(&ix, "weit")[0], "fine-tuning");
        assert_eq!(slugs(&ix, "jiangli")[0], "rlhf");
    }

    fn forgiving_site() -> Index {
        load(&[
            doc("attention", "注意力", &["Attention"], "每个 token 看其他 token。", "Transformer 的核心运算。"),
            doc("transformer", "Transformer", &["Transformer 架构"], "基于注意力的架构。", "编码器与解码器。"),
            doc("typo", "笔误", &[], "一句话。", "有人把它写成 transfomer。"),
            doc("agents", "LangChain Agents", &["LangChain 代理"], "让模型调用工具。", "agents 按工具循环。"),
            doc("langchain", "LangChain", &[], "LLM 应用框架。", "提供链与代理。"),
            doc("chatglm", "ChatGLM-6B", &["ChatGLM"], "清华的对话模型。", "62 亿参数。"),
            doc("fine-tuning", "微调", &["Fine-tuning"], "继续训练。", "全量微调与高效微调。"),
            doc("llm", "大语言模型", &["大模型", "LLM"], "大规模语言模型。", "大模型基于 Transformer。"),
            doc("peft", "参数高效微调", &["PEFT"], "只训练少量参数。", "LoRA 是一种。"),
        ])
    }

    #[test]
    fn typos_are_forgiven_below_every_exact_hit() {
        let ix = forgiving_site();
        for (q, want, fix) in [
            ("trasnformer", "transformer", "transformer"),
            ("langchian", "langchain", "langchain"),
            ("chatgml", "chatglm", "chatglm"),
            ("Lnagchain", "langchain", "langchain"),
        ] {
            let r = ix.search(q, LIMIT);
            assert_eq!(r.hits.first().map(|h| h.slug.as_str()), Some(want), "{q}: {:?}", r.hits);
            assert!(r.hits.iter().all(|h| h.fuzzy), "{q}");
            assert_eq!(r.suggest.as_deref(), Some(fix), "{q}");
        }
        // the one note that holds the typo itself comes first, then the corrected word's
        let r = ix.search("transfomer", LIMIT);
        assert_eq!(r.hits[0].slug, "typo");
        assert!(!r.hits[0].fuzzy);
        assert!(r.hits[1..].iter().all(|h| h.fuzzy), "{:?}", r.hits);
        assert_eq!(r.hits[1].slug, "transformer");
        assert_eq!(r.suggest.as_deref(), Some("transformer"));
        // a typo in one word of two: the note holding both, not partial matches
        let r = ix.search("langchain agnets", LIMIT);
        assert_eq!(r.hits[0].slug, "agents");
        assert!(!r.partial);
        assert_eq!(r.suggest.as_deref(), Some("langchain agents"));
        // words found exactly ask for no correction; short words are not corrected
        let r = ix.search("transformer", LIMIT);
        assert!(r.suggest.is_none() && r.hits.iter().all(|h| !h.fuzzy));
        assert!(!r.files.iter().any(|f| f.contains("fuzzy-")), "{:?}", r.files);
        assert!(ix.search("gtp", LIMIT).hits.is_empty(), "three letters: no typo lookup");
        assert!(ix.search("zzzzzzzz", LIMIT).hits.is_empty());
        // the vocabulary read is two small files, not all of it
        let files = ix.search("trasnformer", LIMIT).files;
        assert_eq!(files.iter().filter(|f| f.contains("fuzzy-")).count(), 2, "{files:?}");
    }

    #[test]
    fn homophones_find_names_by_pinyin() {
        let ix = forgiving_site();
        let r = ix.search("威调", LIMIT);
        assert_eq!(r.hits[0].slug, "fine-tuning", "{:?}", r.hits);
        assert!(r.hits[0].fuzzy && r.suggest.is_none());
        assert_eq!(slugs(&ix, "大模形")[0], "llm");
        assert_eq!(slugs(&ix, "参数高效威调")[0], "peft");
        // an exact Han match stays first; the pinyin only adds below it
        let r = ix.search("微调", LIMIT);
        assert_eq!(r.hits[0].slug, "fine-tuning");
        assert!(!r.hits[0].fuzzy);
        assert!(r.files.iter().all(|f| !f.contains("pinyin-")), "no table for a query found exactly");
    }

    #[test]
    fn names_decide_mixed_queries() {
        let ix = load(&[
            doc("mini", "MiniGPT-4", &["Mini GPT-4"], "图文对话模型。", "它能理解图像，像 GPT-4 一样。"),
            doc("gpt", "GPT 系列", &["GPT-4"], "OpenAI 的模型。", "GPT-4 可以输入图像。"),
            doc("other", "多模态", &[], "GPT-4 与图像。", "正文。"),
        ]);
        assert_eq!(slugs(&ix, "GPT-4 图像"), ["gpt", "mini", "other"]);
    }

    #[test]
    fn bm25_prefers_denser_and_shorter_notes() {
        let ix = load(&[
            doc("long", "甲", &[], "一。", &format!("量化{}", "其他内容。".repeat(60))),
            doc("dense", "乙", &[], "二。", "量化，量化，再量化。"),
            doc("short", "丙", &[], "三。", "量化。"),
            doc("other", "丁", &[], "四。", "别的。"),
        ]);
        assert_eq!(slugs(&ix, "量化"), ["dense", "short", "long"]);
    }

    #[test]
    fn an_empty_site_finds_nothing() {
        let ix = load(&[]);
        assert!(ix.search("lora", LIMIT).hits.is_empty());
    }

    #[test]
    fn files_read_are_reported() {
        let ix = site();
        let r = ix.search("lora", LIMIT);
        assert!(r.files.contains("search/index.js"));
        assert!(r.files.iter().any(|f| f.starts_with("search/terms-")));
        assert!(r.files.iter().any(|f| f.starts_with("search/docs-")));
        assert!(ix.search("   ", LIMIT).files.is_empty());
    }
}
