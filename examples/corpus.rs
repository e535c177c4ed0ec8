//! Writes a synthetic site of N realistic Chinese concept notes, deterministic from a seed.
//!
//! Each note: 300–900 Chinese characters (`--body-chars N`: N to 3N) with English terms, a table, a fenced code block in
//! half of them, 2–5 wiki links to other notes, a parent in a tree of about ten roots, tags
//! and aliases. Used by the benchmarks and the search measurements:
//!
//! ```sh
//! cargo run --release --example corpus -- --notes 10000 --out target/corpus-10k [--seed 7] [--body-chars 300]
//! cargo run --release -- build --root target/corpus-10k
//! ```
//!
//! Other shapes of the same notes (`scripts/bench-shapes.sh` uses all three):
//! - `--roots N`: a tree of N roots ("wide" with N = notes / 100);
//! - `--flat`: no `parent` at all, notes that only link to each other;
//! - `--shape deep|wide|flat`: the three shapes the benchmarks compare, by name (deep: the
//!   default tree of about ten roots; wide: `--roots` notes / 100; flat: `--flat`);
//! - `--shape chain`: each note the parent of the next, one branch as deep as the site (the
//!   worst case for anything that grows with a note's depth; `SHAPES=chain` in the bench);
//! - `--hubs K`: a third of the notes also link to one of K hub notes (`c1`…`cK`), so a hub
//!   has thousands of backlinks in a large site.
//!
//! `--hugo DIR` also writes a Hugo copy of the same notes into DIR: a minimal site with a
//! small layout of its own (home, section and tag lists, single pages with title, summary,
//! tags and body), the same Markdown bodies with wiki links written as Markdown links,
//! so `hugo -s DIR` renders comparable pages.

use std::fmt::Write as _;
use std::path::PathBuf;

const WORDS: &[&str] = &[
    "模型",
    "参数",
    "训练",
    "推理",
    "数据",
    "向量",
    "注意力",
    "梯度",
    "损失",
    "权重",
    "分布",
    "采样",
    "语料",
    "任务",
    "评估",
    "对齐",
    "检索",
    "生成",
    "压缩",
    "蒸馏",
    "优化器",
    "学习率",
    "显存",
    "算力",
    "批量",
    "上下文",
    "提示",
    "奖励",
    "策略",
    "编码器",
    "解码器",
    "分词",
    "嵌入",
    "矩阵",
    "秩",
    "量化",
    "精度",
    "延迟",
    "吞吐",
    "缓存",
    "知识",
    "推理链",
    "幻觉",
    "指令",
    "偏好",
    "反馈",
    "样本",
    "标注",
    "基座",
    "微调",
    "适配器",
    "前缀",
    "层",
];
const TERMS: &[&str] = &[
    "Transformer",
    "LoRA",
    "RLHF",
    "PPO",
    "BERT",
    "GPT",
    "token",
    "embedding",
    "KV cache",
    "softmax",
    "Adam",
    "dropout",
    "LayerNorm",
    "RoPE",
    "FlashAttention",
    "beam search",
    "top-p",
    "temperature",
    "INT4",
    "FP16",
    "SFT",
    "DPO",
    "RAG",
    "MoE",
    "checkpoint",
    "batch size",
    "learning rate",
    "perplexity",
    "BLEU",
    "ROUGE",
];
const CONNECTORS: &[&str] =
    &["通常", "因此", "此外", "在实践中", "一般来说", "相比之下", "换句话说", "值得注意的是", "例如", "所以"];
const VERBS: &[&str] = &["影响", "决定", "提升", "降低", "依赖", "改变", "约束", "衡量", "描述", "组合"];
const TAGS: &[&str] = &["基础概念", "架构", "训练", "微调", "对齐", "模型", "应用开发", "部署", "评估", "数据"];

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

struct Args {
    notes: usize,
    /// Bodies take from this many characters to three times as many.
    body_chars: usize,
    out: PathBuf,
    seed: u64,
    /// Roots of the tree; `None`: about ten (the default shape).
    roots: Option<usize>,
    flat: bool,
    /// Each note the parent of the next: one branch as deep as the site.
    chain: bool,
    hubs: usize,
    hugo: Option<PathBuf>,
}

