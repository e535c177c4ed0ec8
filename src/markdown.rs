//! Markdown bodies: scanned once for references and headings, rendered once to HTML.
//!
//! Both passes run pulldown-cmark over the same options, so what `scan` finds is exactly
//! what `render` meets. Each rewrite of the event stream is a small function: headings get
//! stable ids and an anchor link, wiki links and `other.md` links become relative links to
//! note pages (the [`Linker`] knows where notes live), fenced code is highlighted by
//! syntect, and `$…$` / `$$…$$` become MathML.

use crate::callout;
use crate::highlight;
use crate::html::escape;
use crate::names::{slugify, split_anchor, Heading, RefKind};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

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
    /// Where the body's raw HTML passes [`MAX_HTML_TAGS`] (a byte offset), if it does: then
    /// all of it is written as text.
    pub html_over: Option<usize>,
    /// Links and images whose URL starts at a server's root (`/posts/x/`), with where they
    /// are (a byte offset): see [`is_rooted`].
    pub rooted: Vec<(usize, String)>,
}

/// Whether a URL starts at the root of whatever server the site is on (`/img/a.png`, not
/// `//host/x`): from a GitHub Pages project site (`user.github.io/repo/`) or `file://` it
/// misses the site.
pub fn is_rooted(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

/// Finds the references and headings of a body.
pub fn scan(body: &str) -> Scan {
    let mut scan = Scan::default();
    let mut ids = IdAllocator::default();
    let mut heading: Option<(u8, Option<String>, String)> = None;
    let mut tags = 0;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Html(t) | Event::InlineHtml(t) => {
                tags += tags_in(&t);
                if tags > MAX_HTML_TAGS && scan.html_over.is_none() {
                    scan.html_over = Some(range.start);
                }
            }
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
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) if is_rooted(&dest_url) => {
                scan.rooted.push((range.start, dest_url.to_string()));
            }
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                if let Some(mut r) = classify_link(link_type, &dest_url, range.start) {
                    r.len = body[range].chars().count();
                    scan.refs.push(r);
                }
            }
            Event::Start(Tag::Image { link_type, dest_url, .. }) => {
                if let Some(mut r) = attachment(link_type, &dest_url, range.start, true)
                    .or_else(|| embed(link_type, &dest_url, range.start))
                {
                    r.len = body[range].chars().count();
                    scan.refs.push(r);
                }
            }
            _ => {}
        }
    }
    scan
}

/// A link or image to an attachment (`img/pic.png`, `doc.pdf`, `![[pic.png]]`), if it is one.
fn attachment(link_type: LinkType, dest: &str, offset: usize, image: bool) -> Option<BodyRef> {
    let by_name = matches!(link_type, LinkType::WikiLink { .. });
    let written = by_name
        || matches!(link_type, LinkType::Inline | LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut);
    (written && crate::attachments::is_reference(dest)).then(|| BodyRef {
        offset,
        len: 0,
        kind: RefKind::Attachment { by_name, image },
        target: dest.to_string(),
        anchor: None,
    })
}

/// An image's width, and its height when given.
type ImageSize = (u32, Option<u32>);

/// Obsidian's size of an embedded image, `300` or `300x200` (at most 4 digits each).
fn image_size(text: &str) -> Option<ImageSize> {
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    match text.trim().split_once('x') {
        Some((w, h)) => Some((number(w)?, Some(number(h)?))),
        None => Some((number(text.trim())?, None)),
    }
}

/// Obsidian's `![[Note]]`, which embeds a note where an attachment's name would embed the
/// file: a reference to the note, which the page links to ([`Rewrite::embed_start`]).
fn embed(link_type: LinkType, dest: &str, offset: usize) -> Option<BodyRef> {
    matches!(link_type, LinkType::WikiLink { .. }).then(|| wiki_ref(dest, offset))
}

/// `[[target#anchor]]` as a reference to a note.
fn wiki_ref(dest: &str, offset: usize) -> BodyRef {
    // In a table Obsidian writes `[[note\|text]]`, since a bare `|` would end the cell.
    let (target, anchor) = split_anchor(dest.strip_suffix('\\').unwrap_or(dest));
    BodyRef { offset, len: 0, kind: RefKind::Wiki, target, anchor }
}

/// The opening tag of a link conceptbook writes to a note, of these `class`es. The home
/// page (`[home](index.md)`) is no note: no slug, so no hover preview.
fn note_link_open(class: &str, t: &LinkTarget) -> String {
    if t.slug.is_empty() {
        format!("<a class=\"{class}\" href=\"{}\">", escape(&t.href))
    } else {
        format!("<a class=\"{class}\" href=\"{}\" data-slug=\"{}\">", escape(&t.href), escape(&t.slug))
    }
}

fn classify_link(link_type: LinkType, dest: &str, offset: usize) -> Option<BodyRef> {
    if let Some(r) = attachment(link_type, dest, offset, false) {
        return Some(r);
    }
    match link_type {
        LinkType::WikiLink { .. } => Some(wiki_ref(dest, offset)),
        LinkType::Inline | LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
            let (path, anchor) = split_anchor(dest);
            let is_relative = !path.contains(':') && !path.starts_with('/');
            (is_relative && crate::names::is_note_file(&path)).then(|| BodyRef {
                offset,
                len: 0,
                kind: RefKind::File,
                target: crate::paths::percent_decode(&path).unwrap_or_else(|| path.clone()),
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

    /// The accessible name of a heading's `#` anchor link, in the site's language.
    fn anchor_label(&self) -> &str;

    /// The URL to write for a reference to an attachment (`img/pic.png`, `![[pic.png]]`
    /// when `by_name`), relative to the page; `None` keeps the URL as written.
    fn attachment(&self, _url: &str, _by_name: bool) -> Option<String> {
        None
    }

    /// The terms to link on first mention (`[build] auto-link`), when the site wants it.
    fn auto_link(&self) -> Option<AutoLink<'_>> {
        None
    }

    /// The label of a callout's kind (`note`, `warning`, …) in the site's language.
    fn callout_label(&self, kind: &str) -> String {
        callout::label(kind).to_string()
    }

    /// Whether the authors are trusted (book.toml's `trusted-html`): their raw HTML and
    /// link URLs are then kept as written, not sanitized.
    fn trusted_html(&self) -> bool {
        false
    }

    /// The words a body's HTML carries, in the site's language.
    fn words(&self) -> BodyWords<'_> {
        BodyWords::default()
    }
}

/// The interface words of a body's footnote list.
#[derive(Debug, Clone, Copy)]
pub struct BodyWords<'a> {
    /// The heading over the footnotes.
    pub footnotes: &'a str,
    /// The `aria-label` of a footnote's ↩ link back to its citation.
    pub back: &'a str,
}

impl Default for BodyWords<'static> {
    fn default() -> Self {
        BodyWords { footnotes: "References", back: "Back to citation" }
    }
}

