//! A note body as the reader sees it, in plain text: what search indexes and quotes.
//!
//! Markdown in, text out, one pass of pulldown-cmark over the same options the renderer
//! uses. Wiki links without their own text show the target's title, as on the page; code
//! is kept (readers search for `peft` and `import`); formulas, HTML tags, HTML blocks and
//! link targets are left out, since the page does not show them as text. Blocks end with a
//! newline, so words of neighbouring cells or paragraphs never run together.

use crate::markdown;
use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

/// The visible text of `body`; `title_of` names the note a wiki link target resolves to.
pub fn plain(body: &str, title_of: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut skip_link_text = false;
    for event in Parser::new_ext(body, markdown::options()) {
        if skip_link_text && !matches!(event, Event::End(TagEnd::Link)) {
            continue;
        }
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Link { link_type: LinkType::WikiLink { has_pothole: false }, dest_url, .. }) => {
                let (target, _) = crate::names::split_anchor(&dest_url);
                if let Some(title) = title_of(&target) {
                    out.push_str(&title);
                    skip_link_text = true;
                }
            }
            Event::End(TagEnd::Link) => skip_link_text = false,
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition,
            )
            | Event::TaskListMarker(_)
            | Event::Rule
                if !out.ends_with('\n') =>
            {
                out.push('\n');
            }
            _ => {}
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(target: &str) -> Option<String> {
        (target == "peft").then(|| "参数高效微调".to_string())
    }

    #[test]
    fn keeps_what_the_page_shows() {
        let body = "## 方法\n\nLoRA 是 [[peft]] 的一种，见 [[peft|高效微调]]。公式 $W_0 + BA$。\n\n| a | b |\n|---|---|\n| 低秩 | `rank` |\n\n```python\nimport peft\n```\n\n<span>shown</span>\n\n<div>\nblock html\n</div>\n";
        let text = plain(body, &titles);
        assert_eq!(
            text,
            "方法\nLoRA 是 参数高效微调 的一种，见 高效微调。公式 。\na\nb\n低秩\nrank\nimport peft\nshown"
        );
    }
}
