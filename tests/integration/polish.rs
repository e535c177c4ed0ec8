//! The reader, polished (issue 16): the repo's own notes built into a temp dir and read in
//! headless Chromium on a laptop, a phone and paper. Footnotes run in the order they are
//! cited, with a heading and back-links; every note opens at the top; phone tables keep
//! three characters a column; print is dark on light in any theme; nothing is said twice;
//! the phone drawer closes like a drawer.

use crate::browser::*;
use crate::support::*;
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The repo's notes built into a temp dir, and the slugs of its note pages.
fn real_site() -> (tempfile::TempDir, Vec<String>) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("book");
    let run = std::process::Command::new(BIN)
        .args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "--dest", dest.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let notes = note_slugs(&dest);
    assert!(notes.len() >= 50, "the repo's notes: {}", notes.len());
    (out, notes)
}

/// Every note page of a built site (the top-level pages that carry a `note` article).
fn note_slugs(out: &Path) -> Vec<String> {
    let mut slugs: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .filter(|p| std::fs::read_to_string(p).unwrap_or_default().contains("<article class=\"note\">"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    slugs.sort();
    slugs
}

/// The viewport `width` × `height` CSS pixels, as a laptop (`mobile` false) or a phone.
async fn viewport(c: &Client, width: u32, height: u32, mobile: bool) {
    c.issue_cmd(Cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": height, "deviceScaleFactor": if mobile { 2 } else { 1 }, "mobile": mobile }),
    ))
    .await
    .expect("Emulation.setDeviceMetricsOverride");
}

/// Prints the page to PDF the way Chromium's print dialog does, and saves it (and, when
/// poppler's `pdftoppm` is there, a PNG of its first page) under the target dir.
async fn print_pdf(c: &Client, name: &str) -> PathBuf {
    let pdf = c
        .issue_cmd(Cdp("Page.printToPDF", json!({ "printBackground": true, "preferCSSPageSize": true })))
        .await
        .expect("Page.printToPDF");
    let data = pdf["data"].as_str().expect("PDF data");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.pdf"));
    std::fs::write(&path, base64_decode(data)).unwrap();
    let _ = std::process::Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&path)
        .arg(path.with_extension(""))
        .output();
    path
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).map(val).collect();
    bytes
        .chunks(4)
        .flat_map(|ch| {
            let n = ch.iter().enumerate().fold(0u32, |n, (i, &v)| n | (v as u32) << (18 - 6 * i));
            let k = ch.len().saturating_sub(1);
            (0..k).map(move |i| (n >> (16 - 8 * i)) as u8)
        })
        .collect()
}

/// A fixture: footnotes defined in another order than cited, cited twice, side by side,
/// one never cited; an inline formula before "）" and "。".
fn footnote_site(language: &str) -> SiteTest {
    let s = SiteTest::new()
        .file("book.toml", &format!("[book]\ntitle = \"T\"\ndescription = \"d\"\nlanguage = \"{language}\"\n"))
        .simple(
            "gpt",
            "GPT",
            "",
            "GPT 很大[^b]。它用 Transformer[^a][^c]（见原文[^b]）。变量（$x$）取值 $y$。\n\n\
             [^a]: Vaswani, 2017\n[^b]: Radford, 2018\n[^c]: Brown, 2020\n[^unused]: Never cited\n",
        );
    s.build().ok();
    s
}

