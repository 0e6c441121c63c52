//! `unattributed-quote`: a quotation with no source named for it.
//!
//! A quotation is only reported when it is longer than a few words and is not a name: «سانا»,
//! «فارس» and «سرگئی شویگو» are names in guillemets. It counts as attributed when its paragraph
//! (or, for a quotation opening a paragraph, the one before) names a speaker: a speech verb
//! (قال، أضاف، أكد، گفت، افزود …), an attribution (وفق، نقلا عن، به گزارش …) or a person from the
//! knowledge base. Quotes are paired over the whole article, since news often closes a
//! quotation only at the end of its last paragraph.

use super::attribution::{cp_at, quotes};
use super::{Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::kb::Kind;
use crate::analysis::normalize::{fold, fold_into, is_word_char};
use crate::analysis::script::FastHash;
use crate::analysis::text::count_chars;
use std::collections::HashSet;
use std::sync::OnceLock;

pub struct UnattributedQuote;

static META: RuleMeta = RuleMeta {
    id: "unattributed-quote",
    default_severity: Severity::Info,
    summary: "a quotation with no source named",
    help: "## What it does\n\n\
Reports a quotation of five words or more whose paragraph names no speaker: no speech verb \
(قال، أضاف، أكد، گفت، افزود …), no attribution (وفق، نقلا عن، به گزارش …) and no person from \
the knowledge base. Names in guillemets («سانا», «سرگئی شویگو») are not quotations.\n\n\
## Why it matters\n\n\
A quotation without a speaker cannot be verified or attributed in the annotated corpus.\n\n\
## Example\n\n\
`«إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة»` standing alone is reported; \
`وقال الوزير: «إن الحل السياسي …»` is not.\n",
    fixable: false,
};

const MIN_WORDS: usize = 5;

const SPEECH: &[&str] = &[
    "قال",
    "قالت",
    "يقول",
    "تقول",
    "أضاف",
    "أضافت",
    "يضيف",
    "أكد",
    "أكدت",
    "يؤكد",
    "أوضح",
    "أوضحت",
    "صرح",
    "صرحت",
    "تابع",
    "تابعت",
    "لافتا",
    "مشددا",
    "داعيا",
    "مؤكدا",
    "معتبرا",
    "مضيفا",
    "موضحا",
    "أشار",
    "أشارت",
    "ذكر",
    "ذكرت",
    "قوله",
    "بقوله",
    "أعلن",
    "أعلنت",
    "كتب",
    "كتبت",
    "اعتبر",
    "شدد",
    "نقل",
    "نقلت",
    "عنه",
    "لسان",
    "وفق",
    "حسب",
    "بحسب",
    "متسائلا",
    "مضيفة",
    "قائلا",
    "قائلة",
    "يرى",
    "گفت",
    "افزود",
    "اظهار",
    "تاکید",
    "نوشت",
    "اعلام",
    "تصریح",
    "خاطرنشان",
    "گفته",
];

/// The folded [`SPEECH`] words, as a set, with a cheaper test that rules out nearly every
/// other word: every word around a quotation is looked up, and hashing each for the set was
/// half the cost of the look-up.
struct Speech {
    set: HashSet<String, FastHash>,
    /// Bit [`Speech::key`] of each word of the set.
    keys: Box<[u64]>,
    /// The shortest and longest word of the set, in bytes.
    len: (usize, usize),
}

/// Bits in [`Speech::keys`]: few words share one.
const KEY_BITS: u32 = 14;

impl Speech {
    /// A number below 2^[`KEY_BITS`] from a word's length and its first and last bytes.
    fn key(w: &[u8]) -> usize {
        let (first, last) = (w.first().copied(), w.last().copied());
        let mix = |b: Option<u8>| u32::from(b.unwrap_or(0));
        let second = mix(w.get(1).copied());
        let penultimate = mix(w.len().checked_sub(2).and_then(|i| w.get(i)).copied());
        let h = (w.len() as u32)
            ^ (mix(first) << 8)
            ^ (second << 16)
            ^ (mix(last) << 24)
            ^ penultimate.rotate_left(4);
        (h.wrapping_mul(0x9e37_79b1) >> (32 - KEY_BITS)) as usize
    }

    /// Whether folded word `w` is in the set.
    fn contains(&self, w: &str) -> bool {
        let k = Self::key(w.as_bytes());
        (self.len.0..=self.len.1).contains(&w.len())
            && self
                .keys
                .get(k / 64)
                .is_some_and(|b| b & (1 << (k % 64)) != 0)
            && self.set.contains(w)
    }
}

fn speech_words() -> &'static Speech {
    static S: OnceLock<Speech> = OnceLock::new();
    S.get_or_init(|| {
        let set: HashSet<String, FastHash> = SPEECH.iter().map(|w| fold(w)).collect();
        let mut keys = vec![0u64; 1 << (KEY_BITS - 6)].into_boxed_slice();
        for w in &set {
            let k = Speech::key(w.as_bytes());
            keys[k / 64] |= 1 << (k % 64);
        }
        let len = (
            set.iter().map(String::len).min().unwrap_or(0),
            set.iter().map(String::len).max().unwrap_or(0),
        );
        Speech { set, keys, len }
    })
}

