//! An overlapping multi-pattern search whose DFA is built lazily over aho-corasick's NFA.
//!
//! aho-corasick's full DFA over the KB's ~450 surface forms took 40 M instructions (5–6 ms)
//! to build, before the first article could be searched, and its 2 MB table held every
//! transition of every state, most of which no article ever takes. Here the NFA (a tenth of
//! the build) answers each transition the first time it is taken, following failure links,
//! and the answer is kept in a table: after the first few articles, the search is one table
//! load per byte, touching only the states text reaches.
//!
//! The table is shared by every thread searching with it. An entry is written once with the
//! value any thread would compute for it, so relaxed atomics are enough: a thread that does not
//! yet see another's write computes the same entry again.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::noncontiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// An entry not worked out yet.
const UNKNOWN: u32 = u32::MAX;
/// The entry's target state holds matches; the bits below are its row.
const MATCH: u32 = 1 << 31;

/// Tables beyond this many entries are not built (see [`LazyDfa::new`]).
const MAX_ENTRIES: usize = 1 << 24;

pub struct LazyDfa {
    nfa: NFA,
    /// Each byte's column: 0 for bytes no pattern holds (from every state they lead back to the
    /// start), else one column per byte that some pattern holds.
    classes: [u8; 256],
    /// A byte of each column, to ask the NFA with.
    representative: Vec<u8>,
    /// Number of columns.
    stride: usize,
    /// `state index * stride + column` → the row of the next state (its index times
    /// `stride`), with [`MATCH`] set when that state holds matches; [`UNKNOWN`] until first
    /// taken. Its length is a power of two, so that a masked index needs no bounds check; rows
    /// beyond the states are never used.
    table: Box<[AtomicU32]>,
    /// The row of the unanchored start state.
    start_row: usize,
}

impl std::fmt::Debug for LazyDfa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyDfa")
            .field("patterns", &self.nfa.patterns_len())
            .field("stride", &self.stride)
            .field("entries", &self.table.len())
            .finish()
    }
}

impl LazyDfa {
    /// The search over `patterns` with overlapping (standard) semantics; `None` when the NFA
    /// cannot be built or its table would be too large to keep, where the caller falls back to
    /// aho-corasick's own automaton.
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Option<LazyDfa> {
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(patterns)
            .ok()?;
        let mut classes = [0u8; 256];
        let mut representative = vec![0u8];
        let mut seen = [false; 256];
        let mut total = 0usize;
        for p in patterns {
            let p = p.as_ref();
            total += p.len();
            for &b in p {
                seen[usize::from(b)] = true;
            }
        }
        for b in 0..=255u8 {
            if seen[usize::from(b)] {
                // Column 0 is kept for unseen bytes, so a u8 holds 255 seen ones; patterns
                // holding all 256 byte values are left to aho-corasick.
                let col = representative.len();
                if col > 255 {
                    return None;
                }
                classes[usize::from(b)] = col as u8;
                representative.push(b);
            } else {
                representative[0] = b;
            }
        }
        let stride = representative.len();
        // The NFA holds the dead, fail and two start states, then at most one state per
        // pattern byte (its trie).
        let states = total.checked_add(4)?;
        let entries = states.checked_mul(stride)?;
        if entries > MAX_ENTRIES {
            return None;
        }
        let len = entries.next_power_of_two();
        let table: Box<[AtomicU32]> = (0..len).map(|_| AtomicU32::new(UNKNOWN)).collect();
        let start = nfa.start_state(Anchored::No).ok()?;
        let start_row = start.as_usize().checked_mul(stride)?;
        if start_row >= entries {
            return None;
        }
        Some(LazyDfa {
            nfa,
            classes,
            representative,
            stride,
            table,
            start_row,
        })
    }

    /// Calls `f(start, end, pattern)` for every occurrence of every pattern in `haystack`,
    /// overlapping ones included, ordered by end and then as aho-corasick orders a state's
    /// matches.
    pub fn for_each_overlapping(&self, haystack: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        let mut row = self.start_row;
        let mut i = 0;
        while let Some((at, from, mut e)) = self.scan(haystack, i, row) {
            if e == UNKNOWN {
                let col = usize::from(self.classes[usize::from(haystack[at])]);
                match self.fill(from, col) {
                    Some(filled) => e = filled,
                    None => return self.rest_by_nfa(haystack, at, from / self.stride, &mut f),
                }
            }
            row = (e & !MATCH) as usize;
            if e & MATCH != 0 {
                self.report(row / self.stride, at + 1, &mut f);
            }
            i = at + 1;
        }
    }

    /// Steps from byte `i` in the state of `row` while the table knows the way and no match
    /// is entered: the position of the byte that stops it, the row it was read in, and its
    /// entry; `None` at the end. Kept apart from the reporting so that the loop's few values
    /// stay in registers: inlined into the caller's closure it read and wrote them on the stack,
    /// at twice the instructions per byte.
    #[inline(never)]
    fn scan(&self, haystack: &[u8], i: usize, mut row: usize) -> Option<(usize, usize, u32)> {
        let (table, classes) = (&self.table[..], &self.classes);
        // `x & (len - 1)` of a non-empty table is in bounds, which the compiler sees, so the
        // loop has no bounds check.
        let mask = table.len().checked_sub(1)?;
        let rest = haystack.get(i..)?;
        let mut bytes = rest.iter();
        while let Some(&b) = bytes.next() {
            let e = table
                .get((row + usize::from(classes[usize::from(b)])) & mask)
                .map_or(UNKNOWN, |cell| cell.load(Relaxed));
            if e >= MATCH {
                return Some((haystack.len() - bytes.len() - 1, row, e));
            }
            row = e as usize;
        }
        None
    }

