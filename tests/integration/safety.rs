//! Safe by default (issue 12): notes from strangers, symbolic links and the build dir
//! cannot inject markup, leak files or delete someone else's folder. Each test builds a
//! hostile fixture site, as an attacker would write it, and reads what a reader would get.

use crate::support::*;

fn base() -> SiteTest {
    SiteTest::new().simple("peft", "参数高效微调", "", "")
}

/// The body of the note page (the article), where the author's text lands.
fn body_of(page: &str) -> &str {
    let start = page.find("class=\"note-body\"").expect("a note body");
    let end = page[start..].find("</article>").map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// Markup that runs code in a page: what no author's note may ever produce.
fn assert_inert(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in ["<script", "onerror", "onload", "onclick", "javascript:", "vbscript:", "data:text", "<iframe", "<style", " style=\""] {
        assert!(!lower.contains(bad), "{bad:?} reached the page:\n{html}");
    }
}

#[test]
fn raw_html_and_link_urls_are_sanitized_and_harmless_markup_stays() {
    let body = "\
<script>alert(1)</script>

<img src=x onerror=\"alert(2)\">

Inline <span onclick=\"alert(3)\">span</span> and <a href=\"javascript:alert(4)\">a</a>.

[js](javascript:alert(5)) [JS](JaVaScRiPt:alert(6)) [data](data:text/html,<script>alert(7)</script>) [vb](vbscript:msgbox(8))

![pic](javascript:alert(9)) ![pic2](data:image/svg+xml,<svg/onload=alert(10)>)

<iframe src=\"https://evil.example\"></iframe>
<p style=\"position:fixed;inset:0\">cover</p>

<details open>
<summary>展开</summary>

按 <kbd>Ctrl</kbd>+<kbd>C</kbd>，x<sup>2</sup> 与 x<sub>i</sub><br>换行。

![ok](https://example.com/a.png) ![local](img/b.png) <img src=\"img/c.png\" alt=\"c\">

[外链](https://example.com/x) [[peft]]

</details>
";
    let site = base().simple("hostile", "恶意笔记", "parent = \"peft\"", body);
    site.build().ok();
    let page = site.read("hostile.html");
    let html = body_of(&page);
    assert_inert(html);
    for kept in [
        "<details open=\"\">",
        "<summary>展开</summary>",
        "<kbd>Ctrl</kbd>",
        "x<sup>2</sup>",
        "x<sub>i</sub>",
        "<br>",
        "src=\"https://example.com/a.png\"",
        "src=\"img/b.png\"",
        "<img src=\"img/c.png\" alt=\"c\">",
        "<a href=\"https://example.com/x\">外链</a>",
        // conceptbook's own markup inside the author's <details> is untouched
        "<a class=\"note-link\" href=\"peft.html\" data-slug=\"peft\">参数高效微调</a>",
        "</details>",
    ] {
        assert!(html.contains(kept), "{kept:?} was lost:\n{html}");
    }
    // The link texts stay as text.
    for text in [">js</a>", ">JS</a>", ">data</a>", ">vb</a>", "span</span>", "cover"] {
        assert!(html.contains(text), "{text:?} was lost:\n{html}");
    }
    // The markdown between the raw <details> and </details> is inside it.
    let details = &html[html.find("<details").unwrap()..html.find("</details>").unwrap()];
    assert!(details.contains("<kbd>Ctrl</kbd>") && details.contains("peft.html"), "{details}");
    // Hover previews carry the same body.
    for (path, bytes) in site.snapshot_output() {
        if path.ends_with(".js") || path.ends_with(".html") {
            let text = String::from_utf8_lossy(&bytes);
            for bad in ["alert(1)", "alert(2)", "alert(4)", "alert(5)", "alert(7)", "alert(9)", "alert(10)"] {
                assert!(!text.contains(bad), "{path} holds {bad}");
            }
        }
    }
}

#[test]
fn the_home_page_is_sanitized_too() {
    let site = base().file("content/index.md", "欢迎 <img src=x onerror=alert(1)> [x](javascript:alert(2))\n");
    site.build().ok();
    let home = site.read("index.html");
    assert!(home.contains("欢迎"));
    assert!(!home.contains("onerror") && !home.contains("javascript:"), "{home}");
}

#[test]
fn a_trusted_site_keeps_raw_html_as_written() {
    let body = "<div class=\"widget\" onclick=\"go()\">w</div>\n\n[run](javascript:go())\n";
    let site = base()
        .file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n[build]\ntrusted-html = true\n")
        .simple("w", "组件", "", body);
    site.build().ok();
    let page = site.read("w.html");
    assert!(page.contains("<div class=\"widget\" onclick=\"go()\">w</div>"), "{page}");
    assert!(page.contains("href=\"javascript:go()\""), "{page}");
    // A typo of the key is caught, with the right name.
    let typo = base().file("book.toml", "[book]\ntitle = \"t\"\n[build]\ntrust-html = true\n");
    typo.build().failed().says(&["unknown key `build.trust-html`", "did you mean `trusted-html`?"]);
}
