//! The query engine: the files of `search/` and a query in, ranked hits out.
//!
//! This is the algorithm `static/js/search.js` runs in the browser, step for step, so that
//! tests can query a built site from Rust and a browser test can check that both sides
//! rank alike. In short:
//! 1. The query is tokenized ([`Mode::Query`]); whitespace splits it into *chunks*, whose
//!    tokens must appear as a phrase (at the same relative positions). The last token, if a
//!    word, also matches as a prefix while the reader types.
//! 2. Every note holding all tokens is a candidate. Its *tier*: 6 when the whole query is a
//!    title or alias, 5 when it is one once its last word is completed (`lor` → `LoRA`),
//!    4 when it begins one, 3 when every chunk is inside the names, 2 when every chunk is
//!    in the names or the summary, 1 otherwise. Its *score*: per token the
//!    best BM25 impact of its terms, fields weighted 4 (names), 2 (summary), 1 (body),
//!    prefix matches at 7/10.
//! 3. Candidates are taken best first (tier, score, then reading order). A chunk that only
//!    the summary or body can hold is checked as a phrase against the note's text; a failed
//!    check drops the note, or lowers its tier. Tiers only fall, so the walk stops once the
//!    next candidate cannot beat the last hit kept.
//! 4. When no note holds every chunk, the tokens count one by one: notes holding at least
//!    half of them, most first, then those the tokens name best (`partial`).

use super::encode::Reader;
use super::index::{js_order, summary_text, FLAG_END, FLAG_START, FORMAT_VERSION};
use super::tokenize::{tokenize, Folded, Kind, Mode, Token};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// Hits shown for a query.
pub const LIMIT: usize = 10;
/// A prefix expands to at most this many terms, found in at most this many shards.
pub const MAX_EXPANSIONS: usize = 64;
pub const MAX_PREFIX_SHARDS: usize = 3;

const W_NAMES: u64 = 4;
const W_SUMMARY: u64 = 2;
const W_BODY: u64 = 1;
const W_EXACT: u64 = 10;
const W_PREFIX: u64 = 7;

const NAMES: u8 = 1;
const SUMMARY: u8 = 2;
const BODY: u8 = 4;

#[derive(Debug, Deserialize)]
struct Manifest {
    version: u32,
    docs: usize,
    chunk: usize,
    shards: Vec<String>,
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
}

/// A doc chunk's record: slug, title, crumbs, summary, tags, aliases, body.
type Record = (String, String, Vec<String>, String, Vec<String>, Vec<String>, String);

/// A loaded index.
pub struct Index {
    manifest: Manifest,
    /// Every term with its posting list, in JavaScript's string order, and its shard.
    terms: Vec<(String, String, usize)>,
    pub docs: Vec<DocData>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub doc: usize,
    pub slug: String,
    pub tier: u8,
    pub score: u64,
}

#[derive(Debug, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// No note held every chunk: these hold some.
    pub partial: bool,
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

