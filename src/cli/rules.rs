//! `khabar rules`: every rule with its default severity, or one rule's help.

use super::{stdout, Outcome};
use crate::analysis::rules;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A rule id: print its help.
    pub id: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let mut out = stdout();
    match args.id {
        Some(id) => {
            let Some(m) = rules::meta(&id) else {
                anyhow::bail!("unknown rule `{id}` (`khabar rules` lists them)");
            };
            writeln!(
                out,
                "{} ({} by default{})\n",
                m.id,
                m.default_severity.as_str(),
                if m.fixable { ", fixable" } else { "" }
            )?;
            writeln!(out, "{}\n", m.summary)?;
            write!(out, "{}", m.help)?;
        }
        None => {
            for m in rules::all_meta() {
                writeln!(
                    out,
                    "{:<26} {:<8} {}",
                    m.id,
                    m.default_severity.as_str(),
                    m.summary
                )?;
            }
        }
    }
    super::flush(out)?;
    Ok(Outcome::Clean)
}
