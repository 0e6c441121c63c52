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

/// Folded Arabic and Persian letters and the space, most frequent in news text first.
const FREQUENT: &str = " اليمونرتبعدفهسقكحجشطصخضزذثئغظءؤپچژگ";

/// Tables beyond this many entries are not built (see [`LazyDfa::new`]).
const MAX_ENTRIES: usize = 1 << 24;

pub struct LazyDfa {
    nfa: NFA,
    /// Each character of the patterns with its column, sorted; every other character is in
    /// column 0 (from every state it leads back to the start: no pattern holds it, and a
    /// pattern starts on a character).
    chars: Vec<(char, u8)>,
    /// The column of each character below U+0800 (the one- and two-byte ones); longer ones are
    /// looked up in `chars`. 2 KB, so it stays in the first-level cache, where a table by the
    /// first two bytes (128 KB) missed it on one step in five.
    short: Box<[u8; 0x800]>,
    /// A character of each column, to ask the NFA with.
    representative: Vec<char>,
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

/// Where [`LazyDfa::scan`] stopped: the character at byte `at`, `len` bytes long, read in the
/// state of row `from`, and its entry.
struct Stop {
    at: usize,
    len: usize,
    from: usize,
    entry: u32,
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
    /// cannot be built, the patterns hold more than 255 distinct characters, or the table would
    /// be too large to keep, where the caller falls back to aho-corasick's own automaton.
    ///
    /// The DFA steps a character at a time, not a byte: each step waits for the table load of
    /// the one before, and Arabic letters are two bytes, so this halves the chain the search
    /// runs along. Matches end on characters, so none is missed between the bytes of one.
    pub fn new<P: AsRef<str>>(patterns: &[P]) -> Option<LazyDfa> {
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(patterns.iter().map(|p| p.as_ref().as_bytes()))
            .ok()?;
        let mut seen: Vec<char> = patterns.iter().flat_map(|p| p.as_ref().chars()).collect();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() > 255 {
            return None;
        }
        // Columns in order of how often news text takes them, so that the entries a state is
        // mostly left by share a cache line or two: in code point order they spread over eight,
        // and the search waited on the table's cache misses more than on anything else.
        let rank = |c: char| FREQUENT.find(c).unwrap_or(FREQUENT.len() + c as usize);
        let mut by_rank = seen.clone();
        by_rank.sort_by_key(|&c| rank(c));
        let mut chars: Vec<(char, u8)> = by_rank
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, (i + 1) as u8))
            .collect();
        // Column 0 is asked with a character no pattern holds.
        let outside = (0u32..)
            .filter_map(char::from_u32)
            .find(|c| seen.binary_search(c).is_err())?;
        chars.sort_unstable();
        let representative: Vec<char> = std::iter::once(outside)
            .chain(by_rank.iter().copied())
            .collect();
        let stride = representative.len();
        let column = |c: char| {
            chars
                .binary_search_by_key(&c, |&(k, _)| k)
                .map_or(0, |i| chars[i].1)
        };
        let mut short: Box<[u8; 0x800]> = Box::new([0u8; 0x800]);
        for (cp, col) in short.iter_mut().enumerate() {
            *col = char::from_u32(cp as u32).map_or(0, column);
        }
        // The NFA holds the dead, fail and two start states, then at most one state per
        // pattern byte (its trie).
        let total: usize = patterns.iter().map(|p| p.as_ref().len()).sum();
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
            chars,
            short,
            representative,
            stride,
            table,
            start_row,
        })
    }

    /// Calls `f(start, end, pattern)` for every occurrence of every pattern in `haystack`,
    /// overlapping ones included, ordered by end and then as aho-corasick orders a state's
    /// matches.
    pub fn for_each_overlapping(&self, haystack: &str, mut f: impl FnMut(usize, usize, usize)) {
        let mut row = self.start_row;
        let mut i = 0;
        while let Some(stop) = self.scan(haystack, i, row) {
            let mut e = stop.entry;
            if e == UNKNOWN {
                let col = self.column(haystack, stop.at);
                match self.fill(stop.from, col) {
                    Some(filled) => e = filled,
                    None => {
                        return self.rest_by_nfa(
                            haystack.as_bytes(),
                            stop.at,
                            stop.from / self.stride,
                            &mut f,
                        )
                    }
                }
            }
            row = (e & !MATCH) as usize;
            if e & MATCH != 0 {
                self.report(row / self.stride, stop.at + stop.len, &mut f);
            }
            i = stop.at + stop.len;
        }
    }

    /// The column of the character at byte `at` (a character boundary).
    fn column(&self, text: &str, at: usize) -> usize {
        let Some(c) = text.get(at..).and_then(|t| t.chars().next()) else {
            return 0;
        };
        self.chars
            .binary_search_by_key(&c, |&(k, _)| k)
            .map_or(0, |i| usize::from(self.chars[i].1))
    }

    /// Steps from byte `i` in the state of `row` while the table knows the way and no match
    /// is entered, and returns where it stopped; `None` at the end. Kept apart from the
    /// reporting so that the loop's few values stay in registers: inlined into the caller's
    /// closure it read and wrote them on the stack, at twice the instructions per byte.
    #[inline(never)]
    fn scan(&self, text: &str, mut i: usize, mut row: usize) -> Option<Stop> {
        let bytes = text.as_bytes();
        let (table, short) = (&self.table[..], &*self.short);
        // `x & (len - 1)` of a non-empty table is in bounds, which the compiler sees, so the
        // loop has no bounds check.
        let mask = table.len().checked_sub(1)?;
        while let (Some(&b0), Some(&b1)) = (bytes.get(i), bytes.get(i + 1)) {
            if b0 >= 0xe0 {
                break; // a character of three or four bytes
            }
            // Both readings are worked out and one kept, without a branch between ASCII and
            // two-byte characters (they alternate at every space).
            let two = b0 >= 0x80;
            let cp = (usize::from(b0 & 0x1f) << 6) | usize::from(b1 & 0x3f);
            let col = short[if two { cp } else { usize::from(b0) }];
            let len = 1 + usize::from(two);
            let e = table[(row + usize::from(col)) & mask].load(Relaxed);
            if e >= MATCH {
                return Some(Stop {
                    at: i,
                    len,
                    from: row,
                    entry: e,
                });
            }
            row = e as usize;
            i += len;
        }
        // The last byte of the text, or a long character: the caller takes the step.
        let c = text.get(i..)?.chars().next()?;
        let entry = table[(row + self.column(text, i)) & mask].load(Relaxed);
        Some(Stop {
            at: i,
            len: c.len_utf8(),
            from: row,
            entry,
        })
    }

    /// Works out the entry of `row`'s state for column `col` and keeps it. `None` when the
    /// NFA names a state beyond the table (the bound in [`LazyDfa::new`] says it cannot).
    #[cold]
    fn fill(&self, row: usize, col: usize) -> Option<u32> {
        let mut sid = StateID::new(row / self.stride).ok()?;
        let c = *self.representative.get(col)?;
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            sid = self.nfa.next_state(Anchored::No, sid, b);
        }
        let next_row = sid.as_usize().checked_mul(self.stride)?;
        if next_row + self.stride > self.table.len() || next_row >= MATCH as usize {
            return None;
        }
        let mut e = next_row as u32;
        if self.nfa.is_match(sid) {
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
        dfa.for_each_overlapping(text, |s, e, p| got.push((s, e, p)));
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
            dfa.for_each_overlapping(t, |s, e, p| v.push((s, e, p)));
            v
        };
        let first = run("xabcdx abcd");
        assert_eq!(first, reference(&pats, "xabcdx abcd"));
        assert_eq!(run("xabcdx abcd"), first);
    }

    #[test]
    fn long_characters_and_the_last_byte_step_like_the_rest() {
        // ZWNJ and “ are three bytes, 𝒜 four; a pattern may end on the text's last byte.
        let pats = ["جام\u{200c}جم", "“a", "𝒜b", "b", "ab"];
        for text in ["جام\u{200c}جم ab", "x“a𝒜b", "𝒜𝒜b", "b", "ab", "“"] {
            assert_eq!(lazy(&pats, text), reference(&pats, text), "{text:?}");
        }
    }

    #[test]
    fn more_than_255_characters_are_left_to_aho_corasick() {
        let many: Vec<String> = (0x0600u32..0x0600 + 255)
            .filter_map(char::from_u32)
            .map(|c| c.to_string())
            .collect();
        assert!(LazyDfa::new(&many).is_some());
        let mut more = many.clone();
        more.push("z".into());
        assert!(LazyDfa::new(&more).is_none());
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_aho_corasick(
            pats in proptest::collection::vec(
                proptest::sample::select(vec!["ا", "ل", "و", "س", "ر", "ي", "ة", "ه", " ", "ك", "a", "\u{200c}", "𝒜"]),
                1..40,
            ),
            cuts in proptest::collection::vec(1usize..6, 1..12),
            text in proptest::collection::vec(
                proptest::sample::select(vec!["ا", "ل", "و", "س", "ر", "ي", "ة", "ه", " ", "\n", "𝒜", "b", "a", "\u{200c}", "ی"]),
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