/// The words of folded text: runs of [`is_word_char`] characters, found with one table load
/// per character of one or two bytes (a letter of folded Arabic text is two), where
/// splitting the `str` at a closure decoded every character and looked it up.
struct Words<'a> {
    text: &'a str,
    pos: usize,
    classes: &'static [u8],
}

fn words(text: &str) -> Words<'_> {
    Words {
        text,
        pos: 0,
        classes: pair_classes(),
    }
}

/// By a character's first byte and the next (`b0 << 8 | b1`): its length when it is of one
/// or two bytes (1 or 2), plus 4 when it is a word character; 0 for the others.
fn pair_classes() -> &'static [u8] {
    static T: OnceLock<Box<[u8]>> = OnceLock::new();
    T.get_or_init(|| {
        (0..0x10000usize)
            .map(|i| {
                let (b0, b1) = ((i >> 8) as u8, (i & 0xff) as u8);
                let (len, c) = if b0 < 0x80 {
                    (1, Some(char::from(b0)))
                } else if (0xc2..0xe0).contains(&b0) && b1 & 0xc0 == 0x80 {
                    let cp = (u32::from(b0 & 0x1f) << 6) | u32::from(b1 & 0x3f);
                    (2, char::from_u32(cp))
                } else {
                    (0, None)
                };
                match c {
                    Some(c) => len | if is_word_char(c) { 4 } else { 0 },
                    None => 0,
                }
            })
            .collect()
    })
}

/// The length of the character at byte `p` of `text` (a char boundary) and whether it is a
/// word character.
#[inline(always)]
fn class_at(text: &str, classes: &[u8], p: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let b0 = bytes.get(p).copied().unwrap_or(0);
    let b1 = bytes.get(p + 1).copied().unwrap_or(0);
    match classes.get((usize::from(b0) << 8) | usize::from(b1)) {
        Some(&v) if v != 0 => (usize::from(v & 3), v & 4 != 0),
        _ => text
            .get(p..)
            .and_then(|s| s.chars().next())
            .map_or((1, false), |c| (c.len_utf8(), is_word_char(c))),
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let mut start = None;
        while self.pos < self.text.len() {
            let p = self.pos;
            let (len, word) = class_at(self.text, self.classes, p);
            if word {
                start.get_or_insert(p);
            } else if let Some(s) = start {
                return self.text.get(s..p);
            }
            self.pos = p + len;
        }
        start.and_then(|s| self.text.get(s..))
    }
}

/// Does folded `text` hold a speech verb (with a proclitic و/ف/ل allowed)?
fn has_speech(text: &str) -> bool {
    let speech = speech_words();
    words(text).any(|w| is_speech(speech, w))
}

/// Whether `text` holds a speech verb once folded. Folding is local to characters apart from
/// runs of spaces, so the parts of a space-joined context can be looked at one at a time, folded
/// into one reused buffer.
fn part_has_speech(text: &str, buf: &mut String) -> bool {
    fold_into(text, buf);
    has_speech(buf)
}

/// Bytes `from..to` of the folded text, on line `.0`.
type Part = (usize, usize, usize);

