//! Reading the notes: every `content/**/*.md`, as text, sorted by path, and the list of
//! the attachments beside them (`content/img/pic.png`, see [`crate::attachments`]).
//!
//! Editor droppings (`.#x.md`, `x.md~`, `.DS_Store`, hidden files and folders) are skipped,
//! and so are symbolic links that loop or lead nowhere (with a warning).
//! A file that is not UTF-8 is a diagnostic naming the byte offset; a UTF-8 BOM is dropped
//! and CRLF line endings become LF, so positions later are simple line counts.

use crate::attachments::{self, Attachments};
use crate::error::Diagnostic;
use crate::names::is_note_file;
use crate::paths::RelPath;
use std::path::Path;
use walkdir::WalkDir;

pub use crate::paths::CONTENT_DIR;

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, e.g. `content/training/lora.md`.
    pub path: RelPath,
    pub text: String,
}

/// What the read stage found below `content/`.
#[derive(Debug, Default)]
pub struct Read {
    /// Every Markdown file, sorted by path.
    pub files: Vec<SourceFile>,
    /// The images and documents kept next to the notes.
    pub attachments: Attachments,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads every Markdown file below `root/content`, sorted by path, and lists the
/// attachments there (one walk for both: the same files skipped, the same links refused).
pub fn read_all(root: &Path) -> Read {
    let content = root.join(CONTENT_DIR);
    let mut files = Vec::new();
    let mut found = Vec::new();
    let mut diags = Vec::new();
    if !content.is_dir() {
        diags.push(
            Diagnostic::error(&RelPath::new(CONTENT_DIR), "no content/ folder")
                .help("create content/ and add notes, e.g. `conceptbook new my-first-note`"),
        );
        return Read { diagnostics: diags, ..Read::default() };
    }
    let real_root = real_root(root);
    let mut walker = WalkDir::new(&content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path =
                    e.path().and_then(|p| RelPath::from_fs(root, p)).unwrap_or_else(|| RelPath::new(CONTENT_DIR));
                diags.push(walk_problem(&e, path));
                continue;
            }
        };
        if let Some(d) = link_outside(root, &real_root, &entry) {
            diags.push(d);
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() {
            continue;
        }
        if !is_note_file(&name) {
            if attachments::kind(&name).is_some() {
                found.extend(RelPath::from_fs(&content, entry.path()));
            }
            continue;
        }
        let Some(path) = RelPath::from_fs(root, entry.path()) else {
            continue;
        };
        match std::fs::read(entry.path()) {
            Ok(bytes) => match decode(bytes) {
                Ok(text) => files.push(SourceFile { path, text }),
                Err(e) => diags.push(e.diagnostic(&path)),
            },
            Err(e) => diags.push(Diagnostic::error(&path, format!("cannot read: {e}"))),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if files.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::warning(&RelPath::new(CONTENT_DIR), "content/ holds no notes yet")
                .help("create one with `conceptbook new my-first-note`"),
        );
    }
    Read { files, attachments: Attachments::new(content, found), diagnostics: diags }
}

/// The site root with every symbolic link resolved, to compare real paths with.
pub fn real_root(root: &Path) -> std::path::PathBuf {
    root.canonicalize().or_else(|_| std::path::absolute(root)).unwrap_or_else(|_| root.to_path_buf())
}

/// Whether `path`'s real path (symbolic links followed) lies inside the site.
pub fn inside_root(real_root: &Path, path: &Path) -> bool {
    path.canonicalize().map_or(true, |real| real.starts_with(real_root))
}

/// An error for a symbolic link met while walking (a file, a folder, or `content/` itself)
/// whose real path lies outside the site: nothing behind it is published. `/proc/self/environ`
/// or `~/.ssh/id_rsa` linked from `static/` would otherwise be copied into the output.
pub fn link_outside(root: &Path, real_root: &Path, entry: &walkdir::DirEntry) -> Option<Diagnostic> {
    if !entry.path_is_symlink() && entry.depth() > 0 || inside_root(real_root, entry.path()) {
        return None;
    }
    let path = RelPath::from_fs(root, entry.path()).unwrap_or_else(|| RelPath::new(&entry.path().to_string_lossy()));
    let to = std::fs::read_link(entry.path()).map_or_else(|_| String::new(), |t| format!(" (to `{}`)", t.display()));
    Some(
        Diagnostic::error(
            &path,
            format!("symbolic link{to} leads outside the site's folder: nothing behind it is published"),
        )
        .help("copy the file into the site, or remove the link"),
    )
}

