//! Markdown bodies: scanned once for references and headings, rendered once to HTML.
//!
//! Both passes run pulldown-cmark over the same options, so what `scan` finds is exactly
//! what `render` meets. Each rewrite of the event stream is a small function: headings get
//! stable ids and an anchor link, wiki links and `other.md` links become relative links to
//! note pages (the [`Linker`] knows where notes live), fenced code is highlighted by
//! syntect, and `$…$` / `$$…$$` become MathML.

use crate::highlight;
use crate::note::{split_anchor, Heading, RefKind};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_GFM
}

/// A reference found in a body, at a byte offset of the body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyRef {
    pub offset: usize,
    /// The length of the whole link in the source, in characters.
    pub len: usize,
    pub kind: RefKind,
    pub target: String,
    pub anchor: Option<String>,
}

#[derive(Debug, Default)]
pub struct Scan {
    pub refs: Vec<BodyRef>,
    pub headings: Vec<Heading>,
    /// Byte ranges of formulas that do not parse, with the parser's message.
    pub math_errors: Vec<(std::ops::Range<usize>, String)>,
}

/// Finds the references and headings of a body.
pub fn scan(body: &str) -> Scan {
    let mut scan = Scan::default();
    let mut ids = IdAllocator::default();
    let mut heading: Option<(u8, Option<String>, String)> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((level_num(level), id.map(|s| s.to_string()), String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit, text)) = heading.take() {
                    let id = ids.allocate(explicit.as_deref(), &text);
                    scan.headings.push(Heading { level, id, text: text.trim().to_string() });
                }
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                if let Some(message) = tex_error(&t) {
                    scan.math_errors.push((range.clone(), message));
                }
                if let Some((_, _, text)) = &mut heading {
                    text.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = &mut heading {
                    text.push_str(&t);
                }
            }
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                if let Some(mut r) = classify_link(link_type, &dest_url, range.start) {
                    r.len = body[range].chars().count();
                    scan.refs.push(r);
                }
            }
            _ => {}
        }
    }
    scan
}

fn classify_link(link_type: LinkType, dest: &str, offset: usize) -> Option<BodyRef> {
    match link_type {
        LinkType::WikiLink { .. } => {
            let (target, anchor) = split_anchor(dest);
            Some(BodyRef { offset, len: 0, kind: RefKind::Wiki, target, anchor })
        }
        LinkType::Inline | LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
            let (path, anchor) = split_anchor(dest);
            let is_relative = !path.contains(':') && !path.starts_with('/');
            (is_relative && path.ends_with(".md")).then(|| BodyRef {
                offset,
                len: 0,
                kind: RefKind::File,
                target: percent_decode(&path),
                anchor,
            })
        }
        _ => None,
    }
}

fn level_num(level: HeadingLevel) -> u8 {
    level as u8
}

/// Gives each heading a unique id: the explicit `{#id}` if any, else the slugified text,
/// with `-1`, `-2`… appended to repeats.
#[derive(Default)]
struct IdAllocator {
    seen: HashMap<String, usize>,
}

impl IdAllocator {
    fn allocate(&mut self, explicit: Option<&str>, text: &str) -> String {
        let base = explicit.map(str::to_string).unwrap_or_else(|| slugify(text));
        let n = self.seen.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            format!("{base}-{}", *n - 1)
        }
    }
}

