//! The concept map: the parent forest drawn as SVG at build time; and which neighbours a
//! note's neighbourhood drawing shows ([`roles`], [`neighbourhood_shown`]).
//!
//! In: the linked [`Site`]. Out: a [`Plan`] that cuts the forest into maps of at most
//! [`BUDGET`] nodes, and the SVG markup of a map ([`map_svg`]). A note page carries no
//! drawing of its neighbourhood: `static/js/site.js` draws it from the page's own lists
//! (breadcrumbs, children, related notes, backlinks), with this file's geometry
//! (`text_em`, `fit`, `PAD`) mirrored there, and those lists are what a reader without
//! JavaScript sees (the drawing was a sixth of every note page).
//!
//! The top map (`graph.html`) shows the roots and as much below them as fits, breadth
//! first (the last fifth of the room going to whole small subtrees); a node whose children
//! do not fit is drawn folded, with a `+N` badge linking to its own map (`map/<slug>.html`),
//! cut the same way. Every node is thus drawn in full on at most one map and folded on at
//! most one other, so the output grows linearly with the site, and a map of 10,000 notes
//! is as easy to read as one of 50. A map draws at most [`CHILDREN_PER_MAP`] children of
//! its own root, then a box "N more →" to the root's children list: a leaf past them is
//! drawn on no map (its "on the map" link lands on its parent), one with children heads a
//! map of its own. A node draws at most [`RELATED_PER_NODE`] of its related links, so that
//! notes related to hundreds of others do not fill a map with curves.
//!
//! The layout is a left-to-right tidy tree: depth gives the column, leaves take consecutive
//! rows and a parent sits midway between its first and last child, so subtrees never overlap
//! and the same site always gives the same picture. Tree edges are solid curves, `related`
//! pairs dashed ones. Every node is an `<a>` to its note (with `class="note-link"` and
//! `data-slug`, so link previews work on the map too), and has the id `n-<slug>`, so
//! `graph.html#n-lora` shows where a note sits. No JavaScript is needed to see or use it.
//! Colours come from CSS classes, so the map follows the light and dark themes.

use crate::graph::{NoteId, Site};
use crate::html::escape;
use crate::paths::RelPath;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

/// The most nodes one map draws.
pub const BUDGET: usize = 250;
/// The most children of its own root one map draws; the rest are on the root's children
/// list (`children/<slug>.html`), which a box after them leads to.
pub const CHILDREN_PER_MAP: usize = BUDGET * 4 / 5;
/// The most related links a map draws from one node (the project's own site has at most
/// eight): each is a curve of some 60 bytes, and a node may be related to every other.
pub const RELATED_PER_NODE: usize = 12;
/// The top map's page.
pub const MAP_PAGE: &str = "graph.html";

/// How the forest is cut into maps.
#[derive(Debug, Clone)]
pub struct Plan {
    pub maps: Vec<MapSpec>,
    /// The map on which each note is drawn in full, or for a leaf past the
    /// [`CHILDREN_PER_MAP`] its parent's map draws, that map.
    pub home: Vec<usize>,
    /// The node each note's link to its map lands on: itself, or for such a leaf its parent.
    pub at: Vec<NoteId>,
    /// Each note's number of descendants.
    pub size: Vec<usize>,
}

/// One map: the subtree of `root` (the whole forest for the top map), down to the folds.
#[derive(Debug, Clone)]
pub struct MapSpec {
    pub root: Option<NoteId>,
    /// The nodes the map starts from: `root`, or for a top map its share of the roots.
    pub start: Vec<NoteId>,
    /// A top map's number among the top maps (0: `graph.html`), when the roots are too many
    /// for one map; 0 for every other map.
    pub part: usize,
    /// The map this one was folded out of.
    pub parent_map: Option<usize>,
    /// The nodes drawn, breadth first.
    pub shown: Vec<NoteId>,
    /// Drawn nodes whose children are on another map, with that map's index.
    pub folded: BTreeMap<NoteId, usize>,
    /// The map's root, when it has more children than [`CHILDREN_PER_MAP`], and how many of
    /// them the map leaves out (the last ones).
    pub more: Option<(NoteId, usize)>,
}

