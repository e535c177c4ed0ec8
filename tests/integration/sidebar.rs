//! The sidebar's tree from shared files (book.toml's `[build] sidebar`, issue 11): in
//! `shared` mode a page carries a pointer and a short fallback, `js/site.js` builds the very
//! tree the `inline` mode writes from `nav/<k>.js`, the files stay small however wide a
//! level is, and `auto` picks `shared` only for a large site.

use crate::browser::*;
use crate::support::*;
use fantoccini::{Client, Locator};
use std::time::Duration;

/// A title no page may turn into markup.
const HOSTILE: &str = "</script><img src=x onerror=alert(1)> \"引号\" & 'a' \u{2028}行";

/// 20 roots (more than a level shows), one with 40 children (a window, "and N more" to its
/// children's list), one with 20 (more to its page's children), a chain five deep under a
/// level of 14, a level of 12 (shown whole) above a note, a chain twelve deep, and a root
/// with a hostile title.
fn tree_site(mode: &str) -> SiteTest {
    let mut s = SiteTest::new().file(
        "book.toml",
        &format!("[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n\n[build]\nsidebar = \"{mode}\"\n"),
    );
    for i in 0..20 {
        if i == 9 {
            let title = HOSTILE.replace('\\', "\\\\").replace('"', "\\\"").replace('\u{2028}', "\\u2028");
            s = s.note("r9", &format!("title = \"{title}\"\nsummary = \"危险的标题。\"\norder = 9"), "");
        } else {
            s = s.simple(&format!("r{i}"), &format!("根{i}"), &format!("order = {i}\ntags = [\"根\"]"), "");
        }
    }
    for i in 0..40 {
        s = s.simple(&format!("c{i}"), &format!("子{i}"), &format!("parent = \"r3\"\norder = {i}"), "");
    }
    for i in 0..2 {
        s = s.simple(&format!("x{i}"), &format!("孙{i}"), "parent = \"c20\"", "");
    }
    for i in 0..20 {
        s = s.simple(&format!("d{i}"), &format!("丁{i}"), &format!("parent = \"r5\"\norder = {i}"), "");
    }
    s = s.simple("e1", "链一", "parent = \"r7\"", "").simple("e2", "链二", "parent = \"e1\"\norder = 5", "");
    for i in 0..13 {
        s = s.simple(&format!("f{i}"), &format!("旁{i}"), &format!("parent = \"e1\"\norder = {i}"), "");
    }
    // A level of exactly SMALL_LEVEL (12), shown whole above the note k0.
    for i in 0..12 {
        s = s.simple(&format!("g{i}"), &format!("庚{i}"), &format!("parent = \"r11\"\norder = {i}"), "");
    }
    s = s.simple("k0", "癸", "parent = \"g4\"", "");
    // A chain twelve deep under r13, with a sibling at its tenth level: the deepest pages'
    // path leaves levels out ("…").
    for i in 0..12 {
        let parent = if i == 0 { "r13".to_string() } else { format!("z{}", i - 1) };
        s = s.simple(&format!("z{i}"), &format!("深{i}"), &format!("parent = \"{parent}\"\norder = 1"), "");
    }
    s = s.simple("y0", "深旁", "parent = \"z8\"\norder = 2", "");
    s.simple("e3", "链三", "parent = \"e2\"", "").simple("e4", "链四", "parent = \"e3\"", "").simple(
        "h0",
        "危险之子",
        "parent = \"r9\"",
        "",
    )
}

/// The pages compared: roots, a deep note, notes in a level wider than a window (middle,
/// end, below it), a hostile title's child, the home page, the map, lists, glossary, tags.
const PAGES: &[&str] = &[
    "r0.html",
    "r5.html",
    "r19.html",
    "c20.html",
    "c39.html",
    "x0.html",
    "e4.html",
    "k0.html",
    "h0.html",
    "z5.html",
    "z11.html",
    "y0.html",
    "index.html",
    "graph.html",
    "all/roots.html",
    "children/r3.html",
    "glossary.html",
    "tags.html",
];

/// The sidebar's markup on `html`.
fn sidebar(html: &str) -> &str {
    let start = html.find("<nav id=\"sidebar\"").expect("sidebar");
    &html[start..start + html[start..].find("</nav>").unwrap()]
}

