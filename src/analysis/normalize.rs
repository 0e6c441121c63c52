//! Folding for matching, with a map back to the original offsets.
//!
//! Scraped Arabic and Persian text spells one name many ways: أ/ا, ي/ی/ى, ك/ک, ة/ه, with or
//! without tashkeel, with decomposed hamza (ا + U+0654), with NBSP or doubled spaces between
//! words. Matching compares folded text; every match must still land on the original span, so the
//! fold keeps a map. The map is sparse (an anchor wherever a character was dropped or merged,
//! and one every [`ANCHOR_BYTES`] bytes or so to bound the scan), so a normalised article costs a
//! few percent of its size rather than a table entry per character.
//!
//! The folded text is never shown or stored: it exists for the duration of one analysis.

/// How many folded bytes may pass without an anchor (plus at most one stretch of
/// [`RUN_BYTES`]): what [`Normalized::to_orig`] may have to count through.
const ANCHOR_BYTES: usize = 192;

/// The longest stretch of unchanged characters copied at once.
const RUN_BYTES: usize = 256;

#[cfg(target_arch = "x86_64")]
mod blocks;

pub const ZWNJ: char = '\u{200c}';

/// A folded text and the map from its byte offsets to code-point offsets of the original.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    /// The folded text. Line breaks are kept as `\n` (one per original break character).
    pub text: String,
    /// `(folded byte offset, original code-point offset)` where the two stop advancing together.
    anchors: Vec<(u32, u32)>,
    /// Original code-point offset of the end of the input.
    orig_end: usize,
    /// The folded byte offsets of the ه and ي that were ة and ى, in order: letters only Arabic
    /// writes, counted for the paragraph languages ([`Normalized::erased`]).
    erased: Vec<u32>,
}

/// What one original character becomes.
enum Fold {
    Keep(char),
    Drop,
    Space,
}

#[inline(always)]
fn fold_char(c: char) -> Fold {
    // Most characters of a text are kept as they are: answer those before the big match.
    if matches!(c, 'a'..='z' | '0'..='9' | '\u{0621}'..='\u{0622}' | '\u{0624}' | '\u{0626}'..='\u{0628}' | '\u{062a}'..='\u{063a}' | '\u{0641}'..='\u{0642}' | '\u{0644}'..='\u{0648}' | '\u{064a}')
        && c != 'آ'
    {
        return Fold::Keep(c);
    }
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | '\u{0672}' | '\u{0673}' => Fold::Keep('ا'),
        'ی' | 'ى' | 'ې' => Fold::Keep('ي'),
        'ک' => Fold::Keep('ك'),
        'ة' | 'ۀ' | 'ە' | 'ھ' => Fold::Keep('ه'),
        '\u{064b}'..='\u{0655}' | '\u{0670}' | '\u{0640}' => Fold::Drop,
        '٠'..='٩' => Fold::Keep(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        '۰'..='۹' => Fold::Keep(char::from(b'0' + (c as u32 - 0x06f0) as u8)),
        // Invisible marks that scrapers leave inside words.
        '\u{200d}' | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{00ad}' | '\u{feff}' => Fold::Drop,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Fold::Drop,
        '\r' | '\n' => Fold::Keep('\n'),
        ' ' | '\t' | '\u{a0}' | '\u{2000}'..='\u{200b}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => {
            Fold::Space
        }
        'A'..='Z' => Fold::Keep(c.to_ascii_lowercase()),
        _ => Fold::Keep(c),
    }
}

/// Composes a base letter with a following combining hamza or madda (NFC for the cases scraped
/// Arabic text has), then folds the result.
fn compose(base: char, mark: char) -> Option<char> {
    match (base, mark) {
        ('ا', '\u{0653}' | '\u{0654}' | '\u{0655}') => Some('ا'),
        ('و', '\u{0654}') => Some('ؤ'),
        ('ي' | 'ی', '\u{0654}') => Some('ئ'),
        ('ه' | 'ە', '\u{0654}') => Some('ه'),
        _ => None,
    }
}

/// Folds one string the way the matcher does, without a map: for aliases and word lists.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_string()
    }
}

/// Is `c` kept exactly as it is (and not a space)? The common case, answered before
/// [`fold_char`]'s full match so that unchanged stretches are copied in bulk.
const fn identity_slow(c: u32) -> bool {
    matches!(c,
        0x0a | 0x61..=0x7a | 0x30..=0x39 | 0x21..=0x2f | 0x3a..=0x40 | 0x5b..=0x60 | 0x7b..=0x7e
        | 0x0621 | 0x0624 | 0x0626..=0x0628 | 0x062a..=0x063a
        | 0x0641..=0x0648 | 0x064a
        | 0x060c | 0x061b | 0x061f | 0x066a..=0x066d | 0x067e | 0x0686
        | 0x0698 | 0x06af | 0x00ab | 0x00bb | 0x200c)
}

