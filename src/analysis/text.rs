//! The text model: a document over `ropey::Rope` that speaks Unicode code points.
//!
//! Every offset in the core is a code-point offset (brat and the W3C annotation model count the
//! same way). Editors count in UTF-16 or UTF-8 units; the conversions live here so that the LSP
//! edge only has to pick one. Every conversion clamps instead of panicking: clients send
//! positions past the end of a line or of the document, and LSP says to clamp them.

use ropey::Rope;

/// The unit a position's `character` is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

/// A line and a column counted in some [`Encoding`]'s units, both 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

const BOM: char = '\u{feff}';

/// An article's text. A leading byte-order mark is remembered but is not part of the text, so
/// offsets count from after it, as editors show it.
#[derive(Clone, Debug, Default)]
pub struct Document {
    rope: Rope,
    had_bom: bool,
}

impl Document {
    pub fn new(text: &str) -> Self {
        let (text, had_bom) = strip_bom(text);
        Document {
            rope: Rope::from_str(text),
            had_bom,
        }
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn had_bom(&self) -> bool {
        self.had_bom
    }

    pub fn len_chars(&self) -> usize {
        self.rope.len_chars()
    }

    pub fn len_lines(&self) -> usize {
        self.rope.len_lines()
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Replaces the whole text (LSP full sync). A BOM the client sends is dropped again.
    pub fn replace_all(&mut self, text: &str) {
        let (text, had_bom) = strip_bom(text);
        self.had_bom = had_bom;
        self.rope = Rope::from_str(text);
    }

    /// Replaces `start..end` (code points, clamped and ordered) with `new_text`.
    pub fn replace(&mut self, start: usize, end: usize, new_text: &str) {
        let len = self.rope.len_chars();
        let (mut start, mut end) = (start.min(len), end.min(len));
        if start > end {
            std::mem::swap(&mut start, &mut end);
        }
        if start < end {
            self.rope.remove(start..end);
        }
        if !new_text.is_empty() {
            self.rope.insert(start, new_text);
        }
    }

    /// The code-point offset of the start of `line`; a line past the end means the end.
    pub fn line_start(&self, line: usize) -> usize {
        if line >= self.rope.len_lines() {
            self.rope.len_chars()
        } else {
            self.rope.line_to_char(line)
        }
    }

    /// The code-point offset of the end of `line`'s content, before its line break.
    pub fn line_content_end(&self, line: usize) -> usize {
        if line >= self.rope.len_lines() {
            return self.rope.len_chars();
        }
        let slice = self.rope.line(line);
        let start = self.rope.line_to_char(line);
        start + content_len(slice)
    }

    /// The 0-based line holding `offset` (clamped).
    pub fn line_of(&self, offset: usize) -> usize {
        self.rope.char_to_line(offset.min(self.rope.len_chars()))
    }

    /// Converts a code-point offset to a line and a column in `enc` units.
    pub fn offset_to_linecol(&self, offset: usize, enc: Encoding) -> LineCol {
        let offset = offset.min(self.rope.len_chars());
        let line = self.rope.char_to_line(offset);
        let start = self.rope.line_to_char(line);
        let col = match enc {
            Encoding::Utf32 => offset - start,
            Encoding::Utf16 => {
                self.rope.char_to_utf16_cu(offset) - self.rope.char_to_utf16_cu(start)
            }
            Encoding::Utf8 => self.rope.char_to_byte(offset) - self.rope.char_to_byte(start),
        };
        LineCol { line, col }
    }

    /// Converts a line and column in `enc` units to a code-point offset, clamping as LSP says:
    /// a column past the end of the line is the end of the line, a column inside a CRLF pair or
    /// inside a character is before it, a line past the end is the end of the document.
    pub fn linecol_to_offset(&self, pos: LineCol, enc: Encoding) -> usize {
        if pos.line >= self.rope.len_lines() {
            return self.rope.len_chars();
        }
        let start = self.rope.line_to_char(pos.line);
        let end = self.line_content_end(pos.line);
        let line = self.rope.slice(start..end);
        let within = match enc {
            Encoding::Utf32 => pos.col.min(end - start),
            Encoding::Utf16 => {
                let units = line.len_utf16_cu();
                if pos.col >= units {
                    end - start
                } else {
                    // `utf16_cu_to_char` rounds down inside a surrogate pair: before the char.
                    line.utf16_cu_to_char(pos.col)
                }
            }
            Encoding::Utf8 => {
                let bytes = line.len_bytes();
                if pos.col >= bytes {
                    end - start
                } else {
                    line.byte_to_char(pos.col)
                }
            }
        };
        start + within
    }

    /// Converts a code-point offset to a count of `enc` units from the start of the document.
    pub fn offset_to_units(&self, offset: usize, enc: Encoding) -> usize {
        let offset = offset.min(self.rope.len_chars());
        match enc {
            Encoding::Utf32 => offset,
            Encoding::Utf16 => self.rope.char_to_utf16_cu(offset),
            Encoding::Utf8 => self.rope.char_to_byte(offset),
        }
    }
}

/// The number of code points of a line without its line break.
fn content_len(slice: ropey::RopeSlice<'_>) -> usize {
    let n = slice.len_chars();
    if n == 0 {
        return 0;
    }
    match slice.char(n - 1) {
        '\n' => {
            if n >= 2 && slice.char(n - 2) == '\r' {
                n - 2
            } else {
                n - 1
            }
        }
        '\r' => n - 1,
        _ => n,
    }
}

/// Splits a BOM off the front of `text`.
pub fn strip_bom(text: &str) -> (&str, bool) {
    match text.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (text, false),
    }
}

/// One line of a plain string: its content range and its code-point offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// 0-based line number.
    pub index: usize,
    /// The line's content, without its break.
    pub text: &'a str,
    /// Code-point offset of the first character.
    pub start: usize,
    /// Code-point offset just past the content (before the break).
    pub end: usize,
    /// Byte offset of the first character in the whole string.
    pub byte_start: usize,
}

