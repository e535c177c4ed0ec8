//! Attachments: the images and documents kept next to the notes (`content/img/pic.png`), as
//! Obsidian vaults, Zola and mdBook keep them.
//!
//! In: the paths the read stage's walk found below `content/` with an attachment's
//! extension, and the output paths of `static/` (with the embedded defaults). Out:
//! [`Attachments`], which says where a note's reference (`![x](img/pic.png)`,
//! `![[pic.png]]`) leads, and which files are published, each at its path below `content/`.
//! The lookup only ever compares paths with these lists: a reference never reads the disk,
//! so `../../../etc/x.png` finds nothing rather than a file outside the site.
//!
//! An SVG below `content/` is never published: opened on its own, it runs its scripts on
//! the site's origin, and notes are untrusted. A reference to one is an error (the graph
//! words it), whose way out is a PNG or, for a trusted drawing, `static/`.

use crate::paths::{percent_decode, percent_encode, RelPath, CONTENT_DIR};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The extensions (compared case-blind) of the files below `content/` that are published.
pub const PUBLISHED: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "pdf"];

/// What a file's extension makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Published at its path (one of [`PUBLISHED`]).
    Published,
    /// An SVG: published from `static/` only.
    Svg,
}

/// What a path (a file, or a reference's path) names, by its extension: `None` for
/// anything that is not an attachment (a note, a `.txt`, a `.canvas`).
pub fn kind(path: &str) -> Option<Kind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    if PUBLISHED.contains(&ext.as_str()) {
        Some(Kind::Published)
    } else if ext == "svg" {
        Some(Kind::Svg)
    } else {
        None
    }
}

/// Whether a link or image URL, as written, is a reference this module resolves: relative
/// (no scheme, not `/…`, `//…` or `#…`) and, without its `?query` and `#fragment`, with an
/// attachment's extension.
pub fn is_reference(url: &str) -> bool {
    let path = split_suffix(url).0;
    !path.is_empty() && !path.contains(':') && !path.starts_with('/') && kind(path).is_some()
}

/// `url` cut before its `?query` or `#fragment`: (the path, the rest as written).
fn split_suffix(url: &str) -> (&str, &str) {
    let at = url.find(['?', '#']).unwrap_or(url.len());
    url.split_at(at)
}

/// Where a reference leads, when it leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No file there. `here` is the path it was looked for at from the note's folder,
    /// `top` from `content/` (and `static/`): `None` when the reference climbs out.
    Missing { here: Option<RelPath>, top: Option<RelPath> },
    /// An SVG below `content/` (its path there).
    Svg(RelPath),
    /// An Obsidian embed by a file name that several files below `content/` have.
    Ambiguous(Vec<RelPath>),
}

/// The attachments of a site: what is below `content/`, and what `static/` adds.
#[derive(Debug, Clone, Default)]
pub struct Attachments {
    /// `content/` on the disk, where the published files are read from.
    dir: PathBuf,
    /// The published files, by their path below `content/` (their output path).
    files: BTreeSet<RelPath>,
    /// The SVGs below `content/`: found by references, never published.
    svgs: BTreeSet<RelPath>,
    /// Every attachment below `content/` (SVGs too) by its file name, for `![[pic.png]]`.
    by_name: BTreeMap<String, Vec<RelPath>>,
    /// The output paths of `static/` (and the embedded defaults) with an attachment's
    /// extension.
    statics: BTreeSet<RelPath>,
    /// Each file's path (SVGs too) in NFC, for a reference typed in the other Unicode form:
    /// macOS has written names decomposed (`naïve` as `nai\u{308}ve`), notes type them
    /// composed, and both look alike.
    nfc: BTreeMap<String, RelPath>,
}

/// `s` in Unicode's composed form (NFC).
fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}

impl Attachments {
    /// The attachments found below `dir` (the site's `content/`), as paths below it.
    pub fn new(dir: PathBuf, found: impl IntoIterator<Item = RelPath>) -> Attachments {
        let mut a = Attachments { dir, ..Attachments::default() };
        for path in found {
            let Some(kind) = kind(path.as_str()) else { continue };
            let name = nfc(path.as_str().rsplit('/').next().unwrap_or(""));
            a.by_name.entry(name).or_default().push(path.clone());
            a.nfc.insert(nfc(path.as_str()), path.clone());
            match kind {
                Kind::Published => a.files.insert(path),
                Kind::Svg => a.svgs.insert(path),
            };
        }
        a
    }

