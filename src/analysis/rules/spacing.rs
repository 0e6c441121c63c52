//! `spacing`: runs of spaces, NBSP between words, trailing whitespace, misplaced spaces around
//! punctuation, and an Arabic و written apart from its word.
//!
//! Each of these is scraped noise or a typing slip whose fix is certain. NBSP is reported at hint
//! severity only: it is in about a fifth of ordinary scraped articles and harms little. Numbers
//! and times (06:03:29، ٠٦:٠٣، 1.5) and ellipses are not missing spaces. Persian writes و apart
//! correctly, so the detached-و check runs on Arabic paragraphs only.

use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::normalize::is_alnum;
use crate::analysis::script::Lang;
use crate::analysis::text::count_chars;
use crate::analysis::text::Line;

mod stops;

pub struct Spacing;

static META: RuleMeta = RuleMeta {
    id: "spacing",
    default_severity: Severity::Info,
    summary: "runs of spaces, NBSP, trailing whitespace, spaces around punctuation, a detached و",
    help: "## What it does\n\n\
Reports runs of two or more spaces, non-breaking spaces used between words (hint), whitespace \
at the end of a line, a space before ، ؛ : . and a missing space after them (outside numbers, \
times and ellipses), and in Arabic text a و written apart from the word it belongs to.\n\n\
## Why it matters\n\n\
Tokenisers, search and diff tools treat these as different text; they are almost always \
left by scraping or hurried typing.\n\n\
## Example\n\n\
`قال مسؤول ، إن` → `قال مسؤول، إن`; `الاجتماع،بعد` → `الاجتماع، بعد`; `و روسيا` → `وروسيا`.\n",
    fixable: true,
};

impl Rule for Spacing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // The places a finding may start, found over the whole article at once (lines are
        // short), one bit per byte.
        let (all, waw) = stops::stop_bits(cx.prep.text.as_bytes());
        for (li, line) in cx.prep.lines.iter().enumerate() {
            let arabic = cx.prep.langs.get(li).copied() == Some(Lang::Arabic);
            let Some((from, to)) = line_ends(line, out) else {
                continue;
            };
            // This line's share of the article's stops, as offsets into the line.
            let waw = if arabic { Some(&waw[..]) } else { None };
            let mut stops = Bits::new(&all, waw, line.byte_start + from, line.byte_start + to)
                .map(|i| i - line.byte_start)
                .peekable();
            // Most lines have none.
            if stops.peek().is_some() {
                walk_content(line, arabic, from, to, stops, out);
            }
        }
    }
}

/// The offsets in `lo..hi` whose bit is set in `all` or `extra`, in order.
struct Bits<'b> {
    all: &'b [u64],
    extra: Option<&'b [u64]>,
    /// The word being read, its bits not yet given out, and where the range ends.
    w: usize,
    bits: u64,
    hi: usize,
}

impl<'b> Bits<'b> {
    fn new(all: &'b [u64], extra: Option<&'b [u64]>, lo: usize, hi: usize) -> Self {
        let mut b = Bits {
            all,
            extra,
            w: lo / 64,
            bits: 0,
            hi,
        };
        b.bits = b.word(lo / 64) & (u64::MAX << (lo % 64));
        b
    }

    /// Word `w` of the bits, those at or past `hi` cleared.
    fn word(&self, w: usize) -> u64 {
        if w * 64 >= self.hi {
            return 0;
        }
        let mut bits = self.all.get(w).copied().unwrap_or(0)
            | self.extra.and_then(|e| e.get(w)).copied().unwrap_or(0);
        if (w + 1) * 64 > self.hi {
            bits &= (1u64 << (self.hi % 64)) - 1;
        }
        bits
    }
}

impl Iterator for Bits<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            if (self.w + 1) * 64 >= self.hi {
                return None;
            }
            self.w += 1;
            self.bits = self.word(self.w);
        }
        let i = self.w * 64 + self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(i)
    }
}

