//! The concept map: every note a link on `graph.html`, related pairs drawn, each note's
//! neighbourhood on its page; a big site cut into maps that stay small and add up linearly;
//! and, in Chromium, the way from the map to a note and back.

use crate::browser::*;
use crate::support::*;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::Locator;
use std::fmt::Write as _;
use std::time::Duration;

fn site() -> SiteTest {
    SiteTest::new()
        .simple("llm", "大语言模型", "order = 1", "见 [[fine-tuning]]。")
        .simple("fine-tuning", "微调", "order = 2", "全量与 [[peft]]，见 [[quantization]]。")
        .simple(
            "peft",
            "参数高效微调",
            "parent = \"fine-tuning\"\nrelated = [\"quantization\"]",
            "最常用的是 [[lora]]。",
        )
        .simple("lora", "LoRA（低秩适配）", "parent = \"peft\"\nrelated = [\"quantization\"]", "冻结原权重。")
        .simple("quantization", "模型量化", "parent = \"llm\"", "与 [[lora]] 结合。")
        .simple("rlhf", "RLHF（基于人类反馈的强化学习）", "parent = \"fine-tuning\"", "对齐。")
}

/// The `<a …>` start tag of the node `n-<slug>` on a map page.
fn node<'a>(html: &'a str, slug: &str) -> &'a str {
    let at = html.find(&format!("id=\"n-{slug}\"")).unwrap_or_else(|| panic!("node n-{slug}"));
    let start = html[..at].rfind('<').unwrap();
    &html[start..start + html[start..].find('>').unwrap() + 1]
}

#[test]
fn the_map_draws_every_note_as_a_link_and_each_note_its_neighbourhood() {
    let site = site();
    site.build().ok();
    let map = site.read("graph.html");
    for slug in ["llm", "fine-tuning", "peft", "lora", "quantization", "rlhf"] {
        let a = node(&map, slug);
        assert!(a.contains(&format!("href=\"{slug}.html\"")), "{a}");
        assert!(a.contains(&format!("data-slug=\"{slug}\"")), "{a}");
    }
    assert!(node(&map, "llm").contains("root") && !node(&map, "peft").contains("root"));
    // A long title is cut on its box, whole in its tooltip.
    assert!(
        map.contains("<title>RLHF（基于人类反馈的强化学习）</title>")
            || map.contains(">RLHF（基于人类反馈的强化学习）</text>")
    );
    // One solid curve per parent link; related pairs drawn for both of their nodes.
    let tree = &map[map.find("class=\"edges-tree\"").unwrap()..map.find("class=\"rels\"").unwrap()];
    assert_eq!(tree.matches("<path").count(), 4, "peft, lora, quantization, rlhf have parents");
    assert_eq!(map.matches("<g class=\"rel\" data-for=").count(), 3, "peft, lora, quantization");
    let (rels, nodes) = (map.find("class=\"rels\"").unwrap(), map.find("class=\"nodes\"").unwrap());
    assert!(rels < nodes, "related links are drawn under the boxes");
    assert!(map.contains("class=\"show-related\""), "a toggle for all related links");
    // The map is reachable from every page and from the home page's text.
    for page in ["index.html", "lora.html", "glossary.html", "tags.html"] {
        assert!(text_of_class(&site.read(page), "top-links").contains("概念图"), "{page}");
    }
    assert!(site.read("index.html").contains("· <a href=\"graph.html\">概念图</a>"));

    // peft's neighbourhood is drawn by site.js from the page's own lists (the browser test
    // below): the page carries how many of each kind there are (its parent fine-tuning, its
    // child lora, quantization related, no other backlink) and the link to its place on
    // the map, but no drawing, which was a sixth of every note page.
    let peft = site.read("peft.html");
    assert!(peft.contains("data-counts=\"1 1 1 0\""), "{peft}");
    assert!(!peft.contains("<svg class=\"nb-svg"), "{peft}");
    assert!(peft.contains("<p class=\"to-map\"><a href=\"graph.html#n-peft\">在概念图中查看 →</a></p>"));
    // rlhf's only neighbour is its parent.
    assert!(site.read("rlhf.html").contains("data-counts=\"1 0 0 0\""));
    check_links(&site.out());
}

