//! Headless Chromium for the browser tests, driven over WebDriver by fantoccini.
//!
//! `with_browser` starts Debian's chromedriver on a free port with a fresh profile, runs the
//! test body on a client, and always cleans up (quits Chromium, kills the driver, removes
//! the profile), even when an assertion fails. Without Chromium the test prints
//! `SKIPPED browser test` and passes, unless `CONCEPTBOOK_REQUIRE_BROWSER=1`.
//! `serve` is a tiny static server for a built site, optionally under a prefix such as
//! `/repo/` (like a GitHub Pages project site), answering missing paths with the site's
//! `404.html` as GitHub Pages does.

#![allow(dead_code)]

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use std::collections::BTreeSet;
use std::future::Future;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];

/// The path of `bin`, or `None` after saying loudly that the test is skipped.
pub fn need(bin: &str) -> Option<PathBuf> {
    if Path::new(bin).is_file() {
        return Some(bin.into());
    }
    let msg = format!("{bin} not found: apt-get install chromium chromium-driver fonts-noto-cjk");
    if std::env::var("CONCEPTBOOK_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("{msg}");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED browser test: {msg}");
    None
}

/// Runs `body` with a fresh headless Chromium; cleans up whatever happens.
pub async fn with_browser<F, Fut>(window: (u32, u32), body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (Some(driver), Some(chrome)) = (need("/usr/bin/chromedriver"), need("/usr/bin/chromium")) else {
        return;
    };
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cd = tokio::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().expect("profile dir");
    let args: Vec<String> = FLAGS
        .iter()
        .map(|f| f.to_string())
        .map(|f| if f.starts_with("--window-size") { format!("--window-size={},{}", window.0, window.1) } else { f })
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect();
    let caps = serde_json::json!({
        "goog:chromeOptions": { "binary": chrome, "args": args },
        "goog:loggingPrefs": { "browser": "ALL" }
    });
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromedriver session");
    let run = tokio::spawn(body(client.clone())).await;
    let _ = client.close().await;
    let _ = cd.kill().await;
    drop(profile);
    if let Err(e) = run {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// chromedriver's console-log endpoint (not part of W3C WebDriver).
#[derive(Debug)]
struct ConsoleLog;

impl WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(&self, base: &url::Url, sid: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", sid.unwrap()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// A Chrome DevTools Protocol command sent through chromedriver (`goog/cdp/execute`), for
/// what WebDriver cannot do: emulate print media or a dark system theme.
#[derive(Debug)]
pub struct Cdp(pub &'static str, pub serde_json::Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, sid: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", sid.unwrap()))
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.0, "params": self.1 });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Emulates CSS media: `print` or `screen`, and `prefers-color-scheme` (`light`, `dark`).
pub async fn emulate(c: &Client, media: &str, scheme: &str) {
    c.issue_cmd(Cdp(
        "Emulation.setEmulatedMedia",
        serde_json::json!({ "media": media, "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
    ))
    .await
    .expect("Emulation.setEmulatedMedia");
}

/// Emulates a phone's screen, `width` CSS pixels wide (a headless window is at least 500).
pub async fn phone(c: &Client, width: u32, height: u32) {
    c.issue_cmd(Cdp(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 2, "mobile": true }),
    ))
    .await
    .expect("Emulation.setDeviceMetricsOverride");
}

/// The value of `script` run in the page; a script that throws fails the test, naming it.
pub async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{e}\n{script}"))
}

/// The console's SEVERE entries since the last call (errors, exceptions, failed loads),
/// leaving out the browser's own favicon request.
pub async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(ConsoleLog).await.expect("console log");
    log.as_array()
        .map(|entries| {
            entries
                .iter()
                .filter(|e| e["level"] == "SEVERE" && !e["message"].to_string().contains("favicon.ico"))
                .map(|e| e["message"].to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Moves the mouse onto the middle of `el`, as a reader's pointer would.
pub async fn mouse_to(c: &Client, el: &fantoccini::elements::Element) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction};
    c.perform_actions(MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: el.clone(),
        duration: None,
        x: 0.0,
        y: 0.0,
    }))
    .await
    .unwrap();
}

/// Moves the mouse to the point (`x`, `y`) of the window.
pub async fn mouse_at(c: &Client, x: f64, y: f64) {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction};
    c.perform_actions(MouseActions::new("mouse".into()).then(PointerAction::MoveTo { duration: None, x, y }))
        .await
        .unwrap();
}

/// Serves `root` on 127.0.0.1 under `prefix` (`"/"` or `"/repo/"`); returns the base URL
/// ending in the prefix. A missing file gets `404.html` with status 404; nothing is cached.
pub fn serve(root: PathBuf, prefix: &str) -> String {
    serve_with(root, prefix, None)
}

/// Paths a server of [`serve_held`] holds back until [`let_go`] takes them out.
pub type Held = Arc<(Mutex<BTreeSet<String>>, Condvar)>;

/// Serves `root` like [`serve`] under `/`; a request for a path put in the returned set
/// with [`hold`] waits until [`let_go`] takes it out: a file that is slow to come.
pub fn serve_held(root: PathBuf) -> (String, Held) {
    let held = Held::default();
    (serve_with(root, "/", Some(held.clone())), held)
}

pub fn hold(held: &Held, path: &str) {
    held.0.lock().unwrap().insert(path.to_string());
}

pub fn let_go(held: &Held, path: &str) {
    held.0.lock().unwrap().remove(path);
    held.1.notify_all();
}

/// The server of [`serve`] and [`serve_held`]: a thread per request, so that a held file
/// does not hold up the others.
fn serve_with(root: PathBuf, prefix: &str, held: Option<Held>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}{prefix}", listener.local_addr().unwrap());
    let prefix = prefix.to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (root, prefix, held) = (root.clone(), prefix.clone(), held.clone());
            std::thread::spawn(move || answer(stream, &root, &prefix, held.as_ref()));
        }
    });
    base
}

fn answer(mut stream: std::net::TcpStream, root: &Path, prefix: &str, held: Option<&Held>) {
    let mut buf = [0; 8192];
    let n = stream.read(&mut buf).unwrap_or(0);
    let req = String::from_utf8_lossy(&buf[..n]);
    let raw = req.split(' ').nth(1).unwrap_or("/").split(['?', '#']).next().unwrap_or("/").to_string();
    let path = crate::support::percent_decode(&raw);
    let file = path.strip_prefix(prefix).map(|p| {
        if p.is_empty() || p.ends_with('/') {
            format!("{p}index.html")
        } else {
            p.to_string()
        }
    });
    if let (Some(f), Some(held)) = (&file, held) {
        let (lock, cv) = &**held;
        drop(cv.wait_while(lock.lock().unwrap(), |paths| paths.contains(f)).unwrap());
    }
    let found = file.filter(|f| !f.contains("..")).and_then(|f| std::fs::read(root.join(&f)).ok().map(|b| (f, b)));
    let (status, name, body) = match found {
        Some((f, b)) => ("200 OK", f, b),
        None => ("404 Not Found", "404.html".to_string(), std::fs::read(root.join("404.html")).unwrap_or_default()),
    };
    let ct = match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    };
    let head = req.starts_with("HEAD ");
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if !head {
        let _ = stream.write_all(&body);
    }
}

/// Saves a screenshot of the viewport under the target dir, for people to look at.
pub async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.expect("screenshot");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    path
}