/// The findings of one line, its stops searched for in the line alone.
#[cfg(test)]
fn check_line(line: &Line<'_>, arabic: bool, stops: &mut Vec<usize>, out: &mut Vec<Diagnostic>) {
    let Some((from, to)) = line_ends(line, out) else {
        return;
    };
    let bytes = &line.text.as_bytes()[..to];
    stops.clear();
    each_stop(bytes, from, |i| stops.push(i));
    if arabic {
        stops.extend(waw_finder().find_iter(&bytes[from..]).map(|k| from + k + 2));
    }
    stops.sort_unstable();
    stops.dedup();
    walk_content(line, arabic, from, to, stops.iter().copied(), out);
}

/// The findings at the ends of a line (a blank line that holds whitespace, trailing
/// whitespace), and the byte range of its content between its leading and trailing
/// whitespace: `None` for a blank line, which has nothing more to find.
fn line_ends(line: &Line<'_>, out: &mut Vec<Diagnostic>) -> Option<(usize, usize)> {
    let text = line.text;
    // Code points of the line; `line.end - line.start` counts them already.
    let n = line.end - line.start;
    let at = |i: usize| line.start + i;
    let trimmed_end = text.trim_end();
    let trimmed = trimmed_end.trim_start();
    // A line of whitespace only.
    if n > 0 && trimmed.is_empty() {
        out.push(
            Diagnostic::new(
                META.id,
                Severity::Hint,
                at(0),
                at(n),
                "this blank line holds whitespace",
            )
            .with_fix("empty the line", at(0), at(n), ""),
        );
        return None;
    }
    // Trailing whitespace.
    if trimmed_end.len() < text.len() {
        let content_end = n - count_chars(&text.as_bytes()[trimmed_end.len()..]);
        out.push(
            Diagnostic::new(
                META.id,
                Severity::Hint,
                at(content_end),
                at(n),
                "trailing whitespace",
            )
            .with_fix("remove the trailing whitespace", at(content_end), at(n), ""),
        );
    }
    Some((trimmed_end.len() - trimmed.len(), trimmed_end.len()))
}

/// The findings inside a line's content `from..to` (bytes), given its stops (sorted, each
/// once: see [`Walk::content`]).
fn walk_content(
    line: &Line<'_>,
    arabic: bool,
    from: usize,
    to: usize,
    stops: impl IntoIterator<Item = usize>,
    out: &mut Vec<Diagnostic>,
) {
    let mut walk = Walk {
        text: line.text,
        arabic,
        line_start: line.start,
        counted: (0, 0),
        out,
    };
    walk.content(from, to, stops);
}

#[cfg(any(test, not(target_arch = "x86_64")))]
/// `و ` (the letter and a space): where a detached و may be.
fn waw_finder() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memchr::memmem::Finder::new("و ".as_bytes()))
}

#[cfg(any(test, not(target_arch = "x86_64")))]
/// Two spaces in a row.
fn double_space_finder() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memchr::memmem::Finder::new(b"  "))
}

#[cfg(any(test, not(target_arch = "x86_64")))]
/// Calls `stop` for each stop of `bytes[from..]` but a detached و's (see [`Walk::content`]),
/// in no particular order and some twice: found by vectorised byte searches, since spaces come
/// every few bytes, too often to look at each. Tabs, NBSP, two spaces in a row, and the
/// punctuation a space before or a missing space after is reported for.
fn each_stop(bytes: &[u8], from: usize, mut stop: impl FnMut(usize)) {
    let region = &bytes[from..];
    let at = |k: usize| from + k;
    memchr::memchr3_iter(b'\t', b'.', b':', region).for_each(|k| stop(at(k)));
    memchr::memchr3_iter(b',', b';', b'!', region).for_each(|k| stop(at(k)));
    // NBSP (C2 A0) by its second byte: its first also starts « and », common in this text,
    // where a stop finds nothing (the run before them is a finding only for what another
    // stop finds).
    for k in memchr::memchr2_iter(b'?', 0xa0, region) {
        let i = at(k);
        if bytes[i] == b'?' {
            stop(i);
        } else if i > from && bytes[i - 1] == 0xc2 {
            stop(i - 1);
        }
    }
    double_space_finder()
        .find_iter(region)
        .for_each(|k| stop(at(k)));
    // ، (D8 8C), ؛ (D8 9B) and ؟ (D8 9F) by their second bytes, which few other characters
    // of the script share.
    for k in memchr::memchr3_iter(0x8c, 0x9b, 0x9f, region) {
        let i = at(k);
        if i > from && bytes[i - 1] == 0xd8 {
            stop(i - 1);
        }
    }
}

