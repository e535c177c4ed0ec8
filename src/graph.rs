//! The graph: every reference resolved, the parent tree checked, related and backlinks
//! gathered, a reading order fixed.
//!
//! In: the parsed notes (and the home page, whose links must resolve too). Out: a [`Site`]
//! whose [`Graph`] holds indices ([`NoteId`]) for parent, children, related, backlinks and
//! lookups by slug, title and alias, plus every problem found. A reference resolves by
//! slug, then title, then alias (titles and aliases compare NFKC-folded and case-blind).
//! `check` stops after this stage.

use crate::attachments::{Attachments, Miss};
use crate::config::{key_pos, Config};
use crate::error::{suggest, Diagnostic, Pos, Suggester};
use crate::names::{find_heading, is_home_ref, name_key, RefKind};
use crate::note::{FailedNotes, Home, Note, Ref};
use crate::paths::RelPath;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// A note's place in [`Site::notes`] (and in every per-note vector of the [`Graph`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NoteId(usize);

impl NoteId {
    pub fn new(index: usize) -> NoteId {
        NoteId(index)
    }

    pub fn index(self) -> usize {
        self.0
    }

    /// Every id of a site of `n` notes, in order.
    pub fn all(n: usize) -> impl DoubleEndedIterator<Item = NoteId> + ExactSizeIterator {
        (0..n).map(NoteId)
    }

    /// The items of a per-note slice with their ids.
    pub fn enumerate<T>(items: &[T]) -> impl DoubleEndedIterator<Item = (NoteId, &T)> + ExactSizeIterator {
        items.iter().enumerate().map(|(i, t)| (NoteId(i), t))
    }
}

impl<T> std::ops::Index<NoteId> for [T] {
    type Output = T;
    fn index(&self, id: NoteId) -> &T {
        &self[id.0]
    }
}

impl<T> std::ops::IndexMut<NoteId> for [T] {
    fn index_mut(&mut self, id: NoteId) -> &mut T {
        &mut self[id.0]
    }
}

impl<T> std::ops::Index<NoteId> for Vec<T> {
    type Output = T;
    fn index(&self, id: NoteId) -> &T {
        &self[id.0]
    }
}

impl<T> std::ops::IndexMut<NoteId> for Vec<T> {
    fn index_mut(&mut self, id: NoteId) -> &mut T {
        &mut self[id.0]
    }
}

#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub notes: Vec<Arc<Note>>,
    pub home: Option<Home>,
    pub graph: Graph,
    /// The images and documents beside the notes, which their references lead to.
    pub attachments: Arc<Attachments>,
}

/// What a trail shows for the levels it leaves out.
pub const ELLIPSIS: &str = "…";

/// The most notes a [`Trail`] holds.
pub const TRAIL_CAP: usize = 8;

/// Which entries of a way down of `len` entries (the top first) a trail leaves out: none
/// up to [`TRAIL_CAP`]; past it, all but the first and the last `TRAIL_CAP - 2`. The one
/// rule for a note's trail and a map page's chain of maps.
pub fn elided_range(len: usize) -> Option<std::ops::Range<usize>> {
    (len > TRAIL_CAP).then(|| 1..len - (TRAIL_CAP - 2))
}

/// The notes a page shows on the way from the root down to a note (see [`Graph::trail`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    /// The root first, the note itself last.
    pub steps: Vec<NoteId>,
    /// How many levels are left out between `steps[0]` and `steps[1]`: the last of them
    /// is `steps[1]`'s parent, where the "…" of the trail leads.
    pub elided: usize,
}

impl Trail {
    /// One entry for each note of the trail, made by `each`, and after the root the entry
    /// made by `gap` (given the nearest note left out) when the trail leaves levels out.
    pub fn entries<T>(&self, graph: &Graph, each: impl FnMut(&NoteId) -> T, gap: impl FnOnce(NoteId) -> T) -> Vec<T> {
        let mut entries: Vec<T> = self.steps.iter().map(each).collect();
        if let Some(hidden) = self.hidden(graph) {
            entries.insert(1, gap(hidden));
        }
        entries
    }

    /// The nearest of the notes left out, if any.
    pub fn hidden(&self, graph: &Graph) -> Option<NoteId> {
        (self.elided > 0).then(|| graph.parent[self.steps[1]]).flatten()
    }
}