/// `#sidebar`'s innerHTML once the shared tree is in place (the pointer gone), or as it is
/// after `wait` when the page has no pointer or the tree never comes.
async fn sidebar_html(c: &Client, url: &str) -> String {
    c.goto(url).await.unwrap();
    for _ in 0..100 {
        let waiting = c.execute("return !!document.getElementById('nav-data')", vec![]).await.unwrap();
        if waiting == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let html = c.execute("return document.getElementById('sidebar').innerHTML", vec![]).await.unwrap();
    html.as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shared_sidebar_builds_the_same_tree_as_the_inline_one() {
    let (inline, shared) = (tree_site("inline"), tree_site("shared"));
    inline.build().ok();
    shared.build().ok();
    // What the pages carry: the tree inline, a pointer and the fallback shared.
    for page in PAGES {
        let (a, b) = (inline.read(page), shared.read(page));
        assert!(!sidebar(&a).contains("nav-data") && sidebar(&a).contains("<ul><li"), "{page}");
        assert!(sidebar(&b).contains("id=\"nav-data\"") && sidebar(&b).contains("class=\"nav-fallback\""), "{page}");
    }
    assert!(shared.out().join("nav").is_dir() && !inline.out().join("nav").exists());
    // The deepest notes' paths leave levels out; a shallower one's does not.
    for (page, gap) in [("z11.html", "z5.html"), ("y0.html", "z3.html")] {
        assert!(sidebar(&inline.read(page)).contains(&format!("<li class=\"gap\"><a href=\"{gap}\"")), "{page}");
    }
    assert!(!sidebar(&inline.read("z5.html")).contains("class=\"gap\""));
    let (a, b) = (inline.out(), shared.out());
    let (ia, sb) = (serve(a.clone(), "/"), serve(b.clone(), "/"));
    let shared_out = b.clone();
    with_browser((1280, 900), move |c| async move {
        for page in PAGES {
            let want = sidebar_html(&c, &format!("{ia}{page}")).await;
            let got = sidebar_html(&c, &format!("{sb}{page}")).await;
            assert_eq!(got, want, "{page}: the shared tree differs from the inline one");
            assert!(want.contains("<ul><li"), "{page}: {want}");
        }
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");
        // The same from disk, where the files come through <script> elements.
        for page in ["c20.html", "children/r3.html"] {
            let want = sidebar_html(&c, &format!("{ia}{page}")).await;
            let got = sidebar_html(&c, &format!("file://{}/{page}", shared_out.display())).await;
            assert_eq!(got, want, "{page} from file://");
        }
        // The hostile title is text in the built tree, and its ancestors' links hold.
        c.goto(&format!("{sb}h0.html")).await.unwrap();
        sidebar_html(&c, &format!("{sb}h0.html")).await;
        let seen = c
            .execute(
                "const s = document.getElementById('sidebar');
                 return [s.querySelectorAll('img').length, s.querySelector('a[href=\"r9.html\"]').textContent,
                         s.querySelector('[aria-current=page]').textContent]",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(seen, serde_json::json!([0, HOSTILE, "危险之子"]));
    })
    .await;
    // Two builds of the same input are byte-identical.
    let again = tree_site("shared");
    again.build().ok();
    assert!(again.snapshot_output() == shared.snapshot_output(), "the shared build is deterministic");
    check_links(&shared.out());
}

/// Without the files (a failed load), the fallback stays: a link to every root (the
/// breadcrumbs give the path); on a 360 px phone the built tree opens in the drawer with the top bar's links; the
/// 404 page, served for a missing path at any depth, finds the files through its base.
#[tokio::test(flavor = "multi_thread")]
async fn the_fallback_stays_when_the_files_fail_and_the_drawer_holds_the_tree_on_a_phone() {
    let site = tree_site("shared").file(
        "book.toml",
        "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\nsite-url = \"https://u.github.io/repo/\"\n\n[build]\nsidebar = \"shared\"\n",
    );
    site.build().ok();
    let page = site.read("x0.html");
    let fallback = sidebar(&page);
    let hrefs = attrs(fallback, "href");
    assert_eq!(hrefs, ["all/roots.html"], "{fallback}");
    assert!(page.contains("<span aria-current=\"page\">孙0</span>"), "the breadcrumbs give the path");
    // The hostile title is in a nav file, escaped for a script, and in the page's breadcrumbs
    // as text.
    let navs: Vec<String> = std::fs::read_dir(site.out().join("nav"))
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .filter(|js| js.contains("onerror"))
        .collect();
    assert!(!navs.is_empty() && navs.iter().all(|js| !js.contains("</script>")), "{navs:?}");
    assert!(site.read("h0.html").contains("&lt;/script&gt;&lt;img"), "the title escaped");
    assert!(!site.read("h0.html").contains("<img src=x"));
    let base = serve(site.out(), "/repo/");
    let out = site.out();
    with_browser((800, 900), move |c| async move {
        let lost = sidebar_html(&c, &format!("{base}a/b/c")).await;
        assert!(lost.contains("<ul><li") && !lost.contains("nav-fallback"), "{lost}");
        let root =
            c.execute("return document.querySelector('#sidebar a[href=\"r3.html\"]').href", vec![]).await.unwrap();
        assert_eq!(root, format!("{base}r3.html"));
        let errors = console_errors(&c).await;
        assert!(errors.iter().all(|e| e.contains("/repo/a/b/c - ")), "only the missing page: {errors:?}");
        phone(&c, 360, 780).await;
        sidebar_html(&c, &format!("{base}c20.html")).await;
        c.find(Locator::Css(".menu-toggle")).await.unwrap().click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        let drawer = c
            .execute(
                "const s = document.getElementById('sidebar'), cur = s.querySelector('li.current > a');
                 return [getComputedStyle(s).visibility, s.querySelectorAll('.drawer-links a').length > 0,
                         s.getAttribute('aria-label'), cur.textContent,
                         cur.getBoundingClientRect().right <= innerWidth, !!s.querySelector('.nav-fallback'),
                         s.querySelectorAll('li.more').length]",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(drawer, serde_json::json!(["visible", true, "概念树", "子20", true, false, 2]), "{drawer}");
        screenshot(&c, "sidebar-shared-phone-drawer").await;
        // Every nav file gone: the fallback stays, with no error but the failed load.
        std::fs::rename(out.join("nav"), out.join("nav-gone")).unwrap();
        c.goto(&format!("{base}x0.html")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        let kept = c
            .execute(
                "const s = document.getElementById('sidebar');
                 return [!!s.querySelector('ul.nav-fallback'), s.querySelector('.nav-fallback a').getAttribute('href')]",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(kept, serde_json::json!([true, "all/roots.html"]));
        let errors = console_errors(&c).await;
        assert!(errors.iter().all(|e| e.contains("nav/")), "{errors:?}");
    })
    .await;
}

/// `n` notes with no parents, `n0`…
fn flat(n: usize, mode: &str) -> SiteTest {
    let mut s = SiteTest::new().file(
        "book.toml",
        &format!("[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n\n[build]\nsidebar = \"{mode}\"\n"),
    );
    for i in 0..n {
        s = s.simple(&format!("n{i}"), &format!("概念{i}"), "", "");
    }
    s
}

#[test]
fn a_flat_site_of_3000_roots_keeps_pages_and_nav_files_small() {
    let (small, big) = (flat(40, "shared"), flat(3000, "shared"));
    small.build().ok();
    big.build().ok();
    let (a, b) = (sidebar(&small.read("n20.html")).len(), sidebar(&big.read("n1500.html")).len());
    assert!(b <= a + 40, "the sidebar grew with the level: {a} bytes at 40 roots, {b} at 3000");
    let page = big.read("n1500.html");
    assert_eq!(sidebar(&page).matches("<li").count(), 1, "every root's list: {}", sidebar(&page));
    assert!(b < 400, "{b} bytes");
    // Every root is in one chunk of one file, the files stay small, the whole is linear.
    let files = walkdir(&big.out().join("nav"));
    assert_eq!(files.len(), 3000usize.div_ceil(128));
    let mut entries = 0;
    let mut total = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let json = text.strip_prefix("conceptbookNav(").and_then(|t| t.strip_suffix(");\n")).expect("a call");
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(data["more"], "还有 {n} 个 →");
        for (key, level) in data["levels"].as_object().unwrap() {
            assert!(key.starts_with('/'), "only roots: {key}");
            assert_eq!(level["more"], "all/roots.html");
            let e = level["e"].as_array().unwrap();
            assert!(e.len() <= 64);
            entries += e.len();
        }
        assert!(text.len() < 1 << 20, "{} is {} bytes", f.display(), text.len());
        total += text.len();
    }
    assert_eq!(entries, 3000);
    assert!(total < 3000 * 40, "{total} bytes of nav files for 3000 notes");
    check_links(&big.out());
}

#[test]
fn auto_shares_the_sidebar_above_a_thousand_notes() {
    let site = flat(1001, "auto");
    site.build().ok();
    assert!(sidebar(&site.read("n500.html")).contains("id=\"nav-data\""));
    assert!(site.out().join("nav/0.js").is_file());
    std::fs::remove_file(site.root().join("content/n1000.md")).unwrap();
    site.build().ok();
    let side = site.read("n500.html");
    assert!(!side.contains("nav-data") && sidebar(&side).contains("aria-current=\"page\">概念500<"));
    assert!(!site.out().join("nav").exists(), "no nav files left from the last build");
}

#[test]
fn an_unknown_sidebar_value_names_the_allowed_ones() {
    let site = SiteTest::new()
        .file("book.toml", "[book]\ntitle = \"T\"\n\n[build]\nsidebar = \"sharde\"\n")
        .simple("a", "A", "", "");
    site.build().failed().says(&[
        "book.toml:5",
        "unknown value \"sharde\" for build.sidebar",
        "did you mean \"shared\"",
        "\"auto\", \"inline\", \"shared\"",
    ]);
    assert!(!site.out().exists(), "nothing written");
}
