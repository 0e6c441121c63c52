//! `khabar kb`: the merged knowledge base, as a table, one entry, or the alias list a plain-text
//! search tool would need to find the same names.

use super::{open_corpus, stdout, CorpusArgs, ListFormat, Outcome};
use crate::analysis::kb::{Entity, Needs};
use std::collections::HashSet;
use std::io::Write;

#[derive(clap::Subcommand, Debug)]
pub enum KbCommand {
    /// One line per entity: id, kind and labels.
    List {
        #[command(flatten)]
        corpus: CorpusArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Everything the KB holds about one entity.
    Show {
        id: String,
        #[command(flatten)]
        corpus: CorpusArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Every surface form, one per line (for `rg -F -f`).
    Aliases {
        #[command(flatten)]
        corpus: CorpusArgs,
    },
}

pub fn run(cmd: KbCommand) -> anyhow::Result<Outcome> {
    let mut out = stdout();
    match cmd {
        KbCommand::List { corpus, format } => {
            let c = open_corpus(&corpus)?;
            let kb = &c.engine.kb;
            match format {
                ListFormat::Json => {
                    serde_json::to_writer(&mut out, &kb.entities)?;
                    writeln!(out)?;
                }
                ListFormat::Human => {
                    for e in &kb.entities {
                        writeln!(
                            out,
                            "{:<32} {:<13} {:<36} {}  {}",
                            e.id,
                            e.kind.as_str(),
                            e.labels.en.as_deref().unwrap_or("-"),
                            e.labels.ar.as_deref().unwrap_or("-"),
                            e.labels.fa.as_deref().unwrap_or("-"),
                        )?;
                    }
                }
            }
        }
        KbCommand::Show { id, corpus, format } => {
            let c = open_corpus(&corpus)?;
            let kb = &c.engine.kb;
            let Some(e) = kb.get(&id) else {
                anyhow::bail!(
                    "no entity `{id}` in the knowledge base (`khabar kb list` lists them)"
                );
            };
            match format {
                ListFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, e)?;
                    writeln!(out)?;
                }
                ListFormat::Human => show(&mut out, e, kb)?,
            }
        }
        KbCommand::Aliases { corpus } => {
            let c = open_corpus(&corpus)?;
            let mut seen = HashSet::new();
            // Besides each surface form, the forms the matcher also finds that a substring
            // search would miss: لل for a name with ال (للعراق) and multi-word names written
            // without their spaces (ولادیمیرپوتین).
            for e in &c.engine.kb.entities {
                for (s, _) in e.surfaces() {
                    let mut forms = vec![s.to_string()];
                    if let Some(rest) = s.strip_prefix("ال") {
                        forms.push(format!("لل{rest}"));
                    }
                    if s.contains(' ') {
                        forms.push(s.replace(' ', ""));
                    }
                    for f in forms {
                        if seen.insert(f.clone()) {
                            writeln!(out, "{f}")?;
                        }
                    }
                }
            }
        }
    }
    super::flush(out)?;
    Ok(Outcome::Clean)
}

fn show(out: &mut impl Write, e: &Entity, kb: &crate::analysis::kb::Kb) -> std::io::Result<()> {
    writeln!(out, "{} ({})", e.display_name(), e.kind.as_str())?;
    writeln!(out, "  id:          {}", e.id)?;
    for (lang, l) in [
        ("ar", &e.labels.ar),
        ("fa", &e.labels.fa),
        ("en", &e.labels.en),
    ] {
        if let Some(l) = l {
            writeln!(out, "  label ({lang}):  {l}")?;
        }
    }
    if let Some(d) = &e.description {
        writeln!(out, "  description: {d}")?;
    }
    for r in &e.roles {
        let span = match (&r.from, &r.to) {
            (Some(f), Some(t)) => format!(" ({f}–{t})"),
            (Some(f), None) => format!(" (from {f})"),
            (None, Some(t)) => format!(" (until {t})"),
            (None, None) => String::new(),
        };
        writeln!(out, "  role:        {}{span}", r.title)?;
    }
    for a in &e.aliases {
        let cond = match a.needs {
            Needs::Nothing => "",
            Needs::Cue => "  (needs a cue)",
            Needs::FullName => "  (after the full name)",
        };
        writeln!(out, "  alias:       {}{cond}", a.text)?;
    }
    for d in &e.decls {
        if let Some(f) = kb.files.get(d.file) {
            writeln!(out, "  defined in:  {}:{}", f.name, d.line + 1)?;
        }
    }
    Ok(())
}
