//! khabar: a language server and batch validator for corpora of Arabic and Persian news.
//!
//! [`analysis`] is the pure core (no I/O, no LSP, no async); [`workspace`] reads a corpus from
//! disk; [`cli`] and [`lsp`] are thin front ends over both.

pub mod analysis;
pub mod cli;
pub mod lsp;
pub mod workspace;
