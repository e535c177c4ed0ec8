//! Any shape, any size (issue 11): flat and wide sites keep every page's navigation bounded,
//! hubs stay small, a large glossary splits per initial with its anchors still landing, tags
//! get pages of their own, and an alias that two notes share is a warning, not an error.

use crate::browser::{mouse_to, serve, with_browser};
use crate::support::*;
use fantoccini::Locator;

/// `n` notes `n0`…; `parent(i)` gives a note's parent; each links to the next one and,
/// when `hub`, to `n0`.
fn shaped(n: usize, parent: impl Fn(usize) -> Option<usize>, hub: bool) -> SiteTest {
    let mut site = SiteTest::new();
    for i in 0..n {
        let mut extra = format!("tags = [\"标签{}\"]", i % 3);
        if let Some(p) = parent(i) {
            extra.push_str(&format!("\nparent = \"n{p}\""));
        }
        let mut body = format!("见 [[n{}]]。", (i + 1) % n);
        if hub && i > 0 {
            body.push_str(" 也见 [[n0]]。");
        }
        site = site.simple(&format!("n{i}"), &format!("概念{i}"), &extra, &body);
    }
    site
}

/// The sidebar's markup on `page`.
fn sidebar(html: &str) -> &str {
    let start = html.find("<nav id=\"sidebar\"").expect("sidebar");
    &html[start..start + html[start..].find("</nav>").unwrap()]
}

fn largest_file(site: &SiteTest) -> (u64, String) {
    walkdir(&site.out())
        .into_iter()
        .map(|p| (std::fs::metadata(&p).unwrap().len(), p.display().to_string()))
        .max()
        .unwrap()
}

#[test]
fn a_flat_site_keeps_its_sidebar_the_same_size_at_50_and_600_notes() {
    let small = shaped(50, |_| None, false);
    small.build().ok();
    let big = shaped(600, |_| None, false);
    big.build().ok();
    let (a, b) = (sidebar(&small.read("n25.html")).len(), sidebar(&big.read("n300.html")).len());
    // The same number of entries (the window around the note, then "and N more"); only the
    // digits of the titles and the count differ.
    assert!(b <= a + 100, "the sidebar grew with the site: {a} bytes at 50 notes, {b} at 600");
    let page = big.read("n300.html");
    let side = sidebar(&page);
    assert!(side.contains("aria-current=\"page\">概念300<"), "the note itself is in its sidebar");
    assert!(side.contains("class=\"more\"") && side.contains("还有 585 个"), "and N more: {side}");
    // "and N more" leads to a list of every root, in pages.
    let more = attrs(side, "href").into_iter().find(|h| h.starts_with("all/")).expect("a link to the roots list");
    assert_eq!(more, "all/roots.html");
    let list = big.read("all/roots.html");
    assert_eq!(list.matches("class=\"note-link\"").count(), LIST_PAGE_FOR_TESTS, "one full page of roots");
    assert!(list.contains("href=\"roots.p2.html\""), "a pager to the second page");
    assert!(big.read("all/roots.p2.html").contains("data-slug=\"n"));
    // The home page shows a bounded number of root cards, then a link to the same list.
    let home = big.read("index.html");
    assert_eq!(home.matches("class=\"root-card\"").count(), 15);
    assert!(home.contains("href=\"all/roots.html\""));
    // Every note is still drawn on a map; the roots are shared out over several top maps.
    let maps: usize = walkdir(&big.out().join("map")).len() + 1;
    assert!(maps >= 3, "600 roots need several top maps, got {maps}");
    assert!(big.read("graph.html").contains("href=\"map/roots.p2.html\""));
    let drawn: usize = std::iter::once(big.out().join("graph.html"))
        .chain(walkdir(&big.out().join("map")))
        .map(|p| std::fs::read_to_string(p).unwrap().matches(" id=\"n-n").count())
        .sum();
    assert_eq!(drawn, 600, "each note drawn once");
}

/// Entries per list page (render::LIST_PAGE).
const LIST_PAGE_FOR_TESTS: usize = 500;

