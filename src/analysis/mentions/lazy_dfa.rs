//! An overlapping multi-pattern search whose DFA is built lazily over aho-corasick's NFA.
//!
//! aho-corasick's full DFA over the KB's ~450 surface forms took 40 M instructions (5–6 ms)
//! to build, before the first article could be searched, and its 2 MB table held every
//! transition of every state, most of which no article ever takes. Here the NFA (a tenth of
//! the build) answers each transition the first time it is taken, following failure links,
//! and the answer is kept in a table: after the first few articles, the search is one table
//! load per byte, touching only the states text reaches.
//!
//! Each step waits for the table load of the one before, so a search along one chain waits on
//! the cache more than it works. A long text is cut into up to three stretches (lanes) whose
//! chains are stepped side by side: the processor overlaps their loads, and the search takes
//! about half the time. A lane starts a pattern's length before its stretch, so that it is in
//! the state one chain over the whole text would be in when its stretch begins; matches are
//! reported in the order that one chain finds them.
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
    /// The column of a character by its first byte and the low six bits of its second: one
    /// load and no branch between ASCII and two-byte characters (they alternate at every
    /// space). Characters of three and four bytes, rare in this text, take the column after
    /// the characters' ([`LazyDfa::long`]), whose entries are never filled: the search stops
    /// on them and steps them by `chars`. 32 KB, of which news text reads a few cache lines
    /// (the ASCII lines and four of Arabic letters), where a table by the first two bytes
    /// (128 KB) missed the first-level cache on one step in five.
    pair: Box<[u16; 0x4000]>,
    /// A character of each column, to ask the NFA with.
    representative: Vec<char>,
    /// Number of columns: the characters' and [`LazyDfa::long`].
    stride: usize,
    /// `state index * stride + column` → the row of the next state (its index times
    /// `stride`), with [`MATCH`] set when that state holds matches; [`UNKNOWN`] until first
    /// taken. Its length is a power of two, so that a masked index needs no bounds check; rows
    /// beyond the states are never used.
    table: Box<[AtomicU32]>,
    /// The row of the unanchored start state.
    start_row: usize,
    /// The longest pattern's length in bytes: how far before its stretch a lane starts.
    longest: usize,
}

/// One stretch of the text, searched along its own chain of steps.
#[derive(Clone, Copy, Debug)]
struct Lane {
    /// The next byte to read (a character boundary).
    at: usize,
    /// Where the stretch ends (a character boundary).
    end: usize,
    /// Where the stretch begins: before it the lane only warms up, and the matches that end
    /// there are the lane before's.
    from: usize,
    /// The row of the state the lane is in.
    row: usize,
}

/// A match found by lane `.0`: its start, end and pattern. Lanes report in their order.
type Found = (usize, usize, usize, usize);