/// The walk over a line's content that finds everything inside it (runs of spaces, NBSP,
/// spaces before and missing after punctuation, a detached و). Only spaces and punctuation
/// can start a finding, so the walk goes from one to the next by byte searches and decodes
/// characters only around them; it finds exactly what a walk over every character finds (the
/// tests hold it to one).
struct Walk<'t, 'o> {
    text: &'t str,
    arabic: bool,
    /// Code-point offset of the line in the article.
    line_start: usize,
    /// `(byte, code point)` of the line counted up to: offsets only grow along the walk.
    counted: (usize, usize),
    out: &'o mut Vec<Diagnostic>,
}

impl Walk<'_, '_> {
    /// The code-point offset in the article of byte `b` of the line (`b` never decreasing).
    fn at(&mut self, b: usize) -> usize {
        let (b0, c0) = self.counted;
        // `b` and `b0` are character boundaries; std counts a word of bytes at a time.
        let c = c0 + self.text.get(b0..b).map_or(0, |s| s.chars().count());
        self.counted = (b, c);
        self.line_start + c
    }

    fn char_before(&self, b: usize) -> Option<char> {
        self.text.get(..b)?.chars().next_back()
    }

    fn char_at(&self, b: usize) -> Option<char> {
        self.text.get(b..)?.chars().next()
    }

    /// Walks the content `from..to` (bytes; no whitespace at either end) from stop to stop:
    /// the places a finding needs ([`each_stop`], and in Arabic text the space after a و),
    /// sorted, each once. A run of spaces is looked at from any of these in it or right after
    /// it; a stop where no finding can start costs a look and nothing more.
    fn content(&mut self, from: usize, to: usize, stops: impl IntoIterator<Item = usize>) {
        let bytes = &self.text.as_bytes()[..to];
        // Bytes before this are inside a run of spaces already looked at.
        let mut done = from;
        for i in stops {
            // The run of spaces holding byte `i` or ending right before it.
            let rs = space_run_start(bytes, i);
            if (rs < i || is_space_at(bytes, i)) && rs >= done {
                let (j, chars) = space_run(bytes, rs);
                self.space_run(rs, j, chars);
                done = j;
            }
            if matches!(bytes[i], b'.' | b':') || (bytes[i] == 0xd8 && bytes[i + 1] != 0x9f) {
                self.punctuation(i);
            }
        }
    }

    /// The run of spaces `i..j` (bytes; `chars` of them), which a character that is not
    /// whitespace follows and precedes.
    fn space_run(&mut self, i: usize, j: usize, chars: usize) {
        let bytes = self.text.as_bytes();
        let waw_before = self.arabic && i >= 2 && bytes[i - 2..i] == [0xd9, 0x88];
        // The common case, a plain space between words, settled on bytes.
        if chars == 1 && bytes[i] == b' ' && !waw_before && !may_be_punctuation(bytes, j) {
            return;
        }
        let next = self.char_at(j);
        let prev = self.char_before(i);
        // What the run is, if anything: (severity, message, fix title, replacement).
        let run: Option<(Severity, String, &str, &str)> = if matches!(
            next,
            Some('،' | '؛' | ',' | ';' | ':' | '.' | '!' | '?' | '؟')
        ) && prev.is_some_and(is_alnum)
            && !self.ellipsis_at(j)
        {
            let msg = format!("space before “{}”", next.unwrap_or(' '));
            Some((Severity::Info, msg, "remove the space", ""))
        } else if chars > 1 {
            // With NBSP in it, the run is scraped noise like a lone NBSP: a hint.
            let (msg, sev) = if memchr::memchr(0xc2, &bytes[i..j]).is_some() {
                ("a run of spaces, with non-breaking ones", Severity::Hint)
            } else {
                ("a run of spaces", Severity::Info)
            };
            Some((sev, msg.to_string(), "use one space", " "))
        } else if bytes[i] == 0xc2 {
            let msg = "a non-breaking space between words".to_string();
            Some((Severity::Hint, msg, "use a plain space", " "))
        } else {
            None
        };
        // A detached Arabic و: a lone و word followed by a word.
        let detached_waw = waw_before
            && chars == 1
            && next.is_some_and(is_alnum)
            && !self.char_before(i - 2).is_some_and(is_alnum)
            && !next.is_some_and(|c| c.is_numeric());
        if run.is_none() && !detached_waw {
            return;
        }
        // Offsets are counted only for findings: most runs looked at have none.
        let start = self.at(i);
        let end = start + chars;
        if let Some((sev, msg, title, new_text)) = run {
            self.out.push(
                Diagnostic::new(META.id, sev, start, end, msg)
                    .with_fix(title, start, end, new_text),
            );
        }
        if detached_waw {
            self.out.push(
                Diagnostic::new(
                    META.id,
                    Severity::Info,
                    start - 1,
                    end,
                    "the conjunction و is written apart from its word",
                )
                .with_fix("join و to the next word", start, end, ""),
            );
        }
    }