#[derive(Debug, Default)]
pub struct Graph {
    by_slug: HashMap<String, NoteId>,
    by_title: HashMap<String, NoteId>,
    by_alias: HashMap<String, NoteId>,
    /// Aliases that name more than one note (name key → the notes, in file order): a link
    /// by one of them is an error, and auto-linking leaves them alone.
    shared_aliases: HashMap<String, Vec<NoteId>>,
    /// Titles that several notes have, with those notes: a link by one is an error too.
    shared_titles: HashMap<String, Vec<NoteId>>,
    by_path: HashMap<String, NoteId>,
    pub parent: Vec<Option<NoteId>>,
    /// Sorted by `order`, then title.
    pub children: Vec<Vec<NoteId>>,
    pub roots: Vec<NoteId>,
    /// Both directions: `a.related = [b]` shows b on a and a on b.
    pub related: Vec<Vec<NoteId>>,
    /// Every note whose body or front matter points here, in reading order.
    pub backlinks: Vec<Vec<NoteId>>,
    /// Depth-first over the tree: the order of prev/next.
    pub reading_order: Vec<NoteId>,
    /// Each note's index in `reading_order`.
    pub position: Vec<usize>,
    /// Each note's depth in the tree (a root's is 0) and its root.
    pub depth: Vec<usize>,
    pub root: Vec<NoteId>,
    /// Resolved references, all kinds.
    pub link_count: usize,
}

impl Graph {
    pub fn by_slug(&self, slug: &str) -> Option<NoteId> {
        self.by_slug.get(slug).copied()
    }

    /// The notes that share the name `name` when a link by it cannot tell them apart: the
    /// title of several notes, or (when no note has it as its slug or title, which win) the
    /// alias of several. `Shared::Title` or `Shared::Alias` says which.
    pub fn shared_name(&self, name: &str) -> Option<(&[NoteId], Shared)> {
        let key = name_key(name);
        if self.by_slug.contains_key(name.trim()) {
            return None;
        }
        if let Some(ids) = self.shared_titles.get(&key) {
            return Some((ids, Shared::Title));
        }
        if self.by_title.contains_key(&key) {
            return None;
        }
        self.shared_aliases.get(&key).map(|ids| (ids.as_slice(), Shared::Alias))
    }

    /// Slug, then title, then alias (a title or an alias that several notes share resolves
    /// to none).
    pub fn resolve_name(&self, target: &str) -> Option<NoteId> {
        if let Some(&id) = self.by_slug.get(target.trim()) {
            return Some(id);
        }
        let key = name_key(target);
        if self.shared_titles.contains_key(&key) {
            return None;
        }
        self.by_title.get(&key).or_else(|| self.by_alias.get(&key)).copied()
    }

    /// Whether a reference leads to the home page rather than to a note: `[home](index.md)`,
    /// or `[[index]]` when no note has that title or alias. The page is always made;
    /// `content/index.md` is only its body.
    pub fn links_home(&self, kind: RefKind, target: &str) -> bool {
        is_home_ref(kind, target) && self.resolve(kind, target).is_none()
    }

    pub fn resolve(&self, kind: RefKind, target: &str) -> Option<NoteId> {
        match kind {
            RefKind::File => self.by_path.get(target).copied(),
            RefKind::Attachment { .. } => None,
            _ => self.resolve_name(target),
        }
    }

    /// The way down to `id` that a page shows: its root, then its nearest ancestors and
    /// itself, [`TRAIL_CAP`] notes in all at most. A longer way leaves out the levels in
    /// between (`elided`), so that breadcrumbs, the sidebar's path, a search hit's path and a
    /// print number stay bounded however deep the tree goes (a chain of 20,000 notes, each
    /// the parent of the next, wrote pages of 20,000 breadcrumbs).
    pub fn trail(&self, id: NoteId) -> Trail {
        let len = self.depth[id] + 1;
        let left_out = elided_range(len);
        let keep = left_out.as_ref().map_or(len, |r| len - r.end);
        let mut steps = Vec::with_capacity(keep + 1);
        let mut cur = Some(id);
        while let (Some(c), true) = (cur, steps.len() < keep) {
            steps.push(c);
            cur = self.parent[c];
        }
        if left_out.is_some() {
            steps.push(self.root[id]);
        }
        steps.reverse();
        Trail { steps, elided: left_out.map_or(0, |r| r.len()) }
    }

