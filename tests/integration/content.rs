//! The repository's own site: the LLM concept notes build with no errors and no warnings,
//! and the concept map of CONTENT.md holds.

use crate::support::*;
use std::path::Path;

pub(crate) const SLUGS: &[&str] = &[
    "llm",
    "transformer",
    "self-attention",
    "embedding",
    "token",
    "context-window",
    "generative-model",
    "hallucination",
    "multimodal",
    "proprietary-llm",
    "openai",
    "gpt",
    "chatgpt",
    "codex",
    "dall-e-2",
    "whisper",
    "bard",
    "ernie-bot",
    "qwen",
    "iflytek-spark",
    "open-source-llm",
    "llama",
    "alpaca",
    "gpt4all",
    "minigpt-4",
    "glm",
    "chatglm-6b",
    "visualglm-6b",
    "moss",
    "llm-training",
    "pretraining",
    "autoregressive",
    "masked-language-model",
    "fine-tuning",
    "sft",
    "instruction-tuning",
    "full-fine-tuning",
    "peft",
    "lora",
    "prefix-tuning",
    "prompt-tuning",
    "p-tuning-v2",
    "rlhf",
    "deepspeed-chat",
    "llm-applications",
    "prompt-engineering",
    "fine-tuning-vs-prompt-engineering",
    "rag",
    "quantization",
    "aigc",
    "langchain",
    "langchain-chains",
    "langchain-memory",
    "langchain-agents",
    "langchain-indexes",
    // Issue 17, CONTENT-2.md §3.1–3.3 (architecture; scale, abilities and reasoning;
    // training and alignment): the notes and their parents are in PARENTS_17 below.
    "positional-encoding",
    "long-context",
    "gqa",
    "flash-attention",
    "moe",
    "scaling-laws",
    "emergent-abilities",
    "reasoning-model",
    "chain-of-thought",
    "dpo",
    "rlvr",
    "constitutional-ai",
    "reward-hacking",
    "knowledge-distillation",
    // CONTENT-2.md §3.4–3.7 (issue 17)
    "llm-inference",
    "kv-cache",
    "paged-attention",
    "speculative-decoding",
    "function-calling",
    "llm-agent",
    "mcp",
    "reranking",
    "vector-database",
    "prompt-injection",
    "llm-evaluation",
    "chatbot-arena",
    "jailbreak",
    "llama-series",
    "qwen-open-weights",
    "deepseek",
    "claude",
];

/// The notes of CONTENT-2.md §3.1–3.3 (issue 17) and the parent the plan's tree gives each.
const PARENTS_17: &[(&str, &str)] = &[
    ("positional-encoding", "transformer"),
    ("long-context", "context-window"),
    ("gqa", "self-attention"),
    ("flash-attention", "self-attention"),
    ("moe", "transformer"),
    ("scaling-laws", "llm"),
    ("emergent-abilities", "llm"),
    ("reasoning-model", "llm"),
    ("chain-of-thought", "prompt-engineering"),
    ("dpo", "fine-tuning"),
    ("rlvr", "fine-tuning"),
    ("constitutional-ai", "fine-tuning"),
    ("reward-hacking", "rlhf"),
    ("knowledge-distillation", "llm-training"),
];

/// The notes of CONTENT-2.md §3.4–3.7 (issue 17) and the parent the plan gives each.
const PARENTS_17B: &[(&str, &str)] = &[
    ("llm-inference", "llm-applications"),
    ("kv-cache", "llm-inference"),
    ("paged-attention", "llm-inference"),
    ("speculative-decoding", "llm-inference"),
    ("function-calling", "llm-applications"),
    ("llm-agent", "llm-applications"),
    ("mcp", "llm-agent"),
    ("reranking", "rag"),
    ("vector-database", "rag"),
    ("prompt-injection", "llm-applications"),
    ("llm-evaluation", "llm-applications"),
    ("chatbot-arena", "llm-evaluation"),
    ("jailbreak", "llm"),
    ("llama-series", "llama"),
    ("qwen-open-weights", "qwen"),
    ("deepseek", "open-source-llm"),
    ("claude", "proprietary-llm"),
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the repository's own site into a temp dir: no errors and no warnings.
fn build_real_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("book");
    let run = std::process::Command::new(BIN)
        .args(["build", "--root", repo().to_str().unwrap(), "--dest", dest.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.trim().is_empty(), "no errors and no warnings:\n{stderr}");
    (out, dest)
}

#[test]
fn the_real_site_builds_clean_and_holds_the_concept_map() {
    assert_eq!(SLUGS.len(), 55 + PARENTS_17.len() + PARENTS_17B.len());
    let (_out, dest) = build_real_site();
    for slug in SLUGS {
        let page = std::fs::read_to_string(dest.join(format!("{slug}.html"))).unwrap_or_else(|_| panic!("{slug}.html"));
        let description = attrs(&page, "content")[0].clone();
        assert!(!description.is_empty(), "{slug} has a summary");
        let crumbs = text_of_class(&page, "breadcrumbs");
        let root = crumbs.split(' ').next().unwrap();
        assert!(
            ["大语言模型", "大模型训练流程", "大模型应用开发"].contains(&root),
            "{slug}: chain ends at a root, got {crumbs}"
        );
    }
    let lora = std::fs::read_to_string(dest.join("lora.html")).unwrap();
    assert!(
        text_of_class(&lora, "breadcrumbs").starts_with("大模型训练流程 微调 参数高效微调 LoRA"),
        "lora → peft → fine-tuning"
    );
    let html: Vec<String> = std::fs::read_dir(dest.clone())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".html"))
        .collect();
    // The print page splits into print-2.html, … as the notes grow past 768 KiB.
    let print_parts = html.iter().filter(|n| *n == "print.html" || n.starts_with("print-")).count();
    assert!(print_parts >= 1);
    assert_eq!(
        html.len(),
        SLUGS.len() + 5 + print_parts,
        "notes, home, glossary, tags, 404, the concept map and the print page's parts"
    );
    check_links(&dest);
}