/// Iterates the lines of `text` with LSP's line breaks (`\n`, `\r\n`, `\r`), tracking code-point
/// offsets. An empty final line after a trailing break is yielded too, as editors show it.
pub fn lines(text: &str) -> Lines<'_> {
    Lines {
        text,
        byte: 0,
        chr: 0,
        index: 0,
        done: false,
    }
}

pub struct Lines<'a> {
    text: &'a str,
    byte: usize,
    chr: usize,
    index: usize,
    done: bool,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        if self.done {
            return None;
        }
        let rest = &self.text[self.byte..];
        let bytes = rest.as_bytes();
        let i = memchr::memchr2(b'\n', b'\r', bytes).unwrap_or(bytes.len());
        let content = &rest[..i];
        let n_chars = count_chars(content.as_bytes());
        let line = Line {
            index: self.index,
            text: content,
            start: self.chr,
            end: self.chr + n_chars,
            byte_start: self.byte,
        };
        if i >= bytes.len() {
            self.done = true;
        } else {
            let brk = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            self.byte += i + brk;
            self.chr += n_chars + brk;
            self.index += 1;
        }
        Some(line)
    }
}

/// The number of characters in the UTF-8 bytes `b`: its bytes less those that continue a
/// character (0b10xx_xxxx). Eight bytes at a time, each byte's flag summed in place for up to
/// 255 words and only then across the word: a loop the compiler vectorises, at about one
/// instruction per eight bytes, where std's `chars().count()` took nearly two a byte on lines of
/// Arabic text, and a filtered byte count six.
pub fn count_chars(b: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut cont = 0;
    let mut blocks = b.chunks_exact(8 * 255);
    let words = |block: &[u8]| -> usize {
        let mut acc = 0u64;
        let mut chunks = block.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            let w = u64::from_le_bytes(w);
            // 1 in each byte whose top bits are 10.
            acc += (w & !(w << 1) & HIGH) >> 7;
        }
        let tail = chunks
            .remainder()
            .iter()
            .filter(|&&x| x & 0xc0 == 0x80)
            .count();
        // Pairs of bytes into 16-bit lanes (at most 510 each), then the lanes into the top one.
        let pairs = (acc & 0x00ff_00ff_00ff_00ff) + ((acc >> 8) & 0x00ff_00ff_00ff_00ff);
        (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize + tail
    };
    for block in &mut blocks {
        cont += words(block);
    }
    cont += words(blocks.remainder());
    b.len() - cont
}