#[test]
fn a_wide_site_shows_a_window_of_siblings_and_lists_the_rest_on_the_parents_list() {
    // One root with 300 children.
    let site = shaped(301, |i| (i > 0).then_some(0), false);
    site.build().ok();
    let page = site.read("n150.html");
    let side = sidebar(&page);
    assert_eq!(side.matches("<li").count(), 17, "the root, 15 siblings and \"and N more\": {side}");
    assert!(side.contains("aria-current=\"page\">概念150<"));
    assert!(side.contains("href=\"children/n0.html\""), "and N more goes to the parent's children list");
    // The root's own page lists a few children, then links to the list of them all.
    let root = site.read("n0.html");
    let children = &root[root.find("id=\"children-h\"").unwrap()..];
    let children = &children[..children.find("</section>").unwrap()];
    assert_eq!(children.matches("class=\"note-link\"").count(), 30);
    assert!(children.contains("还有 270 个") && children.contains("href=\"children/n0.html\""));
    let list = site.read("children/n0.html");
    assert_eq!(list.matches("<li><a class=\"note-link\"").count(), 300);
}

#[test]
fn a_hub_linked_from_thousands_stays_under_a_mebibyte() {
    let site = shaped(2500, |_| None, true);
    site.build().ok();
    let hub = site.read("n0.html");
    let backlinks = &hub[hub.find("id=\"backlinks-h\"").unwrap()..];
    let backlinks = &backlinks[..backlinks.find("</section>").unwrap()];
    assert_eq!(backlinks.matches("class=\"note-link\"").count(), 30);
    assert!(backlinks.contains("href=\"backlinks/n0.html\""));
    assert!(hub.len() < 40_000, "the hub's page is {} bytes", hub.len());
    // The backlinks list, in pages, holds every one of them.
    let mut listed = 0;
    for p in walkdir(&site.out().join("backlinks")) {
        listed += std::fs::read_to_string(p).unwrap().matches("<li><a class=\"note-link\"").count();
    }
    assert_eq!(listed, 2499);
    let (size, path) = largest_file(&site);
    assert!(size < 1 << 20, "{path} is {size} bytes");
}

#[test]
fn a_large_glossary_splits_per_initial_and_its_anchors_still_land() {
    let site = shaped(1600, |_| None, false);
    site.build().ok();
    let index = site.read("glossary.html");
    assert!(!index.contains("class=\"entry\""), "the index lists parts, not entries");
    // 概念 is "gai nian": all under G, in two parts.
    assert!(index.contains("href=\"glossary/g.html\"") && index.contains("href=\"glossary/g.p2.html\""));
    let part = site.read("glossary/g.html");
    assert_eq!(part.matches("class=\"entry\"").count(), 800);
    assert!(site.read("glossary/g.p2.html").contains("id=\"n999\"") || part.contains("id=\"n999\""));
    // The script's bucket files know where every entry is.
    let mut known = 0;
    for p in walkdir(&site.out().join("glossary")).into_iter().filter(|p| p.to_string_lossy().contains("where-")) {
        known += std::fs::read_to_string(p).unwrap().matches("\":\"g").count();
    }
    assert_eq!(known, 1600);
    let (size, path) = largest_file(&site);
    assert!(size < 1 << 20, "{path} is {size} bytes");
}

/// 300 notes with summaries of 1,200 characters: far fewer entries than the glossary's
/// split needs, but 1 MB of them. Before, glossary.html and print.html were one file of
/// over a mebibyte each (the glossary cut by count, the print page's cut leaving out the
/// summaries).
#[test]
fn long_summaries_split_the_glossary_and_the_print_page_by_bytes() {
    let mut site = SiteTest::new();
    for i in 0..300 {
        let summary = format!("第{i}条。{}", "很长的摘要文字".repeat(170));
        site = site.note(&format!("n{i}"), &format!("title = \"概念{i}\"\nsummary = \"{summary}\""), "正文。");
    }
    site.build().ok();
    let (size, path) = largest_file(&site);
    assert!(size < 1 << 20, "{path} is {size} bytes");
    // The glossary is split, and every entry is still found from glossary.html#<slug>.
    assert!(!site.read("glossary.html").contains("class=\"entry\""), "the index lists parts");
    let mut known = 0;
    for p in walkdir(&site.out().join("glossary")).into_iter().filter(|p| p.to_string_lossy().contains("where-")) {
        known += std::fs::read_to_string(p).unwrap().matches("\":\"g").count();
    }
    assert_eq!(known, 300);
    assert!(site.out().join("print-2.html").exists(), "the print page is split");
    check_links(&site.out());
}

