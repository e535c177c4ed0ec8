//! Writing the built site: into a staging folder beside the build dir, then swapped in.
//!
//! A failed build never reaches this stage, and a failed write leaves the previous output
//! where it was. The build dir may not be, or contain, the site root or its `content/`,
//! `templates/` or `static/`, nor sit inside them; an existing build dir is only replaced
//! when it carries conceptbook's own marker file ([`MARKER`]; `.nojekyll` alone, which
//! Sphinx, Docusaurus and hand-made `docs/` folders have too, is not enough) or is empty.
//! Nothing outside the build dir and its staging siblings is ever deleted.
//!
//! The swap: on Linux, one `renameat2(RENAME_EXCHANGE)` puts the new folder where the old
//! one was, so the build dir never goes missing; elsewhere, two renames. A build killed
//! half-way leaves `.book.staging-PID` or `.book.old-PID` beside the build dir; the next
//! build removes those whose process is gone.

use crate::paths::RelPath;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;

/// Every file of the built site, by output path.
pub type Output = BTreeMap<RelPath, Vec<u8>>;

/// Where the render stage puts each file as soon as it is made: kept in memory (an
/// [`Output`] behind a mutex: `serve`, tests), written to the build's staging folder as
/// the pages come ([`Staging`]: `build`, so a large site never sits in memory whole), or
/// only counted ([`Discard`]: `check`). Rendering threads call it in parallel.
pub trait Sink: Sync {
    fn put(&self, path: RelPath, bytes: Vec<u8>);
}

impl Sink for Mutex<Output> {
    fn put(&self, path: RelPath, bytes: Vec<u8>) {
        self.lock().unwrap_or_else(PoisonError::into_inner).insert(path, bytes);
    }
}

/// A sink that keeps nothing: `check` renders every page to find every error, and writes
/// nothing.
#[derive(Default)]
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _: RelPath, _: Vec<u8>) {}
}

/// The file every build writes at the top of its output: the proof that a folder is
/// conceptbook's to replace.
pub const MARKER: &str = ".conceptbook-output";
const MARKER_TEXT: &str = "This folder is a conceptbook build: the next build replaces it whole.\n";

#[derive(Debug)]
pub struct Written {
    pub files: usize,
    pub bytes: u64,
}

/// Why a build dir is refused, in words for the user; `None` when it is safe.
fn refuse_reason(root: &Path, dest: &Path) -> Option<String> {
    let root = resolve(root);
    let dest = resolve(dest);
    if dest == root {
        return Some("the build dir is the site root itself".into());
    }
    if root.starts_with(&dest) {
        return Some("the build dir contains the site root".into());
    }
    for dir in ["content", "templates", "static", "src", ".git"] {
        let d = root.join(dir);
        if dest == d || d.starts_with(&dest) || dest.starts_with(&d) {
            return Some(format!("the build dir overlaps the site's {dir}/ folder"));
        }
    }
    if dest.parent().is_none() {
        return Some("the build dir is a filesystem root".into());
    }
    None
}

/// Why a build dir that book.toml's `build-dir` names is refused: it lies outside the site's
/// folder, which only `--dest` on the command line may choose (a note's pull request can
/// change book.toml, and must not make CI replace someone else's folder).
pub fn outside_reason(root: &Path, dest: &Path) -> Option<String> {
    let (root, dest) = (resolve(root), resolve(dest));
    (!dest.starts_with(&root)).then(|| format!("build-dir `{}` lies outside the site's folder", dest.display()))
}

/// Why a build was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The build dir is not a safe place (it is the root, contains `content/`, …): why.
    Refused(String),
    Io(io::Error),
}

/// Writes `output` to `dest`, replacing what was there only once everything is written.
pub fn write(output: &Output, root: &Path, dest: &Path) -> Result<Written, WriteError> {
    let staging = Staging::begin(root, dest)?;
    for (path, bytes) in output {
        staging.put(path.clone(), bytes.clone());
    }
    staging.finish().map_err(WriteError::Io)
}

/// How many written files may wait in the queue to the writing thread: enough to keep it
/// busy, few enough that memory stays small.
const QUEUE: usize = 256;

/// A build being written: a staging folder beside the build dir that a thread of its own
/// fills as files arrive ([`Sink::put`]), then swapped in by [`Staging::finish`]. Dropped
/// without `finish` (the render failed), it removes the staging folder and leaves the build
/// dir as it was.
pub struct Staging {
    dest: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    sender: Option<SyncSender<(RelPath, Vec<u8>)>>,
    writer: Option<JoinHandle<io::Result<Written>>>,
}

