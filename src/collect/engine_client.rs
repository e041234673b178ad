//! A small synchronous Docker Engine API client over a unix socket.
//!
//! Why hand-rolled: the audit needs a handful of GET requests. A sync client
//! over `UnixStream` needs no async runtime, starts in microseconds, can be
//! pointed at any socket (including fault-injection servers in tests), and
//! keeps the binary small. It speaks HTTP/1.1 with keep-alive and decodes
//! both `Content-Length` and chunked bodies.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The newest API version whose fields we read; older daemons are spoken to
/// in their own version, newer ones in this one.
pub const CLIENT_API_VERSION: (u32, u32) = (1, 45);
/// The oldest API version we accept (Docker 1.12).
pub const MIN_API_VERSION: (u32, u32) = (1, 24);
/// Refuse bodies larger than this (a malicious or broken peer).
const MAX_BODY: usize = 512 * 1024 * 1024;

/// Where the Engine API lives, from `DOCKER_HOST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub socket: PathBuf,
}

impl Endpoint {
    /// Parse `DOCKER_HOST`; only `unix://` is supported for now.
    pub fn from_docker_host(docker_host: Option<&str>) -> Result<Endpoint, String> {
        match docker_host {
            None => Ok(Endpoint {
                socket: PathBuf::from("/var/run/docker.sock"),
            }),
            Some(h) => {
                if let Some(p) = h.strip_prefix("unix://") {
                    if p.is_empty() {
                        return Err(format!("DOCKER_HOST={h} names no socket path"));
                    }
                    Ok(Endpoint {
                        socket: PathBuf::from(p),
                    })
                } else {
                    let scheme = h.split("://").next().unwrap_or(h);
                    Err(format!(
                        "DOCKER_HOST={h}: the '{scheme}' scheme is not supported yet; \
                         use a unix:// socket (e.g. unix:///var/run/docker.sock), \
                         or forward the remote socket locally with `ssh -L`"
                    ))
                }
            }
        }
    }
}

/// An Engine API failure, phrased for the one-line error the user sees.
#[derive(Debug, Clone)]
pub struct EngineError(pub String);

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Client configuration shared by all connections.
#[derive(Debug, Clone)]
pub struct Client {
    pub socket: PathBuf,
    /// Bound on each whole request: connect, headers and body.
    pub timeout: Duration,
    /// Bound on everything this client does (`--deadline`).
    pub deadline: Option<Instant>,
    /// `/v1.NN` once negotiated.
    pub prefix: String,
}

/// A response: status, selected headers and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub api_version: Option<String>,
    pub body: Vec<u8>,
}

impl Client {
    pub fn new(socket: &Path, timeout: Duration) -> Self {
        Client {
            socket: socket.to_path_buf(),
            timeout,
            deadline: None,
            prefix: String::new(),
        }
    }

    fn describe(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// Open a connection, turning OS errors into actionable messages.
    pub fn connect(&self) -> Result<Conn, EngineError> {
        let where_ = self.describe();
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(EngineError(format!(
                "the audit deadline passed before {where_} could be asked; raise --deadline"
            )));
        }
        let stream = UnixStream::connect(&self.socket).map_err(|e| {
            if let Some(kind) = not_a_socket(&self.socket) {
                return EngineError(format!(
                    "cannot reach the Docker daemon at {where_}: {} is {kind}, not a socket; \
                     point DOCKER_HOST at the daemon's socket (e.g. unix:///var/run/docker.sock)",
                    self.socket.display()
                ));
            }
            EngineError(match e.kind() {
                io::ErrorKind::NotFound => format!(
                    "cannot reach the Docker daemon at {where_}: the socket does not exist. \
                     Is dockerd running? Start it (e.g. `sudo systemctl start docker`) or set DOCKER_HOST"
                ),
                io::ErrorKind::PermissionDenied => format!(
                    "cannot reach the Docker daemon at {where_}: permission denied. \
                     Run shipshape as root or as a member of the socket's group"
                ),
                io::ErrorKind::ConnectionRefused => format!(
                    "cannot reach the Docker daemon at {where_}: connection refused (stale socket?). \
                     Restart dockerd (e.g. `sudo systemctl restart docker`)"
                ),
                _ => format!("cannot reach the Docker daemon at {where_}: {e}"),
            })
        })?;
        stream
            .set_read_timeout(Some(self.timeout))
            .and_then(|_| stream.set_write_timeout(Some(self.timeout)))
            .map_err(|e| EngineError(format!("{where_}: cannot set socket timeouts: {e}")))?;
        Ok(Conn {
            reader: BufReader::with_capacity(
                64 * 1024,
                DeadlineStream {
                    stream,
                    deadline: None,
                },
            ),
            client: self.clone(),
            closed: false,
        })
    }
}