impl MapSpec {
    /// The children of `u` drawn on this map after it.
    fn kids<'s>(&self, site: &'s Site, u: NoteId) -> &'s [NoteId] {
        let all = &site.graph.children[u];
        match self.more {
            _ if self.folded.contains_key(&u) => &[],
            Some((v, hidden)) if v == u => &all[..all.len() - hidden],
            _ => all,
        }
    }
}

impl Plan {
    /// The output path of map `m`.
    pub fn page(&self, site: &Site, m: usize) -> RelPath {
        match self.maps[m].root {
            None if self.maps[m].part == 0 => RelPath::new(MAP_PAGE),
            None => RelPath::new(&format!("map/roots.p{}.html", self.maps[m].part + 1)),
            Some(r) => RelPath::new(&format!("map/{}.html", site.notes[r].slug)),
        }
    }

    /// From `from`, the link to where note `id` is drawn in full: `graph.html#n-lora`.
    pub fn locate(&self, site: &Site, from: &RelPath, id: NoteId) -> String {
        format!("{}#{}", from.href_to(&self.page(site, self.home[id])), node_id(&site.notes[self.at[id]].slug))
    }

    /// The chain of maps from the top map down to `m`, inclusive.
    /// The top maps, when the roots are shared out among several (else empty).
    pub fn parts(&self) -> Vec<usize> {
        let tops: Vec<usize> = (0..self.maps.len()).filter(|&m| self.maps[m].root.is_none()).collect();
        if tops.len() > 1 {
            tops
        } else {
            Vec::new()
        }
    }

    pub fn chain(&self, m: usize) -> Vec<usize> {
        let mut chain = vec![m];
        let mut cur = m;
        while let Some(p) = self.maps[cur].parent_map {
            chain.push(p);
            cur = p;
        }
        chain.reverse();
        chain
    }
}

/// The id of a note's node on a map.
pub fn node_id(slug: &str) -> String {
    format!("n-{slug}")
}

/// The most roots one top map starts from: a site of more roots (a flat one, where no note
/// has a parent) gets several top maps, `graph.html` then `map/roots.p2.html` and so on.
pub const ROOTS_PER_MAP: usize = BUDGET * 4 / 5;