/// [`identity_slow`] for U+0000..U+07FF as a table: one load per character in the hot loop.
static IDENTITY: [bool; 0x800] = {
    let mut t = [false; 0x800];
    let mut i = 0;
    while i < 0x800 {
        t[i] = identity_slow(i as u32);
        i += 1;
    }
    t
};

#[inline(always)]
fn is_identity(c: char) -> bool {
    let u = c as u32;
    if u < 0x800 {
        IDENTITY[u as usize]
    } else {
        u == 0x200c
    }
}

/// [`IDENTITY`] by a byte and the next, for the stretch scan: nonzero when the character
/// starting with byte `b0` folds to itself (its length, 1 or 2), or when `b0` is a continuation
/// byte (1: its character was judged at its first byte). A space counts only when `b1` is not a
/// space too, since a run of spaces folds to one. One load per byte, where decoding the code
/// point first cost three times the instructions.
static PAIR: [u8; 0x10000] = {
    let mut t = [0u8; 0x10000];
    let mut i = 0;
    while i < 0x10000 {
        let (b0, b1) = ((i & 0xff) as u8, (i >> 8) as u8);
        t[i] = if b0 == b' ' {
            if b1 == b' ' {
                0
            } else {
                1
            }
        } else if b0 < 0x80 {
            IDENTITY[b0 as usize] as u8
        } else if b0 & 0xc0 == 0x80 {
            // A continuation byte: its character was judged by its first byte.
            1
        } else if b0 >= 0xc2 && b0 < 0xe0 && b1 & 0xc0 == 0x80 {
            let cp = ((b0 as usize & 0x1f) << 6) | (b1 as usize & 0x3f);
            2 * IDENTITY[cp] as u8
        } else {
            0
        };
        i += 1;
    }
    t
};

/// How far from byte `p` the bytes of `window` (but its last) pass [`PAIR`]: the scan of
/// [`identity_run`], kept out of line so that its few values stay in registers. No branch but
/// the loop's: a continuation byte passes by the table, not by a test that would alternate with
/// every letter. Each step loads its two bytes at once and counts nothing: the code points are
/// counted where an anchor needs them ([`CharCounter`]), eight bytes at a time.
#[inline(never)]
fn stretch(window: &[u8], p: usize) -> usize {
    let Some(rest) = window.get(p..) else {
        return p;
    };
    // Written so that the two bytes are one load and the loop checks one bound.
    let passed = rest.windows(2).position(|w| {
        let pair: [u8; 2] = w.try_into().unwrap_or_default();
        PAIR[usize::from(u16::from_le_bytes(pair))] == 0
    });
    p + passed.unwrap_or(rest.len().saturating_sub(1))
}

/// The stretch of characters from byte `p` that fold to themselves, ending at or just past
/// `limit` (at most `bytes.len()`): its end. `last_space` says
/// whether what is folded so far ends in a space, which drops a space at `p`. A character that
/// a following combining mark composes with is left out.
#[inline(always)]
fn identity_run(bytes: &[u8], p: usize, limit: usize, last_space: bool) -> usize {
    let n = bytes.len();
    if last_space && bytes.get(p) == Some(&b' ') {
        return p;
    }
    // Byte by byte rather than character by character: a continuation byte passes, a byte that
    // starts a character must start an unchanged one (in valid UTF-8 every other byte starts
    // one). Stepping by each character's length made every step wait for the table load of
    // the one before; testing every byte has no such chain.
    let end = limit.min(n.saturating_sub(1));
    let mut q = stretch(bytes.get(..end + 1).unwrap_or_default(), p);
    // The loop stops at `end`, which may be inside the last character it let through.
    if bytes.get(q).is_some_and(|&b| b & 0xc0 == 0x80) {
        q += 1;
    }
    // The last byte of the text has no pair.
    if q < limit && q + 1 == n && (bytes[q] == b' ' || IDENTITY[usize::from(bytes[q])]) {
        q += 1;
    }
    // A combining hamza or madda right after the stretch composes with its last letter
    // (ا + U+0654): that letter is handled with its mark.
    if q > p + 1
        && bytes.get(q) == Some(&0xd9)
        && matches!(bytes.get(q + 1), Some(0x93..=0x95))
        && (0xc2..0xe0).contains(&bytes[q - 2])
    {
        let base =
            char::from_u32((u32::from(bytes[q - 2] & 0x1f) << 6) | u32::from(bytes[q - 1] & 0x3f));
        let mark =
            char::from_u32((u32::from(bytes[q] & 0x1f) << 6) | u32::from(bytes[q + 1] & 0x3f));
        if let (Some(base), Some(mark)) = (base, mark) {
            if compose(base, mark).is_some() {
                q -= 2;
            }
        }
    }
    q
}

