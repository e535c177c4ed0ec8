//! Publishing on GitHub Pages: the workflow's shape (parsed, not grepped), its build command
//! (the README's, and it works), `build --site-url`, and the built site served under a
//! `/repo/` prefix as Pages serves a project site, followed link by link in Chromium.

use crate::browser::*;
use crate::support::*;
use fantoccini::Locator;
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workflow() -> Yaml {
    let text =
        std::fs::read_to_string(repo().join(".github/workflows/pages.yml")).expect(".github/workflows/pages.yml");
    YamlLoader::load_from_str(&text).expect("the workflow is YAML").remove(0)
}

fn steps(job: &Yaml) -> &[Yaml] {
    job["steps"].as_vec().expect("a job with steps")
}

/// The step that `uses` an action of this name (`actions/checkout`), with its position.
fn step<'a>(job: &'a Yaml, action: &str) -> (usize, &'a Yaml) {
    steps(job)
        .iter()
        .enumerate()
        .find(|(_, s)| s["uses"].as_str().is_some_and(|u| u.split('@').next() == Some(action)))
        .unwrap_or_else(|| panic!("a step uses {action}"))
}

/// The workflow's `cargo run` command.
fn build_command() -> (usize, String) {
    let w = workflow();
    steps(&w["jobs"]["build"])
        .iter()
        .enumerate()
        .find_map(|(i, s)| s["run"].as_str().filter(|r| r.contains("cargo run")).map(|r| (i, r.trim().to_string())))
        .expect("a step runs cargo")
}

/// The README's "Publish on GitHub Pages" section.
fn readme_section() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme.find("## Publish on GitHub Pages").expect("README has a Publish on GitHub Pages section");
    let rest = &readme[start + 3..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
}

#[test]
fn pages_workflow_builds_on_push_to_main_and_deploys_book() {
    let w = workflow();
    // Triggers: every push to main, and by hand.
    let branches: Vec<&str> =
        w["on"]["push"]["branches"].as_vec().expect("on.push.branches").iter().filter_map(Yaml::as_str).collect();
    assert_eq!(branches, ["main"]);
    assert!(!w["on"]["workflow_dispatch"].is_badvalue(), "can be run by hand");
    // Permissions: what deploy-pages needs, and no more.
    let p = &w["permissions"];
    assert_eq!(p["pages"].as_str(), Some("write"));
    assert_eq!(p["id-token"].as_str(), Some("write"));
    assert_eq!(p["contents"].as_str(), Some("read"));
    assert_eq!(p.as_hash().unwrap().len(), 3, "no other permission");
    // One deployment at a time; a newer push does not cut a deployment short.
    assert_eq!(w["concurrency"]["group"].as_str(), Some("pages"));
    assert_eq!(w["concurrency"]["cancel-in-progress"].as_bool(), Some(false));

    let build = &w["jobs"]["build"];
    let (checkout, _) = step(build, "actions/checkout");
    let (configure, configure_step) = step(build, "actions/configure-pages");
    let (cache, cache_step) = step(build, "actions/cache");
    let (run, command) = build_command();
    let (upload, upload_step) = step(build, "actions/upload-pages-artifact");
    assert!(checkout < cache && cache < run && configure < run && run < upload);
    // Cargo's downloads and the target dir are cached, keyed by the lock file.
    let cached = cache_step["with"]["path"].as_str().unwrap();
    assert!(cached.contains("~/.cargo/registry") && cached.contains("target"));
    assert!(cache_step["with"]["key"].as_str().unwrap().contains("hashFiles('Cargo.lock')"));
    // The build is the README's command, told the Pages URL that configure-pages found.
    let id = configure_step["id"].as_str().expect("configure-pages has an id");
    assert!(command.starts_with("cargo run --release"), "{command}");
    assert!(command.contains(&format!("--site-url \"${{{{ steps.{id}.outputs.base_url }}}}/\"")), "{command}");
    // What is uploaded is what the build writes: book.toml's build-dir.
    let config = std::fs::read_to_string(repo().join("book.toml")).unwrap();
    let build_dir =
        if config.contains("build-dir") { panic!("update this test: book.toml sets build-dir") } else { "book" };
    assert_eq!(upload_step["with"]["path"].as_str(), Some(build_dir));

    let deploy = &w["jobs"]["deploy"];
    assert_eq!(deploy["needs"].as_str(), Some("build"));
    assert_eq!(deploy["environment"]["name"].as_str(), Some("github-pages"));
    let (_, deploy_step) = step(deploy, "actions/deploy-pages");
    let deploy_id = deploy_step["id"].as_str().unwrap();
    assert_eq!(
        deploy["environment"]["url"].as_str(),
        Some(format!("${{{{ steps.{deploy_id}.outputs.page_url }}}}").as_str())
    );
    for job in [build, deploy] {
        assert_eq!(job["runs-on"].as_str(), Some("ubuntu-latest"));
    }
}

