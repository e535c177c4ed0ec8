//! YAML front matter (`---` … `---`), read into the same [`FrontMatter`] as TOML.
//!
//! yaml-rust2's event parser gives every key and value with its byte offset, so an unknown
//! key, a value of the wrong type or a YAML syntax error is reported at its line and column,
//! like the TOML path. The keys are the TOML keys; `aliases`, `tags` and `related` take a
//! list in either form (`[a, b]` or one `- a` per line) or a single string, as Obsidian
//! writes them. Anchors and aliases (`&x`, `*x`) are refused: front matter has no use for
//! them, and refusing them rules out exponential expansion.

use super::{unknown_key_help, FrontMatter, Unread, KEYS};
use crate::error::{Diagnostic, Pos};
use crate::paths::RelPath;
use toml::Spanned;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

/// How deep collections may nest before the front matter is refused (it needs two levels).
const MAX_DEPTH: usize = 32;

/// A YAML value with where it starts (a byte offset in the front matter).
#[derive(Debug)]
enum Node {
    Scalar { value: String, plain: bool, at: usize },
    Seq { items: Vec<Node>, at: usize },
    Map { entries: Vec<Node>, at: usize },
}

impl Node {
    fn at(&self) -> usize {
        match self {
            Node::Scalar { at, .. } | Node::Seq { at, .. } | Node::Map { at, .. } => *at,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { value, plain: true, .. } if matches!(Yaml::from_str(value), Yaml::Null))
    }
}

/// Builds the tree of nodes from the parser's events, without recursion.
struct Builder {
    /// The byte offset of every character (the parser counts characters).
    bytes: Vec<usize>,
    stack: Vec<Node>,
    docs: Vec<Node>,
    /// The first thing refused: a message and where.
    refused: Option<(String, usize)>,
}

impl Builder {
    fn new(fm: &str) -> Builder {
        let mut bytes: Vec<usize> = fm.char_indices().map(|(b, _)| b).collect();
        bytes.push(fm.len());
        Builder { bytes, stack: Vec::new(), docs: Vec::new(), refused: None }
    }

    /// The byte offset of a parser mark.
    fn offset(&self, mark: &Marker) -> usize {
        self.bytes.get(mark.index()).copied().unwrap_or_else(|| *self.bytes.last().unwrap_or(&0))
    }

