//! The repository's own site: the LLM concept notes build with no errors and no warnings,
//! and the concept map of CONTENT.md holds.

use crate::support::*;
use std::path::Path;

const SLUGS: &[&str] = &[
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

#[test]
fn the_real_site_builds_clean_and_holds_the_concept_map() {
    assert_eq!(SLUGS.len(), 55 + 17);
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("book");
    let run = std::process::Command::new(BIN)
        .args(["build", "--root", repo().to_str().unwrap(), "--dest", dest.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.trim().is_empty(), "no errors and no warnings:\n{stderr}");
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
    assert_eq!(
        std::fs::read_dir(dest.clone())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "html"))
            .count(),
        55 + 17 + 5,
        "notes, home, glossary, tags, 404 and the concept map"
    );
    check_links(&dest);
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
        assert_eq!(attrs(nav, "href").last().map(String::as_str), Some(format!("{parent}.html").as_str()), "{slug}: parent {parent}");
        let sources = page.matches("class=\"footnote-definition\"").count();
        assert!(sources >= 1, "{slug}: at least one footnote source");
        let text = strip_tags(&page);
        assert!(!text.contains("未核实"), "{slug}: no [未核实] mark");
        let key = text.char_indices().find(|&(i, c)| {
            c == '[' && text[i + 1..].starts_with(['N', 'S']) && text[i + 2..].starts_with(|d: char| d.is_ascii_digit())
        });
        assert!(key.is_none(), "{slug}: a planning source key in {:?}", key.map(|(i, _)| text[i..].chars().take(6).collect::<String>()));
    }
}
