//! One test per kind of error: the message names the file, the line and the likely fix,
//! the exit code is non-zero, and nothing is written.

use crate::support::*;

fn base() -> SiteTest {
    SiteTest::new().simple("fine-tuning", "微调", "aliases = [\"Fine-tuning\"]", "").simple(
        "peft",
        "参数高效微调",
        "parent = \"fine-tuning\"\naliases = [\"PEFT\"]",
        "",
    )
}

fn fails(site: &SiteTest, pieces: &[&str]) -> Run {
    let run = site.build().failed();
    run.says(pieces);
    assert!(!site.out().exists(), "nothing is written");
    run
}

#[test]
fn dangling_wiki_link_names_file_line_and_closest() {
    let site = base().simple("lora", "LoRA", "parent = \"peft\"", "第一行\n\n见 [[pefd]]。");
    fails(&site, &["content/lora.md:9:3: error: link `pefd` names no note", "help: did you mean `peft`?"]);
}

#[test]
fn dangling_parent_and_related() {
    let site = base().simple("lora", "LoRA", "parent = \"petf\"\nrelated = [\"fine-tunning\"]", "");
    fails(
        &site,
        &[
            "content/lora.md:4:11: error: parent `petf` names no note",
            "content/lora.md:5:13: error: related note `fine-tunning` names no note",
            "did you mean `fine-tuning`?",
            "2 errors",
        ],
    );
}

#[test]
fn nothing_close_means_no_suggestion() {
    let site = base().simple("lora", "LoRA", "parent = \"zzzzzzzzzz\"", "");
    let run = fails(&site, &["parent `zzzzzzzzzz` names no note"]);
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
}