/// Writes a site of `roots` roots with `kids` children each and `grandkids` children under
/// each child, plus one root `big` with `flat` leaves: a tree the map must cut.
fn big_site(roots: usize, kids: usize, grandkids: usize, flat: usize) -> (SiteTest, usize) {
    let mut s = SiteTest::new();
    let mut count = 0;
    let mut add = |s: SiteTest, slug: &str, parent: Option<&str>| {
        count += 1;
        let extra = parent.map(|p| format!("parent = \"{p}\"")).unwrap_or_default();
        s.simple(slug, &format!("概念 {slug}"), &extra, "正文。")
    };
    for r in 0..roots {
        let root = format!("r{r}");
        s = add(s, &root, None);
        for k in 0..kids {
            let kid = format!("r{r}-k{k}");
            s = add(s, &kid, Some(&root));
            for g in 0..grandkids {
                s = add(s, &format!("r{r}-k{k}-g{g}"), Some(&kid));
            }
        }
    }
    s = add(s, "big", None);
    for f in 0..flat {
        s = add(s, &format!("big-{f}"), Some("big"));
    }
    (s, count)
}

#[test]
fn a_big_site_is_cut_into_maps_that_stay_small_and_add_up_linearly() {
    let (site, notes) = big_site(3, 20, 12, 300);
    assert_eq!(notes, 3 + 60 + 720 + 301);
    // `big`'s last child (its children go by title: big-0, big-1, big-10, …, big-99) has
    // a child of its own.
    let site = site.simple("big-99-x", "概念 big-99-x", "parent = \"big-99\"", "正文。");
    let notes = notes + 1;
    site.build().ok();
    let out = site.out();
    let maps: Vec<_> = walkdir(&out)
        .into_iter()
        .filter(|p| p.file_name().unwrap() == "graph.html" || p.parent().unwrap().file_name().unwrap() == "map")
        .collect();
    let mut report = String::new();
    let mut boxes = 0;
    let mut homes = std::collections::BTreeMap::<String, usize>::new();
    for path in &maps {
        let html = std::fs::read_to_string(path).unwrap();
        let n = html.matches("<a class=\"node note-link").count();
        boxes += n;
        let _ = writeln!(report, "{}: {n} nodes", path.display());
        // A map draws at most 250 boxes, even of a node with more children than that.
        assert!(n <= 250, "{report}");
        for id in attrs(&html, "id").into_iter().filter(|i| i.starts_with("n-")) {
            *homes.entry(id).or_default() += 1;
        }
    }
    // Every note is on some map but the 99 leaves past the first 200 children of `big`,
    // which its map lists behind "and N more" (big-99, not a leaf, heads a map of its own);
    // no note on more than two maps (in full, and folded on the map above); so all the maps
    // together grow linearly with the site.
    let list = site.read("children/big.html");
    let kids: Vec<String> = attrs(&list, "data-slug").into_iter().filter(|s| s != "big").collect();
    assert_eq!((kids.len(), kids[199].as_str(), kids[299].as_str()), (300, "big-278", "big-99"));
    let left_out = &kids[200..299];
    assert_eq!(homes.len(), notes - 99, "{report}");
    assert!(left_out.iter().all(|slug| !homes.contains_key(&format!("n-{slug}"))));
    assert!(homes.values().all(|&n| n <= 2));
    assert!(boxes <= 2 * notes, "{boxes} boxes for {notes} notes\n{report}");
    let top = site.read("graph.html");
    for root in ["r0", "r1", "r2", "big"] {
        assert!(top.contains(&format!("id=\"n-{root}\"")), "the top map shows every root");
    }
    assert!(top.contains("<a class=\"more\" href=\"map/big.html\">"), "big is folded");
    assert!(top.contains("<title>其下还有 301 个概念：打开这部分的概念图</title>"));
    assert!(top.len() < 200_000, "graph.html is {} bytes", top.len());
    let sub = site.read("map/big.html");
    assert!(sub.contains("<h1>概念图 · 概念 big</h1>"));
    assert!(text_of_class(&sub, "breadcrumbs").starts_with("概念图"), "a sub-map leads back up");
    // The first 200 children, then a box to the list of them all.
    assert!(sub.contains("id=\"n-big-278\"") && !sub.contains("id=\"n-big-279\""));
    assert!(sub.contains("<a class=\"node list-more\" href=\"../children/big.html\">"), "{sub}");
    assert!(sub.contains(">还有 100 个 →</text>"));
    assert!(sub.len() < 150_000, "map/big.html is {} bytes", sub.len());
    // Each note's "on the map" link goes to the map that draws it in full; a leaf left out
    // lands on its parent there; one with children of its own has a map of its own.
    // check_links follows every link, fragment included, on every page and map.
    assert!(site.read("big-0.html").contains("href=\"map/big.html#n-big-0\""));
    assert!(site.read("big-7.html").contains("href=\"map/big.html#n-big\""));
    assert!(site.read("big-99.html").contains("href=\"map/big-99.html#n-big-99\""));
    assert!(site.read("big-99-x.html").contains("href=\"map/big-99.html#n-big-99-x\""));
    assert!(text_of_class(&site.read("map/big-99.html"), "breadcrumbs").contains("概念 big"));
    check_links(&out);
}