/// Lanes shorter than this are not worth their warm-up and set-up: a text is cut into at most
/// its length over this many lanes.
const MIN_LANE: usize = 256;

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
        let column = |c: char| {
            chars
                .binary_search_by_key(&c, |&(k, _)| k)
                .map_or(0, |i| chars[i].1)
        };
        let long = u16::try_from(representative.len()).ok()?;
        let stride = representative.len() + 1;
        let pair = pair_columns(|cp| char::from_u32(cp).map_or(0, column), long);
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
            pair,
            representative,
            stride,
            table,
            start_row,
            longest: patterns.iter().map(|p| p.as_ref().len()).max().unwrap_or(0),
        })
    }

    /// The column whose entries are never filled, for characters of three and four bytes.
    fn long(&self) -> usize {
        self.stride - 1
    }

    /// Calls `f(start, end, pattern)` for every occurrence of every pattern in `haystack`,
    /// overlapping ones included, ordered by end and then as aho-corasick orders a state's
    /// matches.
    pub fn for_each_overlapping(&self, haystack: &str, f: impl FnMut(usize, usize, usize)) {
        // Three lanes beat two by a tenth and four by as much (more spill out of registers).
        match haystack.len() / MIN_LANE {
            0 | 1 => self.search::<1>(haystack, f),
            2 => self.search::<2>(haystack, f),
            _ => self.search::<3>(haystack, f),
        }
    }

    /// [`Self::for_each_overlapping`] in `N` lanes.
    fn search<const N: usize>(&self, text: &str, mut f: impl FnMut(usize, usize, usize)) {
        let mut found: Vec<Found> = Vec::new();
        if self.search_lanes::<N>(text, &mut found).is_none() {
            return self.rest_by_nfa(text.as_bytes(), 0, self.start_row / self.stride, &mut f);
        }
        // Stable: a lane's own matches stay in the order it found them.
        found.sort_by_key(|m| m.0);
        for (_, s, e, p) in found {
            f(s, e, p);
        }
    }

    /// The search in `N` lanes, side by side while all have text left and then one by one;
    /// `None` when the table cannot be filled (see [`Self::fill`]).
    fn search_lanes<const N: usize>(&self, text: &str, found: &mut Vec<Found>) -> Option<()> {
        let mut lanes = self.lanes::<N>(text);
        let len = text.len();
        while lanes.iter().all(|l| l.at < l.end) {
            let stopped = self.scan(text.as_bytes(), &mut lanes);
            for (k, (lane, entry)) in lanes.iter_mut().zip(stopped).enumerate() {
                // A lane that did not stop may still be unable to go on in the loop: at the
                // text's last byte, or finished.
                if entry.is_some() || (lane.at < lane.end && lane.at + 1 >= len) {
                    self.step(text, lane, entry, k, found)?;
                }
            }
        }
        for (k, lane) in lanes.iter_mut().enumerate() {
            let mut one = [*lane];
            while one[0].at < one[0].end {
                let [entry] = self.scan(text.as_bytes(), &mut one);
                if one[0].at < one[0].end {
                    self.step(text, &mut one[0], entry, k, found)?;
                }
            }
        }
        Some(())
    }

    /// `text` cut into `N` stretches of about the same length, each lane starting a pattern's
    /// length before its stretch: the state after that many bytes is the one a search from the
    /// start of the text is in, since a state stands for the longest end of the text read that
    /// begins a pattern.
    fn lanes<const N: usize>(&self, text: &str) -> [Lane; N] {
        let mut lanes = [Lane {
            at: 0,
            end: 0,
            from: 0,
            row: self.start_row,
        }; N];
        let mut from: usize = 0;
        for (k, lane) in lanes.iter_mut().enumerate() {
            let end = if k + 1 == N {
                text.len()
            } else {
                ceil_boundary(text, text.len() / N * (k + 1))
            };
            lane.at = floor_boundary(text, from.saturating_sub(self.longest));
            lane.end = end;
            lane.from = from;
            from = end;
        }
        lanes
    }

    /// Steps every lane a character at a time while the table knows the way for each, none
    /// enters a match, and each has two bytes to read in its stretch (and the byte after it);
    /// returns the entries of the lanes that stopped on one, their step not taken. Kept apart
    /// from the reporting so that the loop's few values stay in registers: inlined into the
    /// caller's closure it read and wrote them on the stack, at twice the instructions per byte.
    #[inline(never)]
    fn scan<const N: usize>(&self, bytes: &[u8], lanes: &mut [Lane; N]) -> [Option<u32>; N] {
        let (table, pair) = (&self.table[..], &*self.pair);
        let mut stopped = [None; N];
        // `x & (len - 1)` of a non-empty table is in bounds, which the compiler sees, so the
        // loop has no bounds check.
        let Some(mask) = table.len().checked_sub(1) else {
            return stopped;
        };
        // What each lane has left to read, to the byte after its stretch: a character's first
        // byte is followed by one more byte.
        let limit = |l: &Lane| l.end.saturating_add(1).min(bytes.len());
        let mut rest: [&[u8]; N] = [&[]; N];
        let mut row = [0; N];
        for (k, l) in lanes.iter().enumerate() {
            rest[k] = bytes.get(l.at..limit(l)).unwrap_or(&[]);
            row[k] = l.row;
        }
        loop {
            let mut stop = false;
            for k in 0..N {
                let [b0, b1, ..] = *rest[k] else {
                    stop = true;
                    continue;
                };
                let col = pair[(usize::from(b0) << 6) | usize::from(b1 & 0x3f)];
                let e = table[(row[k] + usize::from(col)) & mask].load(Relaxed);
                if e >= MATCH {
                    stopped[k] = Some(e);
                    stop = true;
                } else {
                    row[k] = e as usize;
                    rest[k] = &rest[k][1 + usize::from(b0 >> 7)..];
                }
            }
            if stop {
                break;
            }
        }
        for (k, l) in lanes.iter_mut().enumerate() {
            l.at = limit(l) - rest[k].len();
            l.row = row[k];
        }
        stopped
    }

    /// Takes `lane`'s step over its next character, whose entry the loop found to be `entry`
    /// (`None`: not looked up), filling the table where needed, and keeps the matches it
    /// enters for the lane's stretch. `None` when the table cannot be filled.
    fn step(
        &self,
        text: &str,
        lane: &mut Lane,
        entry: Option<u32>,
        k: usize,
        found: &mut Vec<Found>,
    ) -> Option<()> {
        let c = text.get(lane.at..)?.chars().next()?;
        let mut e = entry.unwrap_or(UNKNOWN);
        if e == UNKNOWN {
            // Not filled yet, or a long character's column.
            let col = self.column(text, lane.at);
            e = self.table.get(lane.row + col)?.load(Relaxed);
            if e == UNKNOWN {
                e = self.fill(lane.row, col)?;
            }
        }
        lane.row = (e & !MATCH) as usize;
        lane.at += c.len_utf8();
        if e & MATCH != 0 && lane.at > lane.from {
            self.report(lane.row / self.stride, lane.at, &mut |s, e, p| {
                found.push((k, s, e, p))
            });
        }
        Some(())
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

    /// Works out the entry of `row`'s state for column `col` and keeps it. `None` when the
    /// NFA names a state beyond the table (the bound in [`LazyDfa::new`] says it cannot).
    #[cold]
    fn fill(&self, row: usize, col: usize) -> Option<u32> {
        if col >= self.long() {
            return None;
        }
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

/// The column of each first byte and low six bits of a second (see [`LazyDfa::pair`]), from
/// `column` of a code point below U+0800.
fn pair_columns(column: impl Fn(u32) -> u8, long: u16) -> Box<[u16; 0x4000]> {
    let mut pair = Box::new([0u16; 0x4000]);
    for (k, col) in pair.iter_mut().enumerate() {
        let (b0, b1) = ((k >> 6) as u32, (k & 0x3f) as u32);
        *col = match b0 {
            // ASCII: the second byte is the next character's.
            0..=0x7f => u16::from(column(b0)),
            0xc0..=0xdf => u16::from(column(((b0 & 0x1f) << 6) | b1)),
            0xe0.. => long,
            // A second byte of a character: never read first.
            _ => 0,
        };
    }
    pair
}

/// The first character boundary at or after `i` (the text's length past it).
fn ceil_boundary(text: &str, i: usize) -> usize {
    (i..text.len())
        .find(|&j| text.is_char_boundary(j))
        .unwrap_or(text.len())
}

/// The last character boundary at or before `i`.
fn floor_boundary(text: &str, i: usize) -> usize {
    (0..=i.min(text.len()))
        .rev()
        .find(|&j| text.is_char_boundary(j))
        .unwrap_or(0)
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

    /// The search in `N` lanes, whatever the text's length.
    fn in_lanes<const N: usize>(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        let dfa = LazyDfa::new(patterns).expect("builds");
        let mut got = Vec::new();
        dfa.search::<N>(text, |s, e, p| got.push((s, e, p)));
        got
    }

    #[test]
    fn lanes_find_what_one_chain_finds() {
        let pats = [
            "سوريا",
            "وريا",
            "ريا",
            "الولايات المتحدة",
            "“a",
            "𝒜b",
            "b",
            "ab",
        ];
        // Matches across every cut, long characters at the cuts, the text's last byte.
        let unit = "وسوريا xالولايات المتحدة “a𝒜b\nسوريا ab";
        for reps in [1, 2, 7, 40, 41] {
            let text = unit.repeat(reps);
            let want = reference(&pats, &text);
            assert_eq!(lazy(&pats, &text), want, "{reps}");
            assert_eq!(in_lanes::<2>(&pats, &text), want, "{reps}");
            assert_eq!(in_lanes::<3>(&pats, &text), want, "{reps}");
        }
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
            let want = reference(&refs, &text);
            proptest::prop_assert_eq!(lazy(&refs, &text), want.clone());
            // Lanes of a few bytes, cut anywhere, warming up over the lane before and more.
            proptest::prop_assert_eq!(in_lanes::<2>(&refs, &text), want.clone());
            proptest::prop_assert_eq!(in_lanes::<3>(&refs, &text), want);
        }
    }
}
