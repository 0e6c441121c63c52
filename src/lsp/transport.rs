//! Framing in front of tower-lsp-server: every message the client sends is checked before the
//! server's own codec sees it.
//!
//! The codec tower-lsp-server 0.23 reads with (tokio-util's `FramedRead`) ends the stream
//! after the first frame it cannot decode, so one malformed message would silently end the
//! session. Here each frame is read by hand; a good one is passed on unchanged, a bad one is
//! replaced by a request to [`INVALID_MESSAGE`] carrying the JSON-RPC error to answer (parse
//! error or invalid request, with the message's id when it has a usable one), so the client
//! gets its error response through the server's normal path and the session goes on.
//!
//! On the way out, everything goes through one queue of whole frames ([`Frames`]) that a
//! single task writes: tower-lsp-server's own output, cut back into frames by [`FrameSplitter`],
//! and frames khabar renders itself. A large answer (thousands of reference locations) costs
//! far more as a `serde_json::Value` tree, which is all tower-lsp-server can carry, than as the
//! bytes it ends up as; such answers are rendered straight to bytes and queued beside the rest.

use futures::channel::mpsc;
use futures::StreamExt;
use serde_json::{json, Map, Value};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Id, Request, Response};

/// The internal method a malformed message is turned into. Its handler answers with the error
/// code and message in its params.
pub const INVALID_MESSAGE: &str = "khabar/invalidMessage";

/// Bodies larger than this are skipped unread and answered with an error.
const MAX_BODY: usize = 64 << 20;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// Copies `input` to `output` frame by frame, replacing malformed frames, until `input` ends.
pub async fn sanitize<I, O>(input: I, mut output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    loop {
        let frame = match read_frame(&mut input).await {
            Ok(Some(f)) => f,
            Ok(None) | Err(_) => break,
        };
        let body = match frame {
            Frame::Body(body) => match check(&body) {
                Verdict::Pass => body,
                Verdict::Drop => continue,
                Verdict::Answer(id, code, message) => invalid(id, code, &message),
            },
            Frame::Bad(message) => invalid(Id::Null, PARSE_ERROR, &message),
        };
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
        {
            break;
        }
        if output.flush().await.is_err() {
            break;
        }
    }
    let _ = output.shutdown().await;
}

enum Frame {
    Body(Vec<u8>),
    /// Headers that could not be used; the message says why.
    Bad(String),
}

/// Reads one frame: header lines up to a blank line, then `Content-Length` bytes. `None` at
/// the end of input.
async fn read_frame<R: AsyncRead + Unpin + AsyncBufReadExt>(
    input: &mut R,
) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between messages carry nothing.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("invalid Content-Length `{}`", value.trim())),
                );
            }
        }
    }
    let length = match length {
        None => {
            return Ok(Some(Frame::Bad(
                "missing Content-Length header".to_string(),
            )))
        }
        Some(Err(message)) => return Ok(Some(Frame::Bad(message))),
        Some(Ok(n)) => n,
    };
    if length > MAX_BODY {
        let skipped = tokio::io::copy(
            &mut (&mut *input).take(length as u64),
            &mut tokio::io::sink(),
        )
        .await?;
        if (skipped as usize) < length {
            return Ok(None);
        }
        return Ok(Some(Frame::Bad(format!(
            "message of {length} bytes is too large"
        ))));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body).await {
        Ok(_) => Ok(Some(Frame::Body(body))),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

enum Verdict {
    Pass,
    /// A response to the server that cannot be matched to anything: nothing to answer.
    Drop,
    Answer(Id, i64, String),
}

fn check(body: &[u8]) -> Verdict {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Verdict::Answer(Id::Null, PARSE_ERROR, format!("parse error: {e}")),
    };
    let Value::Object(map) = &value else {
        return Verdict::Answer(
            Id::Null,
            INVALID_REQUEST,
            "a message must be a JSON object".to_string(),
        );
    };
    let id = usable_id(map);
    if map.contains_key("method") {
        return match serde_json::from_value::<Request>(value.clone()) {
            Ok(_) => Verdict::Pass,
            Err(e) => Verdict::Answer(id, INVALID_REQUEST, format!("invalid request: {e}")),
        };
    }
    if map.contains_key("id") && (map.contains_key("result") || map.contains_key("error")) {
        return match serde_json::from_value::<Response>(value.clone()) {
            Ok(_) => Verdict::Pass,
            Err(_) => Verdict::Drop,
        };
    }
    Verdict::Answer(
        id,
        INVALID_REQUEST,
        "invalid request: no `method`".to_string(),
    )
}

fn usable_id(map: &Map<String, Value>) -> Id {
    map.get("id")
        .and_then(|v| serde_json::from_value::<Id>(v.clone()).ok())
        .unwrap_or(Id::Null)
}

