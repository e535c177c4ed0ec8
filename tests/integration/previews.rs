//! Link previews and auto-linked terms: the preview files (each link finds its note's
//! preview in the file of its bucket), terms linked on first mention when book.toml asks,
//! and in Chromium the preview on hover and keyboard focus, dismissed by Esc, never in the
//! way of a touch.

use crate::browser::*;
use crate::support::*;
use fantoccini::actions::{InputSource, PointerAction, TouchActions, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use std::collections::BTreeMap;
use std::time::Duration;

fn site() -> SiteTest {
    SiteTest::new()
        .simple(
            "fine-tuning",
            "微调",
            "aliases = [\"Fine-tuning\"]",
            "在预训练模型上继续训练。常见做法见 [[peft]]。\n\n## 分类\n\n全量微调与高效微调。\n",
        )
        .note(
            "peft",
            "title = \"参数高效微调\"\nsummary = \"只训练少量参数的微调方法总称，含 </script> 与 <!-- 也无妨。\"\nparent = \"fine-tuning\"\naliases = [\"PEFT\"]",
            "最常用的是 [[lora]]，它属于 [[fine-tuning]]。",
        )
        .simple("lora", "LoRA（低秩适配）", "parent = \"peft\"", "冻结原权重。")
}

/// Where a page's script finds the previews (`{"src", "buckets"}`), if the page shows them.
fn pointer(html: &str) -> Option<serde_json::Value> {
    let open = "<script type=\"application/json\" id=\"preview-data\">";
    let start = html.find(open)? + open.len();
    let json = &html[start..start + html[start..].find("</script>").unwrap()];
    Some(serde_json::from_str(json).expect("the pointer is JSON"))
}

/// FNV-1a over the slug's bytes, as js/preview.js computes it.
fn bucket(slug: &str, buckets: u64) -> u64 {
    let h = slug.bytes().fold(2_166_136_261_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16_777_619));
    u64::from(h) % buckets
}

/// The preview of each note a page links to (slug → [title, summary]), read the way the
/// page's script reads it: from the file of the slug's bucket, which must hold it.
fn preview_data(site: &SiteTest, page: &str) -> Option<BTreeMap<String, Vec<String>>> {
    let html = site.read(page);
    let where_ = pointer(&html)?;
    let src = where_["src"].as_str().unwrap();
    let buckets = where_["buckets"].as_u64().unwrap();
    let dir = std::path::Path::new(page).parent().unwrap();
    let mut data = BTreeMap::new();
    for slug in attrs(&html, "data-slug") {
        let file = site.read(&dir.join(format!("{src}{}.js", bucket(&slug, buckets))).to_string_lossy());
        let json = file.strip_prefix("conceptbookPreviews(").and_then(|f| f.strip_suffix(");\n")).expect("a call");
        let mut all: BTreeMap<String, Vec<String>> = serde_json::from_str(json).expect("preview data is JSON");
        let preview = all.remove(&slug).unwrap_or_else(|| panic!("{page}: the preview of {slug} is in its bucket"));
        data.insert(slug, preview);
    }
    Some(data)
}