#[test]
fn the_readme_says_the_three_steps_and_the_workflows_command() {
    let section = readme_section();
    let (_, command) = build_command();
    assert!(section.contains(&command), "the README shows the workflow's build command `{command}`:\n{section}");
    for step in ["1. ", "2. ", "3. "] {
        assert!(section.contains(step), "step {step}in:\n{section}");
    }
    assert!(section.contains("GitHub Actions"), "the Pages source to pick");
    assert!(section.contains(".github/workflows/pages.yml"));
}

fn pages_site() -> SiteTest {
    SiteTest::new()
        .simple(
            "fine-tuning",
            "微调",
            "aliases = [\"Fine-tuning\"]\ntags = [\"训练\"]",
            "## 分类\n\n全量与 [[peft]]。\n",
        )
        .simple(
            "peft",
            "参数高效微调",
            "parent = \"fine-tuning\"\naliases = [\"PEFT\"]\nrelated = [\"quantization\"]",
            "见 [[lora]] 与 [[fine-tuning#分类|分类]]。\n\n```python\nimport peft\n```\n",
        )
        .simple("lora", "LoRA（低秩适配）", "parent = \"peft\"", "$$W = W_0 + BA$$\n\n[上一级](peft.md)\n")
        .simple("quantization", "量化", "tags = [\"部署\"]", "与 [[lora]] 结合即 QLoRA。\n")
        .file("content/index.md", "从 [[fine-tuning]] 开始。\n")
}

/// The workflow's command, with the URL configure-pages gives a project site, run as is.
#[test]
fn the_workflows_command_builds_for_the_pages_url() {
    let (_, command) = build_command();
    let args: Vec<String> = command
        .split_once(" -- ")
        .expect("cargo run … -- ARGS")
        .1
        .replace("${{ steps.pages.outputs.base_url }}", "https://user.github.io/repo")
        .split_whitespace()
        .map(|a| a.trim_matches('"').to_string())
        .collect();
    let site = pages_site();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    site.run(&args).ok();
    let lora = site.read("lora.html");
    assert!(lora.contains("<link rel=\"canonical\" href=\"https://user.github.io/repo/lora.html\">"));
    assert!(site.read("index.html").contains("<link rel=\"canonical\" href=\"https://user.github.io/repo/\">"));
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://user.github.io/repo/graph.html</loc>"));
    assert!(!sitemap.contains("404.html"));
    assert!(site.read("404.html").contains("<base href=\"/repo/\">"));
}

#[test]
fn site_url_flag_overrides_book_toml_and_is_checked() {
    let site = pages_site().file(
        "book.toml",
        "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\nsite-url = \"https://old.example.com/docs/\"\n",
    );
    site.build().ok();
    assert!(site.read("lora.html").contains("https://old.example.com/docs/lora.html"));
    site.run(&["build", "--site-url", "https://user.github.io/repo"]).ok();
    let lora = site.read("lora.html");
    assert!(lora.contains("https://user.github.io/repo/lora.html"), "a / is added");
    assert!(!lora.contains("old.example.com"));
    site.run(&["build", "--site-url", "user.github.io/repo"]).failed().says(&[
        "--site-url",
        "is not an http(s) URL",
        "help:",
    ]);
}

