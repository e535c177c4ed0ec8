//! The built site in a real browser: pages load from disk and over HTTP with no console
//! errors, the 404 page works at any depth under a project-site prefix.

use crate::browser::*;
use crate::support::*;
use fantoccini::key::Key;
use fantoccini::Locator;

fn site() -> SiteTest {
    let s = SiteTest::new()
        .simple("fine-tuning", "微调", "order = 1", "## 分类\n\n全量与高效。\n\n## 方法\n\n## 误解\n")
        .simple("peft", "参数高效微调", "parent = \"fine-tuning\"\naliases = [\"PEFT\"]", "见 [[lora]]。")
        .simple("lora", "LoRA（低秩适配）", "parent = \"peft\"", "$$W = W_0 + BA$$\n\n```python\nimport peft\n```\n")
        .file("content/index.md", "## 欢迎\n\n从 [[lora]] 开始。\n");
    s.build().ok();
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_load_clean_from_disk_and_http_and_404_finds_its_way() {
    let site = site();
    let out = site.out();
    let http = serve(out.clone(), "/repo/");
    with_browser((1280, 900), move |c| async move {
        for base in [format!("file://{}/", out.display()), http.clone()] {
            for page in ["index.html", "lora.html", "glossary.html", "tags.html"] {
                c.goto(&format!("{base}{page}")).await.unwrap();
                let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
                assert!(!h1.is_empty(), "{page} has a heading");
                let errors = console_errors(&c).await;
                assert!(errors.is_empty(), "console errors on {base}{page}: {errors:?}");
            }
        }
        screenshot(&c, "reader-lora").await;
        // GitHub Pages serves 404.html for a missing path at any depth.
        c.goto(&format!("{http}a/b/c/missing")).await.unwrap();
        let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "页面不存在");
        let color = c.execute("return getComputedStyle(document.body).fontFamily", vec![]).await.unwrap();
        assert!(color.as_str().unwrap_or("").contains("Noto Sans CJK SC"), "styles apply: {color}");
        // its links reach the site root once the page has found it
        let mut home = None;
        for _ in 0..50 {
            let href = c.execute("return document.querySelector('.brand').href", vec![]).await.unwrap();
            if href.as_str() == Some(&format!("{http}index.html")) {
                home = Some(href);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(home.is_some(), "404 links resolve against the site root");
        c.find(Locator::Css(".brand")).await.unwrap().click().await.unwrap();
        assert_eq!(c.current_url().await.unwrap().as_str(), format!("{http}index.html"));
        let errors: Vec<String> =
            console_errors(&c).await.into_iter().filter(|e| !e.contains("missing") && !e.contains("404")).collect();
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}

/// The repo's own 55 notes, built into a temp dir: real tables, code, formulas and titles.
fn real_site() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let dest = out.path().join("book");
    let run = std::process::Command::new(BIN)
        .args(["build", "--root", root, "--dest", dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    out
}

/// A 360 px phone: no page scrolls sideways (wide tables, code and the map scroll inside
/// their own boxes), the tree opens as a drawer with the map, glossary and tags.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_360_px_phone_nothing_overflows_and_the_drawer_opens() {
    let out = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((800, 900), move |c| async move {
        phone(&c, 360, 780).await;
        c.goto(&format!("{base}index.html")).await.unwrap();
        assert_eq!(js(&c, "return innerWidth").await, 360);
        for page in [
            "index.html",
            "lora.html",
            "transformer.html",
            "self-attention.html",
            "glossary.html",
            "tags.html",
            "graph.html",
        ] {
            c.goto(&format!("{base}{page}")).await.unwrap();
            let wide = js(
                &c,
                "return [document.documentElement.scrollWidth, innerWidth,
                  [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1
                     && !e.closest('.map-scroll, .nb-scroll, pre, table, .math-display')).map(e => e.tagName + '.' + e.className).slice(0, 5)]",
            )
            .await;
            assert!(
                wide[0].as_u64() <= wide[1].as_u64(),
                "{page} scrolls sideways on a phone: {wide}"
            );
            assert_eq!(wide[2], serde_json::json!([]), "{page}: {wide}");
            let size = js(&c, "return parseFloat(getComputedStyle(document.querySelector('main p, main dd') || document.body).fontSize)").await;
            assert!(size.as_f64().unwrap() >= 15.0, "{page}: text {size}px");
            screenshot(&c, &format!("phone-{}", page.trim_end_matches(".html"))).await;
        }
        c.goto(&format!("{base}peft.html")).await.unwrap();
        js(&c, "document.querySelector('.neighbourhood').scrollIntoView()").await;
        let nb = js(
            &c,
            "const svg = document.querySelector('.nb-svg.nb-vertical'), me = svg.querySelector('.self rect').getBoundingClientRect();
             return [parseFloat(getComputedStyle(svg.querySelector('text')).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
                     me.right <= innerWidth]",
        )
        .await;
        assert!(nb[0].as_f64().unwrap() >= 12.0, "the neighbourhood's labels stay legible: {nb}");
        assert_eq!(nb[1], true, "the note's own box is in view: {nb}");
        screenshot(&c, "phone-neighbourhood").await;
        c.goto(&format!("{base}lora.html")).await.unwrap();
        let drawer = "const s = document.getElementById('sidebar').getBoundingClientRect(); return [s.left, getComputedStyle(document.getElementById('sidebar')).visibility, document.querySelector('.menu-toggle').getAttribute('aria-expanded')]";
        assert_eq!(js(&c, drawer).await[1], "hidden", "closed: out of the tab order");
        c.find(Locator::Css(".menu-toggle")).await.unwrap().click().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let open = js(&c, drawer).await;
        assert_eq!(open[0].as_f64(), Some(0.0), "{open}");
        assert_eq!((&open[1], &open[2]), (&"visible".into(), &"true".into()), "{open}");
        let links = c.find_all(Locator::Css(".drawer-links a")).await.unwrap();
        let mut names = Vec::new();
        for l in links {
            assert!(l.is_displayed().await.unwrap());
            names.push(l.text().await.unwrap());
        }
        assert_eq!(names, ["概念图", "术语表", "标签", "打印"]);
        screenshot(&c, "phone-drawer").await;
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}

/// Dark mode follows the system until the toggle picks a theme, which a reload keeps; print
/// leaves the navigation out; ← and → walk the reading order, but not while typing.
#[tokio::test(flavor = "multi_thread")]
async fn dark_mode_print_and_arrow_keys() {
    let out = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((1280, 900), move |c| async move {
        let background = "return getComputedStyle(document.body).backgroundColor";
        c.goto(&format!("{base}lora.html")).await.unwrap();
        assert_eq!(js(&c, background).await, "rgb(255, 255, 255)");
        emulate(&c, "screen", "dark").await;
        assert_eq!(js(&c, background).await, "rgb(20, 22, 26)", "follows the system");
        screenshot(&c, "dark-lora").await;
        c.goto(&format!("{base}graph.html")).await.unwrap();
        let fill = "return getComputedStyle(document.querySelector('.map-svg .node rect')).fill";
        assert_eq!(js(&c, fill).await, "rgb(30, 42, 68)", "the map is dark too");
        screenshot(&c, "dark-map").await;
        c.find(Locator::Css(".theme-toggle")).await.unwrap().click().await.unwrap();
        assert_eq!(js(&c, background).await, "rgb(255, 255, 255)", "toggled to light");
        c.goto(&format!("{base}lora.html")).await.unwrap();
        assert_eq!(js(&c, background).await, "rgb(255, 255, 255)", "remembered");
        c.find(Locator::Css(".theme-toggle")).await.unwrap().click().await.unwrap();
        assert_eq!(js(&c, background).await, "rgb(20, 22, 26)");
        js(&c, "localStorage.clear()").await;
        emulate(&c, "print", "light").await;
        c.goto(&format!("{base}lora.html")).await.unwrap();
        let hidden = js(
            &c,
            "return ['.topbar', '.sidebar', '.prev-next', '.site-footer', '.neighbourhood']
               .map(s => getComputedStyle(document.querySelector(s)).display)",
        )
        .await;
        assert_eq!(hidden, serde_json::json!(["none", "none", "none", "none", "none"]));
        let body = js(&c, "return [getComputedStyle(document.body).color, document.querySelector('main').getBoundingClientRect().left]").await;
        assert_eq!(body[0], "rgb(0, 0, 0)", "black text");
        assert_eq!(body[1].as_f64(), Some(0.0), "the text takes the page's width");
        emulate(&c, "screen", "light").await;

        // ← / →: the reading order, from the page's own prev/next links.
        c.goto(&format!("{base}lora.html")).await.unwrap();
        let next = c.find(Locator::Css("a[rel=next]")).await.unwrap().prop("href").await.unwrap().unwrap();
        let prev = c.find(Locator::Css("a[rel=prev]")).await.unwrap().prop("href").await.unwrap().unwrap();
        let body = c.find(Locator::Css("body")).await.unwrap();
        body.send_keys(&Key::Right.to_string()).await.unwrap();
        assert_eq!(c.current_url().await.unwrap().as_str(), next);
        c.goto(&format!("{base}lora.html")).await.unwrap();
        c.find(Locator::Css("body")).await.unwrap().send_keys(&Key::Left.to_string()).await.unwrap();
        assert_eq!(c.current_url().await.unwrap().as_str(), prev);
        c.goto(&format!("{base}lora.html")).await.unwrap();
        let q = c.find(Locator::Id("q")).await.unwrap();
        q.send_keys(&format!("ab{}", Key::Left)).await.unwrap();
        assert_eq!(c.current_url().await.unwrap().as_str(), format!("{base}lora.html"), "typing keeps the page");
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}