/// Characters below U+0800 that fold to exactly one other character (ة → ه, أ → ا, ی → ي,
/// ک → ك, digits, capitals), as that character's code point (0: none). They need no anchor
/// and no general [`fold_char`] dispatch; `subst_table_agrees_with_fold_char` checks the table.
static SUBST: [u16; 0x800] = {
    let mut t = [0u16; 0x800];
    let mut c = b'A';
    while c <= b'Z' {
        t[c as usize] = (c + 32) as u16;
        c += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[0x0660 + d] = 0x30 + d as u16;
        t[0x06f0 + d] = 0x30 + d as u16;
        d += 1;
    }
    t[0x0622] = 0x0627; // آ
    t[0x0623] = 0x0627; // أ
    t[0x0625] = 0x0627; // إ
    t[0x0671] = 0x0627; // ٱ
    t[0x0672] = 0x0627;
    t[0x0673] = 0x0627;
    t[0x06cc] = 0x064a; // ی
    t[0x0649] = 0x064a; // ى
    t[0x06d0] = 0x064a; // ې
    t[0x06a9] = 0x0643; // ک
    t[0x0629] = 0x0647; // ة
    t[0x06c0] = 0x0647; // ۀ
    t[0x06d5] = 0x0647; // ە
    t[0x06be] = 0x0647; // ھ
    t
};

/// The one-character fold of the character at byte `p`, with its length, when it is in
/// [`SUBST`] and no combining mark follows that could compose with the result.
#[inline(always)]
fn subst_at(bytes: &[u8], p: usize) -> Option<(char, usize)> {
    let b = bytes[p];
    let (cp, len) = if b < 0x80 {
        (usize::from(b), 1)
    } else if (0xc2..0xe0).contains(&b) && p + 1 < bytes.len() {
        (
            (usize::from(b & 0x1f) << 6) | usize::from(bytes[p + 1] & 0x3f),
            2,
        )
    } else {
        return None;
    };
    let r = SUBST[cp];
    if r == 0
        || (bytes.get(p + len) == Some(&0xd9)
            && matches!(bytes.get(p + len + 1), Some(0x93..=0x95)))
    {
        return None;
    }
    char::from_u32(u32::from(r)).map(|k| (k, len))
}

/// Decodes the character at byte `p` of `text` (a char boundary), with its length.
#[inline(always)]
fn char_at(text: &str, bytes: &[u8], p: usize) -> (char, usize) {
    let b0 = bytes[p];
    if b0 < 0x80 {
        return (b0 as char, 1);
    }
    if b0 & 0xe0 == 0xc0 {
        if let Some(&b1) = bytes.get(p + 1) {
            let cp = (u32::from(b0 & 0x1f) << 6) | u32::from(b1 & 0x3f);
            if let Some(c) = char::from_u32(cp) {
                return (c, 2);
            }
        }
    }
    let c = text[p..].chars().next().unwrap_or('\u{fffd}');
    (c, c.len_utf8())
}

/// Code-point offsets of a text by byte offset, counted forward from the last one asked for:
/// [`normalize`] needs them only where it sets an anchor, so the bytes between are counted in
/// bulk, eight at a time, instead of one by one in the scan.
struct CharCounter<'t> {
    bytes: &'t [u8],
    byte: usize,
    chars: usize,
}

impl CharCounter<'_> {
    /// The code-point offset of byte `p` (a character boundary at or after the last one asked).
    #[inline]
    fn at(&mut self, p: usize) -> usize {
        self.chars += super::text::count_chars(self.bytes.get(self.byte..p).unwrap_or_default());
        self.byte = p;
        self.chars
    }
}

/// Folds `text`, keeping a map back to code-point offsets of `text`.
///
/// A CRLF pair folds to one `\n` so that folded lines and original lines correspond one to one.
/// Most of a text folds to itself or letter for letter (ة → ه, أ → ا, ى → ي: same length, so
/// no anchor): on x86-64 sixteen bytes at a time are classified and folded with SSE2
/// ([`blocks`]); elsewhere, and at the end of a text, stretches are found by a byte scan and
/// copied in bulk. Everything else goes through [`fold_char`] one character at a time.
pub fn normalize(text: &str) -> Normalized {
    let width = if cfg!(target_arch = "x86_64") {
        Width::Avx2
    } else {
        Width::Bytes
    };
    normalize_with(text, width)
}

/// How many bytes at a time [`normalize`] may fold (the tests run each).
#[derive(Clone, Copy, Debug)]
enum Width {
    /// The byte scan alone (what other processors run).
    Bytes,
    /// Blocks of 16 bytes with SSE2 (what x86-64 processors without AVX2 run: the tests run it
    /// on every one).
    #[cfg_attr(not(test), allow(dead_code))]
    Sse2,
    /// Blocks of 32 with AVX2 where the processor has it, else of 16.
    Avx2,
}