#[tokio::test(flavor = "multi_thread")]
async fn glossary_anchors_and_link_previews_find_their_part_through_the_slug_bucket() {
    let site = shaped(1600, |_| None, false);
    site.build().ok();
    let out = site.out();
    let part =
        if site.read("glossary/g.html").contains("id=\"n1234\"") { "glossary/g.html" } else { "glossary/g.p2.html" };
    let http = serve(out.clone(), "/");
    with_browser((1000, 800), move |c| async move {
        for base in [format!("file://{}/", out.display()), http.clone()] {
            c.goto(&format!("{base}glossary.html#n1234")).await.unwrap();
            let mut url = String::new();
            for _ in 0..50 {
                url = c.current_url().await.unwrap().to_string();
                if url.contains(".html#n1234") && !url.contains("/glossary.html") {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert!(url.ends_with(&format!("{part}#n1234")), "{base}: landed on {url}");
            let target = c.find(Locator::Css(":target")).await.unwrap();
            assert_eq!(target.attr("id").await.unwrap().as_deref(), Some("n1234"));

            // A link's preview comes from the file of its slug's bucket, one of 13 here.
            c.goto(&format!("{base}n1233.html")).await.unwrap();
            let link = c.find(Locator::Css(".note-body a.note-link[data-slug='n1234']")).await.unwrap();
            mouse_to(&c, &link).await;
            let mut text = String::new();
            for _ in 0..50 {
                let v = c
                    .execute("const t = document.getElementById('link-preview'); return t && !t.hidden ? t.textContent : '';", vec![])
                    .await
                    .unwrap();
                text = v.as_str().unwrap().to_string();
                if !text.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert!(text.starts_with("概念1234概念1234的一句话定义"), "{base}: preview {text:?}");
            c.release_actions().await.unwrap();
        }
    })
    .await;
    drop(site);
}

#[test]
fn a_large_site_gives_each_tag_pages_of_its_own_and_tags_html_indexes_them() {
    let site = shaped(1600, |_| None, false);
    site.build().ok();
    let tags = site.read("tags.html");
    assert!(!tags.contains("class=\"tag-group\""), "an index, not every note");
    let hrefs: Vec<String> = attrs(&tags, "href").into_iter().filter(|h| h.starts_with("tags/")).collect();
    assert_eq!(hrefs.len(), 3, "{hrefs:?}");
    let page = site.read(&hrefs[0]);
    assert!(page.contains("<h1>#标签"), "the tag's page");
    // 1600 notes over 3 tags: 534 on the first, over two pages.
    assert!(page.contains("class=\"pager\""));
    // A note's tag links straight to its tag's page.
    let note = site.read("n0.html");
    assert!(note.contains("href=\"tags/标签0.html\""), "{}", &note[note.find("class=\"tags\"").unwrap()..][..200]);
    // A small site keeps one tags page with anchors (the project's own).
    let small = shaped(20, |_| None, false);
    small.build().ok();
    assert!(small.read("n0.html").contains("href=\"tags.html#tag-标签0\""));
    assert!(small.read("tags.html").contains("id=\"tag-标签0\""));
}

/// `n` notes `n0`…, note `i` tagged with `tags(i)`.
fn tagged(n: usize, tags: impl Fn(usize) -> Vec<String>) -> SiteTest {
    let mut site = SiteTest::new();
    for i in 0..n {
        let list: Vec<String> = tags(i).iter().map(|t| format!("\"{t}\"")).collect();
        site = site.simple(&format!("n{i}"), &format!("概念{i}"), &format!("tags = [{}]", list.join(", ")), "");
    }
    site
}

/// The (href, name) of every tag chip on a note's page.
fn tag_chips(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find("<p class=\"tags\">") else {
        return Vec::new();
    };
    let chips = &html[start..start + html[start..].find("</p>").unwrap()];
    chips
        .split("<a class=\"tag\" href=\"")
        .skip(1)
        .map(|c| {
            let (href, rest) = c.split_once('"').unwrap();
            let name = &rest[rest.find(">#").unwrap() + 2..rest.find("</a>").unwrap()];
            (href.to_string(), name.to_string())
        })
        .collect()
}

/// Follows every tag chip of note `slug`'s page: each lands on its own tag (the section of
/// `tags.html` with that id, or the tag's page), which lists the note. Returns the hrefs.
fn tag_links_reach(site: &SiteTest, slug: &str) -> Vec<String> {
    let page = site.read(&format!("{slug}.html"));
    let chips = tag_chips(&page);
    assert!(!chips.is_empty(), "{slug} has tag links");
    for (href, name) in &chips {
        let (path, frag) = href.split_once('#').map_or((href.as_str(), None), |(p, f)| (p, Some(f)));
        let target = site.read(&percent_decode(path));
        let (heading, listing) = match frag {
            Some(id) => {
                let ids = ids(&target);
                assert_eq!(ids.iter().filter(|i| **i == percent_decode(id)).count(), 1, "{href}: one id {id}");
                let at = target.find(&format!("id=\"{}\"", percent_decode(id))).unwrap();
                let section = &target[at..at + target[at..].find("</section>").unwrap()];
                (section[section.find('>').unwrap() + 1..section.find("</h2>").unwrap()].to_string(), section)
            }
            None => {
                let h1 = &target[target.find("<h1>").unwrap() + 4..target.find("</h1>").unwrap()];
                (h1.to_string(), target.as_str())
            }
        };
        assert_eq!(heading, format!("#{name}"), "{slug}: the link {href} of #{name} lands on {heading}");
        assert!(
            listing.contains(&format!("/{slug}.html\"")) || listing.contains(&format!("\"{slug}.html\"")),
            "{slug}: #{name} at {href} does not list it"
        );
    }
    chips.into_iter().map(|(h, _)| h).collect()
}

/// Tags that `slugify` alike: C++ and C# are both `c`, the emoji and punctuation nothing,
/// `ω!` and `ω` both `ω`. (`Ω` and `ω` were a pair here too; tags that differ only in case
/// are one tag now, spelled as most notes spell it.)
const ALIKE: [&str; 10] = ["C++", "C#", "F#", "🔥", "🚀", "😀", "!!!", "???", "ω!", "ω"];

#[test]
fn tags_that_slugify_alike_keep_their_notes_apart_on_a_small_site() {
    let site = tagged(10, |i| vec![ALIKE[i].to_string()]);
    site.build().ok();
    let tags = site.read("tags.html");
    let ids = ids(&tags);
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "no id twice in tags.html: {ids:?}");
    let hrefs: std::collections::BTreeSet<String> =
        (0..10).flat_map(|i| tag_links_reach(&site, &format!("n{i}"))).collect();
    assert_eq!(hrefs.len(), 10, "each tag its own anchor: {hrefs:?}");
    check_links(&site.out());
    // Ordinary tags keep their anchors.
    let plain = tagged(2, |i| vec![["Rust", "机器学习"][i].to_string()]);
    plain.build().ok();
    assert!(plain.read("n0.html").contains("href=\"tags.html#tag-rust\""));
    assert!(plain.read("n1.html").contains("href=\"tags.html#tag-机器学习\""));
}

#[test]
fn tags_that_slugify_alike_get_pages_of_their_own_on_a_large_site() {
    let site = tagged(2000, |i| vec![ALIKE[i % 10].to_string()]);
    site.build().ok();
    let hrefs: std::collections::BTreeSet<String> =
        (0..20).flat_map(|i| tag_links_reach(&site, &format!("n{i}"))).collect();
    assert_eq!(hrefs.len(), 10, "each tag its own page: {hrefs:?}");
    let index = site.read("tags.html");
    for t in ALIKE {
        assert_eq!(index.matches(&format!(">#{t} <span class=\"count\">200<")).count(), 1, "#{t} (200) once");
    }
    let linked: std::collections::BTreeSet<String> =
        attrs(&index, "href").into_iter().filter(|h| h.starts_with("tags/")).collect();
    assert_eq!(linked, hrefs, "tags.html links where the notes' chips do");
    check_links(&site.out());
}

#[test]
fn a_long_tag_gets_a_page_whose_name_the_file_system_takes() {
    // As long as a tag may be (200 characters): up to 600 bytes, over the 255 of a file name.
    let long = ["a".repeat(200), format!("{}b", "a".repeat(199)), "ω".repeat(200), format!("{} x", "長".repeat(198))];
    let site = tagged(1600, |i| vec![long[i % 4].clone()]);
    site.build().ok();
    for f in walkdir(&site.out()) {
        let name = f.file_name().unwrap().len();
        assert!(name <= 120, "{} is {name} bytes long", f.display());
    }
    let hrefs: std::collections::BTreeSet<String> =
        (0..4).flat_map(|i| tag_links_reach(&site, &format!("n{i}"))).collect();
    assert_eq!(hrefs.len(), 4, "four pages: {hrefs:?}");
    check_links(&site.out());
}

#[test]
fn tags_html_stays_small_with_thousands_of_tags() {
    let site = tagged(1600, |i| (0..4).map(|k| format!("t{i}-{k}")).collect());
    site.build().ok();
    let mut seen = std::collections::BTreeSet::new();
    let mut pages = vec!["tags.html".to_string()];
    let mut k = 0;
    while k < pages.len() {
        let html = site.read(&pages[k]);
        assert!(html.len() < 100_000, "{} is {} bytes", pages[k], html.len());
        for h in attrs(&html, "href") {
            if h.starts_with("tags/") {
                seen.insert(h);
            } else if h.starts_with("tags.p") && !pages.contains(&h) {
                pages.push(h);
            }
        }
        k += 1;
    }
    assert_eq!(seen.len(), 6400, "every tag listed once, over {} pages", pages.len());
    assert!(site.read("tags.p2.html").contains("href=\"tags.html\""), "the pager leads back");
}

fn sharing() -> SiteTest {
    SiteTest::new().simple("efficient-sparse", "高效稀疏", "aliases = [\"Efficient Sparse Attention\"]", "").simple(
        "sparse-attention",
        "稀疏注意力",
        "aliases = [\"efficient sparse attention\"]",
        "",
    )
}

#[test]
fn two_notes_may_share_an_alias_with_a_warning() {
    let site = sharing().simple("user", "用户", "", "见 [[efficient-sparse]] 与 [[sparse-attention]]。");
    let run = site.build().ok();
    run.says(&["warning: alias `efficient sparse attention` also names content/efficient-sparse.md"]);
    site.expect_file("efficient-sparse.html").expect_file("sparse-attention.html");
}

#[test]
fn a_link_by_a_shared_alias_is_an_error_naming_the_notes_it_could_mean() {
    let site = sharing().simple("user", "用户", "", "见 [[Efficient Sparse Attention]]。");
    site.build().failed().says(&[
        "content/user.md:6:3: error: link `Efficient Sparse Attention` is an alias of several notes",
        "`efficient-sparse` (content/efficient-sparse.md)",
        "`sparse-attention` (content/sparse-attention.md)",
        "[[efficient-sparse]] or [[sparse-attention]]",
    ]);
}

#[test]
fn a_link_by_a_shared_title_is_an_error_too() {
    // Obsidian vaults have an `Index.md` or `Overview.md` in many folders. [[Overview]]
    // went to the first of them with only a warning at the second.
    let site = SiteTest::new()
        .file("content/a/overview.md", "---\ntitle: Overview\nsummary: s\nslug: a-overview\n---\n")
        .file("content/b/overview.md", "---\ntitle: Overview\nsummary: s\nslug: b-overview\n---\n")
        .simple("user", "用户", "aliases = [\"b-overview\"]", "见 [[a-overview]]、[[b-overview]]。");
    let run = site.build().ok();
    run.says(&[
        "content/b/overview.md:2:1: warning: title `Overview` is also the title of content/a/overview.md",
        "a link by this title will be an error",
        // The slug wins over the alias, and the warning says so.
        "warning: alias `b-overview` is the title or slug of content/b/overview.md",
    ]);
    assert!(site.read("user.html").contains("href=\"b-overview.html\""));
    let site = site.simple("user", "用户", "", "见 [[overview]]。");
    site.build().failed().says(&[
        "content/user.md:6:3: error: link `overview` is the title of several notes: `a-overview` (content/a/overview.md), `b-overview` (content/b/overview.md)",
        "[[a-overview]] or [[b-overview]]",
    ]);
}

/// Forty notes share an alias: the error names the first ten, in message and help, and
/// says how many more there are, so that a link to a popular alias writes one short line.
#[test]
fn a_link_by_an_alias_many_notes_share_names_the_first_ten() {
    let mut site = SiteTest::new();
    for i in 0..40 {
        site = site.simple(&format!("n{i:02}"), &format!("笔记{i:02}"), "aliases = [\"SharedX\"]", "");
    }
    let site = site.simple("user", "用户", "", "见 [[SharedX]]。");
    let run = site.build().failed();
    run.says(&[
        "error: link `SharedX` is an alias of several notes: `n00` (content/n00.md), ",
        "`n09` (content/n09.md) and 30 more",
        "[[n00]] or [[n01]]",
        "[[n09]] or one of 30 more",
    ]);
    let line = run.stderr.lines().find(|l| l.contains("is an alias of several notes")).expect("the error");
    assert!(!line.contains("n10"), "the eleventh note is not named: {line}");
    let help = run.stderr.lines().find(|l| l.contains("link by slug")).expect("the help");
    assert!(!help.contains("n10"), "the eleventh note is not named: {help}");
}

#[test]
fn auto_linking_skips_a_shared_alias() {
    let site = sharing()
        .file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n\n[build]\nauto-link = true\n")
        .simple("user", "用户", "", "Efficient Sparse Attention 很常见，稀疏注意力也是。");
    site.build().ok();
    let page = site.read("user.html");
    let body = &page[page.find("class=\"note-body\"").unwrap()..];
    let body = &body[..body.find("</div>").unwrap()];
    assert!(!body.contains("Efficient Sparse Attention</a>"), "a shared alias is not linked: {body}");
    assert!(body.contains("href=\"sparse-attention.html\""), "a title still is: {body}");
}

/// The breadcrumbs' entries of `page`: (href or "" for the note itself, text, aria-label).
fn crumbs(page: &str) -> Vec<(String, String, String)> {
    let start = page.find("<nav class=\"breadcrumbs\"").expect("breadcrumbs");
    let nav = &page[start..start + page[start..].find("</nav>").unwrap()];
    nav.split("<li>")
        .skip(1)
        .map(|li| {
            let attr = |name: &str| attrs(li, name).into_iter().next().unwrap_or_default();
            (attr("href"), strip_tags(li).trim().to_string(), attr("aria-label"))
        })
        .collect()
}

/// A chain of 60 notes, each the parent of the next (an imported outline, a "next chapter"
/// kept as a parent): a page shows its root, "…" and its nearest ancestors, never the whole
/// way down. Before, the last page listed 60 breadcrumbs and 60 nested levels of sidebar,
/// its print number had 60 parts, and a chain of 20,000 notes did not build in five minutes.
#[test]
fn a_chain_of_notes_keeps_every_page_bounded() {
    let site = shaped(60, |i| i.checked_sub(1), false);
    site.build().ok();
    // Up to eight notes, the whole way; past that, the root, "…" and the nearest six.
    let near: Vec<String> = crumbs(&site.read("n7.html")).into_iter().map(|c| c.1).collect();
    assert_eq!(near, (0..8).map(|i| format!("概念{i}")).collect::<Vec<_>>());
    let deep = crumbs(&site.read("n59.html"));
    let texts: Vec<&str> = deep.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(texts, ["概念0", "…", "概念54", "概念55", "概念56", "概念57", "概念58", "概念59"]);
    // "…" leads to the nearest note it leaves out and says how many levels it stands for.
    assert_eq!(deep[1].0, "n53.html");
    assert!(deep[1].2.contains("53") && deep[1].2.contains("概念53"), "{:?}", deep[1]);
    // Nine notes: "…" stands for two levels, the nearest of them n2.
    let nine = crumbs(&site.read("n8.html"));
    assert_eq!((nine.len(), nine[1].0.as_str(), nine[1].1.as_str()), (8, "n2.html", "…"));
    assert!(nine[1].2.contains('2') && nine[1].2.contains("概念2"), "{:?}", nine[1]);
    // The sidebar: the root, "…" to the same note, then the last levels.
    let page = site.read("n59.html");
    let side = sidebar(&page);
    assert!(side.contains("<li class=\"gap\"><a href=\"n53.html\""), "{side}");
    assert_eq!(side.matches("<ul>").count(), 8, "the roots, the gap's and the six levels below it: {side}");
    // A deep page is no larger than a shallow one, but for its numbers' digits.
    let shallow = site.read("n9.html").len();
    assert!(page.len() < shallow + 300, "n59.html is {} bytes, n9.html {shallow}", page.len());
    // The print page numbers it the same way: the root's place, "…", the last six.
    let print = site.read("print.html");
    let at = print.find("<article class=\"print-note\" id=\"n59\">").expect("n59 on the print page");
    assert!(print[at..].contains("<span class=\"secno\">1.….1.1.1.1.1.1</span> 概念59"), "{}", &print[at..at + 300]);
    // A search hit shows the same path.
    let index = conceptbook::search::engine::Index::open(&site.out()).unwrap();
    let doc = index.docs.iter().find(|d| d.slug == "n59").unwrap();
    assert_eq!(doc.crumbs, ["概念0", "…", "概念54", "概念55", "概念56", "概念57", "概念58"]);
    check_links(&site.out());
}

/// The part of `page` from `id="<heading>"` to the end of its section.
fn section<'a>(page: &'a str, heading: &str) -> &'a str {
    let s = &page[page.find(&format!("id=\"{heading}\"")).unwrap_or_else(|| panic!("no {heading}"))..];
    &s[..s.find("</section>").unwrap()]
}