    fn attach(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Node::Seq { items, .. }) => items.push(node),
            Some(Node::Map { entries, .. }) => entries.push(node),
            _ => self.docs.push(node),
        }
    }

    fn refuse(&mut self, message: &str, at: usize) {
        if self.refused.is_none() {
            self.refused = Some((message.to_string(), at));
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.refused.is_some() {
            return;
        }
        let at = self.offset(&mark);
        match ev {
            Event::Alias(_) => self.refuse("YAML aliases (`*name`) are not supported in front matter", at),
            Event::Scalar(value, style, anchor, _) => {
                if anchor != 0 {
                    self.refuse("YAML anchors (`&name`) are not supported in front matter", at);
                }
                self.attach(Node::Scalar { value, plain: style == TScalarStyle::Plain, at });
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if anchor != 0 {
                    self.refuse("YAML anchors (`&name`) are not supported in front matter", at);
                } else if self.stack.len() >= MAX_DEPTH {
                    self.refuse("the front matter nests too deeply", at);
                } else if matches!(ev, Event::SequenceStart(..)) {
                    self.stack.push(Node::Seq { items: Vec::new(), at });
                } else {
                    self.stack.push(Node::Map { entries: Vec::new(), at });
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(node) = self.stack.pop() {
                    self.attach(node);
                }
            }
            _ => {}
        }
    }
}

/// Reads YAML front matter (the text between the `---` lines). Positions in the
/// diagnostics are relative to `fm` (line 0 when the problem has no place). A mapping with
/// unknown, doubled or missing keys or values of the wrong type comes back read as far as
/// it goes.
pub(super) fn parse(path: &RelPath, fm: &str) -> Result<FrontMatter, Unread> {
    parse_mapping(path, fm).map_err(Unread::unreadable)?
}

/// [`parse`]; the outer error when nothing could be read.
fn parse_mapping(path: &RelPath, fm: &str) -> Result<Result<FrontMatter, Unread>, Vec<Diagnostic>> {
    let at = |offset: usize| Pos::of_offset(fm, offset);
    let mut builder = Builder::new(fm);
    let mut parser = Parser::new_from_str(fm);
    if let Err(e) = parser.load(&mut builder, true) {
        let message = e.info().to_string();
        return Err(vec![Diagnostic::error(path, format!("invalid YAML: {message}"))
            .at(at(builder.offset(e.marker())))
            .help(
                "front matter between --- lines is YAML: `key: value`, lists as `[a, b]` or one `- item` per line",
            )]);
    }
    if let Some((message, offset)) = builder.refused {
        return Err(vec![Diagnostic::error(path, message).at(at(offset))]);
    }
    let mut docs = builder.docs.into_iter().filter(|d| !d.is_null());
    let root = docs.next();
    if let Some(extra) = docs.next() {
        return Err(vec![Diagnostic::error(path, "the front matter holds more than one YAML document")
            .at(at(extra.at()))
            .help("remove the `---` or `...` line inside the front matter")]);
    }
    let entries = match root {
        None => Vec::new(),
        Some(Node::Map { entries, .. }) => entries,
        Some(other) => {
            return Err(vec![Diagnostic::error(path, "the front matter is not a YAML mapping")
                .at(at(other.at()))
                .help("write one `key: value` per line, e.g. `title: LoRA`")])
        }
    };
    let (values, mut diags) = keys(path, fm, entries);
    let missing = ["title", "summary"].into_iter().filter(|k| !values.iter().any(|(v, _)| v == k)).collect();
    let mut front = FrontMatter {
        title: String::new(),
        summary: String::new(),
        slug: None,
        aliases: Vec::new(),
        parent: None,
        related: Vec::new(),
        tags: Vec::new(),
        order: None,
        draft: false,
        glossary: true,
    };
    for (key, value) in values {
        set(&mut front, &key, &value, &mut diags, path, fm);
    }
    Ok(if diags.is_empty() {
        Ok(front)
    } else {
        Err(Unread { front: Some(Box::new(front)), missing, diagnostics: diags })
    })
}

/// Sets one known key of `front` from its YAML value, or says what the value should be.
fn set(front: &mut FrontMatter, key: &str, value: &Node, diags: &mut Vec<Diagnostic>, path: &RelPath, fm: &str) {
    let at = |offset: usize| Pos::of_offset(fm, offset);
    let mut wrong = |expected: &str, node: &Node| {
        diags.push(Diagnostic::error(path, format!("`{key}` must be {expected}")).at(at(node.at())).help(
            match expected {
                "a list of strings" => {
                    format!("write `{key}: [a, b]`, or `{key}:` and then one `  - item` per line")
                }
                "true or false" => format!("write `{key}: true` or `{key}: false`"),
                "a whole number" => format!("write e.g. `{key}: 2`"),
                _ => {
                    format!("write `{key}: ...` with a single value; quote it if it holds `: ` or starts with `[`")
                }
            },
        ));
    };
    match key {
        "title" | "summary" | "slug" | "parent" => match string(value) {
            Some(s) => match key {
                "title" => front.title = s,
                "summary" => front.summary = s,
                "slug" => front.slug = Some(s),
                _ => front.parent = Some(spanned(value, s)),
            },
            None if value.is_null() && key != "title" && key != "summary" => {}
            None => wrong("a string", value),
        },
        "aliases" | "tags" | "related" => match list(value) {
            Some(items) => match key {
                "aliases" => front.aliases = items.into_iter().map(|(_, s)| s).collect(),
                "tags" => front.tags = items.into_iter().map(|(_, s)| s).collect(),
                _ => front.related = items.into_iter().map(|(n, s)| spanned(n, s)).collect(),
            },
            None => wrong("a list of strings", value),
        },
        "order" => match &value {
            Node::Scalar { value: v, plain: true, .. } => match Yaml::from_str(v) {
                Yaml::Integer(i) => front.order = Some(i),
                Yaml::Null => {}
                _ => wrong("a whole number", value),
            },
            _ => wrong("a whole number", value),
        },
        "draft" | "glossary" => match &value {
            Node::Scalar { value: v, plain: true, .. } => match Yaml::from_str(v) {
                Yaml::Boolean(b) if key == "draft" => front.draft = b,
                Yaml::Boolean(b) => front.glossary = b,
                Yaml::Null => {}
                _ => wrong("true or false", value),
            },
            _ => wrong("true or false", value),
        },
        _ => {}
    }
}

/// The known keys and their values, in order; unknown, doubled or missing keys as
/// diagnostics.
fn keys(path: &RelPath, fm: &str, entries: Vec<Node>) -> (Vec<(String, Node)>, Vec<Diagnostic>) {
    let at = |offset: usize| Pos::of_offset(fm, offset);
    let mut diags = Vec::new();
    let mut values: Vec<(String, Node)> = Vec::new();
    let mut entries = entries.into_iter();
    while let (Some(key), Some(value)) = (entries.next(), entries.next()) {
        let (name, key_at) = match key {
            Node::Scalar { value, at, .. } => (value, at),
            other => {
                diags.push(
                    Diagnostic::error(path, "a front matter key must be a plain name")
                        .at(at(other.at()))
                        .help(format!("known keys: {}", KEYS.join(", "))),
                );
                continue;
            }
        };
        if !KEYS.contains(&name.as_str()) {
            diags.push(
                Diagnostic::error(path, format!("unknown front matter key `{name}`"))
                    .at(at(key_at))
                    .spanning(name.chars().count())
                    .help(unknown_key_help(&name)),
            );
        } else if values.iter().any(|(k, _)| *k == name) {
            diags.push(
                Diagnostic::error(path, format!("`{name}` is given twice"))
                    .at(at(key_at))
                    .spanning(name.chars().count())
                    .help("keep one of them"),
            );
        } else {
            values.push((name, value));
        }
    }
    for key in ["title", "summary"] {
        if !values.iter().any(|(k, _)| k == key) {
            diags.push(
                Diagnostic::error(path, format!("missing required key `{key}`"))
                    .help(format!("add `{key}: ...` to the front matter")),
            );
        }
    }
    (values, diags)
}

/// A scalar's text (a plain `null`/`~`/empty is no string).
fn string(node: &Node) -> Option<String> {
    match node {
        Node::Scalar { value, .. } if !node.is_null() => Some(value.clone()),
        _ => None,
    }
}

/// A list of scalars, a single scalar (one item), or nothing (`tags:` with no value).
fn list(node: &Node) -> Option<Vec<(&Node, String)>> {
    match node {
        Node::Seq { items, .. } => items.iter().map(|n| string(n).map(|s| (n, s))).collect(),
        Node::Scalar { .. } if node.is_null() => Some(Vec::new()),
        Node::Scalar { value, .. } => Some(vec![(node, value.clone())]),
        Node::Map { .. } => None,
    }
}

/// A string with the span of the scalar as written (a quoted one starts at its quote).
fn spanned(node: &Node, s: String) -> Spanned<String> {
    let start = node.at();
    Spanned::new(start..start + s.len(), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(fm: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
        parse(&RelPath::new("content/a.md"), fm).map_err(|u| u.diagnostics)
    }

    #[test]
    fn both_list_forms_and_single_strings() {
        let f = p("title: LoRA\nsummary: 低秩适配。\naliases:\n  - 低秩适配\n  - Low-Rank Adaptation\ntags: [微调, PEFT]\nrelated: x\norder: 2\ndraft: false\nglossary: no-such\n");
        let e = f.unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].column), (10, 11), "{}", e[0]);
        let f = p("title: LoRA\nsummary: 低秩适配。\naliases:\n  - 低秩适配\n  - \"Low-Rank Adaptation\"\ntags: [微调, PEFT]\nrelated: x\norder: 2\n").unwrap();
        assert_eq!(f.aliases, ["低秩适配", "Low-Rank Adaptation"]);
        assert_eq!(f.tags, ["微调", "PEFT"]);
        assert_eq!(f.related.iter().map(|r| r.get_ref().as_str()).collect::<Vec<_>>(), ["x"]);
        assert_eq!(f.order, Some(2));
    }

    #[test]
    fn unknown_keys_and_syntax_errors_are_located() {
        let e = p("title: 标题\nsummary: s\nrealted: []\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (3, 1));
        assert_eq!(e[0].help.as_deref(), Some("did you mean `related`?"));
        let e = p("title: \"A\nsummary: s\n").unwrap_err();
        assert!(e[0].message.starts_with("invalid YAML"), "{}", e[0]);
        let e = p("title: [a, b]\nsummary: s\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column, e[0].message.as_str()), (1, 8, "`title` must be a string"));
    }

    #[test]
    fn anchors_and_aliases_are_refused() {
        let e = p("title: &a x\nsummary: *a\n").unwrap_err();
        assert!(e[0].message.contains("anchors"), "{}", e[0]);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let fm = format!("title: {}\nsummary: s\n", "[".repeat(10_000));
        assert!(p(&fm).is_err());
    }
}
