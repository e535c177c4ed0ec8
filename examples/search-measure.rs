//! Measures search on built sites: how long the index takes to build, how big it is, how
//! many bytes typical queries load and how fast the browser answers them.
//!
//! ```sh
//! scripts/measure-search.sh            # corpora of 1,000 and 10,000 notes, then this
//! cargo run --release --example search-measure -- SITE_ROOT...   # sites already built into SITE_ROOT/book
//! ```
//!
//! For each site: the index build time in this process (median of 3), the size of
//! `book/search/` (terms, doc chunks, manifest) per note, then per query, in headless
//! Chromium over `file://`: the files the client loaded from a fresh page and their bytes,
//! the time to the answer including loading ("cold"), the time spent computing once its
//! shards were in, and the time of the same query again ("warm"). Timings are printed,
//! never asserted. `--build-only` stops after the build time (for profiling).

use conceptbook::search::engine::{Index, LIMIT};
use conceptbook::{pipeline, search};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Queries a reader of the synthetic corpus (or of the real notes) would type, typos and
/// a homophone (魔性 for 模型) among them.
const QUERIES: &[&str] = &[
    "注意力",
    "奖励模型",
    "微调",
    "LoRA",
    "lo",
    "learning rate",
    "KV cache",
    "模型 量化",
    "秩",
    "GPT-3.5",
    "token 上限",
    "weitiao",
    "trasnformer",
    "flashatention",
    "LoRA chekcpoint",
    "魔性参数",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let build_only = args.iter().any(|a| a == "--build-only");
    let roots: Vec<PathBuf> = args.iter().filter(|a| !a.starts_with("--")).map(PathBuf::from).collect();
    if roots.is_empty() {
        eprintln!("usage: search-measure [--build-only] SITE_ROOT... (each built into SITE_ROOT/book)");
        std::process::exit(2);
    }
    let rt = tokio::runtime::Runtime::new().expect("tokio");
    for root in roots {
        measure(&rt, &root, build_only);
    }
}

fn measure(rt: &tokio::runtime::Runtime, root: &Path, build_only: bool) {
    let (site, _) = pipeline::load(root).unwrap_or_else(|d| panic!("{}: {d:?}", root.display()));
    let notes = site.notes.len();
    let mut build_ms = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let files = search::index(&site, &conceptbook::assets::embedded_labels(&site.config.language).search_panel);
        build_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(files);
    }
    build_ms.sort_by(f64::total_cmp);
    if build_only {
        println!("{}: index build {:.0} ms (median of 3)", root.display(), build_ms[1]);
        return;
    }
    let book = root.join("book");
    let dir = book.join("search");
    let (mut terms, mut docs, mut manifest, mut files) = (0u64, 0u64, 0u64, 0usize);
    let (mut fuzzy, mut pinyin) = (0u64, 0u64);
    for e in std::fs::read_dir(&dir).expect("book/search: build the site first") {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let len = e.metadata().unwrap().len();
        files += 1;
        if name.starts_with("terms-") {
            terms += len;
        } else if name.starts_with("docs-") {
            docs += len;
        } else if name.starts_with("fuzzy-") {
            fuzzy += len;
        } else if name.starts_with("pinyin-") {
            pinyin += len;
        } else {
            manifest += len;
        }
    }
    let total = terms + docs + manifest + fuzzy + pinyin;
    println!("\n## {} ({notes} notes)\n", root.display());
    println!("index build (in process, median of 3): {:.0} ms", build_ms[1]);
    println!(
        "index: {files} files, {:.1} MB = terms {:.1} MB + doc chunks {:.1} MB + typo vocabulary {:.1} KB + pinyin {:.1} KB + manifest {:.1} KB; {:.2} KB per note",
        mb(total),
        mb(terms),
        mb(docs),
        fuzzy as f64 / 1024.0,
        pinyin as f64 / 1024.0,
        manifest as f64 / 1024.0,
        total as f64 / 1024.0 / notes as f64
    );
    let index = Index::open(&book).expect("index loads");
    println!("{} terms in {} shards\n", index.term_count(), index.shard_count());
    let url = format!("file://{}/index.html", book.canonicalize().unwrap().display());
    let rows = rt.block_on(browser(url, dir.clone()));
    println!("| query | hits | files | KB loaded | cold ms | compute ms | warm ms | top hit | did you mean |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
    let mut kbs = Vec::new();
    let mut computes = Vec::new();
    for (q, r) in QUERIES.iter().zip(&rows) {
        let rust = index.search(q, LIMIT);
        assert_eq!(
            rust.hits.iter().map(|h| h.slug.clone()).collect::<Vec<_>>(),
            r.slugs,
            "browser and Rust engine disagree on {q:?}"
        );
        kbs.push(r.bytes as f64 / 1024.0);
        computes.push(r.compute_ms);
        println!(
            "| `{q}` | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} |",
            r.slugs.len(),
            r.files,
            r.bytes as f64 / 1024.0,
            r.cold_ms,
            r.compute_ms,
            r.warm_ms,
            r.slugs.first().map_or("—", String::as_str),
            rust.suggest.as_deref().unwrap_or("")
        );
    }
    kbs.sort_by(f64::total_cmp);
    computes.sort_by(f64::total_cmp);
    println!(
        "\nKB loaded per query: median {:.1}, max {:.1}; compute ms: median {:.1}, max {:.1}",
        kbs[kbs.len() / 2],
        kbs[kbs.len() - 1],
        computes[computes.len() / 2],
        computes[computes.len() - 1]
    );
}

fn mb(b: u64) -> f64 {
    b as f64 / 1024.0 / 1024.0
}

struct Row {
    slugs: Vec<String>,
    files: usize,
    bytes: u64,
    cold_ms: f64,
    compute_ms: f64,
    warm_ms: f64,
}

const QUERY_JS: &str = "conceptbookSearch.query(arguments[0], arguments[arguments.length - 1]);";

async fn browser(url: String, dir: PathBuf) -> Vec<Row> {
    let c = Chrome::start().await;
    let mut rows = Vec::new();
    for q in QUERIES {
        c.client.goto(&url).await.unwrap();
        let cold = c.client.execute_async(QUERY_JS, vec![(*q).into()]).await.unwrap();
        let warm = c.client.execute_async(QUERY_JS, vec![(*q).into()]).await.unwrap();
        assert!(cold.get("error").is_none(), "{q}: {cold}");
        let loaded: Vec<String> = serde_json::from_value(cold["loaded"].clone()).unwrap();
        let bytes =
            loaded.iter().map(|f| std::fs::metadata(dir.join(f.trim_start_matches("search/"))).unwrap().len()).sum();
        rows.push(Row {
            slugs: serde_json::from_value(cold["slugs"].clone()).unwrap(),
            files: loaded.len(),
            bytes,
            cold_ms: cold["totalMs"].as_f64().unwrap(),
            compute_ms: cold["computeMs"].as_f64().unwrap(),
            warm_ms: warm["totalMs"].as_f64().unwrap(),
        });
    }
    c.stop().await;
    rows
}

/// Debian's chromedriver and chromium, headless, with a fresh profile.
struct Chrome {
    client: Client,
    driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

impl Chrome {
    async fn start() -> Chrome {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = tokio::process::Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver (apt-get install chromium chromium-driver)");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = serde_json::json!({ "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args } });
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("chromedriver session");
        Chrome { client, driver, _profile: profile }
    }

    async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}
