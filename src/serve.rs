//! `conceptbook serve`: the author's loop. Build in memory, serve, watch, rebuild, reload.
//!
//! In: the site's folder. Out: an HTTP server on 127.0.0.1 that answers from the latest
//! good build ([`Files`]: nothing is written to disk), and messages in the terminal. A watcher
//! thread waits for changes under `content/`, `templates/`, `static/` and `book.toml`
//! (an editor's burst of writes is one change: see [`QUIET`]), calls
//! [`Rebuilder::rebuild`], and publishes the result in the shared [`Live`] state; the
//! HTTP side ([`http`]) pushes a reload to open pages over Server-Sent Events. A build
//! that fails keeps the last good site up and publishes its diagnostics, which pages show
//! over their content until a save fixes them. Ctrl-C stops the server.

mod http;

use crate::config;
use crate::error::Diagnostic;
use crate::incremental::{Rebuilt, Session};
use crate::output::Output;
use crate::paths::RelPath;
use crate::pipeline::Failed;
use crate::report;
use crate::source::is_ignored;
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long the files must stay quiet before a rebuild: one save is often several writes
/// (a temp file, a rename, a backup), and this turns them into one rebuild.
pub const QUIET: Duration = Duration::from_millis(150);
/// A rebuild happens at the latest this long after the first change, even if writes go on.
const MAX_WAIT: Duration = Duration::from_secs(2);
/// The folders watched, recursively, and the one file.
const WATCHED_DIRS: &[&str] = &["content", "templates", "static"];

/// Builds the site for `serve`: the first build in full, then incrementally through an
/// [`incremental::Session`] (only the pages an edit can change are rendered again). Until a
/// first build succeeds, every rebuild is a first build.
pub struct Rebuilder {
    root: PathBuf,
    session: Option<Session>,
    /// What was last handed to the server, to share unchanged files with the next.
    served: Option<Arc<Files>>,
}

/// The files the server answers with: the build's output, each file shared (`Arc`), so
/// that a rebuild hands the server a new map without copying what did not change.
pub type Files = BTreeMap<RelPath, Arc<[u8]>>;

/// `output` as [`Files`], reusing `old`'s copy of every file whose bytes are the same.
pub fn share(old: Option<&Files>, output: &Output) -> Files {
    output
        .iter()
        .map(|(path, bytes)| match old.and_then(|o| o.get(path)) {
            Some(same) if **same == **bytes => (path.clone(), Arc::clone(same)),
            _ => (path.clone(), Arc::from(bytes.as_slice())),
        })
        .collect()
}

/// A good (re)build: what to serve and what to say.
pub struct Rebuild {
    /// `None` when nothing the site shows changed.
    pub files: Option<Arc<Files>>,
    pub warnings: Vec<Diagnostic>,
    pub notes: usize,
    /// What was rendered again; `None` for a first build.
    pub rebuilt: Option<Rebuilt>,
}

impl Rebuilder {
    pub fn new(root: &Path) -> Rebuilder {
        Rebuilder { root: root.to_path_buf(), session: None, served: None }
    }

    /// Rebuilds after `changed` (paths relative to the root; empty for the first build).
    pub fn rebuild(&mut self, changed: &[RelPath]) -> Result<Rebuild, Failed> {
        let rebuilt = match &mut self.session {
            Some(session) => {
                let paths: Vec<PathBuf> = changed.iter().map(|p| p.to_fs(&self.root)).collect();
                Some(session.rebuild(&paths)?.rebuilt)
            }
            None => {
                self.session = Some(Session::new(&self.root)?);
                None
            }
        };
        let Some(session) = &self.session else { unreachable!("a session was just made") };
        let files = (rebuilt != Some(Rebuilt::Nothing)).then(|| {
            let files = Arc::new(share(self.served.as_deref(), session.output()));
            self.served = Some(Arc::clone(&files));
            files
        });
        Ok(Rebuild { files, warnings: session.warnings().to_vec(), notes: session.site().notes.len(), rebuilt })
    }

    /// After a body edit was served, brings the search index up to date; the new files to
    /// serve (the pages are the same) and how long it took, or `None` if it was current.
    pub fn refresh_search(&mut self) -> Option<(Arc<Files>, Duration)> {
        let session = self.session.as_mut()?;
        let took = session.refresh_search()?;
        let files = Arc::new(share(self.served.as_deref(), session.output()));
        self.served = Some(Arc::clone(&files));
        Some((files, took))
    }
}

