//! `khabar mentions`: every knowledge-base entity mentioned in the articles.

use super::{each_article, open_corpus, report_error, stdout, CorpusArgs, ListFormat, Outcome};
use crate::analysis::mentions::Mention;
use crate::workspace::files::read_article;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
    /// Print the number of mentions and articles per entity instead of the mentions.
    #[arg(long)]
    pub stats: bool,
}

#[derive(Serialize)]
struct Record<'a> {
    path: &'a str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    text: &'a str,
    entity: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    candidates: Vec<&'a str>,
}

#[derive(Serialize)]
struct Stat<'a> {
    entity: &'a str,
    kind: &'a str,
    mentions: usize,
    articles: usize,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let corpus = open_corpus(&args.corpus)?;
    let engine = &corpus.engine;
    let kb = &engine.kb;
    let format = args.format;
    let stats_only = args.stats;
    // Each article is read, matched and already written out (line and column, surface text,
    // JSON or human line) on the worker threads: done after the parallel part, that work was a
    // fifth of the run on one core while the other waited. The main thread only concatenates.
    let (results, mut failures) = each_article(
        &args.corpus,
        &corpus,
        || {},
        |path| {
            let rel = corpus.rel(path);
            read_article(path, &rel).map(|text| {
                let mentions = engine.mentions(&text);
                let mut buf = Vec::new();
                if !stats_only && !mentions.is_empty() {
                    let mut walk = Walk::new(&text);
                    let mut first = true;
                    for m in &mentions {
                        // Writing into a Vec cannot fail.
                        let _ = write_mention(&mut buf, format, &rel, &mut walk, m, kb, &mut first);
                    }
                }
                let entities: Vec<usize> = mentions.iter().map(|m| m.entity).collect();
                (entities, buf)
            })
        },
    )?;
    let mut out = stdout();
    let mut first = true;
    let mut stats: BTreeMap<usize, (usize, HashSet<usize>)> = BTreeMap::new();
    if args.format == ListFormat::Json && !args.stats {
        out.write_all(b"[")?;
    }
    for (fi, (_, found)) in results.iter().enumerate() {
        let (entities, buf) = match found {
            Ok(x) => x,
            Err(e) => {
                report_error(e);
                failures += 1;
                continue;
            }
        };
        for &e in entities {
            let st = stats.entry(e).or_default();
            st.0 += 1;
            st.1.insert(fi);
        }
        if buf.is_empty() {
            continue;
        }
        // Records within one file are already separated; files are joined the same way.
        if format == ListFormat::Json && !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(buf)?;
    }
    if args.stats {
        let mut rows: Vec<_> = stats
            .iter()
            .map(|(&e, (n, files))| (e, *n, files.len()))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        match args.format {
            ListFormat::Json => {
                let v: Vec<Stat> = rows
                    .iter()
                    .map(|&(e, n, a)| Stat {
                        entity: &kb.entity(e).id,
                        kind: kb.entity(e).kind.as_str(),
                        mentions: n,
                        articles: a,
                    })
                    .collect();
                serde_json::to_writer(&mut out, &v)?;
                out.write_all(b"\n")?;
            }
            ListFormat::Human => {
                writeln!(
                    out,
                    "{:<32} {:<13} {:>8} {:>8}",
                    "entity", "kind", "mentions", "articles"
                )?;
                for (e, n, a) in rows {
                    let ent = kb.entity(e);
                    writeln!(
                        out,
                        "{:<32} {:<13} {:>8} {:>8}",
                        ent.id,
                        ent.kind.as_str(),
                        n,
                        a
                    )?;
                }
            }
        }
    } else if args.format == ListFormat::Json {
        out.write_all(b"]\n")?;
    } else {
        let total: usize = stats.values().map(|s| s.0).sum();
        writeln!(
            out,
            "{total} mentions of {} entities in {} files",
            stats.len(),
            results.len()
        )?;
    }
    super::flush(out)?;
    Ok(if failures > 0 {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}

/// Walks an article forward from one mention to the next (they come in order), counting code
/// points and line breaks as it goes: one pass over the text up to its last mention, where a
/// [`crate::analysis::text::LineIndex`] and a [`crate::analysis::text::CharCursor`] each passed
/// over all of it. Line breaks are LSP's (`\n`, `\r\n`, `\r`), as `LineIndex` counts them; an offset behind the walk restarts it.
struct Walk<'a> {
    text: &'a str,
    byte: usize,
    chr: usize,
    /// 0-based line of `chr`, and the code-point offset where that line starts.
    line: usize,
    line_start: usize,
}

impl<'a> Walk<'a> {
    fn new(text: &'a str) -> Self {
        Walk {
            text,
            byte: 0,
            chr: 0,
            line: 0,
            line_start: 0,
        }
    }