#[test]
fn footnotes_are_numbered_by_first_citation_under_a_heading_in_the_sites_language() {
    for (lang, heading, back) in [("zh-CN", "参考资料", "回到引用"), ("en", "References", "Back to citation")] {
        let site = footnote_site(lang);
        let html = site.read("gpt.html");
        let body = &html[html.find("class=\"note-body\"").unwrap()..];
        // Markers in order of first citation: b is 1, a is 2, c is 3, b again is 1.
        let markers: Vec<String> = body
            .split("<sup class=\"fn-ref\"")
            .skip(1)
            .map(|m| m[m.find("\">[").unwrap() + 3..m.find("]</a>").unwrap()].to_string())
            .collect();
        assert_eq!(markers, ["1", "2", "3", "1"], "{lang}");
        let list = &body[body.find("<section class=\"footnotes\"").expect("a footnote section")..];
        assert!(list.contains(&format!("<h2 id=\"fn-list\">{heading}</h2>")), "{lang}: {list}");
        let items: Vec<&str> = list.split("<li id=\"fn-").skip(1).collect();
        let texts: Vec<String> = items.iter().map(|i| strip_tags(&format!("<{i}"))).collect();
        assert!(texts[0].starts_with("Radford") && texts[1].starts_with("Vaswani"), "{texts:?}");
        assert!(texts[2].starts_with("Brown") && texts[3].starts_with("Never cited"), "{texts:?}");
        // Radford is cited twice: two ways back; the uncited note none.
        assert_eq!(items[0].matches("class=\"fn-back\"").count(), 2);
        assert!(items[0].contains(&format!("href=\"#fnref-1\" aria-label=\"{back} 1\"")), "{}", items[0]);
        assert!(items[0].contains("href=\"#fnref-1-2\""));
        assert_eq!(items[3].matches("class=\"fn-back\"").count(), 0);
        // A marker keeps the character before it, and the "）" after it.
        assert!(body.contains("<span class=\"nobr\">见原文<sup") || body.contains("<span class=\"nobr\">文<sup"));
        assert!(body.contains("</a></sup>）</span>"), "{body}");
        // An inline formula keeps its brackets and the full stop after it.
        assert!(body.contains("<span class=\"nobr\">（<math"), "{body}");
        assert!(body.contains("</math>）</span>") && body.contains("</math>。</span>"), "{body}");
        check_links(&site.out());
    }
}

