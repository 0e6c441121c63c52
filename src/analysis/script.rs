//! Language of each paragraph: Arabic, Persian or other.
//!
//! Rules depend on it (a ی is a mistake in Arabic and right in Persian; Persian writes و apart).
//! The evidence is letters only one of the two languages uses and their most frequent function
//! words, both looked up after folding so that Persian typed with Arabic ي and ك is still
//! recognised by its words. A paragraph without enough evidence takes the article's majority,
//! then the configured hint.

use super::normalize::Normalized;
use super::normalize::{fold, fold_into};
use super::words::{FoldedWords, LetterRuns};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[serde(rename = "ar")]
    Arabic,
    #[serde(rename = "fa")]
    Persian,
    #[default]
    Other,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Arabic => "ar",
            Lang::Persian => "fa",
            Lang::Other => "other",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::Arabic => "Arabic",
            Lang::Persian => "Persian",
            Lang::Other => "other",
        }
    }
}

/// The evidence found in one paragraph.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    pub arabic: u32,
    pub persian: u32,
    /// Letters of the Arabic script (either language).
    pub letters: u32,
}

// Function words are compared after folding, so a word that folds to a common word of the
// other language is left out: Persian به، هم، ما، این (Arabic أين)، اما، کرد (Arabic كرد "Kurds");
// Arabic من، على (Persian علی "Ali")، بعد، قبل، بين، حتى are everyday Persian too.
const PERSIAN_WORDS: &[&str] = &[
    "در",
    "از",
    "که",
    "را",
    "با",
    "است",
    "برای",
    "آن",
    "شد",
    "می",
    "های",
    "ها",
    "یک",
    "تا",
    "شده",
    "بود",
    "وی",
    "نیز",
    "اند",
    "کند",
    "شود",
    "خود",
    "او",
    "اینکه",
    "گفت",
    "داد",
    "دارد",
    "کشور",
    "همه",
    "باید",
    "نمی",
    "کرده",
    "میشود",
    "کنند",
    "آنها",
    "خواهد",
    "گزارش",
];

const ARABIC_WORDS: &[&str] = &[
    "في",
    "إلى",
    "الى",
    "التي",
    "الذي",
    "أن",
    "ان",
    "عن",
    "مع",
    "هذا",
    "هذه",
    "كان",
    "قد",
    "لم",
    "لا",
    "إن",
    "كما",
    "أو",
    "ذلك",
    "حيث",
    "خلال",
    "وقال",
    "قال",
    "الذين",
    "وفي",
    "عليه",
    "لها",
    "له",
    "هو",
    "هي",
    "وقد",
    "أيضا",
    "اليوم",
    "إلا",
    "منذ",
    "عند",
    "كانت",
    "يكون",
];

/// The folded function words of each language, sorted for binary search; a word in both lists
/// counts for neither.
fn word_sets() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static SETS: std::sync::OnceLock<(Vec<&'static str>, Vec<&'static str>)> =
        std::sync::OnceLock::new();
    SETS.get_or_init(|| {
        let leak = |w: &str| -> &'static str { Box::leak(fold(w).into_boxed_str()) };
        let fa: Vec<&'static str> = PERSIAN_WORDS.iter().map(|w| leak(w)).collect();
        let ar: Vec<&'static str> = ARABIC_WORDS.iter().map(|w| leak(w)).collect();
        let mut ar2: Vec<&'static str> = ar.iter().copied().filter(|w| !fa.contains(w)).collect();
        let mut fa2: Vec<&'static str> = fa.iter().copied().filter(|w| !ar.contains(w)).collect();
        ar2.sort_unstable();
        ar2.dedup();
        fa2.sort_unstable();
        fa2.dedup();
        (ar2, fa2)
    })
}

/// Is `c` a letter of the Arabic script (Arabic and Persian letters alike)?
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064a}' | '\u{066e}'..='\u{06d3}' | '\u{06d5}' | '\u{06fa}'..='\u{06fc}' | '\u{06ff}')
        && c != '\u{0640}'
}

/// Letters Persian uses and Arabic does not.
pub fn is_persian_only_letter(c: char) -> bool {
    matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ی' | 'ک')
}

/// Letters Arabic uses and Persian does not (ي and ك are typed in Persian too, so they count
/// only as weak evidence elsewhere).
pub fn is_arabic_only_letter(c: char) -> bool {
    matches!(c, 'ة' | 'ى' | 'ي' | 'ك')
}

