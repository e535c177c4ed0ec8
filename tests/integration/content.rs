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
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_real_site_builds_clean_and_holds_the_concept_map() {
    assert_eq!(SLUGS.len(), 55);
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
        55 + 6,
        "notes, home, glossary, tags, 404, the concept map and the print page"
    );
    check_links(&dest);
}
