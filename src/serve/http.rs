//! The HTTP side of `serve`: plain HTTP/1.1 on `std::net`, a bounded pool of workers.
//!
//! In: requests from a browser on this machine. Out: files of the current build with
//! their content types (`index.html` for `/` and for folders), the site's `404.html` with
//! status 404 for anything else, and the live-reload channel `/__conceptbook/events`
//! (Server-Sent Events). A request path is decoded and checked segment by segment (no
//! `..`, `.`, backslash, NUL or empty segment), then looked up in the in-memory map: no
//! path ever reaches the file system, so nothing outside the site can be served.
//!
//! Only this server's own pages may read it. A request whose `Host` is not
//! `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT` gets 403 (a DNS-rebinding page
//! sends its own host name), and so does a request another site's page makes for a
//! subresource (`Sec-Fetch-Site: cross-site` or `same-site`, not a navigation); every
//! response carries `Cross-Origin-Resource-Policy: same-origin`, so the search shards,
//! which are scripts, cannot be included by another page.
//!
//! Connections queue for [`WORKERS`] threads started once; a full queue gets 503 at once.
//! A request's head must arrive within [`HEAD_DEADLINE`] in all, a response be taken
//! within [`WRITE_TIMEOUT`]. The event streams of open pages are held by one thread of
//! their own, so they take no worker. The accept loop never stops: a failed `accept`
//! (out of file descriptors) waits a moment and goes on.
//!
//! Every HTML page served gets a small classic script before `</body>` (never in `build`
//! output) and a hidden overlay; the script listens for `reload`, `errors` and `ok`
//! events, and the overlay shows a failed build's diagnostics as text.

use super::{Files, Live, State};
use crate::html::escape;
use crate::paths::{percent_decode, RelPath};
use crate::render::{HOME, NOT_FOUND};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const EVENTS: &str = "/__conceptbook/events";
/// How often an idle event stream gets a comment, so a closed page is noticed.
const PING: Duration = Duration::from_secs(15);
const MAX_HEAD: usize = 16 * 1024;
/// Threads answering requests.
pub const WORKERS: usize = 16;
/// Connections waiting for a worker; beyond, 503.
const QUEUE: usize = 128;
/// The whole head of a request must arrive within this, however slowly it trickles.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// A client must take each write of a response within this.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Open pages' event streams held at once; beyond, a new one is closed (and retries).
const MAX_STREAMS: usize = 256;
/// How often the event thread looks for new streams.
const TICK: Duration = Duration::from_millis(100);

/// What every connection needs: the live state, the port (for the `Host` check), and the
/// event thread's inbox.
struct Server {
    live: Arc<Live>,
    port: u16,
    streams: Option<Mutex<mpsc::Sender<Stream>>>,
}

/// Accepts connections forever and hands them to the workers.
pub fn accept(listener: TcpListener, live: Arc<Live>) {
    let port = listener.local_addr().map_or(0, |a| a.port());
    let streams = start_streams(Arc::clone(&live));
    let server = Arc::new(Server { live, port, streams });
    let (queue, waiting) = mpsc::sync_channel::<TcpStream>(QUEUE);
    let waiting = Arc::new(Mutex::new(waiting));
    let workers = (0..WORKERS)
        .filter(|i| {
            let (server, waiting) = (Arc::clone(&server), Arc::clone(&waiting));
            std::thread::Builder::new().name(format!("http-{i}")).spawn(move || work(&server, &waiting)).is_ok()
        })
        .count();
    for conn in listener.incoming() {
        match conn {
            Ok(stream) if workers == 0 => serve_one(&server, stream),
            Ok(stream) => dispatch(&queue, &server, stream),
            // Out of file descriptors, or a connection reset before it was accepted.
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn dispatch(queue: &SyncSender<TcpStream>, server: &Server, stream: TcpStream) {
    match queue.try_send(stream) {
        Ok(()) => {}
        Err(TrySendError::Full(mut stream)) => {
            let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
            let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nCross-Origin-Resource-Policy: same-origin\r\nConnection: close\r\n\r\n");
        }
        Err(TrySendError::Disconnected(stream)) => serve_one(server, stream),
    }
}

fn work(server: &Server, waiting: &Mutex<Receiver<TcpStream>>) {
    loop {
        let next = waiting.lock().unwrap_or_else(|e| e.into_inner()).recv();
        match next {
            Ok(stream) => serve_one(server, stream),
            Err(_) => return,
        }
    }
}

/// Answers one connection; a bug that panics loses that connection, never the worker.
fn serve_one(server: &Server, stream: TcpStream) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(stream, server)));
}