/// Renders a body to HTML. `headings` are the ids `scan` gave this same body, whose
/// formulas `scan` has checked.
pub fn render(body: &str, headings: &[Heading], linker: &dyn Linker) -> String {
    let trusted = linker.trusted_html();
    // Callouts need to look ahead (the `[!type]` line), so a body that may hold one is
    // collected; any other streams through. Their markup is conceptbook's own, written here
    // after the author's raw HTML was sanitized.
    let (events_in, callouts) = if body.contains("[!") {
        let parsed: Vec<_> = authored(body, trusted).collect();
        let plan = callout::plan(&parsed, body);
        (Box::new(parsed.into_iter()) as Box<dyn Iterator<Item = _>>, plan)
    } else {
        (authored(body, trusted), callout::Plan::default())
    };
    let mut rewrite = Rewrite::new(headings, linker, trusted);
    for (i, (event, range)) in events_in.enumerate() {
        if callouts.skip.contains(&i) {
            continue;
        }
        if let Some(c) = callouts.open.get(&i) {
            rewrite.events.push(Event::Html(callout::open(c, &linker.callout_label(c.kind)).into()));
        } else if let Some(c) = callouts.close.get(&i) {
            rewrite.events.push(Event::Html(callout::close(c).into()));
        } else {
            rewrite.event(event, range.start);
        }
    }
    let events = rewrite.finish();
    let mut html = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// The rewrite of one body's event stream, one small step per kind of event: headings get
/// ids and anchors, code is highlighted, note links resolved, tables boxed, text marked
/// for auto-linking; then, over the whole stream, auto-links, math glue and footnotes.
struct Rewrite<'a, 'l> {
    headings: &'l [Heading],
    linker: &'l dyn Linker,
    trusted: bool,
    auto: Option<AutoLink<'l>>,
    events: Vec<Event<'a>>,
    heading_index: usize,
    /// Inside a fenced code block: (language, text so far).
    code: Option<(String, String)>,
    /// A `[[wiki]]` link written as its target's title: its own text is dropped.
    skip_link_text: bool,
    /// Inside a link conceptbook wrote itself (a note link, or one whose URL was unsafe).
    in_special_link: bool,
    /// Inside `![[Note]]`: its alt text is dropped, the link ends with the image.
    in_embed: bool,
    in_heading: bool,
    link_depth: usize,
    image_depth: usize,
    /// Inside Obsidian's `![[pic.png|300]]`: where its start is in `events`, and the width
    /// and height its "alt text" gives, once read.
    sized_image: Option<(usize, Option<ImageSize>)>,
    /// Citations keep their words: no auto-links in footnotes.
    in_footnote: bool,
    /// The table cell being read: where its start is, and its text's width in ems so far.
    cell: Option<(usize, f64)>,
    /// The Text events outside headings, links and images: where auto-links may go.
    linkable: Vec<usize>,
}

impl<'a, 'l> Rewrite<'a, 'l> {
    fn new(headings: &'l [Heading], linker: &'l dyn Linker, trusted: bool) -> Self {
        Rewrite {
            headings,
            linker,
            trusted,
            auto: linker.auto_link(),
            events: Vec::new(),
            heading_index: 0,
            code: None,
            skip_link_text: false,
            in_special_link: false,
            in_embed: false,
            in_heading: false,
            link_depth: 0,
            image_depth: 0,
            sized_image: None,
            in_footnote: false,
            cell: None,
            linkable: Vec::new(),
        }
    }

    fn event(&mut self, event: Event<'a>, offset: usize) {
        if self.code.is_some() {
            return self.code_text(event);
        }
        if self.skip_link_text && !matches!(event, Event::End(TagEnd::Link)) {
            return;
        }
        if self.in_embed {
            if matches!(event, Event::End(TagEnd::Image)) {
                self.in_embed = false;
                self.events.push(Event::Html("</a>".into()));
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => self.heading_start(level),
            Event::End(TagEnd::Heading(level)) => self.heading_end(level),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                self.link_start(link_type, dest_url, title, id, offset)
            }
            Event::End(TagEnd::Link) => self.link_end(),
            Event::InlineMath(src) => self.events.push(math(&src, false)),
            Event::DisplayMath(src) => self.events.push(math(&src, true)),
            Event::Start(Tag::Table(_))
            | Event::End(TagEnd::Table)
            | Event::Start(Tag::TableCell)
            | Event::End(TagEnd::TableCell) => self.table(event),
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                self.image_start(link_type, dest_url, title, id, offset)
            }
            Event::Text(t) if self.sized_image.is_some_and(|(_, size)| size.is_none()) && image_size(&t).is_some() => {
                if let Some((_, size)) = &mut self.sized_image {
                    *size = image_size(&t);
                }
            }
            Event::End(TagEnd::Image) => {
                self.image_depth = self.image_depth.saturating_sub(1);
                match self.sized_image.take() {
                    Some((start, Some(size))) => self.sized_img(start, size),
                    _ => self.events.push(event),
                }
            }
            Event::Start(Tag::FootnoteDefinition(_)) | Event::End(TagEnd::FootnoteDefinition) => {
                self.in_footnote = matches!(event, Event::Start(_));
                self.events.push(event);
            }
            Event::Text(t) => self.text(t),
            Event::Code(t) => {
                self.measure(&t, 0.6);
                self.events.push(Event::Code(t));
            }
            other => self.events.push(other),
        }
    }

    /// Inside a fenced block: gather its text; at its end, the highlighted block.
    fn code_text(&mut self, event: Event<'a>) {
        match event {
            Event::Text(t) => {
                if let Some((_, text)) = &mut self.code {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let (lang, text) = self.code.take().unwrap_or_default();
                let block = highlight::code_block(&text, &lang);
                // The language label sits on a wrapper, so it stays put as the code scrolls.
                let html = if lang.is_empty() {
                    block
                } else {
                    format!(
                        "<div class=\"code-wrap\"><span class=\"lang-label\" aria-hidden=\"true\">{}</span>{block}</div>\n",
                        escape(&lang)
                    )
                };
                self.events.push(Event::Html(html.into()));
            }
            _ => {}
        }
    }

    fn heading_id(&self) -> &'l str {
        self.headings.get(self.heading_index).map_or("section", |h| h.id.as_str())
    }

    fn heading_start(&mut self, level: HeadingLevel) {
        self.in_heading = true;
        let id = self.heading_id();
        self.events.push(Event::Html(format!("<{} id=\"{}\">", level, escape(id)).into()));
    }

    fn heading_end(&mut self, level: HeadingLevel) {
        let id = self.heading_id();
        self.heading_index += 1;
        self.in_heading = false;
        let anchor = format!(
            "<a class=\"anchor\" href=\"#{0}\" aria-label=\"{2}\">#</a></{1}>",
            escape(id),
            level,
            escape(self.linker.anchor_label())
        );
        self.events.push(Event::Html(anchor.into()));
    }

    /// A link: to a note (resolved by the linker), with an unsafe URL (its text kept, its
    /// target dropped), or any other, as written.
    fn link_start(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
        offset: usize,
    ) {
        match classify_link(link_type, &dest_url, offset) {
            Some(BodyRef { kind: RefKind::Attachment { by_name, .. }, .. }) => {
                let dest_url = self.attachment_url(dest_url, by_name);
                self.link_depth += 1;
                self.events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }))
            }
            Some(r) => {
                self.in_special_link = true;
                let piped = !matches!(link_type, LinkType::WikiLink { has_pothole: false });
                match self.linker.resolve(r.kind, &r.target, r.anchor.as_deref()) {
                    Some(t) => {
                        self.events.push(Event::Html(note_link_open("note-link", &t).into()));
                        if !piped {
                            self.events.push(Event::Text(t.text.into()));
                            self.skip_link_text = true;
                        }
                    }
                    None => self.events.push(Event::Html("<a class=\"note-link broken\">".into())),
                }
            }
            // A `javascript:` or `data:` link keeps its text, not its target.
            None if !self.trusted && !crate::sanitize::url_is_safe(&dest_url) => {
                self.in_special_link = true;
                self.events.push(Event::Html("<a>".into()));
            }
            None => {
                self.link_depth += 1;
                self.events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }))
            }
        }
    }

    /// `![[pic.png|300]]` or `|300x200`: Obsidian's size, not an alt text for a screen
    /// reader to read out. The image from `start` on is written as one `<img>` with that
    /// width (and height), its alt text the file's name.
    fn sized_img(&mut self, start: usize, (width, height): ImageSize) {
        let Some(Event::Start(Tag::Image { dest_url, title, .. })) = self.events.get(start).cloned() else { return };
        self.events.truncate(start);
        let name = dest_url.rsplit('/').next().unwrap_or(&dest_url);
        let name = crate::paths::percent_decode(name).unwrap_or_else(|| name.to_string());
        let alt = name.rsplit_once('.').map_or(name.as_str(), |(stem, _)| stem).to_string();
        let mut img = format!("<img src=\"{}\" alt=\"{}\" width=\"{width}\"", escape(&dest_url), escape(&alt));
        if let Some(h) = height {
            img.push_str(&format!(" height=\"{h}\""));
        }
        if !title.is_empty() {
            img.push_str(&format!(" title=\"{}\"", escape(&title)));
        }
        img.push_str(" />");
        self.events.push(Event::Html(img.into()));
    }

    /// An image: an attachment's (its URL from this page), Obsidian's `![[Note]]` (a link
    /// to the note), or any other, as written.
    fn image_start(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
        offset: usize,
    ) {
        let dest_url = match attachment(link_type, &dest_url, offset, true) {
            Some(BodyRef { kind: RefKind::Attachment { by_name, .. }, .. }) => self.attachment_url(dest_url, by_name),
            _ => match embed(link_type, &dest_url, offset) {
                Some(r) => return self.embed_start(&r),
                None => dest_url,
            },
        };
        self.image_depth += 1;
        if matches!(link_type, LinkType::WikiLink { .. }) {
            self.sized_image = Some((self.events.len(), None));
        }
        self.events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
    }

    /// `![[Note]]`: Obsidian shows the note inside this one; here it is a link to it, with
    /// the note's title (an image of a page that is no image was a broken picture).
    fn embed_start(&mut self, r: &BodyRef) {
        self.in_embed = true;
        match self.linker.resolve(r.kind, &r.target, r.anchor.as_deref()) {
            Some(t) => {
                self.events.push(Event::Html(note_link_open("note-link embed", &t).into()));
                self.events.push(Event::Text(t.text.into()));
            }
            None => self.events.push(Event::Html("<a class=\"note-link broken\">".into())),
        }
    }

    /// Where the attachment a link or image names is, from this page (`by_name`: an
    /// Obsidian embed, found by its file name too); as written when the linker cannot say.
    fn attachment_url(&self, dest_url: CowStr<'a>, by_name: bool) -> CowStr<'a> {
        self.linker.attachment(&dest_url, by_name).map_or(dest_url, CowStr::from)
    }

    fn link_end(&mut self) {
        self.skip_link_text = false;
        if self.in_special_link {
            self.in_special_link = false;
            self.events.push(Event::Html("</a>".into()));
        } else {
            self.link_depth = self.link_depth.saturating_sub(1);
            self.events.push(Event::End(TagEnd::Link));
        }
    }

    /// A table scrolls sideways in a box of its own that the keyboard can reach; a short
    /// cell (a number, a date, a model name) stays on one line. Cells keep to one line by
    /// default (the style sheet's `.table-wrap` cells), and only a long one, or one with no
    /// text (an image), is marked to wrap: most cells are short, so this writes the least.
    fn table(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::Table(_)) => {
                self.events.push(Event::Html("<div class=\"table-wrap\" tabindex=\"0\">".into()));
                self.events.push(event);
            }
            Event::Start(Tag::TableCell) => {
                self.events.push(event);
                self.cell = Some((self.events.len(), 0.0));
                self.events.push(Event::Html("".into()));
            }
            Event::End(TagEnd::TableCell) => {
                if let Some((at, width)) = self.cell.take() {
                    let empty = self.events.len() == at + 1;
                    if !empty && (width == 0.0 || width > 7.0) {
                        self.events[at] = Event::Html("<span class=\"wrap\">".into());
                        self.events.push(Event::Html("</span>".into()));
                    }
                }
                self.events.push(event);
            }
            _ => {
                self.events.push(event);
                self.events.push(Event::Html("</div>".into()));
            }
        }
    }

    /// Adds `text`'s width to the table cell being read, if any (`latin` ems a Latin char).
    fn measure(&mut self, text: &str, latin: f64) {
        if let Some((_, width)) = &mut self.cell {
            *width += text.chars().map(|c| if is_cjk(c) { 1.0 } else { latin }).sum::<f64>();
        }
    }

    fn text(&mut self, t: CowStr<'a>) {
        self.measure(&t, 0.55);
        let quiet = self.in_heading || self.in_special_link || self.in_footnote;
        if self.auto.is_some() && !quiet && self.link_depth + self.image_depth == 0 {
            self.linkable.push(self.events.len());
        }
        self.events.push(Event::Text(t));
    }

    /// The rewritten stream: auto-links added, formulas glued to their punctuation, and
    /// footnotes gathered at the end in order of first citation.
    fn finish(self) -> Vec<Event<'a>> {
        let mut events = self.events;
        if let Some(auto) = &self.auto {
            events = link_terms(events, &self.linkable, auto, self.linker);
        }
        footnotes(glue_math(events), &self.linker.words())
    }
}