    pub fn prev(&self, id: NoteId) -> Option<NoteId> {
        let pos = self.position[id];
        (pos > 0).then(|| self.reading_order[pos - 1])
    }

    pub fn next(&self, id: NoteId) -> Option<NoteId> {
        self.reading_order.get(self.position[id] + 1).copied()
    }
}

/// Resolves every reference and builds the graph, as steps: index the names, resolve the
/// references, check the tree, fix the reading order, find the orphans. Diagnostics hold
/// errors and warnings.
///
/// `failed` names the notes that did not parse: references to them are left out rather
/// than reported, since their own errors say what to fix. References to attachments are
/// checked against `attachments`.
pub fn link(
    config: Config,
    mut notes: Vec<Arc<Note>>,
    home: Option<Home>,
    drafts: &[Arc<Note>],
    failed: &FailedNotes,
    attachments: Arc<Attachments>,
) -> (Site, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut graph = Graph::default();
    one_spelling_per_tag(&mut notes);
    index_names(&notes, &mut graph, &mut diags);
    let mut known = Known::new(&notes, drafts, failed);
    let backlinks = resolve_all(&notes, home.as_ref(), &mut known, &mut graph, &mut diags);
    attachment_problems(&notes, home.as_ref(), &attachments, &mut diags);
    break_cycles(&notes, &mut graph, &mut diags);
    tree(&notes, &mut graph);
    reading_order(&mut graph, backlinks);
    if !diags.iter().any(Diagnostic::is_error) {
        orphans(&notes, &graph, &mut diags);
    }
    (Site { config, notes, home, graph, attachments }, diags)
}

/// Resolves the references of every note and of the home page: parents and related notes
/// go into `graph`; the notes that point to each note come back.
fn resolve_all(
    notes: &[Arc<Note>],
    home: Option<&Home>,
    known: &mut Known,
    graph: &mut Graph,
    diags: &mut Vec<Diagnostic>,
) -> Vec<BTreeSet<NoteId>> {
    let n = notes.len();
    graph.parent = vec![None; n];
    graph.related = vec![Vec::new(); n];
    let mut backlinks: Vec<BTreeSet<NoteId>> = vec![BTreeSet::new(); n];
    // A link to the home page is fine (it is no note: no backlink).
    let to_home = |graph: &Graph, r: &Ref| graph.links_home(r.kind, &r.target);
    for (id, note) in NoteId::enumerate(notes) {
        for r in note.refs.iter().filter(|r| !matches!(r.kind, RefKind::Attachment { .. })) {
            if to_home(graph, r) {
                graph.link_count += 1;
                continue;
            }
            let Some(target) = resolve_ref(graph, known, &note.path, r, diags) else {
                continue;
            };
            graph.link_count += 1;
            if target == id {
                // A link to one of its own headings (`[[#Setup]]`, `[[lora#setup]]`) is fine.
                if r.anchor.is_none() || r.kind == RefKind::Parent {
                    diags.push(self_reference(note, r));
                }
                continue;
            }
            match r.kind {
                RefKind::Parent => graph.parent[id] = Some(target),
                RefKind::Related => {
                    graph.related[id].push(target);
                    graph.related[target].push(id);
                }
                RefKind::Wiki | RefKind::File | RefKind::Attachment { .. } => {}
            }
            backlinks[target].insert(id);
        }
    }
    for r in home.iter().flat_map(|h| &h.refs).filter(|r| !matches!(r.kind, RefKind::Attachment { .. })) {
        if to_home(graph, r)
            || resolve_ref(graph, known, &home.expect("refs come from the home page").path, r, diags).is_some()
        {
            graph.link_count += 1;
        }
    }
    backlinks
}

/// A note that names itself: as its parent an error, as a link a warning.
fn self_reference(note: &Note, r: &Ref) -> Diagnostic {
    if r.kind == RefKind::Parent {
        Diagnostic::error(&note.path, "a note cannot be its own parent")
            .at(r.pos)
            .spanning(r.len)
            .help("remove `parent` to make this note a root, or name another note")
    } else {
        Diagnostic::warning(&note.path, format!("`{}` links to itself", note.slug))
            .at(r.pos)
            .spanning(r.len)
            .help("a link to the page itself leads nowhere: remove it, or link to one of its headings with a plain `#id` link")
    }
}