/// The site as GitHub Pages serves a project site: under `/repo/`, `404.html` for any
/// missing path. Every page is opened, and every link and asset it refers to is fetched
/// (and each `#fragment` found) from inside the page, as the browser resolves them.
#[tokio::test(flavor = "multi_thread")]
async fn under_a_repo_prefix_every_link_and_asset_resolves() {
    let site = pages_site();
    site.run(&["build", "--site-url", "https://user.github.io/repo/"]).ok();
    let out = site.out();
    let pages: Vec<String> = walkdir(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| p.strip_prefix(&out).unwrap().to_string_lossy().replace('\\', "/"))
        .filter(|p| p != "404.html")
        .collect();
    assert!(pages.contains(&"graph.html".to_string()), "{pages:?}");
    let base = serve(out.clone(), "/repo/");
    with_browser((1280, 900), move |c| async move {
        let mut checked = 0;
        for page in &pages {
            c.goto(&format!("{base}{page}")).await.unwrap();
            let result = c.execute_async(CHECK_REFS, vec![]).await.expect("link check");
            let problems: Vec<String> = result["problems"].as_array().unwrap().iter().map(|p| p.to_string()).collect();
            assert!(problems.is_empty(), "{page}: {problems:?}");
            checked += result["checked"].as_u64().unwrap();
            // The print page has no top bar (no navigation): its articles' rule shows the styles.
            let (probe, property, value) = match page.starts_with("print") {
                true => (".print-note", "borderTopStyle", "solid"),
                false => (".topbar", "position", "sticky"),
            };
            let styled = c
                .execute(&format!("return getComputedStyle(document.querySelector('{probe}')).{property}"), vec![])
                .await
                .unwrap();
            assert_eq!(styled.as_str(), Some(value), "{page}: the stylesheet applies");
            let errors = console_errors(&c).await;
            assert!(errors.is_empty(), "{page}: {errors:?}");
        }
        assert!(checked > 100, "checked {checked} references");
        // A missing nested path gets 404.html; its <base href="/repo/"> (from --site-url)
        // makes its styles, scripts and links work at any depth.
        c.goto(&format!("{base}a/b/c/missing.html")).await.unwrap();
        let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "页面不存在");
        let sticky =
            c.execute("return getComputedStyle(document.querySelector('.topbar')).position", vec![]).await.unwrap();
        assert_eq!(sticky.as_str(), Some("sticky"));
        let result = c.execute_async(CHECK_REFS, vec![]).await.unwrap();
        assert_eq!(result["problems"], serde_json::json!([]), "404 page links");
        c.find(Locator::Css(".top-links a[href='graph.html']")).await.unwrap().click().await.unwrap();
        assert_eq!(c.current_url().await.unwrap().as_str(), format!("{base}graph.html"));
        let errors: Vec<String> =
            console_errors(&c).await.into_iter().filter(|e| !e.contains("missing.html")).collect();
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}

/// Runs in the page: every `href`/`src` on the page resolved against the document (as a
/// click or a load would), each same-origin file fetched once, each fragment looked up.
const CHECK_REFS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const prefix = new URL(document.querySelector('link[rel=stylesheet]').href).pathname.replace(/css\/style\.css$/, '');
  const refs = new Set();
  for (const el of document.querySelectorAll('a[href], link[href], script[src], img[src]')) {
    const raw = el.getAttribute('href') ?? el.getAttribute('src');
    const url = new URL(raw, document.baseURI);
    if (url.origin === location.origin) refs.add(url.href);
  }
  const problems = [];
  const files = new Map();
  for (const href of refs) {
    const url = new URL(href);
    if (!url.pathname.startsWith(prefix)) { problems.push('outside ' + prefix + ': ' + href); continue; }
    const file = url.origin + url.pathname;
    if (!files.has(file)) {
      const r = await fetch(file);
      files.set(file, r.ok ? await r.text() : null);
    }
    const text = files.get(file);
    if (text === null) { problems.push('missing: ' + href); continue; }
    if (url.hash.length > 1) {
      const id = decodeURIComponent(url.hash.slice(1));
      const doc = new DOMParser().parseFromString(text, 'text/html');
      if (!doc.getElementById(id)) problems.push('no #' + id + ': ' + href);
    }
  }
  done({ problems, checked: refs.size });
})().catch(e => done({ problems: ['script error: ' + e], checked: 0 }));
"#;