    /// Is there an ellipsis (… or ..) at byte `j`, where no `.` is just before?
    fn ellipsis_at(&self, j: usize) -> bool {
        let rest = self.text.get(j..).unwrap_or("");
        rest.starts_with('…') || rest.starts_with("..")
    }

    /// A missing space after ، ؛ : or . (at byte `i`) before a letter.
    fn punctuation(&mut self, i: usize) {
        let bytes = self.text.as_bytes();
        // Every finding needs an Arabic-block character next.
        let c_len = if bytes[i] < 0x80 { 1 } else { 2 };
        if !bytes
            .get(i + c_len)
            .is_some_and(|b| (0xd8..=0xdb).contains(b))
        {
            return;
        }
        let Some(c) = self.char_at(i) else { return };
        let next = self.char_at(i + c_len);
        let prev = self.char_before(i);
        let letter_next = next.is_some_and(|n| n.is_alphabetic());
        let digits_around =
            prev.is_some_and(|p| p.is_numeric()) && next.is_some_and(|n| n.is_numeric());
        let latin = prev.is_some_and(|p| p.is_ascii_alphanumeric())
            || next.is_some_and(|n| n.is_ascii_alphanumeric());
        let arabic_next = next.is_some_and(|n| ('\u{0600}'..='\u{06ff}').contains(&n));
        // A one-letter word before a full stop is an abbreviation (د.محمد).
        let abbreviation = c == '.'
            && !prev
                .and_then(|p| self.char_before(i - p.len_utf8()))
                .is_some_and(is_alnum);
        // An ellipsis around a full stop: the one before it or the one after it is a stop too.
        let ellipsis = prev == Some('.') || next == Some('.');
        if letter_next
            && arabic_next
            && !digits_around
            && !latin
            && prev.is_some_and(is_alnum)
            && c != '.'
            || (c == '.'
                && !abbreviation
                && letter_next
                && arabic_next
                && prev.is_some_and(|p| ('\u{0621}'..='\u{064a}').contains(&p))
                && !ellipsis)
        {
            let at = self.at(i);
            self.out.push(
                Diagnostic::new(
                    META.id,
                    Severity::Info,
                    at,
                    at + 1,
                    format!("no space after “{c}”"),
                )
                .with_fix("insert a space", at + 1, at + 1, " "),
            );
        }
    }
}

/// Whether a space, tab or NBSP starts at byte `i`.
fn is_space_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(b' ' | b'\t') => true,
        Some(0xc2) => bytes.get(i + 1) == Some(&0xa0),
        _ => false,
    }
}

/// The start of the run of spaces, tabs and NBSP that ends at byte `i` or holds it (`i` when
/// there is none).
fn space_run_start(bytes: &[u8], i: usize) -> usize {
    let mut s = i;
    while s > 0 {
        match bytes[s - 1] {
            b' ' | b'\t' => s -= 1,
            0xa0 if s >= 2 && bytes[s - 2] == 0xc2 => s -= 2,
            _ => break,
        }
    }
    s
}