/// From the map to a note and back, as a reader does it: click a box, then "在概念图中查看"
/// (or the middle box of the neighbourhood), which opens the map at the note, highlighted.
#[tokio::test(flavor = "multi_thread")]
async fn from_the_map_to_a_note_and_back() {
    let site = site();
    site.build().ok();
    let base = serve(site.out(), "/repo/");
    with_browser((1280, 900), move |c| async move {
        c.goto(&format!("{base}graph.html")).await.unwrap();
        screenshot(&c, "map-desktop").await;
        // Hovering a box shows its related links (CSS only).
        let shown = "return [...document.querySelectorAll('.rel[data-for=lora]')].map(g => getComputedStyle(g).display)";
        assert_eq!(c.execute(shown, vec![]).await.unwrap(), serde_json::json!(["none"]));
        let lora = c.find(Locator::Id("n-lora")).await.unwrap();
        c.perform_actions(MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element: lora.clone(),
            duration: Some(Duration::from_millis(50)),
            x: 0.0,
            y: 0.0,
        }))
        .await
        .unwrap();
        assert_eq!(c.execute(shown, vec![]).await.unwrap(), serde_json::json!(["inline"]));
        c.find(Locator::Css("#n-lora text")).await.unwrap().click().await.unwrap();
        assert_eq!(c.current_url().await.unwrap().as_str(), format!("{base}lora.html"));

        c.find(Locator::Css(".to-map a")).await.unwrap().click().await.unwrap();
        assert_eq!(
            c.current_url().await.unwrap().as_str(),
            format!("{base}graph.html#n-lora")
        );
        let target = c
            .execute(
                "const t = document.querySelector(':target'); const r = t.getBoundingClientRect();
                 return [t.id, getComputedStyle(t.querySelector('rect')).fill,
                         getComputedStyle(document.body).getPropertyValue('--mark').trim(),
                         r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth]",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(target[0], "n-lora");
        assert_eq!(target[1], "rgb(255, 241, 168)", "highlighted with --mark {}", target[2]);
        assert_eq!(target[3], true, "scrolled into view");
        screenshot(&c, "map-target").await;
        c.back().await.unwrap();
        assert_eq!(c.current_url().await.unwrap().as_str(), format!("{base}lora.html"));
        // The neighbourhood's middle box leads to the same place.
        c.find(Locator::Css(".nb-svg .self")).await.unwrap().click().await.unwrap();
        assert_eq!(
            c.current_url().await.unwrap().as_str(),
            format!("{base}graph.html#n-lora")
        );
        // The toggle shows every related link at once.
        c.find(Locator::Css(".show-related")).await.unwrap().click().await.unwrap();
        let all = c
            .execute("return [...document.querySelectorAll('.map-svg .rel')].every(g => getComputedStyle(g).display !== 'none')", vec![])
            .await
            .unwrap();
        assert_eq!(all, true);
        // Keyboard: the boxes are links in the tab order.
        let focusable = c
            .execute("const a = document.getElementById('n-peft'); a.focus(); return document.activeElement === a", vec![])
            .await
            .unwrap();
        assert_eq!(focusable, true);
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}

/// The neighbourhood as a reader sees it: site.js draws it from the page's own lists (the
/// breadcrumbs' parent, children, related notes, backlinks), a `+N` box for what a list has
/// past its cap, and hides the chips it drew; without the script the lists are all there is.
#[tokio::test(flavor = "multi_thread")]
async fn each_note_draws_its_neighbourhood_from_its_lists() {
    let mut site = site();
    for k in 0..8 {
        site = site.simple(&format!("user-{k}"), &format!("用到 LoRA 的笔记 {k}"), "", "基于 [[lora]]。");
    }
    site.build().ok();
    let out = site.out();
    let base = serve(out.clone(), "/");
    with_browser((1280, 900), move |c| async move {
        let boxes = "return [...document.querySelectorAll('.nb-svg:not(.nb-vertical) a.node')].map(a =>
                       [a.getAttribute('class'), a.getAttribute('href'), a.querySelector('text').textContent,
                        a.querySelector('title') ? a.querySelector('title').textContent : ''])";
        c.goto(&format!("{base}peft.html")).await.unwrap();
        assert_eq!(
            js(&c, boxes).await,
            serde_json::json!([
                ["node parent", "fine-tuning.html", "微调", ""],
                ["node child", "lora.html", "LoRA（低秩适配）", ""],
                ["node related", "quantization.html", "模型量化", ""],
                ["node self", "graph.html#n-peft", "参数高效微调", "在概念图中查看"]
            ])
        );
        let legend = "return [...document.querySelectorAll('.neighbourhood .map-legend li')].map(l => l.textContent)";
        assert_eq!(js(&c, legend).await, serde_json::json!(["父概念 → 子概念", "相关概念"]));
        // quantization is drawn: its chip is left for print.
        let related = "const s = document.querySelector('.connections.related'); return s && getComputedStyle(s).display";
        assert_eq!(js(&c, related).await, "none");

        // lora: eight notes link to it; four are drawn, then `+4` leads to the list, where
        // the four not drawn show as chips. quantization both links to it and is related:
        // drawn once, as related.
        c.goto(&format!("{base}lora.html")).await.unwrap();
        let drawn = js(&c, boxes).await;
        let kinds: Vec<&str> = drawn.as_array().unwrap().iter().map(|b| b[0].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "node parent",
                "node backlink",
                "node backlink",
                "node backlink",
                "node backlink",
                "node backlink more",
                "node related",
                "node self"
            ],
            "{drawn}"
        );
        assert_eq!(drawn[5], serde_json::json!(["node backlink more", "#backlinks-h", "+4", "还有 4 个，见下方列表"]));
        assert_eq!(drawn.as_array().unwrap().iter().filter(|b| b[1] == "quantization.html").count(), 1);
        let chips = "return [...document.querySelectorAll('.connections.backlinks .link-list a')]
                       .map(a => [a.textContent, a.getClientRects().length > 0])";
        let chips = js(&c, chips).await;
        let chips = chips.as_array().unwrap();
        assert_eq!(chips.len(), 8, "{chips:?}");
        for (k, chip) in chips.iter().enumerate() {
            if k < 4 {
                assert_eq!(chip[0], drawn[k + 1][2], "the first four backlinks are the ones drawn");
            }
            assert_eq!(chip[1], k >= 4, "only the chips not drawn show: {chips:?}");
        }
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");

        // Without the script, no drawing: the lists show every neighbour.
        std::fs::remove_file(out.join("js/site.js")).unwrap();
        c.goto(&format!("{base}peft.html")).await.unwrap();
        assert_eq!(js(&c, "return document.querySelectorAll('.nb-svg').length").await, 0);
        assert_eq!(js(&c, related).await, "block");
        let shown = "return [...document.querySelectorAll('.connections.related a')].filter(a => a.getClientRects().length).map(a => a.textContent)";
        assert_eq!(js(&c, shown).await, serde_json::json!(["模型量化"]));
    })
    .await;
}