/// Punctuation that must not start a line (closing brackets, stops, commas).
fn closes(c: char) -> bool {
    "）)]】」』》〉”’。，、；：！？….,;:!?%".contains(c)
}

/// Punctuation that must not end a line (opening brackets and quotes).
fn opens(c: char) -> bool {
    "（([【「『《〈“‘".contains(c)
}

/// The last character of the Text event at the end of `out`, taken off it, when `take`
/// says it belongs with what follows.
fn take_last_char(out: &mut Vec<Event<'_>>, take: impl Fn(char) -> bool) -> Option<char> {
    let Some(Event::Text(t)) = out.last() else { return None };
    let c = t.chars().next_back().filter(|&c| take(c))?;
    let rest = t[..t.len() - c.len_utf8()].to_string();
    out.pop();
    if !rest.is_empty() {
        out.push(Event::Text(rest.into()));
    }
    Some(c)
}

/// The first character of a Text event, when `take` says it belongs with what precedes,
/// and the rest of the event.
fn split_first_char<'a>(event: Option<&Event<'a>>, take: impl Fn(char) -> bool) -> Option<(char, String)> {
    let Some(Event::Text(t)) = event else { return None };
    let c = t.chars().next().filter(|&c| take(c))?;
    Some((c, t[c.len_utf8()..].to_string()))
}

/// Keeps an inline formula on one line with the punctuation around it, so that no line
/// starts with the "）" or "。" after a formula, nor ends with the "（" before one.
fn glue_math(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut it = events.into_iter().peekable();
    while let Some(event) = it.next() {
        let is_math = matches!(&event, Event::Html(h) if h.starts_with("<math"));
        if !is_math {
            out.push(event);
            continue;
        }
        let before = take_last_char(&mut out, opens);
        let after = split_first_char(it.peek(), closes);
        if before.is_none() && after.is_none() {
            out.push(event);
            continue;
        }
        let Event::Html(m) = event else { unreachable!() };
        let mut html = String::from("<span class=\"nobr\">");
        if let Some(c) = before {
            html.push_str(&escape(&c.to_string()));
        }
        html.push_str(&m);
        if let Some((c, rest)) = after {
            it.next();
            html.push_str(&escape(&c.to_string()));
            html.push_str("</span>");
            out.push(Event::Html(html.into()));
            if !rest.is_empty() {
                out.push(Event::Text(rest.into()));
            }
        } else {
            html.push_str("</span>");
            out.push(Event::Html(html.into()));
        }
    }
    out
}