/// Maps code-point offsets of a plain string to 1-based lines and columns (columns in code
/// points), the form reports and the JSON contract use.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::new();
        let mut len = 0;
        for line in lines(text) {
            starts.push(line.start);
            len = line.end;
        }
        // `len` of the last line is the text's length in code points.
        LineIndex { starts, len }
    }

    /// 0-based line and 0-based code-point column of `offset` (clamped).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        (line, offset - self.starts.get(line).copied().unwrap_or(0))
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    pub fn len_lines(&self) -> usize {
        self.starts.len()
    }
}

/// Byte offset of code-point offset `chr` in `s` (clamped to the end).
pub fn char_to_byte(s: &str, chr: usize) -> usize {
    skip_chars(s, 0, chr).0
}

/// The byte offset `k` code points after byte `at` of `s` (a char boundary), clamped to the
/// end, with the number of code points actually passed. 64 bytes at a time with
/// [`count_chars`] while the target lies beyond them, then eight (their code points are their
/// non-continuation bytes), where `char_indices().nth(k)` took five instructions a byte;
/// rules and reporters convert offsets all the time, some deep into a long paragraph.
pub fn skip_chars(s: &str, at: usize, k: usize) -> (usize, usize) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const BLOCK: usize = 64;
    let bytes = s.as_bytes();
    let (mut i, mut left) = (at.min(bytes.len()), k);
    // A block holds at most BLOCK code points, so it never takes the count past `k`; it may
    // end inside a character, whose remaining bytes the steps below pass over uncounted.
    while left >= BLOCK {
        let Some(block) = bytes.get(i..i + BLOCK) else {
            break;
        };
        left -= count_chars(block);
        i += BLOCK;
    }
    while left > 0 {
        let Some(chunk) = bytes.get(i..i + 8) else {
            break;
        };
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        let starts = 8 - (w & !(w << 1) & HIGH).count_ones() as usize;
        if starts > left {
            break;
        }
        left -= starts;
        i += 8;
    }
    // The chunks may have stopped inside a character: continuation bytes are not counted.
    while let Some(&b) = bytes.get(i) {
        if b & 0xc0 != 0x80 {
            if left == 0 {
                break;
            }
            left -= 1;
        }
        i += 1;
    }
    (i, k - left)
}

/// The substring of `s` between two code-point offsets (clamped).
pub fn slice_chars(s: &str, start: usize, end: usize) -> &str {
    let b0 = char_to_byte(s, start);
    let b1 = b0 + char_to_byte(&s[b0..], end.saturating_sub(start));
    &s[b0..b1]
}

/// Converts increasing code-point offsets of one string to byte offsets in amortised O(1):
/// reporters walk mentions and findings in order, and [`slice_chars`] from the start each time
/// would be quadratic on a large article.
pub struct CharCursor<'a> {
    text: &'a str,
    chr: usize,
    byte: usize,
}

impl<'a> CharCursor<'a> {
    pub fn new(text: &'a str) -> Self {
        CharCursor {
            text,
            chr: 0,
            byte: 0,
        }
    }

    /// Byte offset of code-point offset `chr` (clamped to the end).
    pub fn byte_of(&mut self, chr: usize) -> usize {
        if chr < self.chr {
            self.chr = 0;
            self.byte = 0;
        }
        let (byte, passed) = skip_chars(self.text, self.byte, chr - self.chr);
        self.byte = byte;
        self.chr += passed;
        self.byte
    }

    /// The substring between two code-point offsets.
    pub fn slice(&mut self, start: usize, end: usize) -> &'a str {
        let b0 = self.byte_of(start);
        let b1 = self.byte_of(end.max(start));
        self.text.get(b0..b1).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every skip from every boundary of texts whose blocks hold exactly 64 code points (ASCII),
    /// far fewer (Arabic, emoji) or a mix, against `char_indices`.
    #[test]
    fn skip_chars_lands_right_across_whole_blocks() {
        let texts = [
            "abcdefgh".repeat(25),
            "خبر ".repeat(40),
            "😀a".repeat(40),
            "abc خبر😀 defgh\r\n".repeat(12),
        ];
        for s in &texts {
            let starts: Vec<usize> = s.char_indices().map(|(b, _)| b).chain([s.len()]).collect();
            for &at in &starts {
                let rest: Vec<usize> = starts.iter().copied().filter(|&b| b >= at).collect();
                for k in 0..rest.len() + 2 {
                    let want = (rest[k.min(rest.len() - 1)], k.min(rest.len() - 1));
                    assert_eq!(skip_chars(s, at, k), want, "at {at}, k {k}");
                }
            }
        }
    }

