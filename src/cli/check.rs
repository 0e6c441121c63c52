//! `khabar check`: run every rule over the articles and report, for people and for CI.

use super::report::{self, FileResult, Reporter, Totals};
use super::{each_article, open_corpus, report_error, stdout, CorpusArgs, Outcome};
use crate::analysis::diagnostic::Severity;
use crate::workspace::files::read_article;
use clap::ValueEnum;
use std::io::IsTerminal;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    Hint,
    Info,
    Warning,
    Error,
}

impl DenyLevel {
    fn severity(self) -> Severity {
        match self {
            DenyLevel::Hint => Severity::Hint,
            DenyLevel::Info => Severity::Info,
            DenyLevel::Warning => Severity::Warning,
            DenyLevel::Error => Severity::Error,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Fail (exit 1) on findings at or above this severity.
    #[arg(long, value_enum, default_value_t = DenyLevel::Error)]
    pub deny: DenyLevel,
}

/// Validates an `.ann` file, with the configured severities applied as for text rules.
fn check_ann(
    engine: &crate::analysis::Engine,
    ann_text: &str,
    article: &str,
) -> Vec<crate::analysis::diagnostic::Diagnostic> {
    let mut found =
        crate::analysis::ann_check::validate(ann_text, article, &engine.kb, &engine.config);
    found.retain_mut(
        |d| match crate::analysis::rules::configured(&engine.config, d.rule) {
            None => false,
            Some(Some(sev)) => {
                d.severity = sev;
                true
            }
            Some(None) => true,
        },
    );
    found
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let corpus = open_corpus(&args.corpus)?;
    let engine = &corpus.engine;
    let reporter: Box<dyn Reporter> = match args.format {
        Format::Json => Box::new(report::json::Json),
        Format::Sarif => Box::new(report::sarif::Sarif {
            root: corpus.root.clone(),
        }),
        Format::Github => Box::new(report::github::Github),
        Format::Human => Box::new(report::human::Human::new()),
    };
    let reporter = &*reporter;
    let annotations = crate::workspace::siblings::Annotations::default();
    // A progress bar only for people: on a terminal, drawn once there is more than a moment's
    // work (articles are counted as the walk finds them). Machine formats go to stdout and the
    // bar to stderr, so neither disturbs the other.
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} articles {elapsed}")
        {
            bar.set_style(style);
        }
        bar
    });
    let (results, mut failures) = each_article(
        &args.corpus,
        &corpus,
        || {
            if let Some(bar) = &progress {
                bar.inc_length(1);
            }
        },
        |path| {
            let rel = corpus.rel(path);
            let text = match read_article(path, &rel) {
                Ok(text) => text,
                Err(e) => return (Err(e), None),
            };
            let diagnostics = engine.analyze(&text).diagnostics;
            // The article's standoff annotations, when it has them, are checked against it.
            let ann_result = annotations.beside(path).map(|ann| {
                crate::workspace::read_text(&ann).map(|ann_text| {
                    let diagnostics = check_ann(engine, &ann_text, &text);
                    FileResult::new(reporter, corpus.rel(&ann), ann_text, diagnostics)
                })
            });
            let article = Ok(FileResult::new(reporter, rel, text, diagnostics));
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            (article, ann_result)
        },
    )?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let articles = results.len();
    let results = results
        .into_iter()
        .flat_map(|(_, (article, ann))| std::iter::once(article).chain(ann));
    let mut ok = Vec::with_capacity(articles);
    for r in results {
        match r {
            Ok(f) => ok.push(f),
            Err(e) => {
                report_error(&e);
                failures += 1;
            }
        }
    }
    let mut out = stdout();
    reporter.write(
        &mut out,
        &ok,
        Totals {
            articles,
            unreadable: failures,
        },
    )?;
    super::flush(out)?;
    let deny = args.deny.severity();
    let failing = ok.iter().any(|f| f.tally.worst.is_some_and(|w| w >= deny));
    // The process ends once the report is out: freeing every file's part and the engine's
    // tables first was a serial millisecond at the end of a check of the corpus day.
    std::mem::forget(ok);
    std::mem::forget(corpus);
    Ok(if failures > 0 {
        Outcome::Failed
    } else if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