impl Staging {
    /// Checks that `dest` may be replaced and starts writing into a fresh staging folder.
    pub fn begin(root: &Path, dest: &Path) -> Result<Staging, WriteError> {
        if let Some(reason) = refuse_reason(root, dest) {
            return Err(WriteError::Refused(reason));
        }
        Staging::start(dest).map_err(WriteError::Io)
    }

    /// [`Staging::begin`] for a `dest` that is no unsafe place.
    fn start(dest: &Path) -> io::Result<Staging> {
        let dest = resolve(dest);
        if dest.exists() && !replaceable(&dest)? {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is not a conceptbook output (no {MARKER} in it); remove it or choose another build-dir",
                    dest.display()
                ),
            ));
        }
        let parent = dest.parent().unwrap_or(Path::new(".")).to_path_buf();
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "book".into());
        std::fs::create_dir_all(&parent)?;
        remove_litter(&parent, &name);
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let previous = dest.is_dir().then(|| dest.clone());
        let (sender, receiver) = sync_channel(QUEUE);
        let target = dir.clone();
        let shown = dest.clone();
        let writer = std::thread::Builder::new()
            .name("write".into())
            .spawn(move || write_all(receiver, &target, &shown, previous.as_deref()))?;
        Ok(Staging { dest, dir, old, sender: Some(sender), writer: Some(writer) })
    }

    /// Waits for every file to be written, then puts the staging folder in the build dir's
    /// place. A failure leaves the build dir as it was.
    pub fn finish(mut self) -> io::Result<Written> {
        let written = self.wait()?;
        let (staging, dest, old) = (&self.dir, &self.dest, &self.old);
        if dest.exists() && exchange(staging, dest) {
            // `staging` now holds the previous build.
            let _ = std::fs::remove_dir_all(staging);
            return Ok(written);
        }
        if dest.exists() {
            std::fs::rename(dest, old)?;
        }
        if let Err(e) = std::fs::rename(staging, dest) {
            if old.exists() {
                let _ = std::fs::rename(old, dest);
            }
            return Err(e);
        }
        if old.exists() {
            std::fs::remove_dir_all(old)?;
        }
        Ok(written)
    }

    /// Closes the queue and waits for the writing thread.
    fn wait(&mut self) -> io::Result<Written> {
        drop(self.sender.take());
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the writing thread panicked")),
            None => Err(io::Error::other("the build was already written")),
        }
    }
}

impl Sink for Staging {
    fn put(&self, path: RelPath, bytes: Vec<u8>) {
        if let Some(sender) = &self.sender {
            // A closed queue means the writer stopped on an error, which `finish` reports.
            let _ = sender.send((path, bytes));
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.wait();
        }
        if self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Swaps two folders in one step, where the system can: on Linux, `renameat2` with
/// `RENAME_EXCHANGE`. `false` when it cannot (another system, a file system without it).
fn exchange(a: &Path, b: &Path) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use nix::fcntl::{renameat2, RenameFlags, AT_FDCWD};
        renameat2(AT_FDCWD, a, AT_FDCWD, b, RenameFlags::RENAME_EXCHANGE).is_ok()
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = (a, b);
        false
    }
}