/// gpt's and lora's footnotes in the browser: numbered in reading order, a back-link for
/// each citation, the one jumped to highlighted, markers apart and big enough to tap.
#[tokio::test(flavor = "multi_thread")]
async fn footnotes_in_order_with_back_links_and_markers_apart() {
    let (out, notes) = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((1400, 900), move |c| async move {
        viewport(&c, 1400, 900, false).await;
        let mut with_notes = 0;
        for slug in &notes {
            c.goto(&format!("{base}{slug}.html")).await.unwrap();
            let fn_state = js(
                &c,
                "const refs = [...document.querySelectorAll('.note-body sup.fn-ref a')];
                 const firsts = []; for (const a of refs) { const n = +a.textContent.slice(1, -1); if (!firsts.includes(n)) firsts.push(n); }
                 const items = [...document.querySelectorAll('.footnotes > ol > li')];
                 const backs = items.map(li => [...li.querySelectorAll('a.fn-back')].every(b => {
                     const t = document.getElementById(b.getAttribute('href').slice(1));
                     return t && t.querySelector('a').getAttribute('href') === '#' + li.id; }) && li.querySelector('a.fn-back') !== null);
                 const texts = refs.map(a => a.textContent);
                 const rects = refs.map(a => a.getBoundingClientRect());
                 const overlap = rects.some((r, i) => i > 0 && r.top === rects[i-1].top && r.left < rects[i-1].right);
                 const small = rects.filter(r => r.width < 24 || r.height < 24).length;
                 return { refs: refs.length, firsts, items: items.length, backs,
                          heading: document.querySelector('.footnotes h2') && document.querySelector('.footnotes h2').textContent,
                          brackets: texts.every(t => /^\\[\\d+\\]$/.test(t)), overlap, small };",
            )
            .await;
            if fn_state["refs"] == 0 {
                continue;
            }
            with_notes += 1;
            let firsts: Vec<u64> = fn_state["firsts"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
            let ordered: Vec<u64> = (1..=firsts.len() as u64).collect();
            assert_eq!(firsts, ordered, "{slug}: numbered by first citation");
            assert!(fn_state["items"].as_u64() >= Some(firsts.len() as u64), "{slug}: {fn_state}");
            assert_eq!(fn_state["heading"], "参考资料", "{slug}");
            assert!(
                fn_state["backs"].as_array().unwrap().iter().take(firsts.len()).all(|b| b == true),
                "{slug}: every cited note links back to its citations: {fn_state}"
            );
            assert_eq!(fn_state["brackets"], true, "{slug}: markers read [n]");
            assert_eq!(fn_state["overlap"], false, "{slug}: markers apart");
            assert_eq!(fn_state["small"], 0, "{slug}: markers are 24×24 targets: {fn_state}");
        }
        assert!(with_notes >= 30, "notes with footnotes: {with_notes}");

        // gpt: a marker jumps to its note, highlighted; ↩ jumps back, highlighted too.
        c.goto(&format!("{base}gpt.html")).await.unwrap();
        let marker = c.find(Locator::Css(".note-body sup.fn-ref a")).await.unwrap();
        marker.click().await.unwrap();
        assert!(c.current_url().await.unwrap().as_str().ends_with("#fn-1"));
        let target = "return getComputedStyle(document.querySelector(':target')).backgroundColor";
        assert_eq!(js(&c, target).await, "rgb(255, 241, 168)", "the footnote jumped to is marked");
        let in_view = "const r = document.querySelector(':target').getBoundingClientRect(); return r.top >= 56 && r.bottom <= innerHeight";
        assert_eq!(js(&c, in_view).await, true, "below the top bar");
        screenshot(&c, "polish-gpt-footnotes").await;
        c.find(Locator::Css("#fn-1 a.fn-back")).await.unwrap().click().await.unwrap();
        assert!(c.current_url().await.unwrap().as_str().ends_with("#fnref-1"));
        let marked = "return getComputedStyle(document.querySelector(':target a')).backgroundColor";
        assert_eq!(js(&c, marked).await, "rgb(255, 241, 168)", "the citation returned to is marked");
        assert_eq!(js(&c, in_view).await, true);
        screenshot(&c, "polish-gpt-citation").await;
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}

/// A 1366×657 laptop: every note opens with its title in view (the tree scrolls to the
/// current note by itself, never the page), and the 404 page does not scroll at all.
#[tokio::test(flavor = "multi_thread")]
async fn every_note_opens_at_scroll_0_on_a_laptop() {
    let (out, notes) = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((1366, 800), move |c| async move {
        viewport(&c, 1366, 657, false).await;
        let mut deep = 0;
        for slug in &notes {
            c.goto(&format!("{base}{slug}.html")).await.unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
            let state = js(
                &c,
                "const s = document.getElementById('sidebar'), cur = s.querySelector('.current > a');
                 const r = cur.getBoundingClientRect(), b = s.getBoundingClientRect();
                 return [scrollY, document.querySelector('h1').getBoundingClientRect().top, r.top >= b.top && r.bottom <= b.bottom, s.scrollTop]",
            )
            .await;
            assert_eq!(state[0], 0, "{slug} opens scrolled: {state}");
            assert!(state[1].as_f64().unwrap() > 56.0, "{slug}: the title is under the top bar: {state}");
            assert_eq!(state[2], true, "{slug}: the current note is in the tree's view: {state}");
            if state[3].as_f64().unwrap() > 0.0 {
                deep += 1;
            }
        }
        assert!(deep > 0, "some notes sit deep enough that the tree scrolls to them");
        for (w, h, mobile) in [(1366, 657, false), (360, 760, true)] {
            viewport(&c, w, h, mobile).await;
            c.goto(&format!("{base}no/such/page")).await.unwrap();
            let fits = js(&c, "return [document.documentElement.scrollHeight, innerHeight]").await;
            assert!(fits[0].as_f64() <= fits[1].as_f64(), "the 404 page scrolls at {w}×{h}: {fits}");
        }
    })
    .await;
}

/// A 360 px phone: tables keep three characters of room a column and scroll in their box;
/// short values, formulas with their punctuation and short links never break; the
/// neighbourhood fits; the search box says what fits and no "/" hint.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_tables_keep_three_characters_a_column() {
    let (out, notes) = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((800, 900), move |c| async move {
        viewport(&c, 360, 760, true).await;
        let mut tables = 0;
        for slug in &notes {
            c.goto(&format!("{base}{slug}.html")).await.unwrap();
            let state = js(
                &c,
                "const cells = [...document.querySelectorAll('.note-body th, .note-body td')];
                 const narrow = cells.map(td => { const s = getComputedStyle(td);
                     return [(td.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)) / parseFloat(s.fontSize), td.textContent]; })
                   .filter(([w]) => w < 3).slice(0, 3);
                 const lines = e => { const r = [...e.getClientRects()].map(r => Math.round(r.top)); return new Set(r).size; };
                 const cellLines = td => { const g = document.createRange(); g.selectNodeContents(td);
                     const tops = [...g.getClientRects()].map(r => r.top), f = parseFloat(getComputedStyle(td).fontSize);
                     return tops.some(t => t - Math.min(...tops) > f) ? 2 : 1; };
                 const short = [...document.querySelectorAll('.table-wrap td, .table-wrap th')].filter(td => !td.querySelector('.wrap'));
                 const broken = [...document.querySelectorAll('.note-body .nobr')].filter(e => lines(e) > 1)
                     .concat(short.filter(td => cellLines(td) > 1)).map(e => e.textContent).slice(0, 3);
                 const links = [...document.querySelectorAll('.note-body a')].filter(a => a.textContent.length <= 6 && !/\\s/.test(a.textContent) && lines(a) > 1).map(a => a.textContent);
                 const nb = document.querySelector('.nb-vertical');
                 const nbr = nb && nb.getBoundingClientRect();
                 const svgFont = nb ? parseFloat(getComputedStyle(nb.querySelector('text')).fontSize) * nbr.width / nb.viewBox.baseVal.width : 13;
                 const q = document.getElementById('q');
                 const ctx = document.createElement('canvas').getContext('2d'); ctx.font = getComputedStyle(q).font;
                 const room = q.clientWidth - parseFloat(getComputedStyle(q).paddingLeft) - parseFloat(getComputedStyle(q).paddingRight);
                 return { cells: cells.length, narrow, broken, links, wide: document.documentElement.scrollWidth > innerWidth,
                          nb: nb ? [nbr.right <= innerWidth, getComputedStyle(nb).display, svgFont] : null,
                          placeholder: [q.placeholder, ctx.measureText(q.placeholder).width <= room] };",
            )
            .await;
            if state["cells"].as_u64() > Some(0) {
                tables += 1;
            }
            assert_eq!(state["narrow"], json!([]), "{slug}: table columns under 3 characters at 360 px");
            assert_eq!(state["broken"], json!([]), "{slug}: a formula or short value broken over lines");
            assert_eq!(state["links"], json!([]), "{slug}: short links broken mid-word");
            assert_eq!(state["wide"], false, "{slug} scrolls sideways");
            if !state["nb"].is_null() {
                assert_eq!(state["nb"][0], true, "{slug}: the neighbourhood fits the phone: {state}");
                assert_eq!(state["nb"][1], "block", "{slug}");
                assert!(state["nb"][2].as_f64() >= Some(12.0), "{slug}: legible labels {state}");
            }
            let placeholder = state["placeholder"][0].as_str().unwrap();
            assert!(!placeholder.contains('/'), "{slug}: no / hint on a phone: {placeholder}");
            assert_eq!(state["placeholder"][1], true, "{slug}: the placeholder is cut: {placeholder}");
        }
        assert!(tables >= 10, "notes with tables: {tables}");
        c.goto(&format!("{base}llama.html")).await.unwrap();
        js(&c, "document.querySelector('.table-wrap').scrollIntoView()").await;
        let wrap = js(
            &c,
            "const w = document.querySelector('.table-wrap'); return [w.scrollWidth > w.clientWidth, getComputedStyle(w).backgroundImage]",
        )
        .await;
        assert!(wrap[1].as_str().unwrap().contains("radial-gradient"), "an edge shadow: {wrap}");
        screenshot(&c, "polish-llama-table-phone").await;
        // A display formula too wide for the phone scrolls in its box, with the edge shadow.
        c.goto(&format!("{base}self-attention.html")).await.unwrap();
        let formulas = js(
            &c,
            "return [...document.querySelectorAll('.math-display')].filter(m => m.scrollWidth > m.clientWidth + 1)
               .map(m => [getComputedStyle(m).overflowX, getComputedStyle(m).backgroundImage.includes('radial-gradient'), m.scrollHeight <= m.clientHeight])",
        )
        .await;
        js(&c, "const m = [...document.querySelectorAll('.math-display')].find(m => m.scrollWidth > m.clientWidth + 1); m.scrollIntoView({ block: 'center' })").await;
        screenshot(&c, "polish-formula-phone").await;
        let formulas = formulas.as_array().unwrap();
        assert!(!formulas.is_empty(), "self-attention has a formula wider than a phone");
        assert!(formulas.iter().all(|f| f == &json!(["auto", true, true])), "{formulas:?}");
        c.goto(&format!("{base}rlhf.html")).await.unwrap();
        js(&c, "document.querySelector('.neighbourhood').scrollIntoView()").await;
        screenshot(&c, "polish-rlhf-neighbourhood-phone").await;
    })
    .await;
}

/// Print is dark text on light paper whatever the theme: chosen with the toggle, or
/// followed from a dark system. Colours are read in print emulation, and the PDF of lora
/// is saved for people to look at.
#[tokio::test(flavor = "multi_thread")]
async fn print_under_a_dark_theme_is_dark_on_light() {
    let (out, _) = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((1280, 900), move |c| async move {
        let check = "const lum = c => { const unit = c.startsWith('color(') ? 1 : 255; const m = c.replace(/^color\\(srgb/, '').match(/[\\d.]+/g).map(Number);
                        if (m.length > 3 && m[3] === 0) return null;
                        const f = v => { v /= unit; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                        return 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]); };
                     const bad = [];
                     for (const e of [document.body, ...document.querySelectorAll('main *')]) {
                       const s = getComputedStyle(e); if (s.display === 'none' || !e.getClientRects().length) continue;
                       const fg = lum(s.color), bg = lum(s.backgroundColor);
                       if (e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && fg > 0.3) bad.push('text ' + e.tagName + '.' + e.className + ' ' + s.color);
                       if (bg !== null && bg < 0.6) bad.push('background ' + e.tagName + '.' + e.className + ' ' + s.backgroundColor);
                     }
                     return bad.slice(0, 8);";
        for (how, scheme) in [("toggle", "light"), ("system", "dark")] {
            emulate(&c, "screen", scheme).await;
            c.goto(&format!("{base}lora.html")).await.unwrap();
            if how == "toggle" {
                c.find(Locator::Css(".theme-toggle")).await.unwrap().click().await.unwrap();
                assert_eq!(js(&c, "return document.documentElement.dataset.theme").await, "dark");
            }
            assert_eq!(js(&c, "return getComputedStyle(document.body).backgroundColor").await, "rgb(20, 22, 26)");
            emulate(&c, "print", scheme).await;
            let bad = js(&c, check).await;
            assert_eq!(bad, json!([]), "dark theme by {how}, printed");
            if how == "toggle" {
                let pdf = print_pdf(&c, "polish-lora-print-dark").await;
                assert!(std::fs::metadata(&pdf).unwrap().len() > 1000);
                c.goto(&format!("{base}gpt.html")).await.unwrap();
                assert_eq!(js(&c, check).await, json!([]), "gpt printed in the dark theme");
                js(&c, "localStorage.clear()").await;
            }
        }
        emulate(&c, "screen", "light").await;
    })
    .await;
}