/// Cuts the forest into maps, breadth first from the top map.
pub fn plan(site: &Site) -> Plan {
    let g = &site.graph;
    let n = site.notes.len();
    let mut size = vec![0usize; n];
    for &id in g.reading_order.iter().rev() {
        size[id] = g.children[id].iter().map(|&c| 1 + size[c]).sum();
    }
    let mut maps = Vec::new();
    let mut home = vec![0usize; n];
    let mut at: Vec<NoteId> = NoteId::all(n).collect();
    // (root, the map it was folded out of, the nodes it starts from, its part number)
    type Pending = (Option<NoteId>, Option<usize>, Vec<NoteId>, usize);
    let mut queue: VecDeque<Pending> =
        g.roots.chunks(ROOTS_PER_MAP).enumerate().map(|(k, c)| (None, None, c.to_vec(), k)).collect();
    if queue.is_empty() {
        queue.push_back((None, None, Vec::new(), 0));
    }
    while let Some((root, parent_map, start, part)) = queue.pop_front() {
        let index = maps.len();
        let mut shown: Vec<NoteId> = start.clone();
        // Breadth first while four fifths of the map are free, then the last fifth goes to
        // whole subtrees that fit, smallest first, so that few maps hold only a node or two.
        let mut pending = Vec::new();
        let mut left_out: &[NoteId] = &[];
        let mut i = 0;
        while i < shown.len() {
            let u = shown[i];
            i += 1;
            let kids = &g.children[u];
            if Some(u) == root {
                // Its own root's children, however many, up to a bound.
                home[u] = index;
                let drawn = kids.len().min(CHILDREN_PER_MAP);
                shown.extend(&kids[..drawn]);
                left_out = &kids[drawn..];
            } else if kids.is_empty() || shown.len() + kids.len() <= BUDGET * 4 / 5 {
                home[u] = index;
                shown.extend(kids);
            } else {
                pending.push(u);
            }
        }
        pending.sort_by_key(|&u| size[u]); // stable: breadth-first order among equals
        let mut folded = BTreeMap::new();
        for u in pending {
            if shown.len() + size[u] <= BUDGET {
                home[u] = index;
                let start = shown.len();
                shown.extend(&g.children[u]);
                let mut j = start;
                while j < shown.len() {
                    home[shown[j]] = index;
                    shown.extend(&g.children[shown[j]]);
                    j += 1;
                }
            } else {
                folded.insert(u, index + 1 + queue.len());
                queue.push_back((Some(u), Some(index), vec![u], 0));
            }
        }
        // The children left out: listed behind the box; with children of their own, each
        // heads a map of its own below this one.
        for &c in left_out {
            if g.children[c].is_empty() {
                (home[c], at[c]) = (index, g.parent[c].unwrap_or(c));
            } else {
                queue.push_back((Some(c), Some(index), vec![c], 0));
            }
        }
        let more = root.filter(|_| !left_out.is_empty()).map(|r| (r, left_out.len()));
        maps.push(MapSpec { root, start, part, parent_map, shown, folded, more });
    }
    Plan { maps, home, at, size }
}

/// Words of the map the SVG spells out.
pub struct MapText<'a> {
    /// "+{n}" badge title: "{n} more concepts below: open their map".
    pub folded_title: &'a dyn Fn(usize) -> String,
    /// The box after the children a map leaves out: "{n} more →".
    pub more: &'a dyn Fn(usize) -> String,
    /// From the map's page, the link to every child of a note.
    pub children_list: &'a dyn Fn(NoteId) -> String,
    /// The SVG's accessible name.
    pub name: &'a str,
}

/// Typography and spacing, in CSS pixels.
const FONT: f64 = 14.0;
const PAD: f64 = 10.0;
const BOX_H: f64 = 28.0;
const ROW: f64 = 36.0;
const GAP: f64 = 52.0;
const MARGIN: f64 = 12.0;
const MAX_LABEL: f64 = 240.0;

/// The width of `s` in ems, as the CJK sans-serif stack renders it (near enough to size boxes).
fn text_em(s: &str) -> f64 {
    s.chars().map(char_em).sum()
}