impl Index {
    /// Reads an index through `read` (a path below the output root → its bytes).
    pub fn load(read: impl Fn(&str) -> Option<Vec<u8>>) -> Result<Index, String> {
        let get = |p: &str| read(p).ok_or_else(|| format!("{p} is missing"));
        let args = script_args(&get("search/index.js")?, "manifest")?;
        let manifest: Manifest = serde_json::from_value(args[0].clone()).map_err(|e| e.to_string())?;
        if manifest.version != FORMAT_VERSION {
            return Err(format!("index format {} unknown", manifest.version));
        }
        let mut terms = Vec::new();
        for k in 0..manifest.shards.len() {
            let args = script_args(&get(&format!("search/terms-{k}.js"))?, "terms")?;
            let (names, lists): (Vec<String>, Vec<String>) = serde_json::from_value(args[1].clone())
                .and_then(|n| Ok((n, serde_json::from_value(args[2].clone())?)))
                .map_err(|e| e.to_string())?;
            terms.extend(names.into_iter().zip(lists).map(|(t, p)| (t, p, k)));
        }
        let mut docs = Vec::with_capacity(manifest.docs);
        for k in 0..manifest.docs.div_ceil(manifest.chunk.max(1)) {
            let args = script_args(&get(&format!("search/docs-{k}.js"))?, "docs")?;
            let records: Vec<Record> = serde_json::from_value(args[1].clone()).map_err(|e| e.to_string())?;
            docs.extend(records.into_iter().map(|(slug, title, crumbs, summary, tags, aliases, body)| DocData {
                slug,
                title,
                crumbs,
                summary,
                tags,
                aliases,
                body,
            }));
        }
        Ok(Index { manifest, terms, docs })
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
    /// (at most [`MAX_EXPANSIONS`], from the shard of the token and the next ones whose
    /// first term it begins, at most [`MAX_PREFIX_SHARDS`] in all: those are the shards
    /// the browser loads).
    fn matches(&self, token: &str, prefix: bool, files: &mut BTreeSet<String>) -> Vec<(usize, bool)> {
        let first_shard = self.shard_of(token);
        files.insert(format!("search/terms-{first_shard}.js"));
        if prefix {
            for k in first_shard + 1..(first_shard + MAX_PREFIX_SHARDS).min(self.shard_count()) {
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
                if !t.starts_with(token) || n >= MAX_EXPANSIONS || shard - first_shard >= MAX_PREFIX_SHARDS {
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
        format!("search/docs-{}.js", doc / self.manifest.chunk.max(1))
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
        let toks: Vec<TokenDocs> = plan
            .tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let prefix = plan.prefix && i + 1 == plan.tokens.len();
                let terms = self.matches(&t.term, prefix, &mut res.files);
                TokenDocs::gather(self, &terms, self.manifest.docs)
            })
            .collect();
        let mut cands = candidates(&plan, &toks);
        sort(&mut cands);
        let mut hits: Vec<Cand> = Vec::new();
        for mut c in cands {
            if hits.len() >= limit && key(&hits[limit - 1]) > key(&c) {
                break;
            }
            if c.verify {
                res.files.insert(self.doc_file(c.doc));
                let d = &self.docs[c.doc];
                match verify(&plan, &c, &summary_text(&d.summary, &d.tags), &d.body) {
                    Some(tier) => c.tier = tier,
                    None => continue,
                }
            }
            let at = hits.partition_point(|h| key(h) > key(&c));
            hits.insert(at, c);
            hits.truncate(limit);
        }
        if hits.is_empty() {
            let mut cands = partial_candidates(&toks);
            sort(&mut cands);
            cands.truncate(limit);
            res.partial = !cands.is_empty();
            hits = cands;
        }
        for h in hits {
            res.files.insert(self.doc_file(h.doc));
            res.hits.push(Hit { doc: h.doc, slug: self.docs[h.doc].slug.clone(), tier: h.tier, score: h.score });
        }
        res
    }
}

/// A query, tokenized and split into chunks.
pub struct Plan {
    pub tokens: Vec<Token>,
    /// Token ranges of the chunks.
    pub chunks: Vec<std::ops::Range<usize>>,
    /// The last token also matches terms it begins.
    pub prefix: bool,
}

impl Plan {
    pub fn new(tokens: Vec<Token>) -> Plan {
        let mut chunks = Vec::new();
        let mut start = 0;
        for i in 1..=tokens.len() {
            if i == tokens.len() || tokens[i].space_before {
                chunks.push(start..i);
                start = i;
            }
        }
        let last = tokens.last().expect("a plan has tokens");
        let prefix = last.kind == Kind::Word && (last.term.chars().count() >= 2 || tokens.len() > 1);
        Plan { tokens, chunks, prefix }
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
    fn gather(index: &Index, terms: &[(usize, bool)], n: usize) -> TokenDocs {
        let mut t = TokenDocs { mask: vec![0; n], score: vec![0; n], names: HashMap::new(), docs: Vec::new() };
        for &(i, exact) in terms {
            let mut r = Reader::new(&index.terms[i].1);
            let mut doc: i64 = -1;
            while !r.done() {
                let head = r.read();
                doc += (head / 8) as i64 + 1;
                let d = doc as usize;
                let mask = (head % 8) as u8;
                let (mut qn, mut qs, mut qb) = (0, 0, 0);
                if mask & NAMES != 0 {
                    qn = r.read();
                    let count = r.read();
                    let mut pos = 0;
                    let list = t.names.entry(d).or_default();
                    for _ in 0..count {
                        let v = r.read() as u32;
                        pos += v / 4;
                        list.push((pos, v & 3, exact));
                    }
                }
                if mask & SUMMARY != 0 {
                    qs = r.read();
                }
                if mask & BODY != 0 {
                    qb = r.read();
                }
                if t.mask[d] == 0 {
                    t.docs.push(d);
                }
                t.mask[d] |= mask;
                let w = if exact { W_EXACT } else { W_PREFIX };
                let s = (W_NAMES * qn + W_SUMMARY * qs + W_BODY * qb) * w;
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
    tier: u8,
    /// Partial matches only: how well the matched tokens name the note.
    names: u32,
    score: u64,
    /// Per chunk: held by the names (checked), or possibly by summary / body (to check).
    chunks: Vec<(bool, bool, bool)>,
    verify: bool,
}

fn key(c: &Cand) -> (u8, u32, u64, std::cmp::Reverse<usize>) {
    (c.tier, c.names, c.score, std::cmp::Reverse(c.doc))
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
        for r in &plan.chunks {
            let all = |bit: u8| r.clone().all(|i| toks[i].mask[d] & bit != 0);
            let in_names = if r.len() == 1 {
                toks[r.start].mask[d] & NAMES != 0
            } else {
                all(NAMES) && names_phrase(plan, toks, d, r.clone(), false).is_some()
            };
            let (s, b) = (all(SUMMARY), all(BODY));
            if !in_names && !s && !b {
                continue 'doc;
            }
            chunks.push((in_names, s, b));
        }
        let whole = names_phrase(plan, toks, d, 0..plan.tokens.len(), true);
        let tier = match whole {
            Some(InNames::Exact) => 6,
            Some(InNames::Completes) => 5,
            Some(_) => 4,
            None if chunks.iter().all(|c| c.0) => 3,
            None if chunks.iter().all(|c| c.0 || c.1) => 2,
            None => 1,
        };
        let verify = tier < 3 && plan.chunks.iter().zip(&chunks).any(|(r, c)| r.len() > 1 && !c.0);
        out.push(Cand { doc: d, tier, names: 0, score: toks.iter().map(|t| t.score[d]).sum(), chunks, verify });
    }
    out
}

/// Checks the chunks only summary or body could hold against the text; the tier that
/// holds up, or `None` when a chunk is in neither.
fn verify(plan: &Plan, c: &Cand, summary: &str, body: &str) -> Option<u8> {
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
        if b && text_phrase(plan, r.clone(), &body) {
            all_upper = false;
            continue;
        }
        return None;
    }
    Some(if all_upper { 2 } else { 1 })
}

/// Whether the tokens of `range` appear in `text` at their relative query positions.
pub fn text_phrase(plan: &Plan, range: std::ops::Range<usize>, text: &Folded) -> bool {
    let mut at: HashMap<u32, Vec<&str>> = HashMap::new();
    text.each(Mode::Doc, |t| at.entry(t.pos).or_default().push(t.term));
    let base = plan.tokens[range.start].pos;
    let last = plan.tokens.len() - 1;
    let matches = |i: usize, term: &str| {
        let q = &plan.tokens[i].term;
        term == q || (plan.prefix && i == last && term.starts_with(q.as_str()))
    };
    let mut starts: Vec<u32> =
        at.iter().filter(|(_, terms)| terms.iter().any(|t| matches(range.start, t))).map(|(&p, _)| p).collect();
    starts.sort_unstable();
    starts.into_iter().any(|p| {
        range
            .clone()
            .all(|i| at.get(&(p + plan.tokens[i].pos - base)).is_some_and(|terms| terms.iter().any(|t| matches(i, t))))
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
