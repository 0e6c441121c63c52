//! Answers rendered straight to JSON bytes, bypassing the `serde_json::Value` tree that
//! tower-lsp-server turns every result into.
//!
//! A handler cannot return bytes through tower-lsp-server, and does not know its request's id.
//! So [`catch`](super::catch) runs the handlers of [`METHODS`] inside a [`Slot`] (a task-local
//! scope around that one request's future); a handler that finds one puts its rendered
//! `result` there and returns nothing, and the wrapper frames the bytes with the request's id
//! and queues them for the client beside every other frame. Outside a slot (a service driven
//! without [`serve`](super::serve)) the handler answers the usual way.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

/// Methods whose handlers may answer with pre-rendered bytes.
pub const METHODS: &[&str] = &["textDocument/references"];

tokio::task_local! {
    static RESULT: Slot;
}

/// Where one request's pre-rendered `result` waits for its wrapper.
#[derive(Clone, Debug, Default)]
pub struct Slot(Arc<Mutex<Option<Vec<u8>>>>);

impl Slot {
    /// Runs `fut` with this slot in scope.
    pub fn scope<F: Future>(&self, fut: F) -> impl Future<Output = F::Output> {
        RESULT.scope(self.clone(), fut)
    }

    /// The rendered result, if the handler left one.
    pub fn take(&self) -> Option<Vec<u8>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Hands `result` (the JSON of the response's `result`) to the request's slot; gives it back
/// when the handler runs outside one.
pub fn offer(result: Vec<u8>) -> Result<(), Vec<u8>> {
    match RESULT.try_with(Slot::clone) {
        Ok(slot) => {
            *slot.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            Ok(())
        }
        Err(_) => Err(result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slot_holds_what_is_offered_in_its_scope_only() {
        assert_eq!(offer(b"[]".to_vec()), Err(b"[]".to_vec()));
        let slot = Slot::default();
        let got = slot.scope(async { offer(b"[1]".to_vec()) }).await;
        assert_eq!(got, Ok(()));
        assert_eq!(slot.take(), Some(b"[1]".to_vec()));
        assert_eq!(slot.take(), None);
    }
}
