//! `SiteTest`: a fixture site in a temp dir, built by the real `conceptbook` binary.
//!
//! ```ignore
//! let site = SiteTest::new().note("lora", "title = \"LoRA\"\nsummary = \"s\"", "body").build();
//! site.expect_file("lora.html");
//! ```

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_conceptbook");

pub struct SiteTest {
    dir: tempfile::TempDir,
}

/// What a run of the binary printed, and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    pub fn failed(self) -> Run {
        assert_ne!(self.code, 0, "expected failure\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Asserts stderr mentions every piece.
    pub fn says(&self, pieces: &[&str]) -> &Run {
        for p in pieces {
            assert!(self.stderr.contains(p), "stderr lacks {p:?}:\n{}", self.stderr);
        }
        self
    }
}

impl SiteTest {
    /// A site with a book.toml (title "测试站", language zh-CN) and an empty content/.
    pub fn new() -> SiteTest {
        let t = SiteTest { dir: tempfile::tempdir().expect("temp dir") };
        std::fs::create_dir_all(t.root().join("content")).unwrap();
        t.file("book.toml", "[book]\ntitle = \"测试站\"\ndescription = \"测试用的站点\"\nlanguage = \"zh-CN\"\n")
    }

    /// 微调 with its child 参数高效微调 (alias PEFT), bodies empty.
    pub fn peft_chain() -> SiteTest {
        SiteTest::new().simple("fine-tuning", "微调", "", "").simple(
            "peft",
            "参数高效微调",
            "parent = \"fine-tuning\"\naliases = [\"PEFT\"]",
            "",
        )
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.root().join("book")
    }

    /// Writes `text` at `rel` below the root.
    pub fn file(self, rel: &str, text: &str) -> SiteTest {
        self.bytes(rel, text.as_bytes())
    }

    pub fn bytes(self, rel: &str, bytes: &[u8]) -> SiteTest {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        self
    }

    /// Writes `content/<slug>.md` with `front` between `+++` lines and `body` after.
    pub fn note(self, slug: &str, front: &str, body: &str) -> SiteTest {
        self.file(&format!("content/{slug}.md"), &format!("+++\n{front}\n+++\n\n{body}"))
    }

    /// A note with just a title and a summary, plus extra front matter lines.
    pub fn simple(self, slug: &str, title: &str, extra: &str, body: &str) -> SiteTest {
        let front = format!("title = \"{title}\"\nsummary = \"{title}的一句话定义。\"\n{extra}");
        self.note(slug, front.trim_end(), body)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run conceptbook");
        Run::from(out)
    }

    /// `conceptbook build` in the site's folder.
    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out().join(rel)).unwrap_or_else(|e| panic!("read book/{rel}: {e}"))
    }

    pub fn expect_file(&self, rel: &str) -> &SiteTest {
        assert!(self.out().join(rel).is_file(), "book/{rel} missing");
        self
    }

    /// Every file of the output, by relative path.
    pub fn snapshot_output(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        for e in walkdir(&self.out()) {
            let rel = e.strip_prefix(self.out()).unwrap().to_string_lossy().replace('\\', "/");
            files.insert(rel, std::fs::read(&e).unwrap());
        }
        files
    }
}

pub fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The values of `attr="..."` in `html`, in order.
pub fn attrs(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

/// The ids defined in `html`.
pub fn ids(html: &str) -> Vec<String> {
    attrs(html, "id")
}

/// The text inside the first element with `class="name"` (tags stripped).
pub fn text_of_class(html: &str, class: &str) -> String {
    let Some(start) = html.find(&format!("class=\"{class}\"")) else {
        return String::new();
    };
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let tag_start = html[..start].rfind('<').unwrap();
    let tag: String = html[tag_start + 1..].chars().take_while(|c| c.is_alphanumeric()).collect();
    let close = format!("</{tag}>");
    // Count nesting of the same tag.
    let mut depth = 1;
    let mut i = open_end;
    while depth > 0 {
        let next_open = html[i..].find(&format!("<{tag}")).map(|x| x + i);
        let next_close = html[i..].find(&close).map(|x| x + i).expect("closing tag");
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o + 1;
            }
            _ => {
                depth -= 1;
                i = next_close + close.len();
            }
        }
    }
    strip_tags(&html[open_end..i - close.len()])
}

pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `%xx` decoded, or `s` as it is when it holds a malformed escape.
pub fn percent_decode(s: &str) -> String {
    conceptbook::paths::percent_decode(s).unwrap_or_else(|| s.to_string())
}

/// Follows every relative href and src in every HTML file of `out` and asserts that the
/// file exists and, for a `#fragment`, that the target page defines that id. Returns the
/// number of links checked.
pub fn check_links(out: &Path) -> usize {
    let mut checked = 0;
    let mut problems = Vec::new();
    let pages: Vec<PathBuf> = walkdir(out).into_iter().filter(|p| p.extension().is_some_and(|e| e == "html")).collect();
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        if page.file_name().unwrap() == "404.html" {
            continue; // relative to the site root at any depth; tested on its own
        }
        for link in attrs(&html, "href").into_iter().chain(attrs(&html, "src")) {
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with("data:") {
                continue;
            }
            checked += 1;
            let (path, frag) = link.split_once('#').map_or((link.as_str(), None), |(p, f)| (p, Some(f)));
            let target = if path.is_empty() { page.clone() } else { page.parent().unwrap().join(percent_decode(path)) };
            let target = if target.is_dir() { target.join("index.html") } else { target };
            if !target.is_file() {
                problems.push(format!("{}: {link} → missing file", page.display()));
                continue;
            }
            // A fragment names an id of a page; of a PDF (`#page=2`), a place the viewer opens.
            if let Some(frag) = frag.filter(|f| !f.is_empty() && target.extension().is_some_and(|e| e == "html")) {
                let text = std::fs::read_to_string(&target).unwrap_or_default();
                if !ids(&text).contains(&percent_decode(frag)) {
                    problems.push(format!("{}: {link} → no id {frag}", page.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
    checked
}