/// Footnotes as readers expect them: numbered in the order they are first cited, markers
/// `[1][2]` that stay apart and stay on the line of the word they follow, and the
/// definitions gathered at the end under a heading, each with a ↩ link back to every place
/// that cites it. Definitions nobody cites come last, in the order written.
fn footnotes<'a>(events: Vec<Event<'a>>, words: &BodyWords) -> Vec<Event<'a>> {
    // Take the definitions out of the flow (the first of a repeated label wins).
    let mut defs: Vec<(String, Vec<Event<'a>>)> = Vec::new();
    let mut defined: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut body: Vec<Event<'a>> = Vec::with_capacity(events.len());
    let mut open: Option<(String, Vec<Event<'a>>)> = None;
    for event in events {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => open = Some((footnote_key(&label), Vec::new())),
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, content)) = open.take() {
                    if defined.insert(label.clone()) {
                        defs.push((label, content));
                    }
                }
            }
            e => match &mut open {
                Some((_, content)) => content.push(e),
                None => body.push(e),
            },
        }
    }
    if defs.is_empty() && !body.iter().any(|e| matches!(e, Event::FootnoteReference(_))) {
        return body;
    }
    let mut citations = Citations::default();
    let mut out = markers(body, &defined, &mut citations);
    if defs.is_empty() {
        return out;
    }
    let mut by_label: HashMap<String, Vec<Event<'a>>> = defs.iter().cloned().collect();
    let mut list: Vec<Event<'a>> = Vec::new();
    let mut i = 0;
    // The next definition that may not be cited yet: once cited, a label stays cited.
    let mut uncited = defs.iter().map(|(l, _)| l);
    // A definition may cite another: those are numbered as the list is written.
    loop {
        if i == citations.order.len() {
            match uncited.find(|l| !citations.number.contains_key(*l)) {
                Some(label) => citations.number(label),
                None => break,
            };
        }
        let label = citations.order[i].clone();
        i += 1;
        let content = by_label.remove(&label).unwrap_or_default();
        let mut content = markers(content, &defined, &mut citations);
        let n = i;
        let times = citations.cited.get(&label).copied().unwrap_or(0);
        let mut back = String::new();
        for k in 1..=times {
            let _ = std::fmt::Write::write_fmt(
                &mut back,
                format_args!(
                    " <a class=\"fn-back\" href=\"#{}\" aria-label=\"{} {n}{}\">↩{}</a>",
                    ref_id(n, k),
                    escape(words.back),
                    if k > 1 { format!("-{k}") } else { String::new() },
                    if k > 1 { format!("<sup>{k}</sup>") } else { String::new() },
                ),
            );
        }
        let back = Event::Html(back.into());
        if matches!(content.last(), Some(Event::End(TagEnd::Paragraph))) {
            let end = content.len() - 1;
            content.insert(end, back);
        } else {
            content.push(back);
        }
        list.push(Event::Html(format!("<li id=\"fn-{n}\">").into()));
        list.extend(content);
        list.push(Event::Html("</li>\n".into()));
    }
    out.push(Event::Html(
        format!(
            "<section class=\"footnotes\" aria-labelledby=\"fn-list\"><h2 id=\"fn-list\">{}</h2>\n<ol>\n",
            escape(words.footnotes)
        )
        .into(),
    ));
    out.extend(list);
    out.push(Event::Html("</ol>\n</section>\n".into()));
    out
}

/// Labels in the order of first citation, each one's number (its place in that order,
/// from 1), and how often each was cited so far.
#[derive(Default)]
struct Citations {
    order: Vec<String>,
    number: HashMap<String, usize>,
    cited: HashMap<String, usize>,
}

impl Citations {
    /// The number of footnote `key`, the next one if it has none yet.
    fn number(&mut self, key: &str) -> usize {
        if let Some(&n) = self.number.get(key) {
            return n;
        }
        self.order.push(key.to_string());
        self.number.insert(key.to_string(), self.order.len());
        self.order.len()
    }
}

/// A footnote label as references and definitions match it: case and spacing aside.
fn footnote_key(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The id of the `k`th citation of footnote `n`.
fn ref_id(n: usize, k: usize) -> String {
    if k == 1 {
        format!("fnref-{n}")
    } else {
        format!("fnref-{n}-{k}")
    }
}

/// Replaces each footnote reference in `events` with its numbered marker. A run of
/// markers is kept on one line with the character before it (and a closing punctuation
/// mark after it), so a marker never starts a line alone.
fn markers<'a>(
    events: Vec<Event<'a>>,
    defined: &std::collections::HashSet<String>,
    citations: &mut Citations,
) -> Vec<Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::with_capacity(events.len());
    let mut it = events.into_iter().peekable();
    while let Some(event) = it.next() {
        let Event::FootnoteReference(first) = event else {
            out.push(event);
            continue;
        };
        let mut run = vec![first];
        while let Some(Event::FootnoteReference(_)) = it.peek() {
            if let Some(Event::FootnoteReference(l)) = it.next() {
                run.push(l);
            }
        }
        let mut html = String::new();
        for label in run {
            let key = footnote_key(&label);
            if !defined.contains(&key) {
                html.push_str(&escape(&format!("[^{label}]")));
                continue;
            }
            let n = citations.number(&key);
            let k = citations.cited.entry(key).or_insert(0);
            *k += 1;
            let _ = std::fmt::Write::write_fmt(
                &mut html,
                format_args!("<sup class=\"fn-ref\" id=\"{}\"><a href=\"#fn-{n}\">[{n}]</a></sup>", ref_id(n, *k)),
            );
        }
        let before = take_last_char(&mut out, |c| !c.is_whitespace());
        let after = split_first_char(it.peek(), closes);
        let mut glued = String::from("<span class=\"nobr\">");
        if let Some(c) = before {
            glued.push_str(&escape(&c.to_string()));
        } else {
            glued.insert(0, '\u{2060}'); // a word joiner after an element
        }
        glued.push_str(&html);
        let rest = after.map(|(c, rest)| {
            glued.push_str(&escape(&c.to_string()));
            rest
        });
        glued.push_str("</span>");
        out.push(Event::Html(glued.into()));
        if let Some(rest) = rest {
            it.next();
            if !rest.is_empty() {
                out.push(Event::Text(rest.into()));
            }
        }
    }
    out
}

/// A body's events as its author wrote them, made safe unless the site trusts its
/// authors: raw HTML sanitized, an image with a `javascript:` or `data:` URL without it.
/// (A link with one is rewritten in [`render`], which knows links.) Raw HTML needs a `<`:
/// a body without one streams through.
fn authored(body: &str, trusted: bool) -> Box<dyn Iterator<Item = (Event<'_>, std::ops::Range<usize>)> + '_> {
    let parser = Parser::new_ext(body, options()).into_offset_iter();
    if trusted {
        return Box::new(parser);
    }
    let parser = parser.map(|(event, range)| match event {
        Event::Start(Tag::Image { link_type, dest_url, title, id }) if !crate::sanitize::url_is_safe(&dest_url) => {
            (Event::Start(Tag::Image { link_type, dest_url: CowStr::from(""), title, id }), range)
        }
        other => (other, range),
    });
    if !body.contains('<') {
        return Box::new(parser);
    }
    let mut all: Vec<_> = parser.collect();
    sanitize_raw_html(&mut all);
    Box::new(all.into_iter())
}

/// Whether `i` lies in one of `ranges`, which come in the order of the text and do not
/// overlap: only the last one that starts at or before `i` can hold it (a linear search
/// made a 2 MB note of code spans and `%%` take 11 s).
fn in_any(ranges: &[std::ops::Range<usize>], i: usize) -> bool {
    let k = ranges.partition_point(|r| r.start <= i);
    k > 0 && ranges[k - 1].contains(&i)
}

/// `body` with Obsidian's comments (`%%…%%`, inline or over several lines) blanked out,
/// or `None` when it has none. A comment is the author's note to self: it must not reach a
/// page, the search index or the links. A comment's line breaks stay, so every line after
/// it keeps its number; a column after a comment on the same line moves left (spaces in its
/// place could turn the rest of the line into an indented code block), by what each [`Cut`]
/// says. `%%` inside code or math is text, and an unclosed `%%` stays as written.
pub fn without_comments(body: &str) -> Option<(String, Vec<Cut>)> {
    if !body.contains("%%") {
        return None;
    }
    let literal: Vec<std::ops::Range<usize>> = Parser::new_ext(body, options())
        .into_offset_iter()
        .filter(|(e, _)| {
            matches!(e, Event::Code(_) | Event::InlineMath(_) | Event::DisplayMath(_) | Event::Start(Tag::CodeBlock(_)))
        })
        .map(|(_, r)| r)
        .collect();
    let marks: Vec<usize> = body.match_indices("%%").map(|(i, _)| i).filter(|&i| !in_any(&literal, i)).collect();
    let mut comments = Vec::new();
    let mut from = 0;
    let mut marks = marks.into_iter();
    while let Some(open) = marks.by_ref().find(|&i| i >= from) {
        let Some(close) = marks.by_ref().find(|&i| i >= open + 2) else { break };
        comments.push(open..close + 2);
        from = close + 2;
    }
    if comments.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(body.len());
    let mut cuts = Vec::with_capacity(comments.len());
    let mut at = 0;
    for c in comments {
        out.push_str(&body[at..c.start]);
        let comment = &body[c.clone()];
        out.extend(comment.chars().filter(|&ch| ch == '\n'));
        let last_line = comment.rsplit('\n').next().unwrap_or(comment);
        cuts.push(Cut { at: out.len(), chars: last_line.chars().count() });
        at = c.end;
    }
    out.push_str(&body[at..]);
    Some((out, cuts))
}

/// Where [`without_comments`] took a comment out: the byte of the text without comments
/// that followed it, and how many characters of the comment's last line stood before it
/// (what a column after it on that line lacks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub at: usize,
    pub chars: usize,
}

