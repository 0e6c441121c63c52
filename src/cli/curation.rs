//! `khabar export`, `khabar import` and `khabar agree`: curation files in and out, and
//! agreement between annotators.
//!
//! Export reads each article's `.ann` (rejected spans left out); an article without one exports
//! the mentions khabar finds, labelled with the entity's kind, so that a corpus can be
//! pre-annotated. Import writes `.txt` and `.ann` files atomically, never overwriting an article
//! whose text differs.

use super::{open, report_error, stdout, CorpusArgs, Outcome};
use crate::analysis::ann::parse;
use crate::analysis::export::{self, Span};
use crate::workspace::ann::{ann_path, write_atomic};
use crate::workspace::files::read_article;
use crate::workspace::read_text;
use anyhow::Context as _;
use clap::ValueEnum;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Brat,
    Conll,
    Jsonl,
    W3c,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write one file per article into this folder (required for brat) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    Brat,
    Jsonl,
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// A JSONL file, or a folder of brat `.txt`/`.ann` pairs.
    pub input: PathBuf,
    #[arg(long, value_enum)]
    pub format: ImportFormat,
    /// The corpus folder to write into.
    #[arg(long)]
    pub into: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct AgreeArgs {
    pub dir_a: PathBuf,
    pub dir_b: PathBuf,
    #[arg(long, value_enum, default_value_t = super::ListFormat::Human)]
    pub format: super::ListFormat,
}

