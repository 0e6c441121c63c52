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
//! other word rules, into a set that says which occur in any earlier paragraph; a paragraph
//! sharing too few pairs with all earlier ones together cannot be reported. [`tighten`] counts
//! the few that could against each earlier paragraph, and [`report`] (the rule as defined
//! above) runs only where one still could.

use std::collections::HashSet;

use super::scraper_boilerplate::strip_footer;
use super::{line_span, Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::fold_into;
use crate::analysis::words::{hash_bytes, hash_pair, hash_seq, PreHash, Word};

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
#[inline]
fn word_hash(folded: &[u8], w: &Word) -> u64 {
    let (s, e) = (w.start as usize, w.end as usize);
    if folded.get(s..s + 2) != Some("و".as_bytes()) {
        return w.hash;
    }
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
/// [`hash_pair`], already well mixed), sized for every pair of the article at once. A
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
/// own pairs), so it needs `2n ≥ a`; containment needs `n ≥ 0.7 · 15`.
fn might_hit(a: usize, n: usize) -> bool {
    n > 0 && (2 * n >= a || 10 * n >= 7 * MIN_CONTAINED_PAIRS)
}

/// The paragraphs of at least [`MIN_WORDS`] words, whether boilerplate or not, into
/// `scratch.paras` and their hashed pairs into `scratch.pairs`; returns the paragraphs
/// (indices into `paras`) that might be reported, found in the same pass without allocating
/// ([`Seen`]): for each paragraph, its distinct pairs `a` and how many of them occur in any
/// earlier paragraph, `c`. The pairs it shares with any one earlier paragraph the rule
/// compares it with are among those, so where [`might_hit`]`(a, c)` is false it cannot be
/// reported. That is so of every paragraph of most articles.
#[inline(never)]
fn scan(cx: &Context<'_>, scratch: &mut Scratch) -> Vec<usize> {
    let Scratch {
        seen,
        keys,
        pairs,
        paras,
        buf,
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
    seen.reset(words, long);
    let folded = cx.prep.norm.text.as_bytes();
    // Most articles have no «رابط» anywhere: one search spares their lines a look at each word.
    let footers = FOOTER.find(folded).is_some();
    let mut candidates = Vec::new();
    for i in 0..lines {
        let Some(ws) = fw.line(i).filter(|ws| ws.len() >= MIN_WORDS) else {
            continue;
        };
        let from = pairs.len();
        let (a, c) = if !footers || !may_have_footer(folded, ws) {
            seen.add_words(ws.iter().map(|w| word_hash(folded, w)), pairs)
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
            seen.add_words(keys.iter().copied(), pairs)
        };
        if might_hit(a, c) {
            candidates.push(paras.len());
        }
        paras.push(Para {
            line: i,
            pairs: (from, pairs.len()),
        });
    }
    candidates
}

/// How many candidates [`tighten`] looks at closely; any after them are kept as they are.
const MAX_CLOSE_LOOKS: usize = 16;

/// The `candidates` of [`scan`] that still might be reported once the pairs each shares with
/// every earlier paragraph are counted one paragraph at a time rather than all together: at
/// least as many as the rule counts ([`report`] leaves boilerplate, allowed phrases, exact
/// repeats and stock phrases out). Most candidates of [`scan`] share common pairs with
/// several paragraphs, none of which is like them.
#[inline(never)]
fn tighten(paras: &[Para], pairs: &[u64], candidates: Vec<usize>, set: &mut Seen) -> Vec<usize> {
    let mut kept = Vec::new();
    for (n, &p) in candidates.iter().enumerate() {
        let Some(para) = paras.get(p) else {
            continue;
        };
        if n >= MAX_CLOSE_LOOKS {
            kept.push(p);
            continue;
        }
        let own = para.pairs(pairs);
        set.reset(own.len(), p + 1);
        let (a, _) = set.add(own);
        let most = paras
            .get(..p)
            .unwrap_or_default()
            .iter()
            .map(|q| set.count(q.pairs(pairs)))
            .max()
            .unwrap_or(0);
        if might_hit(a, most) {
            kept.push(p);
        }
    }
    kept
}

/// The word pairs of the paragraphs seen so far, each with the last paragraph that held it:
/// open addressing on the pair's hash (already well mixed). The table is kept from article to
/// article and never cleared: paragraphs are numbered on from one article to the next, and a
/// slot whose paragraph is from an earlier article is free.
#[derive(Default)]
struct Seen {
    slots: Vec<Slot>,
    /// The slots in use: the first `mask + 1`.
    mask: usize,
    /// Paragraphs up to this one are from earlier articles.
    base: u32,
    /// The last paragraph numbered.
    id: u32,
    /// Slots taken since the last [`Seen::reset`].
    used: usize,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    pair: u64,
    /// The last paragraph that held `pair`; the slot is free if that is from an earlier
    /// article ([`Seen::base`]).
    owner: u32,
}

/// What [`Seen::insert`] found of a pair.
enum Insert {
    /// Not held by any paragraph yet.
    New,
    /// Held by an earlier paragraph.
    Earlier,
    /// Already held by the current paragraph.
    Again,
}

/// Slots kept from one article to the next; a larger table, for a very large article, is let
/// go of once the next article does not need it.
const KEEP_SLOTS: usize = 1 << 16;

impl Seen {
    /// Empties the set, for `paras` paragraphs of at most `pairs` pairs in all.
    fn reset(&mut self, pairs: usize, paras: usize) {
        let n = pairs.saturating_mul(2).next_power_of_two().max(64);
        if self.slots.len() > n.max(KEEP_SLOTS) {
            *self = Seen::default();
        }
        let paras = u32::try_from(paras).unwrap_or(u32::MAX);
        if self.id.checked_add(paras).is_none() || self.slots.len() < n {
            // Numbers run out, or the table is too small: start afresh.
            let len = n.max(self.slots.len());
            *self = Seen {
                slots: vec![Slot::default(); len],
                ..Seen::default()
            };
        }
        self.mask = n - 1;
        self.base = self.id;
        self.used = 0;
    }

    /// Adds the next paragraph, with its `pairs`; returns its number of distinct pairs and
    /// how many of those an earlier paragraph held.
    fn add(&mut self, pairs: &[u64]) -> (usize, usize) {
        self.start(pairs.len());
        let (mut new, mut earlier) = (0, 0);
        for &pair in pairs {
            match self.insert(pair) {
                Insert::New => new += 1,
                Insert::Earlier => earlier += 1,
                Insert::Again => {}
            }
        }
        self.used += new;
        (new + earlier, earlier)
    }

    /// [`Self::add`] for the paragraph of hashed words `words`, whose pairs it appends to
    /// `out`: one pass over the words.
    fn add_words(
        &mut self,
        mut words: impl ExactSizeIterator<Item = u64>,
        out: &mut Vec<u64>,
    ) -> (usize, usize) {
        let Some(mut prev) = words.next() else {
            return (0, 0);
        };
        self.start(words.len());
        let from = out.len();
        out.resize(from + words.len(), 0);
        let (mut new, mut earlier) = (0, 0);
        for (w, to) in words.zip(out.get_mut(from..).unwrap_or_default()) {
            let pair = hash_pair(prev, w);
            prev = w;
            *to = pair;
            match self.insert(pair) {
                Insert::New => new += 1,
                Insert::Earlier => earlier += 1,
                Insert::Again => {}
            }
        }
        self.used += new;
        (new + earlier, earlier)
    }

    /// Numbers the next paragraph, with room for its `n` pairs.
    fn start(&mut self, n: usize) {
        while 2 * (self.used + n) > self.mask + 1 {
            self.grow();
        }
        self.id = self.id.saturating_add(1);
    }

    /// Marks `pair` as held by the current paragraph ([`Self::start`]).
    #[inline(always)]
    fn insert(&mut self, pair: u64) -> Insert {
        let (id, base, mask) = (self.id, self.base, self.mask);
        let mut i = pair as usize & mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if slot.owner <= base {
                *slot = Slot { pair, owner: id };
                return Insert::New;
            }
            if slot.pair == pair {
                if slot.owner == id {
                    return Insert::Again;
                }
                slot.owner = id;
                return Insert::Earlier;
            }
            i = (i + 1) & mask;
        }
        Insert::Again
    }

    /// The number of distinct `pairs` (those of the next paragraph) in the set, adding none.
    fn count(&mut self, pairs: &[u64]) -> usize {
        self.id = self.id.saturating_add(1);
        let (id, base, mask) = (self.id, self.base, self.mask);
        let mut found = 0;
        for &pair in pairs {
            let mut i = pair as usize & mask;
            while let Some(slot) = self.slots.get_mut(i) {
                if slot.owner <= base {
                    break;
                }
                if slot.pair == pair {
                    if slot.owner != id {
                        slot.owner = id;
                        found += 1;
                    }
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        found
    }

    /// Doubles the slots in use, moving the pairs since the last reset into a new table: only
    /// if more pairs come than [`Self::reset`] was told of.
    #[cold]
    fn grow(&mut self) {
        let len = 2 * (self.mask + 1);
        let old = std::mem::replace(
            self,
            Seen {
                slots: vec![Slot::default(); len],
                mask: len - 1,
                base: 0,
                id: self.id,
                used: self.used,
            },
        );
        let live = old.slots.iter().take(old.mask + 1);
        for &slot in live.filter(|s| s.owner > old.base) {
            let mut i = slot.pair as usize & self.mask;
            while self.slots.get(i).is_some_and(|s| s.owner != 0) {
                i = (i + 1) & self.mask;
            }
            if let Some(s) = self.slots.get_mut(i) {
                *s = slot;
            }
        }
    }
}

/// What the rule keeps from one article to the next, so that an article allocates nothing
/// for its words.
#[derive(Default)]
struct Scratch {
    seen: Seen,
    /// For [`tighten`].
    close: Seen,
    /// The hashed words of one line.
    keys: Vec<u64>,
    pairs: Vec<u64>,
    paras: Vec<Para>,
    buf: String,
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
                pairs.extend(hs.windows(2).map(|p| super::hash_pair(p[0], p[1])));
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

    #[test]
    fn seen_counts_pairs_and_grows() {
        let mut seen = super::Seen::default();
        // Told of fewer pairs than come, with pairs alike in their low bits.
        seen.reset(1, 3);
        let first: Vec<u64> = (0..100u64).map(|i| i << 32 | 5).collect();
        assert_eq!(seen.add(&first), (100, 0));
        let mut second: Vec<u64> = (50..150u64).map(|i| i << 32 | 5).collect();
        second.extend_from_slice(&second.clone());
        assert_eq!(seen.add(&second), (100, 50));
        assert_eq!(seen.count(&[7 << 32 | 5, 7 << 32 | 5, 149 << 32 | 5, 1]), 2);
        // A new article starts empty, in the same table.
        seen.reset(2, 1);
        assert_eq!(seen.add(&first[..2]), (2, 0));
    }
}