/// The most tags (start or end) the raw HTML of one body may hold. The HTML parser under
/// the sanitizer walks its stack of open elements, and its list of formatting elements,
/// at each tag: 100,000 unclosed `<div>` took 13 s, 50,000 `<b title=…>` 37 s. Counting
/// every `<` that could open a tag is cheap and cannot be fooled by comments, quotes or
/// raw-text elements; below this count the worst case measured is half a second, and a
/// hand-written note holds a few hundred.
pub const MAX_HTML_TAGS: usize = 5_000;

/// How many tags `html` could hold: each `<` before a letter or a `/`.
fn tags_in(html: &str) -> usize {
    html.as_bytes().windows(2).filter(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/')).count()
}

/// The author's raw HTML (block and inline) in a parsed body, sanitized in place; the
/// markup conceptbook generates later never passes through here. Past [`MAX_HTML_TAGS`]
/// it is all written as text instead (`scan` tells the author).
fn sanitize_raw_html(parsed: &mut [(Event, std::ops::Range<usize>)]) {
    let at: Vec<usize> =
        (0..parsed.len()).filter(|&i| matches!(parsed[i].0, Event::Html(_) | Event::InlineHtml(_))).collect();
    if at.is_empty() {
        return;
    }
    let raw: Vec<&str> = at
        .iter()
        .map(|&i| match &parsed[i].0 {
            Event::Html(t) | Event::InlineHtml(t) => t.as_ref(),
            _ => "",
        })
        .collect();
    if raw.iter().map(|f| tags_in(f)).sum::<usize>() > MAX_HTML_TAGS {
        for i in at {
            let text = match &parsed[i].0 {
                Event::Html(t) | Event::InlineHtml(t) => t.clone(),
                _ => continue,
            };
            parsed[i].0 = Event::Text(text);
        }
        return;
    }
    let cleaned = crate::sanitize::fragments(&raw);
    for (i, html) in at.into_iter().zip(cleaned) {
        // Same kind of event: inside an image's alt text, inline HTML is written as text.
        parsed[i].0 = match parsed[i].0 {
            Event::Html(_) => Event::Html(html.into()),
            _ => Event::InlineHtml(html.into()),
        };
    }
}

/// The longest formula accepted, in bytes: 25 times the longest of the real notes, and
/// short enough that the TeX parser, quadratic in places, takes milliseconds.
pub const MAX_FORMULA_BYTES: usize = 4_000;
/// The deepest nesting of groups accepted (`{`, `\left`, `\begin`), far beyond any real
/// formula: 40,000 nested `\sqrt{` took the parser 40 s and 200,000 `{` never ended.
pub const MAX_FORMULA_DEPTH: usize = 100;

/// Why a formula is refused before it is parsed: too long, or nested too deep.
fn tex_limits(src: &str) -> Option<String> {
    if src.len() > MAX_FORMULA_BYTES {
        return Some(format!(
            "formula is too long: {} bytes, at most {MAX_FORMULA_BYTES}; split it into several formulas",
            src.len()
        ));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = src;
    while let Some(c) = rest.chars().next() {
        let mut step = c.len_utf8();
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '\\' => {
                let name: String = rest[1..].chars().take_while(char::is_ascii_alphabetic).collect();
                match name.as_str() {
                    "left" | "begin" => depth += 1,
                    "right" | "end" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                // A command, or an escaped character such as `\{`.
                step += if name.is_empty() { rest[1..].chars().next().map_or(0, char::len_utf8) } else { name.len() };
            }
            _ => {}
        }
        deepest = deepest.max(depth);
        if deepest > MAX_FORMULA_DEPTH {
            return Some(format!(
                "formula nests groups more than {MAX_FORMULA_DEPTH} deep; split it or use fewer nested braces"
            ));
        }
        rest = &rest[step..];
    }
    None
}

/// Runs `f`, which parses or renders `src`, on a stack deep enough for it. The TeX parser
/// recurses once per nested argument, braced or not (`\sqrt\sqrt…x`), about 16 KiB a level
/// unoptimised: 130 levels overflow a 2 MiB thread. A formula with few commands and groups
/// runs where it is; any other, within [`MAX_FORMULA_BYTES`], on a fresh 64 MiB stack
/// (reserved, not committed, until used).
fn on_tex_stack<T>(src: &str, f: impl FnOnce() -> T) -> T {
    let nestable = src.bytes().filter(|b| matches!(b, b'\\' | b'{' | b'[')).count();
    if nestable <= 40 {
        f()
    } else {
        stacker::grow(64 << 20, f)
    }
}

/// Why a formula does not parse, if it does not.
fn tex_error(src: &str) -> Option<String> {
    if let Some(message) = tex_limits(src) {
        return Some(message);
    }
    let storage = pulldown_latex::Storage::new();
    let e = on_tex_stack(src, || pulldown_latex::Parser::new(src, &storage).find_map(Result::err))?;
    let detail = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
    let src = src.trim();
    let shown = match src.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &src[..cut]),
        None => src.to_string(),
    };
    Some(format!("formula does not parse: {detail} in `{shown}`"))
}

/// The names of a site's notes (titles and aliases), for linking their first mention.
///
/// Matching is leftmost-longest over all names at once (Aho–Corasick), so a term is never
/// linked inside a longer one (微调 inside 全量微调, LoRA inside QLoRA when QLoRA is a name),
/// and a name must stand as a word: a Latin edge must not touch another letter (`LoRA` is
/// not linked inside `QLoRA` or `LoRA-based` even when no longer name covers them), and a
/// Chinese edge must fall between two words as jieba segments the sentence (`索引` is not
/// linked inside 搜索引擎, nor `后训练` inside 之后训练). Names of one character are left
/// out: in Chinese they are too often part of another word.
pub struct Terms {
    matcher: aho_corasick::AhoCorasick,
    /// The slug each pattern names; `None` for a name that is never linked (book.toml's
    /// `auto-link-skip`) but still keeps shorter names inside it from matching.
    slugs: Vec<Option<String>>,
    /// Word segmentation, when some name has a Chinese edge.
    jieba: Option<&'static jieba_rs::Jieba>,
}

impl std::fmt::Debug for Terms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terms").field("names", &self.slugs.len()).finish()
    }
}

