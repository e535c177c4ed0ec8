//! Accessibility, measured on the repo's own 55 notes: axe-core injected into headless
//! Chromium over the home page, a note, the glossary, the concept map and open search
//! results, in the light and the dark theme (no serious or critical violation); and
//! Lighthouse against a loopback server (accessibility and best practices at 95 or more;
//! the performance score is reported).
//!
//! Both tools come from npm, pinned in `tests/a11y/package-lock.json`, installed once with
//! `npm ci` under the target dir. Without Node.js, npm or Chromium the tests say
//! `SKIPPED` and pass, unless `CONCEPTBOOK_REQUIRE_BROWSER=1` (CI), where that fails.
//! What they measured is printed and written to `a11y-*.txt` in the target dir's `tmp` folder.

use crate::browser::*;
use crate::support::*;
use fantoccini::Locator;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/a11y");

fn skip(why: &str) -> Option<PathBuf> {
    let msg = format!("{why}: apt-get install nodejs npm (and chromium chromium-driver)");
    if std::env::var("CONCEPTBOOK_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("{msg}");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED accessibility test: {msg}");
    None
}

/// The folder holding `node_modules` with axe-core and Lighthouse, installed on first use.
fn npm_tools() -> Option<PathBuf> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    for tool in ["node", "npm"] {
        if Command::new(tool).arg("--version").output().is_err() {
            return skip(&format!("{tool} not found"));
        }
    }
    need("/usr/bin/chromium")?;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("a11y-tools");
    let lock = std::fs::read(Path::new(SRC).join("package-lock.json")).unwrap();
    // `installed.lock` is written after a successful install, so a broken one is redone.
    let stamp = dir.join("installed.lock");
    if std::fs::read(&stamp).ok().as_deref() != Some(&lock[..]) {
        let _ = std::fs::remove_file(&stamp);
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(Path::new(SRC).join(file), dir.join(file)).unwrap();
        }
        let run = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .output()
            .expect("run npm ci");
        assert!(run.status.success(), "npm ci in {}:\n{}", dir.display(), String::from_utf8_lossy(&run.stderr));
        std::fs::write(&stamp, &lock).unwrap();
    }
    Some(dir)
}

/// The repo's own site, built into a temp dir.
fn real_site() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("book");
    let run =
        Command::new(BIN).args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "--dest"]).arg(&dest).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    out
}

fn save(name: &str, report: &str) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, report).unwrap();
    let _ = writeln!(std::io::stderr(), "{report}(written to {})", path.display());
}

