//! Snapshots of what readers and authors see: one rendered note, the glossary, an error
//! report. Review changes with `cargo insta review` (or read the .snap diff).

use crate::support::*;

fn site() -> SiteTest {
    SiteTest::new()
        .simple("fine-tuning", "微调", "aliases = [\"Fine-tuning\"]", "在预训练模型上继续训练。\n\n## 分类\n\n按参数量分为全量微调与 [[peft]]。\n")
        .simple(
            "peft",
            "参数高效微调",
            "aliases = [\"PEFT\"]\nparent = \"fine-tuning\"\ntags = [\"微调\"]",
            "## 思路\n\n冻结大部分参数。[[lora]] 是其中之一。\n\n## 方法\n\n| 类别 | 例子 |\n| --- | --- |\n| 重参数化 | LoRA |\n\n## 常见误解\n\n误解：~~要改模型结构~~。事实：不改。[^s35]\n\n[^s35]: Hu et al., *LoRA*, 2021, arXiv:2106.09685\n",
        )
        .simple(
            "lora",
            "LoRA（低秩适配）",
            "aliases = [\"LoRA\"]\nparent = \"peft\"\ntags = [\"微调\", \"PEFT\"]",
            "$$W = W_0 + \\frac{\\alpha}{r} BA$$\n\n```python\nconfig = LoraConfig(r=8)\n```\n\n- [x] 冻结 $W_0$\n",
        )
}

#[test]
fn rendered_note() {
    let s = site();
    s.build().ok();
    insta::assert_snapshot!(s.read("peft.html"));
}

#[test]
fn glossary_page() {
    let s = site();
    s.build().ok();
    let g = s.read("glossary.html");
    let main = &g[g.find("<main").unwrap()..g.find("</main>").unwrap()];
    insta::assert_snapshot!(main);
}

#[test]
fn error_report() {
    let s = site()
        .simple("a", "甲", "parent = \"lroa\"\nrealted = []", "")
        .simple("b", "乙", "parent = \"peft\"", "见 [[fine-tuning#分娄]] 与 [[nothing-like-it]]。\n")
        .simple("c", "丙", "parent = \"a\"", "$\\nosuch$\n");
    let run = s.build().failed();
    insta::assert_snapshot!(run.stderr);
}