impl Terms {
    /// `names` are (name, slug) pairs, the slug `None` for a name never to link; a name
    /// listed twice keeps its first slug.
    pub fn new<'a>(names: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Terms {
        let mut by_name: std::collections::BTreeMap<&str, Option<&str>> = Default::default();
        for (name, slug) in names {
            let name = name.trim();
            let letters = name.chars().filter(|c| c.is_alphanumeric()).count();
            if name.chars().count() >= 2 && letters >= 2 {
                by_name.entry(name).or_insert(slug);
            }
        }
        let matcher = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(by_name.keys())
            .expect("names make a valid automaton");
        let cjk_edge =
            by_name.keys().any(|n| n.chars().next().is_some_and(is_cjk) || n.chars().next_back().is_some_and(is_cjk));
        Terms { matcher, slugs: by_name.values().map(|s| s.map(str::to_string)).collect(), jieba: cjk_edge.then(jieba) }
    }
}

/// What a page's auto-linking needs: the site's terms and the slugs not to link (the page's
/// own note, and the notes its body already links to by hand).
pub struct AutoLink<'a> {
    pub terms: &'a Terms,
    pub skip: std::collections::BTreeSet<String>,
}

/// Links the first mention of each term in the `linkable` Text events (adjacent ones are
/// read as one run, so a term split across events is still found).
fn link_terms<'a>(events: Vec<Event<'a>>, linkable: &[usize], auto: &AutoLink, linker: &dyn Linker) -> Vec<Event<'a>> {
    let mut done = auto.skip.clone();
    let mut out = Vec::with_capacity(events.len() + 8);
    let mut run = String::new();
    let mut next = linkable.iter().peekable();
    for (i, event) in events.into_iter().enumerate() {
        if next.peek() == Some(&&i) {
            next.next();
            if let Event::Text(t) = &event {
                run.push_str(t);
                continue;
            }
        }
        if !run.is_empty() {
            link_run(&std::mem::take(&mut run), auto.terms, &mut done, linker, &mut out);
        }
        out.push(event);
    }
    if !run.is_empty() {
        link_run(&run, auto.terms, &mut done, linker, &mut out);
    }
    out
}

fn link_run<'a>(
    text: &str,
    terms: &Terms,
    done: &mut std::collections::BTreeSet<String>,
    linker: &dyn Linker,
    out: &mut Vec<Event<'a>>,
) {
    let mut last = 0;
    // Word boundaries (byte offsets) of `text`, segmented on first need.
    let mut words: Option<std::collections::BTreeSet<usize>> = None;
    for m in terms.matcher.find_iter(text) {
        let Some(slug) = &terms.slugs[m.pattern().as_usize()] else {
            continue; // a name never linked: it only keeps the names inside it quiet
        };
        if done.contains(slug) || !stands_alone(text, m.start(), m.end()) {
            continue;
        }
        let (first, last_char) = (text[m.start()..].chars().next(), text[..m.end()].chars().next_back());
        let edges = [(first, m.start()), (last_char, m.end())];
        if let Some(jieba) = &terms.jieba {
            if edges.iter().any(|(c, _)| c.is_some_and(is_cjk)) {
                let words = words.get_or_insert_with(|| boundaries(jieba, text));
                if edges.iter().any(|&(c, at)| c.is_some_and(is_cjk) && !words.contains(&at)) {
                    continue;
                }
            }
        }
        let Some(target) = linker.resolve(RefKind::Wiki, slug, None) else {
            continue;
        };
        done.insert(slug.clone());
        if m.start() > last {
            out.push(Event::Text(text[last..m.start()].to_string().into()));
        }
        out.push(Event::Html(
            format!(
                "<a class=\"note-link auto\" href=\"{}\" data-slug=\"{}\">",
                escape(&target.href),
                escape(&target.slug)
            )
            .into(),
        ));
        out.push(Event::Text(text[m.start()..m.end()].to_string().into()));
        out.push(Event::Html("</a>".into()));
        last = m.end();
    }
    if last < text.len() {
        out.push(Event::Text(text[last..].to_string().into()));
    }
}

/// jieba's dictionary, loaded once per process on first need (about 0.1 s): `serve`
/// rebuilds and the tests' many sites share it. It is never changed after loading.
fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: std::sync::OnceLock<jieba_rs::Jieba> = std::sync::OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// Where words start and end in `text`, as jieba cuts it (no HMM guessing of new words, so
/// an unknown name is never glued to its neighbours).
fn boundaries(jieba: &jieba_rs::Jieba, text: &str) -> std::collections::BTreeSet<usize> {
    let mut at = std::collections::BTreeSet::from([0, text.len()]);
    at.extend(jieba.cut(text, false).iter().map(|t| t.byte_end));
    at
}

/// Han ideographs and the CJK punctuation and full-width forms around them.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFD)
}

/// Whether a match whose edge is a Latin letter or digit is a whole word: not preceded or
/// followed by one, directly or across `-`, `_` or `.` (so `Chain` is not found in
/// `Chain-of-Thought`, nor `GPT-3` in `GPT-3.5`). A CJK edge needs nothing.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric();
    let joiner = |c: char| matches!(c, '-' | '_' | '.');
    let first = text[start..].chars().next();
    let last = text[..end].chars().next_back();
    if first.is_some_and(word) {
        let mut before = text[..start].chars().rev();
        match (before.next(), before.next()) {
            (Some(c), _) if word(c) || c == '_' => return false,
            (Some(j), Some(c)) if joiner(j) && word(c) => return false,
            _ => {}
        }
    }
    if last.is_some_and(word) {
        let mut after = text[end..].chars();
        match (after.next(), after.next()) {
            (Some(c), _) if word(c) || c == '_' => return false,
            (Some(j), Some(c)) if joiner(j) && word(c) => return false,
            _ => {}
        }
    }
    true
}

/// MathML for a formula that `scan` has checked; one that fails anyway shows as code.
fn math<'a>(src: &str, display: bool) -> Event<'a> {
    let fallback = || Event::Html(format!("<code class=\"math-error\">{}</code>", escape(src)).into());
    if tex_limits(src).is_some() {
        return fallback();
    }
    match on_tex_stack(src, || mathml(src, display)) {
        Some(html) => Event::Html(CowStr::from(html)),
        None => fallback(),
    }
}

fn mathml(src: &str, display: bool) -> Option<String> {
    use pulldown_latex::{config::DisplayMode, Parser as TexParser, RenderConfig, Storage};
    let storage = Storage::new();
    let parsed: Vec<_> = TexParser::new(src, &storage).collect();
    if parsed.iter().any(Result::is_err) {
        return None;
    }
    // pulldown-latex writes the annotation as it gets it: escaped here, so a formula can
    // never close its own <annotation> (`x</annotation>…`) or open a tag (`x_{<t}`).
    let annotation = escape(src.trim());
    let config = RenderConfig {
        display_mode: if display { DisplayMode::Block } else { DisplayMode::Inline },
        annotation: Some(&annotation),
        ..RenderConfig::default()
    };
    let mut html = String::new();
    if display {
        html.push_str("<div class=\"math-display\" tabindex=\"0\">"); // scrolls when wide
    }
    pulldown_latex::push_mathml(&mut html, parsed.into_iter(), config).ok()?;
    if display {
        html.push_str("</div>");
    }
    Some(well_formed(&html))
}