fn normalize_with(text: &str, width: Width) -> Normalized {
    let mut f = Folding::new(text);
    while f.p < f.bytes.len() {
        f.blocks(width);
        if !f.stretch() {
            f.one_char();
        }
    }
    f.finish()
}

/// The state of one [`normalize`]: the folded bytes so far and their map.
struct Folding<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// The next byte of `text` to fold (a character boundary).
    p: usize,
    /// The folded text so far: whole characters, UTF-8 (checked once at the end).
    out: Vec<u8>,
    anchors: Vec<(u32, u32)>,
    erased: Vec<u32>,
    /// Folded byte offset of the last anchor: a new one is set once this is ANCHOR_BYTES
    /// behind, which bounds the scan in `to_orig`.
    last_anchor: usize,
    /// Something was dropped or merged since the last kept character: the next one needs an
    /// anchor, because the map assumes one original character per folded one.
    dirty: bool,
    /// The code-point index of the character at byte `p`, asked for at anchors.
    idx: CharCounter<'t>,
}

impl<'t> Folding<'t> {
    fn new(text: &'t str) -> Self {
        let n = text.len();
        Folding {
            text,
            bytes: text.as_bytes(),
            p: 0,
            // Folding never lengthens a text; the blocks write up to 32 bytes past their end.
            out: Vec::with_capacity(n + 32),
            anchors: {
                let mut a = Vec::with_capacity(n / 128 + 4);
                a.push((0, 0));
                a
            },
            erased: Vec::new(),
            last_anchor: 0,
            dirty: false,
            idx: CharCounter {
                bytes: text.as_bytes(),
                byte: 0,
                chars: 0,
            },
        }
    }

    /// Runs of whitespace fold to one space, the first of the run: does the folded text so far
    /// end in one?
    fn last_space(&self) -> bool {
        self.out.last() == Some(&b' ')
    }

    /// Sets an anchor for a character about to be written at folded byte `at` from byte `p`
    /// of the original, if the map needs one there.
    #[inline(always)]
    fn anchor(&mut self, at: usize, p: usize) {
        if self.dirty || at - self.last_anchor >= ANCHOR_BYTES {
            self.last_anchor = at;
            self.anchors.push((at as u32, self.idx.at(p) as u32));
            self.dirty = false;
        }
    }

    /// A stretch from `p` of characters that fold to themselves or to one other character,
    /// about RUN_BYTES long, by the byte scan: whether there was one.
    fn stretch(&mut self) -> bool {
        let (p, n) = (self.p, self.bytes.len());
        let start = self.out.len();
        let last_space = self.last_space();
        let q = fold_stretch(
            self.text,
            p,
            (p + RUN_BYTES).min(n),
            last_space,
            &mut self.out,
            &mut self.erased,
        );
        if q == p {
            return false;
        }
        // The map needs an anchor only where it starts, and only if something was folded there.
        self.anchor(start, p);
        self.p = q;
        true
    }

    /// Folds the one character at `p` (one that changes, or ends a stretch).
    fn one_char(&mut self) {
        let (text, bytes, p) = (self.text, self.bytes, self.p);
        let (c, len) = char_at(text, bytes, p);
        let composes = bytes.get(p + len) == Some(&0xd9)
            && matches!(bytes.get(p + len + 1), Some(0x93..=0x95));
        let mut consumed = len;
        let mut merged = false;
        let kept = match fold_char(c) {
            Fold::Keep(k) => {
                if composes {
                    let mark = text[p + len..].chars().next().unwrap_or(' ');
                    match compose(k, mark) {
                        Some(composed) => {
                            consumed += mark.len_utf8();
                            merged = true;
                            Some(composed)
                        }
                        None => Some(k),
                    }
                } else if c == '\r' && bytes.get(p + 1) == Some(&b'\n') {
                    consumed += 1;
                    merged = true;
                    Some('\n')
                } else {
                    Some(k)
                }
            }
            Fold::Drop => None,
            Fold::Space if self.last_space() => None,
            Fold::Space => Some(' '),
        };
        match kept {
            Some(k) => {
                self.anchor(self.out.len(), p);
                if is_erased(bytes, p) {
                    self.erased.push(self.out.len() as u32);
                }
                push_char(&mut self.out, k);
                self.dirty = merged;
            }
            None => self.dirty = true,
        }
        self.p = p + consumed;
    }