/// [`has_speech`] of bytes `from..to` of the folded text, which lie on line `li` and start and
/// end beside characters that are not word characters, read from the article's shared words
/// instead of splitting the text again: where no character is alphanumeric but not a word
/// character, the words split here are the shared words joined by ZWNJ, and a word that holds
/// a ZWNJ is never a speech verb (no speech verb holds one, and stripping proclitics leaves it).
fn words_have_speech(cx: &Context<'_>, li: usize, from: usize, to: usize) -> bool {
    let folded = cx.prep.norm.text.as_str();
    let Some(line) = cx.prep.words().line(li) else {
        return has_speech(folded.get(from..to).unwrap_or(""));
    };
    let zwnj = "\u{200c}".as_bytes();
    let bytes = folded.as_bytes();
    let first = line.partition_point(|w| (w.start as usize) < from);
    let speech = speech_words();
    line[first..]
        .iter()
        .take_while(|w| w.end as usize <= to)
        .any(|w| {
            let (s, e) = (w.start as usize, w.end as usize);
            let joined = bytes.get(s.saturating_sub(3)..s) == Some(zwnj)
                || bytes.get(e..e + 3) == Some(zwnj);
            !joined && folded.get(s..e).is_some_and(|w| is_speech(speech, w))
        })
}

/// Whether folded word `w` is a speech verb, with proclitics و/ف (up to two) and ل allowed.
/// The word is tried whole before any letter is stripped, because some speech words start
/// with those letters themselves (وفق, which stripping every و/ف would turn into ق).
fn is_speech(speech: &Speech, w: &str) -> bool {
    let mut w = w;
    for _ in 0..3 {
        if speech.contains(w) || w.strip_prefix('ل').is_some_and(|r| speech.contains(r)) {
            return true;
        }
        match w.strip_prefix(['و', 'ف']) {
            Some(rest) => w = rest,
            None => return false,
        }
    }
    false
}

/// The length in bytes of the character at byte `b` of `text` (a quotation mark).
fn char_len_at(text: &str, b: usize) -> usize {
    text.get(b..)
        .and_then(|s| s.chars().next())
        .map_or(0, char::len_utf8)
}

impl Rule for UnattributedQuote {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        check_quotes(cx, out, true);
    }
}