fn invalid(id: Id, code: i64, message: &str) -> Vec<u8> {
    let req = Request::build(INVALID_MESSAGE)
        .params(json!({ "code": code, "message": message }))
        .id(id)
        .finish();
    serde_json::to_vec(&req).unwrap_or_default()
}

/// [`write_frames`] for a blocking `output` (the server's stdout), on a thread of its own:
/// each frame goes out as soon as it is queued, without a trip through the runtime's blocking
/// pool (where tokio's stdout does every write) and without waiting for a runtime worker.
pub fn write_frames_blocking<O: std::io::Write>(mut rx: mpsc::Receiver<Vec<u8>>, mut output: O) {
    while let Some(frame) = futures::executor::block_on(rx.next()) {
        if output.write_all(&frame).is_err() {
            return;
        }
        while let Ok(more) = rx.try_recv() {
            if output.write_all(&more).is_err() {
                return;
            }
        }
        if output.flush().is_err() {
            return;
        }
    }
}

/// The queue of whole frames (header and body) on their way to the client.
pub type Frames = mpsc::Sender<Vec<u8>>;

/// Frames queued before a writer waits: enough to batch a burst, few enough that a client that
/// stops reading stops the server's output instead of filling its memory.
const FRAME_QUEUE: usize = 16;

/// A new frame queue and its receiving end, for [`write_frames`].
pub fn frame_queue() -> (Frames, mpsc::Receiver<Vec<u8>>) {
    mpsc::channel(FRAME_QUEUE)
}

/// `body` framed with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    let mut out = Vec::with_capacity(header.len() + body.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(body);
    out
}

/// The frame of a successful response to request `id` whose `result` is the JSON `result`,
/// byte for byte as tower-lsp-server writes one.
pub fn response_frame(id: &Id, result: &[u8]) -> Vec<u8> {
    let id = serde_json::to_string(id).unwrap_or_else(|_| "null".to_string());
    let (head, mid, tail) = (br#"{"jsonrpc":"2.0","result":"#, br#","id":"#, b"}");
    let len = head.len() + result.len() + mid.len() + id.len() + tail.len();
    // Built in one buffer: a result can be megabytes.
    let header = format!("Content-Length: {len}\r\n\r\n");
    let mut out = Vec::with_capacity(header.len() + len);
    for part in [header.as_bytes(), head, result, mid, id.as_bytes(), tail] {
        out.extend_from_slice(part);
    }
    out
}

/// The frame of notification `method` with `params`, serialized straight from `params`.
pub fn notification_frame<P: serde::Serialize>(method: &str, params: &P) -> Option<Vec<u8>> {
    #[derive(serde::Serialize)]
    struct Notification<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
    }
    let body = serde_json::to_vec(&Notification {
        jsonrpc: "2.0",
        method,
        params,
    })
    .ok()?;
    Some(frame(&body))
}

/// Writes queued frames to `output` until every sender is gone or the channel is closed,
/// flushing whenever the queue runs dry, then shuts `output` down.
pub async fn write_frames<O: AsyncWrite + Unpin>(mut rx: mpsc::Receiver<Vec<u8>>, mut output: O) {
    while let Some(frame) = rx.next().await {
        if output.write_all(&frame).await.is_err() {
            break;
        }
        // What is already queued goes out before the flush.
        let mut broken = false;
        while let Ok(more) = rx.try_recv() {
            if output.write_all(&more).await.is_err() {
                broken = true;
                break;
            }
        }
        if broken || output.flush().await.is_err() {
            break;
        }
    }
    let _ = output.shutdown().await;
}

/// The writer tower-lsp-server writes to: it cuts the byte stream back into whole frames and
/// queues them, so that they never interleave with frames queued by khabar.
pub struct FrameSplitter {
    tx: Frames,
    buf: Vec<u8>,
}

impl FrameSplitter {
    pub fn new(tx: Frames) -> Self {
        FrameSplitter {
            tx,
            buf: Vec::new(),
        }
    }

    /// Queues every complete frame in the buffer; pending while the queue is full.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        while let Some(len) = complete_frame(&self.buf) {
            ready!(self.tx.poll_ready(cx)).map_err(|_| closed())?;
            // Usually the buffer holds exactly one frame: then nothing is copied.
            let rest = self.buf.split_off(len);
            let frame = std::mem::replace(&mut self.buf, rest);
            self.tx.start_send(frame).map_err(|_| closed())?;
        }
        Poll::Ready(Ok(()))
    }
}

fn closed() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the output is closed")
}

/// The length of the frame at the start of `buf`, once all of it is there. A header without a
/// usable `Content-Length` (tower-lsp-server writes none) is passed on alone.
fn complete_frame(buf: &[u8]) -> Option<usize> {
    let end = memchr::memmem::find(buf, b"\r\n\r\n")? + 4;
    let header = std::str::from_utf8(&buf[..end]).ok();
    let length = header.and_then(|h| {
        h.split("\r\n").find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
    });
    let total = end + length.unwrap_or(0);
    (buf.len() >= total).then_some(total)
}

