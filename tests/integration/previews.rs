//! Link previews and auto-linked terms: the preview data a page carries (exactly the notes
//! it links to), terms linked on first mention when book.toml asks, and in Chromium the
//! preview on hover and keyboard focus, dismissed by Esc, never in the way of a touch.

use crate::browser::*;
use crate::support::*;
use fantoccini::actions::{InputSource, MouseActions, PointerAction, TouchActions, MOUSE_BUTTON_LEFT};
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

/// The preview data of a page: slug → [title, summary].
fn preview_data(html: &str) -> Option<BTreeMap<String, Vec<String>>> {
    let open = "<script type=\"application/json\" id=\"preview-data\">";
    let start = html.find(open)? + open.len();
    let json = &html[start..start + html[start..].find("</script>").unwrap()];
    Some(serde_json::from_str(json).expect("preview data is JSON"))
}

#[test]
fn a_page_carries_the_previews_of_exactly_the_notes_it_links_to() {
    let site = site();
    site.build().ok();
    let page = site.read("peft.html");
    let data = preview_data(&page).expect("peft.html has preview data");
    let linked: Vec<String> =
        attrs(&page, "data-slug").into_iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    assert_eq!(data.keys().cloned().collect::<Vec<_>>(), linked);
    assert_eq!(data["lora"], ["LoRA（低秩适配）", "LoRA（低秩适配）的一句话定义。"]);
    // A summary cannot end the script element it travels in.
    let home = site.read("fine-tuning.html");
    assert!(home.contains("\\u003c/script>"), "escaped");
    assert_eq!(home.matches("</script>").count(), 5, "theme, site.js, search.js, preview.js, data");
    assert_eq!(preview_data(&home).unwrap()["peft"][1], "只训练少量参数的微调方法总称，含 </script> 与 <!-- 也无妨。");
    // The glossary and tags pages show every summary already: no data there.
    for page in ["glossary.html", "tags.html", "404.html"] {
        assert!(preview_data(&site.read(page)).is_none(), "{page}");
    }
    assert!(preview_data(&site.read("graph.html")).is_some(), "the map has previews");
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
    let data = preview_data(&page).unwrap();
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
            c.perform_actions(MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
                element: link.clone(),
                duration: None,
                x: 0.0,
                y: 0.0,
            }))
            .await
            .unwrap();
            let (hidden, text) = wait_for(&c, true).await;
            assert!(!hidden, "{base}: shown on hover");
            assert!(text.starts_with("参数高效微调只训练少量参数"), "{text}");
            assert_eq!(link.attr("aria-describedby").await.unwrap().as_deref(), Some("link-preview"));
            screenshot(&c, "preview-hover").await;
            // The pointer can move onto the preview without losing it, then away.
            c.perform_actions(MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
                duration: None,
                x: 5.0,
                y: 200.0,
            }))
            .await
            .unwrap();
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