/// Each name and each note once: no glossary alias or note alias repeats the title or
/// its bracketed part; the neighbourhood draws a note once; the chips below list only
/// what it does not draw.
#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_said_twice() {
    let (out, notes) = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((1280, 900), move |c| async move {
        let repeats = "const key = s => s.normalize('NFKC').toLowerCase().replace(/[\\s\\-_]+/g, '');
                       const parts = t => { const m = t.match(/^(.*?)[（(](.*)[）)]$/); return [t, ...(m ? [m[1], m[2]] : [])].map(key); };
                       return [...document.querySelectorAll(SEL)].flatMap(e => {
                         const title = TITLE(e), p = parts(title);
                         return [...e.querySelectorAll('.alias')].map(a => a.textContent).filter(a => p.includes(key(a))).map(a => title + ' / ' + a); });";
        c.goto(&format!("{base}glossary.html")).await.unwrap();
        let glossary = repeats.replace("SEL", "'.glossary .entry'").replace("TITLE(e)", "e.querySelector('dt a').textContent");
        let aliases = js(&c, &glossary).await;
        assert_eq!(aliases, json!([]), "glossary aliases repeating their title");
        assert!(js(&c, "return document.querySelectorAll('.glossary .alias').length").await.as_u64() > Some(0));
        for slug in &notes {
            c.goto(&format!("{base}{slug}.html")).await.unwrap();
            let own = repeats.replace("SEL", "'.note-header'").replace("TITLE(e)", "e.querySelector('h1').textContent");
            assert_eq!(js(&c, &own).await, json!([]), "{slug}: alias chips repeating the title");
            let twice = js(
                &c,
                "const hrefs = [...document.querySelectorAll('.nb-svg:not(.nb-vertical) a.node:not(.more):not(.self)')].map(a => a.getAttribute('href'));
                 const visible = sel => [...document.querySelectorAll(sel)].filter(a => a.getClientRects().length).map(a => a.getAttribute('href'));
                 const chips = [...visible('.connections.related a'), ...visible('.connections.backlinks a')];
                 return [hrefs.filter((h, i) => hrefs.indexOf(h) !== i), chips.filter(h => hrefs.includes(h)), chips.filter((h, i) => chips.indexOf(h) !== i)]",
            )
            .await;
            assert_eq!(twice, json!([[], [], []]), "{slug}: drawn twice, chips repeating the map, chips twice");
        }
        c.goto(&format!("{base}lora.html")).await.unwrap();
        js(&c, "document.querySelector('.neighbourhood').scrollIntoView()").await;
        screenshot(&c, "polish-lora-connections").await;
        // Paper has no neighbourhood: there the chips list every related note and backlink.
        emulate(&c, "print", "light").await;
        let printed = js(&c, "return [...document.querySelectorAll('.connections.related a, .connections.backlinks a')].filter(a => a.getClientRects().length).length").await;
        assert!(printed.as_u64() > Some(4), "{printed}");
        emulate(&c, "screen", "light").await;
    })
    .await;
}