/// What the server currently serves, shared by the watcher and the connections.
pub struct Live {
    state: Mutex<State>,
    /// Notified whenever `state.version` moves.
    changed: Condvar,
}

#[derive(Clone)]
pub struct State {
    /// The last good build; `None` until one succeeds.
    pub site: Option<Arc<Files>>,
    /// The last build's problems as plain text, when it failed.
    pub errors: Option<Arc<str>>,
    /// How many good builds there have been: a page knows which one it came from.
    pub build: u64,
    /// Moves on every rebuild, good or bad.
    pub version: u64,
    /// Differs between runs of `serve`, so pages reload after a restart.
    pub server: Arc<str>,
}

impl Live {
    fn new() -> Live {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Live {
            state: Mutex::new(State {
                site: None,
                errors: None,
                build: 0,
                version: 0,
                server: format!("{:x}{:x}", std::process::id(), nanos).into(),
            }),
            changed: Condvar::new(),
        }
    }

    /// A copy of the current state (cheap: the output is shared).
    pub fn now(&self) -> State {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until the version differs from `seen`, at most `timeout`.
    pub fn wait_past(&self, seen: u64, timeout: Duration) -> State {
        let guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) =
            self.changed.wait_timeout_while(guard, timeout, |s| s.version == seen).unwrap_or_else(|e| e.into_inner());
        guard.clone()
    }

    /// Serves `files` from now on without telling open pages: what they show is the same.
    fn replace_files(&self, files: Arc<Files>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.site = Some(files);
    }

    fn publish(&self, news: News) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match news {
            News::Site(files) => {
                s.site = Some(files);
                s.errors = None;
                s.build += 1;
            }
            News::Errors(text) => s.errors = Some(text.into()),
            News::Recovered => s.errors = None,
        }
        s.version += 1;
        self.changed.notify_all();
    }
}

/// What a rebuild changes for the pages that are open.
enum News {
    /// A new good build: pages reload.
    Site(Arc<Files>),
    /// A failed build, its report as text: pages show it over the last good build.
    Errors(String),
    /// A good build that changed nothing since the last good one: the errors go.
    Recovered,
}

/// What `serve` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// The port to try first (0: any free one).
    pub port: u16,
    /// Open the site in the browser once it is served.
    pub open: bool,
    pub quiet: bool,
}

/// Runs `serve` until Ctrl-C.
pub fn run(args: &Options) -> anyhow::Result<ExitCode> {
    // Canonical, so that the watcher's paths start with it.
    let root = args.root.canonicalize().unwrap_or(std::path::absolute(&args.root)?);
    let color = report::color_on_stderr();
    if !root.join(config::FILE).is_file() {
        let diags = config::load(&root).err().unwrap_or_default();
        report::diagnostics(&mut std::io::stderr(), &diags, &root, color)?;
        return Ok(ExitCode::FAILURE);
    }
    let live = Arc::new(Live::new());
    // Watch before the first build, so that no save is missed.
    let watching = watch(&root);
    let mut rebuilder = Rebuilder::new(&root);
    let mut log =
        Log { root: root.clone(), color, quiet: args.quiet, warnings: Vec::new(), failing: false, built: false };
    let start = Instant::now();
    let first = rebuilder.rebuild(&[]);
    if let Some(news) = log.result(first, start.elapsed(), &[]) {
        live.publish(news);
    }

    let (listener, port) = bind(args.port)?;
    let url = format!("http://127.0.0.1:{port}/");
    if port != args.port && args.port != 0 {
        println!("port {} is taken: using {port}", args.port);
    }
    println!("serving {} at {url} (this machine only; Ctrl-C stops)", root.display());
    let server = Arc::clone(&live);
    std::thread::Builder::new()
        .name("http".into())
        .spawn(move || http::accept(listener, server))
        .map_err(|e| anyhow::anyhow!("cannot start the server's thread: {e}"))?;
    if args.open {
        open_browser(&url);
    }
    match watching {
        Ok(watching) => rebuild_on_change(watching, &root, Arc::clone(&live), rebuilder, log),
        Err(e) => {
            eprintln!("warning: cannot watch the site for changes ({e}): saves will not rebuild")
        }
    }
    let (stop, stopped) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })?;
    let _ = stopped.recv();
    println!("\nstopped");
    Ok(ExitCode::SUCCESS)
}