/// Collects the evidence of one paragraph.
pub fn evidence(text: &str) -> Evidence {
    let (ar_words, fa_words) = word_sets();
    let mut ev = Evidence::default();
    for c in text.chars() {
        if is_arabic_letter(c) {
            ev.letters += 1;
        }
        // Strong letters: only the four Persian letters Arabic never types; ی and ک are the
        // very letters that leak into Arabic text, so they are not evidence of Persian.
        match c {
            'پ' | 'چ' | 'ژ' | 'گ' => ev.persian += 3,
            'ة' | 'ى' => ev.arabic += 3,
            _ => {}
        }
    }
    let mut f = String::with_capacity(32);
    for word in text.split(|c: char| !(is_arabic_letter(c) || c == '\u{200c}')) {
        if word.is_empty() {
            continue;
        }
        fold_into(word, &mut f);
        // Function words are short; longer words are only looked at for their affixes.
        if f.len() <= 12 && fa_words.binary_search(&f.as_str()).is_ok() {
            ev.persian += 2;
        } else if f.len() <= 12 && ar_words.binary_search(&f.as_str()).is_ok() {
            ev.arabic += 2;
        } else if f.starts_with("ال") && f.len() > 6 {
            ev.arabic += 1;
        } else if f.starts_with("مي\u{200c}")
            || f.ends_with("\u{200c}ها")
            || f.ends_with("\u{200c}هاي")
        {
            ev.persian += 2;
        }
    }
    ev
}

/// A small, fast hasher (FNV-1a) for short keys in hot loops, where SipHash dominates; not for
/// anything an attacker controls at scale.
#[derive(Default)]
pub(crate) struct Fnv(u64);

/// Hash maps and sets keyed by short strings or numbers in hot loops.
pub(crate) type FastHash = std::hash::BuildHasherDefault<Fnv>;

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A folded word of at most 12 bytes packed with its length into one integer: the function
/// word look-up compares integers, not strings.
fn pack(word: &[u8]) -> Option<u128> {
    if word.len() > 12 {
        return None;
    }
    let mut b = [0u8; 16];
    b[..word.len()].copy_from_slice(word);
    Some(u128::from_le_bytes(b) | ((word.len() as u128) << 120))
}

/// Bit of a packed word in [`FunctionWords::bloom`].
fn bloom_bit(key: u128) -> usize {
    let h = ((key as u64) ^ ((key >> 64) as u64)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> 54) as usize
}

/// The function words of both languages, packed and sorted, with a 1024-bit filter in front:
/// nearly every word of a paragraph is looked up, and nearly none is a function word, so most
/// look-ups end at one bit test.
struct FunctionWords {
    bloom: [u64; 16],
    /// `(packed word, is Persian)`, sorted by the packed word.
    words: Vec<(u128, bool)>,
}

impl FunctionWords {
    /// `Some(true)` for a Persian function word, `Some(false)` for an Arabic one.
    #[inline]
    fn lookup(&self, word: &[u8]) -> Option<bool> {
        let key = pack(word)?;
        let bit = bloom_bit(key);
        if self.bloom[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        self.words
            .binary_search_by(|(k, _)| k.cmp(&key))
            .ok()
            .map(|i| self.words[i].1)
    }
}

fn function_words() -> &'static FunctionWords {
    static F: std::sync::OnceLock<FunctionWords> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let (ar, fa) = word_sets();
        let mut words: Vec<(u128, bool)> = fa
            .iter()
            .map(|w| (w, true))
            .chain(ar.iter().map(|w| (w, false)))
            .filter_map(|(w, persian)| Some((pack(w.as_bytes())?, persian)))
            .collect();
        words.sort_unstable();
        let mut bloom = [0u64; 16];
        for &(k, _) in &words {
            let bit = bloom_bit(k);
            bloom[bit / 64] |= 1 << (bit % 64);
        }
        FunctionWords { bloom, words }
    })
}

/// Which bytes after a lead byte D8..DB make a letter of the Arabic script ([`is_arabic_letter`]
/// for U+0600..U+06FF as a table).
static ARABIC_LETTER2: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let cp = 0x0600 + i as u32;
        t[i] = matches!(cp, 0x0620..=0x064a | 0x066e..=0x06d3 | 0x06d5 | 0x06fa..=0x06fc | 0x06ff)
            && cp != 0x0640;
        i += 1;
    }
    t
};