/// One keep-alive connection. When the server says it will close the
/// connection (or we read a body up to EOF), the next request reconnects.
pub struct Conn {
    reader: BufReader<DeadlineStream>,
    client: Client,
    closed: bool,
}

impl Conn {
    /// `GET {prefix}{path}`; a non-2xx status is an error with the daemon's
    /// message.
    pub fn get(&mut self, path: &str) -> Result<Response, EngineError> {
        let full = format!("{}{}", self.client.prefix, path);
        let r = self.request(&full)?;
        if !(200..300).contains(&r.status) {
            let msg = serde_json::from_slice::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| {
                    v.get("message")
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| String::from_utf8_lossy(&r.body).trim().to_string());
            return Err(EngineError(format!(
                "GET {full} on {} returned HTTP {}: {msg}",
                self.client.describe(),
                r.status
            )));
        }
        Ok(r)
    }

    /// GET and decode JSON.
    pub fn get_json<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &str,
    ) -> Result<T, EngineError> {
        let r = self.get(path)?;
        serde_json::from_slice(&r.body).map_err(|e| {
            EngineError(format!(
                "GET {}{path} on {}: malformed JSON from the daemon at line {} column {}: {e}",
                self.client.prefix,
                self.client.describe(),
                e.line(),
                e.column()
            ))
        })
    }

    fn request(&mut self, path: &str) -> Result<Response, EngineError> {
        if self.closed {
            *self = self.client.connect()?;
        }
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: shipshape/{}\r\nAccept: application/json\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        // The whole exchange (send, status, headers, body) must finish by
        // this instant, however slowly the peer trickles bytes.
        let mut until = Instant::now() + self.client.timeout;
        if let Some(d) = self.client.deadline {
            until = until.min(d);
        }
        self.reader.get_mut().deadline = Some(until);
        let io_err = |e: io::Error, what: &str| -> EngineError {
            let where_ = self.client.describe();
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                EngineError(format!(
                    "the Docker daemon at {where_} did not answer GET {path} within {:.1}s{}; \
                     it may be hung (check `systemctl status docker`) or raise --timeout",
                    self.client.timeout.as_secs_f64(),
                    if self.client.deadline.is_some_and(|d| Instant::now() >= d) {
                        " (the audit deadline passed)"
                    } else {
                        ""
                    }
                ))
            } else {
                EngineError(format!("{where_}: {what} GET {path}: {e}"))
            }
        };
        self.reader
            .get_mut()
            .write_all(req.as_bytes())
            .map_err(|e| io_err(e, "cannot send"))?;

        let mut line = String::new();
        read_line(&mut self.reader, &mut line).map_err(|e| io_err(e, "no response to"))?;
        if line.is_empty() {
            return Err(EngineError(format!(
                "{}: the daemon closed the connection without answering GET {path}",
                self.client.describe()
            )));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .filter(|_| line.starts_with("HTTP/1."))
            .ok_or_else(|| {
                EngineError(format!(
                    "{}: malformed HTTP status line for GET {path}: {:?}",
                    self.client.describe(),
                    line.trim_end()
                ))
            })?;
        let mut content_length: Option<usize> = None;
        let mut chunked = false;
        let mut close = false;
        let mut api_version = None;
        loop {
            line.clear();
            read_line(&mut self.reader, &mut line)
                .map_err(|e| io_err(e, "truncated headers for"))?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            let v = v.trim();
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => content_length = v.parse().ok(),
                "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
                "connection" => close = v.eq_ignore_ascii_case("close"),
                "api-version" => api_version = Some(v.to_string()),
                _ => {}
            }
        }
        let body = if chunked {
            read_chunked(&mut self.reader).map_err(|e| io_err(e, "bad chunked body for"))?
        } else if let Some(n) = content_length {
            if n > MAX_BODY {
                return Err(EngineError(format!(
                    "GET {path}: response of {n} bytes is too large"
                )));
            }
            let mut b = vec![0u8; n];
            self.reader
                .read_exact(&mut b)
                .map_err(|e| io_err(e, "truncated body for"))?;
            b
        } else if status == 204 || status == 304 {
            Vec::new()
        } else {
            close = true;
            let mut b = Vec::new();
            (&mut self.reader)
                .take(MAX_BODY as u64)
                .read_to_end(&mut b)
                .map_err(|e| io_err(e, "unreadable body for"))?;
            b
        };
        self.closed = close;
        Ok(Response {
            status,
            api_version,
            body,
        })
    }
}

