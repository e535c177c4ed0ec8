//! The built site in a real browser: pages load from disk and over HTTP with no console
//! errors, the 404 page works at any depth under a project-site prefix.

use crate::browser::*;
use crate::support::*;
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