    /// Folds a block of bytes at a time from `p` while they hold only characters that fold to
    /// themselves or letter for letter ([`blocks`]), up to the first that does not: 32 at a
    /// time where the processor has AVX2, else 16.
    #[cfg(target_arch = "x86_64")]
    fn blocks(&mut self, width: Width) {
        match width {
            Width::Avx2 if std::is_x86_feature_detected!("avx2") => {
                // SAFETY: the processor has AVX2, just checked.
                unsafe { self.blocks_avx2() }
            }
            Width::Avx2 | Width::Sse2 => self.blocks_with::<16, 20>(blocks::fold16),
            Width::Bytes => {}
        }
    }

    /// # Safety
    /// The processor must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn blocks_avx2(&mut self) {
        // SAFETY: this function runs only where the processor has AVX2.
        self.blocks_with::<32, 36>(|w| unsafe { blocks::fold32(w) });
    }

    /// The loop of [`Self::blocks`], over blocks of `N` bytes in windows of `W` (`N + 4`).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn blocks_with<const N: usize, const W: usize>(
        &mut self,
        fold: impl Fn(&[u8; W]) -> blocks::Block<N>,
    ) {
        let bytes = self.bytes;
        let mut p = self.p;
        // The block needs the byte before it; a space after a folded space (an NBSP before it,
        // say) is dropped, which only the one-character path does.
        if p == 0 || (bytes.get(p) == Some(&b' ') && self.last_space()) {
            return;
        }
        while let Some(window) = p
            .checked_sub(1)
            .and_then(|s| bytes.get(s..s + W))
            .and_then(|w| <&[u8; W]>::try_from(w).ok())
        {
            let b = fold(window);
            let base = self.out.len();
            self.out.extend_from_slice(&b.out);
            // Where the block stops, only its lanes before the stop are kept. Otherwise the
            // next block's offsets do not wait for this one's masks (a branch, not a data
            // dependency): its loads start while this one is computed.
            if b.stop != 0 {
                let take = b.stop.trailing_zeros() as usize;
                self.out.truncate(base + take);
                self.block_marks(&b, take, base, p);
                self.p = p + take;
                return;
            }
            self.block_marks(&b, N, base, p);
            p += N;
        }
        // The text ends within the next block's window. The last block may have ended inside a
        // character: its first bytes are taken back, for the byte scan to fold it whole.
        if bytes.get(p).is_some_and(|&b| b & 0xc0 == 0x80) {
            let lead = (0..p).rev().find(|&s| bytes[s] & 0xc0 != 0x80).unwrap_or(0);
            self.out.truncate(self.out.len() - (p - lead));
            if self.erased.last() == Some(&(self.out.len() as u32)) {
                self.erased.pop();
            }
            p = lead;
        }
        self.p = p;
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn blocks(&mut self, _width: Width) {}

    /// The anchor and the ة and ى of the first `lanes` lanes of block `b`, folded at `base`
    /// from byte `p`.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn block_marks<const N: usize>(
        &mut self,
        b: &blocks::Block<N>,
        lanes: usize,
        base: usize,
        p: usize,
    ) {
        let kept = ((1u64 << lanes) - 1) as u32;
        // An anchor at the first character that starts in the block, when one is due.
        let first = (b.starts & kept).trailing_zeros() as usize;
        if first < lanes {
            self.anchor(base + first, p + first);
        }
        self.note_erased(b.erased & kept, base);
    }

    /// Notes the ة and ى of a block (bits of `lanes`, the block's first at folded byte `base`).
    /// A block has none, one or two nearly always: those are written without a branch that
    /// would depend on how many (written both, then the unused cut off).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn note_erased(&mut self, mut lanes: u32, base: usize) {
        let count = lanes.count_ones() as usize;
        if count > 2 {
            while lanes != 0 {
                self.erased
                    .push((base + lanes.trailing_zeros() as usize) as u32);
                lanes &= lanes - 1;
            }
            return;
        }
        let len = self.erased.len();
        let first = base as u32 + lanes.trailing_zeros();
        let second = base as u32 + (lanes & lanes.wrapping_sub(1)).trailing_zeros();
        self.erased.extend_from_slice(&[first, second]);
        self.erased.truncate(len + count);
    }

    fn finish(mut self) -> Normalized {
        let orig_end = self.idx.at(self.bytes.len());
        let text = match simdutf8::basic::from_utf8(&self.out) {
            // SAFETY: simdutf8 has just validated `self.out` as UTF-8.
            Ok(_) => unsafe { String::from_utf8_unchecked(std::mem::take(&mut self.out)) },
            // Only whole characters are written, so this cannot happen; the tests would see it.
            Err(_) => {
                debug_assert!(false, "folded text is not UTF-8");
                String::from_utf8_lossy(&self.out).into_owned()
            }
        };
        Normalized {
            text,
            anchors: self.anchors,
            orig_end,
            erased: self.erased,
        }
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Folds the characters from byte `p` of `text` that fold to themselves or to one other
/// character, until `limit` (or just past it) or a character that needs [`fold_char`], onto
/// `out`, noting in `erased` where ة and ى were. Returns where it stopped. `last_space` says
/// whether `out` ends in a space. Unchanged characters are copied in bulk between the
/// substitutions, which in Arabic text (ة, أ, إ, ى) come every few words.
#[inline(always)]
fn fold_stretch(
    text: &str,
    p: usize,
    limit: usize,
    last_space: bool,
    out: &mut Vec<u8>,
    erased: &mut Vec<u32>,
) -> usize {
    let bytes = text.as_bytes();
    let mut seg = p;
    let mut q = identity_run(bytes, p, limit, last_space);
    while q < limit {
        let Some((k, len)) = subst_at(bytes, q) else {
            break;
        };
        out.extend_from_slice(&bytes[seg..q]);
        if is_erased(bytes, q) {
            erased.push(out.len() as u32);
        }
        push_char(out, k);
        q += len;
        seg = q;
        q = identity_run(bytes, q, limit, false);
    }
    out.extend_from_slice(&bytes[seg..q]);
    q
}

/// Whether the character at byte `p` is ة (D8 A9) or ى (D9 89), letters only Arabic writes,
/// which folding turns into ه and ي.
#[inline(always)]
fn is_erased(bytes: &[u8], p: usize) -> bool {
    matches!(bytes.get(p..p + 2), Some([0xd8, 0xa9] | [0xd9, 0x89]))
}

/// Folds `word` into `out` (cleared first), without a map: for word-list look-ups in hot
/// loops, where a fresh allocation per word would dominate.
pub fn fold_into(word: &str, out: &mut String) {
    out.clear();
    fold_push(word, out);
}

/// Folds `word` onto the end of `out`, without a map: for rules that keep every folded word of
/// a line in one buffer instead of a `String` each.
pub fn fold_push(word: &str, out: &mut String) {
    let bytes = word.as_bytes();
    let n = bytes.len();
    let mut last_space = false;
    let mut p = 0;
    while p < n {
        // Characters that fold to themselves are copied in bulk, found by the byte scan
        // [`normalize`] uses.
        let run_start = p;
        let q = identity_run(bytes, p, n, last_space);
        if q > run_start {
            out.push_str(&word[run_start..q]);
            last_space = bytes[q - 1] == b' ';
            p = q;
            if p >= n {
                break;
            }
        }
        if let Some((k, len)) = subst_at(bytes, p) {
            out.push(k);
            last_space = false;
            p += len;
            continue;
        }
        let mut chars = word[p..].chars();
        let Some(c) = chars.next() else {
            break;
        };
        p += c.len_utf8();
        let next = chars.next();
        if is_identity(c) {
            match next.and_then(|m| compose(c, m)) {
                Some(composed) => {
                    out.push(composed);
                    p += next.map_or(0, char::len_utf8);
                }
                None => out.push(c),
            }
            last_space = false;
            continue;
        }
        match fold_char(c) {
            Fold::Keep(k) => {
                let k = match next.and_then(|m| compose(k, m)) {
                    Some(composed) => {
                        p += next.map_or(0, char::len_utf8);
                        composed
                    }
                    None => k,
                };
                out.push(k);
                last_space = false;
            }
            Fold::Drop => {}
            Fold::Space if last_space => {}
            Fold::Space => {
                out.push(' ');
                last_space = true;
            }
        }
    }
}

impl Normalized {
    /// The folded byte offsets of the characters that were ة or ى in the original text, in
    /// order: evidence of Arabic that the folded text no longer shows.
    pub fn erased(&self) -> &[u32] {
        &self.erased
    }

    /// The original code-point offset of the folded character that starts at byte `b`, or of the
    /// end of the input when `b` is the end of the folded text. A match `s..e` in the folded text
    /// covers `to_orig(s)..to_orig(e)` of the original: everything dropped between its last
    /// character and the next kept one (tashkeel, tatweel) belongs to it.
    pub fn to_orig(&self, b: usize) -> usize {
        if b >= self.text.len() {
            return self.orig_end;
        }
        let i = match self
            .anchors
            .binary_search_by(|&(nb, _)| (nb as usize).cmp(&b))
        {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let (nb, o) = self.anchors[i];
        let between = self
            .text
            .get(nb as usize..b)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        o as usize + between
    }

    /// The original code-point offset just past the folded character that ends at byte `b`:
    /// unlike [`Self::to_orig`] it excludes what was dropped after that character (for spans
    /// that must stop at the letter, such as a word before a missing space).
    pub fn to_orig_end_tight(&self, b: usize) -> usize {
        if b == 0 {
            return self.to_orig(0);
        }
        let prev = self.text[..b]
            .chars()
            .next_back()
            .map(char::len_utf8)
            .unwrap_or(1);
        self.to_orig(b - prev) + 1
    }
}

/// `char::is_alphanumeric` with the Arabic-script letters and digits answered without the
/// Unicode table search (which dominates word splitting on Arabic text otherwise).
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if (c as u32) < 0x800 {
        return CLASSES[c as usize] & ALNUM != 0;
    }
    c.is_alphanumeric()
}

/// A word character for boundary checks on folded text: letters, digits and ZWNJ (which joins
/// the parts of one Persian word).
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if (c as u32) < 0x800 {
        return CLASSES[c as usize] & WORD != 0;
    }
    c.is_alphabetic() || c == ZWNJ
}

