//! `near-duplicate-paragraph`: the same sentence reworded inside one article.
//!
//! Agency copy is often assembled from two drafts of one statement, so a paragraph comes back a
//! few lines later with a word changed (للمواجهة المؤثرة for لمواجهة … بشكل مؤثر). Exact repeats
//! are `duplicate-line`'s; this rule finds the near ones.
//!
//! Similarity is measured on word pairs (bigram shingles) of folded words, with a leading و
//! dropped so that "واعتبر" meets "اعتبر". Two measures, either of which reports:
//! - Jaccard similarity of the two sets of pairs at least [`MIN_JACCARD`] (two paragraphs of
//!   similar length that are mostly the same);
//! - containment at least [`MIN_CONTAINMENT`]: most pairs of the shorter paragraph recur in the
//!   longer one (a sentence pasted again inside a longer paragraph). The shorter one must have
//!   at least [`MIN_CONTAINED_PAIRS`] pairs, which leaves headlines out: a headline echoed by
//!   the lead is ordinary journalism (the Persian seed's headline restated in its lead is not
//!   reported; its verbatim repeat is `duplicate-line`'s).
//!
//! An article may be a megabyte of short paragraphs, so nothing is compared pairwise: an
//! inverted index from pair to the earlier paragraphs holding it counts the shared pairs, and a
//! pair held by more than [`MAX_POSTINGS`] paragraphs (a stock phrase) is not followed.
//!
//! Most articles hold no near duplicate, and the rule proves it cheaply before any of that:
//! [`scan`] hashes each paragraph's pairs once, from the words the article shares with the
//! other word rules, into a table that bounds how many occur in any earlier paragraph
//! ([`Earlier`]); a paragraph sharing too few pairs with all earlier ones together cannot be
//! reported. [`tighten`] counts the few that could against each earlier paragraph, in one pass,
//! and [`report`] (the rule as defined above) runs only where one still could.

use std::collections::HashSet;

use super::scraper_boilerplate::strip_footer;
use super::{line_span, Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::fold_into;
use crate::analysis::words::{hash_bytes, hash_seq, PreHash, Word};

pub struct NearDuplicateParagraph;

static META: RuleMeta = RuleMeta {
    id: "near-duplicate-paragraph",
    default_severity: Severity::Info,
    summary: "the same sentence reworded inside one article",
    help: "## What it does\n\n\
Reports a paragraph that restates an earlier paragraph of the same article with small changes: \
most of its word pairs recur there. Exact repeats are left to `duplicate-line`; short lines are \
not compared. The earlier paragraph is shown as related information. There is no fix: which \
wording to keep is an editor's choice.\n\n\
## Why it matters\n\n\
A statement told twice is usually two drafts of agency copy pasted together; it reads badly \
and doubles the weight of that statement in the corpus.\n\n\
## Example\n\n\
```text\n\
اعتبر الأمين أن التجربة الناجحة لمقر العمليات المشتركة بهدف حشد الطاقات لمواجهة الإرهاب …\n\
…\n\
واعتبر الأمين أن التجربة الناجحة لمقر العمليات المشتركة بهدف حشد الطاقات للمواجهة المؤثرة …\n\
```\n",
    fixable: false,
};

/// Paragraphs with fewer words than this are not compared.
const MIN_WORDS: usize = 6;
const MIN_JACCARD: f64 = 0.5;
const MIN_CONTAINMENT: f64 = 0.7;
/// A headline is shorter than this: a headline whose words recur in the lead is how news is
/// written, not a defect (on a day of Saudi news, 60 of 100 findings were exactly that).
const MIN_CONTAINED_PAIRS: usize = 15;
/// A word pair found in more earlier paragraphs than this is a stock phrase and not followed.
const MAX_POSTINGS: usize = 32;

/// A paragraph long enough to compare: its line and its word pairs (a range of the hashed
/// pairs of all paragraphs, in order, repeats included).
struct Para {
    line: usize,
    pairs: (usize, usize),
}

impl Para {
    fn pairs<'p>(&self, pairs: &'p [u64]) -> &'p [u64] {
        pairs.get(self.pairs.0..self.pairs.1).unwrap_or_default()
    }

    /// A hash of the paragraph's whole word sequence, to leave exact repeats to
    /// `duplicate-line`: the sequence of its word pairs, which (of at least [`MIN_WORDS`]
    /// words) gives the words back. Worked out only by [`report`], which most articles never
    /// reach.
    fn exact(&self, pairs: &[u64]) -> u64 {
        hash_seq(self.pairs(pairs).iter().copied())
    }
}

/// The hashed words of line `i` split the rule's own way ([`words`]), into `hashes` (cleared
/// first).
fn own_words(cx: &Context<'_>, i: usize, buf: &mut String, hashes: &mut Vec<u64>) {
    hashes.clear();
    let text = cx.prep.lines.get(i).map_or("", |l| l.text);
    let ws = words(strip_footer(text), buf);
    hashes.extend(ws.iter().map(|w| hash_bytes(w.as_bytes())));
}

/// The first word of every link-back footer ([`strip_footer`]), which folds to itself.
static FOOTER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("رابط"));

/// Whether one of folded words `ws` ends in «رابط», as the word where a link-back footer
/// starts does ([`before_footer`]).
fn may_have_footer(folded: &[u8], ws: &[Word]) -> bool {
    const WORD: &[u8; 8] = match "رابط".as_bytes().first_chunk::<8>() {
        Some(w) => w,
        None => &[0; 8],
    };
    ws.iter().any(|w| {
        folded
            .get(..w.end as usize)
            .and_then(<[u8]>::last_chunk::<8>)
            == Some(WORD)
    })
}

/// The words of line `i` as this rule compares them when its folded words `ws` may hold a
/// link-back footer: those before it ([`strip_footer`]), the folded words before the one that
/// starts where the footer does; the rule's own split ([`words`]) if the footer starts inside
/// a word (ورابط). The original line is looked at only here.
fn before_footer<'a>(cx: &Context<'a>, i: usize, ws: &'a [Word]) -> Option<&'a [Word]> {
    let prep = cx.prep;
    let line = prep.lines.get(i)?;
    let cut = strip_footer(line.text).len();
    if cut == line.text.len() {
        return Some(ws);
    }
    let at = line.start + line.text.get(..cut).map_or(0, |t| t.chars().count());
    let k = ws.partition_point(|w| prep.norm.to_orig(w.start as usize) < at);
    match ws.get(k) {
        Some(w) if prep.norm.to_orig(w.start as usize) == at => ws.get(..k),
        _ => None,
    }
}

