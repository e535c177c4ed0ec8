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
}

fn args() -> Args {
    let mut notes = 1000;
    let mut out = None;
    let mut seed = 7;
    let mut body_chars = 300;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--notes" => notes = it.next().and_then(|v| v.parse().ok()).expect("--notes N"),
            "--out" => out = it.next().map(PathBuf::from),
            "--seed" => seed = it.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--body-chars" => body_chars = it.next().and_then(|v| v.parse().ok()).expect("--body-chars N"),
            "-h" | "--help" => {
                println!("usage: corpus --notes N --out DIR [--seed S] [--body-chars N]");
                std::process::exit(0);
            }
            other => {
                panic!("unknown argument {other}; usage: corpus --notes N --out DIR [--seed S] [--body-chars N]")
            }
        }
    }
    Args { notes, out: out.expect("--out DIR is required"), seed, body_chars }
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
    std::fs::write(
        args.out.join("book.toml"),
        format!("[book]\ntitle = \"合成概念库（{} 篇）\"\ndescription = \"conceptbook 基准测试用的合成语料\"\nlanguage = \"zh-CN\"\n", args.notes),
    )?;
    let titles: Vec<String> = (0..args.notes).map(|i| title(i, &mut rng)).collect();
    let roots = (args.notes / 100).clamp(1, 10);
    for i in 0..args.notes {
        let slug = format!("c{i}");
        let parent = (i >= roots).then(|| rng.below(i.min(roots + i / 3)));
        let n_links = 2 + rng.below(4);
        let links: Vec<String> = (0..n_links)
            .map(|_| rng.below(args.notes))
            .filter(|&j| j != i)
            .map(|j| format!("[[c{j}|{}]]", titles[j]))
            .collect();
        let related: Vec<String> =
            (0..rng.below(3)).map(|_| rng.below(args.notes)).filter(|&j| j != i).map(|j| format!("\"c{j}\"")).collect();
        let mut fm = format!(
            "+++\ntitle = \"{}\"\naliases = [\"{} term {i}\", \"别名{}\"]\nsummary = \"{}与{}之间关系的简要说明，涉及 {}。\"\n",
            titles[i],
            rng.pick(TERMS),
            to_chinese_number(i),
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(TERMS)
        );
        if let Some(p) = parent {
            let _ = writeln!(fm, "parent = \"c{p}\"");
        }
        if !related.is_empty() {
            let _ = writeln!(fm, "related = [{}]", related.join(", "));
        }
        let _ = writeln!(fm, "tags = [\"{}\", \"{}\"]\n+++\n", rng.pick(TAGS), rng.pick(TAGS));
        let dir = content.join(format!("g{}", i / 500));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{slug}.md")), fm + &body(&mut rng, links, args.body_chars))?;
    }
    println!("wrote {} notes to {}", args.notes, content.display());
    Ok(())
}