/// [`ARABIC_LETTER2`] by a character's first two bytes (`b0 | b1 << 8`): one load per letter
/// in the word scan below, where testing the lead byte and assembling the index cost twice that.
static LETTER_PAIR: [bool; 0x10000] = {
    let mut t = [false; 0x10000];
    let mut i = 0;
    while i < 0x10000 {
        let (b0, b1) = (i & 0xff, i >> 8);
        t[i] = b0 >= 0xd8
            && b0 <= 0xdb
            && b1 & 0xc0 == 0x80
            && ARABIC_LETTER2[((b0 - 0xd8) << 6) | (b1 & 0x3f)];
        i += 1;
    }
    t
};

/// [`LETTER_PAIR`] with every continuation byte let through (its letter was judged at its first
/// byte): the byte-by-byte word scan of [`letter_run`].
static LETTER_PASS: [bool; 0x10000] = {
    let mut t = [false; 0x10000];
    let mut i = 0;
    while i < 0x10000 {
        t[i] = LETTER_PAIR[i] || (i & 0xc0) == 0x80;
        i += 1;
    }
    t
};

/// The next word of folded text `fb` from byte `i`: letters joined by ZWNJ, as (start, end,
/// letters, whether a ZWNJ is inside).
fn next_word(fb: &[u8], mut i: usize) -> Option<(usize, usize, u32, bool)> {
    let n = fb.len();
    while i < n && !(i + 1 < n && LETTER_PAIR[usize::from(fb[i]) | usize::from(fb[i + 1]) << 8]) {
        i += 1;
    }
    if i >= n {
        return None;
    }
    let start = i;
    let (end, mut letters) = letter_run(fb, i);
    i = end;
    let mut zwnj = false;
    while fb
        .get(i..)
        .is_some_and(|r| r.starts_with("\u{200c}".as_bytes()))
    {
        zwnj = true;
        let (end, more) = letter_run(fb, i + 3);
        letters += more;
        i = end;
    }
    Some((start, i, letters, zwnj))
}

/// The end of the run of letters starting at byte `i` of `fb` (a character boundary), and how
/// many letters it holds. Byte by byte, with no branch but the loop's: stepping two bytes a
/// letter made each step wait on the table load of the one before.
#[inline(never)]
fn letter_run(fb: &[u8], i: usize) -> (usize, u32) {
    let mut j = i;
    let mut letters = 0u32;
    while let (Some(&b0), Some(&b1)) = (fb.get(j), fb.get(j + 1)) {
        if !LETTER_PASS[usize::from(b0) | usize::from(b1) << 8] {
            break;
        }
        letters += u32::from(b0 & 0xc0 != 0x80);
        j += 1;
    }
    // The scan may stop inside the last letter (at the text's last byte).
    if fb.get(j).is_some_and(|&b| b & 0xc0 == 0x80) {
        j += 1;
    }
    (j, letters)
}

/// The evidence of one paragraph from its original text (for the letters folding erases, ة and
/// ى) and its folded text (for words), scanning bytes: for `khabar mentions`, which asks for the
/// language of a few lines only and splits no words. `khabar check` gets the same evidence from
/// its word scan ([`WordEvidence`], [`paragraph_evidence`]), and a property test holds the two
/// equal.
pub fn evidence_folded(orig: &str, folded: &str) -> Evidence {
    let fw = function_words();
    let mut ev = letter_evidence(orig);
    let fb = folded.as_bytes();
    let mut i = 0;
    while let Some((start, end, letters, zwnj)) = next_word(fb, i) {
        i = end;
        ev.letters += letters;
        let word = &folded[start..end];
        match fw.lookup(word.as_bytes()) {
            Some(true) => ev.persian += 2,
            Some(false) => ev.arabic += 2,
            None if word.len() > 6 && word.starts_with("ال") => ev.arabic += 1,
            None if zwnj
                && (word.starts_with("مي\u{200c}")
                    || word.ends_with("\u{200c}ها")
                    || word.ends_with("\u{200c}هاي")) =>
            {
                ev.persian += 2
            }
            None => {}
        }
    }
    ev
}

/// The evidence of a paragraph's strong letters, in its original text: the four Persian
/// letters Arabic never writes, and ة and ى, which folding erases. Only the words remain to be
/// counted ([`evidence_folded`], [`WordEvidence`]).
pub fn letter_evidence(orig: &str) -> Evidence {
    let ob = orig.as_bytes();
    let mut arabic = 0;
    // ة (D8 A9) and ى (D9 89), found by their second bytes: A9 and 89 continue few other
    // letters, while D8 and D9 (what memmem would look for) start most of them.
    for i in memchr::memchr2_iter(0xa9, 0x89, ob) {
        if i > 0 && matches!((ob[i - 1], ob[i]), (0xd8, 0xa9) | (0xd9, 0x89)) {
            arabic += 3;
        }
    }
    Evidence {
        arabic,
        persian: persian_letters(orig),
        letters: 0,
    }
}

