//! `conceptbook init [DIR] [--language L] [--title T]`: a new site that builds as it is.
//!
//! Writes `book.toml` (the title from the folder's name unless given), `content/index.md`
//! (the home page), two first notes (a parent and its child, so the tree shows), a
//! `.gitignore` for `book/`, and `.github/workflows/pages.yml`, which installs conceptbook
//! (a release binary, checked against its SHA-256, or `cargo install --git` when there is
//! none), builds the site and deploys it with GitHub's official Pages actions. A folder
//! that already holds a site (`book.toml` or `content/`) is refused; nothing is ever
//! overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the Pages workflow fetches conceptbook from: this crate's repository.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");
/// The release the Pages workflow installs: the version that wrote the site.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub const WORKFLOW: &str = ".github/workflows/pages.yml";

/// What `init` wrote, for the summary.
#[derive(Debug, PartialEq, Eq)]
pub struct Written {
    pub dir: PathBuf,
    /// Paths relative to `dir`, with what each is.
    pub files: Vec<(String, &'static str)>,
    /// Files that existed already and were left alone.
    pub kept: Vec<String>,
    pub title: String,
}

/// Runs `init`: writes the site into `dir`, or says why not.
pub fn run(dir: &Path, language: Option<&str>, title: Option<&str>, quiet: bool) -> anyhow::Result<ExitCode> {
    let mut err = std::io::stderr().lock();
    match create(dir, language, title) {
        Ok(w) => {
            if !quiet {
                let mut out = std::io::stdout().lock();
                writeln!(out, "created a conceptbook site \"{}\" in {}:", w.title, w.dir.display())?;
                for (path, what) in &w.files {
                    writeln!(out, "  {path:<30} {what}")?;
                }
                for path in &w.kept {
                    writeln!(out, "  {path:<30} already there: left as it was")?;
                }
                let cd = if dir == Path::new(".") { String::new() } else { format!("cd {} && ", dir.display()) };
                writeln!(out, "\nnext:")?;
                writeln!(
                    out,
                    "  {cd}conceptbook serve          preview at http://127.0.0.1:3000/, rebuilt on every save"
                )?;
                writeln!(out, "  conceptbook new SLUG --parent getting-started    add a note")?;
                writeln!(out, "  push to GitHub and set Settings → Pages → Source to \"GitHub Actions\": {WORKFLOW} publishes every push to main")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            writeln!(err, "error: {message}")?;
            writeln!(err, "nothing was written")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Writes a new site into `dir` (created if missing).
pub fn create(dir: &Path, language: Option<&str>, title: Option<&str>) -> Result<Written, String> {
    for existing in ["book.toml", "content"] {
        if dir.join(existing).exists() {
            return Err(format!(
                "{} already holds a site ({existing} exists)\n  help: run `conceptbook init NEW-FOLDER` for a new site, or `conceptbook serve` to work on this one",
                dir.display()
            ));
        }
    }
    let language = language.unwrap_or("en").trim();
    if !is_language_tag(language) {
        return Err(format!(
            "--language `{language}` is not a language tag\n  help: use a tag such as en, zh-CN, ja or de-AT"
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let title = match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => folder_name(dir),
    };
    let zh = crate::labels::is_chinese(language);
    let mut written = Written { dir: dir.to_path_buf(), files: Vec::new(), kept: Vec::new(), title: title.clone() };
    let files: Vec<(&str, String, &'static str)> = vec![
        ("book.toml", book_toml(&title, language, zh), "the site's title and language"),
        ("content/index.md", home(zh).to_string(), "the home page"),
        ("content/getting-started.md", first_note(zh).to_string(), "a first note"),
        ("content/writing-notes.md", second_note(zh).to_string(), "its child note"),
        (".gitignore", "# conceptbook's output\nbook/\n".to_string(), "keeps book/ out of git"),
        (WORKFLOW, workflow(), "builds and publishes on GitHub Pages on every push to main"),
    ];
    for (path, text, what) in files {
        let target = dir.join(path);
        if target.exists() {
            if path == ".gitignore" {
                // Keep the author's ignores; add book/ unless it is there.
                let old = std::fs::read_to_string(&target).unwrap_or_default();
                if !old.lines().any(|l| matches!(l.trim(), "book/" | "book" | "/book" | "/book/")) {
                    let sep = if old.is_empty() || old.ends_with('\n') { "" } else { "\n" };
                    std::fs::write(&target, format!("{old}{sep}{text}"))
                        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
                    written.files.push((path.to_string(), "book/ added to your ignores"));
                    continue;
                }
            }
            written.kept.push(path.to_string());
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, text).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        written.files.push((path.to_string(), what));
    }
    Ok(written)
}

/// `en`, `zh-CN`, `zh-Hant-TW`, `de-AT`: letters, then letter-or-digit parts of 1 to 8.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=8).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The folder's own name (of the absolute path for `.`), or "My concepts".
fn folder_name(dir: &Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.components()
        .next_back()
        .and_then(|c| match c {
            std::path::Component::Normal(name) => name.to_str().map(str::to_string),
            _ => None,
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "My concepts".to_string())
}

fn book_toml(title: &str, language: &str, zh: bool) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let description = if zh { "交叉链接的概念笔记" } else { "Cross-linked concept notes" };
    format!(
        "[book]\ntitle = {}\ndescription = {}\nlanguage = {}\n\
         # The published address: canonical links and sitemap.xml. The Pages workflow passes it\n\
         # with --site-url, so this is only needed for other hosts.\n\
         # site-url = \"https://user.github.io/repo/\"\n\
         # An \"edit this page\" link on every note ({{path}} is content/….md):\n\
         # edit-url-template = \"https://github.com/user/repo/edit/main/{{path}}\"\n",
        quote(title),
        quote(description),
        quote(language)
    )
}

fn home(zh: bool) -> &'static str {
    if zh {
        "这是站点的首页，写在 `content/index.md` 里（首页没有 front matter）。\n\n\
         从 [[getting-started]] 开始读；每篇笔记是 `content/` 下的一个 Markdown 文件。\n"
    } else {
        "This is the home page, written in `content/index.md` (the home page has no front matter).\n\n\
         Start with [[getting-started]]; every note is one Markdown file under `content/`.\n"
    }
}

fn first_note(zh: bool) -> &'static str {
    if zh {
        "+++\ntitle = \"开始使用\"\nsummary = \"这个站点怎样组织：每个概念一篇笔记，用 front matter 连成概念树。\"\naliases = [\"入门\"]\ntags = [\"站点\"]\n+++\n\n\
         每篇笔记开头是 `+++` 之间的 TOML（或 `---` 之间的 YAML），至少有 `title` 和 `summary`。\n\
         `summary` 是一句话定义：它出现在术语表、搜索结果和悬停预览里。\n\n\
         ## 连接笔记\n\n\
         - `parent = \"slug\"` 把笔记挂到概念树上，比如 [[writing-notes]] 的父概念就是本篇；\n\
         - `related = [\"slug\"]` 在两篇笔记上互相列出；\n\
         - 正文里写 `[[slug]]`、`[[标题]]` 或 `[[别名]]` 链接到另一篇笔记。\n\n\
         > [!TIP]\n> 运行 `conceptbook serve`，保存文件后页面会自动刷新。\n"
    } else {
        "+++\ntitle = \"Getting started\"\nsummary = \"How this site is organised: one note per concept, linked into a concept tree by front matter.\"\naliases = [\"Start here\"]\ntags = [\"site\"]\n+++\n\n\
         Every note opens with TOML between `+++` lines (or YAML between `---` lines) holding at\n\
         least a `title` and a `summary`. The summary is a one-line definition: the glossary, the\n\
         search results and the link previews show it.\n\n\
         ## Linking notes\n\n\
         - `parent = \"slug\"` hangs a note on the concept tree: this note is the parent of [[writing-notes]];\n\
         - `related = [\"slug\"]` lists two notes on each other;\n\
         - `[[slug]]`, `[[Title]]` or `[[Alias]]` in a body links to another note.\n\n\
         > [!TIP]\n> Run `conceptbook serve`: pages reload every time you save.\n"
    }
}

fn second_note(zh: bool) -> &'static str {
    if zh {
        "+++\ntitle = \"写笔记\"\nsummary = \"正文是 Markdown：表格、脚注、代码高亮、数学公式和提示框都可以用。\"\nparent = \"getting-started\"\ntags = [\"站点\"]\n+++\n\n\
         用 `conceptbook new my-concept --parent getting-started` 新建一篇笔记（slug 是小写字母、数字和连字符）。\n\n\
         数学公式在构建时渲染：$E = mc^2$。\n\n\
         ```python\nprint(\"你好\")\n```\n\n\
         > [!NOTE] 提示框\n> GitHub 和 Obsidian 的提示框写法都可以用。\n"
    } else {
        "+++\ntitle = \"Writing notes\"\nsummary = \"Bodies are Markdown: tables, footnotes, highlighted code, math and callouts all work.\"\nparent = \"getting-started\"\ntags = [\"site\"]\n+++\n\n\
         Run `conceptbook new my-concept --parent getting-started` to start a new note.\n\n\
         Math is rendered at build time: $E = mc^2$.\n\n\
         ```python\nprint(\"hello\")\n```\n\n\
         > [!NOTE] Callouts\n> Both GitHub's and Obsidian's callout syntax work.\n"
    }
}

/// The GitHub Pages workflow of a new site.
pub fn workflow() -> String {
    WORKFLOW_TEMPLATE.replace("{repository}", REPOSITORY).replace("{version}", VERSION)
}

const WORKFLOW_TEMPLATE: &str = r#"# Build this conceptbook site and publish it on GitHub Pages, on every push to main.
# One-time setup: Settings → Pages → Build and deployment → Source: "GitHub Actions".
name: Publish on GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

# Read the repository; write Pages and mint the OIDC token that deploy-pages needs.
permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a newer push waits instead of cancelling a deploy midway.
concurrency:
  group: pages
  cancel-in-progress: false

env:
  # Where conceptbook comes from, and which release: the one that wrote this site.
  CONCEPTBOOK_REPO: {repository}
  CONCEPTBOOK_VERSION: "{version}"

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Configure Pages
        id: pages
        uses: actions/configure-pages@v5
      - name: Install conceptbook
        # The release binary, checked against its SHA-256; without one, build it from source.
        run: |
          mkdir -p "$HOME/.local/bin"
          echo "$HOME/.local/bin" >> "$GITHUB_PATH"
          asset="conceptbook-x86_64-unknown-linux-gnu.tar.gz"
          base="$CONCEPTBOOK_REPO/releases/download/v$CONCEPTBOOK_VERSION"
          cd "$RUNNER_TEMP"
          if curl -fsSLO "$base/$asset" && curl -fsSLO "$base/$asset.sha256"; then
            sha256sum -c "$asset.sha256"
            tar -xzf "$asset" -C "$HOME/.local/bin" conceptbook
          else
            echo "no release binary for v$CONCEPTBOOK_VERSION: building conceptbook from source"
            cargo install --locked --git "$CONCEPTBOOK_REPO" --tag "v$CONCEPTBOOK_VERSION" conceptbook \
              || cargo install --locked --git "$CONCEPTBOOK_REPO" conceptbook
          fi
          conceptbook --version
      - name: Build the site
        run: conceptbook build --dest book --site-url "${{ steps.pages.outputs.base_url }}/"
      - name: Upload book/
        uses: actions/upload-pages-artifact@v3
        with:
          path: book

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for ok in ["en", "zh-CN", "zh-Hant-TW", "de-AT", "es-419"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "zh_CN", "en-", "a b", "\"x\""] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