/// `related` goes both ways: 600 notes that each name `n0` make n0 related to 599 notes.
/// Its page lists the first thirty, then "and N more" to its related list, in pages, as it
/// does its backlinks; before, n0.html listed all 599 (at 20,000 notes, 1.95 MB).
#[test]
fn a_note_related_to_hundreds_lists_thirty_and_the_rest_on_its_related_pages() {
    let site = shaped(600, |_| None, false);
    let site = (1..600).fold(site, |s, i| {
        s.simple(&format!("n{i}"), &format!("概念{i}"), "related = [\"n0\"]", &format!("见 [[n{}]]。", (i + 1) % 600))
    });
    site.build().ok();
    let hub = site.read("n0.html");
    let related = section(&hub, "related-h");
    assert_eq!(related.matches("class=\"note-link\"").count(), 30);
    assert!(related.contains("还有 569 个") && related.contains("href=\"related/n0.html\""), "{related}");
    assert!(hub.len() < 40_000, "the hub's page is {} bytes", hub.len());
    // The neighbourhood counts all 599; site.js draws a few and a `+N` box to this list,
    // which is on the screen (not print-only: the drawing does not hold every note).
    assert!(hub.contains("data-counts=\"0 0 599 0\""), "{}", &hub[hub.find("data-counts").unwrap()..][..40]);
    assert!(hub.contains("<section class=\"connections related\" aria-labelledby=\"related-h\">"));
    // The list, in pages, holds every one of them, each once.
    let mut listed = std::collections::BTreeSet::new();
    for p in walkdir(&site.out().join("related")) {
        let html = std::fs::read_to_string(p).unwrap();
        assert!(html.contains("<h1>与“概念0”相关的全部笔记</h1>"), "{html}");
        listed.extend(attrs(&html, "data-slug").into_iter().filter(|s| s != "n0"));
    }
    assert_eq!(listed.len(), 599);
    assert!(site.read("related/n0.html").contains("href=\"n0.p2.html\""), "a pager to the second page");
    // A note with a few related notes keeps them all on its page, and gets no list.
    assert!(section(&site.read("n5.html"), "related-h").contains("href=\"n0.html\""));
    assert!(!site.out().join("related/n5.html").exists());
    check_links(&site.out());
}