/// The hash of a word of the folded text as this rule compares it: without a leading و when
/// three letters are left. Most words do not start with و and keep the hash they have.
#[inline(always)]
fn word_hash(folded: &[u8], w: &Word) -> u64 {
    let s = w.start as usize;
    if folded.get(s..s + 2) != Some("و".as_bytes()) {
        return w.hash;
    }
    without_waw(folded, w)
}

/// [`word_hash`] of a word that starts with و.
#[inline(never)]
fn without_waw(folded: &[u8], w: &Word) -> u64 {
    let (s, e) = (w.start as usize, w.end as usize);
    match folded.get(s + 2..e) {
        Some(rest) if at_least_three_letters(rest) => hash_bytes(rest),
        _ => w.hash,
    }
}

/// Whether UTF-8 `bytes` hold three characters or more (a character has at most four bytes).
#[inline]
fn at_least_three_letters(bytes: &[u8]) -> bool {
    bytes.len() >= 12 || bytes.iter().filter(|&&b| b & 0xc0 != 0x80).count() >= 3
}

/// The folded words of `text`, as slices of `buf` (folded into it, which is reused from line to
/// line). A leading و is dropped from words that keep three letters. What [`word_hash`] does
/// on the words of the folded text, for a line cut short before its footer.
fn words<'b>(text: &str, buf: &'b mut String) -> Vec<&'b str> {
    fold_into(text, buf);
    buf.split(|c: char| !crate::analysis::normalize::is_alnum(c))
        .filter(|w| !w.is_empty())
        .map(|w| match w.strip_prefix('و') {
            Some(rest) if rest.chars().count() >= 3 => rest,
            _ => w,
        })
        .collect()
}

/// Which paragraphs hold each word pair. Posting lists are chains through one vector: `heads`
/// holds each pair's latest node, the list's length and the last paragraph that added the
/// pair; `nodes` each (paragraph, previous node). Most pairs occur once, and a `Vec` per pair
/// was an allocation per word.
struct Index {
    heads: Heads,
    nodes: Vec<(u32, u32)>,
    /// Pairs shared with the paragraph last added, by earlier paragraph (those in `touched`).
    shared: Vec<u32>,
    touched: Vec<u32>,
}

#[derive(Clone, Copy)]
struct Head {
    pair: u64,
    /// 0 for a free slot of [`Heads`].
    len: u32,
    node: u32,
    last: u32,
}

const FREE: Head = Head {
    pair: 0,
    len: 0,
    node: u32::MAX,
    last: u32::MAX,
};

/// The heads by pair: open addressing with linear probing on the pair's hash itself (a
/// [`pair`], already well mixed), sized for every pair of the article at once. A
/// `HashMap` hashed nothing (its keys are [`PreHash`]ed) but grew and rehashed four times
/// over for each article, and its probing cost more than the rest of the rule.
struct Heads {
    slots: Vec<Head>,
    used: usize,
}

impl Heads {
    fn with_capacity(n: usize) -> Self {
        Heads {
            slots: vec![FREE; (2 * n).next_power_of_two().max(16)],
            used: 0,
        }
    }

