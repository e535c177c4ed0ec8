//! Images and other files kept next to the notes (`content/img/pic.png`), as Obsidian
//! vaults, Zola and mdBook keep them: published at their place below `content/`, and every
//! reference to one checked and written relative to the page that shows it.

use crate::browser::*;
use crate::serve::Served;
use crate::support::*;
use std::path::Path;

/// A real 1×1 PNG.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 144, 119, 83,
    222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 0, 3, 1, 1, 0, 201, 254, 146, 239, 0, 0, 0, 0,
    73, 69, 78, 68, 174, 66, 96, 130,
];

/// The `src` of every `<img>` of the page `rel`, each followed from the page's folder to
/// the output file it names (which must exist), with that file's bytes.
fn images(site: &SiteTest, rel: &str) -> Vec<(String, Vec<u8>)> {
    let html = site.read(rel);
    let page_dir = site.out().join(rel).parent().unwrap().to_path_buf();
    html.split("<img ")
        .skip(1)
        .filter_map(|tag| attrs(&format!(" {}", &tag[..tag.find('>').unwrap()]), "src").into_iter().next())
        .map(|src| {
            assert!(!src.contains(' ') && !src.contains("://"), "{rel}: src {src:?} is not a relative URL");
            let file = page_dir.join(percent_decode(&src));
            let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{rel}: src {src} → {}: {e}", file.display()));
            (src, bytes)
        })
        .collect()
}

#[test]
fn images_next_to_the_notes_are_published_and_every_page_finds_them() {
    let site = SiteTest::new()
        .bytes("content/img/pic.png", PNG)
        .bytes("content/files/Paper.PDF", b"%PDF-1.4 tiny")
        .file("content/drafts/todo.txt", "not for readers")
        .file("content/board.canvas", "{}")
        .simple("a", "甲", "", "![x](img/pic.png)\n\n[the paper](files/Paper.PDF#page=2)\n")
        .simple("b", "乙", "", "![y](../img/pic.png)\n\n![[pic.png]]\n");
    let site = {
        // b lives in a folder of its own: its references start from there.
        std::fs::create_dir_all(site.root().join("content/sub")).unwrap();
        std::fs::rename(site.root().join("content/b.md"), site.root().join("content/sub/b.md")).unwrap();
        site
    };
    site.build().ok();
    assert_eq!(std::fs::read(site.out().join("img/pic.png")).unwrap(), PNG, "copied byte for byte");
    assert_eq!(std::fs::read(site.out().join("files/Paper.PDF")).unwrap(), b"%PDF-1.4 tiny");
    let a = images(&site, "a.html");
    let b = images(&site, "b.html");
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(b.len(), 2, "{b:?}");
    for (src, bytes) in a.iter().chain(&b) {
        assert_eq!(bytes, PNG, "{src}");
    }
    assert!(site.read("a.html").contains("href=\"files/Paper.PDF#page=2\""), "{}", site.read("a.html"));
    // What is not an image or a document stays unpublished, as before.
    let out = site.snapshot_output();
    for unpublished in ["drafts/todo.txt", "board.canvas", "a.md", "sub/b.md"] {
        assert!(!out.contains_key(unpublished), "{unpublished} published");
    }
    assert!(check_links(&site.out()) > 0);
    // The same output on every build.
    let first = site.snapshot_output();
    site.build().ok();
    assert_eq!(first, site.snapshot_output());
}

#[test]
fn names_with_spaces_and_chinese_are_copied_and_their_src_loads() {
    let site = SiteTest::new().bytes("content/图/示意 图.png", PNG).bytes("content/img/a b#c.png", PNG).simple(
        "a",
        "甲",
        "",
        "![图](图/示意%20图.png)\n\n![井](<img/a b%23c.png>)\n",
    );
    site.build().ok();
    assert_eq!(std::fs::read(site.out().join("图/示意 图.png")).unwrap(), PNG);
    assert_eq!(std::fs::read(site.out().join("img/a b#c.png")).unwrap(), PNG);
    let srcs: Vec<String> = images(&site, "a.html").into_iter().map(|(src, _)| src).collect();
    assert_eq!(srcs, ["%E5%9B%BE/%E7%A4%BA%E6%84%8F%20%E5%9B%BE.png", "img/a%20b%23c.png"]);
    check_links(&site.out());
}