const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\n').slice(1, 2).join(''))
})))).catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));
"#;

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_serious_or_critical_violation() {
    let Some(tools) = npm_tools() else { return };
    let axe = std::fs::read_to_string(tools.join("node_modules/axe-core/axe.min.js")).unwrap();
    let site = real_site();
    let out = site.path().join("book");
    let base = serve(out, "/");
    with_browser((1280, 900), move |c| async move {
        let mut report = String::from("axe-core over the real site (violations by impact):\n");
        let mut failures = Vec::new();
        let pages = [
            ("home", "index.html", None),
            ("note", "lora.html", None),
            ("glossary", "glossary.html", None),
            ("map", "graph.html", None),
            ("tables", "transformer.html", None),
            ("search results", "index.html", Some("微调")),
        ];
        // Light and dark on a desktop, then light on a 360 px phone.
        for (theme, width) in [("light", 1280), ("dark", 1280), ("light", 360)] {
            if width == 360 {
                phone(&c, 360, 780).await;
            }
            for (name, page, query) in pages {
                let name = if width == 360 { format!("{name} @360") } else { name.to_string() };
                c.goto(&format!("{base}{page}")).await.unwrap();
                c.execute("document.documentElement.dataset.theme = arguments[0]", vec![theme.into()]).await.unwrap();
                if let Some(q) = query {
                    let input = c.find(Locator::Id("q")).await.unwrap();
                    input.send_keys(q).await.unwrap();
                    let mut shown = 0;
                    for _ in 0..60 {
                        shown = c.find_all(Locator::Css("#search-results li")).await.unwrap().len();
                        if shown > 0 {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    assert!(shown > 0, "search shows results for {q}");
                }
                c.execute(&format!("{axe}\n;return true"), vec![]).await.unwrap();
                let violations = c.execute_async(RUN_AXE, vec![]).await.unwrap();
                let violations = violations.as_array().unwrap();
                let mut counts = std::collections::BTreeMap::<String, Vec<String>>::new();
                for v in violations {
                    let impact = v["impact"].as_str().unwrap_or("unknown").to_string();
                    counts.entry(impact.clone()).or_default().push(v["id"].as_str().unwrap().to_string());
                    if impact == "serious" || impact == "critical" {
                        failures.push(format!("{theme} {name}: {v:#}"));
                    }
                }
                let _ = writeln!(
                    report,
                    "  {theme:5} {name:20} {} violations{}",
                    violations.len(),
                    counts.iter().map(|(k, ids)| format!(" {k}: {}", ids.join(", "))).collect::<String>()
                );
            }
        }
        save("a11y-axe.txt", &report);
        assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}

#[test]
fn lighthouse_scores_accessibility_and_best_practices_at_95_or_more() {
    let Some(tools) = npm_tools() else { return };
    let site = real_site();
    let base = serve(site.path().join("book"), "/");
    let cli = tools.join("node_modules/lighthouse/cli/index.js");
    let mut report = String::from("Lighthouse 12 (default mobile emulation, simulated throttling), loopback server:\n");
    let mut failures = Vec::new();
    for page in ["index.html", "lora.html", "graph.html"] {
        let profile = tempfile::tempdir().unwrap();
        let json = site.path().join(format!("lighthouse-{page}.json"));
        let flags = format!(
            "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir={}",
            profile.path().display()
        );
        let run = Command::new("node")
            .arg(&cli)
            .arg(format!("{base}{page}"))
            .args(["--quiet", "--output=json", "--only-categories=accessibility,best-practices,performance"])
            .arg(format!("--output-path={}", json.display()))
            .arg(format!("--chrome-flags={flags}"))
            .env("CHROME_PATH", "/usr/bin/chromium")
            .output()
            .expect("run lighthouse");
        assert!(run.status.success(), "lighthouse {page}:\n{}", String::from_utf8_lossy(&run.stderr));
        let result: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        let score = |cat: &str| result["categories"][cat]["score"].as_f64().unwrap_or(0.0) * 100.0;
        let (a11y, practices, perf) = (score("accessibility"), score("best-practices"), score("performance"));
        let _ = writeln!(
            report,
            "  {page:12} accessibility {a11y:.0}, best practices {practices:.0}, performance {perf:.0}"
        );
        if a11y < 95.0 || practices < 95.0 {
            let failing: Vec<String> = result["audits"]
                .as_object()
                .unwrap()
                .values()
                .filter(|a| a["score"].as_f64().is_some_and(|s| s < 1.0))
                .filter(|a| a["scoreDisplayMode"] == "binary")
                .map(|a| format!("{}: {}", a["id"], a["title"]))
                .collect();
            failures.push(format!("{page}: {failing:#?}"));
        }
    }
    save("a11y-lighthouse.txt", &report);
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}

/// Callouts of every kind (GitHub's and Obsidian's, folded and open) and the print page
/// that holds them: axe in the light and the dark theme finds nothing serious. The site's
/// sidebar is the shared one (a large site's), built by site.js from its files.
#[tokio::test(flavor = "multi_thread")]
async fn axe_passes_callouts_and_the_print_page() {
    let Some(tools) = npm_tools() else { return };
    let axe = std::fs::read_to_string(tools.join("node_modules/axe-core/axe.min.js")).unwrap();
    let site = SiteTest::peft_chain()
        .simple("lora", "LoRA", "parent = \"peft\"", crate::yours::callout_body())
        .file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n\n[build]\nsidebar = \"shared\"\n");
    site.build().ok();
    assert!(site.read("lora.html").contains("id=\"nav-data\""));
    let base = serve(site.out(), "/");
    with_browser((1280, 900), move |c| async move {
        let mut report = String::from("axe-core over callouts and the print page:\n");
        let mut failures = Vec::new();
        for theme in ["light", "dark"] {
            for page in ["lora.html", "print.html"] {
                c.goto(&format!("{base}{page}")).await.unwrap();
                c.execute("document.documentElement.dataset.theme = arguments[0]", vec![theme.into()]).await.unwrap();
                // Open the folded callout too, so its body is checked.
                c.execute("document.querySelectorAll('details').forEach(d => d.open = true)", vec![]).await.unwrap();
                // The shared tree is in (its files come after the page; the print page has none).
                for _ in 0..(if page == "lora.html" { 60 } else { 0 }) {
                    if js(&c, "return !document.querySelector('.nav-fallback')").await == true {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                let built =
                    "return !document.querySelector('.nav-fallback') && !!document.querySelector('#sidebar li.branch')";
                assert_eq!(js(&c, built).await, page == "lora.html", "{page}");
                c.execute(&format!("{axe}\n;return true"), vec![]).await.unwrap();
                let violations = c.execute_async(RUN_AXE, vec![]).await.unwrap();
                let violations = violations.as_array().unwrap().clone();
                for v in &violations {
                    if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                        failures.push(format!("{theme} {page}: {v:#}"));
                    }
                }
                let ids: Vec<&str> = violations.iter().filter_map(|v| v["id"].as_str()).collect();
                let _ = writeln!(report, "  {theme:5} {page:12} {} violations {ids:?}", violations.len());
                if page == "lora.html" {
                    screenshot(&c, &format!("callouts-{theme}")).await;
                }
            }
        }
        save("a11y-callouts.txt", &report);
        assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
    })
    .await;
}
