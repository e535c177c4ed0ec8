//! "Did you mean": the closest of a list of names to a word that matched none of them.
//!
//! The list is prepared once ([`Suggester::new`]: lowercased, grouped by length, each with
//! a signature of its letters), so that a site with thousands of broken references to
//! tens of thousands of names does not compare every reference with every name: only
//! names whose length and letters can be close enough are measured, and each measure
//! stops as soon as it is too far. [`crate::error::suggest`] is the one-off form for the
//! short lists of keys and values.

use std::collections::HashMap;

/// The names a word is matched against, prepared once for many words.
pub struct Suggester<'a> {
    names: Vec<Name<'a>>,
    /// Indices into `names` by lowercased length in characters, then by `letters`: the
    /// names of one group are let through or left out by one test.
    by_len: Vec<Vec<Group>>,
    /// The work left (names looked at plus cells of the distance table computed).
    budget: u64,
}

struct Group {
    letters: u64,
    names: Vec<u32>,
}

struct Name<'a> {
    text: &'a str,
    lower: String,
    chars: Box<[char]>,
    letters: u64,
}

impl<'a> Suggester<'a> {
    pub fn new<I: IntoIterator<Item = &'a str>>(names: I) -> Self {
        let names: Vec<Name> = names
            .into_iter()
            .map(|text| {
                let lower = text.to_lowercase();
                let chars: Box<[char]> = lower.chars().collect();
                Name { letters: letters(&chars), text, lower, chars }
            })
            .collect();
        let longest = names.iter().map(|n| n.chars.len()).max().unwrap_or(0);
        // Groups in the order of their first names, so that the work done before the
        // budget runs out, and so what is suggested, is the same on every run.
        let mut by_len: Vec<Vec<Group>> = (0..=longest).map(|_| Vec::new()).collect();
        let mut group_of: HashMap<(usize, u64), usize> = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            let len = n.chars.len();
            let groups = &mut by_len[len];
            let g = *group_of.entry((len, n.letters)).or_insert_with(|| {
                groups.push(Group { letters: n.letters, names: Vec::new() });
                groups.len() - 1
            });
            groups[g].names.push(i as u32);
        }
        Suggester { names, by_len, budget: u64::MAX }
    }

    /// Bounds the total work of all later [`Suggester::suggest`] calls. Once it is spent,
    /// the words still to come get no suggestion (their errors are still reported): a site
    /// with tens of thousands of broken references, each close to tens of thousands of
    /// names, would otherwise take minutes for hints nobody reads that far. The budget
    /// is counted, not timed, so the same input always gets the same suggestions.
    pub fn with_budget(mut self, budget: u64) -> Self {
        self.budget = budget;
        self
    }

    /// The closest name to `word` within a small edit distance, if any is close.
    ///
    /// Like cargo's `edit_distance` (here the optimal-string-alignment distance, so that a
    /// swapped pair of letters, `petf` for `peft`, counts as one edit): the bound grows
    /// with the word's length, capped at 3, and nothing is suggested when nothing is
    /// close; a name that contains the word (of 3 bytes or more) may be up to 3 edits away.
    /// Case differences are free. Among equally close names the first wins, so callers
    /// list the likeliest kind first.
    pub fn suggest(&mut self, word: &str) -> Option<&'a str> {
        let lower = word.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        let bound = (word.chars().count() / 3).clamp(1, 3);
        let by_containing = lower.len() >= 3;
        // The furthest a name may be and still be suggested.
        let reach = if by_containing { 3 } else { bound };
        let want = letters(&chars);
        let mut table = Table::default();
        let mut best: Option<(usize, u32)> = None;
        let lens = chars.len().saturating_sub(reach)..=(chars.len() + reach).min(self.by_len.len().saturating_sub(1));
        for len in lens {
            for group in &self.by_len[len] {
                if !spend(&mut self.budget, 1) {
                    return None;
                }
                // Each edit changes at most one letter on each side, so letters one side
                // has and the other lacks are edits that must be made.
                let missing = (want & !group.letters).count_ones().max((group.letters & !want).count_ones());
                if missing as usize > best.map_or(reach, |(d, _)| d) {
                    continue;
                }
                for &i in &group.names {
                    // Only as far as the best so far: a tie may still win by coming first.
                    let limit = best.map_or(reach, |(d, _)| d);
                    if !spend(&mut self.budget, 1 + (chars.len() * (2 * limit + 1)) as u64) {
                        return None;
                    }
                    let name = &self.names[i as usize];
                    let Some(d) = table.osa_within(&chars, &name.chars, limit) else {
                        continue;
                    };
                    let close = d <= bound || (by_containing && name.lower.contains(&lower));
                    if close && best.is_none_or(|b| (d, i) < b) {
                        best = Some((d, i));
                    }
                }
            }
        }
        best.map(|(_, i)| self.names[i as usize].text)
    }
}

/// Takes `work` from `budget`; false (and the budget spent) when it is not there.
fn spend(budget: &mut u64, work: u64) -> bool {
    match budget.checked_sub(work) {
        Some(left) => {
            *budget = left;
            true
        }
        None => {
            *budget = 0;
            false
        }
    }
}

