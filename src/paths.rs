//! Paths relative to a root, always with forward slashes.
//!
//! `RelPath` names a file inside the site root (`content/training/lora.md`) or inside the
//! output (`lora.html`, `css/style.css`). Every internal link in the output is computed by
//! [`RelPath::href_to`], the one helper that turns "from this page to that file" into a
//! relative URL, so the same output works on a project site, any host and `file://`.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The folder of the notes (and the files kept next to them), below the site root.
pub const CONTENT_DIR: &str = "content";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RelPath(String);

impl RelPath {
    /// Builds a path from forward-slash segments; `.` segments are dropped and `..` pops.
    pub fn new(s: &str) -> RelPath {
        let mut parts: Vec<&str> = Vec::new();
        for seg in s.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                other => parts.push(other),
            }
        }
        RelPath(parts.join("/"))
    }

    /// The path of `path` below `root`, or `None` when it is not below it.
    pub fn from_fs(root: &Path, path: &Path) -> Option<RelPath> {
        let rel = path.strip_prefix(root).ok()?;
        let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        Some(RelPath(parts.join("/")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn to_fs(&self, root: &Path) -> PathBuf {
        self.0.split('/').fold(root.to_path_buf(), |p, seg| p.join(seg))
    }

    /// The folder holding this file (`a/b` for `a/b/c.md`, empty for `c.md`).
    pub fn parent(&self) -> RelPath {
        match self.0.rfind('/') {
            Some(i) => RelPath(self.0[..i].to_string()),
            None => RelPath(String::new()),
        }
    }

    /// `self` joined with `rel`, or `None` when a `..` of `rel` climbs above `self`'s root:
    /// for references that must stay inside one folder (`../../etc/x.png` from a note).
    pub fn join_inside(&self, rel: &str) -> Option<RelPath> {
        let mut parts: Vec<&str> = self.0.split('/').filter(|s| !s.is_empty()).collect();
        for seg in rel.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                other => parts.push(other),
            }
        }
        Some(RelPath(parts.join("/")))
    }

    /// `self` joined with a relative reference such as `../x.md`.
    pub fn join(&self, rel: &str) -> RelPath {
        if self.0.is_empty() {
            RelPath::new(rel)
        } else {
            RelPath::new(&format!("{}/{}", self.0, rel))
        }
    }

    pub fn file_stem(&self) -> &str {
        let name = self.0.rsplit('/').next().unwrap_or("");
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    }

    pub fn extension(&self) -> Option<&str> {
        let name = self.0.rsplit('/').next()?;
        name.rsplit_once('.').map(|(_, ext)| ext)
    }

    /// The relative URL from the page at `self` to the output file `target`.
    pub fn href_to(&self, target: &RelPath) -> String {
        let from: Vec<&str> = self.0.split('/').filter(|s| !s.is_empty()).collect();
        let to: Vec<&str> = target.0.split('/').filter(|s| !s.is_empty()).collect();
        let from_dirs = &from[..from.len().saturating_sub(1)];
        let common = from_dirs.iter().zip(&to).take_while(|(a, b)| a == b).count();
        let mut out = "../".repeat(from_dirs.len() - common);
        out.push_str(&to[common..].join("/"));
        if out.is_empty() {
            out.push_str("./");
        }
        out
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `%xx` escapes decoded; `None` when an escape is malformed or the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `s` with every byte outside the URL path characters that need no escape (ASCII
/// letters, digits, `-._~/`) percent-encoded, UTF-8 first: `示意 图.png` becomes
/// `%E7%A4%BA%E6%84%8F%20%E5%9B%BE.png`. A relative URL written so holds no space, no `#` or
/// `?` that would end its path, and no `:` that would make its first segment a scheme.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_segments() {
        assert_eq!(RelPath::new("./a//b/../c.md").as_str(), "a/c.md");
        assert_eq!(RelPath::new("content/x/y.md").parent().as_str(), "content/x");
        assert_eq!(RelPath::new("content/x").join("../z.md").as_str(), "content/z.md");
        assert_eq!(RelPath::new("a/lora.md").file_stem(), "lora");
    }

    #[test]
    fn joins_that_stay_inside() {
        let dir = RelPath::new("sub");
        assert_eq!(dir.join_inside("../img/pic.png"), Some(RelPath::new("img/pic.png")));
        assert_eq!(dir.join_inside("../../pic.png"), None);
        assert_eq!(RelPath::new("").join_inside("./a//b.png"), Some(RelPath::new("a/b.png")));
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(percent_encode("图/示意 图.png"), "%E5%9B%BE/%E7%A4%BA%E6%84%8F%20%E5%9B%BE.png");
        assert_eq!(percent_encode("a b#c?d:e.png"), "a%20b%23c%3Fd%3Ae.png");
        assert_eq!(percent_decode(&percent_encode("示意 #图.png")).as_deref(), Some("示意 #图.png"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%E5%BE%AE%E8%B0%83.md").as_deref(), Some("微调.md"));
        assert_eq!(percent_decode("a%2"), None);
        assert_eq!(percent_decode("a%aé.md"), None, "no panic inside a multi-byte character");
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn relative_hrefs() {
        let page = RelPath::new("lora.html");
        assert_eq!(page.href_to(&RelPath::new("css/style.css")), "css/style.css");
        assert_eq!(page.href_to(&RelPath::new("peft.html")), "peft.html");
        let deep = RelPath::new("tags/x/index.html");
        assert_eq!(deep.href_to(&RelPath::new("css/style.css")), "../../css/style.css");
        assert_eq!(deep.href_to(&RelPath::new("tags/y.html")), "../y.html");
        assert_eq!(page.href_to(&RelPath::new("")), "./");
    }
}