#[test]
fn a_missing_image_is_an_error_at_its_place_and_nothing_is_written() {
    let site = SiteTest::new().bytes("content/img/pic.png", PNG).simple(
        "a",
        "甲",
        "",
        "正文。\n\n见图 ![x](img/pci.png)\n\n![](img/nothing-like-it.png)\n",
    );
    for run in [site.build(), site.run(&["check"])] {
        run.failed().says(&[
            "content/a.md:8:4: error: image `img/pci.png`: no such file",
            "did you mean `img/pic.png`",
            "content/a.md:10:1: error: image `img/nothing-like-it.png`: no such file",
            "put the file at `content/img/nothing-like-it.png`",
        ]);
    }
    assert!(!site.out().exists(), "nothing written");
}

#[test]
fn an_svg_in_content_is_refused_and_the_same_svg_in_static_works() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let site = SiteTest::new().file("content/diagram.svg", svg).simple("a", "甲", "", "![图](diagram.svg)\n");
    site.build().failed().says(&[
        "content/a.md:6:1: error: image `diagram.svg` is an SVG in content/",
        "convert it to PNG",
        "static/diagram.svg",
    ]);
    assert!(!site.out().exists());
    std::fs::create_dir_all(site.root().join("static")).unwrap();
    std::fs::rename(site.root().join("content/diagram.svg"), site.root().join("static/diagram.svg")).unwrap();
    site.build().ok();
    assert!(site.read("a.html").contains("src=\"diagram.svg\""), "{}", site.read("a.html"));
    assert_eq!(site.read("diagram.svg"), svg);
    check_links(&site.out());
}

#[test]
fn a_svg_in_content_that_nothing_references_is_not_published() {
    let site = SiteTest::new().file("content/img/d.svg", "<svg/>").simple("a", "甲", "", "正文。\n");
    site.build().ok();
    assert!(!site.out().join("img/d.svg").exists());
}

#[cfg(unix)]
#[test]
fn linked_images_inside_the_site_are_copied_and_links_outside_refused() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("private.png"), PNG).unwrap();
    let site = SiteTest::new().bytes("shared/pic.png", PNG).simple("a", "甲", "", "![x](img/pic.png)\n");
    std::fs::create_dir_all(site.root().join("content/img")).unwrap();
    symlink(site.root().join("shared/pic.png"), site.root().join("content/img/pic.png")).unwrap();
    site.build().ok();
    assert_eq!(std::fs::read(site.out().join("img/pic.png")).unwrap(), PNG);
    std::fs::remove_dir_all(site.out()).unwrap();

    symlink(outside.path().join("private.png"), site.root().join("content/img/private.png")).unwrap();
    site.build().failed().says(&[
        "content/img/private.png: error: symbolic link",
        "leads outside the site's folder: nothing behind it is published",
    ]);
    assert!(!site.out().exists());
}

#[test]
fn a_reference_out_of_content_and_static_is_an_error() {
    let site = SiteTest::new().bytes("secret.png", PNG).simple(
        "a",
        "甲",
        "",
        "![](../../../../etc/hostname.png)\n\n![](../secret.png)\n",
    );
    site.build().failed().says(&[
        "content/a.md:6:1: error: image `../../../../etc/hostname.png`: no such file",
        "content/a.md:8:1: error: image `../secret.png`: no such file",
    ]);
    assert!(!site.out().exists());
}

