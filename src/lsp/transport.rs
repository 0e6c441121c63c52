//! Framing in front of tower-lsp-server: every message the client sends is checked before the
//! server's own codec sees it.
//!
//! The codec tower-lsp-server 0.23 reads with (tokio-util's `FramedRead`) ends the stream
//! after the first frame it cannot decode, so one malformed message would silently end the
//! session. Here each frame is read by hand; a good one is passed on unchanged, a bad one is
//! replaced by a request to [`INVALID_MESSAGE`] carrying the JSON-RPC error to answer (parse
//! error or invalid request, with the message's id when it has a usable one), so the client
//! gets its error response through the server's normal path and the session goes on.

use serde_json::{json, Map, Value};
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

#[cfg(test)]
mod tests {
    use super::*;

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
