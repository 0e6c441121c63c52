//! `scraper-boilerplate`: HTML remnants, entities and site navigation left by a scraper.
//!
//! A scraper that takes a page's text rather than its article body brings along what surrounds
//! the article: most-read lists, tag labels, comment counters, QR-code widgets, the site's news
//! code, and fragments of markup (`" />`, `&quot;`). None of it is the article, and all of it
//! pollutes counts, language models and search.
//!
//! Navigation is recognised by whole lines only: a navigation line is short and made (almost)
//! only of a known label, so a word such as «الأكثر» inside a sentence is never taken for one.
//! Labels are compared after folding (ي/ی, ك/ک, alef forms) with punctuation dropped, so one list
//! serves Arabic and Persian spellings alike.
//!
//! Decisions:
//! - `/انتهى/` is not reported: it is an agency's end-of-text marker (real agency practice, and a
//!   useful one: it says the text was not cut), not something a scraper added.
//! - Metadata lines (the site's news code, "last modified") are reported without a fix: they are
//!   not article text, but they carry provenance a curator may want to move rather than lose.
//! - A link-back footer glued to the last paragraph (رابط الخبر بصحيفة الوئام: <headline>) is
//!   reported without a fix: it repeats the headline, but it also names the source.
//! - HTML entities are reported once per line, with one fix that decodes them all, so an article
//!   full of `&quot;` gives one finding per paragraph rather than one per quote mark.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use super::{deletion_span, Context, Rule, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::analysis::normalize::fold;
use crate::analysis::script::FastHash;
use crate::analysis::text::Line;

pub struct ScraperBoilerplate;

static META: RuleMeta = RuleMeta {
    id: "scraper-boilerplate",
    default_severity: Severity::Warning,
    summary: "HTML remnants, entities and site navigation left by a scraper",
    help: "## What it does\n\n\
Reports what a scraper brought along with the article: HTML tags and fragments (`<br>`, `\" />`), \
HTML entities (`&quot;`, `&nbsp;`, `&#8220;`), and whole lines of site navigation: most-read \
lists (الأكثر قراءة، أهم الأخبار، پربازدیدترین), tag labels (كلمات دليلية، برچسب ها), comment \
counters (ارسال نظرات، تعليقات), widgets (newsQrCode), classified-ads links (نیازمندی ها) and \
metadata lines (کد خبر: ۹۱۲۰۹۰, last modified …).\n\n\
A navigation line is a short line made only of such a label (and a few section names); the \
same words inside a sentence are not reported. The agency end marker `/انتهى/` is not reported.\n\n\
## Why it matters\n\n\
Boilerplate is not the article: it inflates word counts, repeats across thousands of files, and \
misleads anything trained or searched on the corpus.\n\n\
## Example\n\n\
`أهم الأخبار ايران` on its own line at the end of an article: the fix deletes the line. \
`&quot;سبق&quot;` → `\"سبق\"`. A link-back footer (`رابط الخبر بصحيفة …: <headline>`) at the \
end of a paragraph is reported from its start to the end of the line. Metadata lines (news \
code, last-modified date) and footers have no fix, since they may be worth keeping elsewhere.\n",
    fixable: true,
};

