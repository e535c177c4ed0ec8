//! Callouts: GitHub alerts (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`,
//! `[!CAUTION]`) and Obsidian callouts (`> [!warning] 显存不够时`, foldable with `[!tip]-`
//! (closed) or `[!tip]+` (open)).
//!
//! [`plan`] looks over a body's events once and says which block quotes are callouts and
//! which events (the `[!type] title` line) to drop; `markdown::render` then writes the box
//! itself ([`open`], [`close`]), as it writes heading and code markup: conceptbook's own
//! markup, never the author's raw HTML. A callout is a `role="note"` box labelled with its
//! kind in the site's language, or a `<details>` whose `<summary>` is its title.

use crate::html::escape;
use pulldown_cmark::{BlockQuoteKind, Event, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// One callout: its kind (a CSS class and a label), its title, and whether it folds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callout {
    /// The canonical kind: note, tip, important, warning, caution, or one of Obsidian's.
    pub kind: &'static str,
    /// The title the author wrote, if any.
    pub title: Option<String>,
    /// `None`: not foldable; `Some(true)`: folded open (`+`); `Some(false)`: closed (`-`).
    pub fold: Option<bool>,
}

/// Which events open and close callouts, and which to drop.
#[derive(Debug, Default)]
pub struct Plan {
    pub open: HashMap<usize, Callout>,
    /// The `End(BlockQuote)` events that close a callout, with the callout they close.
    pub close: HashMap<usize, Callout>,
    pub skip: HashSet<usize>,
}

/// Obsidian's types and their aliases, by canonical kind; GitHub's five are among them.
const KINDS: &[(&str, &[&str])] = &[
    ("note", &["note"]),
    ("tip", &["tip", "hint"]),
    ("important", &["important"]),
    ("warning", &["warning", "attention"]),
    ("caution", &["caution"]),
    ("abstract", &["abstract", "summary", "tldr"]),
    ("info", &["info"]),
    ("todo", &["todo"]),
    ("success", &["success", "check", "done"]),
    ("question", &["question", "help", "faq"]),
    ("failure", &["failure", "fail", "missing"]),
    ("danger", &["danger", "error"]),
    ("bug", &["bug"]),
    ("example", &["example"]),
    ("quote", &["quote", "cite"]),
];

fn canonical(kind: &str) -> Option<&'static str> {
    let kind = kind.to_ascii_lowercase();
    KINDS.iter().find(|(_, names)| names.contains(&kind.as_str())).map(|(k, _)| *k)
}

/// The English label of a kind; the site's label file (`[callouts]`) names them in its
/// language.
pub fn label(kind: &str) -> &'static str {
    match kind {
        "tip" => "Tip",
        "important" => "Important",
        "warning" => "Warning",
        "caution" => "Caution",
        "abstract" => "Summary",
        "info" => "Info",
        "todo" => "To do",
        "success" => "Success",
        "question" => "Question",
        "failure" => "Failure",
        "danger" => "Danger",
        "bug" => "Bug",
        "example" => "Example",
        "quote" => "Quote",
        _ => "Note",
    }
}

fn github(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

/// `[!type]`, `[!type]+ Title`, `[!type]- Title`: the type, the fold and the title.
fn marker(line: &str) -> Option<(&str, Option<bool>, &str)> {
    let rest = line.trim_start().strip_prefix("[!")?;
    let end = rest.find(']')?;
    let kind = &rest[..end];
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return None;
    }
    let rest = &rest[end + 1..];
    let (fold, rest) = match rest.chars().next() {
        Some('+') => (Some(true), &rest[1..]),
        Some('-') => (Some(false), &rest[1..]),
        _ => (None, rest),
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((kind, fold, rest.trim()))
}

/// Finds the callouts among a body's block quotes.
pub fn plan(events: &[(Event, Range<usize>)], body: &str) -> Plan {
    let mut plan = Plan::default();
    // The open block quotes: the callout each is, if it is one.
    let mut stack: Vec<Option<Callout>> = Vec::new();
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::BlockQuote(kind)) => {
                let callout = match kind {
                    Some(k) => Some(Callout { kind: github(*k), title: None, fold: None }),
                    None => obsidian(events, i, body, &mut plan.skip),
                };
                if let Some(c) = &callout {
                    plan.open.insert(i, c.clone());
                }
                stack.push(callout);
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                if let Some(Some(c)) = stack.pop() {
                    plan.close.insert(i, c);
                }
            }
            _ => {}
        }
    }
    plan
}