/// The evidence of Persian in a paragraph's letters (پ چ ژ گ, which folding keeps), as
/// [`letter_evidence`] counts it.
fn persian_letters(text: &str) -> u32 {
    let b = text.as_bytes();
    // پ DA BE, چ DA 86, ژ DA 98, گ DA AF: the lead byte DA is rare in Arabic text.
    let n = memchr::memchr_iter(0xda, b)
        .filter(|&i| matches!(b.get(i + 1), Some(0xbe | 0x86 | 0x98 | 0xaf)))
        .count();
    3 * n as u32
}

/// The evidence of Arabic in `n` letters ة or ى, as [`letter_evidence`] counts it: for a
/// paragraph whose count [`Normalized::erased`] gives.
fn erased_letters(n: usize) -> u32 {
    3 * n as u32
}

/// One function word of [`FunctionHashes`]: its bytes as two numbers (zero after its length),
/// its length, and what it adds to the evidence of Arabic and of Persian.
#[derive(Clone, Copy)]
struct HashSlot {
    bytes: (u64, u64),
    len: usize,
    counts: (u32, u32),
}

/// The entry of the slots no function word is sent to: no word has its length.
const NO_WORD: HashSlot = HashSlot {
    bytes: (0, 0),
    len: usize::MAX,
    counts: (0, 0),
};

/// The function words of both languages, by a key made of their first eight bytes and their
/// length ([`slot_key`]), which a word has as soon as its bytes are read: a look-up by the hash
/// [`FoldedWords`](super::words::FoldedWords) makes of every word had to wait for it. The keys
/// are sent to slots of `index` by a multiplier chosen so that no two function words share one,
/// so a word is told by one slot and one entry, with no branch: about a word in three is a
/// function word, and the branches of a filter and a probed table went either way from one word
/// to the next.
struct FunctionHashes {
    /// The multiplier whose product with a key has the key's slot in its top bits.
    seed: u64,
    /// The entry in `words` of each slot's function word (0: none).
    index: [u8; 1 << SLOT_BITS],
    /// [`NO_WORD`], then the function words, then [`NO_WORD`]s: arrays, so that a look-up
    /// checks no bounds and loads no length.
    words: [HashSlot; MAX_WORDS],
}

/// A thousand slots for the seventy-odd function words: a multiplier in ten or so sends no
/// two to one slot.
const SLOT_BITS: u32 = 10;
const MAX_WORDS: usize = 128;

/// The key of a word of `n` bytes whose first eight are `lo` (zero after the word): two words
/// with those eight bytes in common differ in length.
#[inline(always)]
fn slot_key(lo: u64, n: usize) -> u64 {
    lo ^ (n as u64) << 56
}

/// The masks that keep the first `n` bytes of 16 read as two numbers (all 16 from `n` = 16 on).
fn keep(n: usize) -> (u64, u64) {
    let mask = |m: usize| u64::MAX.checked_shr(64 - 8 * m.min(8) as u32).unwrap_or(0);
    (mask(n), mask(n.saturating_sub(8)))
}

/// `w` as two numbers, with the masks `keep` applied: masked loads, where the slice comparison
/// called `bcmp` for a dozen bytes and comparing by length branched.
#[inline(always)]
fn low_bytes(w: &[u8; 16], keep: (u64, u64)) -> (u64, u64) {
    let (a, b) = w.split_at(8);
    let a = u64::from_le_bytes(a.try_into().unwrap_or_default());
    let b = u64::from_le_bytes(b.try_into().unwrap_or_default());
    (a & keep.0, b & keep.1)
}

impl FunctionHashes {
    /// The entry of the function word of [`slot_key`] `key`, if there is one.
    #[inline(always)]
    fn entry(&self, key: u64) -> &HashSlot {
        let slot = (key.wrapping_mul(self.seed) >> (64 - SLOT_BITS)) as usize;
        &self.words[usize::from(self.index[slot]) % MAX_WORDS]
    }