fn char_em(c: char) -> f64 {
    let u = c as u32;
    let wide = matches!(u, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
        || c == '…';
    if wide {
        return 1.0;
    }
    match c {
        'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | '·' => 0.3,
        ' ' | '(' | ')' | '[' | ']' | '-' | 'f' | 't' | 'r' | '/' => 0.38,
        'm' | 'w' | 'M' | 'W' => 0.86,
        'A'..='Z' => 0.66,
        _ => 0.57,
    }
}

/// `s` cut to fit `max` pixels at `font`, with `…`; and whether it was cut.
fn fit(s: &str, font: f64, max: f64) -> (String, bool) {
    if text_em(s) * font <= max {
        return (s.to_string(), false);
    }
    let mut out = String::new();
    let mut width = char_em('…') * font;
    for c in s.chars() {
        width += char_em(c) * font;
        if width > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    (out, true)
}

/// A node placed on a map.
struct Placed {
    id: NoteId,
    depth: usize,
    /// Row, from the top; fractional for parents.
    row: f64,
    label: String,
    cut: bool,
    /// Box width.
    w: f64,
    /// The map holding its children, and how many descendants they are.
    folded: Option<(usize, usize)>,
}

fn px(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The box after the children a map leaves out of its root, to the list of them all.
struct ListBox {
    /// The map's root, whose children these are.
    of: NoteId,
    depth: usize,
    row: f64,
    label: String,
    w: f64,
    href: String,
}

/// Places the nodes of map `m`: columns by depth, rows by a post-order walk; and the row of
/// the box after its root's children, when it leaves some out.
fn place(site: &Site, plan: &Plan, m: usize) -> (Vec<Placed>, Option<f64>) {
    let spec = &plan.maps[m];
    let start = &spec.start;
    // Index of each drawn node in `placed`, which follows `spec.shown`.
    let index: BTreeMap<NoteId, usize> = spec.shown.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let mut placed: Vec<Placed> = spec
        .shown
        .iter()
        .map(|&id| {
            let title = site.notes[id].title();
            let (label, cut) = fit(title, FONT, MAX_LABEL);
            let w = text_em(&label) * FONT + 2.0 * PAD;
            let folded = spec.folded.get(&id).map(|&sub| (sub, plan.size[id]));
            Placed { id, depth: 0, row: 0.0, label, cut, w, folded }
        })
        .collect();
    for i in 0..spec.shown.len() {
        let d = placed[i].depth + 1;
        for c in spec.kids(site, spec.shown[i]) {
            if let Some(&ci) = index.get(c) {
                placed[ci].depth = d;
            }
        }
    }
    let mut next_row = 0.0;
    let mut list_row = None;
    for (k, &s) in start.iter().enumerate() {
        if k > 0 {
            next_row += 0.5; // a little air between trees
        }
        // Iterative post-order: (node, next child to visit).
        let mut stack: Vec<(NoteId, usize)> = vec![(s, 0)];
        while let Some(top) = stack.last_mut() {
            let (u, ci) = *top;
            let kids = spec.kids(site, u);
            if ci < kids.len() {
                top.1 += 1;
                stack.push((kids[ci], 0));
                continue;
            }
            stack.pop();
            // The list's box comes after the last child, as one more.
            let last = if spec.more.is_some_and(|(v, _)| v == u) {
                next_row += 1.0;
                list_row = Some(next_row - 1.0);
                list_row
            } else {
                kids.last().map(|b| placed[index[b]].row)
            };
            let row = match (kids.first(), last) {
                (Some(a), Some(b)) => (placed[index[a]].row + b) / 2.0,
                _ => {
                    next_row += 1.0;
                    next_row - 1.0
                }
            };
            placed[index[&u]].row = row;
        }
    }
    (placed, list_row)
}

fn badge_text(hidden: usize) -> String {
    format!("+{hidden}")
}

fn badge_w(hidden: usize) -> f64 {
    text_em(&badge_text(hidden)) * 12.0 + 14.0
}

/// The small SVG writer both drawings share: a cubic curve from `a` to `b` through the
/// control points `c1` and `c2`, with an optional class.
fn curve(out: &mut String, class: Option<&str>, a: (f64, f64), c1: (f64, f64), c2: (f64, f64), b: (f64, f64)) {
    let class = class.map(|c| format!(" class=\"{c}\"")).unwrap_or_default();
    let _ = write!(
        out,
        "<path{class} d=\"M{} {}C{} {} {} {} {} {}\"/>",
        px(a.0),
        px(a.1),
        px(c1.0),
        px(c1.1),
        px(c2.0),
        px(c2.1),
        px(b.0),
        px(b.1)
    );
}

/// A box with rounded corners `rx` and its label, text starting at `text_at`.
fn labelled_rect(out: &mut String, (x, y, w, h): (f64, f64, f64, f64), rx: u8, text_at: (f64, f64), label: &str) {
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{rx}\"/><text x=\"{}\" y=\"{}\">{}</text>",
        px(x),
        px(y),
        px(w),
        px(h),
        px(text_at.0),
        px(text_at.1),
        label
    );
}

/// Where map `m`'s boxes go: one column per depth, wide enough for its widest box.
struct Layout<'p> {
    placed: &'p [Placed],
    list: Option<ListBox>,
    col_x: Vec<f64>,
    at: BTreeMap<NoteId, &'p Placed>,
    width: f64,
    height: f64,
}

impl<'p> Layout<'p> {
    fn new(placed: &'p [Placed], list: Option<ListBox>) -> Layout<'p> {
        let depth = placed.iter().map(|p| p.depth).chain(list.as_ref().map(|l| l.depth)).max().unwrap_or(0);
        let mut col_w = vec![0.0f64; depth + 1];
        for p in placed {
            let extra = p.folded.map_or(0.0, |(_, h)| 6.0 + badge_w(h));
            col_w[p.depth] = col_w[p.depth].max(p.w + extra);
        }
        if let Some(l) = &list {
            col_w[l.depth] = col_w[l.depth].max(l.w);
        }
        let mut col_x = vec![MARGIN; depth + 1];
        for d in 1..=depth {
            col_x[d] = col_x[d - 1] + col_w[d - 1] + GAP;
        }
        let rows = placed.iter().map(|p| p.row).chain(list.as_ref().map(|l| l.row)).fold(0.0f64, f64::max) + 1.0;
        let width = col_x[depth] + col_w[depth] + MARGIN + 24.0;
        let height = rows * ROW + 2.0 * MARGIN - (ROW - BOX_H);
        let at = placed.iter().map(|p| (p.id, p)).collect();
        Layout { placed, list, col_x, at, width, height }
    }

    /// The vertical centre of a box in `row`.
    fn cy(&self, row: f64) -> f64 {
        MARGIN + row * ROW + BOX_H / 2.0
    }

    /// Parent-to-child curves between boxes on this map, and to the list's box.
    fn tree_edges(&self, site: &Site, svg: &mut String) {
        svg.push_str("<g class=\"edges-tree\">");
        let edge = |svg: &mut String, p: &Placed, (depth, row): (usize, f64)| {
            let (x1, y1) = (self.col_x[p.depth] + p.w, self.cy(p.row));
            let (x2, y2) = (self.col_x[depth], self.cy(row));
            let mid = x1 + (x2 - x1) * 0.5;
            curve(svg, None, (x1, y1), (mid, y1), (mid, y2), (x2, y2));
        };
        for p in self.placed.iter().filter(|p| p.folded.is_none()) {
            for c in site.graph.children[p.id].iter().filter_map(|c| self.at.get(c)) {
                edge(svg, p, (c.depth, c.row));
            }
        }
        if let Some(l) = &self.list {
            edge(svg, self.at[&l.of], (l.depth, l.row));
        }
        svg.push_str("</g>");
    }

    /// A related pair's curve, the same from either end: an arc on the right of two nodes
    /// in one column, an S-curve between columns.
    fn related_path(&self, out: &mut String, p: &Placed, q: &Placed) {
        let (a, b) = if (q.depth, q.row) < (p.depth, p.row) { (q, p) } else { (p, q) };
        let (ax, ay, by) = (self.col_x[a.depth] + a.w, self.cy(a.row), self.cy(b.row));
        let (c1, c2, bx) = if a.depth == b.depth {
            let bx = self.col_x[b.depth] + b.w;
            let right = ax.max(bx) + (18.0 + (by - ay).abs() * 0.22).min(GAP * 0.9);
            (right, right, bx)
        } else {
            let bx = self.col_x[b.depth];
            ((ax + bx) / 2.0, (ax + bx) / 2.0, bx)
        };
        curve(out, None, (ax, ay), (c1, ay), (c2, by), (bx, by));
    }

    /// Related links, under every box: a box's own links show while it is hovered,
    /// focused or targeted (`graph.html#n-lora`), or all at once by the page's toggle
    /// (CSS only). At most [`RELATED_PER_NODE`] from each box, the first on the map in
    /// reading order.
    fn related_layer(&self, site: &Site, svg: &mut String) {
        let mut rels = String::new();
        let mut shows = Vec::new();
        for p in self.placed {
            let mut related = String::new();
            for q in site.graph.related[p.id].iter().filter_map(|r| self.at.get(r)).take(RELATED_PER_NODE) {
                self.related_path(&mut related, p, q);
            }
            if !related.is_empty() {
                let slug = &site.notes[p.id].slug;
                let _ = write!(rels, "<g class=\"rel\" data-for=\"{}\">{related}</g>", escape(slug));
                let (id, slug) = (css_string(&node_id(slug)), css_string(slug));
                shows.push(format!(
                    ".map-svg:has([id={id}]:hover,[id={id}]:focus-visible,[id={id}]:target) .rel[data-for={slug}]"
                ));
            }
        }
        if !shows.is_empty() {
            let _ = write!(svg, "<style>{}{{display:inline}}</style>", escape(&shows.join(",")));
            let _ = write!(svg, "<g class=\"rels\">{rels}</g>");
        }
    }

    /// Every note's box (a link to it), with a `+N` badge for a folded subtree.
    fn boxes(&self, site: &Site, plan: &Plan, m: usize, page: &RelPath, text: &MapText, svg: &mut String) {
        svg.push_str("<g class=\"nodes\">");
        for p in self.placed {
            let note = &site.notes[p.id];
            let (x, y) = (self.col_x[p.depth], self.cy(p.row) - BOX_H / 2.0);
            let mut class = String::from("node note-link");
            if p.depth == 0 {
                class.push_str(" root");
            }
            if Some(p.id) == plan.maps[m].root {
                class.push_str(" focus");
            }
            let _ = write!(
                svg,
                "<a class=\"{class}\" id=\"{nid}\" href=\"{href}\" data-slug=\"{slug}\">",
                nid = escape(&node_id(&note.slug)),
                href = escape(&page.href_to(&crate::names::note_page(&note.slug))),
                slug = escape(&note.slug)
            );
            if p.cut {
                let _ = write!(svg, "<title>{}</title>", escape(note.title()));
            }
            labelled_rect(svg, (x, y, p.w, BOX_H), 6, (x + PAD, y + BOX_H / 2.0), &escape(&p.label));
            svg.push_str("</a>");
            if let Some((sub, hidden)) = p.folded {
                let (bx, bw) = (x + p.w + 6.0, badge_w(hidden));
                let _ = write!(
                    svg,
                    "<a class=\"more\" href=\"{href}\"><title>{title}</title>",
                    href = escape(&page.href_to(&plan.page(site, sub))),
                    title = escape(&(text.folded_title)(hidden)),
                );
                let rect = (bx, y + 3.0, bw, BOX_H - 6.0);
                labelled_rect(svg, rect, 11, (bx + bw / 2.0, y + BOX_H / 2.0), &badge_text(hidden));
                svg.push_str("</a>");
            }
        }
        if let Some(l) = &self.list {
            let (x, y) = (self.col_x[l.depth], self.cy(l.row) - BOX_H / 2.0);
            let _ = write!(svg, "<a class=\"node list-more\" href=\"{}\">", escape(&l.href));
            labelled_rect(svg, (x, y, l.w, BOX_H), 6, (x + PAD, y + BOX_H / 2.0), &escape(&l.label));
            svg.push_str("</a>");
        }
        svg.push_str("</g>");
    }
}

/// The SVG of map `m`, with links relative to `page`: tree curves, then the related
/// links (under the boxes), then the boxes.
pub fn map_svg(site: &Site, plan: &Plan, m: usize, page: &RelPath, text: &MapText) -> String {
    let (placed, list_row) = place(site, plan, m);
    let list = plan.maps[m].more.zip(list_row).map(|((of, hidden), row)| {
        let label = (text.more)(hidden);
        let w = text_em(&label) * FONT + 2.0 * PAD;
        let depth = placed.iter().find(|p| p.id == of).map_or(0, |p| p.depth) + 1;
        ListBox { of, depth, row, label, w, href: (text.children_list)(of) }
    });
    let layout = Layout::new(&placed, list);
    let mut svg = String::with_capacity(placed.len() * 400);
    svg_open(&mut svg, "map-svg", layout.width, layout.height, text.name);
    layout.tree_edges(site, &mut svg);
    layout.related_layer(site, &mut svg);
    layout.boxes(site, plan, m, page, text, &mut svg);
    svg.push_str("</svg>");
    svg
}

/// `s` as a quoted CSS string.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\{:x} ", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The opening `<svg>` tag of a drawing `width` × `height`, named for screen readers.
fn svg_open(svg: &mut String, class: &str, width: f64, height: f64, name: &str) {
    let _ = write!(
        svg,
        "<svg class=\"{class}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"group\" aria-label=\"{name}\">",
        w = px(width),
        h = px(height),
        name = escape(name)
    );
}

/// How a neighbour relates to the note in the middle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Parent,
    Child,
    Related,
    Backlink,
}

/// How many of each kind the neighbourhood draws before a `+N` box. `static/js/site.js`
/// draws the neighbourhood with the same caps (the `items` calls of `drawNeighbourhood`):
/// change them there too.
fn cap(kind: Kind) -> usize {
    match kind {
        Kind::Parent => 1,
        Kind::Child => 6,
        Kind::Related => 4,
        Kind::Backlink => 5,
    }
}

/// Note `id`'s neighbours by role: parent, children, related, backlinks; each note once,
/// in its strongest role (a related note that is also a child is drawn as a child).
pub fn roles(site: &Site, id: NoteId, backlinks: &[NoteId]) -> [Vec<NoteId>; 4] {
    let g = &site.graph;
    let parent: Vec<NoteId> = g.parent[id].into_iter().collect();
    let children = g.children[id].clone();
    let related: Vec<NoteId> =
        g.related[id].iter().copied().filter(|r| !parent.contains(r) && !children.contains(r) && *r != id).collect();
    let backlinks: Vec<NoteId> = backlinks
        .iter()
        .copied()
        .filter(|b| !parent.contains(b) && !children.contains(b) && !related.contains(b) && *b != id)
        .collect();
    [parent, children, related, backlinks]
}

/// The notes the neighbourhood draws as boxes of their own (the rest hide behind `+N`).
pub fn neighbourhood_shown(site: &Site, id: NoteId, backlinks: &[NoteId]) -> Vec<NoteId> {
    let [parent, children, related, backlinks] = roles(site, id, backlinks);
    let drawn = |kind: Kind, ids: &[NoteId]| {
        let n = if ids.len() > cap(kind) { cap(kind) - 1 } else { ids.len() };
        ids[..n].to_vec()
    };
    [(Kind::Parent, parent), (Kind::Child, children), (Kind::Related, related), (Kind::Backlink, backlinks)]
        .into_iter()
        .flat_map(|(k, ids)| drawn(k, &ids))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_as_one_em() {
        assert_eq!(text_em("微调"), 2.0);
        assert!(text_em("LoRA（低秩适配）") > 6.0 && text_em("LoRA（低秩适配）") < 9.0);
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        let (s, cut) = fit("RLHF（基于人类反馈的强化学习）", 14.0, 120.0);
        assert!(cut);
        assert!(s.ends_with('…'));
        assert!(text_em(&s) * 14.0 <= 120.0 + 14.0);
        assert_eq!(fit("微调", 14.0, 120.0), ("微调".to_string(), false));
    }

    #[test]
    fn pixels_print_short() {
        assert_eq!(px(12.0), "12");
        assert_eq!(px(12.25), "12.3");
    }
}