/// Children and roots from the (acyclic) parents, each list sorted by `order`, then title,
/// then slug.
fn tree(notes: &[Arc<Note>], graph: &mut Graph) {
    let n = notes.len();
    let title_keys: Vec<&str> = notes.iter().map(|n| n.title_key.as_str()).collect();
    let sort_key = |id: &NoteId| (notes[*id].front.order.unwrap_or(i64::MAX), &title_keys[*id], &notes[*id].slug);
    graph.children = vec![Vec::new(); n];
    for id in NoteId::all(n) {
        match graph.parent[id] {
            Some(p) => graph.children[p].push(id),
            None => graph.roots.push(id),
        }
    }
    for c in &mut graph.children {
        c.sort_by_key(sort_key);
    }
    graph.roots.sort_by_key(sort_key);
}

/// The reading order (the tree depth first) and each note's place in it; related notes
/// and backlinks sorted by it.
fn reading_order(graph: &mut Graph, backlinks: Vec<BTreeSet<NoteId>>) {
    let n = graph.parent.len();
    graph.reading_order = Vec::with_capacity(n);
    let mut stack: Vec<NoteId> = graph.roots.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        graph.reading_order.push(id);
        stack.extend(graph.children[id].iter().rev());
    }
    graph.position = vec![0; n];
    graph.depth = vec![0; n];
    graph.root = NoteId::all(n).collect();
    for (pos, &id) in graph.reading_order.iter().enumerate() {
        graph.position[id] = pos;
        // Depth first: a parent comes before its children.
        if let Some(p) = graph.parent[id] {
            graph.depth[id] = graph.depth[p] + 1;
            graph.root[id] = graph.root[p];
        }
    }
    let position = &graph.position;
    for r in &mut graph.related {
        r.sort_by_key(|id| position[*id]);
        r.dedup();
    }
    graph.backlinks = backlinks
        .into_iter()
        .map(|set| {
            let mut v: Vec<NoteId> = set.into_iter().collect();
            v.sort_by_key(|id| position[*id]);
            v
        })
        .collect();
}

/// A warning for each note with no parent, no children and nothing linking to it.
fn orphans(notes: &[Arc<Note>], graph: &Graph, diags: &mut Vec<Diagnostic>) {
    let n = notes.len();
    for id in NoteId::all(n).filter(|_| n > 1) {
        if graph.parent[id].is_none() && graph.backlinks[id].is_empty() && graph.children[id].is_empty() {
            let pos = title_pos(&notes[id]);
            diags.push(
                Diagnostic::warning(
                    &notes[id].path,
                    format!("`{}` is an orphan: it has no parent, no children and nothing links to it", notes[id].slug),
                )
                .at(pos)
                .spanning(pos.rest_of_line(&notes[id].source))
                .help(format!("set `{}` or link to it from a related note", notes[id].fence().set("parent", "..."))),
            );
        }
    }
}

/// Where a note's `title = ...` line is (line 1 when it cannot be found).
fn title_pos(note: &Note) -> Pos {
    let pos = key_pos(&note.source, "title");
    if pos.line == 0 {
        Pos { line: 1, column: 1 }
    } else {
        pos
    }
}

/// The slug a help for a taken slug suggests: the folder's name for a folder's own page
/// (mdBook's `readme.md` in every folder), else none in particular.
fn free_slug(note: &Note) -> String {
    let suggested = crate::note::suggested_slug(&note.path);
    if note.front.slug.is_none() && suggested != note.slug {
        suggested
    } else {
        "...".to_string()
    }
}

/// Tags that differ only in case or width (`AI`, `ai`, `ＡＩ`) are one tag, as in Obsidian:
/// each takes the spelling most notes give it (then the first in byte order), and a note
/// that spells it otherwise gets a copy with the site's spelling.
fn one_spelling_per_tag(notes: &mut [Arc<Note>]) {
    let mut spellings: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
    for tag in notes.iter().flat_map(|n| &n.front.tags) {
        *spellings.entry(name_key(tag)).or_default().entry(tag.clone()).or_default() += 1;
    }
    let site_spelling: HashMap<String, String> = spellings
        .into_iter()
        .filter(|(_, s)| s.len() > 1)
        .filter_map(|(key, s)| {
            let best = s.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))?.0.clone();
            Some((key, best))
        })
        .collect();
    if site_spelling.is_empty() {
        return;
    }
    let spelled = |t: &String| site_spelling.get(&name_key(t)).unwrap_or(t).clone();
    for note in notes.iter_mut() {
        if note.front.tags.iter().all(|t| spelled(t) == *t) {
            continue;
        }
        let note = Arc::make_mut(note);
        let mut tags: Vec<String> = Vec::with_capacity(note.front.tags.len());
        for t in note.front.tags.iter().map(spelled) {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        note.front.tags = tags;
    }
}