    proptest::proptest! {
        /// The block and chunk skips land where `char_indices` does, from any starting
        /// boundary (texts and skips long enough to take several 64-byte blocks).
        #[test]
        fn skip_chars_agrees_with_char_indices(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "خ", "بر", " ", "\n", "\r\n", "😀", "\u{200c}", "ًّ", "۱۲", "abcdefgh", "€",
            ]), 0..120),
            from in 0usize..60,
            k in 0usize..300,
        ) {
            let s: String = parts.concat();
            let starts: Vec<usize> = s.char_indices().map(|(b, _)| b).chain([s.len()]).collect();
            let at = starts[from.min(starts.len() - 1)];
            let rest = &s[at..];
            let want_byte = at + rest.char_indices().nth(k).map_or(rest.len(), |(b, _)| b);
            let want_passed = k.min(rest.chars().count());
            proptest::prop_assert_eq!(skip_chars(&s, at, k), (want_byte, want_passed));
        }
    }

    proptest::proptest! {
        #[test]
        fn counts_characters(s in "\\PC{0,40}", reps in 0usize..80) {
            // Long enough to cross the 255-word blocks too.
            let long = s.repeat(reps);
            proptest::prop_assert_eq!(count_chars(s.as_bytes()), s.chars().count());
            proptest::prop_assert_eq!(count_chars(long.as_bytes()), long.chars().count());
        }
    }

    #[test]
    fn bom_is_not_text() {
        let d = Document::new("\u{feff}سلام");
        assert!(d.had_bom());
        assert_eq!(d.len_chars(), 4);
    }

    #[test]
    fn line_breaks_are_lsps() {
        let d = Document::new("a\r\nb\rc\nd\u{2028}e\u{c}f");
        assert_eq!(d.len_lines(), 4);
        let got: Vec<_> = lines("a\r\nb\rc\nd\u{2028}e").map(|l| l.text).collect();
        assert_eq!(got, vec!["a", "b", "c", "d\u{2028}e"]);
    }

    #[test]
    fn clamping() {
        let d = Document::new("ab\r\ncd");
        let p = |line, col| d.linecol_to_offset(LineCol { line, col }, Encoding::Utf16);
        assert_eq!(p(0, 99), 2);
        assert_eq!(p(0, 3), 2, "inside CRLF means before it");
        assert_eq!(p(9, 0), 6);
        assert_eq!(p(1, 1), 5);
    }

    #[test]
    fn astral_units() {
        let d = Document::new("😀خ");
        assert_eq!(d.offset_to_linecol(1, Encoding::Utf16).col, 2);
        assert_eq!(d.offset_to_linecol(1, Encoding::Utf8).col, 4);
        assert_eq!(d.offset_to_linecol(2, Encoding::Utf8).col, 6);
        assert_eq!(
            d.linecol_to_offset(LineCol { line: 0, col: 1 }, Encoding::Utf16),
            0
        );
        assert_eq!(
            d.linecol_to_offset(LineCol { line: 0, col: 2 }, Encoding::Utf16),
            1
        );
        assert_eq!(
            d.linecol_to_offset(LineCol { line: 0, col: 5 }, Encoding::Utf8),
            1
        );
    }

    #[test]
    fn cursor() {
        let t = "😀خa\r\nب";
        let mut c = CharCursor::new(t);
        assert_eq!(c.slice(1, 3), "خa");
        assert_eq!(c.slice(5, 6), "ب");
        assert_eq!(c.slice(0, 1), "😀");
        assert_eq!(c.slice(5, 99), "ب");
        assert_eq!(c.byte_of(99), t.len());
    }

    #[test]
    fn line_index() {
        let li = LineIndex::new("ab\r\ncd\ne");
        assert_eq!(li.line_col(0), (0, 0));
        assert_eq!(li.line_col(4), (1, 0));
        assert_eq!(li.line_col(8), (2, 1));
        assert_eq!(li.line_col(99), (2, 1));
    }
}