#[test]
fn an_image_and_a_static_file_on_the_same_path_is_an_error_naming_both() {
    let site = SiteTest::new().bytes("content/img/logo.png", PNG).bytes("static/img/logo.png", PNG).simple(
        "a",
        "甲",
        "",
        "正文。\n",
    );
    site.build().failed().says(&["content/img/logo.png", "static/img/logo.png", "same output path `img/logo.png`"]);
    assert!(!site.out().exists());
}

#[test]
fn an_obsidian_embed_by_a_name_two_folders_hold_is_an_error_listing_both() {
    let site = SiteTest::new().bytes("content/a/pic.png", PNG).bytes("content/b/pic.png", PNG).simple(
        "n",
        "甲",
        "",
        "![[pic.png]]\n",
    );
    site.build().failed().says(&[
        "content/n.md:6:1: error: image `pic.png` names 2 files",
        "`content/a/pic.png`",
        "`content/b/pic.png`",
    ]);
    // A path picks one of them.
    std::fs::write(
        site.root().join("content/n.md"),
        "+++\ntitle = \"甲\"\nsummary = \"s\"\n+++\n\n![[b/pic.png|300]]\n",
    )
    .unwrap();
    site.build().ok();
    assert_eq!(images(&site, "n.html").into_iter().map(|(s, _)| s).collect::<Vec<_>>(), ["b/pic.png"]);
}

#[test]
fn a_large_image_is_warned_about_at_its_file() {
    let site =
        SiteTest::new().bytes("content/img/big.png", &vec![0; 1_100_000]).simple("a", "甲", "", "![x](img/big.png)\n");
    site.build().ok().says(&["content/img/big.png: warning:", "over 1 MiB"]);
}

fn png_at(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn serve_publishes_an_image_added_or_changed_while_serving() {
    let site = SiteTest::new().simple("a", "甲", "", "正文。\n");
    let s = Served::start(&site, &[]);
    assert_eq!(s.get("/img/new.png").status, 404);
    png_at(site.root(), "content/img/new.png", PNG);
    let r = s.get_until("/img/new.png", |r| r.status == 200, "the new image");
    assert_eq!(r.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(r.body, String::from_utf8_lossy(PNG));
    let changed: Vec<u8> = PNG.iter().copied().chain(*b"more").collect();
    png_at(site.root(), "content/img/new.png", &changed);
    s.get_until("/img/new.png", |r| r.body == String::from_utf8_lossy(&changed), "the changed image");
    // A note that now shows it.
    std::fs::write(
        site.root().join("content/a.md"),
        "+++\ntitle = \"甲\"\nsummary = \"s\"\n+++\n\n![x](img/new.png)\n",
    )
    .unwrap();
    s.get_until("/a.html", |r| r.body.contains("src=\"img/new.png\""), "the page showing it");
    std::fs::remove_file(site.root().join("content/img/new.png")).unwrap();
    s.get_until("/a.html", |r| r.body.contains("no such file"), "the error once it is gone");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_images_load_in_a_browser_from_disk_and_over_http() {
    let site = SiteTest::new().bytes("content/图/示意 图.png", PNG).bytes("content/img/pic.png", PNG).simple(
        "a",
        "甲",
        "",
        "![图](图/示意%20图.png)\n\n![[pic.png|300]]\n",
    );
    {
        std::fs::create_dir_all(site.root().join("content/sub")).unwrap();
        std::fs::rename(site.root().join("content/a.md"), site.root().join("content/sub/a.md")).unwrap();
    }
    site.build().ok();
    let out = site.out();
    let http = serve(out.clone(), "/");
    with_browser((1280, 900), move |c| async move {
        for base in [format!("file://{}/", out.display()), http] {
            c.goto(&format!("{base}a.html")).await.unwrap();
            let widths = js(&c, "return [...document.querySelectorAll('article img, main img')].map(i => i.complete ? i.naturalWidth : -1)").await;
            assert_eq!(widths, serde_json::json!([1, 1]), "{base}a.html: every image loads");
        }
    })
    .await;
}
