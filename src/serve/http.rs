//! The HTTP side of `serve`: plain HTTP/1.1 on `std::net`, one thread per connection.
//!
//! In: requests from a browser on this machine. Out: files of the current build with
//! their content types (`index.html` for `/` and for folders), the site's `404.html` with
//! status 404 for anything else, and the live-reload channel `/__conceptbook/events`
//! (Server-Sent Events). A request path is decoded and checked segment by segment (no
//! `..`, `.`, backslash, NUL or empty segment), then looked up in the in-memory map: no
//! path ever reaches the file system, so nothing outside the site can be served.
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
use std::sync::Arc;
use std::time::Duration;

pub const EVENTS: &str = "/__conceptbook/events";
/// How often an idle event stream gets a comment, so a closed page frees its thread.
const PING: Duration = Duration::from_secs(15);
const MAX_HEAD: usize = 16 * 1024;

/// Accepts connections forever, each on its own thread.
pub fn accept(listener: TcpListener, live: Arc<Live>) {
    for stream in listener.incoming().flatten() {
        let live = Arc::clone(&live);
        std::thread::spawn(move || {
            let _ = handle(stream, &live);
        });
    }
}

fn handle(mut stream: TcpStream, live: &Live) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(head) = read_head(&mut stream)? else {
        return respond(&mut stream, 400, "text/plain; charset=utf-8", b"bad request\n", false);
    };
    let mut words = head.lines().next().unwrap_or("").split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(&mut stream, 405, "text/plain; charset=utf-8", b"only GET and HEAD\n", false);
    }
    let (path, query) = split_target(target);
    if path == EVENTS {
        return events(stream, live, query);
    }
    let state = live.now();
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
                "HTTP/1.1 301 Moved Permanently\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
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

/// The request line and headers, up to the blank line; `None` when malformed or too long.
fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(String::from_utf8(buf).ok())
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
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    };
    let allow = if status == 405 { "Allow: GET, HEAD\r\n" } else { "" };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n{allow}Connection: close\r\n\r\n",
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
/// once it is not.
fn events(mut stream: TcpStream, live: &Live, query: &str) -> std::io::Result<()> {
    let param =
        |name: &str| query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')).unwrap_or("").to_string();
    let (page_build, page_server) = (param("build"), param("server"));
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n")?;
    let mut state = live.now();
    loop {
        let message = if page_server != *state.server || page_build != state.build.to_string() {
            "event: reload\ndata: \n\n".to_string()
        } else if let Some(text) = &state.errors {
            let json = serde_json::to_string(&**text).unwrap_or_default();
            format!("event: errors\ndata: {json}\n\n")
        } else {
            "event: ok\ndata: \n\n".to_string()
        };
        stream.write_all(message.as_bytes())?;
        stream.flush()?;
        loop {
            let next = live.wait_past(state.version, PING);
            if next.version != state.version {
                state = next;
                break;
            }
            stream.write_all(b": ping\n\n")?;
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
    fn content_types() {
        assert_eq!(content_type("a/b.html"), HTML);
        assert_eq!(content_type("js/search.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.SVG"), "image/svg+xml");
        assert_eq!(content_type(".nojekyll"), "application/octet-stream");
    }
}