/// Which letters a name holds, folded into 64 bits: a letter one name has and the other
/// lacks shows as a bit only one of them sets, unless two letters share a bit (which only
/// lets more names through). Names are mostly ASCII, which gets a bit a letter; the
/// rest of Unicode shares the remaining bits.
fn letters(chars: &[char]) -> u64 {
    chars.iter().fold(0, |acc, &c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + (c as u32 - '0' as u32),
            ' ' => 36,
            '-' => 37,
            '_' => 38,
            '.' => 39,
            '/' => 40,
            _ => 41 + (c as u32).wrapping_mul(0x9E37_79B1) % 23,
        };
        acc | 1 << bit
    })
}

/// Three rows of the distance table, kept between names so that measuring allocates once.
#[derive(Default)]
struct Table {
    rows: Vec<usize>,
}

impl Table {
    /// The optimal-string-alignment distance of `a` and `b` (as `strsim::osa_distance`)
    /// if it is at most `limit`. Only cells within `limit` of the diagonal are computed
    /// (any other is further than `limit`), values are capped at `limit + 1`, and the
    /// measure stops once two rows are past the limit, since no later row can come back.
    fn osa_within(&mut self, a: &[char], b: &[char], limit: usize) -> Option<usize> {
        let (n, m) = (a.len(), b.len());
        if n.abs_diff(m) > limit {
            return None;
        }
        let far = limit + 1;
        let width = m + 1;
        self.rows.clear();
        self.rows.resize(3 * width, far);
        // Rows i - 2, i - 1 and i live at (i % 3) * width, ...
        for j in 0..=m.min(limit) {
            self.rows[j] = j;
        }
        let mut prev_min = 0;
        for i in 1..=n {
            let (lo, hi) = (i.saturating_sub(limit).max(1), (i + limit).min(m));
            let cur = (i % 3) * width;
            let prev = ((i - 1) % 3) * width;
            let prev2 = ((i + 1) % 3) * width;
            let rows = &mut self.rows;
            rows[cur + lo - 1] = if lo == 1 { i.min(far) } else { far };
            let mut row_min = rows[cur + lo - 1];
            for j in lo..=hi {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (rows[cur + j - 1] + 1).min(rows[prev + j] + 1).min(rows[prev + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(rows[prev2 + j - 2] + 1);
                }
                rows[cur + j] = v.min(far);
                row_min = row_min.min(v);
            }
            if hi < m {
                rows[cur + hi + 1] = far;
            }
            // A row's cells come from the row above (at least its minimum) or from two
            // rows above plus one: past the limit in both, every later row is too.
            if row_min > limit && prev_min >= limit {
                return None;
            }
            prev_min = row_min;
        }
        let d = self.rows[(n % 3) * width + m];
        (d <= limit).then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of short words over a small alphabet (so that repeats and swaps are
    /// common): the bounded measure agrees with strsim wherever it answers.
    #[test]
    fn the_bounded_distance_agrees_with_strsim() {
        let words: Vec<String> = (0..2000u32)
            .map(|k| {
                let mut x = k.wrapping_mul(2_654_435_761);
                let len = (x % 7) as usize;
                (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        ['a', 'b', 'c', 'é'][(x >> 16) as usize % 4]
                    })
                    .collect()
            })
            .collect();
        let mut table = Table::default();
        for a in words.iter().step_by(7) {
            for b in &words {
                let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let d = strsim::osa_distance(a, b);
                for limit in 0..=4 {
                    assert_eq!(table.osa_within(&ac, &bc, limit), (d <= limit).then_some(d), "{a} {b} {limit}");
                }
            }
        }
    }

    /// The prepared search gives what comparing the word with every name gives.
    #[test]
    fn suggestions_match_the_plain_search() {
        fn plain<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
            let lower = word.to_lowercase();
            let bound = (word.chars().count() / 3).clamp(1, 3);
            names
                .iter()
                .filter_map(|c| {
                    let d = strsim::osa_distance(&lower, &c.to_lowercase());
                    (d <= bound || (d <= 3 && c.to_lowercase().contains(&lower) && lower.len() >= 3)).then_some((d, *c))
                })
                .min_by_key(|(d, _)| *d)
                .map(|(_, c)| c)
        }
        let names = [
            "lora",
            "LoRA",
            "qlora",
            "low-rank-adaptation",
            "Low-Rank Adaptation",
            "peft",
            "prefix-tuning",
            "p-tuning",
            "p-tuning-v2",
            "低秩适配",
            "低秩",
            "attention",
            "self-attention",
            "Attention",
            "ab",
            "a",
            "ba",
        ];
        let words = [
            "lroa",
            "LORA",
            "lor",
            "qlroa",
            "low rank adaptation",
            "petf",
            "prefix tuning",
            "ptuning",
            "p-tuning-v3",
            "低秩适",
            "低",
            "atention",
            "self attention",
            "b",
            "x",
            "",
            "zzzzzz",
            "tuning",
            "rank",
        ];
        let mut s = Suggester::new(names);
        for w in words {
            assert_eq!(s.suggest(w), plain(w, &names), "{w}");
        }
    }

    #[test]
    fn a_spent_budget_suggests_nothing() {
        let mut s = Suggester::new(["peft", "lora"]).with_budget(3);
        assert_eq!(s.suggest("petf"), None);
        let mut s = Suggester::new(["peft", "lora"]).with_budget(1_000);
        assert_eq!(s.suggest("petf"), Some("peft"));
    }
}