/// What pulldown-latex writes is not safe as it stands: the characters `<`, `>` and `&` of
/// operators come out as they are (`<mo><</mo>`), and so does the argument of
/// `\operatorname{…}`, markup included (`\operatorname{<script>…}` reached the page as a
/// script; found by the fuzz test). So its output is read tag by tag: a tag is kept only
/// when it is one of the MathML elements it writes, with attributes from [`MATH_ATTRS`]
/// and plain quoted values; every other `<`, `>` and `&` becomes text. A formula can then
/// at worst nest its own elements oddly, never bring in a script, a handler, a style or a
/// link.
fn well_formed(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len() + 16);
    // The elements open: a closing tag that matches none is text, one that matches a
    // deeper one closes those above it first, and what is open at the end is closed, so a
    // formula's own `</mi>` or `<mrow>` cannot unbalance the MathML around it.
    let mut open: Vec<&str> = Vec::new();
    let mut rest = mathml;
    while let Some(i) = rest.find(['<', '>', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let keep = match rest.as_bytes()[0] {
            b'<' => math_tag(rest).filter(|t| !t.closing || open.contains(&t.name)),
            b'&' => entity_len(rest).map(|len| MathTag { len, name: "", closing: false, empty: true }),
            _ => None,
        };
        match keep {
            Some(tag) => {
                if tag.closing {
                    while let Some(top) = open.pop() {
                        if top == tag.name {
                            break;
                        }
                        out.push_str(&format!("</{top}>"));
                    }
                } else if !tag.empty {
                    open.push(tag.name);
                }
                out.push_str(&rest[..tag.len]);
                rest = &rest[tag.len..];
            }
            None => {
                out.push_str(match rest.as_bytes()[0] {
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    _ => "&amp;",
                });
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    while let Some(top) = open.pop() {
        out.push_str(&format!("</{top}>"));
    }
    out
}

/// An allowed tag at the start of a string (see [`well_formed`]).
struct MathTag<'a> {
    len: usize,
    name: &'a str,
    closing: bool,
    /// Closes itself (`<mspace … />`).
    empty: bool,
}

/// The elements pulldown-latex writes, and the `div` a display formula sits in.
const MATH_ELEMENTS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mfrac",
    "msqrt",
    "mroot",
    "mtable",
    "mtr",
    "mtd",
    "merror",
    "menclose",
    "mpadded",
    "mphantom",
    "div",
];
/// Their attributes: none takes a URL, a script or a style.
const MATH_ATTRS: &[&str] = &[
    "class",
    "columnalign",
    "depth",
    "display",
    "displaystyle",
    "encoding",
    "height",
    "largeop",
    "linethickness",
    "lspace",
    "mathvariant",
    "maxsize",
    "minsize",
    "movablelimits",
    "rspace",
    "scriptlevel",
    "stretchy",
    "symmetric",
    "tabindex",
    "width",
    "xmlns",
];

/// The allowed tag `s` starts with (see [`well_formed`]), if it is one: a name from
/// [`MATH_ELEMENTS`], then attributes from [`MATH_ATTRS`] with plain quoted values
/// (pulldown-latex sometimes writes one right after another's closing quote).
fn math_tag(s: &str) -> Option<MathTag<'_>> {
    let b = s.as_bytes();
    let closing = b.get(1) == Some(&b'/');
    let mut i = 1 + usize::from(closing);
    let name_len = b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count();
    let name = &s[i..i + name_len];
    if !MATH_ELEMENTS.contains(&name) {
        return None;
    }
    i += name_len;
    loop {
        match b.get(i)? {
            b'>' => return Some(MathTag { len: i + 1, name, closing, empty: false }),
            b'/' if b.get(i + 1) == Some(&b'>') && !closing => {
                return Some(MathTag { len: i + 2, name, closing, empty: true })
            }
            b' ' => i += 1,
            c if c.is_ascii_lowercase() && !closing => {
                let attr = b[i..].iter().take_while(|c| c.is_ascii_lowercase() || **c == b'-').count();
                if !MATH_ATTRS.contains(&&s[i..i + attr]) || b.get(i + attr..i + attr + 2)? != b"=\"" {
                    return None;
                }
                i += attr + 2;
                i += b[i..].iter().take_while(|c| !matches!(c, b'"' | b'<' | b'>')).count();
                if b.get(i)? != &b'"' {
                    return None;
                }
                i += 1;
            }
            _ => return None,
        }
    }
}