/// The rule, reading the article's folded text where `use_folded` (folding its parts again
/// otherwise, as the tests compare).
fn check_quotes(cx: &Context<'_>, out: &mut Vec<Diagnostic>, use_folded: bool) {
    {
        let qs = quotes(cx);
        if qs.is_empty() {
            return;
        }
        let prep = cx.prep;
        let text = prep.text;
        let folded = prep.norm.text.as_str();
        let ql = cx.quote_lines();
        let mut buf = String::new();
        // The shared words are the words split here unless a character splits them otherwise.
        let shared_words = use_folded && !cx.holds_split_chars();
        for q in qs {
            let content_start = q.open_byte + char_len_at(text, q.open_byte);
            let content = text.get(content_start..q.close_byte).unwrap_or("");
            // The folded text between the marks, around them in their paragraphs, and of the
            // paragraph before: the article is folded already, so only a quotation whose
            // marks could not be found there is folded again.
            let (first_line, last_line) = (q.open_line, q.close_line);
            let fparts = q.folded.filter(|_| use_folded).and_then(|(fo, fc)| {
                let (fs, _) = ql.folded_line(prep.words(), first_line)?;
                let (_, fe) = ql.folded_line(prep.words(), last_line)?;
                let content_start = fo + char_len_at(folded, fo);
                let content = (folded.get(content_start..fc)?, (content_start, fc));
                let after_start = fc + char_len_at(folded, fc);
                let before = (folded.get(fs..fo)?, (first_line, fs, fo));
                let after = (folded.get(after_start..fe)?, (last_line, after_start, fe));
                Some((content, before, after))
            });
            // The content's words, counted only as far as the rule needs until it reports.
            let content_words = |max: usize, buf: &mut String| match fparts {
                Some(((c, (from, to)), ..)) => shared_words
                    .then(|| shared_word_count(cx, (first_line, last_line), (from, to), max))
                    .flatten()
                    .unwrap_or_else(|| count_words(c, max)),
                None => {
                    fold_into(content, buf);
                    count_words(buf, max)
                }
            };
            if content_words(MIN_WORDS, &mut buf) < MIN_WORDS {
                continue;
            }
            // The closing mark is one character after the content, which is counted anyway.
            let content_chars = count_chars(content.as_bytes());
            let open = cp_at(prep, first_line, q.open_byte);
            let close = open + 1 + content_chars;
            // A name in guillemets: a mention covering most of the content.
            let covered: usize = cx
                .mentions
                .iter()
                .filter(|m| m.start > open && m.end <= close)
                .map(|m| m.end - m.start)
                .sum();
            if covered * 10 >= content_chars * 6 {
                continue;
            }
            // Where a speaker may be named: the opening paragraph up to the quote, the closing
            // paragraph after it, and the paragraph before when the quote opens its own.
            let open_line = &prep.lines[first_line];
            let before = text.get(open_line.byte_start..q.open_byte).unwrap_or("");
            let close_line = &prep.lines[last_line];
            let after = text
                .get(
                    q.close_byte + char_len_at(text, q.close_byte)
                        ..close_line.byte_start + close_line.text.len(),
                )
                .unwrap_or("");
            let opens_paragraph = before.trim().is_empty();
            let prev = if opens_paragraph {
                (0..first_line)
                    .rev()
                    .find(|&i| !prep.lines[i].text.trim().is_empty())
            } else {
                None
            };
            let ctx_start = if opens_paragraph {
                prep.lines
                    .get(first_line.saturating_sub(2))
                    .map(|l| l.start)
                    .unwrap_or(0)
            } else {
                open_line.start
            };
            let ctx_end = close_line.end;
            // A part of the text holds a speech verb: looked up in its folded form when known,
            // among the article's words where they are the words this rule splits.
            let mut speech = |part: &str, folded_part: Option<(&str, Part)>| match folded_part {
                Some((_, (li, from, to))) if shared_words => words_have_speech(cx, li, from, to),
                Some((f, _)) => has_speech(f),
                None => part_has_speech(part, &mut buf),
            };
            let attributed = cx.mentions.iter().any(|m| {
                cx.kb.entity(m.entity).kind == Kind::Person
                    && m.start >= ctx_start
                    && m.end <= ctx_end
                    && (m.end <= open || m.start > close)
            }) || cx.attributions().iter().any(|a| {
                a.trigger.start >= ctx_start
                    && a.trigger.start < ctx_end
                    && (a.trigger.start < open || a.trigger.start > close)
            }) || speech(before, fparts.map(|p| p.1))
                || speech(after, fparts.map(|p| p.2))
                || prev.is_some_and(|i| {
                    let fline = ql
                        .folded_line(prep.words(), i)
                        .filter(|_| use_folded)
                        .and_then(|(s, e)| Some((folded.get(s..e)?, (i, s, e))));
                    speech(prep.lines[i].text, fline)
                });
            if !attributed {
                let n_words = content_words(usize::MAX, &mut buf);
                out.push(Diagnostic::new(
                    META.id,
                    Severity::Info,
                    open,
                    close + 1,
                    format!("a quotation of {n_words} words with no source named"),
                ));
            }
        }
    }
}

/// [`count_words`] of bytes `from..to` of the folded text, on lines `first..=last` and between
/// quotation marks, from the article's shared words: where no character splits words otherwise
/// and the bytes hold no ZWNJ (which joins words here), those are the words split here. `None`
/// where they hold one.
fn shared_word_count(
    cx: &Context<'_>,
    (first, last): (usize, usize),
    (from, to): (usize, usize),
    max: usize,
) -> Option<usize> {
    let range = cx.prep.norm.text.as_bytes().get(from..to)?;
    if memchr::memmem::find(range, "\u{200c}".as_bytes()).is_some() {
        return None;
    }
    let words = cx.prep.words();
    let mut n = 0;
    for li in first..=last {
        let line = words.line(li)?;
        // Words never cross a quotation mark: those that start before `from` end before it.
        let before = line.partition_point(|w| (w.start as usize) < from);
        let upto = line.partition_point(|w| (w.end as usize) <= to);
        n += upto.saturating_sub(before);
        if n >= max {
            return Some(max);
        }
    }
    Some(n)
}

/// The words of folded `text`, counted up to `max`.
fn count_words(text: &str, max: usize) -> usize {
    words(text).take(max).count()
}

#[cfg(test)]
mod tests {
    use crate::analysis::rules::testing::{check, render};