    /// The head of `pair`, a free one (length 0) for a pair not seen yet.
    fn get(&mut self, pair: u64) -> &mut Head {
        if 2 * (self.used + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = pair as usize & mask;
        while self.slots[i].len != 0 && self.slots[i].pair != pair {
            i = (i + 1) & mask;
        }
        if self.slots[i].len == 0 {
            self.used += 1;
            self.slots[i].pair = pair;
        }
        &mut self.slots[i]
    }

    /// Doubles the table (only when more pairs come than it was sized for).
    fn grow(&mut self) {
        let bigger = vec![FREE; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for head in old.into_iter().filter(|h| h.len != 0) {
            let mut i = head.pair as usize & mask;
            while self.slots[i].len != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = head;
        }
    }
}

impl Index {
    /// An index for paragraphs holding `pairs` pairs in all.
    fn with_capacity(pairs: usize) -> Self {
        Index {
            heads: Heads::with_capacity(pairs),
            nodes: Vec::with_capacity(pairs),
            shared: Vec::new(),
            touched: Vec::new(),
        }
    }

    /// Adds paragraph `id` (numbered from 0 as added) with its `pairs`; if `follow`, counts in
    /// `shared` the pairs each earlier paragraph has in common with it. A pair held by more
    /// than [`MAX_POSTINGS`] paragraphs is a stock phrase and not followed. Returns the number
    /// of distinct pairs.
    fn add(&mut self, id: u32, pairs: &[u64], follow: bool) -> usize {
        let Index {
            heads,
            nodes,
            shared,
            touched,
        } = self;
        for &q in touched.iter() {
            if let Some(n) = shared.get_mut(q as usize) {
                *n = 0;
            }
        }
        touched.clear();
        shared.resize(id as usize + 1, 0);
        let mut distinct = 0;
        for &p in pairs {
            let head = heads.get(p);
            if head.last == id {
                continue;
            }
            distinct += 1;
            if follow && head.len as usize <= MAX_POSTINGS {
                let mut node = head.node;
                for _ in 0..head.len {
                    let Some(&(q, prev)) = nodes.get(node as usize) else {
                        break;
                    };
                    if let Some(n) = shared.get_mut(q as usize) {
                        if *n == 0 {
                            touched.push(q);
                        }
                        *n += 1;
                    }
                    node = prev;
                }
            }
            let at = nodes.len() as u32;
            nodes.push((id, head.node));
            *head = Head {
                pair: p,
                len: head.len + 1,
                node: at,
                last: id,
            };
        }
        distinct
    }

    /// The earlier paragraphs sharing pairs with the one last added, with how many.
    fn shared(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.touched
            .iter()
            .map(|&q| (q, self.shared.get(q as usize).map_or(0, |&n| n as usize)))
    }
}

/// Whether a paragraph of `a` distinct pairs sharing at most `n` of them with an earlier one
/// could be reported. Jaccard similarity is at most `n / a` (the union holds the paragraph's
/// own pairs), so it needs `2n ≥ a`; containment needs `n ≥ 0.7 · 15`. True for more pairs
/// shared or fewer pairs in all, so bounds that err that way keep every paragraph it is true of.
fn might_hit(a: usize, n: usize) -> bool {
    n > 0 && (2 * n >= a || 10 * n >= 7 * MIN_CONTAINED_PAIRS)
}

/// The hash of the word pair `(a, b)` from their words' hashes (already well mixed): a
/// different value for different pairs but with a chance of 2⁻⁶⁴ (the rotation is odd, so that
/// even `(a, a)` and `(b, b)` differ unless `a = b`), in two instructions where a full mix
/// ([`crate::analysis::words::hash_pair`]) took thirteen for every word of the article.
#[inline(always)]
fn pair(a: u64, b: u64) -> u64 {
    a ^ b.rotate_left(29)
}

/// Appends the pairs of hashed words `words` to `out`.
#[inline(always)]
fn push_pairs(mut words: impl ExactSizeIterator<Item = u64>, out: &mut Vec<u64>) {
    let Some(mut prev) = words.next() else {
        return;
    };
    let from = out.len();
    out.resize(from + words.len(), 0);
    for (w, to) in words.zip(out.get_mut(from..).unwrap_or_default()) {
        *to = pair(prev, w);
        prev = w;
    }
}

/// Appends the pairs of folded words `ws` to `out`: [`push_pairs`] of their [`word_hash`]es.
/// The words that start with و (one in ten) are found without a branch and mended after,
/// in `waws`: deciding word by word was a branch that failed to be predicted as often.
fn push_word_pairs(folded: &[u8], ws: &[Word], out: &mut Vec<u64>, waws: &mut Vec<usize>) {
    let Some((first, rest)) = ws.split_first() else {
        return;
    };
    let from = out.len();
    out.resize(from + rest.len(), 0);
    waws.clear();
    waws.resize(ws.len(), 0);
    let mut found = 0;
    let is_waw = |w: &Word| {
        let s = w.start as usize;
        usize::from(folded.get(s..s + 2) == Some("و".as_bytes()))
    };
    if let Some(slot) = waws.get_mut(found) {
        *slot = 0;
    }
    found += is_waw(first);
    let mut prev = first.hash;
    let own = out.get_mut(from..).unwrap_or_default();
    for (j, (w, to)) in rest.iter().zip(own.iter_mut()).enumerate() {
        *to = pair(prev, w.hash);
        prev = w.hash;
        if let Some(slot) = waws.get_mut(found) {
            *slot = j + 1;
        }
        found += is_waw(w);
    }
    // The words whose hash changes, in order, each with the one before: the pairs on both
    // sides of it are made again, the one before with that word's own hash, mended or not.
    let mut mended: Option<(usize, u64)> = None;
    for &j in waws.get(..found).unwrap_or_default() {
        let Some(w) = ws.get(j) else {
            continue;
        };
        let h = word_hash(folded, w);
        if h == w.hash {
            continue;
        }
        if let Some(before) = j.checked_sub(1) {
            let b = match mended {
                Some((m, mh)) if m == before => mh,
                _ => ws.get(before).map_or(0, |b| b.hash),
            };
            if let Some(to) = own.get_mut(before) {
                *to = pair(b, h);
            }
        }
        if let (Some(to), Some(next)) = (own.get_mut(j), ws.get(j + 1)) {
            *to = pair(h, next.hash);
        }
        mended = Some((j, h));
    }
}

/// The paragraphs of at least [`MIN_WORDS`] words, whether boilerplate or not, into
/// `scratch.paras` and their hashed pairs into `scratch.pairs`; returns the paragraphs
/// (indices into `paras`) that might be reported, found in the same pass without allocating
/// ([`Earlier`]): for each paragraph, bounds on its distinct pairs `a` and on how many of them
/// occur in any earlier paragraph, `c`. The pairs it shares with any one earlier paragraph the
/// rule compares it with are among those, so where [`might_hit`]`(a, c)` is false it cannot be
/// reported. That is so of every paragraph of most articles.
#[inline(never)]
fn scan(cx: &Context<'_>, scratch: &mut Scratch) -> Vec<usize> {
    let Scratch {
        seen,
        keys,
        pairs,
        paras,
        buf,
        waws,
        ..
    } = scratch;
    paras.clear();
    pairs.clear();
    let fw = cx.prep.words();
    let lines = cx.prep.lines.len();
    let (mut long, mut words) = (0, 0);
    for n in (0..lines).filter_map(|i| fw.line(i)).map(<[Word]>::len) {
        if n >= MIN_WORDS {
            long += 1;
            words += n;
        }
    }
    // A paragraph is only ever reported against an earlier one; a footer only takes words away.
    if long < 2 {
        return Vec::new();
    }
    // Too many paragraphs to number: every one is a candidate (no article of a real corpus).
    let numbered = seen.reset(words, long);
    pairs.reserve(words);
    let folded = cx.prep.norm.text.as_bytes();
    // Most articles have no «رابط» anywhere: one search spares their lines a look at each word.
    let footers = FOOTER.find(folded).is_some();
    let mut candidates = Vec::new();
    for i in 0..lines {
        let Some(ws) = fw.line(i).filter(|ws| ws.len() >= MIN_WORDS) else {
            continue;
        };
        let from = pairs.len();
        if !footers || !may_have_footer(folded, ws) {
            push_word_pairs(folded, ws, pairs, waws);
        } else {
            match before_footer(cx, i, ws) {
                Some(before) => {
                    keys.clear();
                    keys.extend(before.iter().map(|w| word_hash(folded, w)));
                }
                None => own_words(cx, i, buf, keys),
            }
            if keys.len() < MIN_WORDS {
                continue;
            }
            push_pairs(keys.iter().copied(), pairs);
        }
        let (a, c) = seen.add(pairs.get(from..).unwrap_or_default());
        if !numbered || might_hit(a, c) {
            candidates.push(paras.len());
        }
        paras.push(Para {
            line: i,
            pairs: (from, pairs.len()),
        });
    }
    candidates
}

/// Table slots per word pair of the article in [`Earlier`]: at most one slot in four is taken,
/// and two pairs of an article share about one slot in thirty.
const SLOTS_PER_PAIR: usize = 4;
/// Slots kept from one article to the next; a larger table, for a very large article, is let
/// go of once the next article does not need it.
const KEEP_SLOTS: usize = 1 << 16;

/// A slot of [`Earlier`] that two pairs of the article fell in: any pair that falls in it may
/// be either.
const SHARED: u32 = 0;

/// Which word pairs occur in an earlier paragraph, told without storing the pairs: a table of
/// 32-bit slots, each the last paragraph (16 bits) that had a pair falling in it (by the pair's
/// top bits) and 16 other bits of that pair. A pair is looked up and its slot written in one
/// step, without a branch or a probe: the exact set of pairs this replaces was a branch that
/// failed to be predicted and a cache line per pair, the rule's largest cost.
///
/// A slot is free when its paragraph is from an earlier article. A pair falling in a slot
/// another pair of the article took (other bits differ) makes it [`SHARED`], for good in this
/// article. What the table tells is then a bound, on the safe side for [`might_hit`]:
/// - a pair met again in the current paragraph finds its slot held by this paragraph, with its
///   bits or shared; so the pairs that do not (`n − again`) are distinct, no more than the
///   paragraph's distinct pairs;
/// - a pair held by an earlier paragraph of the article finds its slot held by that paragraph
///   or a later one, with its bits or shared; so the shared pairs are at most those that find
///   their slot so (`taken`, the current paragraph included);
/// - a pair finding its slot held with other bits was never in that slot in this article, so
///   was in no earlier paragraph.
///
/// The table is kept from article to article and never cleared but when the numbers run
/// out: paragraphs are numbered on from one article to the next.
#[derive(Default)]
struct Earlier {
    slots: Vec<u32>,
    /// A pair's slot is its top `64 - shift` bits.
    shift: u32,
    /// Paragraphs up to this one are from earlier articles.
    base: u16,
    /// The last paragraph numbered.
    id: u16,
    /// The pairs of the current paragraph (their places in it) whose slot it held already.
    held_here: Vec<usize>,
    /// For [`repeats`].
    firsts: Vec<(u64, usize)>,
}

impl Earlier {
    /// Empties the table for `paras` paragraphs of `pairs` pairs in all; false if there are
    /// too many paragraphs to number.
    fn reset(&mut self, pairs: usize, paras: usize) -> bool {
        let n = pairs
            .saturating_mul(SLOTS_PER_PAIR)
            .clamp(64, 1 << 30)
            .next_power_of_two();
        if self.slots.len() > n.max(KEEP_SLOTS) {
            self.slots.truncate(n.max(KEEP_SLOTS));
            self.slots.shrink_to_fit();
        }
        if paras >= usize::from(u16::MAX - self.id) {
            self.slots.fill(0);
            self.id = 0;
        }
        if self.slots.len() < n {
            self.slots.resize(n, 0);
        }
        self.shift = 64 - n.trailing_zeros();
        self.base = self.id;
        paras < usize::from(u16::MAX)
    }

    /// Adds the next paragraph, with its `pairs`; returns the bounds on its distinct pairs and
    /// on those an earlier paragraph holds (see [`Earlier`]).
    fn add(&mut self, pairs: &[u64]) -> (usize, usize) {
        // Numbers run out only for an article `reset` said so of, whose bounds do not matter.
        self.id = self.id.saturating_add(1);
        let (id, base, shift) = (u32::from(self.id), u32::from(self.base), self.shift);
        let slots = &mut self.slots[..];
        let mut taken = 0;
        let held_here = &mut self.held_here;
        held_here.clear();
        for (j, &p) in pairs.iter().enumerate() {
            let Some(slot) = slots.get_mut((p >> shift) as usize) else {
                continue;
            };
            // The pair's other bits, never those of a shared slot.
            let bits = (p as u32) << 16 | 1 << 16;
            let (held, by) = (*slot & 0xffff_0000, *slot & 0xffff);
            let free = by <= base;
            let same = !free && (held == bits || held == SHARED);
            // Held by this paragraph: a pair met again, or another pair of it in the same
            // slot, told apart below if it matters.
            if same && by == id {
                held_here.push(j);
            } else {
                taken += usize::from(same);
            }
            let kept = if free {
                bits
            } else if same {
                held
            } else {
                SHARED
            };
            *slot = kept | id;
        }
        let n = pairs.len();
        // Taking every pair whose slot this paragraph held for a shared one bounds the counts
        // too. Where that bound says no, it is the answer; else those pairs are told apart on
        // the pairs themselves, so that pairs repeated in a paragraph are not taken for shared
        // ones (a long paragraph repeats a few).
        if held_here.is_empty() || !might_hit(n, taken + held_here.len()) {
            return (n, taken + held_here.len());
        }
        let again = repeats(pairs, held_here, &mut self.firsts);
        (n - again, taken + held_here.len() - again)
    }
}

/// How many of the pairs at places `at` (in order) of `pairs` occur at an earlier place: one
/// pass over `pairs` noting where each of them first occurs, in `firsts`, a small table of
/// `(pair, 1 + first place or 0)` (open addressing on the pair's low bits).
fn repeats(pairs: &[u64], at: &[usize], firsts: &mut Vec<(u64, usize)>) -> usize {
    let Some(&last) = at.last() else {
        return 0;
    };
    let n = (4 * at.len()).next_power_of_two();
    let mask = n - 1;
    firsts.clear();
    firsts.resize(n, (0, usize::MAX));
    // The slot of `p`: its own, or the free one where it would go.
    let find = |firsts: &[(u64, usize)], p: u64| {
        let mut i = p as usize & mask;
        while firsts
            .get(i)
            .is_some_and(|&(q, f)| f != usize::MAX && q != p)
        {
            i = (i + 1) & mask;
        }
        i
    };
    for &j in at {
        if let Some(&p) = pairs.get(j) {
            let i = find(firsts, p);
            if let Some(slot) = firsts.get_mut(i) {
                *slot = (p, 0);
            }
        }
    }
    for (k, &p) in pairs.iter().enumerate().take(last + 1) {
        let i = find(firsts, p);
        if let Some(slot) = firsts.get_mut(i).filter(|s| s.1 == 0) {
            slot.1 = k + 1;
        }
    }
    at.iter()
        .filter(|&&j| {
            let p = pairs.get(j).copied().unwrap_or_default();
            firsts
                .get(find(firsts, p))
                .is_some_and(|&(_, f)| f != usize::MAX && f <= j)
        })
        .count()
}

/// How many candidates [`tighten`] looks at closely (one bit each); any after them are kept as
/// they are.
const MAX_CLOSE_LOOKS: usize = 32;

/// The `candidates` of [`scan`] that still might be reported once the pairs each shares with
/// every earlier paragraph are counted one paragraph at a time rather than all together: at
/// least as many as the rule counts ([`report`] leaves boilerplate, allowed phrases, exact
/// repeats and stock phrases out). Most candidates of [`scan`] share common pairs with
/// several paragraphs, none of which is like them.
///
/// One pass over the paragraphs before the last candidate serves them all: the candidates'
/// pairs go into a small table ([`Close`]) saying which candidates hold each, and every pair
/// of an earlier paragraph is looked up there once.
#[inline(never)]
fn tighten(paras: &[Para], pairs: &[u64], candidates: Vec<usize>, close: &mut Close) -> Vec<usize> {
    let looked = &candidates[..candidates.len().min(MAX_CLOSE_LOOKS)];
    let Some(&last) = looked.last() else {
        return candidates;
    };
    let para_pairs = |p: usize| paras.get(p).map_or(&[][..], |para| para.pairs(pairs));
    // Distinct pairs of each candidate, and the most it shares with one earlier paragraph.
    let mut distinct = [0usize; MAX_CLOSE_LOOKS];
    let mut most = [0usize; MAX_CLOSE_LOOKS];
    let mut count = [0usize; MAX_CLOSE_LOOKS];
    close.reset(looked.iter().map(|&p| para_pairs(p).len()).sum());
    for (k, &p) in looked.iter().enumerate() {
        distinct[k] = para_pairs(p)
            .iter()
            .filter(|&&x| close.insert(x, k))
            .count();
    }
    // The candidates after paragraph q: those from `later` on.
    let mut later = 0;
    for q in 0..last {
        while looked.get(later).is_some_and(|&p| p <= q) {
            later += 1;
        }
        let after = u32::MAX.checked_shl(later as u32).unwrap_or(0);
        let mut touched = 0u32;
        for &x in para_pairs(q) {
            let m = close.holders(x, q) & after;
            touched |= m;
            let mut bits = m;
            while bits != 0 {
                count[bits.trailing_zeros() as usize] += 1;
                bits &= bits - 1;
            }
        }
        while touched != 0 {
            let k = touched.trailing_zeros() as usize;
            most[k] = most[k].max(count[k]);
            count[k] = 0;
            touched &= touched - 1;
        }
    }
    let mut kept: Vec<usize> = looked
        .iter()
        .enumerate()
        .filter(|&(k, _)| might_hit(distinct[k], most[k]))
        .map(|(_, &p)| p)
        .collect();
    kept.extend_from_slice(&candidates[looked.len()..]);
    kept
}

/// The word pairs of [`tighten`]'s candidates, each with the candidates holding it (a bit
/// each) and the last paragraph that looked it up: open addressing on the pair's low bits.
#[derive(Default)]
struct Close {
    slots: Vec<CloseSlot>,
    mask: usize,
}

#[derive(Clone, Copy, Default)]
struct CloseSlot {
    pair: u64,
    /// The candidates holding `pair`; 0 for a free slot.
    holders: u32,
    /// 1 + the last paragraph that looked `pair` up.
    seen: u32,
}

impl Close {
    /// Empties the table, for at most `pairs` pairs.
    fn reset(&mut self, pairs: usize) {
        let n = pairs.saturating_mul(4).next_power_of_two().max(64);
        if self.slots.len() > n.max(KEEP_SLOTS / 4) {
            self.slots = Vec::new();
        }
        if self.slots.len() < n {
            self.slots.resize(n, CloseSlot::default());
        }
        self.mask = n - 1;
        if let Some(used) = self.slots.get_mut(..n) {
            used.fill(CloseSlot::default());
        }
    }

    /// Notes that candidate `k` holds `pair`; true if it was not noted yet.
    fn insert(&mut self, pair: u64, k: usize) -> bool {
        let bit = 1u32 << k;
        let mut i = pair as usize & self.mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if slot.holders == 0 || slot.pair == pair {
                slot.pair = pair;
                let new = slot.holders & bit == 0;
                slot.holders |= bit;
                return new;
            }
            i = (i + 1) & self.mask;
        }
        false
    }

    /// The candidates holding `pair` if paragraph `q` has not looked it up yet, else 0.
    #[inline]
    fn holders(&mut self, pair: u64, q: usize) -> u32 {
        let q = q as u32 + 1;
        let mut i = pair as usize & self.mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if slot.holders == 0 {
                return 0;
            }
            if slot.pair == pair {
                if slot.seen == q {
                    return 0;
                }
                slot.seen = q;
                return slot.holders;
            }
            i = (i + 1) & self.mask;
        }
        0
    }
}