fn handle(mut stream: TcpStream, server: &Server) -> std::io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let head = match read_head(&mut stream, HEAD_DEADLINE)? {
        Head::Complete(head) => head,
        Head::TooSlow => return respond(&mut stream, 408, TEXT, b"request head too slow\n", false),
        Head::Bad => return respond(&mut stream, 400, TEXT, b"bad request\n", false),
    };
    let mut lines = head.split("\r\n");
    let mut words = lines.next().unwrap_or("").split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let headers: Vec<(String, &str)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim())).collect();
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    if !own_host(header("host"), server.port) {
        return respond(
            &mut stream,
            403,
            TEXT,
            b"this server only answers http://127.0.0.1:PORT/ and http://localhost:PORT/\n",
            false,
        );
    }
    if from_another_site(header("sec-fetch-site"), header("sec-fetch-mode")) {
        return respond(&mut stream, 403, TEXT, b"another site's page may not read this server\n", false);
    }
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(&mut stream, 405, TEXT, b"only GET and HEAD\n", false);
    }
    let (path, query) = split_target(target);
    if path == EVENTS {
        return events(stream, server, query);
    }
    let state = server.live.now();
    let Some(site) = &state.site else {
        let page = inject(BROKEN_PAGE, &state);
        return respond(&mut stream, 500, HTML, page.as_bytes(), head_only);
    };
    match lookup(site, path) {
        Lookup::Found(file) => {
            let ty = content_type(file.as_str());
            let bytes = &site[&file];
            if ty == HTML {
                let page = inject(&String::from_utf8_lossy(bytes), &state);
                respond(&mut stream, 200, ty, page.as_bytes(), head_only)
            } else {
                respond(&mut stream, 200, ty, bytes, head_only)
            }
        }
        Lookup::Redirect(to) => {
            let head = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: {to}\r\nContent-Length: 0\r\n{CORP}Connection: close\r\n\r\n"
            );
            stream.write_all(head.as_bytes())
        }
        Lookup::NotFound => {
            let page = site
                .get(&RelPath::new(NOT_FOUND))
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_else(|| "<!doctype html><title>404</title><h1>404</h1></html>".into());
            let page = inject(&page, &state);
            respond(&mut stream, 404, HTML, page.as_bytes(), head_only)
        }
    }
}

/// Only this server's own pages may read what it serves.
const CORP: &str = "Cross-Origin-Resource-Policy: same-origin\r\n";

/// Whether `Host` names this server: `127.0.0.1`, `localhost` or `[::1]`, with its port.
/// Anything else is a page that reached 127.0.0.1 under another name (DNS rebinding).
fn own_host(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|name| host == format!("{name}:{port}"))
}

/// Whether another site's page asks for a subresource (a script, an image, a fetch): the
/// browser says so in `Sec-Fetch-Site`. Following a link here (a navigation) is fine, and
/// so are clients that send no such header (curl, older browsers).
fn from_another_site(site: Option<&str>, mode: Option<&str>) -> bool {
    let foreign = site.is_some_and(|s| s.eq_ignore_ascii_case("cross-site") || s.eq_ignore_ascii_case("same-site"));
    foreign && !mode.is_some_and(|m| m.eq_ignore_ascii_case("navigate"))
}