const ALNUM: u8 = 1;
const WORD: u8 = 2;

/// [`is_alnum`] and [`is_word_char`] for U+0000..U+07FF, worked out once from the standard
/// library's tables: Arabic-script text is nearly all in that range, and outside the letters
/// U+0621..U+064A (Persian letters, Arabic punctuation, tashkeel) each call searched them.
static CLASSES: std::sync::LazyLock<[u8; 0x800]> = std::sync::LazyLock::new(|| {
    let mut t = [0u8; 0x800];
    for (i, slot) in t.iter_mut().enumerate() {
        let Some(c) = char::from_u32(i as u32) else {
            continue;
        };
        let alnum = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        let word = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            ('\u{0621}'..='\u{064a}').contains(&c) || c.is_alphabetic() || c == ZWNJ
        };
        *slot = (u8::from(alnum) * ALNUM) | (u8::from(word) * WORD);
    }
    t
});

#[cfg(test)]
mod tests {
    use super::*;

    fn span(t: &str, pat: &str) -> Option<(usize, usize)> {
        let n = normalize(t);
        let b = n.text.find(pat)?;
        Some((n.to_orig(b), n.to_orig(b + pat.len())))
    }

    #[test]
    fn folds_letters() {
        assert_eq!(fold("أمریکا"), "امريكا");
        assert_eq!(fold("سورية"), fold("سوریه"));
        assert_eq!(fold("شمخانی"), fold("شمخاني"));
        assert_eq!(fold("مُحَمَّد"), "محمد");
        assert_eq!(fold("٢٠١٧ ۲۰۱۷"), "2017 2017");
        assert_eq!(fold("a\u{a0}\u{a0} b"), "a b");
    }