    /// Moves to code-point offset `to` (clamped to the end) and returns its byte offset.
    ///
    /// Eight bytes at a time where they hold no line break and not the target: their code
    /// points are their non-continuation bytes. The walk may then stand inside a character;
    /// continuation bytes are stepped over without counting.
    fn to(&mut self, to: usize) -> usize {
        if to < self.chr {
            *self = Walk::new(self.text);
        }
        let bytes = self.text.as_bytes();
        loop {
            while self.chr < to {
                let Some(chunk) = bytes.get(self.byte..self.byte + 8) else {
                    break;
                };
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                let w = u64::from_le_bytes(w);
                if has_byte(w, b'\n') || has_byte(w, b'\r') {
                    break;
                }
                let starts = 8 - (w & !(w << 1) & HIGH_BITS).count_ones() as usize;
                if self.chr + starts >= to {
                    break;
                }
                self.chr += starts;
                self.byte += 8;
            }
            let Some(&b) = bytes.get(self.byte) else {
                break;
            };
            if b & 0xc0 == 0x80 {
                self.byte += 1;
                continue;
            }
            if self.chr >= to {
                break;
            }
            self.byte += 1;
            self.chr += 1;
            // A line starts after \n, and after a \r that no \n follows.
            if b == b'\n' || (b == b'\r' && bytes.get(self.byte) != Some(&b'\n')) {
                self.line += 1;
                self.line_start = self.chr;
            }
        }
        self.byte.min(bytes.len())
    }

    /// 0-based line and code-point column of `offset`, and the text from there to `end`.
    fn mention(&mut self, offset: usize, end: usize) -> (usize, usize, &'a str) {
        let b0 = self.to(offset);
        let (line, col) = (self.line, self.chr - self.line_start);
        let b1 = self.to(end.max(offset));
        (line, col, &self.text[b0..b1])
    }
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Does any byte of `w` equal `b`? (The classic SWAR zero-byte test on `w ^ b…b`.)
fn has_byte(w: u64, b: u8) -> bool {
    let x = w ^ (0x0101_0101_0101_0101 * u64::from(b));
    x.wrapping_sub(0x0101_0101_0101_0101) & !x & HIGH_BITS != 0
}

fn write_mention(
    out: &mut impl Write,
    format: ListFormat,
    rel: &str,
    walk: &mut Walk<'_>,
    m: &Mention,
    kb: &crate::analysis::kb::Kb,
    first: &mut bool,
) -> std::io::Result<()> {
    let (line, col, surface) = walk.mention(m.start, m.end);
    let ent = kb.entity(m.entity);
    match format {
        ListFormat::Json => {
            if !*first {
                out.write_all(b",")?;
            }
            *first = false;
            let rec = Record {
                path: rel,
                start: m.start,
                end: m.end,
                line: line + 1,
                column: col + 1,
                text: surface,
                entity: &ent.id,
                kind: ent.kind.as_str(),
                candidates: m
                    .candidates
                    .iter()
                    .map(|&c| kb.entity(c).id.as_str())
                    .collect(),
            };
            serde_json::to_writer(&mut *out, &rec)?;
            out.write_all(b"\n")
        }
        ListFormat::Human => {
            let amb = if m.is_ambiguous() {
                let ids: Vec<&str> = m
                    .candidates
                    .iter()
                    .map(|&c| kb.entity(c).id.as_str())
                    .collect();
                format!("  (ambiguous: {})", ids.join(", "))
            } else {
                String::new()
            };
            // The Arabic text goes last so that right-to-left rendering cannot reorder columns.
            writeln!(
                out,
                "{rel}:{}:{}\t{}\t{}\t{surface}{amb}",
                line + 1,
                col + 1,
                ent.id,
                ent.kind.as_str()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Walk;
    use crate::analysis::text::{slice_chars, LineIndex};
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a",
            "خ",
            "بر",
            " ",
            "\n",
            "\r",
            "\r\n",
            "😀",
            "\u{200c}",
            "ًّ",
            "۱۲",
            "abcdefgh",
            "سوريا والعراق",
        ])
    }

    proptest! {
        /// The chunked walk lands where a code-point count does, on every mention order a
        /// caller uses (forwards, and backwards, which restarts it).
        #[test]
        fn walk_agrees_with_line_index(
            parts in prop::collection::vec(piece(), 0..60),
            spans in prop::collection::vec((0usize..200, 0usize..20), 1..8),
        ) {
            let text: String = parts.concat();
            let n = text.chars().count();
            let li = LineIndex::new(&text);
            let mut walk = Walk::new(&text);
            for (s, len) in spans {
                let s = s.min(n);
                let e = (s + len).min(n);
                let (line, col, surface) = walk.mention(s, e);
                prop_assert_eq!((line, col), li.line_col(s));
                prop_assert_eq!(surface, slice_chars(&text, s, e));
            }
        }
    }
}