/// Which kind of name several notes share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    Title,
    Alias,
}

/// Fills the slug, title, alias and path lookups; duplicates are diagnostics.
fn index_names(notes: &[Arc<Note>], graph: &mut Graph, diags: &mut Vec<Diagnostic>) {
    index_names_inner(notes, graph, diags);
    for key in graph.shared_aliases.keys() {
        graph.by_alias.remove(key);
    }
}

fn index_names_inner(notes: &[Arc<Note>], graph: &mut Graph, diags: &mut Vec<Diagnostic>) {
    for (id, note) in NoteId::enumerate(notes) {
        graph.by_path.insert(note.path.to_string(), id);
        if let Some(&first) = graph.by_slug.get(&note.slug) {
            diags.push(
                Diagnostic::error(&note.path, format!("slug `{}` is already used by {}", note.slug, notes[first].path))
                    .at(Pos { line: 1, column: 1 })
                    .help(format!(
                        "slugs are unique: rename one of the files or set `{}` in its front matter",
                        note.fence().set("slug", &free_slug(note))
                    )),
            );
        } else {
            graph.by_slug.insert(note.slug.clone(), id);
        }
        let title = note.title_key.clone();
        if let Some(&first) = graph.by_title.get(&title) {
            graph.shared_titles.entry(title).or_insert_with(|| vec![first]).push(id);
            diags.push(
                Diagnostic::warning(
                    &note.path,
                    format!("title `{}` is also the title of {}", note.title(), notes[first].path),
                )
                .at(title_pos(note))
                .spanning(title_pos(note).rest_of_line(&note.source))
                .help("a link by this title will be an error, and auto-linking skips it: give the notes distinct titles, or link by slug"),
            );
        } else {
            graph.by_title.insert(title, id);
        }
    }
    for (id, note) in NoteId::enumerate(notes) {
        let pos = || key_pos(&note.source, "aliases");
        let span = pos().rest_of_line(&note.source);
        for (alias, key) in note.front.aliases.iter().zip(&note.alias_keys) {
            let key = key.clone();
            match graph.by_alias.get(&key) {
                Some(&other) if other != id => {
                    let sharing = graph.shared_aliases.entry(key.clone()).or_insert_with(|| vec![other]);
                    if !sharing.contains(&id) {
                        sharing.push(id);
                    }
                    diags.push(
                        Diagnostic::warning(&note.path, format!("alias `{alias}` also names {}", notes[other].path))
                            .at(pos())
                            .spanning(span)
                            .help("a link by this alias will be an error, and auto-linking skips it; link by slug, or remove the alias from one of them"),
                    )
                }
                Some(_) => {}
                None => {
                    graph.by_alias.insert(key.clone(), id);
                }
            }
            let shadow = graph.by_slug.get(alias.trim()).or_else(|| graph.by_title.get(&key));
            if let Some(&other) = shadow.filter(|&&o| o != id) {
                diags.push(
                    Diagnostic::warning(
                        &note.path,
                        format!("alias `{alias}` is the title or slug of {}", notes[other].path),
                    )
                    .at(pos())
                    .spanning(span)
                    .help(format!("[[{alias}]] links to `{}`; remove the alias", notes[other].slug)),
                );
            }
        }
    }
}

/// What a reference that the graph cannot resolve is checked against: sets built once,
/// since a site may hold thousands of broken references.
struct Known<'a> {
    notes: &'a [Arc<Note>],
    /// The file stems of notes that did not parse.
    failed: HashSet<&'a str>,
    /// Their titles, aliases and slugs (`name_key`), when their front matter was read.
    failed_names: HashSet<&'a str>,
    draft_paths: HashSet<&'a str>,
    draft_slugs: HashSet<&'a str>,
    draft_titles: HashSet<String>,
    /// "did you mean" for names and for note files, prepared at the first reference that
    /// needs one, with each target's answer kept for its next broken reference.
    names: Option<Suggester<'a>>,
    paths: Option<Suggester<'a>>,
    /// Each name's note, for "did you mean `name` (note `slug`)".
    owners: Option<HashMap<&'a str, &'a str>>,
    hints: HashMap<(bool, String), Option<String>>,
}

