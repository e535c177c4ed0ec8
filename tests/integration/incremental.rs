//! Incremental rebuilds (what `serve` does after an edit) must produce exactly what a full
//! build of the edited site produces.

use crate::support::*;
use conceptbook::incremental::{Rebuilt, Session};
use conceptbook::pipeline;

fn site() -> SiteTest {
    SiteTest::new()
        .simple("fine-tuning", "微调", "order = 1", "## 分类\n\n见 [[peft]]。\n")
        .simple("peft", "参数高效微调", "parent = \"fine-tuning\"\naliases = [\"PEFT\"]", "## 思路\n\n见 [[lora]]。\n")
        .simple("lora", "LoRA", "parent = \"peft\"", "属于 [[fine-tuning#分类|微调]]。\n")
        .simple("rlhf", "RLHF", "parent = \"fine-tuning\"", "对齐。\n")
        .file("content/index.md", "从 [[lora]] 开始。\n")
}

fn assert_same_as_full_build(session: &mut Session, s: &SiteTest) {
    session.refresh_search();
    let full = pipeline::build(s.root()).unwrap_or_else(|f| panic!("{:?}", f.diagnostics)).output;
    let inc = session.output();
    assert_eq!(full.keys().collect::<Vec<_>>(), inc.keys().collect::<Vec<_>>());
    for (path, bytes) in &full {
        assert!(inc[path] == *bytes, "{path} differs from a full build");
    }
}

#[test]
fn body_edits_rerender_only_what_they_touch() {
    let s = site();
    let mut session = Session::new(s.root()).unwrap();
    // a body edit that adds a link: lora's page and rlhf's backlinks change, and the print
    // page, which holds every body
    let s = s.simple("lora", "LoRA", "parent = \"peft\"", "属于 [[fine-tuning#分类|微调]]，对比 [[rlhf]]。\n");
    let r = session.rebuild(&[s.root().join("content/lora.md")]).unwrap();
    assert_eq!(r.rebuilt, Rebuilt::Pages(3));
    assert_same_as_full_build(&mut session, &s);
    // renaming a heading others link to is an error, and the last good output stays
    let before = session.output().clone();
    let s = s.simple("fine-tuning", "微调", "order = 1", "## 类别\n\n见 [[peft]]。\n");
    let failed = session.rebuild(&[s.root().join("content/fine-tuning.md")]).unwrap_err();
    assert!(failed.diagnostics.iter().any(|d| d.message.contains("no heading `#分类`")));
    assert_eq!(&before, session.output());
    // fixing it recovers
    let s = s.simple("fine-tuning", "微调", "order = 1", "## 分类\n\n见 [[peft]]，新的一句。\n");
    session.rebuild(&[s.root().join("content/fine-tuning.md")]).unwrap();
    assert_same_as_full_build(&mut session, &s);
}

#[test]
fn front_matter_and_structure_edits_rerender_everything() {
    let s = site();
    let mut session = Session::new(s.root()).unwrap();
    let s = s.simple("rlhf", "基于人类反馈的强化学习", "parent = \"fine-tuning\"", "对齐。\n");
    let r = session.rebuild(&[s.root().join("content/rlhf.md")]).unwrap();
    assert_eq!(r.rebuilt, Rebuilt::AllPages);
    assert_same_as_full_build(&mut session, &s);
    // a new note, then a deleted one
    let s = s.simple("dpo", "DPO", "parent = \"rlhf\"", "直接偏好优化。\n");
    session.rebuild(&[s.root().join("content/dpo.md")]).unwrap();
    assert_same_as_full_build(&mut session, &s);
    std::fs::remove_file(s.root().join("content/dpo.md")).unwrap();
    session.rebuild(&[s.root().join("content/dpo.md")]).unwrap();
    assert_same_as_full_build(&mut session, &s);
    // the home page, then the configuration
    let s = s.file("content/index.md", "欢迎。从 [[peft]] 开始。\n");
    session.rebuild(&[s.root().join("content/index.md")]).unwrap();
    assert_same_as_full_build(&mut session, &s);
    let s = s.file("book.toml", "[book]\ntitle = \"新标题\"\nlanguage = \"zh-CN\"\n");
    let r = session.rebuild(&[s.root().join("book.toml")]).unwrap();
    assert_eq!(r.rebuilt, Rebuilt::Full);
    assert_same_as_full_build(&mut session, &s);
}

#[test]
fn unchanged_saves_do_nothing() {
    let s = site();
    let mut session = Session::new(s.root()).unwrap();
    let r = session.rebuild(&[s.root().join("content/lora.md")]).unwrap();
    assert_eq!(r.rebuilt, Rebuilt::Nothing);
}

#[test]
fn a_title_edit_rewrites_the_shared_sidebar_files() {
    let s =
        site().file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n\n[build]\nsidebar = \"shared\"\n");
    let mut session = Session::new(s.root()).unwrap();
    let nav = |session: &Session| -> String {
        let out = session.output();
        let files: Vec<_> = out.keys().filter(|p| p.as_str().starts_with("nav/")).collect();
        assert!(!files.is_empty(), "a shared sidebar has nav files");
        files.iter().map(|p| String::from_utf8_lossy(&out[*p]).into_owned()).collect()
    };
    assert!(nav(&session).contains("\"LoRA\""));
    let s = s.simple("lora", "LoRA 低秩适配", "parent = \"peft\"", "属于 [[fine-tuning#分类|微调]]。\n");
    let r = session.rebuild(&[s.root().join("content/lora.md")]).unwrap();
    assert_eq!(r.rebuilt, Rebuilt::AllPages);
    let after = nav(&session);
    assert!(after.contains("\"LoRA 低秩适配\"") && !after.contains("\"LoRA\""), "{after}");
    assert_same_as_full_build(&mut session, &s);
}