/// The end (bytes) and length (characters) of the run of spaces, tabs and NBSP at byte `i`.
fn space_run(bytes: &[u8], i: usize) -> (usize, usize) {
    let (mut j, mut chars) = (i, 0);
    loop {
        match (bytes.get(j), bytes.get(j + 1)) {
            (Some(b' ' | b'\t'), _) => j += 1,
            (Some(0xc2), Some(0xa0)) => j += 2,
            _ => return (j, chars),
        }
        chars += 1;
    }
}

/// Whether the character at byte `j` may be one a space before is reported for
/// (، ؛ ؟ , ; : . ! ?): a test of its bytes that may say yes wrongly, never no wrongly.
fn may_be_punctuation(bytes: &[u8], j: usize) -> bool {
    match bytes.get(j) {
        Some(b',' | b';' | b':' | b'.' | b'!' | b'?') => true,
        Some(0xd8) => matches!(bytes.get(j + 1), Some(0x8c | 0x9b | 0x9f)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{count_chars, is_alnum, Diagnostic, Line, Severity, META};
    use crate::analysis::rules::testing::{check, render};

    const NBSP: char = '\u{a0}';

    fn is_space(c: char) -> bool {
        c == ' ' || c == '\t' || c == NBSP
    }

    /// The findings of one line by a walk over every character: what [`super::Walk`]
    /// replaced.
    fn check_line_by_chars(line: &Line<'_>, arabic: bool, out: &mut Vec<Diagnostic>) {
        let text = line.text;
        // Code points of the line; `line.end - line.start` counts them already.
        let n = line.end - line.start;
        let at = |i: usize| line.start + i;
        let trimmed_end = text.trim_end();
        let trimmed = trimmed_end.trim_start();
        // A line of whitespace only.
        if n > 0 && trimmed.is_empty() {
            out.push(
                Diagnostic::new(
                    META.id,
                    Severity::Hint,
                    at(0),
                    at(n),
                    "this blank line holds whitespace",
                )
                .with_fix("empty the line", at(0), at(n), ""),
            );
            return;
        }
        // Trailing whitespace.
        let content_end = n - count_chars(&text.as_bytes()[trimmed_end.len()..]);
        if content_end < n {
            out.push(
                Diagnostic::new(
                    META.id,
                    Severity::Hint,
                    at(content_end),
                    at(n),
                    "trailing whitespace",
                )
                .with_fix(
                    "remove the trailing whitespace",
                    at(content_end),
                    at(n),
                    "",
                ),
            );
        }
        // The rest looks at characters around each space and punctuation mark.
        let chars: Vec<char> = text.chars().collect();
        let lead = count_chars(&text.as_bytes()[..trimmed_end.len() - trimmed.len()]);
        let mut i = lead;
        while i < content_end {
            let c = chars[i];
            if is_space(c) {
                let mut j = i;
                while j < content_end && is_space(chars[j]) {
                    j += 1;
                }
                let run = &chars[i..j];
                let next = chars.get(j).copied();
                let prev = i.checked_sub(1).map(|p| chars[p]);
                if matches!(
                    next,
                    Some('،' | '؛' | ',' | ';' | ':' | '.' | '!' | '?' | '؟')
                ) && prev.is_some_and(is_alnum)
                    && !next_is_ellipsis(&chars, j)
                {
                    out.push(
                        Diagnostic::new(
                            META.id,
                            Severity::Info,
                            at(i),
                            at(j),
                            format!("space before “{}”", next.unwrap_or(' ')),
                        )
                        .with_fix("remove the space", at(i), at(j), ""),
                    );
                } else if run.len() > 1 {
                    // With NBSP in it, the run is scraped noise like a lone NBSP: a hint.
                    let (msg, sev) = if run.contains(&NBSP) {
                        ("a run of spaces, with non-breaking ones", Severity::Hint)
                    } else {
                        ("a run of spaces", Severity::Info)
                    };
                    out.push(Diagnostic::new(META.id, sev, at(i), at(j), msg).with_fix(
                        "use one space",
                        at(i),
                        at(j),
                        " ",
                    ));
                } else if run[0] == NBSP {
                    out.push(
                        Diagnostic::new(
                            META.id,
                            Severity::Hint,
                            at(i),
                            at(j),
                            "a non-breaking space between words",
                        )
                        .with_fix("use a plain space", at(i), at(j), " "),
                    );
                }
                // A detached Arabic و: a lone و word followed by a word.
                if arabic && prev == Some('و') && run.len() == 1 && next.is_some_and(is_alnum) {
                    let before = i.checked_sub(2).map(|p| chars[p]);
                    let next_is_digit = next.is_some_and(|c| c.is_numeric());
                    if !before.is_some_and(is_alnum) && !next_is_digit {
                        out.push(
                            Diagnostic::new(
                                META.id,
                                Severity::Info,
                                at(i - 1),
                                at(j),
                                "the conjunction و is written apart from its word",
                            )
                            .with_fix(
                                "join و to the next word",
                                at(i),
                                at(j),
                                "",
                            ),
                        );
                    }
                }
                i = j;
                continue;
            }
            // A missing space after Arabic punctuation (، ؛) and after : or . before a letter.
            if matches!(c, '،' | '؛' | ':' | '.') {
                let next = chars.get(i + 1).copied();
                let prev = i.checked_sub(1).map(|p| chars[p]);
                let letter_next = next.is_some_and(|n| n.is_alphabetic());
                let digits_around =
                    prev.is_some_and(|p| p.is_numeric()) && next.is_some_and(|n| n.is_numeric());
                let latin = prev.is_some_and(|p| p.is_ascii_alphanumeric())
                    || next.is_some_and(|n| n.is_ascii_alphanumeric());
                let arabic_next = next.is_some_and(|n| ('\u{0600}'..='\u{06ff}').contains(&n));
                // A one-letter word before a full stop is an abbreviation (د.محمد).
                let abbreviation = c == '.' && (i < 2 || !is_alnum(chars[i - 2]));
                if letter_next
                    && arabic_next
                    && !digits_around
                    && !latin
                    && prev.is_some_and(is_alnum)
                    && c != '.'
                    || (c == '.'
                        && !abbreviation
                        && letter_next
                        && arabic_next
                        && prev.is_some_and(|p| ('\u{0621}'..='\u{064a}').contains(&p))
                        && !next_is_ellipsis(&chars, i))
                {
                    out.push(
                        Diagnostic::new(
                            META.id,
                            Severity::Info,
                            at(i),
                            at(i + 1),
                            format!("no space after “{c}”"),
                        )
                        .with_fix(
                            "insert a space",
                            at(i + 1),
                            at(i + 1),
                            " ",
                        ),
                    );
                }
            }
            i += 1;
        }
    }

    /// Is there an ellipsis (… or ..) at `j`?
    fn next_is_ellipsis(chars: &[char], j: usize) -> bool {
        chars.get(j) == Some(&'…')
            || (chars.get(j) == Some(&'.') && chars.get(j + 1) == Some(&'.'))
            || (j > 0 && chars.get(j - 1) == Some(&'.') && chars.get(j) == Some(&'.'))
    }

    #[test]
    fn runs_nbsp_trailing() {
        check("spacing", "قال الوزير⟦  ⟧إن الاجتماع انتهى");
        check("spacing", "قال الوزير⟦\u{a0}⟧إن الاجتماع انتهى");
        check("spacing", "قال الوزير إن الاجتماع انتهى⟦  ⟧\nوأضاف أنه");
        check("spacing", "سطر\n⟦ \u{a0} ⟧\nسطر");
    }

    #[test]
    fn punctuation() {
        check("spacing", "قال مسؤول روسي⟦ ⟧، إن الاجتماع سيعقد");
        check("spacing", "بعد انتهاء المشاورات⟦،⟧بعد ذلك");
        check("spacing", "وقال⟦:⟧ان الاجتماع");
        expect_test::expect![[r#"
            1:15-1:16 info space before “،” [ ]
              fix: remove the space 14..15=""
        "#]]
        .assert_eq(&render("spacing", "قال مسؤول روسي ، إن"));
    }

    #[test]
    fn numbers_times_ellipses_are_not_missing_spaces() {
        check("spacing", "الساعة 06:03:29 و٠٦:٠٣ ونسبة 1.5 و١٫٥ بالمئة");
        check("spacing", "عقد الاجتماع الأول...ثم انتهى");
        check("spacing", "visit www.example.com or mail a.b@c.d now");
        check("spacing", "الثلاثاء،...\" /> عقد");
        check("spacing", "قال د.محمد إن الاجتماع");
    }

    #[test]
    fn walk_agrees_with_the_character_walk() {
        let pieces = [
            "و", "ا", "ب", "ی", "ك", "د", " ", " ", " ", "  ", "،", "؛", ":", ".", "..", ",", "؟",
            "!", "\u{a0}", "\t", "1", "٣", "۷", "…", "«", "a", "Z", "\u{200c}", "\u{64e}", "😀",
            "\u{2003}", "_", "و ", " و", "ال",
        ];
        let mut rng = crate::analysis::rules::testing::Lcg(5);
        let mut found = 0;
        let mut stops = Vec::new();
        for round in 0..30000 {
            let body: String = (0..1 + rng.below(14))
                .map(|_| pieces[rng.below(pieces.len())])
                .collect();
            // Inside an Arabic paragraph, and alone (where the line's own ends are whitespace
            // or punctuation).
            let text = if round % 2 == 0 {
                format!("قال المسؤول في هذا الاجتماع {body} في المنطقة")
            } else {
                body
            };
            let n = text.chars().count();
            let line = Line {
                index: 0,
                text: &text,
                start: 3,
                end: 3 + n,
                byte_start: 0,
            };
            for arabic in [true, false] {
                let (mut want, mut got) = (Vec::new(), Vec::new());
                check_line_by_chars(&line, arabic, &mut want);
                super::check_line(&line, arabic, &mut stops, &mut got);
                assert_eq!(got, want, "{text:?} arabic={arabic}");
                found += want.len();
            }
        }
        assert!(found > 30000, "{found} findings");
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The stops searched for over the whole article and shared out to its lines find
        /// what each line's own search finds (in Arabic and Persian paragraphs, with every
        /// kind of line break, blank lines and whitespace at both ends).
        #[test]
        fn article_stops_find_what_line_stops_find(t in proptest::collection::vec(
            proptest::sample::select(vec![
                "و", "ا", "ب", "ی", "ك", "گ", "پ", " ", " ", "  ", "،", "؛", ":", ".", "..", ",",
                "؟", "?", "!", ";", "\u{a0}", "\t", "1", "٣", "۷", "…", "«", "a", "\u{200c}",
                "\u{64e}", "😀", "\u{2003}", "و ", " و ", "ال", "\n", "\r\n", "\r", "\n\n",
                " \n", "\u{a0}\n", "قال المسؤول في هذا الاجتماع ", "این کتاب را خواندم ",
                "\u{8c}", "\u{c2}", "ی،", "ی ،",
            ]),
            0..60,
        ).prop_map(|v| v.concat())) {
            let (article, lines) = crate::analysis::rules::testing::with_context(&t, |cx| {
                let mut article = Vec::new();
                super::Rule::check(&super::Spacing, cx, &mut article);
                let mut lines = Vec::new();
                let mut stops = Vec::new();
                for (li, line) in cx.prep.lines.iter().enumerate() {
                    let arabic =
                        cx.prep.langs.get(li).copied() == Some(crate::analysis::script::Lang::Arabic);
                    super::check_line(line, arabic, &mut stops, &mut lines);
                }
                (article, lines)
            });
            proptest::prop_assert_eq!(article, lines);
        }
    }

    #[test]
    fn detached_waw_in_arabic_only() {
        check(
            "spacing",
            "بين ايران وسوريا ⟦و ⟧روسيا وجبهة المقاومة في المنطقة",
        );
        check(
            "spacing",
            "در این دیدار ایران و روسیه و سوریه گفتند که همکاری ادامه دارد",
        );
        check("spacing", "بين ٣ و ٤ ساعات في المنطقة التي");
    }
}