#[test]
fn missing_anchor() {
    let site = base()
        .note("lora", "title = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"", "见 [[fine-tuning#分娄]]。")
        .file("content/fine-tuning.md", "+++\ntitle = \"微调\"\nsummary = \"s\"\n+++\n## 分类\n");
    fails(&site, &["content/lora.md:7:3: error: `fine-tuning` has no heading `#分娄`", "did you mean `#分类`?"]);
}

#[test]
fn missing_md_file() {
    let site = base().simple("lora", "LoRA", "parent = \"peft\"", "[x](pef.md)");
    fails(
        &site,
        &["content/lora.md:7:1: error: link to `content/pef.md`: no such note file", "did you mean `content/peft.md`?"],
    );
}

#[test]
fn unknown_front_matter_key() {
    let site = base().note("lora", "title = \"LoRA\"\nsummary = \"s\"\nrealted = [\"peft\"]", "");
    fails(&site, &["content/lora.md:4:1: error: unknown front matter key `realted`", "help: did you mean `related`?"]);
}

#[test]
fn unknown_book_toml_key() {
    let site = base().file("book.toml", "[book]\ntitle = \"T\"\nlanguge = \"zh-CN\"\n");
    fails(&site, &["book.toml:3:1: error: unknown key `book.languge` in book.toml", "did you mean `language`?"]);
}

#[test]
fn missing_required_keys() {
    let site = base().note("lora", "title = \"LoRA\"", "");
    fails(&site, &["content/lora.md:1:1: error: missing required key `summary`"]);
}

#[test]
fn front_matter_that_is_not_toml() {
    let site = base().note("lora", "title = \"LoRA\nsummary = \"s\"", "");
    fails(&site, &["content/lora.md:2:", "invalid TOML"]);
}

#[test]
fn bad_slug() {
    let site = base().simple("LoRA_v1", "LoRA", "parent = \"peft\"", "");
    fails(&site, &["content/LoRA_v1.md:1:1: error: `LoRA_v1` is not a valid slug", "lora-v1"]);
    let site = base().simple("lora", "LoRA", "slug = \"Lo Ra\"\nparent = \"peft\"", "");
    fails(&site, &["content/lora.md:4:1: error: `Lo Ra` is not a valid slug"]);
}

/// A slug names files (`<slug>.html`, `children/<slug>.p2.html`, `map/<slug>.html`), and a
/// file system takes at most 255 bytes a name: a longer slug is an error of `check` and
/// `build` at its `slug =` line, or at the file whose name it is. Before, `check` passed
/// and `build` stopped with "File name too long", naming no note.
#[test]
fn a_slug_too_long_for_a_file_name_is_an_error_naming_its_note() {
    let long = "a".repeat(300);
    let site = base().simple("lora", "LoRA", &format!("slug = \"{long}\"\nparent = \"peft\""), "");
    let short = format!("slug = \"{}\"", "a".repeat(100));
    for run in [site.run(&["check"]).failed(), fails(&site, &[])] {
        run.says(&[
            "content/lora.md:4:1: error: the slug `aaaa",
            "is 300 bytes long; a slug may be at most 100",
            &short,
        ]);
        assert!(!run.stderr.contains("File name too long"), "{}", run.stderr);
    }
    // A file name of 251 characters is a legal one, but its slug is too long.
    let stem = format!("{}-b", "x".repeat(249));
    let site = base().simple(&stem, "长", "parent = \"peft\"", "");
    let run = fails(&site, &[&format!("content/{stem}.md:1:1: error: the slug `xxxx"), "is 251 bytes long"]);
    run.says(&[&format!("slug = \"{}\"", "x".repeat(100))]);
    // 100 bytes is fine.
    base().simple(&"c".repeat(100), "长", "parent = \"peft\"", "").build().ok();
}

/// A name is repeated wherever its note is named, a summary wherever it is listed: past
/// the limits (200 characters, 2,000, 100 aliases or tags) the front matter is an error at
/// its line, saying the length and what to do. At the limits, the site builds.
#[test]
fn front_matter_past_its_limits_is_an_error_at_its_line() {
    let site = base()
        .simple("t", &"题".repeat(201), "parent = \"peft\"", "")
        .note("s", &format!("title = \"长摘要\"\nsummary = \"{}\"\nparent = \"peft\"", "摘".repeat(2_001)), "")
        .simple("a", "多别名", &format!("aliases = [{}]", vec!["\"x\""; 101].join(", ")), "")
        .simple("g", "长标签", &format!("tags = [\"{}\"]", "g".repeat(201)), "");
    for run in [site.run(&["check"]).failed(), fails(&site, &[])] {
        run.says(&[
            "content/t.md:2:1: error: the title `题题题",
            "is 201 characters long; at most 200 are allowed",
            "shorten it",
            "content/s.md:3:1: error: the summary `摘摘",
            "is 2001 characters long; at most 2000",
            "move the rest into the body",
            "content/a.md:4:1: error: `aliases` lists 101 entries; at most 100 are allowed",
            "content/g.md:4:1: error: a tag `gggg",
            "4 errors",
        ]);
    }
    let at_limits = base()
        .simple("t", &"题".repeat(200), "parent = \"peft\"", "")
        .note("s", &format!("title = \"长摘要\"\nsummary = \"{}\"", "摘".repeat(2_000)), "")
        .simple(
            "a",
            "多别名",
            &format!("aliases = [{}]", (0..100).map(|k| format!("\"x{k}\"")).collect::<Vec<_>>().join(", ")),
            "",
        );
    at_limits.build().ok();
}

#[test]
fn duplicate_slug() {
    let site = base().simple("sub/peft", "另一个", "parent = \"fine-tuning\"", "");
    fails(&site, &["error: slug `peft` is already used by content/peft.md"]);
}

#[test]
fn duplicate_alias_is_a_warning() {
    // Two notes may share an alias (SPEC); only a link by it is an error (tests in scale.rs).
    let site = base().simple("lora", "LoRA", "parent = \"peft\"\naliases = [\"peft\", \"fine-TUNING\"]", "");
    site.build().ok().says(&[
        "content/lora.md:5:1: warning: alias `fine-TUNING` also names content/fine-tuning.md",
        "a link by this alias will be an error",
    ]);
}

#[test]
fn many_problems_of_one_kind_are_counted_not_all_printed() {
    // An imported set of notes, each with a problem the others share (an unknown key) and
    // one note with a problem of its own: the shared kind is printed 25 times and then
    // counted, and the other one still shows, above the total.
    let mut site = base();
    for i in 0..60 {
        site = site.simple(&format!("n{i:02}"), &format!("名{i}"), "parent = \"peft\"\nauthor = \"x\"", "");
    }
    let site = site.simple("lone", "孤", "parent = \"petf\"", "");
    let run = fails(&site, &["content/lone.md:4:11: error: parent `petf` names no note", "61 errors"]);
    assert_eq!(run.stderr.matches("error: unknown front matter key `author`").count(), 25, "{}", run.stderr);
    run.says(&[
        "[1/61] content/lone.md",
        "[26/61] content/n24.md",
        "... and 35 more errors like: unknown front matter key `author`",
        "`conceptbook check --format json` lists every one",
    ]);
    assert!(!run.stderr.contains("content/n25.md"), "{}", run.stderr);
    // JSON keeps every one.
    let json = site.run(&["check", "--format", "json"]);
    assert_eq!(json.stdout.matches("unknown front matter key `author`").count(), 60);
}

#[test]
fn parent_cycle() {
    let site = SiteTest::new().simple("a", "甲", "parent = \"c\"", "").simple("b", "乙", "parent = \"a\"", "").simple(
        "c",
        "丙",
        "parent = \"b\"",
        "",
    );
    fails(&site, &["content/a.md:4:11: error: parent cycle: a → c → b → a", "remove `parent` from one of these notes"]);
    let site = SiteTest::new().simple("a", "甲", "parent = \"a\"", "");
    fails(&site, &["content/a.md:4:11: error: a note cannot be its own parent"]);
    // A cycle of 500 notes is named by its first ten, not on a line of 500 slugs.
    let mut site = SiteTest::new();
    for i in 0..500 {
        site = site.simple(&format!("n{i:03}"), &format!("名{i}"), &format!("parent = \"n{:03}\"", (i + 1) % 500), "");
    }
    let run = site.build().failed();
    run.says(&["content/n000.md:4:11: error: parent cycle: n000 → n001 → n002", "n009 → … (490 more) → n000\n"]);
    assert!(run.stderr.len() < 2000, "{}", run.stderr);
}

#[test]
fn not_utf8() {
    let site = base().bytes("content/bad.md", b"+++\ntitle = \"x\xff\"\n+++\n");
    fails(&site, &["content/bad.md: error: not UTF-8: invalid byte at offset 14"]);
}

#[test]
fn bad_formula_names_its_line() {
    let site = base().simple("lora", "LoRA", "parent = \"peft\"", "正文\n\n$$\n\\frac{a}{b} \\nosuchcommand\n$$\n");
    fails(&site, &["content/lora.md:9:1: error: formula does not parse"]);
}

#[test]
fn template_error_names_the_template() {
    let site = base()
        .file("templates/note.html", "{% extends \"base.html\" %}\n{% block main %}\n{{ title \n{% endblock main %}");
    fails(&site, &["templates/note.html", "template error"]);
}

#[test]
fn a_template_that_extends_a_missing_one_is_named() {
    let site = base().file("templates/tags.html", "{% extends \"layout.html\" %}\n{% block main %}{% endblock main %}");
    fails(&site, &["templates/tags.html", "layout.html"]);
}

#[test]
fn links_to_drafts_are_errors() {
    let site = base().simple("wip", "草稿", "draft = true", "").simple("lora", "LoRA", "parent = \"peft\"", "[[wip]]");
    fails(&site, &["content/lora.md:7:1: error: link `wip` points to a draft"]);
}

#[test]
fn every_problem_is_reported_numbered_and_sorted() {
    let site = base().simple("b", "乙", "parent = \"nope\"", "[[nada]]").simple("a", "甲", "parent = \"nix\"", "");
    let run = fails(&site, &["3 errors"]);
    let a = run.stderr.find("[1/3] content/a.md").expect("a first");
    let b1 = run.stderr.find("[2/3] content/b.md:4").expect("b line 4 second");
    let b2 = run.stderr.find("[3/3] content/b.md:7").expect("b line 7 third");
    assert!(a < b1 && b1 < b2);
}

#[test]
fn missing_book_toml() {
    let site = SiteTest::new();
    std::fs::remove_file(site.root().join("book.toml")).unwrap();
    fails(&site, &["book.toml: error: no book.toml"]);
}

/// Notes written for other tools (Obsidian, Hugo, Zola, mdBook, Notion): the slug a help
/// suggests is itself a valid slug, not a reserved one, and differs from file to file.
#[test]
fn slug_helps_suggest_slugs_that_work() {
    let note = "+++\ntitle = \"T\"\nsummary = \"s\"\n+++\n";
    let yaml = "---\ntitle: T\nsummary: s\n---\n";
    let site = SiteTest::new()
        .file("content/Glossary.md", note)
        .file("content/大语言模型.md", note)
        .file("content/注意力机制.md", note)
        .file("content/Café Bar.md", note)
        .file("content/Привет.md", note)
        .file("content/Мир.md", note)
        .file("content/about/index.md", note)
        .file("content/guide/_index.md", yaml)
        .file("content/setup/README.md", note)
        .file("content/My Page 8f3a2b1c9d4e4f5a8b7c6d5e4f3a2b1c.md", note);
    let run = fails(
        &site,
        &[
            "content/Glossary.md:1:1: error: `Glossary` is not a valid slug",
            "rename the file to `glossary-note.md` or set `slug = \"glossary-note\"`",
            "rename the file to `da-yu-yan-mo-xing.md` or set `slug = \"da-yu-yan-mo-xing\"`",
            "`zhu-yi-li-ji-zhi.md`",
            "rename the file to `cafe-bar.md`",
            "content/about/index.md:1:1: error: the slug `index` is reserved",
            "set `slug = \"about\"`",
            "content/guide/_index.md:1:1: error: `_index` is not a valid slug",
            "set `slug: guide`",
            "content/setup/README.md:1:1: error: `README` is not a valid slug",
            "set `slug = \"setup\"`",
            "rename the file to `my-page.md` or set `slug = \"my-page\"`",
        ],
    );
    for bad in ["`glossary.md`", "`note.md`", "slug = \"note\"", "slug = \"index\"", "my-page-8f3a"] {
        assert!(!run.stderr.contains(bad), "suggests {bad}:\n{}", run.stderr);
    }
    // Scripts with no ASCII form get a fallback of their own each.
    let cyrillic: Vec<&str> = run.stderr.lines().filter(|l| l.contains("help: rename the file to `note-")).collect();
    assert_eq!(cyrillic.len(), 2, "{}", run.stderr);
    assert_ne!(cyrillic[0], cyrillic[1]);
}

/// mdBook's `readme.md` in every folder: the slug is taken twice, and the help names a
/// slug that is free, the folder's.
#[test]
fn a_readme_in_each_folder_is_told_to_take_the_folder_name() {
    let site = base().simple("setup/readme", "安装", "", "").simple("usage/readme", "使用", "", "");
    fails(
        &site,
        &[
            "content/usage/readme.md:1:1: error: slug `readme` is already used by content/setup/readme.md",
            "`slug = \"usage\"`",
        ],
    );
}

/// Keys other tools write get the advice that fits, and remain errors (SPEC).
#[test]
fn foreign_front_matter_keys_are_explained() {
    let site = base()
        .simple(
            "lora",
            "LoRA",
            "parent = \"peft\"\ndescription = \"d\"\nweight = 3\ncreated = 2024-01-01\ncategories = [\"ml\"]",
            "",
        )
        .file(
            "content/qlora.md",
            "---\ntitle: QLoRA\nsummary: s\nparent: peft\ndate: 2024-01-01\ndesc: d\ncssclasses: [wide]\nkeywords: [a]\n---\n",
        );
    let run = fails(
        &site,
        &[
            "content/lora.md:5:1: error: unknown front matter key `description`",
            "help: conceptbook calls it `summary`",
            "content/lora.md:6:1: error: unknown front matter key `weight`",
            "help: conceptbook calls it `order`",
            "content/lora.md:7:1: error: unknown front matter key `created`",
            "help: conceptbook has no `created` key: remove the line",
            "content/lora.md:8:1: error: unknown front matter key `categories`",
            "help: conceptbook calls it `tags`",
            "content/qlora.md:5:1: error: unknown front matter key `date`",
            "help: conceptbook has no `date` key: remove the line",
            "content/qlora.md:6:1: error: unknown front matter key `desc`",
            "content/qlora.md:7:1: error: unknown front matter key `cssclasses`",
            "help: conceptbook has no `cssclasses` key: remove the line",
            "content/qlora.md:8:1: error: unknown front matter key `keywords`",
        ],
    );
    assert!(!run.stderr.contains("did you mean `related`"), "{}", run.stderr);
}

/// A Logseq page: `key:: value` lines instead of a front matter block.
#[test]
fn logseq_properties_are_recognised() {
    let site = base().file("content/lora.md", "title:: LoRA\nsummary:: 低秩适配\n\n- 正文\n");
    fails(
        &site,
        &[
            "content/lora.md:1:1: error: missing front matter",
            "Logseq",
            "---\n",
            "title: LoRA\n",
            "summary: 低秩适配\n",
        ],
    );
}

/// A note that failed is not reported again by every link to its title or alias, and
/// all of its own problems come in one round.
#[test]
fn links_to_a_failed_note_are_not_reported_again() {
    let site = base().file("content/Note A.md", "+++\ntitle = \"A\"\naliases = [\"Alpha\"]\n+++\n").simple(
        "lora",
        "LoRA",
        "parent = \"peft\"",
        "[[A]] [[Alpha]] [[Note A]] [[nowhere]]",
    );
    let run = fails(
        &site,
        &[
            "content/Note A.md:1:1: error: missing required key `summary`",
            "content/Note A.md:1:1: error: `Note A` is not a valid slug",
            "link `nowhere` names no note",
        ],
    );
    for link in ["`A`", "`Alpha`", "`Note A`"] {
        assert!(!run.stderr.contains(&format!("link {link} names no note")), "{}", run.stderr);
    }
}

#[test]
fn a_utf16_file_is_named_as_such() {
    let mut bytes = vec![0xff, 0xfe];
    for u in "+++\ntitle = \"A\"\nsummary = \"s\"\n+++\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let site = base().bytes("content/a.md", &bytes);
    fails(&site, &["content/a.md: error: this file is UTF-16: save it as UTF-8"]);
}

#[test]
fn counts_agree_with_their_nouns() {
    let site = SiteTest::new().simple("lora", "LoRA", "", "");
    let run = site.build().ok();
    assert!(run.stdout.contains("built 1 note (0 links, 1 glossary term) into"), "{}", run.stdout);
    let help = site.run(&["check", "--help"]);
    assert!(!help.stdout.contains("JSON lines"), "{}", help.stdout);
    assert!(help.stdout.contains("one JSON array"), "{}", help.stdout);
}