    #[test]
    fn maps_back_over_drops() {
        let t = "قال بُوتين  أمس";
        let (s, e) = span(t, "بوتين").unwrap();
        assert_eq!(
            &t.chars().collect::<Vec<_>>()[s..e]
                .iter()
                .collect::<String>(),
            "بُوتين"
        );
        let (s, _) = span(t, "امس").unwrap();
        assert_eq!(s, 12);
    }

    #[test]
    fn composes_nfd_hamza() {
        let t = "ا\u{0654}مريكا";
        assert_eq!(fold(t), "امريكا");
        assert_eq!(span(t, "مريكا"), Some((2, 7)));
    }

    #[test]
    fn fast_alnum_agrees_with_std() {
        for c in ('\u{0}'..='\u{07ff}').chain('\u{2000}'..='\u{206f}') {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
            let word = if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                c.is_alphabetic() || c == ZWNJ
            };
            assert_eq!(is_word_char(c), word, "{c:?}");
        }
    }

    /// The fold with a dense map (one original offset per folded character), written straight
    /// from the rules: what the sparse, stretch-copying [`normalize`] must agree with.
    fn reference(t: &str) -> (String, Vec<usize>) {
        let cs: Vec<char> = t.chars().collect();
        let (mut out, mut map) = (String::new(), Vec::new());
        let mut last_space = false;
        let mut i = 0;
        while i < cs.len() {
            let (c, next) = (cs[i], cs.get(i + 1).copied());
            let kept = match fold_char(c) {
                Fold::Keep(k) => match next.and_then(|m| {
                    matches!(m, '\u{0653}'..='\u{0655}')
                        .then(|| compose(k, m))
                        .flatten()
                }) {
                    Some(composed) => Some((composed, 2)),
                    None if c == '\r' && next == Some('\n') => Some(('\n', 2)),
                    None => Some((k, 1)),
                },
                Fold::Drop => None,
                Fold::Space if last_space => None,
                Fold::Space => Some((' ', 1)),
            };
            match kept {
                Some((k, used)) => {
                    map.extend(std::iter::repeat_n(i, k.len_utf8()));
                    out.push(k);
                    last_space = k == ' ';
                    i += used;
                }
                None => i += 1,
            }
        }
        map.push(cs.len());
        (out, map)
    }

    /// The character-at-a-time fold [`fold_push`] replaced: what its byte scan must agree with.
    fn fold_push_reference(word: &str, out: &mut String) {
        let mut last_space = false;
        let mut chars = word.chars().peekable();
        while let Some(c) = chars.next() {
            if is_identity(c) {
                if let Some(&m) = chars.peek() {
                    if let Some(composed) = compose(c, m) {
                        chars.next();
                        out.push(composed);
                        last_space = false;
                        continue;
                    }
                }
                out.push(c);
                last_space = false;
                continue;
            }
            match fold_char(c) {
                Fold::Keep(k) => {
                    let k = match chars.peek().and_then(|&m| compose(k, m)) {
                        Some(composed) => {
                            chars.next();
                            composed
                        }
                        None => k,
                    };
                    out.push(k);
                    last_space = false;
                }
                Fold::Drop => {}
                Fold::Space if last_space => {}
                Fold::Space => {
                    out.push(' ');
                    last_space = true;
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(600))]
        #[test]
        fn sparse_map_agrees_with_dense(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "ا", "و", "ي", "ی", "ه", "ە", "ة", "أ", "ك", "ک", "ى", "سوريا", "محمد",
                "\u{0653}", "\u{0654}", "\u{0655}", "\u{064e}", "\u{0640}", "\u{200c}",
                "\u{200f}", " ", "  ", "\u{a0}", "\t", "\r", "\n", "\r\n", "A", "b", "7",
                "٣", "۴", "«", "»", "،", "…", "😀", "\u{feff}", "ى\u{0654}", "ة\u{0654}",
                "الرئيس السوري بشار الأسد قال في مؤتمر صحفي إن المباحثات كانت مثمرة جدا",
                "آ", "إ", "ٱ", "ۀ", "ھ", "گ", "پ", "Z", "QA", "٠", "۹", "\u{200b}", "\u{2028}",
                "ک\u{0654}", "ی\u{0654}", "ا\u{0653}", "و\u{0654}", "ه\u{0654}", "Ã", "§",
                "رئیس\u{200c}جمهور ایران گفت که این کشور برای مذاکره آماده است",
                "إلى القاهرة  وأعلنت الحكومة\r\nالمصرية «اتفاقية» جديدة، في ٢٠١٧؟",
            ]),
            0..80,
        )) {
            let t: String = pieces.concat();
            for width in [Width::Bytes, Width::Sse2, Width::Avx2] {
                check_against_reference(&t, &normalize_with(&t, width))?;
            }
            let (mut fast, mut slow) = (String::from("x"), String::from("x"));
            fold_push(&t, &mut fast);
            fold_push_reference(&t, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    /// `n` (the fold of `t`) against [`reference`]: the text, where ة and ى were, and the map
    /// at every character boundary.
    fn check_against_reference(
        t: &str,
        n: &Normalized,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let (text, map) = reference(t);
        proptest::prop_assert_eq!(&n.text, &text);
        // Where ة and ى were: each is one folded character, mapped from where it was.
        let erased: Vec<u32> = (0..text.len())
            .filter(|&b| text.is_char_boundary(b))
            .filter(|&b| {
                t.chars()
                    .nth(map[b])
                    .is_some_and(|c| matches!(c, 'ة' | 'ى'))
            })
            .map(|b| b as u32)
            .collect();
        proptest::prop_assert_eq!(n.erased(), &erased[..]);
        for (b, &o) in map.iter().enumerate() {
            if n.text.is_char_boundary(b) {
                proptest::prop_assert_eq!(n.to_orig(b), o, "byte {}", b);
            }
        }
        Ok(())
    }

    #[test]
    fn identity_table_holds_only_characters_that_fold_to_themselves() {
        for u in 0..0x800u32 {
            let Some(c) = char::from_u32(u) else { continue };
            if is_identity(c) {
                assert!(matches!(fold_char(c), Fold::Keep(k) if k == c), "{c:?}");
                assert!(c != ' ' && !matches!(fold_char(c), Fold::Space), "{c:?}");
            }
        }
        // The letters and marks most frequent in news text are in it.
        for c in ['ا', 'ل', 'ك', 'ه', 'م', '\n', '،', '«'] {
            assert!(is_identity(c), "{c:?}");
        }
    }

    #[test]
    fn subst_table_agrees_with_fold_char() {
        for cp in 0..0x800u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let r = SUBST[cp as usize];
            if r == 0 {
                continue;
            }
            assert!(!is_identity(c), "{c:?}");
            match fold_char(c) {
                Fold::Keep(k) => assert_eq!(u32::from(k), u32::from(r), "{c:?}"),
                _ => panic!("{c:?} does not fold to one character"),
            }
        }
    }

    #[test]
    fn keeps_zwnj_and_breaks() {
        assert_eq!(fold("می\u{200c}شود"), "مي\u{200c}شود");
        assert_eq!(normalize("a\r\nb\rc").text, "a\nb\nc");
        let n = normalize("a\r\nb");
        assert_eq!(n.to_orig(2), 3);
    }
}