/// A response body read as it arrives, for large downloads such as
/// `GET /images/{name}/get`: nothing is buffered beyond the reader's buffer.
pub struct BodyStream<'a> {
    conn: &'a mut Conn,
    /// Bytes left in the body (`Content-Length`) or in the current chunk.
    left: u64,
    chunked: bool,
    /// The body runs to the end of the connection.
    to_eof: bool,
    done: bool,
}

impl Conn {
    /// `GET {prefix}{path}` whose 2xx body is streamed; a non-2xx status is
    /// an error with the daemon's message. The connection is not reused.
    pub fn get_stream(&mut self, path: &str) -> Result<BodyStream<'_>, EngineError> {
        let full = format!("{}{}", self.client.prefix, path);
        if self.closed {
            *self = self.client.connect()?;
        }
        let where_ = self.client.describe();
        let req = format!(
            "GET {full} HTTP/1.1\r\nHost: docker\r\nUser-Agent: shipshape/{}\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let err = |e: io::Error| EngineError(format!("{where_}: GET {full}: {e}"));
        // A download is bounded per read (--timeout of silence), not as a
        // whole: an image export legitimately takes longer than one request.
        let timeout = self.client.timeout;
        let sock = self.reader.get_mut();
        sock.deadline = None;
        sock.stream.set_read_timeout(Some(timeout)).map_err(err)?;
        sock.write_all(req.as_bytes()).map_err(err)?;
        let mut line = String::new();
        read_line(&mut self.reader, &mut line).map_err(err)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                EngineError(format!(
                    "{where_}: malformed HTTP status line for GET {full}"
                ))
            })?;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            read_line(&mut self.reader, &mut line).map_err(err)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = v.trim().parse::<u64>().ok(),
                    "transfer-encoding" => chunked = v.trim().eq_ignore_ascii_case("chunked"),
                    _ => {}
                }
            }
        }
        self.closed = true;
        let mut body = BodyStream {
            left: length.unwrap_or(0),
            chunked,
            to_eof: !chunked && length.is_none(),
            done: !chunked && length == Some(0),
            conn: self,
        };
        if !(200..300).contains(&status) {
            let mut b = Vec::new();
            let _ = (&mut body).take(64 * 1024).read_to_end(&mut b);
            let msg = serde_json::from_slice::<serde_json::Value>(&b)
                .ok()
                .and_then(|v| {
                    v.get("message")
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| String::from_utf8_lossy(&b).trim().to_string());
            return Err(EngineError(format!(
                "GET {full} on {where_} returned HTTP {status}: {msg}"
            )));
        }
        Ok(body)
    }
}

