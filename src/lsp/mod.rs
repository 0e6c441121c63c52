//! The language server (`khabar lsp`): protocol glue over the analysis core and the workspace.

/// Runs the server over stdin and stdout until the client exits.
pub fn run_stdio() -> anyhow::Result<()> {
    anyhow::bail!("the language server is not built yet")
}