/// How much work (names looked at, cells of edit-distance tables) "did you mean" may do
/// over all the broken references of one build, for names and for files each: about a
/// second. Past it, further broken references are reported without a suggestion; the
/// budget is counted, not timed, so a build's output does not depend on the machine.
const SUGGESTION_BUDGET: u64 = 400_000_000;

impl<'a> Known<'a> {
    fn new(notes: &'a [Arc<Note>], drafts: &'a [Arc<Note>], failed: &'a FailedNotes) -> Self {
        Known {
            notes,
            failed: failed.stems.iter().map(String::as_str).collect(),
            failed_names: failed.names.iter().map(String::as_str).collect(),
            draft_paths: drafts.iter().map(|d| d.path.as_str()).collect(),
            draft_slugs: drafts.iter().map(|d| d.slug.as_str()).collect(),
            draft_titles: drafts.iter().map(|d| name_key(d.title())).collect(),
            names: None,
            paths: None,
            owners: None,
            hints: HashMap::new(),
        }
    }

    fn is_draft(&self, r: &Ref) -> bool {
        match r.kind {
            RefKind::File => self.draft_paths.contains(r.target.as_str()),
            _ => self.draft_slugs.contains(r.target.trim()) || self.draft_titles.contains(&name_key(&r.target)),
        }
    }

    /// The "did you mean" of a reference to a file (`by_path`) or a name that is not there.
    fn hint(&mut self, by_path: bool, target: &str) -> Option<String> {
        let key = (by_path, target.to_string());
        if let Some(hint) = self.hints.get(&key) {
            return hint.clone();
        }
        let notes = self.notes;
        let hint = if by_path {
            let paths = self.paths.get_or_insert_with(|| {
                Suggester::new(notes.iter().map(|n| n.path.as_str())).with_budget(SUGGESTION_BUDGET)
            });
            paths.suggest(target).map(|p| format!("did you mean `{p}`?"))
        } else {
            let names = self.names.get_or_insert_with(|| {
                let names = notes
                    .iter()
                    .map(|n| n.slug.as_str())
                    .chain(notes.iter().map(|n| n.title()))
                    .chain(notes.iter().flat_map(|n| n.front.aliases.iter().map(String::as_str)));
                Suggester::new(names).with_budget(SUGGESTION_BUDGET)
            });
            let owners = self.owners.get_or_insert_with(|| {
                // Each name's first note (as slug, title or alias), as in the names' order.
                let mut owners = HashMap::new();
                for n in notes {
                    for name in
                        [n.slug.as_str(), n.title()].into_iter().chain(n.front.aliases.iter().map(String::as_str))
                    {
                        owners.entry(name).or_insert(n.slug.as_str());
                    }
                }
                owners
            });
            names.suggest(target).map(|s| match owners.get(s).copied() {
                Some(slug) if slug != s => format!("did you mean `{s}` (note `{slug}`)?"),
                _ => format!("did you mean `{s}`?"),
            })
        };
        self.hints.insert(key, hint.clone());
        hint
    }
}

/// The notes an error names, when it could name hundreds: the first ten, then how many
/// more, so that one line stays short however many notes share an alias.
const NAMED_NOTES: usize = 10;

/// An error for a reference by an alias several notes share, naming the first few of them.
fn shared_name_error(
    notes: &[Arc<Note>],
    (sharing, shared): (&[NoteId], Shared),
    from: &RelPath,
    what: &str,
    r: &Ref,
) -> Diagnostic {
    let named = &sharing[..sharing.len().min(NAMED_NOTES)];
    let more = sharing.len() - named.len();
    let names: Vec<String> = named.iter().map(|&n| format!("`{}` ({})", notes[n].slug, notes[n].path)).collect();
    let links: Vec<String> = named.iter().map(|&n| format!("[[{}]]", notes[n].slug)).collect();
    let (names_more, links_more) = match more {
        0 => (String::new(), String::new()),
        _ => (format!(" and {more} more"), format!(" or one of {more} more")),
    };
    Diagnostic::error(
        from,
        format!(
            "{what} `{}` is {} of several notes: {}{names_more}",
            r.target.trim(),
            if shared == Shared::Title { "the title" } else { "an alias" },
            names.join(", ")
        ),
    )
    .at(r.pos)
    .spanning(r.len)
    .help(format!("link by slug to the one you mean: {}{links_more}", links.join(" or ")))
}