/// The length of the character reference `s` starts with (`&lt;`, `&#8289;`), if it is one.
fn entity_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let body = b[1..].iter().take(32).take_while(|c| c.is_ascii_alphanumeric() || **c == b'#').count();
    (body > 0 && b.get(1 + body) == Some(&b';')).then_some(body + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_but_not_from_code_among_many_spans() {
        let body = "a `%%` b %%gone%% c `x` %%also\ngone%% d\n\n```\n%%kept%%\n```\n".repeat(3);
        let (out, cuts) = without_comments(&body).expect("has comments");
        assert_eq!(cuts.len(), 6);
        assert_eq!(cuts[0], Cut { at: 9, chars: 8 }, "after `a `%%` b `, 8 characters of `%%gone%%`");
        assert_eq!(cuts[1].chars, 6, "the last line of `%%also\\ngone%%`");
        assert_eq!(out.matches("gone").count(), 0, "{out}");
        assert_eq!(out.matches("`%%`").count(), 3, "{out}");
        assert_eq!(out.matches("%%kept%%").count(), 3, "{out}");
        assert_eq!(out.lines().count(), body.lines().count(), "line breaks stay");
        assert_eq!(without_comments("100%% sure"), None, "an unclosed %% stays");
    }

    struct Fixed;
    impl Linker for Fixed {
        fn anchor_label(&self) -> &str {
            "链接到本节"
        }
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
    fn only_long_or_textless_table_cells_are_marked_to_wrap() {
        let t =
            html("| 项目 | 说明 |\n| --- | --- |\n| LoRA | 冻结原权重，只训练两个低秩矩阵的乘积 |\n| ![](x.png) | |\n");
        assert!(t.contains("<th>项目</th><th>说明</th>"), "{t}");
        assert!(
            t.contains("<td>LoRA</td><td><span class=\"wrap\">冻结原权重，只训练两个低秩矩阵的乘积</span></td>"),
            "{t}"
        );
        assert!(t.contains("<td><span class=\"wrap\"><img") && t.contains("<td></td>"), "{t}");
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
    fn formulas_over_the_limits_are_refused_before_parsing() {
        let deep = format!("{}x{}", "\\sqrt{".repeat(40_000), "}".repeat(40_000));
        assert!(tex_error(&deep).unwrap().contains("too long"));
        let deep = format!("{}x{}", "\\sqrt{".repeat(500), "}".repeat(500));
        assert!(tex_error(&deep).unwrap().contains("deep"));
        let nested = format!("{}x{}", "{".repeat(101), "}".repeat(101));
        assert!(tex_error(&nested).unwrap().contains("more than 100 deep"), "{:?}", tex_error(&nested));
        assert!(tex_error(&"\\left(".repeat(101)).unwrap().contains("deep"));
        assert!(tex_error(&"{".repeat(200_000)).is_some());
        // At the limits, the parser still answers (no stack overflow, no stall).
        let ok = format!("{}x{}", "\\sqrt{".repeat(100), "}".repeat(100));
        assert_eq!(tex_error(&ok), None);
        for unbraced in ["\\sqrt", "\\frac{a}", "\\sqrt[3]", "\\hat"] {
            let src = format!("{}x", unbraced.repeat(MAX_FORMULA_BYTES / unbraced.len() - 1));
            let _ = tex_error(&src);
            let _ = render(&format!("${src}$"), &[], &Fixed);
        }
        // Escaped braces do not count.
        assert_eq!(tex_limits(&"\\{".repeat(500)), None);
    }

    #[test]
    fn a_formula_cannot_close_its_annotation() {
        let html = html("$x_{< t}$ and $a</annotation></semantics></math><img src=x onerror=alert(1)>$");
        assert!(html.contains("<annotation encoding=\"application/x-tex\">x_{&lt; t}</annotation>"), "{html}");
        assert!(html.contains("<mo>&lt;</mo>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    /// A site of five notes with auto-linking on, rendering the page of `current`.
    struct Glossary {
        terms: Terms,
        current: &'static str,
    }

    const NOTES: &[(&str, &[&str])] = &[
        ("fine-tuning", &["微调", "Fine-tuning"]),
        ("full-fine-tuning", &["全量微调"]),
        ("lora", &["LoRA（低秩适配）", "LoRA", "低秩适配"]),
        ("chains", &["Chains", "Chain", "链"]),
        ("gpt", &["GPT-3", "GPT"]),
        ("peft", &["参数高效微调", "PEFT"]),
    ];

    impl Glossary {
        fn new(current: &'static str) -> Glossary {
            let names = NOTES.iter().flat_map(|(slug, names)| names.iter().map(move |n| (*n, Some(*slug))));
            Glossary { terms: Terms::new(names), current }
        }
    }

    impl Linker for Glossary {
        fn anchor_label(&self) -> &str {
            "链接到本节"
        }
        fn resolve(&self, _: RefKind, target: &str, _: Option<&str>) -> Option<LinkTarget> {
            let (slug, names) = NOTES.iter().find(|(s, _)| *s == target)?;
            Some(LinkTarget { href: format!("{slug}.html"), slug: slug.to_string(), text: names[0].to_string() })
        }
        fn auto_link(&self) -> Option<AutoLink<'_>> {
            Some(AutoLink { terms: &self.terms, skip: [self.current.to_string()].into() })
        }
    }

    fn auto(body: &str, current: &'static str) -> String {
        let s = scan(body);
        render(body, &s.headings, &Glossary::new(current))
    }

    /// The (slug, text) of every auto link in `html`.
    fn auto_links(html: &str) -> Vec<(String, String)> {
        html.split("<a class=\"note-link auto\" href=\"")
            .skip(1)
            .map(|rest| {
                let slug = rest.split("data-slug=\"").nth(1).unwrap();
                let slug = &slug[..slug.find('"').unwrap()];
                let text = &rest[rest.find('>').unwrap() + 1..rest.find("</a>").unwrap()];
                (slug.to_string(), text.to_string())
            })
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn auto_link_takes_the_longest_term_and_only_the_first_mention() {
        let html = auto("全量微调不同于微调。再说微调和全量微调。", "lora");
        assert_eq!(auto_links(&html), pairs(&[("full-fine-tuning", "全量微调"), ("fine-tuning", "微调")]));
        // 微调 inside 全量微调 is never linked on its own, even after 全量微调 was.
        assert_eq!(auto_links(&auto("全量微调，全量微调。", "lora")).len(), 1);
        let html = auto("参数高效微调里最常用的是 LoRA。", "fine-tuning");
        assert_eq!(auto_links(&html), pairs(&[("peft", "参数高效微调"), ("lora", "LoRA")]));
    }

    #[test]
    fn auto_link_respects_latin_word_edges() {
        // LoRA inside QLoRA, Chain inside Chain-of-Thought or LangChain, GPT-3 in GPT-3.5
        let html = auto("QLoRA 与 LoRA-based 方法；Chain-of-Thought；LangChain；GPT-3.5。", "peft");
        assert_eq!(auto_links(&html), vec![]);
        let html = auto("用 LoRA 微调 GPT-3，再看 Chain。", "peft");
        assert_eq!(
            auto_links(&html),
            pairs(&[("lora", "LoRA"), ("fine-tuning", "微调"), ("gpt", "GPT-3"), ("chains", "Chain")])
        );
        // One-character names are never matched: 链 alone stays text.
        assert_eq!(auto_links(&auto("一条链。", "peft")), vec![]);
    }

    #[test]
    fn a_name_never_linked_still_shadows_the_names_inside_it() {
        let g =
            Glossary { terms: Terms::new([("全量微调", None), ("微调", Some("fine-tuning"))]), current: "peft" };
        let html = render("全量微调之后再说微调。", &[], &g);
        assert_eq!(auto_links(&html), pairs(&[("fine-tuning", "微调")]));
        assert!(html.starts_with("<p>全量微调之后再说<a"), "{html}");
    }

    #[test]
    fn auto_link_respects_chinese_word_edges() {
        // 索引 inside 搜索引擎, 微调 inside 微调整 (to adjust slightly): not words here.
        let g = Glossary {
            terms: Terms::new([("索引", Some("chains")), ("微调", Some("fine-tuning"))]),
            current: "peft",
        };
        let html = render("支持搜索引擎，稍作微调整。", &[], &g);
        assert_eq!(auto_links(&html), vec![]);
        let html = render("建好索引后再微调模型。", &[], &g);
        assert_eq!(auto_links(&html), pairs(&[("chains", "索引"), ("fine-tuning", "微调")]));
    }

    #[test]
    fn auto_link_skips_code_links_headings_and_the_note_itself() {
        let body = "## LoRA 原理\n\n`LoRA` 与 [[peft|微调]]，[外链 LoRA](https://x.y)。\n\n```\n微调 LoRA\n```\n\n![微调](a.png)\n\n正文里的 LoRA 与 微调。\n";
        let html = auto(body, "fine-tuning");
        // The heading, inline code, both links, the code block and the image alt keep
        // their text; the note itself (微调) is never linked; LoRA is, in the prose.
        assert_eq!(auto_links(&html), pairs(&[("lora", "LoRA")]));
        assert!(html.contains("<h2 id=\"lora-原理\">LoRA 原理<a class=\"anchor\""), "{html}");
        assert!(html.contains("<code>LoRA</code>"), "{html}");
        // Nor inside a footnote: citations keep their titles as written.
        let html = auto("正文[^1]。\n\n[^1]: Hu et al., LoRA, 2021\n", "peft");
        assert_eq!(auto_links(&html), vec![]);
        // A note the body already links to by hand is not linked again.
        let html = render("LoRA 和 [[lora]]", &[], &SkipLinked(Glossary::new("peft")));
        assert_eq!(auto_links(&html), vec![]);
    }

    /// Like `Glossary`, with the body's own link to `lora` in the skip list, as the
    /// renderer computes it from the note's references.
    struct SkipLinked(Glossary);
    impl Linker for SkipLinked {
        fn anchor_label(&self) -> &str {
            "链接到本节"
        }
        fn resolve(&self, k: RefKind, t: &str, a: Option<&str>) -> Option<LinkTarget> {
            self.0.resolve(k, t, a)
        }
        fn auto_link(&self) -> Option<AutoLink<'_>> {
            Some(AutoLink { terms: &self.0.terms, skip: ["peft".to_string(), "lora".to_string()].into() })
        }
    }

    #[test]
    fn auto_link_off_changes_nothing() {
        assert!(!html("LoRA 是 微调 方法").contains("note-link"));
    }

    #[test]
    fn file_links_are_percent_decoded_and_odd_escapes_kept() {
        let refs = |body: &str| scan(body).refs.into_iter().map(|r| r.target).collect::<Vec<_>>();
        assert_eq!(refs("[a](%E5%BE%AE%E8%B0%83.md)"), ["微调.md"]);
        assert_eq!(refs("[a](x%aé.md)"), ["x%aé.md"], "a % before a multi-byte character is kept, not a panic");
    }

    #[test]
    fn footnotes_follow_first_citation_and_unknown_labels_stay_text() {
        let out = html("甲[^Two]乙[^one][^nope]。\n\n[^one]: 一\n[^two]: 二 [^one]\n");
        let markers: Vec<&str> = out.split("<a href=\"#fn-").skip(1).map(|m| &m[..1]).collect();
        assert_eq!(markers, ["1", "2", "2"], "{out}"); // Two, one, and one again inside two
        assert!(out.contains("[^nope]"), "{out}");
        let list = &out[out.find("<ol>").unwrap()..];
        assert!(list.find("二").unwrap() < list.find("一").unwrap(), "{list}");
        assert!(list.contains("href=\"#fnref-2-2\""), "one is cited twice: {list}");
        assert_eq!(out.matches("<section class=\"footnotes\"").count(), 1);
        assert!(!html("无脚注[^x]。").contains("footnotes"), "no list without definitions");
    }

    #[test]
    fn external_links_untouched() {
        assert!(html("[x](https://a.b/c.md)").contains("<a href=\"https://a.b/c.md\">"));
    }
}
