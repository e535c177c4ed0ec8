//! The hot stages of a build, each on its own, over a synthetic corpus of 1,000 notes
//! (`examples/corpus.rs`, seed 7): `cargo bench --bench stages`.
//!
//! The whole-build figures (wall time and peak memory at 1,000 and 10,000 notes) come from
//! `scripts/bench-build.sh`; these benches say where the time goes.

use conceptbook::{highlight, markdown, names, pipeline, search};
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes the 1,000-note corpus once per run into the target dir.
fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-corpus-1000");
    if !dir.join("book.toml").exists() {
        let status = Command::new(env!("CARGO"))
            .args([
                "run",
                "--release",
                "--quiet",
                "--example",
                "corpus",
                "--",
                "--notes",
                "1000",
                "--seed",
                "7",
                "--out",
            ])
            .arg(&dir)
            .status()
            .expect("run the corpus generator");
        assert!(status.success());
    }
    dir
}

fn stages(c: &mut Criterion) {
    let root = corpus();
    let config = pipeline::configure(&root, None).expect("config");
    let read = pipeline::read(&root);
    let sources = read.files.clone();
    let theme = pipeline::theme(&root, &config).expect("theme");
    let attachments = pipeline::attachments(read.attachments, &theme);
    let mut g = c.benchmark_group("stages-1000-notes");
    g.sample_size(10);
    g.bench_function("read", |b| b.iter(|| pipeline::read(&root)));
    g.bench_function("parse", |b| b.iter(|| pipeline::parse(sources.clone())));
    let files = pipeline::parse(sources.clone());
    g.bench_function("link", |b| {
        b.iter(|| pipeline::link(config.clone(), &files, attachments.clone(), Vec::new()).is_ok())
    });
    let (site, _) = pipeline::link(config.clone(), &files, attachments.clone(), Vec::new()).expect("link");
    let bodies: Vec<(&str, &[names::Heading])> = site.notes.iter().map(|n| (n.body(), n.headings.as_slice())).collect();
    struct NoLinks;
    impl markdown::Linker for NoLinks {
        fn anchor_label(&self) -> &str {
            "#"
        }
        fn resolve(&self, _: names::RefKind, t: &str, _: Option<&str>) -> Option<markdown::LinkTarget> {
            Some(markdown::LinkTarget { href: format!("{t}.html"), slug: t.to_string(), text: t.to_string() })
        }
    }
    g.bench_function("markdown+highlight", |b| {
        b.iter(|| bodies.iter().map(|(body, h)| markdown::render(body, h, &NoLinks).len()).sum::<usize>())
    });
    let code = "import torch\n\ndef step(model, batch, lr=3e-4):\n    loss = model(**batch).loss  # 损失\n    loss.backward()\n    return loss.item()\n";
    g.bench_function("highlight-500-blocks", |b| {
        b.iter(|| (0..500).map(|_| highlight::code_block(code, "python").len()).sum::<usize>())
    });
    g.bench_function("render-site", |b| b.iter(|| pipeline::render(&site, &theme, None).map(|o| o.len())));
    g.bench_function("search-index", |b| b.iter(|| search::index(&site, &theme.labels.search_panel).len()));
    let out = pipeline::render(&site, &theme, None).expect("render");
    let dest = tempfile::tempdir().unwrap();
    g.bench_function("write", |b| b.iter(|| pipeline::write(&out, &root, &dest.path().join("book")).unwrap().files));
    g.bench_function("whole-build-in-memory", |b| {
        b.iter(|| pipeline::build(&root).map(|b| b.output.len()).unwrap_or(0))
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