/// The first free port from `port` on (up to 100 further), on 127.0.0.1 only.
fn bind(port: u16) -> std::io::Result<(TcpListener, u16)> {
    let last = if port == 0 { 0 } else { port.saturating_add(100) };
    let mut error = None;
    for p in port..=last {
        match TcpListener::bind(("127.0.0.1", p)) {
            Ok(l) => {
                let port = l.local_addr()?.port();
                return Ok((l, port));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(error.unwrap_or_else(|| std::io::Error::other("no free port")))
}

/// Opens `url` with the desktop's opener; says so, and goes on, when there is none.
fn open_browser(url: &str) {
    let (program, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    let spawned = std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => println!("could not open a browser ({program}: {e}): open {url} yourself"),
    }
}

/// What the terminal is told about builds; remembers enough to say only what is new.
struct Log {
    root: PathBuf,
    color: bool,
    /// Errors only: no line for a good build, no warnings.
    quiet: bool,
    /// The warnings last printed, so a rebuild repeats them only when they change.
    warnings: Vec<Diagnostic>,
    failing: bool,
    /// Some build has succeeded: there is a last good build to serve.
    built: bool,
}

impl Log {
    /// Prints the outcome of a build and turns it into what the server publishes: the new
    /// output, the errors as text, or `None` when nothing the site shows changed.
    fn search_refreshed(&self, took: Duration) {
        if !self.quiet {
            println!("  search index updated in {:.0} ms", took.as_secs_f64() * 1000.0);
        }
    }

    fn result(&mut self, result: Result<Rebuild, Failed>, took: Duration, changed: &[RelPath]) -> Option<News> {
        let ms = took.as_secs_f64() * 1000.0;
        let what = match changed {
            [] => String::new(),
            [one] => format!(" after a change to {one}"),
            many => format!(" after changes to {} files", many.len()),
        };
        let mut err = std::io::stderr().lock();
        let good = match result {
            Ok(good) => {
                self.built = true;
                good
            }
            Err(failed) => {
                let diags = &failed.diagnostics;
                let _ = report::diagnostics(&mut err, diags, &self.root, self.color);
                let serving = if self.built { "still serving the last good build; " } else { "" };
                let _ = writeln!(
                    err,
                    "build failed{what} in {ms:.0} ms: {serving}the errors show on open pages until a save fixes them"
                );
                self.failing = true;
                self.warnings.clear();
                return Some(News::Errors(report::render(diags, &self.root, false)));
            }
        };
        if good.warnings != self.warnings && !self.quiet {
            let _ = report::diagnostics(&mut err, &good.warnings, &self.root, self.color);
        }
        self.warnings = good.warnings;
        let scope = match good.rebuilt {
            None => String::new(),
            Some(Rebuilt::Full) => " (everything)".to_string(),
            Some(Rebuilt::AllPages) => " (every page)".to_string(),
            Some(Rebuilt::Pages(1)) => " (1 page)".to_string(),
            Some(Rebuilt::Pages(n)) => format!(" ({n} pages)"),
            Some(Rebuilt::Nothing) => String::new(),
        };
        let verb = if self.failing { "fixed: built" } else { "built" };
        match &good.files {
            Some(_) if !self.quiet || self.failing => {
                println!("{verb} {}{what} in {ms:.0} ms{scope}", report::count(good.notes, "note"))
            }
            None if !self.quiet => println!("nothing on the site changed{what} ({ms:.0} ms)"),
            _ => {}
        }
        let was_failing = std::mem::replace(&mut self.failing, false);
        match good.files {
            Some(files) => Some(News::Site(files)),
            // A save that undoes a broken edit: the site is as it was, and the errors go.
            None if was_failing => Some(News::Recovered),
            None => None,
        }
    }
}

/// Watches `content/`, `templates/`, `static/` and `book.toml` (the root, not recursively).
fn watch(root: &Path) -> notify::Result<(notify::RecommendedWatcher, Events)> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(root, RecursiveMode::NonRecursive)?;
    for dir in WATCHED_DIRS {
        let d = root.join(dir);
        if d.is_dir() {
            watcher.watch(&d, RecursiveMode::Recursive)?;
        }
    }
    Ok((watcher, rx))
}

/// Starts the thread that rebuilds after every quiet burst of changes.
fn rebuild_on_change(
    (mut watcher, rx): (notify::RecommendedWatcher, Events),
    root: &Path,
    live: Arc<Live>,
    mut rebuilder: Rebuilder,
    mut log: Log,
) {
    let root = root.to_path_buf();
    std::thread::spawn(move || loop {
        let Some(changed) = next_burst(&rx, &root, &mut watcher) else {
            return;
        };
        let start = Instant::now();
        let result = rebuilder.rebuild(&changed);
        if let Some(news) = log.result(result, start.elapsed(), &changed) {
            live.publish(news);
        }
        // The edited page is out; now the search index, without reloading anything.
        if let Some((files, took)) = rebuilder.refresh_search() {
            live.replace_files(files);
            log.search_refreshed(took);
        }
    });
}

type Events = mpsc::Receiver<notify::Result<notify::Event>>;

/// Blocks until something relevant changed and the files went quiet; returns what changed
/// (relative to the root, sorted), or `None` when the watcher is gone.
fn next_burst(rx: &Events, root: &Path, watcher: &mut notify::RecommendedWatcher) -> Option<Vec<RelPath>> {
    let build_dir = config::load(root).map_or_else(|_| "book".to_string(), |c| c.build_dir);
    let mut changed = BTreeSet::new();
    let mut first: Option<Instant> = None;
    loop {
        let event = match first {
            None => rx.recv().ok()?,
            Some(t) if t.elapsed() >= MAX_WAIT => break,
            Some(_) => match rx.recv_timeout(QUIET) {
                Ok(e) => e,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            },
        };
        let Ok(event) = event else { continue };
        if matches!(event.kind, EventKind::Access(_)) {
            continue;
        }
        for path in &event.paths {
            let Some(rel) = relevant(root, &build_dir, path) else {
                continue;
            };
            // A watched folder that appears after the start is watched from then on.
            if WATCHED_DIRS.contains(&rel.as_str()) && path.is_dir() {
                let _ = watcher.watch(path, RecursiveMode::Recursive);
            }
            changed.insert(rel);
            first.get_or_insert_with(Instant::now);
        }
    }
    Some(changed.into_iter().collect())
}

/// The path relative to the root when a change there can change the site: under a watched
/// folder (not the build dir, not a hidden or editor file), or `book.toml`.
pub fn relevant(root: &Path, build_dir: &str, path: &Path) -> Option<RelPath> {
    let rel = RelPath::from_fs(root, path)?;
    let s = rel.as_str();
    if s == config::FILE {
        return Some(rel);
    }
    let top = s.split('/').next()?;
    let in_build = s == build_dir || s.starts_with(&format!("{}/", build_dir.trim_end_matches('/')));
    let hidden = s.split('/').any(is_ignored);
    (WATCHED_DIRS.contains(&top) && !in_build && !hidden).then_some(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_files_are_relevant() {
        let root = Path::new("/site");
        let yes = |p: &str| relevant(root, "book", &root.join(p)).is_some();
        assert!(yes("content/lora.md"));
        assert!(yes("content/a/b.md"));
        assert!(yes("templates/note.html"));
        assert!(yes("static/css/x.css"));
        assert!(yes("book.toml"));
        assert!(yes("content"));
        for no in [
            "book/index.html",
            "content/.#lora.md",
            "content/lora.md~",
            "content/.lora.md.swp",
            "content/#lora.md#",
            "content/.DS_Store",
            "target/debug/x",
            "README.md",
            "Cargo.toml",
        ] {
            assert!(!yes(no), "{no}");
        }
        assert!(relevant(root, "content/out", &root.join("content/out/x.html")).is_none());
        assert!(relevant(root, "book", Path::new("/elsewhere/content/x.md")).is_none());
    }

    #[test]
    fn a_rebuild_shares_the_files_that_did_not_change() {
        let mut output = Output::new();
        output.insert(RelPath::new("a.html"), b"a".to_vec());
        output.insert(RelPath::new("b.html"), b"b".to_vec());
        let first = share(None, &output);
        output.insert(RelPath::new("b.html"), b"b2".to_vec());
        output.insert(RelPath::new("c.html"), b"c".to_vec());
        let second = share(Some(&first), &output);
        let a = RelPath::new("a.html");
        assert!(Arc::ptr_eq(&first[&a], &second[&a]));
        assert_eq!(&*second[&RelPath::new("b.html")], b"b2");
        assert_eq!(second.len(), 3);
    }

    #[test]
    fn the_next_port_when_taken() {
        let (taken, port) = bind(0).unwrap();
        let (_l, next) = bind(port).unwrap();
        assert_ne!(next, port);
        assert!(next > port && next <= port.saturating_add(100));
        drop(taken);
    }
}