/// The phone drawer: opens over a backdrop, closes on Esc (focus back on the button) and
/// on a tap outside it; links inside it still work. The tree has no fake expanders, auto
/// links look like links, and the top bar's navigation is named for what it is.
#[tokio::test(flavor = "multi_thread")]
async fn drawer_closes_on_esc_and_on_a_tap_outside() {
    let (out, _) = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((800, 900), move |c| async move {
        viewport(&c, 360, 760, true).await;
        c.goto(&format!("{base}lora.html")).await.unwrap();
        let state = "return [document.body.classList.contains('nav-open'), getComputedStyle(document.getElementById('sidebar')).visibility,
                             document.querySelector('.menu-toggle').getAttribute('aria-expanded'),
                             getComputedStyle(document.querySelector('.drawer-backdrop')).display]";
        let menu = c.find(Locator::Css(".menu-toggle")).await.unwrap();
        menu.click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(js(&c, state).await, json!([true, "visible", "true", "block"]), "open, over a backdrop");
        screenshot(&c, "polish-drawer-open").await;
        c.find(Locator::Css("#sidebar a")).await.unwrap().send_keys(&Key::Escape.to_string()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(js(&c, state).await, json!([false, "hidden", "false", "none"]), "Esc closes");
        assert_eq!(js(&c, "return document.activeElement.className").await, "icon-button menu-toggle");
        menu.click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(js(&c, state).await[0], true);
        // A tap on the page beside the drawer (it is at most 85% of the width).
        c.perform_actions(
            MouseActions::new("mouse".into())
                .then(PointerAction::MoveTo { duration: None, x: 345.0, y: 500.0 })
                .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
                .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT }),
        )
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(js(&c, state).await, json!([false, "hidden", "false", "none"]), "a tap outside closes");
        assert!(c.current_url().await.unwrap().as_str().ends_with("lora.html"), "the tap did not follow a link");
        menu.click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        c.find(Locator::Css("#sidebar li.current a")).await.unwrap().click().await.unwrap();
        assert!(c.current_url().await.unwrap().as_str().ends_with("lora.html"));

        viewport(&c, 1280, 800, false).await;
        c.goto(&format!("{base}transformer.html")).await.unwrap();
        let marks = js(
            &c,
            "return [...document.querySelectorAll('.sidebar li.branch > a')].map(a => getComputedStyle(a, '::after').content).filter(c => c !== 'none' && c !== 'normal')",
        )
        .await;
        assert_eq!(marks, json!([]), "no › marks that look like expanders");
        let nav = js(&c, "return document.querySelector('.top-links').getAttribute('aria-label')").await;
        assert_ne!(nav, "首页");
        let colours = js(
            &c,
            "const auto = document.querySelector('.note-body a.note-link.auto'), hand = document.querySelector('.note-body a.note-link:not(.auto)');
             return auto && [getComputedStyle(auto).color, getComputedStyle(hand).color, getComputedStyle(auto).textDecorationLine]",
        )
        .await;
        if !colours.is_null() {
            assert_eq!(colours[0], colours[1], "auto-links take the link colour: {colours}");
            assert_eq!(colours[2], "underline");
        }
        // The map's checkbox and the home page's counts.
        c.goto(&format!("{base}graph.html")).await.unwrap();
        let size = js(&c, "const r = document.querySelector('.show-related').getBoundingClientRect(); return [r.width, r.height]").await;
        assert!(size[0].as_f64() >= Some(24.0) && size[1].as_f64() >= Some(24.0), "{size}");
        c.goto(&format!("{base}index.html")).await.unwrap();
        let stats = c.find(Locator::Css(".stats")).await.unwrap().text().await.unwrap();
        let words: Vec<&str> = stats.split(" · ").take(3).map(|p| p.split_once(' ').unwrap().1).collect();
        assert_eq!(words, ["篇笔记", "个术语", "个标签"], "{stats}");
        // A code block's label stays where it is while the code scrolls.
        c.goto(&format!("{base}lora.html")).await.unwrap();
        let slides = js(
            &c,
            "const w = [...document.querySelectorAll('.code-wrap')].find(w => { const p = w.querySelector('pre'); p.style.maxWidth = '200px'; return p.scrollWidth > p.clientWidth; });
             if (!w) return null; const l = w.querySelector('.lang-label'), x = l.getBoundingClientRect().left;
             w.querySelector('pre').scrollLeft = 100; return [x, l.getBoundingClientRect().left]",
        )
        .await;
        assert!(!slides.is_null(), "lora has a code block wider than 200 px");
        assert_eq!(slides[0], slides[1], "the language label does not slide");
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}