    /// The same, with the output paths of the static files (`static/` and the embedded
    /// defaults) that references may also lead to.
    pub fn with_statics<'a>(mut self, statics: impl IntoIterator<Item = &'a RelPath>) -> Attachments {
        self.statics = statics.into_iter().filter(|p| kind(p.as_str()).is_some()).cloned().collect();
        self
    }

    /// The published files, by their path below `content/`, which is their output path.
    pub fn files(&self) -> impl Iterator<Item = &RelPath> {
        self.files.iter()
    }

    /// Whether `path` (an output path) is a published file of `content/`.
    pub fn is_published(&self, path: &RelPath) -> bool {
        self.files.contains(path)
    }

    /// Where the published file `path` is on the disk.
    pub fn source(&self, path: &RelPath) -> PathBuf {
        path.to_fs(&self.dir)
    }

    /// The published files that a static file of the same output path would hide.
    pub fn shadowed(&self) -> impl Iterator<Item = &RelPath> {
        self.files.intersection(&self.statics)
    }

    /// Whether the two list the same files (a rebuild that finds a file added or removed
    /// must start over: references may now lead elsewhere).
    pub fn same_files(&self, other: &Attachments) -> bool {
        self.files == other.files && self.svgs == other.svgs
    }

    /// Where the reference `url`, written in the file `from` (`content/sub/b.md`), leads:
    /// an output path. Tried in order: from the note's own folder, from `content/`, from
    /// `static/`, and for an Obsidian embed (`by_name`) the one file below `content/` of
    /// that name.
    pub fn resolve(&self, from: &RelPath, url: &str, by_name: bool) -> Result<RelPath, Miss> {
        let written = split_suffix(url).0;
        let path = percent_decode(written).unwrap_or_else(|| written.to_string());
        let folder = from.parent();
        let folder = folder.as_str().strip_prefix(CONTENT_DIR).unwrap_or("");
        let here = RelPath::new(folder).join_inside(&path);
        let top = RelPath::new("").join_inside(&path);
        for p in [&here, &top].into_iter().flatten() {
            let known = self.files.contains(p) || self.svgs.contains(p);
            match if known { Some(p) } else { self.nfc.get(&nfc(p.as_str())) } {
                Some(found) if self.svgs.contains(found) => return Err(Miss::Svg(found.clone())),
                Some(found) => return Ok(found.clone()),
                None => {}
            }
        }
        if let Some(p) = top.as_ref().filter(|p| self.statics.contains(*p)) {
            return Ok(p.clone());
        }
        let named = by_name.then(|| self.by_name.get(&nfc(path.rsplit('/').next().unwrap_or("")))).flatten();
        match named.map(Vec::as_slice) {
            Some([one]) if self.svgs.contains(one) => Err(Miss::Svg(one.clone())),
            Some([one]) => Ok(one.clone()),
            Some(many @ [_, _, ..]) => Err(Miss::Ambiguous(many.to_vec())),
            _ => Err(Miss::Missing { here, top }),
        }
    }

    /// The paths a reference that leads nowhere may have meant, for "did you mean": every
    /// published file, then the static files that are attachments, as one writes them
    /// from `content/`.
    pub fn candidates(&self) -> impl Iterator<Item = &str> {
        self.files.iter().chain(&self.statics).map(RelPath::as_str)
    }

    /// The URL written for the reference `url` on the page `page`, when it leads to an
    /// attachment: the attachment's output path relative to the page, percent-encoded,
    /// with the `?query` or `#fragment` written after it.
    pub fn href(&self, page: &RelPath, from: &RelPath, url: &str, by_name: bool) -> Option<String> {
        let target = self.resolve(from, url, by_name).ok()?;
        Some(format!("{}{}", percent_encode(&page.href_to(&target)), split_suffix(url).1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Attachments {
        let found = ["img/pic.png", "sub/img/pic.png", "sub/d.svg", "a/only.PNG", "x.txt"];
        Attachments::new(PathBuf::from("content"), found.map(RelPath::new))
            .with_statics(&[RelPath::new("logo.svg"), RelPath::new("css/style.css")])
    }

    #[test]
    fn references_resolve_from_the_folder_then_content_then_static() {
        let a = site();
        let at = |from: &str, url: &str, by_name: bool| a.resolve(&RelPath::new(from), url, by_name);
        assert_eq!(at("content/n.md", "img/pic.png", false), Ok(RelPath::new("img/pic.png")));
        assert_eq!(at("content/sub/b.md", "img/pic.png", false), Ok(RelPath::new("sub/img/pic.png")));
        assert_eq!(at("content/sub/b.md", "../img/pic.png", false), Ok(RelPath::new("img/pic.png")));
        assert_eq!(at("content/sub/b.md", "logo.svg?v=2", false), Ok(RelPath::new("logo.svg")));
        let d = Some(RelPath::new("d.svg"));
        assert_eq!(at("content/n.md", "d.svg", false), Err(Miss::Missing { here: d.clone(), top: d }));
        assert_eq!(at("content/sub/b.md", "d.svg", false), Err(Miss::Svg(RelPath::new("sub/d.svg"))));
        assert_eq!(at("content/n.md", "d.svg", true), Err(Miss::Svg(RelPath::new("sub/d.svg"))));
        assert_eq!(at("content/n.md", "only.PNG", true), Ok(RelPath::new("a/only.PNG")));
        assert!(matches!(at("content/n.md", "pic.png", true), Err(Miss::Ambiguous(v)) if v.len() == 2));
        assert_eq!(at("content/sub/b.md", "../../etc/x.png", false), Err(Miss::Missing { here: None, top: None }));
        let (here, top) = (Some(RelPath::new("sub/x/y.png")), Some(RelPath::new("x/y.png")));
        assert_eq!(at("content/sub/b.md", "x/y.png", false), Err(Miss::Missing { here, top }));
    }

    #[test]
    fn a_name_typed_in_the_other_unicode_form_finds_its_file() {
        let decomposed = "img/nai\u{308}ve.png";
        let a = Attachments::new(PathBuf::new(), [RelPath::new(decomposed), RelPath::new("caf\u{e9}.png")]);
        let at = |url: &str, by_name: bool| a.resolve(&RelPath::new("content/n.md"), url, by_name);
        assert_eq!(at("img/na\u{ef}ve.png", false), Ok(RelPath::new(decomposed)));
        assert_eq!(at("na\u{ef}ve.png", true), Ok(RelPath::new(decomposed)));
        assert_eq!(at("cafe\u{301}.png", false), Ok(RelPath::new("caf\u{e9}.png")));
        // The page links the file as it is on disk.
        let href = a.href(&RelPath::new("n.html"), &RelPath::new("content/n.md"), "img/na\u{ef}ve.png", false);
        assert_eq!(href.as_deref(), Some("img/nai%CC%88ve.png"));
    }

    #[test]
    fn only_relative_attachment_urls_are_references() {
        for yes in ["img/a.png", "a.PDF#page=2", "../x.jpeg?v=1", "d.svg", "%E5%9B%BE.png"] {
            assert!(is_reference(yes), "{yes}");
        }
        for no in
            ["https://x.y/a.png", "/a.png", "//x.y/a.png", "#a.png", "data:image/png,x.png", "a.md", "a.txt", "png"]
        {
            assert!(!is_reference(no), "{no}");
        }
    }

    #[test]
    fn hrefs_are_relative_and_encoded() {
        let a = Attachments::new(PathBuf::new(), [RelPath::new("图/示意 图.png")]);
        let href = |page: &str, url: &str| a.href(&RelPath::new(page), &RelPath::new("content/n.md"), url, false);
        assert_eq!(
            href("n.html", "图/示意%20图.png#x").as_deref(),
            Some("%E5%9B%BE/%E7%A4%BA%E6%84%8F%20%E5%9B%BE.png#x")
        );
        assert_eq!(
            href("deep/n.html", "图/示意 图.png").as_deref(),
            Some("../%E5%9B%BE/%E7%A4%BA%E6%84%8F%20%E5%9B%BE.png")
        );
    }
}