/// What the rule keeps from one article to the next, so that an article allocates nothing
/// for its words.
#[derive(Default)]
struct Scratch {
    seen: Earlier,
    /// For [`tighten`].
    close: Close,
    /// The hashed words of one line.
    keys: Vec<u64>,
    pairs: Vec<u64>,
    paras: Vec<Para>,
    buf: String,
    /// For [`push_word_pairs`].
    waws: Vec<usize>,
}

impl Scratch {
    /// Lets go of what a very large article needed.
    fn trim(&mut self) {
        if self.pairs.capacity() > KEEP_SLOTS {
            *self = Scratch {
                seen: std::mem::take(&mut self.seen),
                close: std::mem::take(&mut self.close),
                ..Scratch::default()
            };
        }
    }
}

thread_local! {
    /// Each thread's [`Scratch`].
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// `f` on this thread's [`Scratch`] (a fresh one should it be in use already).
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

impl Rule for NearDuplicateParagraph {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        with_scratch(|scratch| {
            let candidates = scan(cx, scratch);
            let Scratch {
                close,
                pairs,
                paras,
                ..
            } = &mut *scratch;
            let possible = tighten(paras, pairs, candidates, close);
            if let Some(&last) = possible.last() {
                let lines: Vec<usize> = possible
                    .iter()
                    .filter_map(|&p| paras.get(p))
                    .map(|p| p.line)
                    .collect();
                report(
                    cx,
                    paras.get(..=last).unwrap_or_default(),
                    pairs,
                    Some(&lines),
                    out,
                );
            }
            scratch.trim();
        });
    }
}