    /// Works out the entry of `row`'s state for column `col` and keeps it. `None` when the
    /// NFA names a state beyond the table (the bound in [`LazyDfa::new`] says it cannot).
    #[cold]
    fn fill(&self, row: usize, col: usize) -> Option<u32> {
        let sid = StateID::new(row / self.stride).ok()?;
        let byte = *self.representative.get(col)?;
        let next = self.nfa.next_state(Anchored::No, sid, byte);
        let next_row = next.as_usize().checked_mul(self.stride)?;
        if next_row + self.stride > self.table.len() || next_row >= MATCH as usize {
            return None;
        }
        let mut e = next_row as u32;
        if self.nfa.is_match(next) {
            e |= MATCH;
        }
        self.table.get(row + col)?.store(e, Relaxed);
        Some(e)
    }

    /// Reports the matches of state `index`, which the search entered on the byte ending at
    /// `end`.
    fn report(&self, index: usize, end: usize, f: &mut impl FnMut(usize, usize, usize)) {
        let Ok(sid) = StateID::new(index) else {
            return;
        };
        for k in 0..self.nfa.match_len(sid) {
            let pid = self.nfa.match_pattern(sid, k);
            let len = self.nfa.pattern_len(pid);
            f(end - len, end, pid.as_usize());
        }
    }

    /// The search from byte `from` in state `index` by the NFA alone: never reached while the
    /// table's bound holds, kept so that a wrong bound costs speed and not matches.
    #[cold]
    fn rest_by_nfa(
        &self,
        haystack: &[u8],
        from: usize,
        index: usize,
        f: &mut impl FnMut(usize, usize, usize),
    ) {
        let Ok(mut sid) = StateID::new(index) else {
            return;
        };
        for (i, &b) in haystack.iter().enumerate().skip(from) {
            sid = self.nfa.next_state(Anchored::No, sid, b);
            if self.nfa.is_match(sid) {
                for k in 0..self.nfa.match_len(sid) {
                    let pid = self.nfa.match_pattern(sid, k);
                    let len = self.nfa.pattern_len(pid);
                    f(i + 1 - len, i + 1, pid.as_usize());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    fn reference(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(patterns)
            .expect("builds");
        ac.find_overlapping_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect()
    }

    fn lazy(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        let dfa = LazyDfa::new(patterns).expect("builds");
        let mut got = Vec::new();
        dfa.for_each_overlapping(text.as_bytes(), |s, e, p| got.push((s, e, p)));
        got
    }

    #[test]
    fn finds_overlapping_matches_in_aho_corasick_order() {
        let pats = [
            "سوريا",
            "وريا",
            "ريا",
            "he",
            "she",
            "hers",
            "ال",
            "الولايات المتحدة",
        ];
        for text in [
            "وسوريا ushers الولايات المتحدة",
            "",
            "سوريا",
            "shehershe",
            "xxxx",
        ] {
            assert_eq!(lazy(&pats, text), reference(&pats, text), "{text:?}");
        }
    }

    #[test]
    fn a_second_search_reads_the_kept_table() {
        let pats = ["abc", "bcd", "c"];
        let dfa = LazyDfa::new(&pats).expect("builds");
        let run = |t: &str| {
            let mut v = Vec::new();
            dfa.for_each_overlapping(t.as_bytes(), |s, e, p| v.push((s, e, p)));
            v
        };
        let first = run("xabcdx abcd");
        assert_eq!(first, reference(&pats, "xabcdx abcd"));
        assert_eq!(run("xabcdx abcd"), first);
    }

    #[test]
    fn every_byte_in_a_pattern_still_leaves_a_column_for_the_rest() {
        // 255 distinct bytes in patterns: column 0 keeps the one left out.
        let all: Vec<Vec<u8>> = (1..=255u8).map(|b| vec![b, b]).collect();
        let dfa = LazyDfa::new(&all).expect("builds");
        let mut got = Vec::new();
        dfa.for_each_overlapping(&[0, 7, 7, 7, 0, 200, 200], |s, e, p| got.push((s, e, p)));
        assert_eq!(got, vec![(1, 3, 6), (2, 4, 6), (5, 7, 199)]);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_aho_corasick(
            pats in proptest::collection::vec(
                proptest::sample::select(vec!["ا", "ل", "و", "س", "ر", "ي", "ة", "ه", " ", "ك", "a"]),
                1..40,
            ),
            cuts in proptest::collection::vec(1usize..6, 1..12),
            text in proptest::collection::vec(
                proptest::sample::select(vec!["ا", "ل", "و", "س", "ر", "ي", "ة", "ه", " ", "\n", "𝒜", "b"]),
                0..200,
            ),
        ) {
            // Patterns are cut out of one random string, so that they share prefixes and
            // suffixes the way aliases do.
            let joined: String = pats.concat();
            let chars: Vec<char> = joined.chars().collect();
            let mut patterns: Vec<String> = Vec::new();
            let mut at = 0;
            for c in cuts {
                let end = (at + c).min(chars.len());
                if end > at {
                    patterns.push(chars[at..end].iter().collect());
                }
                at = if end == chars.len() { 0 } else { end };
            }
            let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
            let text: String = text.concat();
            proptest::prop_assert_eq!(lazy(&refs, &text), reference(&refs, &text));
        }
    }
}