/// The full map with every related link shown: the dashed lines pass under the boxes (a
/// box's label is what a pointer finds on it), and a hovered box's preview stays off the
/// lines it reveals.
#[tokio::test(flavor = "multi_thread")]
async fn the_full_map_draws_related_lines_under_boxes_and_previews_beside_them() {
    let (out, _) = real_site();
    let base = serve(out.path().join("book"), "/");
    with_browser((1400, 900), move |c| async move {
        viewport(&c, 1400, 900, false).await;
        c.goto(&format!("{base}graph.html")).await.unwrap();
        c.find(Locator::Css(".show-related")).await.unwrap().click().await.unwrap();
        let covered = js(
            &c,
            "return [...document.querySelectorAll('.map-svg a.node')].filter(a => {
               a.scrollIntoView({ block: 'center', inline: 'center' });
               const r = a.querySelector('rect').getBoundingClientRect();
               const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
               return !(hit && a.contains(hit)); }).map(a => a.id)",
        )
        .await;
        assert_eq!(covered, json!([]), "boxes under a related line");
        screenshot(&c, "polish-map-all-related").await;
        js(&c, "document.querySelector('.show-related').click()").await;
        let slugs = js(&c, "return [...document.querySelectorAll('.map-svg .rel')].map(g => g.dataset.for)").await;
        let slugs: Vec<String> = slugs.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
        assert!(slugs.len() >= 10, "{slugs:?}");
        let mut clear = 0;
        for slug in &slugs {
            // Away first, so that the last preview is gone.
            mouse_at(&c, 2.0, 2.0).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            js(
                &c,
                &format!("document.getElementById('n-{slug}').scrollIntoView({{ block: 'center', inline: 'center' }})"),
            )
            .await;
            let node = c.find(Locator::Id(&format!("n-{slug}"))).await.unwrap();
            let rect = node.find(Locator::Css("rect")).await.unwrap();
            c.perform_actions(MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
                element: rect,
                duration: Some(Duration::from_millis(20)),
                x: 0.0,
                y: 0.0,
            }))
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(450)).await;
            let overlap = js(
                &c,
                &format!(
                    "const tip = document.getElementById('link-preview'); if (tip.hidden) return null;
                     const t = tip.getBoundingClientRect();
                     const m = document.querySelector('.map-svg').getScreenCTM();
                     return [...document.querySelectorAll('.rel[data-for=\"{slug}\"] path')].flatMap(p => {{
                       const len = p.getTotalLength();
                       return [...Array(50).keys()].map(k => p.getPointAtLength(len * k / 49));
                     }}).map(p => [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f])
                       .filter(([x, y]) => x > t.left && x < t.right && y > t.top && y < t.bottom).length"
                ),
            )
            .await;
            assert!(!overlap.is_null(), "{slug}: a preview shows on hover");
            if overlap == 0 {
                clear += 1;
            } else {
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    format!("preview over the lines of {slug}: {overlap}\n").as_bytes(),
                );
            }
            if slug == "lora" {
                screenshot(&c, "polish-map-hover-lora").await;
            }
        }
        assert!(clear * 10 >= slugs.len() * 9, "previews off the lines for {clear} of {} boxes", slugs.len());
    })
    .await;
}