/// The `href`s inside the first element with `class="name"`.
fn hrefs_in_class(html: &str, class: &str) -> Vec<String> {
    let Some(start) = html.find(&format!("class=\"{class}\"")) else {
        return Vec::new();
    };
    let end = start + html[start..].find("</nav>").or_else(|| html[start..].find("</ol>")).unwrap();
    attrs(&html[start..end], "href")
}

/// The text of each footnote on a page (the list under the footnotes' heading).
fn footnotes(html: &str) -> Vec<String> {
    html.match_indices("<li id=\"fn-")
        .map(|(i, _)| {
            let rest = &html[i..];
            strip_tags(&rest[..rest.find("</li>").unwrap()])
        })
        .collect()
}

/// A planning mark of CONTENT-2.md that must never reach a reader: [未核实], a source key
/// such as [N12] or [S3], or "推算" (an estimate must show its arithmetic instead).
fn planning_mark(text: &str) -> Option<String> {
    for mark in ["未核实", "推算"] {
        if text.contains(mark) {
            return Some(mark.to_string());
        }
    }
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).find_map(|w| {
        (w[0] == '[' && (w[1] == 'N' || w[1] == 'S') && w[2].is_ascii_digit()).then(|| w.iter().collect())
    })
}

#[test]
fn the_issue_17_notes_hang_where_the_plan_puts_them_and_cite_dated_sources() {
    let (_out, dest) = build_real_site();
    let read = |slug: &str| {
        std::fs::read_to_string(dest.join(format!("{slug}.html"))).unwrap_or_else(|_| panic!("{slug}.html"))
    };
    for (slug, parent) in PARENTS_17 {
        assert!(SLUGS.contains(slug), "{slug} is in SLUGS");
        let page = read(slug);
        let crumbs = hrefs_in_class(&page, "breadcrumbs");
        assert_eq!(crumbs.last().map(String::as_str), Some(format!("{parent}.html").as_str()), "{slug}: parent");
        assert!(read(parent).contains(&format!("href=\"{slug}.html\"")), "{parent}.html links to its child {slug}");
        let notes = footnotes(&page);
        assert!(!notes.is_empty(), "{slug} cites at least one source as a footnote");
        for note in &notes {
            let dated = note
                .as_bytes()
                .windows(4)
                .any(|w| (w.starts_with(b"19") || w.starts_with(b"20")) && w.iter().all(u8::is_ascii_digit));
            assert!(dated, "{slug}: every source carries its year: {note}");
        }
        let body = text_of_class(&page, "note-body");
        assert!(!body.is_empty(), "{slug}: the page has a note body");
        assert_eq!(planning_mark(&body), None, "{slug}: no planning mark reaches the reader");
    }
    assert_eq!(planning_mark("见 [N12]"), Some("[N1".to_string()), "the mark finder finds a source key");
    for slug in SLUGS {
        let page = read(slug);
        let mut seen = std::collections::BTreeSet::new();
        for id in ids(&page) {
            assert!(seen.insert(id.clone()), "{slug}.html defines id {id} twice (a heading and a footnote label?)");
        }
    }
}

/// Each note of CONTENT-2.md §3.4–3.7 hangs where the plan puts it (its breadcrumbs end at
/// the planned parent), cites at least one source as a footnote, and carries no planning
/// mark (a source key such as [N12] or [S3], or [未核实]).
#[test]
fn the_notes_of_issue_17_have_their_parent_and_their_sources() {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("book");
    let run = std::process::Command::new(BIN)
        .args(["build", "--quiet", "--root", repo().to_str().unwrap(), "--dest", dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    for (slug, parent) in PARENTS_17B {
        assert!(SLUGS.contains(slug), "{slug} is in SLUGS");
        let page = std::fs::read_to_string(dest.join(format!("{slug}.html"))).unwrap_or_else(|_| panic!("{slug}.html"));
        let nav = &page[page.find("class=\"breadcrumbs\"").unwrap_or_else(|| panic!("{slug}: breadcrumbs"))..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        assert_eq!(
            attrs(nav, "href").last().map(String::as_str),
            Some(format!("{parent}.html").as_str()),
            "{slug}: parent {parent}"
        );
        let sources = page.matches("<li id=\"fn-").count();
        assert!(sources >= 1, "{slug}: at least one footnote source");
        let text = strip_tags(&page);
        assert!(!text.contains("未核实"), "{slug}: no [未核实] mark");
        let key = text.char_indices().find(|&(i, c)| {
            c == '[' && text[i + 1..].starts_with(['N', 'S']) && text[i + 2..].starts_with(|d: char| d.is_ascii_digit())
        });
        assert!(
            key.is_none(),
            "{slug}: a planning source key in {:?}",
            key.map(|(i, _)| text[i..].chars().take(6).collect::<String>())
        );
    }
}
