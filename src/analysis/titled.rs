//! Names after title words (اللواء علي مملوك، ارتشبد سرگئی شویگو): where a curator most often
//! meets a person the knowledge base lacks, and so where "add to the knowledge base" is offered.
//!
//! After the title, nisba adjectives are skipped (رئيس الوزراء السوري عماد خميس: the name is
//! عماد خميس, not السوري), and the name runs for up to three words, ending at punctuation, at a
//! function word or at a word joined by و. Which of those words belong to the name cannot be
//! told from the text alone, so every length is offered and two words preferred.

use super::normalize::{fold, is_word_char};
use super::text::Line;

/// The longest name offered after a title.
const MAX_WORDS: usize = 3;

/// Words that end a name (folded): prepositions, conjunctions, relatives, reporting verbs.
/// Not على: folded it is علي, the name Ali.
const STOP: &[&str] = &[
    "في", "من", "الي", "عن", "ان", "الذي", "التي", "قال", "خلال", "مع", "بعد", "قبل", "حول", "لدي",
    "بين", "هو", "كان", "در", "از", "با", "به", "كه", "را", "اين", "است", "گفت", "براي",
];

/// A word of a line: its code-point span (absolute) and folded form.
struct Word {
    start: usize,
    end: usize,
    folded: String,
    /// Whether only spaces separate it from the next word.
    spaced_after: bool,
}

fn words(line: &Line<'_>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut gap_is_space = true;
    let mut offset = line.start;
    for c in line.text.chars() {
        if is_word_char(c) || ('\u{064b}'..='\u{0652}').contains(&c) {
            match &mut current {
                Some((_, s)) => s.push(c),
                None => {
                    if let Some(w) = out.last_mut() {
                        w.spaced_after = gap_is_space;
                    }
                    current = Some((offset, c.to_string()));
                    gap_is_space = true;
                }
            }
        } else {
            if let Some((start, s)) = current.take() {
                out.push(Word {
                    start,
                    end: offset,
                    folded: fold(&s),
                    spaced_after: false,
                });
            }
            if !c.is_whitespace() {
                gap_is_space = false;
            }
        }
        offset += 1;
    }
    if let Some((start, s)) = current {
        out.push(Word {
            start,
            end: offset,
            folded: fold(&s),
            spaced_after: false,
        });
    }
    out
}

/// A nisba adjective: the article ال and a final ي or ية (السوري، الروسية، الإيراني).
fn is_nisba(folded: &str) -> bool {
    folded.starts_with("ال")
        && (folded.ends_with('ي') || folded.ends_with("يه"))
        && folded.chars().count() > 4
}

/// A name after a title in `line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Titled {
    /// The title's span.
    pub title: (usize, usize),
    /// The name's spans, one word to [`MAX_WORDS`], shortest first.
    pub names: Vec<(usize, usize)>,
}

/// Every title of `titles` in `line` that a name follows.
pub fn after_titles(line: &Line<'_>, titles: &[String]) -> Vec<Titled> {
    let ws = words(line);
    let titles: Vec<Vec<String>> = titles
        .iter()
        .map(|t| t.split_whitespace().map(fold).collect())
        .filter(|t: &Vec<String>| !t.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let matched = titles.iter().filter_map(|t| {
            let fits = t.iter().enumerate().all(|(k, tw)| {
                ws.get(i + k).is_some_and(|w| {
                    // A conjunction may be glued to the first word of the title (واللواء).
                    w.folded == *tw
                        || (k == 0 && w.folded.strip_prefix('و').is_some_and(|r| r == tw))
                })
            }) && (0..t.len() - 1)
                .all(|k| ws.get(i + k).is_some_and(|w| w.spaced_after));
            fits.then_some(t.len())
        });
        let Some(len) = matched.max() else {
            i += 1;
            continue;
        };
        let title = (ws[i].start, ws[i + len - 1].end);
        let mut j = i + len;
        if !ws[j - 1].spaced_after {
            i = j;
            continue;
        }
        while ws
            .get(j)
            .is_some_and(|w| is_nisba(&w.folded) && w.spaced_after)
        {
            j += 1;
        }
        let mut names = Vec::new();
        let mut k = j;
        while let Some(w) = ws.get(k) {
            let stop = STOP.contains(&w.folded.as_str())
                || (k > j && w.folded.starts_with('و') && w.folded.chars().count() > 3)
                || w.folded.chars().all(|c| c.is_ascii_digit());
            if stop || names.len() == MAX_WORDS {
                break;
            }
            names.push((ws[j].start, w.end));
            if !w.spaced_after {
                break;
            }
            k += 1;
        }
        if !names.is_empty() {
            out.push(Titled { title, names });
        }
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::{lines, slice_chars};

    fn names(text: &str) -> Vec<(String, Vec<String>)> {
        let titles: Vec<String> = ["اللواء", "رئيس الوزراء", "ارتشبد", "السفير"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        lines(text)
            .flat_map(|l| after_titles(&l, &titles))
            .map(|t| {
                (
                    slice_chars(text, t.title.0, t.title.1).to_string(),
                    t.names
                        .iter()
                        .map(|&(s, e)| slice_chars(text, s, e).to_string())
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn names_follow_titles_past_nisba_adjectives_up_to_a_stop() {
        assert_eq!(
            names("قال رئيس الوزراء السوري حسين عرنوس في دمشق"),
            [(
                "رئيس الوزراء".to_string(),
                vec!["حسين".to_string(), "حسين عرنوس".into()]
            )]
        );
        assert_eq!(
            names("واستقبل اللواء علي مملوك، ثم السفير"),
            [(
                "اللواء".to_string(),
                vec!["علي".to_string(), "علي مملوك".into()]
            )]
        );
        assert_eq!(
            names("ارتشبد سرگئی شویگو وزیر دفاع روسیه"),
            [(
                "ارتشبد".to_string(),
                // وزیر starts like a glued و, which ends the name here as it should.
                vec!["سرگئی".to_string(), "سرگئی شویگو".into()]
            )]
        );
        // A glued conjunction before the title still counts; a title with nothing after it,
        // or punctuation right after it, names nobody.
        assert_eq!(names("واللواء جميل حسن").len(), 1);
        assert!(names("قال اللواء").is_empty());
        assert!(names("اللواء، وهو").is_empty());
        assert!(names("رئيس حزب").is_empty());
    }
}