fn label(kind: &str) -> String {
    let mut c = kind.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The spans of an article: its `.ann`, or khabar's mentions when it has none.
fn spans_for(
    engine: &crate::analysis::Engine,
    article: &Path,
    text: &str,
) -> anyhow::Result<Vec<Span>> {
    let ann = ann_path(article);
    if ann.is_file() {
        return Ok(export::spans_of(&parse(&read_text(&ann)?)));
    }
    Ok(engine
        .mentions(text)
        .iter()
        .map(|m| {
            let e = engine.kb.entity(m.entity);
            Span {
                start: m.start,
                end: m.end,
                label: label(e.kind.as_str()),
                entity: Some(e.id.clone()),
            }
        })
        .collect())
}

/// Says on stderr what of an article's `.ann` the format cannot hold.
fn report_dropped(rel: &str, article: &Path, format: ExportFormat) -> anyhow::Result<()> {
    use crate::analysis::ann::Entry;
    let ann = ann_path(article);
    if !ann.is_file() {
        return Ok(());
    }
    let f = parse(&read_text(&ann)?);
    let (mut notes, mut attrs, mut others, mut rejected, mut joined) = (0, 0, 0, 0, 0);
    for l in &f.lines {
        match &l.entry {
            Entry::Note { .. } => notes += 1,
            Entry::Attr { name, .. } if name == "Rejected" || name == "NotEntity" => rejected += 1,
            Entry::Attr { .. } => attrs += 1,
            Entry::Other { .. } => others += 1,
            Entry::Text { fragments, .. } if fragments.len() > 1 => joined += 1,
            _ => {}
        }
    }
    let mut parts = Vec::new();
    for (n, what) in [
        (notes, "notes"),
        (attrs, "attributes"),
        (others, "relations, events or equivalences"),
        (rejected, "rejected spans (left out on purpose)"),
        (
            joined,
            "discontinuous spans (exported first to last fragment)",
        ),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    if !parts.is_empty() {
        eprintln!(
            "note: {rel}: {} cannot hold {}",
            format!("{format:?}").to_lowercase(),
            parts.join(", ")
        );
    }
    Ok(())
}

pub fn export(args: ExportArgs) -> anyhow::Result<Outcome> {
    let (corpus, files, mut failures) = open(&args.corpus)?;
    if args.format == ExportFormat::Brat && args.out.is_none() {
        anyhow::bail!("--format brat writes files: give --out DIR");
    }
    let mut out = stdout();
    let mut w3c = Vec::new();
    for path in &files {
        let rel = corpus.rel(path);
        let text = match read_article(path, &rel) {
            Ok(t) => t,
            Err(e) => {
                report_error(&e);
                failures += 1;
                continue;
            }
        };
        let spans = spans_for(&corpus.engine, path, &text)?;
        if args.format != ExportFormat::Brat {
            report_dropped(&rel, path, args.format)?;
        }
        let target = |ext: &str| {
            args.out
                .as_ref()
                .map(|d| d.join(Path::new(&rel).with_extension(ext)))
        };
        let write_file = |p: &Path, bytes: &[u8]| -> anyhow::Result<()> {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            write_atomic(p, bytes).with_context(|| format!("writing {}", p.display()))
        };
        match args.format {
            ExportFormat::Brat => {
                if let Some(p) = target("ann") {
                    write_file(&p.with_extension("txt"), text.as_bytes())?;
                    // An existing .ann is copied as it is: brat to brat loses nothing.
                    let ann = ann_path(path);
                    let body = if ann.is_file() {
                        read_text(&ann)?
                    } else {
                        export::to_ann(&text, &spans).serialize()
                    };
                    write_file(&p, body.as_bytes())?;
                }
            }
            ExportFormat::Conll => {
                let c = export::conll(&text, &spans);
                match target("conll") {
                    Some(p) => write_file(&p, c.as_bytes())?,
                    None => write!(out, "{c}")?,
                }
            }
            ExportFormat::Jsonl => writeln!(out, "{}", export::jsonl(&rel, &text, &spans))?,
            ExportFormat::W3c => w3c.push(export::w3c(&rel, &text, &spans)),
        }
    }
    if args.format == ExportFormat::W3c {
        serde_json::to_writer_pretty(&mut out, &w3c)?;
        writeln!(out)?;
    }
    super::flush(out)?;
    Ok(if failures > 0 {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}

pub fn import(args: ImportArgs) -> anyhow::Result<Outcome> {
    std::fs::create_dir_all(&args.into)
        .with_context(|| format!("creating {}", args.into.display()))?;
    let mut articles: Vec<(String, String, Vec<Span>)> = Vec::new();
    let mut verbatim: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    match args.format {
        ImportFormat::Jsonl => {
            let text = read_text(&args.input)?;
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let (path, body, spans) = export::from_jsonl(line)
                    .map_err(|m| anyhow::anyhow!("{}:{}:1: {m}", args.input.display(), i + 1))?;
                articles.push((
                    path.unwrap_or_else(|| format!("{:05}.txt", i + 1)),
                    body,
                    spans,
                ));
            }
        }
        ImportFormat::Brat => {
            let mut txts: Vec<PathBuf> = walkdir::WalkDir::new(&args.input)
                .into_iter()
                .filter_map(Result::ok)
                .map(|e| e.into_path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            txts.sort();
            for p in txts {
                let rel = crate::workspace::display_rel(&std::path::absolute(&args.input)?, &p);
                let body = read_article(&p, &rel)?;
                let ann = ann_path(&p);
                // brat to brat is a copy: the .ann goes over as it is, every line kept.
                let raw = if ann.is_file() {
                    Some(read_text(&ann)?)
                } else {
                    None
                };
                let spans = raw
                    .as_deref()
                    .map(|r| export::spans_of(&parse(r)))
                    .unwrap_or_default();
                articles.push((rel.clone(), body, spans));
                if let Some(r) = raw {
                    verbatim.insert(rel, r);
                }
            }
        }
    }
    let mut dropped = 0;
    for (rel, body, spans) in &articles {
        if rel.split('/').any(|c| c == ".." || c.is_empty()) || Path::new(rel).is_absolute() {
            anyhow::bail!("refusing to write outside --into: {rel}");
        }
        let txt = args.into.join(rel);
        if let Some(parent) = txt.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if txt.is_file() {
            let existing = read_article(&txt, rel)?;
            if existing != *body {
                anyhow::bail!(
                    "{}: exists with different text; not overwritten",
                    txt.display()
                );
            }
        } else {
            write_atomic(&txt, body.as_bytes())?;
        }
        if let Some(raw) = verbatim.get(rel) {
            write_atomic(&ann_path(&txt), raw.as_bytes())?;
            continue;
        }
        let n = body.chars().count();
        let kept: Vec<Span> = spans
            .iter()
            .filter(|s| s.start < s.end && s.end <= n)
            .cloned()
            .collect();
        dropped += spans.len() - kept.len();
        write_atomic(
            &ann_path(&txt),
            export::to_ann(body, &kept).serialize().as_bytes(),
        )?;
    }
    eprintln!(
        "imported {} articles into {}{}",
        articles.len(),
        args.into.display(),
        if dropped > 0 {
            format!(" ({dropped} spans outside their text dropped)")
        } else {
            String::new()
        }
    );
    Ok(Outcome::Clean)
}

/// Articles with an `.ann` in `dir`: relative path → (text, spans).
fn annotated(
    dir: &Path,
) -> anyhow::Result<std::collections::BTreeMap<String, (String, Vec<Span>)>> {
    let root = std::path::absolute(dir)?;
    let mut out = std::collections::BTreeMap::new();
    for e in walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
    {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "ann") {
            let txt = p.with_extension("txt");
            let rel = crate::workspace::display_rel(&root, &txt);
            let text = read_article(&txt, &rel)?;
            out.insert(rel, (text, export::spans_of(&parse(&read_text(p)?))));
        }
    }
    Ok(out)
}

pub fn agree(args: AgreeArgs) -> anyhow::Result<Outcome> {
    let a = annotated(&args.dir_a)?;
    let b = annotated(&args.dir_b)?;
    let mut both = Vec::new();
    for (rel, (text, sa)) in &a {
        if let Some((_, sb)) = b.get(rel) {
            both.push((rel.clone(), text.clone(), sa.clone(), sb.clone()));
        }
    }
    let r = crate::analysis::agree::agree(&both);
    let mut out = stdout();
    if args.format == super::ListFormat::Json {
        let dis: Vec<_> = r
            .disagreements
            .iter()
            .map(|d| serde_json::json!({"article": d.article, "only_in": d.only_in.to_string(), "start": d.span.start, "end": d.span.end, "label": d.span.label}))
            .collect();
        let v = serde_json::json!({
            "articles": both.len(), "tokens": r.tokens, "kappa": r.kappa,
            "exact": {"precision": r.exact.precision, "recall": r.exact.recall, "f1": r.exact.f1},
            "overlap": {"precision": r.overlap.precision, "recall": r.overlap.recall, "f1": r.overlap.f1},
            "disagreements": dis,
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(
            out,
            "{} articles annotated by both, {} tokens",
            both.len(),
            r.tokens
        )?;
        writeln!(
            out,
            "exact spans:       precision {:.3}  recall {:.3}  F1 {:.3}",
            r.exact.precision, r.exact.recall, r.exact.f1
        )?;
        writeln!(
            out,
            "overlapping spans: precision {:.3}  recall {:.3}  F1 {:.3}",
            r.overlap.precision, r.overlap.recall, r.overlap.f1
        )?;
        writeln!(out, "Cohen's kappa on token labels: {:.3}", r.kappa)?;
        for d in &r.disagreements {
            let text = &both
                .iter()
                .find(|x| x.0 == d.article)
                .map(|x| x.1.clone())
                .unwrap_or_default();
            let (line, col) = crate::analysis::text::LineIndex::new(text).line_col(d.span.start);
            let covered = crate::analysis::text::slice_chars(text, d.span.start, d.span.end);
            writeln!(
                out,
                "{}:{}:{}\tonly {}\t{}\t{covered}",
                d.article,
                line + 1,
                col + 1,
                d.only_in,
                d.span.label
            )?;
        }
    }
    super::flush(out)?;
    Ok(Outcome::Clean)
}