enum Head {
    Complete(String),
    /// Not all there within the deadline.
    TooSlow,
    /// Too long, not UTF-8, or the connection closed first.
    Bad,
}

/// The request line and headers, up to the blank line, read within `deadline` in all
/// (a client trickling a byte at a time is cut off, not waited for).
fn read_head(stream: &mut TcpStream, deadline: Duration) -> std::io::Result<Head> {
    let end = Instant::now() + deadline;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_HEAD {
            return Ok(Head::Bad);
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Head::TooSlow);
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(Head::Bad),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return Ok(Head::TooSlow)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(String::from_utf8(buf).map_or(Head::Bad, Head::Complete))
}

/// The path and the query of a request target (origin form, or absolute form).
fn split_target(target: &str) -> (&str, &str) {
    let target = match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    };
    let target = target.split('#').next().unwrap_or("");
    target.split_once('?').unwrap_or((target, ""))
}

pub enum Lookup {
    Found(RelPath),
    /// `/folder` where `folder/index.html` exists: to `/folder/`, so relative links work.
    Redirect(String),
    NotFound,
}

/// Where a request path leads in the output. Paths that are not plain, forward, decoded
/// segments of the site (`..`, `.`, `\`, NUL, `//`, a drive letter) lead nowhere.
pub fn lookup(site: &Files, path: &str) -> Lookup {
    let Some(rest) = path.strip_prefix('/') else {
        return Lookup::NotFound;
    };
    let Some(decoded) = percent_decode(rest) else {
        return Lookup::NotFound;
    };
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    let bad = segments
        .iter()
        .enumerate()
        .any(|(i, s)| (s.is_empty() && i != last) || *s == "." || *s == ".." || s.contains(['\\', '\0', ':']));
    if bad {
        return Lookup::NotFound;
    }
    let file = if decoded.is_empty() || decoded.ends_with('/') { format!("{decoded}{HOME}") } else { decoded.clone() };
    let file = RelPath::new(&file);
    if site.contains_key(&file) {
        return Lookup::Found(file);
    }
    if !decoded.is_empty() && site.contains_key(&RelPath::new(&format!("{decoded}/{HOME}"))) {
        return Lookup::Redirect(format!("/{rest}/"));
    }
    Lookup::NotFound
}

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => HTML,
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        _ => "Internal Server Error",
    };
    let allow = if status == 405 { "Allow: GET, HEAD\r\n" } else { "" };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n{CORP}{allow}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// The live-reload channel. The page says which build and server it came from
/// (`?build=3&server=ab12`); the stream tells it `reload` when a newer good build (or
/// another server) is there, `errors` with the report while the site is broken, and `ok`
/// once it is not. The worker writes the response head and hands the stream to the event
/// thread, which holds every open page's stream.
fn events(mut stream: TcpStream, server: &Server, query: &str) -> std::io::Result<()> {
    let param =
        |name: &str| query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')).unwrap_or("").to_string();
    let Some(inbox) = &server.streams else {
        return respond(&mut stream, 503, TEXT, b"no live reload\n", false);
    };
    stream.write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n{CORP}Connection: keep-alive\r\n\r\nretry: 1000\n\n").as_bytes())?;
    // From now on a write that would wait drops the stream: one stuck page holds up no other.
    stream.set_nonblocking(true)?;
    let open = Stream { stream, build: param("build"), server: param("server") };
    let _ = inbox.lock().unwrap_or_else(|e| e.into_inner()).send(open);
    Ok(())
}

/// An open page's event stream.
struct Stream {
    stream: TcpStream,
    build: String,
    server: String,
}

impl Stream {
    /// The event for the page in `state`.
    fn message(&self, state: &State) -> String {
        if self.server != *state.server || self.build != state.build.to_string() {
            "event: reload\ndata: \n\n".to_string()
        } else if let Some(text) = &state.errors {
            let json = serde_json::to_string(&**text).unwrap_or_default();
            format!("event: errors\ndata: {json}\n\n")
        } else {
            "event: ok\ndata: \n\n".to_string()
        }
    }