impl Read for BodyStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let r = &mut self.conn.reader;
        if self.to_eof {
            let n = r.read(buf)?;
            self.done = n == 0;
            return Ok(n);
        }
        if self.chunked && self.left == 0 {
            let mut line = String::new();
            read_line(r, &mut line)?;
            let size_txt = line.trim().split(';').next().unwrap_or("");
            let size = u64::from_str_radix(size_txt, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size {size_txt:?}"),
                )
            })?;
            if size == 0 {
                self.done = true;
                return Ok(0);
            }
            self.left = size;
        }
        let want = buf.len().min(self.left as usize);
        let n = r.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed mid-body",
            ));
        }
        self.left -= n as u64;
        if self.left == 0 {
            if self.chunked {
                let mut crlf = [0u8; 2];
                r.read_exact(&mut crlf)?;
            } else {
                self.done = true;
            }
        }
        Ok(n)
    }
}

/// What a path that exists is, when it is not a socket.
fn not_a_socket(p: &Path) -> Option<&'static str> {
    let t = std::fs::metadata(p).ok()?.file_type();
    if t.is_socket() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_file() {
        Some("a regular file")
    } else {
        Some("a special file (device or FIFO)")
    }
}

/// A socket whose reads fail with `TimedOut` once `deadline` has passed:
/// each read waits at most the time left, so a peer that trickles a byte
/// at a time cannot stretch a request past its bound.
struct DeadlineStream {
    stream: UnixStream,
    deadline: Option<Instant>,
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(d) = self.deadline {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "request deadline passed",
                ));
            }
            self.stream.set_read_timeout(Some(left))?;
        }
        self.stream.read(buf)
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// Read one CRLF line; an over-long line (no newline in 64 KiB) is an error.
fn read_line<R: BufRead>(r: &mut R, buf: &mut String) -> io::Result<usize> {
    let n = r.take(64 * 1024).read_line(buf)?;
    if n > 0 && !buf.ends_with('\n') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "line too long or truncated",
        ));
    }
    Ok(n)
}

pub fn read_chunked<R: BufRead>(r: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if read_line(r, &mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed mid-body",
            ));
        }
        let size_txt = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size_txt, 16).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad chunk size {size_txt:?}"),
            )
        })?;
        if size == 0 {
            // Trailers, then the final empty line.
            loop {
                line.clear();
                if read_line(r, &mut line)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "chunk not followed by CRLF",
            ));
        }
    }
}

/// Parse `1.41` into (1, 41).
pub fn parse_api_version(v: &str) -> Option<(u32, u32)> {
    let (a, b) = v.trim().split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Negotiate: the server's version, capped at ours; too old is an error.
pub fn negotiate(server: &str) -> Result<(u32, u32), String> {
    let v =
        parse_api_version(server).ok_or_else(|| format!("unparsable API version {server:?}"))?;
    if v < MIN_API_VERSION {
        return Err(format!(
            "the daemon speaks API {server}, older than the oldest supported ({}.{})",
            MIN_API_VERSION.0, MIN_API_VERSION.1
        ));
    }
    Ok(v.min(CLIENT_API_VERSION))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_decode() {
        let raw = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n";
        let mut r = BufReader::new(&raw[..]);
        assert_eq!(read_chunked(&mut r).unwrap(), b"hello world");
    }

    #[test]
    fn truncated_chunk_is_an_error() {
        let raw = b"a\r\nhel";
        let mut r = BufReader::new(&raw[..]);
        assert!(read_chunked(&mut r).is_err());
    }

    #[test]
    fn docker_host_schemes() {
        assert_eq!(
            Endpoint::from_docker_host(Some("unix:///tmp/d.sock"))
                .unwrap()
                .socket,
            PathBuf::from("/tmp/d.sock")
        );
        let e = Endpoint::from_docker_host(Some("tcp://10.0.0.1:2376")).unwrap_err();
        assert!(e.contains("not supported yet"), "{e}");
        assert!(Endpoint::from_docker_host(None).is_ok());
    }

    #[test]
    fn api_negotiation_caps_and_rejects() {
        assert_eq!(negotiate("1.41").unwrap(), (1, 41));
        assert_eq!(negotiate("1.99").unwrap(), CLIENT_API_VERSION);
        assert!(negotiate("1.12").is_err());
        assert!(negotiate("x").is_err());
    }
}