/// An Obsidian callout opening at block quote `i`: its first paragraph's first line is the
/// marker. The events of that line go into `skip`.
fn obsidian(events: &[(Event, Range<usize>)], i: usize, body: &str, skip: &mut HashSet<usize>) -> Option<Callout> {
    let (Event::Start(Tag::Paragraph), range) = events.get(i + 1)? else { return None };
    let line = body.get(range.start..)?.split('\n').next()?;
    let (kind, fold, title) = marker(line)?;
    // The line's events, up to the line break or the paragraph's end; they must be balanced.
    let mut depth = 0i32;
    let mut j = i + 2;
    loop {
        match &events.get(j)?.0 {
            Event::SoftBreak | Event::HardBreak if depth == 0 => break,
            Event::End(TagEnd::Paragraph) if depth == 0 => break,
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return None;
        }
        j += 1;
    }
    skip.extend(i + 2..=j);
    if matches!(events[j].0, Event::End(TagEnd::Paragraph)) {
        // The marker was the whole paragraph: drop the paragraph too.
        skip.insert(i + 1);
    }
    let (kind, title) = match canonical(kind) {
        Some(k) => (k, title),
        // An unknown type looks like a note, titled with its name when it has no title.
        None => ("note", if title.is_empty() { kind } else { title }),
    };
    let title = (!title.is_empty()).then(|| title.to_string());
    Some(Callout { kind, title, fold })
}

/// The opening markup of a callout; `label` names its kind in the site's language.
pub fn open(c: &Callout, label: &str) -> String {
    let label = escape(label);
    let title = c.title.as_deref().map_or_else(|| label.clone(), escape);
    let kind = c.kind;
    match c.fold {
        Some(open) => format!(
            "<details class=\"callout callout-{kind}\"{}>\n<summary class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>{}</summary>\n<div class=\"callout-body\">\n",
            if open { " open" } else { "" },
            if c.title.is_some() { format!("<span class=\"visually-hidden\">{label}: </span>{title}") } else { title }
        ),
        None => format!(
            "<div class=\"callout callout-{kind}\" role=\"note\" aria-label=\"{label}\">\n<p class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>{title}</p>\n"
        ),
    }
}

/// The closing markup of a callout.
pub fn close(c: &Callout) -> &'static str {
    match c.fold {
        Some(_) => "</div>\n</details>\n",
        None => "</div>\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(marker("[!warning] 显存不够时"), Some(("warning", None, "显存不够时")));
        assert_eq!(marker("[!tip]- 折叠"), Some(("tip", Some(false), "折叠")));
        assert_eq!(marker("[!faq]+"), Some(("faq", Some(true), "")));
        assert_eq!(marker("[!NOTE]"), Some(("NOTE", None, "")));
        assert_eq!(marker("[!note]x"), None);
        assert_eq!(marker("[!] x"), None);
        assert_eq!(marker("[x] y"), None);
        assert_eq!(marker("[!a b] y"), None);
    }

    struct Zh;
    impl crate::markdown::Linker for Zh {
        fn resolve(&self, _: crate::names::RefKind, _: &str, _: Option<&str>) -> Option<crate::markdown::LinkTarget> {
            None
        }
        fn anchor_label(&self) -> &str {
            "链接到本节"
        }
        fn callout_label(&self, kind: &str) -> String {
            match kind {
                "note" => "备注",
                "warning" => "警告",
                other => label(other),
            }
            .to_string()
        }
    }

    fn html(body: &str) -> String {
        let scan = crate::markdown::scan(body);
        crate::markdown::render(body, &scan.headings, &Zh)
    }

    #[test]
    fn github_alerts_and_obsidian_callouts_render_as_boxes() {
        let h = html("> [!NOTE]\n> 一段说明。\n");
        assert_eq!(h, "<div class=\"callout callout-note\" role=\"note\" aria-label=\"备注\">\n<p class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>备注</p>\n<p>一段说明。</p>\n</div>\n");
        let h = html("> [!warning] 显存不够时\n> 换用 **QLoRA**。\n");
        assert!(h.starts_with("<div class=\"callout callout-warning\" role=\"note\" aria-label=\"警告\">"), "{h}");
        assert!(h.contains("</span>显存不够时</p>\n<p>换用 <strong>QLoRA</strong>。</p>\n</div>"), "{h}");
        assert!(!h.contains("[!"), "{h}");
        let h = html("> [!tip]- 点开看\n>\n> 藏起来的内容\n");
        assert!(h.starts_with("<details class=\"callout callout-tip\">\n<summary class=\"callout-title\">"), "{h}");
        assert!(h.contains("点开看</summary>") && h.contains("<p>藏起来的内容</p>\n</div>\n</details>"), "{h}");
        let h = html("> [!faq]+\n> 开着\n");
        assert!(h.starts_with("<details class=\"callout callout-question\" open>"), "{h}");
        // A plain quote stays a quote; a nested callout closes in the right place.
        assert_eq!(html("> 引文\n"), "<blockquote>\n<p>引文</p>\n</blockquote>\n");
        let h = html("> [!note]\n> 外\n> > [!caution] 内\n> > 里面\n>\n> 外面\n");
        assert!(h.contains("<p>里面</p>\n</div>\n<p>外面</p>\n</div>"), "{h}");
        // Markup in the title is text, never HTML.
        let h = html("> [!note] <img src=x onerror=alert(1)>\n> x\n");
        assert!(h.contains("&lt;img") && !h.contains("<img"), "{h}");
    }

    #[test]
    fn english_labels_by_default() {
        assert_eq!(label("warning"), "Warning");
        assert_eq!(label("no-such"), "Note");
    }
}
