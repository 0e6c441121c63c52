//! The language server (`khabar lsp`): protocol glue over the analysis core and the workspace.
//!
//! This is the only module that knows about LSP, JSON-RPC, URIs and position encodings; the
//! core speaks code-point offsets and plain result types, converted in [`convert`]. The server
//! is tower-lsp-server's, with two things of our own in front of it: a framing layer
//! ([`transport`]) that answers malformed messages instead of letting them end the session,
//! and a panic guard ([`catch`]) that turns a panicking handler into an error response.
#![deny(clippy::print_stdout)]

mod actions;
mod catch;
mod convert;
mod curate;
mod definition;
mod diagnostics;
mod hover;
mod indexer;
mod kb_action;
mod prerendered;
mod semantic;
mod server;
mod state;
mod symbols;
mod transport;

pub use server::Backend;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{ClientSocket, LspService, Server};

/// The environment variable that enables the test-only `khabar/panic` request (as does the
/// `testPanic` setting).
pub const TEST_PANIC_ENV: &str = "KHABAR_TEST_PANIC";

/// Messages handled at once: enough for every keystroke of a burst of typing to be answered
/// while earlier ones wait for a pause.
pub(crate) const CONCURRENCY: usize = 64;

/// The service with every khabar method registered, for `serve` and for in-process tests.
pub fn service() -> (LspService<Backend>, ClientSocket) {
    service_with(None)
}

/// The service; with `frames`, pushed diagnostics are rendered straight into that queue.
fn service_with(frames: Option<transport::Frames>) -> (LspService<Backend>, ClientSocket) {
    LspService::build(move |client| Backend::with_frames(client, frames))
        .custom_method("khabar/panic", Backend::test_panic)
        .custom_method("window/workDoneProgress/cancel", Backend::cancel_progress)
        .custom_method(transport::INVALID_MESSAGE, Backend::invalid_message)
        .finish()
}

/// Serves one client over a pair of byte streams until it exits or closes its end.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Send + Unpin + 'static,
{
    let (frames, queued) = transport::frame_queue();
    let writer = tokio::spawn(transport::write_frames(queued, output));
    session(input, frames).await;
    let _ = writer.await;
}

/// The session over `input`, with every outgoing frame queued on `frames` (see
/// [`transport`]); the queue is closed when it ends.
async fn session<I>(input: I, frames: transport::Frames)
where
    I: AsyncRead + Unpin + Send + 'static,
{
    let (service, socket) = service_with(Some(frames.clone()));
    let service = catch::CatchPanic::new(service, frames.clone());
    // tower-lsp-server stops reading for good after one frame it cannot decode, so every
    // frame is checked first and a bad one is replaced by a request that answers the error.
    let (clean_read, clean_write) = tokio::io::duplex(1 << 16);
    let sanitize = tokio::spawn(transport::sanitize(input, clean_write));
    // tower-lsp-server polls at most 4 messages at once by default. A large article's edit
    // handler waits out a pause in typing before its full analysis, so with 4 slots the fifth
    // keystroke would queue behind the first's wait; changes still apply in arrival order
    // (each handler's first poll, before any `.await`, see server.rs).
    Server::new(
        clean_read,
        transport::FrameSplitter::new(frames.clone()),
        socket,
    )
    .concurrency_level(CONCURRENCY)
    .serve(service)
    .await;
    // Background tasks may still hold senders: nothing more goes out once the session ended,
    // but what is queued is written.
    frames.clone().close_channel();
    sanitize.abort();
}

/// How long the end of a session waits for its last frames to be written: a client that
/// stopped reading must not keep the server alive.
const LAST_WRITE: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs the server over stdin and stdout until the client exits.
pub fn run_stdio() -> anyhow::Result<()> {
    catch::install_panic_hook();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (frames, queued) = transport::frame_queue();
    let (written, all_written) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        transport::write_frames_blocking(queued, stdout_writer());
        let _ = written.send(());
    });
    runtime.block_on(session(tokio::io::stdin(), frames));
    let _ = all_written.recv_timeout(LAST_WRITE);
    // stdin may still be blocked in a read the runtime cannot cancel; do not wait for it.
    runtime.shutdown_background();
    Ok(())
}

/// Stdout without its line buffering where the platform allows (a frame is one write), else
/// as it is.
fn stdout_writer() -> Box<dyn std::io::Write + Send> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdout())
}