fn resolve_ref(
    graph: &Graph,
    known: &mut Known,
    from: &RelPath,
    r: &Ref,
    diags: &mut Vec<Diagnostic>,
) -> Option<NoteId> {
    let notes = known.notes;
    let what = match r.kind {
        RefKind::Parent => "parent",
        RefKind::Related => "related note",
        RefKind::Wiki | RefKind::File | RefKind::Attachment { .. } => "link",
    };
    let Some(id) = graph.resolve(r.kind, &r.target) else {
        if let Some(sharing) = (r.kind != RefKind::File).then(|| graph.shared_name(&r.target)).flatten() {
            diags.push(shared_name_error(notes, sharing, from, what, r));
            return None;
        }
        let stem = match r.kind {
            RefKind::File => RelPath::new(&r.target).file_stem().to_string(),
            _ => r.target.trim().to_string(),
        };
        if known.failed.contains(stem.as_str()) || known.failed_names.contains(name_key(&r.target).as_str()) {
            return None;
        }
        let (message, help) = if known.is_draft(r) {
            (
                format!("{what} `{}` points to a draft", r.target),
                Some("publish it (remove its `draft` line) or remove the reference".to_string()),
            )
        } else if r.kind == RefKind::File {
            (format!("{what} to `{}`: no such note file", r.target), known.hint(true, &r.target))
        } else {
            (format!("{what} `{}` names no note", r.target), known.hint(false, &r.target))
        };
        diags.push(Diagnostic::error(from, message).at(r.pos).spanning(r.len).help_opt(help));
        return None;
    };
    if let Some(anchor) = &r.anchor {
        let headings = &notes[id].headings;
        if anchor.starts_with('^') {
            // Obsidian's block reference: no block has an id on a page here.
            diags.push(
                Diagnostic::warning(
                    from,
                    format!("`#{anchor}` is a block reference, which conceptbook does not support"),
                )
                .at(r.pos)
                .spanning(r.len)
                .help(format!(
                    "the link goes to the top of `{}`; link a heading (`#heading`) to go further",
                    notes[id].slug
                )),
            );
        } else if find_heading(headings, anchor).is_none() {
            let help = suggest(anchor, headings.iter().map(|h| h.id.as_str()))
                .map(|a| format!("did you mean `#{a}`?"))
                .or_else(|| {
                    (!headings.is_empty()).then(|| {
                        format!(
                            "its headings: {}",
                            headings.iter().map(|h| format!("#{}", h.id)).collect::<Vec<_>>().join(", ")
                        )
                    })
                });
            diags.push(
                Diagnostic::error(from, format!("`{}` has no heading `#{anchor}`", notes[id].slug))
                    .at(r.pos)
                    .spanning(r.len)
                    .help_opt(help),
            );
            return None;
        }
    }
    Some(id)
}

/// Every reference to an attachment that leads nowhere (a file that is not there, an SVG
/// below `content/`, a name several files have), at its place; and every published
/// attachment that a static file of the same output path would hide.
fn attachment_problems(
    notes: &[Arc<Note>],
    home: Option<&Home>,
    attachments: &Attachments,
    diags: &mut Vec<Diagnostic>,
) {
    for path in attachments.shadowed() {
        diags.push(
            Diagnostic::error(
                &RelPath::new(crate::paths::CONTENT_DIR).join(path.as_str()),
                format!("`content/{path}` and `static/{path}` land on the same output path `{path}`"),
            )
            .help("rename or move one of them: each would replace the other in the site"),
        );
    }
    // "did you mean", prepared at the first reference that needs one.
    let mut near = None;
    let bodies = notes.iter().map(|n| (&n.path, &n.refs)).chain(home.map(|h| (&h.path, &h.refs)));
    for (from, refs) in bodies {
        for r in refs {
            let RefKind::Attachment { by_name, .. } = r.kind else { continue };
            if let Err(miss) = attachments.resolve(from, &r.target, by_name) {
                let near = &mut near
                    .get_or_insert_with(|| Suggester::new(attachments.candidates()).with_budget(SUGGESTION_BUDGET));
                diags.push(attachment_error(from, r, miss, near));
            }
        }
    }
}