    /// Whether the word of `n` bytes that starts `w` (all of it when `n` is at most 16) is a
    /// function word, and what the entry found adds to the evidence of Arabic and of Persian.
    #[inline(always)]
    fn find(&self, w: &[u8; 16], n: usize) -> (bool, (u32, u32)) {
        let (lo, hi) = low_bytes(w, keep(n));
        let e = self.entry(slot_key(lo, n));
        let hit = (e.len == n) & ((lo, hi) == e.bytes);
        (hit, e.counts)
    }

    /// `Some(true)` for a Persian function word, `Some(false)` for an Arabic one.
    #[cfg(test)]
    fn lookup(&self, word: &[u8]) -> Option<bool> {
        let (w, _) = first16(word, 0);
        let (hit, (_, persian)) = self.find(&w, word.len());
        hit.then_some(persian > 0)
    }

    /// The table of `words` whose slots are the top bits of their keys times `seed`, if no two
    /// words share a slot (and there are not too many).
    fn build(words: &[HashSlot], seed: u64) -> Option<Box<FunctionHashes>> {
        let mut t = Box::new(FunctionHashes {
            seed,
            index: [0; 1 << SLOT_BITS],
            words: [NO_WORD; MAX_WORDS],
        });
        for (i, w) in words.iter().enumerate() {
            let key = slot_key(w.bytes.0, w.len);
            let slot = (key.wrapping_mul(seed) >> (64 - SLOT_BITS)) as usize;
            let s = t.index.get_mut(slot).filter(|s| **s == 0)?;
            *s = u8::try_from(i + 1).ok()?;
            *t.words.get_mut(i + 1)? = *w;
        }
        Some(t)
    }
}

/// The 16 bytes of `t` from `start` (zero past its end), and how many of them are in `t`.
#[inline(always)]
fn first16(t: &[u8], start: usize) -> ([u8; 16], usize) {
    match t.get(start..start + 16) {
        Some(s) => (s.try_into().unwrap_or_default(), 16),
        None => {
            let mut w = [0u8; 16];
            let s = t.get(start..).unwrap_or_default();
            w[..s.len()].copy_from_slice(s);
            (w, s.len())
        }
    }
}

fn function_hashes() -> &'static FunctionHashes {
    static F: std::sync::OnceLock<Box<FunctionHashes>> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let (ar, fa) = word_sets();
        let words: Vec<HashSlot> = fa
            .iter()
            .map(|w| (w, (0, 2)))
            .chain(ar.iter().map(|w| (w, (2, 0))))
            .filter_map(|(w, counts)| {
                let mut bytes = [0u8; 16];
                // No function word is longer (a test holds them to it).
                bytes.get_mut(..w.len())?.copy_from_slice(w.as_bytes());
                Some(HashSlot {
                    bytes: low_bytes(&bytes, keep(16)),
                    len: w.len(),
                    counts,
                })
            })
            .collect();
        // A test holds that a multiplier is found: the empty table left otherwise would find no
        // function word.
        (0..4096u64)
            .find_map(|k| FunctionHashes::build(&words, (2 * k + 1).wrapping_mul(K_SEED)))
            .unwrap_or_else(|| {
                Box::new(FunctionHashes {
                    seed: 0,
                    index: [0; 1 << SLOT_BITS],
                    words: [NO_WORD; MAX_WORDS],
                })
            })
    })
}

/// The first multiplier [`function_hashes`] tries (odd multiples of it follow).
const K_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Where nothing is: no word ends there.
const NOWHERE: usize = usize::MAX;

/// A word of the language evidence that holds a ZWNJ, being read by [`WordEvidence`]: letter
/// runs joined by ZWNJs, as byte offsets in the folded text.
#[derive(Clone, Copy, Debug)]
struct Joined {
    /// [`NOWHERE`] when no such word is being read.
    start: usize,
    /// The end of its first letter run.
    first_end: usize,
    /// The start of its last letter run.
    last_start: usize,
    end: usize,
}

/// The word evidence of each line ([`evidence_folded`] but for [`letter_evidence`]), worked out
/// from the letter runs [`FoldedWords::scan`](super::words::FoldedWords::scan) reports rather
/// than by a second scan of the folded text.
///
/// A word of the evidence is a run of letters and the ZWNJs and runs that follow it at once;
/// the scan's words end at a ZWNJ, so this joins them back. A run is counted as a word of its
/// own as soon as it comes (the common case, one look-up of the hash the scan has made); if a
/// ZWNJ follows it at once, what it added is taken back and it starts a joined word instead,
/// counted when that ends.
pub struct WordEvidence {
    fw: &'static FunctionHashes,
    ev: Evidence,
    /// The last run counted alone: its start and end, and what it added.
    alone: (usize, usize, u32, u32),
    joined: Joined,
    /// The end of the joined word when it ends in a ZWNJ, where a run would continue it.
    open: usize,
    lines: Vec<Evidence>,
}