/// Removes the staging and old folders (`.book.staging-PID`, `.book.old-PID`) that builds
/// killed half-way left in `parent`: those whose process no longer runs. A running build's
/// are left alone. Best effort: what cannot be removed stays for the next build.
fn remove_litter(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = litter_pid(&file, name) else {
            continue;
        };
        if pid != std::process::id() && !process_runs(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The PID in `.NAME.staging-PID` or `.NAME.old-PID`.
fn litter_pid(file: &str, name: &str) -> Option<u32> {
    let rest = file.strip_prefix('.')?.strip_prefix(name)?;
    let pid = rest.strip_prefix(".staging-").or_else(|| rest.strip_prefix(".old-"))?;
    pid.parse().ok().filter(|&p| p > 0)
}

/// Whether a process with this id runs (or may: when in doubt, yes).
fn process_runs(pid: u32) -> bool {
    #[cfg(unix)]
    {
        use nix::errno::Errno;
        let Ok(pid) = i32::try_from(pid) else {
            return true;
        };
        !matches!(nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None), Err(Errno::ESRCH))
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Whether `dest` may be replaced: it carries [`MARKER`], is an output of an older
/// conceptbook (before the marker: `.nojekyll` with conceptbook's own glossary, map and
/// search script beside it), or is empty.
fn replaceable(dest: &Path) -> io::Result<bool> {
    if !dest.is_dir() {
        return Ok(false);
    }
    let has = |p: &str| dest.join(p).is_file();
    let older = [".nojekyll", "glossary.html", "graph.html", "js/search.js", "css/style.css"].iter().all(|p| has(p));
    Ok(has(MARKER) || older || std::fs::read_dir(dest)?.next().is_none())
}

/// Writes every file that comes through `files` below `dir`, one after another: creating
/// files in one folder from several threads makes the threads queue on the folder's lock
/// (on ext4, 13 times slower for 10,000 notes), while one thread writing as the others
/// render overlaps the two. A file whose bytes equal the previous build's is hard-linked
/// from there instead of written: no new inode, no rewrite, and the swap that follows frees
/// nothing it need not. (On ext4, creating many files right after deleting many is the
/// slowest part of a large build.) After an error the rest is received and dropped; the
/// error names the file as it would have been in the build dir `dest`.
fn write_all(
    files: Receiver<(RelPath, Vec<u8>)>,
    dir: &Path,
    dest: &Path,
    previous: Option<&Path>,
) -> io::Result<Written> {
    let mut written = Written { files: 0, bytes: 0 };
    let mut made: BTreeSet<RelPath> = BTreeSet::new();
    let mut error = None;
    for (path, bytes) in files {
        if error.is_some() {
            continue;
        }
        let parent = path.parent();
        let result = (|| {
            if !parent.as_str().is_empty() && !made.contains(&parent) {
                std::fs::create_dir_all(parent.to_fs(dir))?;
                made.insert(parent);
            }
            let target = path.to_fs(dir);
            if let Some(old) = previous.map(|p| path.to_fs(p)) {
                if unchanged(&old, &bytes) && std::fs::hard_link(&old, &target).is_ok() {
                    return Ok(());
                }
            }
            std::fs::write(target, &bytes)
        })();
        match result {
            Ok(()) => {
                written.files += 1;
                written.bytes += bytes.len() as u64;
            }
            Err(e) => {
                let at = path.to_fs(dest);
                let message = format!("could not write {}: {e}; the build dir is left as it was", at.display());
                error = Some(io::Error::new(e.kind(), message));
            }
        }
    }
    if let Some(e) = error {
        return Err(e);
    }
    std::fs::write(dir.join(MARKER), MARKER_TEXT)?;
    Ok(written)
}

fn unchanged(old: &Path, bytes: &[u8]) -> bool {
    let same_len = std::fs::symlink_metadata(old).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
    same_len && std::fs::read(old).is_ok_and(|b| b == bytes)
}

/// An absolute, normalised path; symlinks resolved as far as the path exists.
pub fn resolve(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut normal = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|n| n.to_owned()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return normal,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_build_dirs() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert!(refuse_reason(&root, &root).is_some());
        assert!(refuse_reason(&root, t.path()).is_some());
        assert!(refuse_reason(&root, &root.join("content")).is_some());
        assert!(refuse_reason(&root, &root.join("content/x")).is_some());
        assert!(refuse_reason(&root, &root.join("static")).is_some());
        assert!(refuse_reason(&root, &root.join("book")).is_none());
        assert!(refuse_reason(&root, &root.join("content/../book")).is_none());
        assert!(outside_reason(&root, &root.join("book")).is_none());
        assert!(outside_reason(&root, &root.join("../other/docs")).is_some());
        assert!(outside_reason(&root, &t.path().join("elsewhere")).is_some());
    }

    /// A file that cannot be written is named, with the build dir left as it was.
    #[test]
    fn a_failed_write_names_its_file() {
        let t = tempfile::tempdir().unwrap();
        let (root, dest) = (t.path().join("site"), t.path().join("book"));
        std::fs::create_dir_all(&root).unwrap();
        let staging = Staging::begin(&root, &dest).unwrap();
        staging.put(RelPath::new("ok.html"), b"ok".to_vec());
        let long = format!("children/{}.html", "a".repeat(300));
        staging.put(RelPath::new(&long), b"x".to_vec());
        staging.put(RelPath::new("after.html"), b"x".to_vec());
        let e = staging.finish().unwrap_err().to_string();
        assert!(e.starts_with(&format!("could not write {}: ", dest.join(&long).display())), "{e}");
        assert!(e.ends_with("the build dir is left as it was"), "{e}");
        assert!(!dest.exists());
    }

    #[test]
    fn litter_names() {
        assert_eq!(litter_pid(".book.staging-123", "book"), Some(123));
        assert_eq!(litter_pid(".book.old-9", "book"), Some(9));
        assert_eq!(litter_pid(".book.old-x", "book"), None);
        assert_eq!(litter_pid(".docs.old-9", "book"), None);
        assert_eq!(litter_pid("book", "book"), None);
        assert!(process_runs(std::process::id()));
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn the_swap_is_one_exchange_on_linux() {
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (t.path().join("a"), t.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("new"), "").unwrap();
        std::fs::write(b.join("old"), "").unwrap();
        assert!(exchange(&a, &b));
        assert!(b.join("new").exists() && a.join("old").exists());
    }
}
