//! The command line: argument parsing, the commands, and exit codes.
//!
//! Exit codes (design.md): 0 clean; 1 findings at or above the failing severity; 2 usage,
//! configuration or I/O error, which wins over 1. An error on one file is reported and the run
//! goes on with the others. A closed stdout (`khabar … | head`) ends the run quietly with 0.

mod check;
mod curation;
mod kb;
mod mentions;
pub mod report;
mod rules;

use crate::workspace::{find_root, Corpus, LoadError};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "khabar",
    version,
    about = "Entity mentions, diagnostics and a language server for Arabic and Persian news corpora"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every knowledge-base entity mentioned in the articles.
    Mentions(mentions::Args),
    /// Check articles and report what is wrong in them.
    Check(check::Args),
    /// Inspect the knowledge base (the embedded one merged with the workspace's).
    #[command(subcommand)]
    Kb(kb::KbCommand),
    /// List every rule, or print one rule's help.
    Rules(rules::Args),
    /// Export annotations (the `.ann` files, else khabar's mentions) as brat, CoNLL, JSONL or W3C.
    Export(curation::ExportArgs),
    /// Import articles and annotations from JSONL or a brat folder.
    Import(curation::ImportArgs),
    /// Agreement between two annotators' folders: span P/R/F1 and Cohen's kappa.
    Agree(curation::AgreeArgs),
    /// Run the language server over stdio.
    Lsp,
}

/// Options every corpus command shares.
#[derive(clap::Args, Debug, Clone)]
pub struct CorpusArgs {
    /// Files or folders (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// The corpus root (default: the nearest folder holding khabar.toml, else the first path).
    #[arg(long)]
    pub root: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

/// What a command ended with.
pub enum Outcome {
    Clean,
    Findings,
    Failed,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Mentions(a) => mentions::run(a),
        Command::Check(a) => check::run(a),
        Command::Kb(c) => kb::run(c),
        Command::Rules(a) => rules::run(a),
        Command::Export(a) => curation::export(a),
        Command::Import(a) => curation::import(a),
        Command::Agree(a) => curation::agree(a),
        Command::Lsp => crate::lsp::run_stdio().map(|_| Outcome::Clean),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Ok(Outcome::Failed) => ExitCode::from(2),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints a per-file error the way every command does: `error: path:line:col: message`.
pub fn report_error(e: &LoadError) {
    eprintln!("error: {e}");
}

/// Opens the corpus the paths belong to, and lists its articles among them. Missing paths and
/// unreadable folders are reported and counted, not fatal.
pub fn open(args: &CorpusArgs) -> Result<(Corpus, Vec<PathBuf>, usize), LoadError> {
    let corpus = open_corpus(args)?;
    let filter = filter(&corpus)?;
    let (files, errors) =
        crate::workspace::files::discover(&corpus.root, &arg_paths(args), &filter);
    for e in &errors {
        report_error(e);
    }
    Ok((corpus, files, errors.len()))
}

/// The corpus the paths belong to (its KB and configuration), without looking for articles.
pub fn open_corpus(args: &CorpusArgs) -> Result<Corpus, LoadError> {
    let paths = arg_paths(args);
    let root = match &args.root {
        Some(r) => r.clone(),
        None => default_root(&paths[0]),
    };
    Corpus::load(&root)
}

fn arg_paths(args: &CorpusArgs) -> Vec<PathBuf> {
    if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    }
}

fn filter(corpus: &Corpus) -> Result<crate::workspace::files::Filter, LoadError> {
    let config_name = corpus
        .config_path
        .as_deref()
        .map(|p| corpus.rel(p))
        .unwrap_or_else(|| "khabar.toml".into());
    Ok(crate::workspace::files::Filter::new(
        &corpus.engine.config,
        &config_name,
    )?)
}

/// Runs `work` on every article the paths name, on the pool threads, starting while the rest
/// are still being found: the results sorted by path as [`open`] lists the articles, each
/// article once. Missing paths and unreadable folders are reported (in `open`'s order) and
/// counted. `found` is told of each article as the walk finds it (a progress bar's length).
pub fn each_article<T: Send>(
    args: &CorpusArgs,
    corpus: &Corpus,
    found: impl Fn() + Sync,
    work: impl Fn(&Path) -> T + Sync,
) -> Result<(Vec<(PathBuf, T)>, usize), LoadError> {
    use crate::workspace::files::{self, Found};
    use rayon::iter::{ParallelBridge, ParallelIterator};
    let filter = filter(corpus)?;
    let paths = arg_paths(args);
    let all: Vec<Result<(PathBuf, T), files::WalkError>> =
        files::walk(&corpus.root, &paths, &filter)
            .par_bridge()
            .map(|f| match f {
                Found::Article(p) => {
                    found();
                    let r = work(&p);
                    Ok((p, r))
                }
                Found::Error(arg, p, e) => Err((arg, p, e)),
            })
            .collect();
    let mut done = Vec::with_capacity(all.len());
    let mut errors = Vec::new();
    for r in all {
        match r {
            Ok(x) => done.push(x),
            Err(e) => errors.push(e),
        }
    }
    files::sort_dedup_by_path(&mut done, |(p, _)| p);
    let errors = files::sorted_errors(errors);
    for e in &errors {
        report_error(e);
    }
    Ok((done, errors.len()))
}

fn default_root(first: &Path) -> PathBuf {
    if let Some(r) = find_root(first) {
        return r;
    }
    if first.is_dir() {
        first.to_path_buf()
    } else {
        first
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// A buffered stdout whose write errors (a closed pipe) propagate as `io::Error`.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

pub fn flush(mut w: impl Write) -> anyhow::Result<()> {
    w.flush()?;
    Ok(())
}