impl Default for WordEvidence {
    fn default() -> Self {
        WordEvidence {
            fw: function_hashes(),
            ev: Evidence::default(),
            alone: (NOWHERE, NOWHERE, 0, 0),
            joined: Joined {
                start: NOWHERE,
                first_end: 0,
                last_start: 0,
                end: NOWHERE,
            },
            open: NOWHERE,
            lines: Vec::new(),
        }
    }
}

/// Whether a folded word starts with the article ال and is longer than it and a letter more
/// (a weak sign of Arabic).
#[inline]
fn has_article(word: &[u8]) -> bool {
    word.len() > 6 && word.starts_with("ال".as_bytes())
}

impl WordEvidence {
    /// The word evidence of each line, in order.
    pub fn lines(&self) -> &[Evidence] {
        &self.lines
    }

    /// Counts the joined word being read, which has ended.
    #[cold]
    fn end_joined(&mut self, t: &[u8]) {
        let w = self.joined;
        self.joined.start = NOWHERE;
        let word = t.get(w.start..w.end).unwrap_or_default();
        // No function word holds a ZWNJ.
        let first = t.get(w.start..w.first_end).unwrap_or_default();
        let last = t.get(w.last_start..w.end).unwrap_or_default();
        let ends_in_zwnj = self.open != NOWHERE;
        self.open = NOWHERE;
        if has_article(word) {
            self.ev.arabic += 1;
        } else if first == "مي".as_bytes()
            || (!ends_in_zwnj && (last == "ها".as_bytes() || last == "هاي".as_bytes()))
        {
            self.ev.persian += 2;
        }
    }
}

impl LetterRuns for WordEvidence {
    #[inline(always)]
    fn run(&mut self, t: &[u8], start: usize, end: usize, _: u64) {
        self.ev.letters += ((end - start) / 2) as u32;
        if self.open == start {
            self.joined.last_start = start;
            self.joined.end = end;
            self.open = NOWHERE;
            return;
        }
        if self.joined.start != NOWHERE {
            self.end_joined(t);
        }
        // Counted without a branch: whether a word is a function word, or has the article, goes
        // either way from one word to the next.
        let (w, _) = first16(t, start);
        let n = end - start;
        let (hit, (arabic, persian)) = self.fw.find(&w, n);
        let article = (n > 6) & (w[..4] == *"ال".as_bytes());
        let m = u32::from(hit).wrapping_neg();
        let (arabic, persian) = ((arabic & m) | (u32::from(article) & !m), persian & m);
        self.ev.arabic += arabic;
        self.ev.persian += persian;
        self.alone = (start, end, arabic, persian);
    }

    #[inline(always)]
    fn zwnj(&mut self, at: usize) {
        if self.joined.start != NOWHERE && self.joined.end == at {
            self.joined.end = at + 3;
            self.open = at + 3;
        } else if self.alone.1 == at {
            let (start, end, arabic, persian) = self.alone;
            self.ev.arabic = self.ev.arabic.saturating_sub(arabic);
            self.ev.persian = self.ev.persian.saturating_sub(persian);
            self.alone.1 = NOWHERE;
            self.joined = Joined {
                start,
                first_end: end,
                last_start: start,
                end: at + 3,
            };
            self.open = at + 3;
        }
    }

    fn line_end(&mut self, t: &[u8]) {
        if self.joined.start != NOWHERE {
            self.end_joined(t);
        }
        self.alone.1 = NOWHERE;
        self.lines.push(std::mem::take(&mut self.ev));
    }
}

/// The evidence of each paragraph of an article, [`evidence_folded`] of each original line and
/// its folded form, from what folding and the word scan found: the ة and ى that `norm` erased,
/// the words `word_ev` heard of from the scan that made `words`, and the Persian letters of
/// each line.
pub fn paragraph_evidence<'t>(
    lines: impl Iterator<Item = &'t str>,
    norm: &Normalized,
    words: &FoldedWords,
    word_ev: &WordEvidence,
) -> Vec<Evidence> {
    // Folded lines correspond one to one with original lines (CRLF folds to one break).
    let mut word_evs = word_ev.lines().iter();
    let mut erased = norm.erased();
    lines
        .enumerate()
        .map(|(i, text)| {
            // The ة and ى of this line: those before the end of its folded form.
            let end = words.line_range(i).map_or(usize::MAX, |(_, e)| e);
            let n = erased.partition_point(|&b| (b as usize) < end);
            erased = erased.get(n..).unwrap_or_default();
            let letters = Evidence {
                arabic: erased_letters(n),
                persian: persian_letters(text),
                letters: 0,
            };
            letters + word_evs.next().copied().unwrap_or_default()
        })
        .collect()
}