/// The phrases of `allow.phrases` as this rule compares paragraphs (their [`words`] joined by
/// spaces). An allowed paragraph is left out like boilerplate: neither reported nor compared
/// with the paragraphs after it.
struct Allowed {
    keys: Vec<String>,
    buf: String,
}

impl Allowed {
    fn new(cx: &Context<'_>) -> Self {
        let mut buf = String::new();
        let keys = cx
            .config
            .allow
            .phrases
            .iter()
            .map(|p| words(p, &mut buf).join(" "))
            .filter(|k| !k.is_empty())
            .collect();
        Allowed { keys, buf }
    }

    /// Whether line `i` (a paragraph) is an allowed phrase.
    fn holds(&mut self, cx: &Context<'_>, i: usize) -> bool {
        let (Some(line), false) = (cx.prep.lines.get(i), self.keys.is_empty()) else {
            return false;
        };
        let key = words(strip_footer(line.text), &mut self.buf).join(" ");
        self.keys.contains(&key)
    }
}

/// The rule itself on `paras`, reporting any of them or only those on lines `possible` (in
/// order): the others are only indexed, for the paragraphs after them.
#[inline(never)]
fn report(
    cx: &Context<'_>,
    paras: &[Para],
    pairs: &[u64],
    possible: Option<&[usize]>,
    out: &mut Vec<Diagnostic>,
) {
    let lines = &cx.prep.lines;
    let mut index = Index::with_capacity(pairs.len());
    // The paragraphs indexed: line, distinct pairs, exact hash.
    let mut indexed: Vec<(usize, usize, u64)> = Vec::new();
    let mut exacts: HashSet<u64, PreHash> = HashSet::default();
    let mut allowed = Allowed::new(cx);
    for para in paras {
        if cx.prep.is_boilerplate(para.line) || allowed.holds(cx, para.line) {
            continue;
        }
        // An exact repeat is duplicate-line's, and the earlier copy is already indexed.
        let exact = para.exact(pairs);
        if !exacts.insert(exact) {
            continue;
        }
        let id = indexed.len() as u32;
        let follow = possible.is_none_or(|p| p.binary_search(&para.line).is_ok());
        let a = index.add(id, para.pairs(pairs), follow);
        // The earlier paragraph it is most like, if it is like one enough.
        let mut best: Option<(f64, u32)> = None;
        for (q, n) in index.shared() {
            let Some(&(_, b, earlier)) = indexed.get(q as usize) else {
                continue;
            };
            if earlier == exact {
                continue;
            }
            let union = (a + b).saturating_sub(n).max(1);
            let jaccard = n as f64 / union as f64;
            let small = a.min(b).max(1);
            let containment = n as f64 / small as f64;
            let hit = jaccard >= MIN_JACCARD
                || (small >= MIN_CONTAINED_PAIRS && containment >= MIN_CONTAINMENT);
            if hit {
                let score = jaccard.max(containment);
                // Ties go to the earliest paragraph.
                if best.is_none_or(|(s, bq)| score > s || (score == s && q < bq)) {
                    best = Some((score, q));
                }
            }
        }
        if let Some((score, q)) = best {
            if let (Some(line), Some(&(other, _, _))) =
                (lines.get(para.line), indexed.get(q as usize))
            {
                let (s, e) = line_span(line);
                let (fs, fe) = line_span(&lines[other]);
                out.push(
                    Diagnostic::new(
                        META.id,
                        Severity::Info,
                        s,
                        e,
                        format!(
                            "this paragraph restates line {} ({}% of the word pairs are shared)",
                            other + 1,
                            (score * 100.0).round() as u32
                        ),
                    )
                    .with_related(fs, fe, "said first here"),
                );
            }
        }
        indexed.push((para.line, a, exact));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::config::Config;
    use crate::analysis::kb::Kb;
    use crate::analysis::rules::testing::{check, render, run, run_with};
    use crate::analysis::Engine;

    const R: &str = "near-duplicate-paragraph";

    const FIRST: &str = "اعتبر الأمين العام أن التجربة الناجحة للعمليات المشتركة بين البلدين بهدف حشد الطاقات لمواجهة الإرهاب بشكل مؤثر نموذج يمكن تعميمه";
    const REWORDED: &str = "واعتبر الأمين العام أن التجربة الناجحة للعمليات المشتركة بين البلدين بهدف حشد الطاقات للمواجهة المؤثرة مع الإرهاب نموذج يمكن تعميمه";

    #[test]
    fn reworded_paragraph() {
        check(
            R,
            &format!("{FIRST}\n\nجاء ذلك خلال لقاء في العاصمة.\n\n⟦{REWORDED}⟧"),
        );
    }

    #[test]
    fn sentence_pasted_into_a_longer_paragraph() {
        check(
            R,
            "وزیر گفت که برگزاری اجلاس سه جانبه نشان دهنده اراده خلل ناپذیر سه کشور برای مقابله با تروریسم تکفیری در منطقه است\n\n\
             ⟦وی در پایان افزود: برگزاری اجلاس سه جانبه نشان دهنده اراده خلل ناپذیر سه کشور برای مقابله با تروریسم تکفیری در منطقه است و این همکاری ادامه خواهد داشت.⟧",
        );
    }

    #[test]
    fn headline_echoed_by_the_lead_is_journalism() {
        check(
            R,
            "الجيش يقتل 16 عنصرا من القاعدة بينهم أجانب في عملية\n\n\
             ذكرت صحيفة محلية أن قوات الجيش قتلت 16 عنصرا من القاعدة بينهم أجانب في عملية لا تزال متواصلة غرب البلاد.",
        );
    }

    #[test]
    fn different_paragraphs_and_exact_repeats() {
        // Same topic, different sentences.
        check(
            R,
            "التقى الوزير نظيره الروسي في موسكو وبحث معه العلاقات الثنائية بين البلدين\n\
             وأكد الوزير الروسي أن العلاقات بين البلدين تشهد تطورا كبيرا في كل المجالات",
        );
        // Exact repeats are duplicate-line's, even after a reworded copy.
        check(R, &format!("{FIRST}\n{FIRST}"));
        check(R, &format!("{FIRST}\n⟦{REWORDED}⟧\n{FIRST}"));
        // Short lines are not compared.
        check(R, "قال الوزير إن الوضع جيد\nقال الوزير إن الوضع سيئ");
        check(R, "");
    }

    #[test]
    fn allowed_phrases() {
        let text = format!("{FIRST}\n\nجاء ذلك خلال لقاء في العاصمة.\n\n{REWORDED}");
        let with = |phrase: &str| {
            let mut config = Config::default();
            config.allow.phrases.push(phrase.to_string());
            run_with(&Engine::new(Kb::embedded(), config), R, &text).len()
        };
        assert_eq!(run(R, &text).len(), 1);
        // The reworded paragraph, spelt with Persian ی and without the hamza of its alefs:
        // not reported.
        assert_eq!(with(&REWORDED.replace('ي', "ی").replace('أ', "ا")), 0);
        // The first paragraph allowed is not compared with the ones after it.
        assert_eq!(with(FIRST), 0);
        // Another phrase, or part of the paragraph, changes nothing.
        assert_eq!(with("جاء ذلك خلال لقاء في العاصمة"), 1);
        assert_eq!(with("الأمين العام"), 1);
    }

    #[test]
    fn large_article_with_stock_phrases() {
        // Thousands of paragraphs sharing stock phrases (speed is measured by benches/, not here).
        let mut text = String::new();
        for i in 0..4000 {
            text.push_str(&format!(
                "وقال المتحدث باسم الوزارة في بيان رقم {i} إن العمل مستمر في المشروع رقم {}\n",
                i * 7
            ));
        }
        let found = run(R, &text);
        // They are near-duplicates of each other, reported against earlier ones.
        assert!(!found.is_empty());
    }

    #[test]
    fn heads_probe_past_collisions_and_grow() {
        // Pairs alike in their low bits all probe from one slot, and more pairs come than the
        // table was sized for.
        let mut heads = super::Heads::with_capacity(1);
        for round in 1..=3u32 {
            for i in 0..1000u64 {
                let head = heads.get(i << 32 | 7);
                assert_eq!(head.len, round - 1, "{i}");
                head.pair = i << 32 | 7;
                head.len = round;
            }
        }
        assert_eq!(heads.used, 1000);
        assert!(heads.slots.len() >= 2000);
    }

    #[test]
    fn message() {
        expect_test::expect![[r#"
            2:1-2:132 info this paragraph restates line 1 (74% of the word pairs are shared) [واعتبر الأمين العام أن التجربة الناجحة للعمليات المشتركة بين البلدين بهدف حشد الطاقات للمواجهة المؤثرة مع الإرهاب نموذج يمكن تعميمه]
        "#]]
        .assert_eq(&render(R, &format!("{FIRST}\n{REWORDED}")));
    }

    use proptest::strategy::Strategy;

    /// Paragraphs built from a few sentences, so that many share pairs, with footers,
    /// boilerplate, exact repeats and characters that fold or split words.
    fn article() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                FIRST,
                REWORDED,
                "جاء ذلك خلال لقاء في العاصمة",
                "وقال المتحدث باسم الوزارة",
                "إن العمل مستمر في المشروع",
                "رابط الخبر بصحيفة الوئام: عنوان الخبر",
                "أهم الأخبار ايران",
                "عقد الاجتماع...\" />",
                "\n",
                "\n",
                "\r\n",
                " ",
                "، ",
                "\u{200f}",
                "\u{0654}",
                "واعتبر",
                "و",
                "الأمين",
                "ورابط",
                "\u{064e}",
                "١٢",
                "😀",
            ]),
            0..40,
        )
        .prop_map(|v| v.concat())
    }

    /// Articles whose lines are stretches of one sentence with a few words changed, so that
    /// their likeness falls on either side of the thresholds; with و before some words,
    /// footers cut at a word or inside one, and characters that fold or split words.
    fn article_of_words() -> impl Strategy<Value = String> {
        let words = vec![
            "الأمين",
            "العام",
            "واعتبر",
            "اعتبر",
            "و",
            "ولد",
            "وولد",
            "التجربة",
            "التجربه",
            "الناجحة",
            "في",
            "أن",
            "للعمليات",
            "المشتركة",
            "بين",
            "البلدين",
            "بهدف",
            "حشد",
            "الطاقات",
            "لمواجهة",
            "الإرهاب",
            "وبشكل",
            "مؤثر",
            "نموذج",
            "يمكن",
            "تعميمه",
            "\u{064e}",
            "\u{200f}",
            "،",
            "٣",
            "الرابطة",
        ];
        let endings = vec![
            "",
            "",
            "",
            " رابط الخبر بصحيفة الوئام: عنوان",
            " ورابط المقال على موقع الرياض: عنوان",
            "\u{064e}رابط الخبر بصحيفة الوئام:",
            " رابط الخبر",
        ];
        let sentence = proptest::collection::vec(proptest::sample::select(words.clone()), 6..40);
        sentence.prop_flat_map(move |base| {
            let n = base.len();
            let edit = (0..n, proptest::sample::select(words.clone()));
            let line = (
                0..n,
                0..n,
                proptest::collection::vec(edit, 0..4),
                proptest::sample::select(endings.clone()),
            );
            let base = base.clone();
            proptest::collection::vec(line, 0..10).prop_map(move |lines| {
                let lines: Vec<String> = lines
                    .into_iter()
                    .map(|(s, len, edits, ending)| {
                        let mut ws = base.clone();
                        for (at, w) in edits {
                            ws[at] = w;
                        }
                        let e = (s + len).min(n);
                        ws[s..e].join(" ") + ending
                    })
                    .collect();
                lines.join("\n")
            })
        })
    }

    /// The findings of the rule on every paragraph split its own way ([`super::words`]), and
    /// those of the rule itself.
    fn reference_and_rule(t: &str) -> (Vec<super::Diagnostic>, Vec<super::Diagnostic>) {
        crate::analysis::rules::testing::with_context(t, |cx| {
            let mut buf = String::new();
            let mut pairs = Vec::new();
            let mut paras = Vec::new();
            for (i, line) in cx.prep.lines.iter().enumerate() {
                let ws = super::words(super::strip_footer(line.text), &mut buf);
                if ws.len() < super::MIN_WORDS {
                    continue;
                }
                let hs: Vec<u64> = ws.iter().map(|w| super::hash_bytes(w.as_bytes())).collect();
                let from = pairs.len();
                pairs.extend(hs.windows(2).map(|p| super::pair(p[0], p[1])));
                paras.push(super::Para {
                    line: i,
                    pairs: (from, pairs.len()),
                });
            }
            let mut all = Vec::new();
            super::report(cx, &paras, &pairs, None, &mut all);
            let mut some = Vec::new();
            super::Rule::check(&super::NearDuplicateParagraph, cx, &mut some);
            (all, some)
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// Reporting only the paragraphs the prefilters let through, with their words taken
        /// from the folded text, finds what the rule finds on every paragraph split its own way.
        #[test]
        fn candidates_lose_no_finding(t in article()) {
            let (all, some) = reference_and_rule(&t);
            proptest::prop_assert_eq!(all, some);
        }

        #[test]
        fn candidates_lose_no_finding_among_similar_lines(t in article_of_words()) {
            let (all, some) = reference_and_rule(&t);
            proptest::prop_assert_eq!(all, some);
        }
    }

    /// [`super::Earlier::add`] of the pairs of hashed words `words`.
    fn add(seen: &mut super::Earlier, words: &[u64]) -> (usize, usize) {
        let mut pairs = Vec::new();
        super::push_pairs(words.iter().copied(), &mut pairs);
        seen.add(&pairs)
    }

    #[test]
    fn earlier_counts_pairs_across_articles() {
        let mut seen = super::Earlier::default();
        let words = |r: std::ops::Range<u64>| -> Vec<u64> {
            r.map(|i| super::hash_bytes(&i.to_le_bytes())).collect()
        };
        assert!(seen.reset(300, 3));
        assert_eq!(add(&mut seen, &words(0..101)), (100, 0));
        // Half its pairs are the first paragraph's, and every pair comes twice.
        let second = [words(50..151), words(50..151)].concat();
        let (a, c) = add(&mut seen, &second);
        assert!(a <= 201 && c >= 50 && super::might_hit(a, c), "{a} {c}");
        // A new article starts empty, in the same table.
        assert!(seen.reset(2, 2));
        assert_eq!(add(&mut seen, &words(0..3)), (2, 0));
        // Numbers running out empty the table.
        seen.id = u16::MAX - 1;
        assert!(seen.reset(2, 2));
        assert_eq!(add(&mut seen, &words(0..3)), (2, 0));
        assert_eq!(add(&mut seen, &words(0..3)), (2, 2));
        assert!(!seen.reset(2, usize::from(u16::MAX)));
    }

    #[test]
    fn repeats_are_found_where_they_recur() {
        let mut firsts = Vec::new();
        let pairs = [5, 7, 5, 9, 7, 7, 1 << 40 | 5];
        // 5 and 7 recur at 2, 4 and 5; 9 and the pair alike in its low bits do not.
        assert_eq!(super::repeats(&pairs, &[2, 3, 4, 5, 6], &mut firsts), 3);
        assert_eq!(super::repeats(&pairs, &[0, 1], &mut firsts), 0);
        assert_eq!(super::repeats(&pairs, &[], &mut firsts), 0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// However the pairs fall in the table (two to 64 slots here, so they share them all
        /// the time), its bounds keep every paragraph that the exact counts keep.
        #[test]
        fn earlier_bounds_lose_no_candidate(
            articles in proptest::collection::vec(
                proptest::collection::vec(proptest::collection::vec(0u64..8, 1..30), 1..8),
                1..4,
            ),
            slots_bits in 1u32..=6,
            start in proptest::prop_oneof![proptest::strategy::Just(0u16), u16::MAX - 20..u16::MAX],
        ) {
            let mut seen = super::Earlier { id: start, ..Default::default() };
            for paras in &articles {
                let n: usize = paras.iter().map(Vec::len).sum();
                proptest::prop_assert!(seen.reset(n, paras.len()));
                // Fewer slots than `reset` made, never more: a slot past the table's end would
                // drop its pair, which `reset` rules out by sizing the table to the shift.
                seen.shift = seen.shift.max(64 - slots_bits);
                let mut earlier = std::collections::HashSet::new();
                for words in paras {
                    let hs: Vec<u64> = words.iter().map(|w| super::hash_bytes(&w.to_le_bytes())).collect();
                    let own: std::collections::HashSet<u64> =
                        hs.windows(2).map(|p| super::pair(p[0], p[1])).collect();
                    let (a, c) = (own.len(), own.intersection(&earlier).count());
                    let (ba, bc) = add(&mut seen, &hs);
                    proptest::prop_assert!(bc >= c, "{} {} {} {}", a, c, ba, bc);
                    proptest::prop_assert!(
                        !super::might_hit(a, c) || super::might_hit(ba, bc),
                        "{} {} {} {}", a, c, ba, bc
                    );
                    earlier.extend(own);
                }
            }
        }

        /// The pairs of the folded words, mended where words start with و, are those of their
        /// hashes taken one by one.
        #[test]
        fn word_pairs_are_the_pairs_of_word_hashes(t in article_of_words()) {
            crate::analysis::rules::testing::with_context(&t, |cx| {
                let fw = cx.prep.words();
                let folded = cx.prep.norm.text.as_bytes();
                let mut waws = Vec::new();
                for ws in (0..cx.prep.lines.len()).filter_map(|i| fw.line(i)) {
                    let (mut want, mut got) = (Vec::new(), vec![1]);
                    super::push_pairs(ws.iter().map(|w| super::word_hash(folded, w)), &mut want);
                    super::push_word_pairs(folded, ws, &mut got, &mut waws);
                    assert_eq!(got.get(1..), Some(&want[..]), "{t:?}");
                }
            });
        }

        /// The one pass of `tighten` keeps exactly the candidates that comparing each with
        /// every earlier paragraph keeps.
        #[test]
        fn tighten_counts_what_each_candidate_shares(
            paras in proptest::collection::vec(proptest::collection::vec(0u64..40, 0..30), 1..50),
            picks in proptest::collection::vec(proptest::bool::weighted(0.6), 50),
        ) {
            let mut pairs = Vec::new();
            let mut list = Vec::new();
            for (i, ps) in paras.iter().enumerate() {
                let from = pairs.len();
                // Pairs alike in their low bits, to probe past each other.
                pairs.extend(ps.iter().map(|&x| x << 40 | 3));
                list.push(super::Para { line: i, pairs: (from, pairs.len()) });
            }
            let candidates: Vec<usize> = (0..paras.len()).filter(|&p| picks[p]).collect();
            let set = |p: usize| -> std::collections::HashSet<u64> {
                list[p].pairs(&pairs).iter().copied().collect()
            };
            let want: Vec<usize> = candidates
                .iter()
                .enumerate()
                .filter(|&(k, &p)| {
                    let own = set(p);
                    let most = (0..p).map(|q| own.intersection(&set(q)).count()).max().unwrap_or(0);
                    k >= super::MAX_CLOSE_LOOKS || super::might_hit(own.len(), most)
                })
                .map(|(_, &p)| p)
                .collect();
            let mut close = super::Close::default();
            let got = super::tighten(&list, &pairs, candidates, &mut close);
            proptest::prop_assert_eq!(got, want);
        }
    }
}