/// A folder that cannot be walked. Symbolic links that loop or lead nowhere are skipped with
/// a warning (everything they could reach is read through its real path, or does not
/// exist); anything else is an error.
fn walk_problem(e: &walkdir::Error, path: RelPath) -> Diagnostic {
    if e.loop_ancestor().is_some() {
        return Diagnostic::warning(
            &path,
            "symbolic link loop: this folder links back to one of its parents, so it was skipped",
        )
        .help("remove the link or point it elsewhere");
    }
    let io = e.io_error();
    let is_link = e.path().is_some_and(|p| p.is_symlink());
    match io.and_then(|io| io.raw_os_error()) {
        Some(40) if is_link => {
            Diagnostic::warning(&path, "symbolic link loop: the link leads back to itself, so it was skipped")
                .help("remove the link or point it at a note")
        }
        _ if is_link && io.is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) => {
            let to = e
                .path()
                .and_then(|p| std::fs::read_link(p).ok())
                .map_or_else(String::new, |t| format!(" `{}`", t.display()));
            Diagnostic::warning(
                &path,
                format!("broken symbolic link: its target{to} does not exist, so it was skipped"),
            )
            .help("remove the link or point it at a note")
        }
        _ => {
            let why = io.map_or_else(|| e.to_string(), |io| io.to_string());
            Diagnostic::error(&path, format!("cannot read: {why}")).help("check the file's permissions")
        }
    }
}

/// Reads just these Markdown files (relative to `root`), skipping editor files and those
/// that no longer exist or cannot be read: for a rebuild, which reads the rest from memory.
/// `None` when one of them needs [`read_all`]'s walk: a folder, not Markdown, or a symbolic
/// link or a file behind one (the walk refuses any whose real path lies outside the site).
pub fn read_paths(root: &Path, paths: &[RelPath]) -> Option<Vec<SourceFile>> {
    let real_root = real_root(root);
    let simple = paths.iter().all(|p| {
        let fs = p.to_fs(root);
        is_note_file(p.as_str()) && !fs.is_dir() && !fs.is_symlink() && inside_root(&real_root, &fs)
    });
    if !simple {
        return None;
    }
    let files = paths
        .iter()
        .filter(|p| !is_ignored(p.as_str().rsplit('/').next().unwrap_or("")))
        .filter_map(|p| {
            let bytes = std::fs::read(p.to_fs(root)).ok()?;
            let text = decode(bytes).unwrap_or_default();
            Some(SourceFile { path: p.clone(), text })
        })
        .collect();
    Some(files)
}

/// Hidden files, editor lock and backup files (Emacs writes `#x.md#`; a name that only
/// starts with `#`, such as Obsidian's `#Ideas.md` or `# Inbox/`, is the author's).
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name.ends_with('~')
        || name.ends_with(".swp")
}

/// Why a file is not text: the offset of its first byte that is not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8 {
    pub offset: usize,
    /// It opens with a UTF-16 byte order mark (FF FE or FE FF), as Windows editors and
    /// exporters write: "invalid byte at offset 0" would not say what to do.
    pub utf16: bool,
}

impl NotUtf8 {
    pub fn diagnostic(self, path: &RelPath) -> Diagnostic {
        if self.utf16 {
            Diagnostic::error(path, "this file is UTF-16: save it as UTF-8")
                .help("in the editor's \"Save as\" or encoding menu, choose UTF-8")
        } else {
            Diagnostic::error(path, format!("not UTF-8: invalid byte at offset {}", self.offset))
                .help("save the file as UTF-8")
        }
    }
}

/// UTF-8 text with a BOM dropped and CRLF/CR turned into LF; on failure, where and why.
pub fn decode(bytes: Vec<u8>) -> Result<String, NotUtf8> {
    let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
    let text = String::from_utf8(bytes).map_err(|e| NotUtf8 { offset: e.utf8_error().valid_up_to(), utf16 })?;
    let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
    Ok(if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_crlf() {
        assert_eq!(decode(b"\xef\xbb\xbfa\r\nb\rc".to_vec()).unwrap(), "a\nb\nc");
        assert_eq!(decode(b"ab\xffcd".to_vec()), Err(NotUtf8 { offset: 2, utf16: false }));
        assert_eq!(decode(b"\xff\xfea\x00".to_vec()), Err(NotUtf8 { offset: 0, utf16: true }));
    }

    #[test]
    fn ignores_editor_files() {
        for n in [".#x.md", "x.md~", ".DS_Store", "#x.md#", ".x.md.swp"] {
            assert!(is_ignored(n), "{n}");
        }
        assert!(!is_ignored("lora.md"));
        assert!(!is_ignored("#Ideas.md") && !is_ignored("# Inbox") && !is_ignored("#"));
    }
}