impl std::ops::Add for Evidence {
    type Output = Evidence;
    fn add(self, o: Evidence) -> Evidence {
        Evidence {
            arabic: self.arabic + o.arabic,
            persian: self.persian + o.persian,
            letters: self.letters + o.letters,
        }
    }
}

impl Evidence {
    /// The language this evidence alone settles, if any.
    pub fn decide(self) -> Option<Lang> {
        if self.letters < 2 {
            return Some(Lang::Other);
        }
        if self.arabic > self.persian {
            Some(Lang::Arabic)
        } else if self.persian > self.arabic {
            Some(Lang::Persian)
        } else {
            None
        }
    }
}

/// The language of each paragraph (one entry per item of `paragraphs`): evidence first, then the
/// article's majority, then `hint`, then Arabic.
pub fn detect<'a>(paragraphs: impl IntoIterator<Item = &'a str>, hint: Option<Lang>) -> Vec<Lang> {
    decide_all(paragraphs.into_iter().map(evidence).collect(), hint)
}

/// Settles every paragraph's language from its evidence: its own, then the article's majority,
/// then `hint`, then Arabic.
pub fn decide_all(evs: Vec<Evidence>, hint: Option<Lang>) -> Vec<Lang> {
    let (mut ar, mut fa) = (0u32, 0u32);
    for ev in &evs {
        ar += ev.arabic;
        fa += ev.persian;
    }
    let majority = if ar > fa {
        Some(Lang::Arabic)
    } else if fa > ar {
        Some(Lang::Persian)
    } else {
        None
    };
    let fallback = majority.or(hint).unwrap_or(Lang::Arabic);
    evs.into_iter()
        .map(|ev| ev.decide().unwrap_or(fallback))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(t: &str) -> Lang {
        detect([t], None)[0]
    }

    #[test]
    fn arabic_and_persian() {
        assert_eq!(
            one("قال الرئيس في مؤتمر صحفي إن المباحثات كانت مثمرة"),
            Lang::Arabic
        );
        assert_eq!(
            one("وزیر دفاع روسیه در این دیدار گفت که همکاری ادامه دارد"),
            Lang::Persian
        );
        assert_eq!(one("newsQrCode"), Lang::Other);
    }

    #[test]
    fn arabic_with_persian_letters_is_arabic() {
        assert_eq!(
            one("تجربة مقر العملیات المشترکة بین دمشق وطهران یمکن تعمیمها على سائر المناطق"),
            Lang::Arabic
        );
    }

    #[test]
    fn persian_with_arabic_letters_is_persian() {
        assert_eq!(
            one("وزير دفاع روسيه در اين ديدار گفت كه همكاري ادامه دارد"),
            Lang::Persian
        );
        assert_eq!(
            one("اين كشور در سال گذشته با مشكلات زيادي روبرو بود"),
            Lang::Persian
        );
    }

    #[test]
    fn undecided_takes_majority() {
        let langs = detect(
            ["کد خبر: ۹۱۲۰۹۰", "وزیر دفاع روسیه در این دیدار گفت که"],
            None,
        );
        assert_eq!(langs, vec![Lang::Persian, Lang::Persian]);
    }

    /// The word scan `letter_run` replaced, two bytes a letter: (word spans, letters, zwnj).
    fn scan_reference(folded: &str) -> Vec<(usize, usize, u32, bool)> {
        let fb = folded.as_bytes();
        let n = fb.len();
        let letter_at =
            |i: usize| i + 1 < n && LETTER_PAIR[usize::from(fb[i]) | usize::from(fb[i + 1]) << 8];
        let mut out = Vec::new();
        let mut i = 0;
        while i < n {
            if !letter_at(i) {
                i += 1;
                continue;
            }
            let start = i;
            let (mut letters, mut zwnj) = (0, false);
            loop {
                if i < n && letter_at(i) {
                    letters += 1;
                    i += 2;
                } else if fb[i..].starts_with("\u{200c}".as_bytes()) {
                    zwnj = true;
                    i += 3;
                } else {
                    break;
                }
            }
            out.push((start, i, letters, zwnj));
        }
        out
    }

    fn scan_now(folded: &str) -> Vec<(usize, usize, u32, bool)> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(w) = next_word(folded.as_bytes(), i) {
            i = w.1;
            out.push(w);
        }
        out
    }

    #[test]
    fn function_words_fit_the_hash_table() {
        // `WordEvidence` finds words without a ZWNJ only, and compares at most 16 bytes.
        let (ar, fa) = word_sets();
        for w in ar.iter().chain(fa) {
            assert!(!w.contains('\u{200c}') && w.len() <= 16, "{w}");
            let t = w.as_bytes();
            let fw = function_hashes();
            assert_eq!(fw.lookup(t), Some(fa.contains(w)), "{w}");
        }
    }

    #[test]
    fn short_comparison_sees_every_byte() {
        let a = b"abcdefghijklmnop";
        for n in 0..=16 {
            for i in 0..n {
                let mut b = *a;
                b[i] ^= 1;
                assert!(low_bytes(a, keep(n)) != low_bytes(&b, keep(n)), "{n} {i}");
            }
            assert!(low_bytes(a, keep(n)) == low_bytes(a, keep(n)));
            for i in n..16 {
                let mut b = *a;
                b[i] ^= 1;
                assert!(low_bytes(a, keep(n)) == low_bytes(&b, keep(n)), "{n} {i}");
            }
        }
    }

    /// The evidence of each line of `t` as [`Prepared`](crate::analysis::Prepared) works it
    /// out, and as [`evidence_folded`] does.
    fn both_ways(t: &str) -> (Vec<Evidence>, Vec<Evidence>) {
        let norm = crate::analysis::normalize::normalize(t);
        let mut word_ev = WordEvidence::default();
        let words = FoldedWords::scan(&norm.text, &mut word_ev);
        let lines: Vec<&str> = crate::analysis::text::lines(t).map(|l| l.text).collect();
        let got = paragraph_evidence(lines.iter().copied(), &norm, &words, &word_ev);
        let want = lines
            .iter()
            .zip(norm.text.split('\n'))
            .map(|(l, f)| evidence_folded(l, f))
            .collect();
        (got, want)
    }

    #[test]
    fn word_evidence_examples() {
        for t in [
            "می\u{200c}شود کتاب\u{200c}ها کتاب\u{200c}های ال\u{200c} مي\u{200c}\u{200c}",
            "2024م في الاقتصاد ة ى\r\nاین\u{200c}\rگزارش",
            "a\u{200c}مي\u{200c}b ها\u{200c}ها x\u{200c}ها",
        ] {
            let (got, want) = both_ways(t);
            assert_eq!(got, want, "{t:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// The evidence from the shared word scan is the evidence of the scan of its own.
        #[test]
        fn word_evidence_agrees_with_its_own_scan(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "ا", "ل", "ال", "الاقتصادية", "في", "فی", "الى", "إلى", "هذه", "كانت", "است",
                "در", "که", "كه", "می", "مي", "ها", "هاي", "های", "شود", "میشود", "گزارش",
                "كشور", "ة", "ى", "پ", "چ", "ژ", "گ", "ک", "ی", "ۀ", "ە", "ے", "\u{0620}",
                "\u{063b}", "\u{066e}", "\u{06fa}", "\u{06ff}", "\u{0656}", "\u{0670}",
                "\u{064e}", "\u{0654}", "ـ", "\u{200c}", "\u{200c}\u{200c}", "\u{200d}",
                "\u{200f}", " ", "  ", "\u{a0}", "\t", "\r", "\n", "\r\n", "«", "»", "،",
                ".", "a", "Z", "1", "٣", "۴", "𝒜", "中", "é", "2024م", "م2024",
            ]),
            0..60,
        )) {
            let t: String = parts.concat();
            let (got, want) = both_ways(&t);
            proptest::prop_assert_eq!(got, want);
        }
    }

    proptest::proptest! {
        #[test]
        fn letter_runs_agree_with_the_two_byte_scan(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "ا", "ل", "ی", "پ", "ـ", "\u{200c}", " ", "«", "a", "1", "٣", "𝒜", "\n", "ۀ", "ء",
            ]),
            0..60,
        )) {
            let t: String = parts.concat();
            proptest::prop_assert_eq!(scan_now(&t), scan_reference(&t));
        }
    }
}