/// The error for a reference `r` (in `from`) to an attachment that `miss` says is not there.
fn attachment_error(from: &RelPath, r: &Ref, miss: Miss, near: &mut Suggester) -> Diagnostic {
    let what = if matches!(r.kind, RefKind::Attachment { image: true, .. }) { "image" } else { "link" };
    let target = r.target.trim();
    let (message, help) = match miss {
        Miss::Svg(svg) => (
            format!("{what} `{target}` is an SVG in content/, which is not published"),
            format!(
                "an SVG opened on its own runs its scripts on the site: convert it to PNG, or, if you trust it, move it to `static/{svg}` and reference it as `{svg}`"
            ),
        ),
        Miss::Ambiguous(paths) => {
            let named: Vec<String> = paths.iter().take(NAMED_NOTES).map(|p| format!("`content/{p}`")).collect();
            let more = paths.len().saturating_sub(NAMED_NOTES);
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            (
                format!("{what} `{target}` names {} files: {}{more}", paths.len(), named.join(", ")),
                format!("write the path of the one you mean, e.g. `![[{}]]`", paths[0]),
            )
        }
        Miss::Missing { here, top } => {
            let written = crate::paths::percent_decode(target).unwrap_or_else(|| target.to_string());
            // What was meant, as one writes it from `content/` (which any note may do).
            let hint = [&top, &here].into_iter().flatten().find_map(|p| near.suggest(p.as_str()));
            let hint = hint.or_else(|| (here.is_none() && top.is_none()).then(|| near.suggest(&written)).flatten());
            let help = match (hint, &here, &top) {
                (Some(p), _, _) => format!("did you mean `{p}`?"),
                (None, Some(h), Some(t)) => format!("put the file at `content/{h}` or `static/{t}`"),
                (None, Some(h), None) => format!("put the file at `content/{h}`"),
                _ => "a reference leads to a file below content/ or static/; this one leads out of them".to_string(),
            };
            (format!("{what} `{target}`: no such file"), help)
        }
    };
    Diagnostic::error(from, message).at(r.pos).spanning(r.len).help(help)
}

/// Reports each parent cycle once, at its first note, and cuts it there.
fn break_cycles(notes: &[Arc<Note>], graph: &mut Graph, diags: &mut Vec<Diagnostic>) {
    let n = notes.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on the current walk, 2 done
    for start in NoteId::all(n) {
        let mut walk = Vec::new();
        let mut cur = Some(start);
        while let Some(id) = cur {
            match state[id] {
                2 => break,
                1 => {
                    let cycle = &walk[walk.iter().position(|&x| x == id).unwrap_or(0)..];
                    let first = cycle.iter().copied().min_by_key(|&x: &NoteId| &notes[x].path).unwrap_or(id);
                    let mut names: Vec<&str> = Vec::new();
                    let mut c = first;
                    loop {
                        names.push(&notes[c].slug);
                        c = graph.parent[c].unwrap_or(first);
                        if c == first {
                            break;
                        }
                    }
                    // A cycle of thousands of notes is named by its first few.
                    const NAMED: usize = 10;
                    let more = names.len().saturating_sub(NAMED);
                    let mut names: Vec<String> = names.iter().take(NAMED).map(|s| s.to_string()).collect();
                    if more > 0 {
                        names.push(format!("… ({more} more)"));
                    }
                    names.push(notes[first].slug.clone());
                    let (pos, span) = notes[first]
                        .refs
                        .iter()
                        .find(|r| r.kind == RefKind::Parent)
                        .map(|r| (r.pos, r.len))
                        .unwrap_or_default();
                    diags.push(
                        Diagnostic::error(&notes[first].path, format!("parent cycle: {}", names.join(" → ")))
                            .at(pos)
                            .spanning(span)
                            .help("the parent chain must end at a root: remove `parent` from one of these notes"),
                    );
                    graph.parent[first] = None;
                    break;
                }
                _ => {
                    state[id] = 1;
                    walk.push(id);
                    cur = graph.parent[id];
                }
            }
        }
        for id in walk {
            state[id] = 2;
        }
    }
}