    #[test]
    fn quotation_without_a_speaker() {
        check(
            "unattributed-quote",
            "مقدمة الخبر.\n\n⟦«إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة في البلاد»⟧.",
        );
        expect_test::expect![[r#"
            1:1-1:27 info a quotation of 5 words with no source named [«إن الحل هو الطريق الوحيد»]
        "#]]
        .assert_eq(&render("unattributed-quote", "«إن الحل هو الطريق الوحيد»"));
    }

    #[test]
    fn speech_words_that_start_like_a_proclitic() {
        let speech = super::speech_words();
        for w in [
            "وفق",
            "ووفق",
            "قال",
            "وقال",
            "فقال",
            "وفقال",
            "لأكد",
            "وحسب",
            "بحسب",
        ] {
            let folded = crate::analysis::normalize::fold(w);
            assert!(super::is_speech(speech, &folded), "{w}");
        }
        for w in ["ق", "وفقه", "ووفقال", "وطن"] {
            let folded = crate::analysis::normalize::fold(w);
            assert!(!super::is_speech(speech, &folded), "{w}");
        }
        check(
            "unattributed-quote",
            "ووفق المصدر فإن «الحل السياسي هو الطريق الوحيد لإنهاء الأزمة»",
        );
    }

    #[test]
    fn attributed_quotations() {
        check(
            "unattributed-quote",
            "وقال الوزير: «إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة»",
        );
        check(
            "unattributed-quote",
            "«إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة»، قال الوزير",
        );
        check(
            "unattributed-quote",
            "وأكد علي شمخاني أن «التعاون السوري الإيراني يصب في دعم الأمن الإقليمي»",
        );
        check(
            "unattributed-quote",
            "وقال: \"اذا أوقفت الأطراف المقابلة الدعم سيعود الأمن\"",
        );
        check("unattributed-quote", "وأضاف المتحدث في بيانه:\n«لقد تابعنا ما جرى في الاجتماع ونحن نرحب\n\nبكل جهد صادق يخدم الاستقرار»");
    }

    #[test]
    fn names_in_guillemets_are_not_quotations() {
        check(
            "unattributed-quote",
            "ذكرت وكالة «سانا» و«فارس» أن الاجتماع انتهى",
        );
        check("unattributed-quote", "ارتشبد «سرگئی شویگو» وزیر دفاع روسیه");
        check("unattributed-quote", "«أربع كلمات فقط هنا»");
    }

    proptest::proptest! {
        /// Reading the article's folded text finds what folding the parts again finds.
        #[test]
        fn folded_text_agrees_with_folding_again(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "قال", "وقال", "لقال", " ", " ", "«", "»", "\"", "“", "”", "\u{a0}", "\u{200c}",
                "\n", "\r\n", "\r", "\" />", "سانا", "الحل", "هو", "الطريق", "إن", "ً", "ـ",
                "😀", "٣", "x", "،", "أكد", "گفت", "شويگو", "\u{654}", "ی", "ة", "ما",
                "²", "½", "وفقال", "گفت\u{200c}", "\u{200c}قال", "لأكد", "ۀ", "\u{0660}",
            ]), 0..60)
        ) {
            let text = parts.concat();
            crate::analysis::rules::testing::with_context(&text, |cx| {
                let (mut fast, mut slow) = (Vec::new(), Vec::new());
                super::check_quotes(cx, &mut fast, true);
                super::check_quotes(cx, &mut slow, false);
                let key = |d: &crate::analysis::diagnostic::Diagnostic| (d.start, d.end, d.message.clone());
                assert_eq!(fast.iter().map(key).collect::<Vec<_>>(), slow.iter().map(key).collect::<Vec<_>>());
            });
        }

        /// Words split by the table are the runs of word characters, and the key bitmap never
        /// turns a speech word away.
        #[test]
        fn words_and_speech_look_up(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "قال", "وفقال", "لأكد", " ", "\u{200c}", "«", "ً", "😀", "٣", "x", "Z", "،", "\n",
                "\u{a0}", "é", "گفت", "_", "9",
            ]), 0..30)
        ) {
            let text = crate::analysis::normalize::fold(&parts.concat());
            let want: Vec<&str> = text
                .split(|c: char| !crate::analysis::normalize::is_word_char(c))
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(super::words(&text).collect::<Vec<_>>(), want);
            let speech = super::speech_words();
            for w in want {
                assert_eq!(speech.contains(w), speech.set.contains(w), "{w}");
            }
            for w in &speech.set {
                assert!(speech.contains(w), "{w}");
            }
        }
    }
}