/// A `note.html` of the site's own: the drawing takes from each list only as many links as
/// the counts say (breadcrumbs that start with a link home give a root note no parent), draws
/// no `+N` box for a list the page does not have, and never throws (a neighbourhood section
/// without its heading); `{n}` is the count wherever the `more` label has it.
#[tokio::test(flavor = "multi_thread")]
async fn a_note_template_of_the_sites_own_draws_only_what_its_lists_hold() {
    let mut site = SiteTest::new()
        .file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"en\"\n")
        .simple("top", "Top", "", "")
        .simple("c0", "Zero", "parent = \"top\"\nrelated = [\"c1\"]", "");
    for k in 1..7 {
        site = site.simple(&format!("c{k}"), &format!("Kid {k}"), &format!("parent = \"top\"\norder = {k}"), "");
    }
    let note = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/note.html")).unwrap();
    let crumbs_at = note.find("<nav class=\"breadcrumbs\"").unwrap();
    let crumbs_end = crumbs_at + note[crumbs_at..].find("</nav>").unwrap() + "</nav>".len();
    let crumbs = &note[crumbs_at..crumbs_end];
    let home = note.replace(crumbs, &crumbs.replace("<ol>", "<ol><li><a href=\"index.html\">Home</a></li>"));
    let labels = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/labels/en.toml")).unwrap();
    assert!(labels.contains("more = \"{n} more, listed below\""));
    let site = site.file("templates/note.html", &home).file(
        "templates/labels/en.toml",
        &labels.replace("more = \"{n} more, listed below\"", "more = \"{n} more ({n})\""),
    );
    site.build().ok();
    // Without breadcrumbs, the children's list or the neighbourhood's heading.
    let children_at = note.find("{% if children %}").unwrap();
    let children_end = children_at + note[children_at..].find("{% endif %}</section>{% endif %}").unwrap() + 31;
    let bare = note
        .replace(crumbs, "")
        .replace(&note[children_at..children_end], "")
        .replace("<h2 id=\"nb-h\">{{ labels.neighbourhood }}</h2>", "");
    assert!(!bare.contains("breadcrumbs") && !bare.contains("children-h") && !bare.contains("nb-h\">"));
    let other = tempfile::tempdir().unwrap();
    let (root, out) = (site.root().to_path_buf(), site.out());
    let bare_out = other.path().join("book");
    std::fs::write(root.join("templates/note.html"), &bare).unwrap();
    site.run(&["build", "--dest", bare_out.to_str().unwrap()]).ok();
    let (base, bare_base) = (serve(out, "/"), serve(bare_out, "/"));
    with_browser((1280, 900), move |c| async move {
        let boxes = "return [...document.querySelectorAll('.nb-svg:not(.nb-vertical) a.node')].map(a =>
                       [a.getAttribute('class'), a.querySelector('text').textContent,
                        a.querySelector('title') ? a.querySelector('title').textContent : ''])";
        c.goto(&format!("{base}top.html")).await.unwrap();
        let drawn = js(&c, boxes).await;
        let kinds: Vec<&str> = drawn.as_array().unwrap().iter().map(|b| b[0].as_str().unwrap()).collect();
        assert_eq!(kinds, ["node child"; 5].into_iter().chain(["node child more", "node self"]).collect::<Vec<_>>());
        assert_eq!(drawn[5], serde_json::json!(["node child more", "+2", "2 more (2)"]));
        c.goto(&format!("{base}c0.html")).await.unwrap();
        assert_eq!(js(&c, boxes).await[0], serde_json::json!(["node parent", "Top", ""]));
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");

        // No list of children on the page: no `+7` box standing for it, and nothing else to draw.
        c.goto(&format!("{bare_base}top.html")).await.unwrap();
        assert_eq!(js(&c, "return document.querySelectorAll('.nb-svg').length").await, 0);
        // No breadcrumbs: no parent box; the related note is drawn.
        c.goto(&format!("{bare_base}c0.html")).await.unwrap();
        assert_eq!(
            js(&c, boxes).await,
            serde_json::json!([["node related", "Kid 1", ""], ["node self", "Zero", "Show on the concept map"]])
        );
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}
