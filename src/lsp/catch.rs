//! A panic in a handler becomes an error response; the server keeps serving.
//!
//! tower-lsp-server polls every handler inside its own serve loop and has no `catch_unwind`,
//! so one panicking handler would end the session. [`CatchPanic`] wraps the whole service:
//! each request's future is polled under `catch_unwind`, and a panic is answered with an
//! internal error naming the method (a notification has nothing to answer; it is logged).
//! The same wrapper answers an unknown `$/` request with MethodNotFound, which JSON-RPC asks
//! for and tower-lsp-server leaves unanswered (the client would wait forever).
//! Shared state is guarded by `std::sync::Mutex`es that the server locks with
//! `unwrap_or_else(PoisonError::into_inner)`, so a panic while one is held does not wedge it.

use futures::future::{BoxFuture, FutureExt};
use futures::SinkExt;
use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::task::{Context, Poll};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};
use tower_lsp_server::ls_types::MessageType;
use tower_lsp_server::{Client, ExitedError, LspService};
use tower_service::Service;

use super::prerendered::{self, Slot};
use super::transport::{self, Frames};
use super::Backend;

pub struct CatchPanic {
    inner: LspService<Backend>,
    client: Client,
    /// Where a pre-rendered answer goes (see [`prerendered`]).
    frames: Frames,
}

impl CatchPanic {
    pub fn new(inner: LspService<Backend>, frames: Frames) -> Self {
        let client = inner.inner().client().clone();
        CatchPanic {
            inner,
            client,
            frames,
        }
    }
}

impl Service<Request> for CatchPanic {
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = BoxFuture<'static, Result<Option<Response>, ExitedError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_string();
        let client = self.client.clone();
        let dollar = id.clone().filter(|_| method.starts_with("$/"));
        let method_name = method.clone();
        let slot = id
            .clone()
            .filter(|_| prerendered::METHODS.contains(&method.as_str()))
            .map(|id| (id, Slot::default(), self.frames.clone()));
        let answer = move |payload: Box<dyn Any + Send>| {
            let message = format!(
                "khabar: `{method}` failed: {}",
                panic_message(payload.as_ref())
            );
            async move {
                client.log_message(MessageType::ERROR, &message).await;
                Ok(id.map(|id| {
                    let mut error = Error::new(ErrorCode::InternalError);
                    error.message = message.into();
                    Response::from_error(id, error)
                }))
            }
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            Ok(fut) => {
                let fut: BoxFuture<'static, _> = match &slot {
                    Some((_, s, _)) => s.scope(fut).boxed(),
                    None => fut.boxed(),
                };
                AssertUnwindSafe(fut)
                    .catch_unwind()
                    .then(move |result| async move {
                        if let Some((id, s, mut frames)) = slot {
                            if let Some(body) = s.take() {
                                // The handler's own answer (an empty one) is dropped for these
                                // bytes; a closed output has no reader left to answer.
                                let _ = frames.send(transport::response_frame(&id, &body)).await;
                                return Ok(None);
                            }
                        }
                        match result {
                            // tower-lsp-server drops the answer to an unknown `$/` request, but
                            // the client waits for one: JSON-RPC says MethodNotFound.
                            Ok(Ok(None)) if dollar.is_some() => Ok(dollar.map(|id| {
                                let mut error = Error::method_not_found();
                                error.data = Some(method_name.into());
                                Response::from_error(id, error)
                            })),
                            Ok(response) => response,
                            Err(payload) => answer(payload).await,
                        }
                    })
                    .boxed()
            }
            Err(payload) => answer(payload).boxed(),
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Logs panics as one line on stderr (stdout carries the protocol), keeping the default
/// hook's location.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = panic_message(info.payload());
        eprintln!("khabar lsp: panic{location}: {message}");
    }));
}