/// A heading id: NFKC-folded, lower-cased; letters and digits of any script kept (so
/// Chinese headings keep their text), everything else collapsed to single hyphens.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "section".to_string()
    } else {
        trimmed.to_string()
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Where a reference goes, as the renderer needs it.
#[derive(Debug, Clone)]
pub struct LinkTarget {
    pub href: String,
    pub slug: String,
    /// The target note's title, or its heading's text for an anchor.
    pub text: String,
}

/// Resolves references while rendering; the graph has already checked them all.
pub trait Linker {
    fn resolve(&self, kind: RefKind, target: &str, anchor: Option<&str>) -> Option<LinkTarget>;
}

/// Renders a body to HTML. `headings` are the ids `scan` gave this same body, whose
/// formulas `scan` has checked.
pub fn render(body: &str, headings: &[Heading], linker: &dyn Linker) -> String {
    let mut events: Vec<Event> = Vec::new();
    let mut heading_index = 0;
    let mut code: Option<(String, String)> = None; // (lang, text)
    let mut skip_link_text = false;
    let mut in_special_link = false;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Some((_, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().unwrap_or_default();
                    events.push(Event::Html(highlight::code_block(&text, &lang).into()));
                }
                _ => {}
            }
            continue;
        }
        if skip_link_text && !matches!(event, Event::End(TagEnd::Link)) {
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let id = headings.get(heading_index).map_or("section", |h| h.id.as_str());
                events.push(Event::Html(format!("<{} id=\"{}\">", level, escape(id)).into()));
            }
            Event::End(TagEnd::Heading(level)) => {
                let id = headings.get(heading_index).map_or("section", |h| h.id.as_str());
                heading_index += 1;
                events.push(Event::Html(
                    format!(
                        "<a class=\"anchor\" href=\"#{0}\" aria-label=\"链接到本节\">#</a></{1}>",
                        escape(id),
                        level
                    )
                    .into(),
                ));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                match classify_link(link_type, &dest_url, range.start) {
                    Some(r) => {
                        in_special_link = true;
                        let resolved = linker.resolve(r.kind, &r.target, r.anchor.as_deref());
                        let piped = !matches!(link_type, LinkType::WikiLink { has_pothole: false });
                        match resolved {
                            Some(t) => {
                                events.push(Event::Html(
                                    format!(
                                        "<a class=\"note-link\" href=\"{}\" data-slug=\"{}\">",
                                        escape(&t.href),
                                        escape(&t.slug)
                                    )
                                    .into(),
                                ));
                                if !piped {
                                    events.push(Event::Text(t.text.into()));
                                    skip_link_text = true;
                                }
                            }
                            None => events.push(Event::Html("<a class=\"note-link broken\">".into())),
                        }
                    }
                    None => events.push(Event::Start(Tag::Link { link_type, dest_url, title, id })),
                }
            }
            Event::End(TagEnd::Link) => {
                skip_link_text = false;
                if in_special_link {
                    in_special_link = false;
                    events.push(Event::Html("</a>".into()));
                } else {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::InlineMath(src) => events.push(math(&src, false)),
            Event::DisplayMath(src) => events.push(math(&src, true)),
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Why a formula does not parse, if it does not.
fn tex_error(src: &str) -> Option<String> {
    let storage = pulldown_latex::Storage::new();
    let e = pulldown_latex::Parser::new(src, &storage).find_map(Result::err)?;
    let detail = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
    Some(format!("formula does not parse: {detail} in `{}`", src.trim()))
}

/// MathML for a formula that `scan` has checked; one that fails anyway shows as code.
fn math<'a>(src: &str, display: bool) -> Event<'a> {
    use pulldown_latex::{config::DisplayMode, Parser as TexParser, RenderConfig, Storage};
    let storage = Storage::new();
    let parsed: Vec<_> = TexParser::new(src, &storage).collect();
    let fallback = || Event::Html(format!("<code class=\"math-error\">{}</code>", escape(src)).into());
    if parsed.iter().any(Result::is_err) {
        return fallback();
    }
    let config = RenderConfig {
        display_mode: if display { DisplayMode::Block } else { DisplayMode::Inline },
        annotation: Some(src.trim()),
        ..RenderConfig::default()
    };
    let mut html = String::new();
    if display {
        html.push_str("<div class=\"math-display\">");
    }
    if pulldown_latex::push_mathml(&mut html, parsed.into_iter(), config).is_err() {
        return fallback();
    }
    if display {
        html.push_str("</div>");
    }
    Event::Html(CowStr::from(html))
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).expect("writing to a String");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Linker for Fixed {
        fn resolve(&self, _: RefKind, target: &str, anchor: Option<&str>) -> Option<LinkTarget> {
            (target == "peft").then(|| LinkTarget {
                href: format!("peft.html{}", anchor.map(|a| format!("#{a}")).unwrap_or_default()),
                slug: "peft".into(),
                text: "参数高效微调".into(),
            })
        }
    }

    fn html(body: &str) -> String {
        let s = scan(body);
        render(body, &s.headings, &Fixed)
    }

    #[test]
    fn heading_ids_keep_chinese_and_dedupe() {
        let s = scan("## 常见误解\n## GPT-3.5\n## 常见误解\n## Custom {#gpt-4}\n");
        let ids: Vec<_> = s.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["常见误解", "gpt-3-5", "常见误解-1", "gpt-4"]);
        assert!(html("## 常见误解\n").contains("<h2 id=\"常见误解\">常见误解<a class=\"anchor\" href=\"#常见误解\""));
    }

    #[test]
    fn wiki_links_take_the_title_unless_piped() {
        assert!(
            html("[[peft]]").contains("<a class=\"note-link\" href=\"peft.html\" data-slug=\"peft\">参数高效微调</a>")
        );
        assert!(html("[[peft|高效微调]]").contains(">高效微调</a>"));
        assert!(html("[[peft#x|y]]").contains("href=\"peft.html#x\""));
    }

    #[test]
    fn math_becomes_mathml_and_errors_carry_offsets() {
        let html = render("a $x^2$ b", &[], &Fixed);
        assert!(html.contains("<math"), "{html}");
        let s = scan("ok\n\n$\\nosuch{x}$");
        assert_eq!(s.math_errors.len(), 1);
        assert_eq!(s.math_errors[0].0.start, 4);
    }

    #[test]
    fn external_links_untouched() {
        assert!(html("[x](https://a.b/c.md)").contains("<a href=\"https://a.b/c.md\">"));
    }
}
