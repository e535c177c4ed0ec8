//! `conceptbook serve`, driven as an author would: the real binary on a free port, plain
//! HTTP requests, files edited on disk, and one headless-Chromium page that must reload
//! by itself.

use crate::browser::*;
use crate::support::*;
use fantoccini::Locator;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `conceptbook serve`, stopped (Ctrl-C, then kill) when dropped.
pub struct Served {
    child: Child,
    pub port: u16,
    /// Everything it printed so far, stdout and stderr interleaved by line.
    log: Arc<Mutex<String>>,
}

impl Served {
    pub fn start(site: &SiteTest, args: &[&str]) -> Served {
        Served::start_with(site, args, &[])
    }

    pub fn start_with(site: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> Served {
        let port = if args.contains(&"--port") { &[][..] } else { &["--port", "0"][..] };
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(port)
            .args(args)
            .current_dir(site.root())
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start conceptbook serve");
        let log = Arc::new(Mutex::new(String::new()));
        for pipe in
            [Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>, Box::new(child.stderr.take().unwrap())]
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let mut served = Served { child, port: 0, log };
        let start = Instant::now();
        // The line that gives the address (a failed first build prints other lines first).
        while !served.log().contains(" at http://127.0.0.1:") {
            let exited = served.child.try_wait().unwrap();
            assert!(
                exited.is_none() && start.elapsed() < Duration::from_secs(20),
                "the server did not start ({exited:?}):\n{}",
                served.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let line = served.log();
        let url = line.split("http://127.0.0.1:").nth(1).expect("the URL is printed");
        served.port = url.split('/').next().and_then(|p| p.parse().ok()).expect("a port");
        served
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (up to 20 s) until the log satisfies `ok`; returns the log.
    pub fn wait_log(&self, ok: impl Fn(&str) -> bool, what: &str) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            if ok(&log) {
                return log;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; the server printed:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn get(&self, path: &str) -> Response {
        get(self.port, path)
    }

    /// Requests `path` until its body satisfies `ok` (up to 20 s, as rebuilds take time).
    pub fn get_until(&self, path: &str, ok: impl Fn(&Response) -> bool, what: &str) -> Response {
        let start = Instant::now();
        loop {
            let r = self.get(path);
            if ok(&r) {
                return r;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what} at {path}: last {} with\n{}\nthe server printed:\n{}",
                r.status,
                r.body,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ctrl-C; returns the exit status code.
    #[cfg(unix)]
    pub fn interrupt(mut self) -> Option<i32> {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGINT).expect("send SIGINT");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// A GET with the path sent exactly as given (no client normalises `..` away).
pub fn get(port: u16, path: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    Response { status, head: head.to_string(), body: body.to_string() }
}

fn site() -> SiteTest {
    SiteTest::new()
        .simple("fine-tuning", "微调", "", "## 分类\n\n全量与高效。\n")
        .simple("peft", "参数高效微调", "parent = \"fine-tuning\"\naliases = [\"PEFT\"]", "见 [[lora]]。")
        .simple("lora", "LoRA", "parent = \"peft\"", "低秩分解的第一版。\n")
}

fn edit(site: &SiteTest, rel: &str, from: &str, to: &str) {
    let path = site.root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} holds {from:?}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn serves_the_site_from_memory_with_types_404_and_no_escape() {
    let site = site();
    let s = Served::start(&site, &[]);
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type").as_deref(), Some("text/html; charset=utf-8"));
    assert!(home.body.contains("测试站"), "{}", home.body);
    let lora = s.get("/lora.html");
    assert_eq!(lora.status, 200);
    assert!(lora.body.contains("低秩分解的第一版"));
    assert!(lora.body.contains("/__conceptbook/events"), "live reload script");
    for (path, ty) in
        [("/css/style.css", "text/css; charset=utf-8"), ("/js/search.js", "text/javascript; charset=utf-8")]
    {
        let r = s.get(path);
        assert_eq!((r.status, r.header("content-type").as_deref()), (200, Some(ty)), "{path}");
        assert!(!r.body.contains("__conceptbook"), "scripts only in HTML");
    }
    let missing = s.get("/a/b/nope.html");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("页面不存在"), "the site's own 404 page");
    std::fs::write(site.root().join("secret.txt"), "secret").unwrap();
    for escape in [
        "/../Cargo.toml",
        "/../book.toml",
        "/%2e%2e/book.toml",
        "/%2E%2E%2Fbook.toml",
        "/css/..%2f..%2fbook.toml",
        "/..\\book.toml",
        "//etc/passwd",
        "/content/lora.md",
        "/secret.txt",
    ] {
        let r = s.get(escape);
        assert_eq!(r.status, 404, "{escape}");
        assert!(!r.body.contains("[book]") && !r.body.contains("secret\n"), "{escape}");
    }
    assert!(!site.out().exists(), "serve writes nothing");
    // The live-reload script is only ever in served pages, never in `build` output.
    site.build().ok();
    for (path, bytes) in site.snapshot_output() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("__conceptbook"), "{path} has the serve script");
        assert!(!text.contains("conceptbook-errors"), "{path} has the overlay");
    }
}

#[test]
fn an_edit_shows_a_broken_edit_keeps_the_last_good_site_and_a_fix_recovers() {
    let site = site();
    let s = Served::start(&site, &[]);
    edit(&site, "content/lora.md", "第一版", "第二版");
    s.get_until("/lora.html", |r| r.body.contains("低秩分解的第二版"), "the edit");
    s.wait_log(|l| l.contains("after a change to content/lora.md in "), "the rebuild line");

    edit(&site, "content/lora.md", "parent = \"peft\"", "parent = \"petf\"");
    let broken = s.get_until("/lora.html", |r| !r.body.contains("role=\"alert\" hidden"), "the error overlay");
    assert_eq!(broken.status, 200);
    assert!(broken.body.contains("低秩分解的第二版"), "the last good page stays");
    for piece in [
        "content/lora.md:4:11: error: parent `petf` names no note",
        "4 | parent = &quot;petf&quot;",
        "^^^^",
        "help: did you mean `peft`?",
    ] {
        assert!(broken.body.contains(piece), "overlay lacks {piece:?}:\n{}", broken.body);
    }
    let log = s.wait_log(|l| l.contains("build failed"), "the error in the terminal");
    assert!(log.contains("content/lora.md:4:11: error: parent `petf` names no note"));
    assert!(log.contains("still serving the last good build"));
    // Other pages show the errors too, and keep being served.
    let home = s.get("/");
    assert!(home.body.contains("parent `petf` names no note"));

    edit(&site, "content/lora.md", "parent = \"petf\"", "parent = \"peft\"");
    let fixed = s.get_until("/lora.html", |r| r.body.contains("role=\"alert\" hidden"), "the overlay to go");
    assert!(!fixed.body.contains("names no note"));
    s.wait_log(|l| l.contains("fixed: built 3 notes"), "the recovery line");
}

#[test]
fn the_search_index_follows_a_body_edit() {
    let site = site();
    let s = Served::start(&site, &[]);
    assert!(!doc_chunk(&s.get("/search/docs-0.js").body).contains("量子退火"));
    edit(&site, "content/lora.md", "第一版", "第一版，与量子退火无关");
    s.get_until("/lora.html", |r| r.body.contains("量子退火"), "the page");
    s.get_until("/search/docs-0.js", |r| doc_chunk(&r.body).contains("量子退火"), "the search index");
    s.wait_log(|l| l.contains("search index updated in "), "the index line");
}

/// The text of a search doc chunk (`conceptbookSearch.docs(k,"deflated, base 64");`).
fn doc_chunk(script: &str) -> String {
    let packed = script.split('"').nth(1).unwrap_or_default();
    conceptbook::search::index::inflate(packed).unwrap_or_default()
}

/// Reads a Server-Sent Events stream until `event: NAME`; returns its data line.
fn next_event(stream: &mut BufReader<TcpStream>, name: &str) -> String {
    let mut line = String::new();
    let mut current = String::new();
    loop {
        line.clear();
        let n = stream.read_line(&mut line).expect("read the event stream");
        assert!(n > 0, "the event stream ended before `{name}`");
        if let Some(event) = line.strip_prefix("event: ") {
            current = event.trim().to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            if current == name {
                return data.trim_end().to_string();
            }
        }
    }
}

fn events(port: u16, page: &str) -> BufReader<TcpStream> {
    let start = page.find("/__conceptbook/events?").expect("the script's URL");
    let url = &page[start..start + page[start..].find('"').unwrap()];
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    r
}

#[test]
fn open_pages_are_told_to_reload_or_to_show_errors() {
    let site = site();
    let s = Served::start(&site, &[]);
    let page = s.get("/lora.html").body;
    let mut stream = events(s.port, &page);
    next_event(&mut stream, "ok");
    edit(&site, "content/lora.md", "第一版", "第三版");
    next_event(&mut stream, "reload");

    let page = s.get_until("/lora.html", |r| r.body.contains("第三版"), "the edit").body;
    let mut stream = events(s.port, &page);
    next_event(&mut stream, "ok");
    std::fs::write(site.root().join("content/peft.md"), "+++\ntitle = \"x\"\n").unwrap();
    let data = next_event(&mut stream, "errors");
    let text: String = serde_json::from_str(&data).expect("the errors as a JSON string");
    assert!(text.contains("content/peft.md:1:1: error: front matter is not closed"), "{text}");
}

#[test]
fn a_burst_of_writes_is_one_rebuild_and_editor_files_are_ignored() {
    let site = site();
    let s = Served::start(&site, &[]);
    let rebuilds = |log: &str| log.matches("notes after").count();
    for name in
        ["content/.#lora.md", "content/lora.md~", "content/.lora.md.swp", "content/#lora.md#", "content/.DS_Store"]
    {
        std::fs::write(site.root().join(name), "junk \u{0}").unwrap();
    }
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(rebuilds(&s.log()), 0, "editor files rebuild nothing:\n{}", s.log());
    for i in 0..5 {
        std::fs::write(
            site.root().join("content/lora.md"),
            format!("+++\ntitle = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"\n+++\n\n第 {i} 次保存。\n"),
        )
        .unwrap();
    }
    s.get_until("/lora.html", |r| r.body.contains("第 4 次保存"), "the last save");
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(rebuilds(&s.log()), 1, "one rebuild:\n{}", s.log());
}

#[cfg(unix)]
#[test]
fn a_taken_port_moves_to_the_next_and_ctrl_c_stops_cleanly() {
    let site = site();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let s = Served::start(&site, &["--port", &port.to_string()]);
    assert_ne!(s.port, port);
    assert!(s.log().contains(&format!("port {port} is taken: using {}", s.port)));
    assert!(s.log().contains(&format!("http://127.0.0.1:{}/", s.port)));
    assert_eq!(s.get("/").status, 200);
    let log = s.log.clone();
    assert_eq!(s.interrupt(), Some(0), "exit code after Ctrl-C");
    std::thread::sleep(Duration::from_millis(100));
    assert!(log.lock().unwrap().contains("stopped"));
}

#[test]
fn a_site_that_is_broken_from_the_start_is_served_once_fixed() {
    let site = site().file("content/peft.md", "+++\ntitle = \"x\"\n");
    let s = Served::start(&site, &[]);
    // No build has worked yet: the log does not claim a last good one.
    let log = s.wait_log(|l| l.contains("build failed"), "the failed first build");
    assert!(!log.contains("still serving") && log.contains("the errors show on open pages"), "{log}");
    let r = s.get("/");
    assert_eq!(r.status, 500);
    assert!(r.body.contains("front matter is not closed"), "{}", r.body);
    std::fs::write(
        site.root().join("content/peft.md"),
        "+++\ntitle = \"参数高效微调\"\nsummary = \"s\"\nparent = \"fine-tuning\"\n+++\n",
    )
    .unwrap();
    s.get_until("/peft.html", |r| r.status == 200, "the fixed site");
}

#[cfg(unix)]
#[test]
fn open_uses_the_desktop_opener_and_goes_on_without_one() {
    use std::os::unix::fs::PermissionsExt;
    let site = site();
    let bin = tempfile::tempdir().unwrap();
    let opened = bin.path().join("opened");
    let opener = bin.path().join("xdg-open");
    std::fs::write(&opener, format!("#!/bin/sh\necho \"$1\" > {}\n", opened.display())).unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = bin.path().to_string_lossy().into_owned();
    let s = Served::start_with(&site, &["--open"], &[("PATH", &path)]);
    let start = Instant::now();
    // The shell creates the file before it writes the line: wait for the whole line.
    let written = || std::fs::read_to_string(&opened).is_ok_and(|t| t.ends_with('\n'));
    while !written() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = std::fs::read_to_string(&opened).expect("xdg-open was run");
    assert_eq!(url.trim(), format!("http://127.0.0.1:{}/", s.port));

    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().to_string_lossy().into_owned();
    let s = Served::start_with(&site, &["--open"], &[("PATH", &path)]);
    s.wait_log(|l| l.contains("could not open a browser"), "the note");
    assert_eq!(s.get("/").status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_open_page_reloads_shows_errors_and_recovers() {
    let site = site();
    let s = Served::start(&site, &[]);
    let base = format!("http://127.0.0.1:{}/", s.port);
    let root = site.root().to_path_buf();
    with_browser((1280, 900), move |c| async move {
        c.goto(&format!("{base}lora.html")).await.unwrap();
        let text = |c: fantoccini::Client, css: &'static str| async move {
            c.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
        };
        assert!(text(c.clone(), ".note-body").await.contains("第一版"));
        // Mark the page: a reload clears the mark.
        c.execute("window.__mark = 1", vec![]).await.unwrap();
        let write = |from: &str, to: &str| {
            let p = root.join("content/lora.md");
            let t = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, t.replace(from, to)).unwrap();
        };
        write("第一版", "第二版");
        wait_js(&c, "return !window.__mark && document.body.innerText.includes('第二版')").await;

        write("parent = \"peft\"", "parent = \"petf\"");
        wait_js(&c, "var b = document.getElementById('conceptbook-errors'); return b && !b.hidden").await;
        let overlay = text(c.clone(), "#conceptbook-errors pre").await;
        assert!(overlay.contains("content/lora.md:4:11: error: parent `petf` names no note"), "{overlay}");
        assert!(overlay.contains("help: did you mean `peft`?"), "{overlay}");
        assert!(text(c.clone(), ".note-body").await.contains("第二版"), "the last good page stays");
        screenshot(&c, "serve-error-overlay").await;

        write("parent = \"petf\"", "parent = \"peft\"");
        wait_js(&c, "var b = document.getElementById('conceptbook-errors'); return b && b.hidden").await;
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
    })
    .await;
}

/// Polls a script returning a boolean until it returns true (up to 20 s).
async fn wait_js(c: &fantoccini::Client, script: &str) {
    let start = Instant::now();
    loop {
        let v = c.execute(script, vec![]).await.unwrap();
        if v.as_bool() == Some(true) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "timed out: {script}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