#[test]
fn every_link_finds_its_preview_in_the_file_of_its_bucket() {
    let site = site();
    site.build().ok();
    let data = preview_data(&site, "peft.html").expect("peft.html shows previews");
    assert_eq!(data.keys().cloned().collect::<Vec<_>>(), ["fine-tuning", "lora"]);
    assert_eq!(data["lora"], ["LoRA（低秩适配）", "LoRA（低秩适配）的一句话定义。"]);
    // A page carries only the pointer, whatever it links to.
    let page = site.read("fine-tuning.html");
    assert_eq!(page.matches("</script>").count(), 5, "theme, site.js, search.js, preview.js, pointer");
    assert!(!page.contains("\"peft\":["), "no preview data inline");
    assert_eq!(
        preview_data(&site, "fine-tuning.html").unwrap()["peft"][1],
        "只训练少量参数的微调方法总称，含 </script> 与 <!-- 也无妨。"
    );
    // Every note's preview is written once.
    let files: Vec<String> = std::fs::read_dir(site.out().join("previews"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(files.len(), 1, "a small site has one file");
    assert_eq!(files[0].matches("\"peft\":").count(), 1);
    assert!(files[0].contains("\\u003c/script>"), "escaped, like every JSON the site writes");
    // The glossary and tags pages show every summary already: no previews there.
    for page in ["glossary.html", "tags.html", "404.html"] {
        assert!(pointer(&site.read(page)).is_none(), "{page}");
    }
    assert!(preview_data(&site, "graph.html").is_some_and(|d| d.len() == 3), "the map has previews of its boxes");
    assert!(site.read("index.html").contains("js/preview.js"));
}

#[test]
fn terms_are_linked_on_first_mention_when_book_toml_asks() {
    let body = "全量微调之外，还有参数高效微调。微调的成本取决于参数量，模型不能凭记忆作答。LoRA 和 QLoRA 都常见。\n\n## 微调\n\n再说一次微调与 `LoRA`。\n";
    let notes = |s: SiteTest| {
        s.simple("fine-tuning", "微调", "aliases = [\"Fine-tuning\", \"精调\"]", "")
            .simple("full-fine-tuning", "全量微调", "parent = \"fine-tuning\"", "")
            .simple("peft", "参数高效微调", "parent = \"fine-tuning\"", "")
            .simple("lora", "LoRA（低秩适配）", "parent = \"peft\"\naliases = [\"LoRA\"]", "")
            .simple("memory", "记忆", "", "见 [[fine-tuning]]。")
            .simple("notes", "笔记", "parent = \"fine-tuning\"", body)
    };
    // Off by default: the body's text stays text.
    let off = notes(SiteTest::new());
    off.build().ok();
    assert!(!off.read("notes.html").contains("note-link auto"));

    let on = notes(SiteTest::new().file(
        "book.toml",
        "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n\n[build]\nauto-link = true\nauto-link-skip = [\"记忆\"]\n",
    ));
    on.build().ok();
    let page = on.read("notes.html");
    let auto: Vec<(String, String)> = page
        .split("<a class=\"note-link auto\" href=\"")
        .skip(1)
        .map(|rest| {
            let href = &rest[..rest.find('"').unwrap()];
            let text = &rest[rest.find('>').unwrap() + 1..rest.find("</a>").unwrap()];
            (href.to_string(), text.to_string())
        })
        .collect();
    // 全量微调 and 参数高效微调 whole, not the 微调 inside them; then the first 微调 on
    // its own; 记忆 is skipped by book.toml; LoRA, not the LoRA in QLoRA; nothing in the
    // heading or the code.
    assert_eq!(
        auto,
        [
            ("full-fine-tuning.html".to_string(), "全量微调".to_string()),
            ("peft.html".to_string(), "参数高效微调".to_string()),
            ("fine-tuning.html".to_string(), "微调".to_string()),
            ("lora.html".to_string(), "LoRA".to_string()),
        ]
    );
    let data = preview_data(&on, "notes.html").unwrap();
    assert!(data.contains_key("peft") && data.contains_key("lora"), "with their previews");
    check_links(&on.out());
}

async fn preview(c: &Client) -> (bool, String) {
    let v = c
        .execute(
            "const t = document.getElementById('link-preview'); return t ? [t.hidden, t.textContent] : [true, ''];",
            vec![],
        )
        .await
        .unwrap();
    (v[0].as_bool().unwrap(), v[1].as_str().unwrap().to_string())
}

async fn wait_for(c: &Client, visible: bool) -> (bool, String) {
    for _ in 0..40 {
        let p = preview(c).await;
        if p.0 != visible {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    preview(c).await
}

#[tokio::test(flavor = "multi_thread")]
async fn previews_show_on_hover_and_focus_go_on_esc_and_leave_touch_alone() {
    let site = site();
    site.build().ok();
    let out = site.out();
    let http = serve(out.clone(), "/");
    with_browser((1280, 900), move |c| async move {
        for base in [format!("file://{}/", out.display()), http.clone()] {
            c.goto(&format!("{base}fine-tuning.html")).await.unwrap();
            let link = c
                .find(Locator::Css(".note-body a.note-link[data-slug='peft']"))
                .await
                .unwrap();
            // Hover: the title and summary, described by the link.
            mouse_to(&c, &link).await;
            let (hidden, text) = wait_for(&c, true).await;
            assert!(!hidden, "{base}: shown on hover");
            assert!(text.starts_with("参数高效微调只训练少量参数"), "{text}");
            assert_eq!(link.attr("aria-describedby").await.unwrap().as_deref(), Some("link-preview"));
            screenshot(&c, "preview-hover").await;
            // The pointer can move onto the preview without losing it, then away.
            mouse_at(&c, 5.0, 200.0).await;
            assert!(wait_for(&c, false).await.0, "{base}: hidden when the pointer leaves");
            assert_eq!(link.attr("aria-describedby").await.unwrap(), None);
            c.release_actions().await.unwrap();

            // Keyboard: Tab to the link shows it, Esc dismisses it, focus stays.
            c.goto(&format!("{base}fine-tuning.html")).await.unwrap();
            let mut reached = false;
            for _ in 0..60 {
                c.active_element()
                    .await
                    .unwrap()
                    .send_keys(&Key::Tab.to_string())
                    .await
                    .unwrap();
                let here = c
                    .execute("return document.activeElement.matches('.note-body a.note-link') && document.activeElement.dataset.slug", vec![])
                    .await
                    .unwrap();
                if here == "peft" {
                    reached = true;
                    break;
                }
            }
            assert!(reached, "the link is reachable with Tab");
            let (hidden, text) = wait_for(&c, true).await;
            assert!(!hidden && text.starts_with("参数高效微调"), "{base}: shown on focus");
            c.active_element()
                .await
                .unwrap()
                .send_keys(&Key::Escape.to_string())
                .await
                .unwrap();
            assert!(preview(&c).await.0, "{base}: Esc dismisses");
            let still = c
                .execute("return document.activeElement.dataset.slug", vec![])
                .await
                .unwrap();
            assert_eq!(still, "peft", "focus stays on the link");
            let errors = console_errors(&c).await;
            assert!(errors.is_empty(), "{base}: {errors:?}");
        }

        // Touch: a tap shows no preview on the way (the click listener below looks while the
        // tap is delivered, and holds this first navigation back), and follows the link.
        c.goto(&format!("{http}fine-tuning.html")).await.unwrap();
        c.execute(
            "document.addEventListener('click', e => { window.previewAtTap = !document.getElementById('link-preview').hidden; if (!window.letGo) e.preventDefault(); }, true);",
            vec![],
        )
        .await
        .unwrap();
        let tap = |link| {
            TouchActions::new("finger".into())
                .then(PointerAction::MoveToElement {
                    element: link,
                    duration: None,
                    x: 0.0,
                    y: 0.0,
                })
                .then(PointerAction::Down {
                    button: MOUSE_BUTTON_LEFT,
                })
                .then(PointerAction::Pause {
                    duration: Duration::from_millis(80),
                })
                .then(PointerAction::Up {
                    button: MOUSE_BUTTON_LEFT,
                })
        };
        let link = c
            .find(Locator::Css(".note-body a.note-link[data-slug='peft']"))
            .await
            .unwrap();
        // A finger resting on the link: pointer events fire, no preview comes.
        c.perform_actions(
            TouchActions::new("finger".into())
                .then(PointerAction::MoveToElement {
                    element: link.clone(),
                    duration: None,
                    x: 0.0,
                    y: 0.0,
                })
                .then(PointerAction::Down {
                    button: MOUSE_BUTTON_LEFT,
                })
                .then(PointerAction::Pause {
                    duration: Duration::from_millis(400),
                }),
        )
        .await
        .unwrap();
        assert!(preview(&c).await.0, "no preview under a resting finger");
        c.release_actions().await.unwrap();
        c.perform_actions(tap(link.clone())).await.unwrap();
        c.release_actions().await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        let seen = c
            .execute("return [window.previewAtTap, document.getElementById('link-preview').hidden]", vec![])
            .await
            .unwrap();
        assert_eq!(seen, serde_json::json!([false, true]), "no preview for a finger");
        c.execute("window.letGo = true", vec![]).await.unwrap();
        c.perform_actions(tap(link)).await.unwrap();
        let mut url = String::new();
        for _ in 0..40 {
            url = c.current_url().await.unwrap().to_string();
            if url.ends_with("peft.html") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(url, format!("{http}peft.html"), "a tap follows the link");
    })
    .await;
}

/// A hub note linking to `a` and `b`, two of 130 notes whose previews are in different
/// files (132 notes: two buckets).
fn two_buckets() -> (SiteTest, String, String) {
    let slugs: Vec<String> = (0..130).map(|i| format!("n{i}")).collect();
    let a = slugs.iter().find(|s| bucket(s, 2) == 0).unwrap().clone();
    let b = slugs.iter().find(|s| bucket(s, 2) == 1).unwrap().clone();
    let mut site = SiteTest::new()
        .simple("hub", "枢纽", "", &format!("先看 [[{a}]]，再看 [[{b}]]。\n"))
        .simple("pool", "池", "", "");
    for s in &slugs {
        site = site.simple(s, &format!("标题{s}"), "parent = \"pool\"", "");
    }
    site.build().ok();
    assert_eq!(pointer(&site.read("hub.html")).unwrap()["buckets"], 2);
    (site, a, b)
}

/// Presses Tab until the body's link to `slug` has the focus.
async fn tab_to(c: &Client, slug: &str) {
    for _ in 0..80 {
        c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
        let here = c
            .execute("return document.activeElement.matches('.note-body a.note-link') && document.activeElement.dataset.slug", vec![])
            .await
            .unwrap();
        if here == slug {
            return;
        }
    }
    panic!("Tab never reached the link to {slug}");
}

/// What the reader sees of the preview after `ms` more milliseconds.
async fn after(c: &Client, ms: u64) -> (bool, String) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    preview(c).await
}

/// What a test on the two-bucket site gets: the browser, the server's base URL, the set of
/// paths it holds back (see [`hold`]), a note of bucket 0, one of bucket 1, and the output.
type OnHub = (Client, String, Held, String, String, std::path::PathBuf);

/// Runs `test` in Chromium on the two-bucket site's hub page, served by [`serve_held`],
/// with `held` held back from the start.
async fn on_hub<F, Fut>(held: &[&str], test: F)
where
    F: FnOnce(OnHub) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (site, a, b) = two_buckets();
    let out = site.out();
    let (http, gate) = serve_held(out.clone());
    for path in held {
        hold(&gate, path);
    }
    with_browser((1280, 900), move |c| async move {
        c.goto(&format!("{http}hub.html")).await.unwrap();
        test((c, http, gate, a, b, out)).await;
    })
    .await;
    drop(site);
}

#[tokio::test(flavor = "multi_thread")]
async fn esc_before_a_slow_preview_file_comes_cancels_the_preview() {
    on_hub(&["previews/0.js"], |(c, _, held, a, _, _)| async move {
        tab_to(&c, &a).await;
        c.active_element().await.unwrap().send_keys(&Key::Escape.to_string()).await.unwrap();
        let_go(&held, "previews/0.js");
        assert_eq!(after(&c, 800).await, (true, String::new()), "Esc, pressed while the file loaded, dismissed it");
    })
    .await;
}

async fn body_link(c: &Client, slug: &str) -> fantoccini::elements::Element {
    c.find(Locator::Css(&format!(".note-body a.note-link[data-slug='{slug}']"))).await.unwrap()
}

/// Moves the mouse off every link of the hub page.
async fn mouse_away(c: &Client) {
    mouse_at(c, 5.0, 300.0).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pointer_crossing_another_link_keeps_the_focused_links_coming_preview() {
    on_hub(&["previews/0.js"], |(c, _, held, a, b, _)| async move {
        tab_to(&c, &a).await;
        // The mouse passes over the other link on its way somewhere else.
        let other = body_link(&c, &b).await;
        mouse_to(&c, &other).await;
        mouse_away(&c).await;
        let_go(&held, "previews/0.js");
        let (hidden, text) = wait_for(&c, true).await;
        assert!(!hidden && text.starts_with(&format!("标题{a}")), "the focused link's preview shows: {text:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preview_goes_when_the_pointer_moves_to_a_link_whose_file_is_still_coming() {
    on_hub(&["previews/1.js"], |(c, http, held, a, b, _)| async move {
        mouse_to(&c, &body_link(&c, &a).await).await;
        let (hidden, text) = wait_for(&c, true).await;
        assert!(!hidden && text.starts_with(&format!("标题{a}")), "{text:?}");
        mouse_to(&c, &body_link(&c, &b).await).await;
        let (hidden, text) = after(&c, 800).await;
        assert!(hidden, "no preview of {a} while the pointer rests on {b}: {text:?}");
        let_go(&held, "previews/1.js");
        let (hidden, text) = wait_for(&c, true).await;
        assert!(!hidden && text.starts_with(&format!("标题{b}")), "then {b}'s: {text:?}");
        // Moving away before a file comes: nothing shows later.
        c.goto(&format!("{http}hub.html")).await.unwrap();
        hold(&held, "previews/0.js");
        mouse_to(&c, &body_link(&c, &a).await).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        mouse_away(&c).await;
        let_go(&held, "previews/0.js");
        assert_eq!(after(&c, 800).await, (true, String::new()), "no preview for a link left");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preview_file_that_failed_to_load_is_tried_again() {
    on_hub(&[], |(c, http, _, a, _, out)| async move {
        let file = out.join("previews/0.js");
        let kept = file.with_extension("kept");
        std::fs::rename(&file, &kept).unwrap();
        c.goto(&format!("{http}hub.html")).await.unwrap(); // again, without the file
        let link = body_link(&c, &a).await;
        mouse_to(&c, &link).await;
        assert_eq!(after(&c, 800).await, (true, String::new()), "no preview without its file");
        mouse_away(&c).await;
        std::fs::rename(&kept, &file).unwrap();
        mouse_to(&c, &link).await;
        let (hidden, text) = wait_for(&c, true).await;
        assert!(!hidden && text.starts_with(&format!("标题{a}")), "the file is asked for again: {text:?}");
    })
    .await;
}