    /// Whether `text` went out whole; a stream that fails is dropped by the caller.
    fn send(&mut self, text: &str) -> bool {
        self.stream.write_all(text.as_bytes()).and_then(|_| self.stream.flush()).is_ok()
    }
}

/// Starts the thread that holds the open pages' event streams; `None` when it cannot start
/// (the pages then do without live reload).
fn start_streams(live: Arc<Live>) -> Option<Mutex<mpsc::Sender<Stream>>> {
    let (inbox, arrivals) = mpsc::channel();
    std::thread::Builder::new().name("http-events".into()).spawn(move || hold_streams(&live, &arrivals)).ok()?;
    Some(Mutex::new(inbox))
}

/// Tells every open page about each rebuild, pings them when idle, and drops those that
/// are gone or stuck.
fn hold_streams(live: &Live, arrivals: &Receiver<Stream>) {
    let mut open: Vec<Stream> = Vec::new();
    let mut state = live.now();
    let mut pinged = Instant::now();
    loop {
        loop {
            match arrivals.try_recv() {
                Ok(mut new) => {
                    let first = new.message(&state);
                    if open.len() < MAX_STREAMS && new.send(&first) {
                        open.push(new);
                    }
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) if open.is_empty() => return,
                Err(mpsc::TryRecvError::Disconnected) => break,
            }
        }
        let next = live.wait_past(state.version, TICK);
        if next.version != state.version {
            state = next;
            open.retain_mut(|s| {
                let message = s.message(&state);
                s.send(&message)
            });
        } else if pinged.elapsed() >= PING {
            open.retain_mut(|s| s.send(": ping\n\n"));
            pinged = Instant::now();
        }
    }
}

/// The page served while no build has succeeded yet.
const BROKEN_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>conceptbook: the site has errors</title></head>\n<body><h1>The site has errors</h1><p>Fix them and save: this page reloads.</p></body></html>\n";