impl AsyncWrite for FrameSplitter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        this.buf.extend_from_slice(bytes);
        // A full queue leaves the frame buffered (and this task woken) until the next call.
        if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.get_mut().poll_drain(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.get_mut().poll_drain(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn splitter_queues_whole_frames_however_the_bytes_arrive() {
        let a = frame(br#"{"a":1}"#);
        let b = frame("{\"b\":\"خبر\"}".as_bytes());
        let stream: Vec<u8> = [a.clone(), b.clone(), a.clone()].concat();
        for cut in [1, 3, 7, 19, 25, stream.len()] {
            let (tx, mut rx) = frame_queue();
            let mut w = FrameSplitter::new(tx);
            for piece in stream.chunks(cut) {
                w.write_all(piece).await.unwrap();
            }
            w.flush().await.unwrap();
            drop(w);
            let mut got = Vec::new();
            while let Some(f) = rx.next().await {
                got.push(f);
            }
            assert_eq!(got, [a.clone(), b.clone(), a.clone()], "cut {cut}");
        }
    }

    #[tokio::test]
    async fn writer_writes_every_frame_in_order_then_shuts_down() {
        let (mut tx, rx) = frame_queue();
        let mut out = Vec::new();
        let frames: Vec<Vec<u8>> = (0..40).map(|i| frame(format!("{i}").as_bytes())).collect();
        let send = {
            let frames = frames.clone();
            async move {
                for f in frames {
                    futures::SinkExt::send(&mut tx, f).await.unwrap();
                }
            }
        };
        futures::join!(send, write_frames(rx, &mut out));
        assert_eq!(out, frames.concat());
    }

    #[test]
    fn notification_frames_hold_what_tower_lsp_server_sends() {
        let params = json!({"uri": "file:///a", "diagnostics": [], "version": 3});
        let f = notification_frame("textDocument/publishDiagnostics", &params).unwrap();
        let body = String::from_utf8(f).unwrap();
        let body = body.split_once("\r\n\r\n").unwrap().1;
        let got: Value = serde_json::from_str(body).unwrap();
        let want = Request::build("textDocument/publishDiagnostics")
            .params(params)
            .finish();
        assert_eq!(got, serde_json::to_value(want).unwrap());
    }

    #[test]
    fn the_blocking_writer_writes_every_frame_in_order() {
        let (mut tx, rx) = frame_queue();
        let frames: Vec<Vec<u8>> = (0..40).map(|i| frame(format!("{i}").as_bytes())).collect();
        let sent = frames.clone();
        let sender = std::thread::spawn(move || {
            for f in sent {
                futures::executor::block_on(futures::SinkExt::send(&mut tx, f)).unwrap();
            }
        });
        let mut out = Vec::new();
        write_frames_blocking(rx, &mut out);
        sender.join().unwrap();
        assert_eq!(out, frames.concat());
    }

    #[test]
    fn response_frames_match_tower_lsp_servers() {
        let result = br#"[{"uri":"file:///a"}]"#;
        for id in [Id::Number(7), Id::String("x\"y".into()), Id::Null] {
            let value: Value = serde_json::from_slice(result).unwrap();
            let want = frame(&serde_json::to_vec(&Response::from_ok(id.clone(), value)).unwrap());
            assert_eq!(response_frame(&id, result), want, "{id:?}");
        }
    }

    async fn run(input: &[u8]) -> String {
        let mut out = Vec::new();
        sanitize(input, &mut out).await;
        String::from_utf8(out).unwrap()
    }

    #[tokio::test]
    async fn passes_good_frames_and_replaces_bad_ones() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: {}\r\n\r\n{good}Content-Length: 5\r\n\r\n{{bad}}Content-Length: 3\r\n\r\n[1]X-Other: 1\r\n\r\nContent-Length: 24\r\n\r\n{{\"jsonrpc\":\"2.0\",\"id\":7}}",
            good.len()
        );
        let out = run(input.as_bytes()).await;
        let bodies: Vec<&str> = out
            .split("Content-Length: ")
            .skip(1)
            .map(|f| f.split_once("\r\n\r\n").unwrap().1)
            .collect();
        assert_eq!(bodies.len(), 5, "{out}");
        assert_eq!(bodies[0], good);
        assert!(
            bodies[1].contains(INVALID_MESSAGE)
                && bodies[1].contains("-32700")
                && bodies[1].contains("\"id\":null")
        );
        assert!(bodies[2].contains("-32600"));
        assert!(bodies[3].contains("missing Content-Length"));
        assert!(
            bodies[4].contains("-32600") && bodies[4].contains("\"id\":7"),
            "{}",
            bodies[4]
        );
    }

    #[tokio::test]
    async fn truncated_input_ends_cleanly() {
        assert_eq!(run(b"Content-Length: 50\r\n\r\n{\"a\"").await, "");
        assert_eq!(run(b"").await, "");
    }
}