/// 200 notes, each related to every other: a map draws a few of each node's related links,
/// not all of them (graph.html held 39,800 curves, 2.5 MB).
#[test]
fn a_map_of_notes_related_to_each_other_stays_small() {
    let n = 200;
    let mut site = SiteTest::new();
    for i in 0..n {
        let related: Vec<String> = (0..n).filter(|&j| j != i).map(|j| format!("\"n{j}\"")).collect();
        site = site.simple(&format!("n{i}"), &format!("概念{i}"), &format!("related = [{}]", related.join(", ")), "");
    }
    site.build().ok();
    let map = site.read("graph.html");
    assert_eq!(map.matches("<a class=\"node note-link").count(), n, "every note on the top map");
    for group in map.split("<g class=\"rel\" data-for=\"").skip(1) {
        let group = &group[..group.find("</g>").unwrap()];
        assert!(group.matches("<path").count() <= 12, "{group}");
    }
    assert!(map.len() < 300_000, "graph.html is {} bytes", map.len());
    let (size, path) = largest_file(&site);
    assert!(size < 1 << 20, "{path} is {size} bytes");
    check_links(&site.out());
}

/// Notes as long as the front matter allows (200-character names, 2,000-character
/// summaries, 100 aliases and tags) keep every file bounded: the preview files are cut by
/// bytes as well as by notes (150 such notes shared two preview files of about 450 KB; 40
/// summaries of 30,000 characters had made one of 3.6 MB before the limits).
#[test]
fn notes_at_the_front_matter_limits_keep_every_file_bounded() {
    let name = |i: usize| format!("{i}{}", "名".repeat(199 - i.to_string().len()));
    let mut site = SiteTest::new().simple("hub", &name(0), "", "");
    for i in 1..=150 {
        let aliases: Vec<String> = (0..100).map(|k| format!("\"{}{k}\"", "别".repeat(190))).collect();
        let tags: Vec<String> = (0..100).map(|k| format!("\"t{k}\"")).collect();
        let front = format!(
            "title = \"{}\"\nsummary = \"{}\"\nparent = \"hub\"\naliases = [{}]\ntags = [{}]",
            name(i),
            "摘".repeat(2_000),
            aliases.join(", "),
            tags.join(", ")
        );
        site = site.note(&format!("n{i}"), &front, "见 [[hub]]。");
    }
    site.build().ok();
    let previews: Vec<_> = walkdir(&site.out().join("previews"));
    assert!(previews.len() >= 7, "{} preview files", previews.len());
    for p in previews {
        let len = std::fs::metadata(&p).unwrap().len();
        assert!(len < 256 * 1024, "{} is {len} bytes", p.display());
    }
    let (len, file) = largest_file(&site);
    assert!(len < 1024 * 1024, "{file} is {len} bytes");
    check_links(&site.out());
}