/// The page with the live-reload script and the error overlay before `</body>`.
pub fn inject(page: &str, state: &State) -> String {
    let errors = state.errors.as_deref();
    let overlay = format!(
        "<div id=\"conceptbook-errors\" role=\"alert\"{hidden} style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(24,24,28,.97);color:#eee;padding:1.5rem 2rem;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left\">\
<button type=\"button\" aria-label=\"Hide\" style=\"float:right;font:inherit;font-size:20px;background:none;border:0;color:#eee;cursor:pointer\">×</button>\
<p style=\"margin:0 0 1rem;font:600 15px/1.4 system-ui,sans-serif;color:#ff8a80\">The site has errors: this is the last good build. Fix the files and save; the page reloads.</p>\
<pre style=\"margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;color:inherit;background:none;border:0;padding:0\">{text}</pre></div>",
        hidden = if errors.is_some() { "" } else { " hidden" },
        text = escape(errors.unwrap_or("")),
    );
    let script = format!(
        "<script>(function () {{\n\
  var box = document.getElementById(\"conceptbook-errors\");\n\
  if (!box || !window.EventSource) return;\n\
  box.querySelector(\"button\").onclick = function () {{ box.hidden = true; }};\n\
  var es = new EventSource(\"{EVENTS}?build={build}&server={server}\");\n\
  es.addEventListener(\"reload\", function () {{ es.close(); location.reload(); }});\n\
  es.addEventListener(\"errors\", function (e) {{\n\
    box.querySelector(\"pre\").textContent = JSON.parse(e.data);\n\
    box.hidden = false;\n\
  }});\n\
  es.addEventListener(\"ok\", function () {{ box.hidden = true; }});\n\
}})();</script>",
        build = state.build,
        server = state.server,
    );
    let at = page.as_bytes().windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(page.len());
    let mut out = String::with_capacity(page.len() + overlay.len() + script.len() + 1);
    out.push_str(&page[..at]);
    out.push_str(&overlay);
    out.push('\n');
    out.push_str(&script);
    out.push_str(&page[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Files {
        let mut o = Files::new();
        for p in ["index.html", "lora.html", "css/style.css", "tags/index.html", "404.html"] {
            o.insert(RelPath::new(p), Arc::from(&b"x"[..]));
        }
        o
    }

    fn found(path: &str) -> Option<String> {
        match lookup(&site(), path) {
            Lookup::Found(p) => Some(p.to_string()),
            Lookup::Redirect(to) => Some(format!("-> {to}")),
            Lookup::NotFound => None,
        }
    }

    #[test]
    fn paths_map_to_files() {
        assert_eq!(found("/").as_deref(), Some("index.html"));
        assert_eq!(found("/lora.html").as_deref(), Some("lora.html"));
        assert_eq!(found("/css/style.css").as_deref(), Some("css/style.css"));
        assert_eq!(found("/tags/").as_deref(), Some("tags/index.html"));
        assert_eq!(found("/tags").as_deref(), Some("-> /tags/"));
        assert_eq!(found("/%6cora.html").as_deref(), Some("lora.html"));
        assert_eq!(found("/nope.html"), None);
    }

    #[test]
    fn no_path_escapes() {
        for p in [
            "/../Cargo.toml",
            "/css/../lora.html",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E/%2e%2e/etc/passwd",
            "/./lora.html",
            "//etc/passwd",
            "/css//style.css",
            "/..%2flora.html",
            "/..%5clora.html",
            "/css\\..\\lora.html",
            "/C:/Windows/win.ini",
            "/lora.html%00",
            "/%zz",
            "/%ff",
            "lora.html",
            "",
        ] {
            assert_eq!(found(p), None, "{p}");
        }
    }

    #[test]
    fn targets_split_into_path_and_query() {
        assert_eq!(split_target("/a.html?x=1#f"), ("/a.html", "x=1"));
        assert_eq!(split_target("http://127.0.0.1:3000/a?b"), ("/a", "b"));
        assert_eq!(split_target("http://127.0.0.1:3000"), ("/", ""));
    }

    #[test]
    fn the_script_goes_before_the_body_end_and_errors_are_text() {
        let state = State {
            site: None,
            errors: Some("<script>alert(1)</script> & `x`".into()),
            build: 2,
            version: 5,
            server: "s1".into(),
        };
        let page = inject("<html><body><p>hi</p></BODY></html>", &state);
        assert!(page.ends_with("</script></BODY></html>"), "{page}");
        assert!(page.contains("build=2&server=s1"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; `x`"));
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains("role=\"alert\" hidden"));
        let fine = State { errors: None, ..state };
        assert!(inject("<body></body>", &fine).contains("role=\"alert\" hidden"));
    }

    #[test]
    fn only_its_own_host_and_no_other_sites_subresources() {
        for ok in ["127.0.0.1:3000", "localhost:3000", "[::1]:3000", "LocalHost:3000"] {
            assert!(own_host(Some(ok), 3000), "{ok}");
        }
        for bad in ["127.0.0.1", "127.0.0.1:3001", "evil.example:3000", "localhost.evil:3000", "", "[::1]"] {
            assert!(!own_host(Some(bad), 3000), "{bad}");
        }
        assert!(!own_host(None, 3000));
        assert!(from_another_site(Some("cross-site"), Some("no-cors")));
        assert!(from_another_site(Some("same-site"), None));
        assert!(!from_another_site(Some("cross-site"), Some("navigate")));
        assert!(!from_another_site(Some("same-origin"), Some("cors")));
        assert!(!from_another_site(None, None));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/b.html"), HTML);
        assert_eq!(content_type("js/search.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.SVG"), "image/svg+xml");
        assert_eq!(content_type(".nojekyll"), "application/octet-stream");
    }
}
