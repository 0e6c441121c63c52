//! Zed extension: starts `khabar lsp` for plain-text files, with the `khabar` binary found on
//! the worktree's PATH. Zed builds it to WebAssembly when the extension is installed as a dev
//! extension ("zed: install dev extension", pointing at editors/zed).

use zed_extension_api as zed;

struct Khabar;

impl zed::Extension for Khabar {
    fn new() -> Self {
        Khabar
    }

    fn language_server_command(
        &mut self,
        _id: &zed::LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<zed::Command> {
        let path = worktree.which("khabar").ok_or_else(|| {
            "khabar is not on PATH: install it with `cargo install --path .` in the khabar repository"
                .to_string()
        })?;
        Ok(zed::Command {
            command: path,
            args: vec!["lsp".to_string()],
            env: worktree.shell_env(),
        })
    }
}

zed::register_extension!(Khabar);
