//! The ranking's numbers, written once: the Rust engine ([`super::engine`]) uses [`RANK`]
//! and the index writes it into its manifest (`search/index.js`), where `search.js` reads
//! it. A browser test checks that both sides rank the same queries alike.

use serde::Serialize;

/// Tiers, weights and limits of the search.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rank {
    /// Hits shown for a query.
    pub limit: usize,
    /// A prefix expands to at most this many terms, found in at most this many shards.
    pub max_expansions: usize,
    pub max_prefix_shards: usize,
    /// Field weights of a term's BM25 impact.
    pub w_names: u64,
    pub w_summary: u64,
    pub w_body: u64,
    /// Weights of the way a term matched a query token: itself, as a prefix, as a typo
    /// correction or a homophone.
    pub w_exact: u64,
    pub w_prefix: u64,
    pub w_fuzzy: u64,
    /// Tiers: the whole query is a name; it is one once its last word is completed; it
    /// begins one; every chunk is inside the names; every chunk is in the names or the
    /// summary; otherwise (some chunk only in the body).
    pub tier_exact: u8,
    pub tier_completes: u8,
    pub tier_begins: u8,
    pub tier_names: u8,
    pub tier_summary: u8,
    pub tier_body: u8,
    /// How a chunk sits in a note's names, summed over a query's chunks: below
    /// `tier_names` this decides before the summary/body tier (`GPT-4 图像`: the note named
    /// GPT-4 first).
    pub q_exact: u32,
    pub q_completes: u32,
    pub q_begins: u32,
    pub q_inside: u32,
    /// A query token held by fewer notes than this is looked up again, forgivingly: a
    /// Latin word of at least `fuzzy_min_len` letters among close words, a run of Han
    /// characters by its pinyin among names.
    pub fuzzy_below: usize,
    pub fuzzy_min_len: usize,
    /// Words of this many letters or more may be two edits away, shorter ones one.
    pub fuzzy_two_from: usize,
    /// Close words a typo is replaced with, at most.
    pub fuzzy_max_terms: usize,
    /// Pinyin spellings tried for a run of Han characters, at most.
    pub pinyin_variants: usize,
}

pub const RANK: Rank = Rank {
    limit: 10,
    max_expansions: 64,
    max_prefix_shards: 3,
    w_names: 4,
    w_summary: 2,
    w_body: 1,
    w_exact: 10,
    w_prefix: 7,
    w_fuzzy: 5,
    tier_exact: 6,
    tier_completes: 5,
    tier_begins: 4,
    tier_names: 3,
    tier_summary: 2,
    tier_body: 1,
    q_exact: 4,
    q_completes: 3,
    q_begins: 2,
    q_inside: 1,
    fuzzy_below: 2,
    fuzzy_min_len: 4,
    fuzzy_two_from: 8,
    fuzzy_max_terms: 3,
    pinyin_variants: 8,
};

/// The edits `term` may be from a word it is a typo of, by its length in characters.
pub fn max_edits(len: usize) -> usize {
    if len < RANK.fuzzy_min_len {
        0
    } else if len < RANK.fuzzy_two_from {
        1
    } else {
        2
    }
}

/// Optimal string alignment distance (Damerau–Levenshtein where a swap of two neighbours
/// is one edit and no substring is edited twice), or `None` once it must exceed `max`.
/// Mirrored by `osa` in `search.js`.
pub fn osa(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut prev2 = vec![0usize; w];
    let mut prev: Vec<usize> = (0..w).collect();
    let mut cur = vec![0usize; w];
    let mut prev_min = 0;
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        // a swap jumps from row i - 1 to row i + 1: both rows must be out of reach
        if row_min > max && prev_min > max {
            return None;
        }
        prev_min = row_min;
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|&d| d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> Option<usize> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        osa(&a, &b, 2)
    }

    #[test]
    fn a_swap_is_one_edit() {
        assert_eq!(d("langchian", "langchain"), Some(1));
        assert_eq!(d("trasnformer", "transformer"), Some(1));
        assert_eq!(d("chatgml", "chatglm"), Some(1));
        assert_eq!(d("transfomer", "transformer"), Some(1));
        assert_eq!(d("agnets", "agents"), Some(1));
        assert_eq!(d("lroa", "lora"), Some(1));
        assert_eq!(d("kitten", "sitting"), None, "three edits");
        assert_eq!(d("abcd", "abcd"), Some(0));
        assert_eq!(d("ca", "abc"), None, "OSA (3), not full Damerau (2)");
        assert_eq!(d("abdc", "abcd"), Some(1));
        assert_eq!(d("bacd", "abdc"), Some(2), "two swaps");
        assert_eq!(max_edits(3), 0);
        assert_eq!(max_edits(7), 1);
        assert_eq!(max_edits(8), 2);
    }
}