const USAGE: &str =
    "usage: corpus --notes N --out DIR [--seed S] [--body-chars N] [--roots N | --flat | --shape deep|wide|flat|chain] [--hubs K] [--hugo DIR]";

fn args() -> Args {
    let mut notes = 1000;
    let mut out = None;
    let mut seed = 7;
    let (mut roots, mut flat, mut chain, mut hubs, mut hugo) = (None, false, false, 0, None);
    let mut body_chars = 300;
    let mut shape = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--notes" => notes = it.next().and_then(|v| v.parse().ok()).expect("--notes N"),
            "--out" => out = it.next().map(PathBuf::from),
            "--seed" => seed = it.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--body-chars" => body_chars = it.next().and_then(|v| v.parse().ok()).expect("--body-chars N"),
            "--roots" => {
                roots = Some(it.next().and_then(|v| v.parse().ok()).filter(|&r| r > 0).expect("--roots N (N > 0)"))
            }
            "--flat" => flat = true,
            "--shape" => shape = Some(it.next().expect("--shape deep|wide|flat|chain")),
            "--hubs" => hubs = it.next().and_then(|v| v.parse().ok()).expect("--hubs K"),
            "--hugo" => hugo = Some(it.next().map(PathBuf::from).expect("--hugo DIR")),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}; {USAGE}"),
        }
    }
    match shape.as_deref() {
        None | Some("deep") => {}
        Some("wide") => roots = Some((notes / 100).max(1)),
        Some("flat") => flat = true,
        Some("chain") => chain = true,
        Some(other) => panic!("unknown shape {other}; {USAGE}"),
    }
    assert!(!(flat && roots.is_some()), "--flat and --roots exclude each other; {USAGE}");
    Args { notes, body_chars, out: out.expect("--out DIR is required"), seed, roots, flat, chain, hubs, hugo }
}

fn title(i: usize, rng: &mut Rng) -> String {
    format!("{}{}{}", rng.pick(WORDS), rng.pick(WORDS), to_chinese_number(i))
}

/// `i` spelled with Chinese digits, so titles stay distinct and Chinese.
fn to_chinese_number(i: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    i.to_string().bytes().map(|b| D[(b - b'0') as usize]).collect()
}

fn sentence(rng: &mut Rng, links: &mut Vec<String>, out: &mut String) {
    let _ = write!(
        out,
        "{}，{}{}会{}{}的{}，这与 {} 的{}有关",
        rng.pick(CONNECTORS),
        rng.pick(WORDS),
        rng.pick(WORDS),
        rng.pick(VERBS),
        rng.pick(WORDS),
        rng.pick(WORDS),
        rng.pick(TERMS),
        rng.pick(WORDS)
    );
    if let Some(link) = links.pop() {
        let _ = write!(out, "，参见{link}");
    }
    out.push('。');
}

fn body(rng: &mut Rng, mut links: Vec<String>, min_chars: usize) -> String {
    let target_chars = min_chars + rng.below(2 * min_chars.max(1));
    let mut out = String::new();
    let mut section = 0;
    while out.chars().count() < target_chars || !links.is_empty() {
        if out.chars().count() > section * 250 {
            section += 1;
            let _ = writeln!(out, "\n## {}与{}\n", rng.pick(WORDS), rng.pick(TERMS));
        }
        for _ in 0..3 {
            sentence(rng, &mut links, &mut out);
        }
        out.push_str("\n\n");
    }
    let _ = writeln!(out, "| 项目 | {} | {} |\n| --- | --- | --- |", rng.pick(TERMS), rng.pick(TERMS));
    for _ in 0..3 {
        let _ = writeln!(out, "| {} | {} | {}% |", rng.pick(WORDS), rng.below(1000), rng.below(100));
    }
    if rng.below(2) == 0 {
        let _ = writeln!(
            out,
            "\n```python\nimport torch\n\ndef step(model, batch, lr={}e-4):\n    loss = model(**batch).loss  # {}\n    loss.backward()\n    return loss.item()\n```",
            1 + rng.below(9),
            rng.pick(WORDS)
        );
    }
    out
}