/// What kind of whole line it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    /// Navigation the site wraps around every article: safe to delete.
    Navigation(&'static str),
    /// Site metadata (news code, modification date): not article text, but not deleted blindly.
    Metadata(&'static str),
}

/// Labels that start a navigation line; a few more words (section names) may follow.
const NAV_LABELS: &[(&str, &str)] = &[
    ("الأكثر قراءة", "a most-read list"),
    ("الأكثر مشاهدة", "a most-read list"),
    ("الأكثر تعليقا", "a most-read list"),
    ("الأكثر تداولا", "a most-read list"),
    ("الأكثر شعبية", "a most-read list"),
    ("أهم الأخبار", "a headline list"),
    ("عناوين مختارة", "a headline list"),
    ("آخر الأخبار", "a headline list"),
    ("أخبار ذات صلة", "a related-news list"),
    ("مواضيع ذات صلة", "a related-news list"),
    ("اقرأ أيضا", "a related-news link"),
    ("اقرأ المزيد", "a read-more link"),
    ("المزيد", "a read-more link"),
    ("پربازدیدترین", "a most-read list"),
    ("پربازدیدترین ها", "a most-read list"),
    ("پربحث ترین", "a most-read list"),
    ("پربیننده ترین", "a most-read list"),
    ("پرطرفدارترین", "a most-read list"),
    ("آخرین اخبار", "a headline list"),
    ("اخبار مرتبط", "a related-news list"),
    ("مطالب مرتبط", "a related-news list"),
    ("بیشتر بخوانید", "a related-news link"),
    ("نیازمندی ها", "a classified-ads link"),
];

/// Labels that start a tag list; any number of tags may follow (up to [`MAX_TAG_WORDS`]).
const TAG_LABELS: &[&str] = &[
    "كلمات دليلية",
    "الكلمات الدليلية",
    "كلمات مفتاحية",
    "الكلمات المفتاحية",
    "الكلمات الدلالية",
    "الوسوم",
    "وسوم",
    "برچسب ها",
    "برچسب",
    "کلید واژه ها",
    "کلیدواژه ها",
    "کلمات کلیدی",
];

/// Lines that are exactly a widget or a comment counter (digits allowed anywhere).
const WIDGET_LINES: &[(&str, &str)] = &[
    ("newsqrcode", "a QR-code widget"),
    ("qrcode", "a QR-code widget"),
    ("طباعة", "a page widget"),
    ("ارسل لصديق", "a page widget"),
    ("نسخه چاپی", "a page widget"),
    ("ارسال به دوستان", "a page widget"),
    ("تعليقات", "a comment counter"),
    ("التعليقات", "a comment counter"),
    ("تعليق", "a comment counter"),
    ("عدد التعليقات", "a comment counter"),
    ("اضف تعليق", "a comment counter"),
    ("نظرات", "a comment counter"),
    ("نظر شما", "a comment counter"),
];

/// Starts of comment-counter lines whose rest varies (ارسال نظرات در انتظار بررسی: ۰ …).
const COUNTER_STARTS: &[&str] = &["ارسال نظرات", "ارسال نظر", "تعداد نظرات", "انتشار یافته"];

/// Starts of metadata lines, followed by a code or a date.
const METADATA_STARTS: &[(&str, &str)] = &[
    ("کد خبر", "the site's news code"),
    ("شناسه خبر", "the site's news code"),
    ("رمز الخبر", "the site's news code"),
    ("رقم الخبر", "the site's news code"),
    ("last modified", "a last-modified line"),
    ("آخر تحديث", "a last-modified line"),
    ("آخرین بروزرسانی", "a last-modified line"),
    ("تاریخ به روزرسانی", "a last-modified line"),
];

/// Words a navigation line may carry after its label (section names: الأخبار ايران).
const MAX_EXTRA_WORDS: usize = 3;
/// A tag list longer than this is more likely a sentence that starts with the word.
const MAX_TAG_WORDS: usize = 20;

/// A line's words after folding, with punctuation and ZWNJ turned into spaces: the form labels
/// are compared in.
fn key(s: &str) -> String {
    let f = fold(s);
    let mut out = String::with_capacity(f.len());
    let mut space = true;
    for c in f.chars() {
        if crate::analysis::normalize::is_alnum(c) {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

struct Tables {
    /// The first word of every navigation, tag, counter and metadata label.
    label_firsts: HashSet<String, FastHash>,
    /// The first word of every widget line.
    widget_firsts: HashSet<String, FastHash>,
    nav: Vec<(Vec<String>, &'static str)>,
    tags: Vec<Vec<String>>,
    widgets: Vec<(String, &'static str)>,
    counters: Vec<Vec<String>>,
    metadata: Vec<(Vec<String>, &'static str)>,
}

fn words(k: &str) -> Vec<String> {
    k.split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let nav: Vec<(Vec<String>, &'static str)> = NAV_LABELS
            .iter()
            .map(|(l, what)| (words(&key(l)), *what))
            .collect();
        let tags: Vec<Vec<String>> = TAG_LABELS.iter().map(|l| words(&key(l))).collect();
        let widgets: Vec<(String, &'static str)> = WIDGET_LINES
            .iter()
            .map(|(l, what)| (key(l), *what))
            .collect();
        let counters: Vec<Vec<String>> = COUNTER_STARTS.iter().map(|l| words(&key(l))).collect();
        let metadata: Vec<(Vec<String>, &'static str)> = METADATA_STARTS
            .iter()
            .map(|(l, what)| (words(&key(l)), *what))
            .collect();
        let label_firsts = nav
            .iter()
            .map(|(l, _)| l)
            .chain(&tags)
            .chain(&counters)
            .chain(metadata.iter().map(|(l, _)| l))
            .filter_map(|l| l.first().cloned())
            .collect();
        let widget_firsts = widgets
            .iter()
            .filter_map(|(w, _)| w.split(' ').next().map(str::to_string))
            .collect();
        Tables {
            label_firsts,
            widget_firsts,
            nav,
            tags,
            widgets,
            counters,
            metadata,
        }
    })
}

/// How many words of a line [`may_be_kind`] folds.
const LEADING_WORDS: usize = 4;

/// Whether `line` may be a navigation, widget, counter or metadata line, judged on its first
/// words only: every kind needs the line's first word to start a label, or (widgets, which allow
/// numbers anywhere) its first word that is not a number to start a widget. Most lines are
/// prose and fail here without folding the whole line. It may say yes wrongly, never no wrongly.
fn may_be_kind(line: &str) -> bool {
    first_word_decides(line).unwrap_or_else(|| may_be_kind_by_words(line))
}

/// [`may_be_kind`] told from the line's first word alone, folded part by part into a buffer
/// kept for the thread instead of folding the line's first words into new strings: enough when
/// that word is not a number (`None` then).
fn first_word_decides(line: &str) -> Option<bool> {
    thread_local! {
        static FOLDED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    FOLDED.with(|buf| {
        let mut buf = buf.try_borrow_mut().ok()?;
        // The parts between ASCII spaces that [`may_be_kind_by_words`] folds, one by one:
        // folding never joins characters across an ASCII space.
        let mut rest = line;
        for _ in 0..=LEADING_WORDS {
            let (part, more) = match memchr::memchr(b' ', rest.as_bytes()) {
                Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                None => (rest, None),
            };
            crate::analysis::normalize::fold_into(part, &mut buf);
            let first = buf
                .split(|c: char| !crate::analysis::normalize::is_alnum(c))
                .find(|w| !w.is_empty());
            if let Some(first) = first {
                if is_number(first) {
                    return None;
                }
                let t = tables();
                return Some(t.label_firsts.contains(first) || t.widget_firsts.contains(first));
            }
            match more {
                Some(more) => rest = more,
                None => break,
            }
        }
        // No word at all in the first words.
        Some(true)
    })
}

/// [`may_be_kind`] by the definition: the key of the line's first words.
fn may_be_kind_by_words(line: &str) -> bool {
    // Folding never joins characters across an ASCII space, so the words of the folded part
    // before a space are the first words of the folded line.
    let cut = memchr::memchr_iter(b' ', line.as_bytes())
        .nth(LEADING_WORDS)
        .unwrap_or(line.len());
    let k = key(&line[..cut]);
    let mut ws = k.split(' ').filter(|w| !w.is_empty());
    let Some(first) = ws.next() else {
        return true;
    };
    let t = tables();
    if t.label_firsts.contains(first) {
        return true;
    }
    match std::iter::once(first).chain(ws).find(|w| !is_number(w)) {
        Some(w) => t.widget_firsts.contains(w),
        // Only numbers so far: the first other word may come later.
        None => true,
    }
}

fn starts_with(ws: &[String], label: &[String]) -> bool {
    !label.is_empty() && ws.len() >= label.len() && ws[..label.len()] == *label
}

fn is_number(w: &str) -> bool {
    w.chars().all(|c| c.is_ascii_digit())
}

fn line_kind(line: &str) -> Option<LineKind> {
    // Navigation, widgets, counters and metadata are short lines (a tag list, the longest kind,
    // has at most about twenty words): a paragraph of prose is ruled out before any folding.
    if line.len() > 800 || !may_be_kind(line) || line.split_whitespace().nth(32).is_some() {
        return None;
    }
    let k = key(line);
    if k.is_empty() {
        return None;
    }
    let ws = words(&k);
    let t = tables();
    // Widgets and counters: the whole line, numbers aside.
    let no_numbers: Vec<&str> = ws
        .iter()
        .map(String::as_str)
        .filter(|w| !is_number(w))
        .collect();
    let bare = no_numbers.join(" ");
    if let Some((_, what)) = t.widgets.iter().find(|(w, _)| *w == bare) {
        return Some(LineKind::Navigation(what));
    }
    if ws.len() <= 12 && t.counters.iter().any(|c| starts_with(&ws, c)) {
        return Some(LineKind::Navigation("a comment counter"));
    }
    for (label, what) in &t.metadata {
        // A code or a date follows: the line must hold a number and stay short.
        if starts_with(&ws, label) && ws.len() <= label.len() + 8 && ws.iter().any(|w| is_number(w))
        {
            return Some(LineKind::Metadata(what));
        }
    }
    // The longest label that starts the line decides.
    let nav = t
        .nav
        .iter()
        .filter(|(label, _)| starts_with(&ws, label))
        .max_by_key(|(label, _)| label.len());
    if let Some((label, what)) = nav {
        if ws.len() <= label.len() + MAX_EXTRA_WORDS {
            return Some(LineKind::Navigation(what));
        }
    }
    if let Some(label) = t
        .tags
        .iter()
        .filter(|l| starts_with(&ws, l))
        .max_by_key(|l| l.len())
    {
        // A bare label, or a label followed by a colon and the tags.
        let after_colon = {
            let trimmed = line.trim_start();
            // The label's words, then a colon before any other word.
            let colon = trimmed.find([':', '：']);
            colon.is_some_and(|c| key(&trimmed[..c]).split(' ').count() == label.len())
        };
        if ws.len() == label.len() || (after_colon && ws.len() <= label.len() + MAX_TAG_WORDS) {
            return Some(LineKind::Navigation("a tag list"));
        }
    }
    None
}

/// Tags, and the `" />` that a truncated attribute leaves. (Constant patterns: `None` cannot
/// happen, and is treated as "no match" rather than a panic.)
fn html_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| Regex::new(r#"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n\r]*)?/?>|"?\s*/>"#).ok())
        .as_ref()
}

fn entity_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"&(?:[A-Za-z]{2,8}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});").ok())
        .as_ref()
}

/// A link-back footer some sites append to the last paragraph: «رابط الخبر بصحيفة الوئام: <the
/// headline again>». It runs to the end of the line.
fn footer_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"رابط (?:الخبر|المقال|المادة) ?(?:ب|على |في )?(?:صحيفة|موقع|جريدة|صحيفه)[^:\n\r]{0,40}:").ok()
    })
    .as_ref()
}

/// The byte offset where a link-back footer starts in `line`, if it has one.
fn footer_start(line: &str) -> Option<usize> {
    if !has_footer_word(line) {
        return None;
    }
    footer_re()?.find(line).map(|m| m.start())
}

/// Whether `line` holds «رابط », which every footer starts with. Arabic text has no rare byte
/// for a substring search to skip to, but ط's second byte (B7) is rare enough: the candidates
/// are found by `memchr` and checked in place.
fn has_footer_word(line: &str) -> bool {
    const WORD: &[u8] = "رابط ".as_bytes();
    // Offset of ط's second byte in WORD.
    const AT: usize = WORD.len() - 2;
    let bytes = line.as_bytes();
    memchr::memchr_iter(0xb7, bytes)
        .any(|i| i >= AT && bytes.get(i - AT..i - AT + WORD.len()) == Some(WORD))
}

/// The byte offsets where «رابط » starts in `bytes`, found as [`has_footer_word`] finds it.
fn footer_word_starts(bytes: &[u8]) -> Vec<usize> {
    const WORD: &[u8] = "رابط ".as_bytes();
    const AT: usize = WORD.len() - 2;
    memchr::memchr_iter(0xb7, bytes)
        .filter(|&i| i >= AT && bytes.get(i - AT..i - AT + WORD.len()) == Some(WORD))
        .map(|i| i - AT)
        .collect()
}

/// Whether `sorted` holds an offset in `lo..hi`, moving `next` (where the previous line left
/// off) past the offsets before `hi`.
fn any_between(sorted: &[usize], next: &mut usize, lo: usize, hi: usize) -> bool {
    let mut found = false;
    while let Some(&i) = sorted.get(*next).filter(|&&i| i < hi) {
        found |= i >= lo;
        *next += 1;
    }
    found
}

/// Whether `line` may hold an HTML tag or fragment: every match of [`html_re`] ends with `>`.
fn may_have_html(line: &str) -> bool {
    memchr::memchr(b'>', line.as_bytes()).is_some()
}

/// `line` without a link-back footer: the part that is article text. Rules that compare
/// paragraphs (`near-duplicate-paragraph`) use it, since the footer repeats the headline.
pub fn strip_footer(line: &str) -> &str {
    match footer_start(line) {
        Some(b) => &line[..b],
        None => line,
    }
}

/// What an entity stands for, when that is certain.
fn decode(entity: &str) -> Option<String> {
    let body = entity.strip_prefix('&')?.strip_suffix(';')?;
    let c = if let Some(num) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
        char::from_u32(u32::from_str_radix(num, 16).ok()?)?
    } else if let Some(num) = body.strip_prefix('#') {
        char::from_u32(num.parse().ok()?)?
    } else {
        match body {
            // NBSP between words is noise in this text: a plain space is what was meant.
            "nbsp" => ' ',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            "lt" => '<',
            "gt" => '>',
            "laquo" => '«',
            "raquo" => '»',
            "ndash" => '–',
            "mdash" => '—',
            "hellip" => '…',
            "zwnj" => '\u{200c}',
            _ => return None,
        }
    };
    if c == '\0' || (c.is_control() && c != '\t') {
        return None;
    }
    Some(c.to_string())
}

/// Whether `line` is scraper boilerplate as a whole: a navigation or metadata line, or one that
/// carries HTML markup. Other rules use it to skip such lines (`unbalanced-quotes` must not pair
/// the quote mark of `" />`).
pub fn is_boilerplate_line(line: &str) -> bool {
    line_kind(line).is_some()
        || (may_have_html(line) && html_re().is_some_and(|r| r.is_match(line)))
        || (may_start_with_footer(line)
            && footer_start(line).is_some_and(|b| line[..b].trim().is_empty()))
}

/// Whether a link-back footer may start `line` after its indentation: every footer starts with
/// «رابط », and only whitespace may come before this one, so the line's content must start
/// with it. Most lines fail on their first bytes.
fn may_start_with_footer(line: &str) -> bool {
    line.trim_start().starts_with("رابط ")
}

fn cp(line: &Line<'_>, byte_in_line: usize) -> usize {
    line.start
        + line
            .text
            .get(..byte_in_line)
            .map(|s| s.chars().count())
            .unwrap_or(0)
}

impl Rule for ScraperBoilerplate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let lines = &cx.prep.lines;
        // Where «رابط » and & are, searched for over the whole article at once: the searches
        // cost little per byte but much per call, and lines are short. Neither holds a line
        // break, so each lies within one line.
        let bytes = cx.prep.text.as_bytes();
        let footer_words = footer_word_starts(bytes);
        let amps: Vec<usize> = memchr::memchr_iter(b'&', bytes).collect();
        let (mut next_footer, mut next_amp) = (0, 0);
        for (i, line) in lines.iter().enumerate() {
            let (ls, le) = (line.byte_start, line.byte_start + line.text.len());
            let has_footer_word = any_between(&footer_words, &mut next_footer, ls, le);
            let has_amp = any_between(&amps, &mut next_amp, ls, le);
            if line.text.trim().is_empty() {
                continue;
            }
            // Navigation, metadata and HTML are boilerplate, which `Prepared` has worked out
            // for every line already: other lines need no look for them.
            let boilerplate = cx.prep.is_boilerplate(i);
            // The finding covers the line's content without its indentation.
            let lead = line.text.len() - line.text.trim_start().len();
            let trail = line.text.trim_end().len();
            let content_end = || cp(line, trail);
            match boilerplate.then(|| line_kind(line.text)).flatten() {
                Some(LineKind::Navigation(what)) => {
                    let (ds, de) = deletion_span(lines, i);
                    out.push(
                        Diagnostic::new(
                            META.id,
                            Severity::Warning,
                            cp(line, lead),
                            content_end(),
                            format!("site navigation left by the scraper ({what})"),
                        )
                        .with_fix("delete the line", ds, de, ""),
                    );
                    continue;
                }
                Some(LineKind::Metadata(what)) => {
                    out.push(Diagnostic::new(
                        META.id,
                        Severity::Warning,
                        cp(line, lead),
                        content_end(),
                        format!("site metadata left by the scraper ({what})"),
                    ));
                    continue;
                }
                None => {}
            }
            // footer_start, with the word looked for already.
            let footer = if has_footer_word {
                footer_re()
                    .and_then(|r| r.find(line.text))
                    .map(|m| m.start())
            } else {
                None
            };
            if let Some(b) = footer {
                // No fix: the footer names the source, which a curator may want to keep.
                out.push(Diagnostic::new(
                    META.id,
                    Severity::Warning,
                    cp(line, b),
                    content_end().max(cp(line, b)),
                    "a link-back footer left by the scraper (it repeats the headline)",
                ));
            }
            let html = html_re().filter(|_| boilerplate && may_have_html(line.text));
            for m in html.into_iter().flat_map(|r| r.find_iter(line.text)) {
                let (ms, me) = (cp(line, m.start()), cp(line, m.end()));
                let frag = m.as_str().trim();
                let msg = if frag.starts_with('<') {
                    format!("HTML tag `{frag}` left by the scraper")
                } else {
                    format!("HTML fragment `{frag}` left by the scraper")
                };
                out.push(Diagnostic::new(META.id, Severity::Warning, ms, me, msg));
            }
            if !has_amp {
                continue; // every entity starts with &
            }
            let ents: Vec<regex::Match<'_>> = entity_re()
                .into_iter()
                .flat_map(|r| r.find_iter(line.text))
                .collect();
            if let (Some(first), Some(last)) = (ents.first(), ents.last()) {
                let (fs, le) = (cp(line, first.start()), cp(line, last.end()));
                let mut names: Vec<&str> = Vec::new();
                for m in &ents {
                    if !names.contains(&m.as_str()) {
                        names.push(m.as_str());
                    }
                }
                let msg = if ents.len() == 1 {
                    format!("HTML entity `{}` left by the scraper", names.join("`, `"))
                } else {
                    format!(
                        "{} HTML entities (`{}`) left by the scraper",
                        ents.len(),
                        names.join("`, `")
                    )
                };
                let edits: Option<Vec<Edit>> = ents
                    .iter()
                    .map(|m| {
                        decode(m.as_str()).map(|t| Edit {
                            start: cp(line, m.start()),
                            end: cp(line, m.end()),
                            new_text: t,
                        })
                    })
                    .collect();
                let mut d = Diagnostic::new(META.id, Severity::Warning, fs, le, msg);
                if let Some(edits) = edits {
                    let title = if edits.len() == 1 {
                        "decode the entity"
                    } else {
                        "decode the entities"
                    };
                    d.fixes.push(Fix {
                        title: title.to_string(),
                        edits,
                    });
                }
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_boilerplate_line;
    use crate::analysis::rules::testing::{check, render};

    const R: &str = "scraper-boilerplate";

    #[test]
    fn navigation_lines() {
        check(
            R,
            "نص الخبر هنا.\n⟦الأكثر قراءة الأخبار العالم⟧\n⟦أهم الأخبار العالم⟧\n⟦عناوين مختارة⟧",
        );
        check(R, "متن خبر اینجا است.\n⟦newsQrCode⟧\n⟦ارسال نظرات در انتظار بررسی: ۰ انتشار یافته: ۰⟧\n\n⟦نیازمندی ها⟧");
        check(R, "النص\n⟦كلمات دليلية⟧");
        check(R, "النص\n⟦الكلمات المفتاحية: الرياض، جدة، الطقس⟧");
        check(R, "متن\n⟦برچسب‌ها⟧");
        check(R, "النص\n ⟦...المزيد⟧");
        check(R, "النص\n⟦تعليقات (3)⟧");
    }

    #[test]
    fn metadata_lines() {
        check(R, "متن خبر\n⟦کد خبر: ۱۲۳۴۵⟧");
        check(R, "⟦(last modified Mon, 1 Jan 2018 10:00:00 GMT )⟧\nالنص");
        check(R, "النص\n⟦رمز الخبر: 4455⟧");
    }

    #[test]
    fn words_inside_sentences_are_not_navigation() {
        check(R, "كان الأكثر قراءة بين طلاب المدرسة هذا العام كتاب التاريخ");
        check(
            R,
            "أهم الأخبار التي تناولتها الصحف اليوم كانت عن ارتفاع أسعار النفط في الأسواق",
        );
        check(R, "وقال إن التعليقات على القرار كانت إيجابية");
        check(R, "کد خبر را در سایت نمی توان یافت");
        check(R, "الوسوم التي يستخدمها المغردون كثيرة ومتنوعة في كل يوم");
        check(R, "المزيد من التفاصيل في العدد القادم من الصحيفة");
    }

    #[test]
    fn agency_end_marker_is_not_reported() {
        check(R, "النص.\n/انتهى/\n");
        check(R, "النص.\n(انتهى)");
    }

    #[test]
    fn html_remnants_and_entities() {
        check(R, "عقد الاجتماع الأول...⟦\" />⟧ عقد الاجتماع الأول");
        check(R, "سطر أول⟦<br>⟧سطر ثان ⟦<br />⟧ ⟦</p>⟧");
        check(R, "قال ⟦&quot;سبق&quot;⟧ إن");
        check(R, "ما بين x < y و y > z لا شيء");
    }

    #[test]
    fn fixes() {
        expect_test::expect![[r#"
            2:1-2:14 warning site navigation left by the scraper (a headline list) [عناوين مختارة]
              fix: delete the line 6..21=""
            3:1-3:13 warning site navigation left by the scraper (a tag list) [كلمات دليلية]
              fix: delete the line 21..34=""
            4:1-4:16 warning 2 HTML entities (`&quot;`) left by the scraper [&quot;سبق&quot;]
              fix: decode the entities 34..40="\"" 43..49="\""
        "#]]
        .assert_eq(&render(
            R,
            "النص.\nعناوين مختارة \nكلمات دليلية\n&quot;سبق&quot; قال",
        ));
        expect_test::expect![[r#"
            2:1-2:12 warning site metadata left by the scraper (the site's news code) [کد خبر: ۹۱۲]
            3:1-3:12 warning site navigation left by the scraper (a classified-ads link) [نیازمندی ها]
              fix: delete the line 19..31=""
        "#]]
        .assert_eq(&render(R, "متن خبر\nکد خبر: ۹۱۲\nنیازمندی ها"));
    }

    #[test]
    fn link_back_footer() {
        check(
            R,
            "وتم نقل المصاب إلى المستشفى. ⟦رابط الخبر بصحيفة الوئام: نقل مصاب إلى المستشفى⟧ ",
        );
        check(R, "⟦رابط الخبر بصحيفة الوئام: عنوان الخبر هنا⟧");
        check(R, "وقال إن رابط الخبر لم يعمل");
        assert_eq!(
            super::strip_footer("نص الفقرة. رابط الخبر بصحيفة الوئام: عنوان"),
            "نص الفقرة. "
        );
        assert_eq!(super::strip_footer("نص الفقرة"), "نص الفقرة");
    }

    #[test]
    fn crlf_and_empty() {
        check(R, "");
        check(R, "\r\n\r\n");
        expect_test::expect![[r#"
            2:1-2:14 warning site navigation left by the scraper (a headline list) [عناوين مختارة]
              fix: delete the line 7..22=""
        "#]]
        .assert_eq(&render(R, "النص.\r\nعناوين مختارة\r\nالنص"));
    }

    #[test]
    fn footer_word_search_agrees_with_contains() {
        for line in [
            "",
            "رابط",
            "رابط ",
            "xرابط y",
            "نص رابط الخبر",
            "ط ط رابط",
            "۷ رابطه ",
            "رابطرابط ",
        ] {
            assert_eq!(
                super::has_footer_word(line),
                line.contains("رابط "),
                "{line:?}"
            );
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The first word settles [`super::may_be_kind`] as the first words do, and a line
        /// that does not start with «رابط » has no footer at its start: on lines made of
        /// labels, their spelling variants, numbers in every digit system, marks folding
        /// drops or composes, invisible characters and punctuation.
        #[test]
        fn shortcuts_agree_with_the_definitions(t in proptest::collection::vec(
            proptest::sample::select(vec![
                "الأكثر", "قراءة", "أهم", "الأخبار", "المزيد", "كلمات", "کلمات", "دليلية",
                "برچسب", "ها", "newsQrCode", "QRcode", "qrcode", "طباعة", "تعليقات", "تعليق",
                "نظرات", "ارسال", "إرسال", "کد", "كد", "خبر", "last", "modified", "Last", "نظر",
                "رابط", "رابط ", "الخبر", "بصحيفة", "الوئام:", "قال", "وقال", "اقرأ", "أيضا",
                "12", "١٢", "۱۲", "3", " ", " ", " ", "  ", "\u{a0}", "\t", "\u{200c}",
                "\u{200f}", "\u{feff}", "\u{64e}", "\u{654}", "ا\u{653}", "ـ", ":", "،", ".",
                "(", ")", "«", "»", "-", "...", "\" />", "<br>", "&quot;", "😀", "x", "ی", "ي",
                "ى", "ة", "ه", "ک", "ك", "آخر", "اخر", "تحديث",
            ]),
            0..14,
        ).prop_map(|v| v.concat())) {
            proptest::prop_assert_eq!(super::may_be_kind(&t), super::may_be_kind_by_words(&t));
            let footer_first =
                super::footer_start(&t).is_some_and(|b| t[..b].trim().is_empty());
            proptest::prop_assert_eq!(super::may_start_with_footer(&t) && footer_first, footer_first);
        }
    }

    #[test]
    fn article_searches_find_what_line_searches_find() {
        let text =
            "رابط الخبر بصحيفة الوئام: عنوان\r\nنص &quot;x&quot; رابط \n\nرابطرابط \rقال & رابط";
        let bytes = text.as_bytes();
        let starts = super::footer_word_starts(bytes);
        let amps: Vec<usize> = memchr::memchr_iter(b'&', bytes).collect();
        let (mut nf, mut na) = (0, 0);
        for line in crate::analysis::text::lines(text) {
            let (ls, le) = (line.byte_start, line.byte_start + line.text.len());
            assert_eq!(
                super::any_between(&starts, &mut nf, ls, le),
                super::has_footer_word(line.text),
                "{line:?}"
            );
            assert_eq!(
                super::any_between(&amps, &mut na, ls, le),
                line.text.contains('&'),
                "{line:?}"
            );
        }
    }

    #[test]
    fn boilerplate_predicate() {
        assert!(is_boilerplate_line("عقد الاجتماع...\" /> عقد"));
        assert!(is_boilerplate_line("أهم الأخبار ايران"));
        assert!(is_boilerplate_line("کد خبر: ۹۱۲۰۹۰"));
        assert!(!is_boilerplate_line("قال \"نعم\" ثم غادر"));
        assert!(!is_boilerplate_line("/انتهى/"));
    }
}