/// Only a note's own text can make a file over 1 MiB: its page, and the print part that
/// holds it alone. Both builds and `check` say so, at the note's file, with the fix;
/// before, nothing was said.
#[test]
fn a_note_too_long_for_one_page_is_a_warning_at_its_file() {
    let long: String = (0..40_000).map(|i| format!("第{i}段，一句不短的正文。\n\n")).collect();
    let site =
        SiteTest::new().simple("a", "甲", "", "短。").simple("big", "长文", "", &long).simple("z", "乙", "", "短。");
    let run = site.build().ok();
    let says = ["content/big.md: warning: this note's page `big.html` is", "over the 1 MiB", "split the note"];
    run.says(&says);
    run.says(&["warning: the output file `print-2.html` is", "see the warning about that note's page"]);
    assert!(std::fs::metadata(site.out().join("big.html")).unwrap().len() > 1024 * 1024);
    // The long note has a print part to itself; the others' parts stay small.
    assert!(site.read("print.html").contains("id=\"a\"") && !site.read("print.html").contains("id=\"big\""));
    site.run(&["check"]).ok().says(&says);
}

/// A Korean or Japanese site's glossary was one group `#` of every entry (split into
/// `other.html`, `other.p2.html`, …): Korean terms now go under the first consonant of their
/// first syllable, kana under their row of the gojūon, the rest under `#`, last; a split
/// glossary names its parts after them and every anchor still lands.
#[test]
fn korean_and_japanese_glossaries_group_by_their_own_initials() {
    const SYLLABLES: [&str; 6] = ["가", "나", "다", "하", "까", "바"];
    const KANA: [&str; 4] = ["か", "ガ", "さ", "ん"];
    let mut site = SiteTest::new().file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"ko\"\n");
    for i in 0..1600 {
        let title = match i % 11 {
            0..=5 => format!("{}{i}", SYLLABLES[i % 11]),
            6..=9 => format!("{}{i}", KANA[i % 11 - 6]),
            _ => format!("漢字{i}"),
        };
        site = site.simple(&format!("n{i}"), &title, "", "");
    }
    site.build().ok();
    let index = site.read("glossary.html");
    let parts: Vec<String> = attrs(&index, "href").into_iter().filter(|h| h.starts_with("glossary/")).collect();
    // Kana, then Hangul (in the order of their code points, after A–Z), then the rest.
    let order = ["か", "さ", "わ", "ㄱ", "ㄴ", "ㄷ", "ㅂ", "ㅎ", "other"];
    assert_eq!(parts, order.map(|g| format!("glossary/{g}.html")), "one part for each initial, in order");
    // 까 is under ㄱ with 가; ガ under か.
    let g = site.read("glossary/ㄱ.html");
    assert!(g.contains("id=\"n0\"") && g.contains("id=\"n4\""), "가 and 까");
    assert!(site.read("glossary/か.html").contains("id=\"n7\""), "ガ under か");
    check_links(&site.out());
}

/// Windows keeps `con`, `aux`, `nul`, `com1`… as device names: no file there may be called
/// `aux.html` or `tags/con.html`. A note with such a slug is a warning at its file, with the
/// fix; a tag with such a key gets another key.
#[test]
fn names_windows_cannot_hold_are_avoided_or_named() {
    let site = SiteTest::new()
        .simple("aux", "辅助损失", "tags = [\"CON\", \"模型\"]", "")
        .simple("lpt1", "打印", "slug = \"lpt1\"", "")
        .simple("com10", "不是设备名", "", "");
    let run = site.build().ok();
    run.says(&["content/aux.md:1:1: warning: the page `aux.html` cannot be written or checked out on Windows"]);
    run.says(&["content/lpt1.md:4:1: warning: the page `lpt1.html`", "slug = \"lpt1-note\""]);
    assert!(!run.stderr.contains("com10.html"), "{}", run.stderr);
    let tags = site.read("tags.html");
    assert!(tags.contains("id=\"tag-con-tag\"") && !tags.contains("id=\"tag-con\""), "{tags}");
    check_links(&site.out());
}