fn main() -> std::io::Result<()> {
    let args = args();
    let mut rng = Rng(args.seed);
    let content = args.out.join("content");
    if content.exists() {
        std::fs::remove_dir_all(&content)?;
    }
    std::fs::create_dir_all(&content)?;
    let site_title = format!("合成概念库（{} 篇）", args.notes);
    std::fs::write(
        args.out.join("book.toml"),
        format!("[book]\ntitle = \"{site_title}\"\ndescription = \"conceptbook 基准测试用的合成语料\"\nlanguage = \"zh-CN\"\n"),
    )?;
    let hugo = match &args.hugo {
        Some(dir) => Some(Hugo::create(dir, &site_title)?),
        None => None,
    };
    let titles: Vec<String> = (0..args.notes).map(|i| title(i, &mut rng)).collect();
    let roots = args.roots.unwrap_or((args.notes / 100).clamp(1, 10));
    let hubs = args.hubs.min(args.notes.saturating_sub(1));
    for i in 0..args.notes {
        let slug = format!("c{i}");
        let parent = (i >= roots).then(|| rng.below(i.min(roots + i / 3)));
        let parent = if args.chain { i.checked_sub(1) } else { parent.filter(|_| !args.flat) };
        let n_links = 2 + rng.below(4);
        let mut targets: Vec<usize> = (0..n_links).map(|_| rng.below(args.notes)).filter(|&j| j != i).collect();
        // Hub links from a stream of their own, so the other notes stay as they were.
        let mut hub_rng = Rng(args.seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        if hubs > 0 && hub_rng.below(3) == 0 {
            let hub = 1 + hub_rng.below(hubs);
            if hub != i {
                targets.insert(0, hub);
            }
        }
        let links: Vec<String> = targets.iter().map(|&j| format!("[[c{j}|{}]]", titles[j])).collect();
        let related: Vec<String> =
            (0..rng.below(3)).map(|_| rng.below(args.notes)).filter(|&j| j != i).map(|j| format!("\"c{j}\"")).collect();
        let (term, words) = (rng.pick(TERMS), [rng.pick(WORDS), rng.pick(WORDS)]);
        let summary_term = rng.pick(TERMS);
        let aliases = format!("[\"{term} term {i}\", \"别名{}\"]", to_chinese_number(i));
        let summary = format!("{}与{}之间关系的简要说明，涉及 {summary_term}。", words[0], words[1]);
        let mut fm = format!("+++\ntitle = \"{}\"\naliases = {aliases}\nsummary = \"{summary}\"\n", titles[i]);
        if let Some(p) = parent {
            let _ = writeln!(fm, "parent = \"c{p}\"");
        }
        if !related.is_empty() {
            let _ = writeln!(fm, "related = [{}]", related.join(", "));
        }
        let tags = [rng.pick(TAGS), rng.pick(TAGS)];
        let _ = writeln!(fm, "tags = [\"{}\", \"{}\"]\n+++\n", tags[0], tags[1]);
        let body = body(&mut rng, links, args.body_chars);
        let dir = content.join(format!("g{}", i / 500));
        std::fs::create_dir_all(&dir)?;
        if let Some(h) = &hugo {
            h.note(i, &titles[i], &aliases, &summary, &tags, &body)?;
        }
        std::fs::write(dir.join(format!("{slug}.md")), fm + &body)?;
    }
    println!("wrote {} notes to {}", args.notes, content.display());
    if let Some(dir) = &args.hugo {
        println!("wrote their Hugo copy to {}", dir.display());
    }
    Ok(())
}

/// The Hugo copy of the corpus: `content/g<k>/c<i>.md` (sections of 500, as in the
/// conceptbook copy) and a layout of its own.
struct Hugo {
    content: PathBuf,
}

const HUGO_BASEOF: &str = r#"<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ .Site.Title }}{{ else }}{{ .Title }} · {{ .Site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ .Site.Title }}{{ end }}">
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a> · <a href="{{ "/tags/" | relURL }}">标签</a></header>
<nav class="sections"><ul>{{ range first 20 .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"#;

const HUGO_SINGLE: &str = r#"{{ define "main" }}<article>
<nav class="breadcrumbs">{{ with .Parent }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
<h1>{{ .Title }}</h1>
<p class="lead">{{ .Params.summary }}</p>
{{ with .Params.names }}<p class="aliases">{{ range . }}<span>{{ . }}</span> {{ end }}</p>{{ end }}
<p class="tags">{{ range .Params.tags }}<a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a> {{ end }}</p>
{{ with .TableOfContents }}<nav class="toc">{{ . }}</nav>{{ end }}
<div class="body">{{ .Content }}</div>
<nav class="prev-next">{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">← {{ .Title }}</a>{{ end }} {{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }} →</a>{{ end }}</nav>
</article>{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.Sections }}{{ end }}
{{ $pager := .Paginate $pages }}
<ul>{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul>
<nav class="pager">{{ with $pager.Prev }}<a href="{{ .URL }}">←</a>{{ end }} {{ $pager.PageNumber }} / {{ $pager.TotalPages }} {{ with $pager.Next }}<a href="{{ .URL }}">→</a>{{ end }}</nav>
{{ end }}
"#;

const HUGO_TERMS: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">#{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>
{{ end }}
"#;

impl Hugo {
    fn create(dir: &std::path::Path, title: &str) -> std::io::Result<Hugo> {
        let content = dir.join("content");
        if content.exists() {
            std::fs::remove_dir_all(&content)?;
        }
        for d in ["layouts/_default", "static"] {
            std::fs::create_dir_all(dir.join(d))?;
        }
        std::fs::create_dir_all(&content)?;
        std::fs::write(
            dir.join("hugo.toml"),
            format!(
                "baseURL = \"https://example.org/\"\nlanguageCode = \"zh-CN\"\ntitle = \"{title}\"\nhasCJKLanguage = true\npaginate = 100\ndisableKinds = [\"RSS\"]\n"
            ),
        )?;
        std::fs::write(dir.join("layouts/_default/baseof.html"), HUGO_BASEOF)?;
        std::fs::write(dir.join("layouts/_default/single.html"), HUGO_SINGLE)?;
        std::fs::write(dir.join("layouts/_default/list.html"), HUGO_LIST)?;
        std::fs::write(dir.join("layouts/_default/terms.html"), HUGO_TERMS)?;
        std::fs::write(dir.join("static/style.css"), "body{font-family:sans-serif;max-width:48rem;margin:auto}\n")?;
        Ok(Hugo { content })
    }

    /// Note `i`, its wiki links `[[c<j>|text]]` written as Markdown links to `/g<k>/c<j>/`.
    fn note(
        &self,
        i: usize,
        title: &str,
        aliases: &str,
        summary: &str,
        tags: &[&str],
        body: &str,
    ) -> std::io::Result<()> {
        let dir = self.content.join(format!("g{}", i / 500));
        if !dir.exists() {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join("_index.md"), format!("+++\ntitle = \"第 {} 组\"\n+++\n", i / 500))?;
        }
        let mut text = format!(
            "+++\ntitle = \"{title}\"\nnames = {aliases}\nsummary = \"{summary}\"\ntags = [\"{}\", \"{}\"]\n+++\n\n",
            tags[0], tags[1]
        );
        let mut rest = body;
        while let Some(at) = rest.find("[[c") {
            text.push_str(&rest[..at]);
            let link = &rest[at + 2..];
            let end = link.find("]]").expect("wiki links are closed");
            let (slug, label) = link[..end].split_once('|').expect("wiki links have a label");
            let j: usize = slug[1..].parse().expect("slug c<j>");
            let _ = write!(text, "[{label}](/g{}/{slug}/)", j / 500);
            rest = &link[end + 2..];
        }
        text.push_str(rest);
        std::fs::write(dir.join(format!("c{i}.md")), text)
    }
}
