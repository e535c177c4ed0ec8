//! Issue 14, "your notes, your site": YAML front matter, callouts, the print page, edit
//! links, sharing meta, `init` and the release workflow, over fixture sites in temp dirs.

use crate::support::*;

/// Writes `content/<slug>.md` with YAML front matter between `---` lines.
fn yaml_note(site: SiteTest, slug: &str, front: &str, body: &str) -> SiteTest {
    site.file(&format!("content/{slug}.md"), &format!("---\n{front}\n---\n\n{body}"))
}

#[test]
fn yaml_front_matter_builds_like_toml_with_obsidian_lists() {
    let site = SiteTest::peft_chain();
    let site = yaml_note(
        site,
        "lora",
        "title: LoRA\nsummary: 冻结预训练权重，只训练低秩分解矩阵。\nparent: peft\naliases:\n  - 低秩适配\n  - Low-Rank Adaptation\ntags: 微调\nrelated: [fine-tuning]",
        "LoRA 属于 [[peft|高效微调]]。",
    );
    let site = yaml_note(
        site,
        "qlora",
        "title: \"QLoRA: 量化\"\nsummary: '量化后的 LoRA。'\nparent: lora\ntags:\n- 微调\n- 量化\norder: 1\nglossary: false",
        "见 [[低秩适配]]。",
    );
    site.build().ok();
    let lora = site.read("lora.html");
    assert!(lora.contains("<h1") && lora.contains("LoRA"), "{lora}");
    assert!(lora.contains("冻结预训练权重，只训练低秩分解矩阵。"));
    // The parent from YAML gives breadcrumbs; the related note is linked.
    assert!(lora.contains("href=\"peft.html\""), "breadcrumb to the parent");
    assert!(lora.contains("href=\"fine-tuning.html\""), "related note");
    // The alias from a block list resolves a wiki link in another note.
    let qlora = site.read("qlora.html");
    assert!(qlora.contains("QLoRA: 量化"), "a quoted title with a colon");
    assert!(qlora.contains("<a href=\"lora.html\""), "[[低秩适配]] links to LoRA: {qlora}");
    // Tags in both forms: a single string and a block list.
    let tags = site.read("tags.html");
    assert!(tags.contains("量化") && tags.contains("微调"));
    // glossary: false keeps QLoRA out of the glossary; LoRA is in it, with its aliases.
    let glossary = site.read("glossary.html");
    assert!(glossary.contains("id=\"lora\"") && glossary.contains("Low-Rank Adaptation"));
    assert!(!glossary.contains("id=\"qlora\""));
}

#[test]
fn yaml_errors_name_file_line_and_column() {
    let site = yaml_note(SiteTest::peft_chain(), "lora", "title: LoRA\nsummary: s\nparent: petf\nrealted: [peft]", "");
    let run = site.build().failed();
    run.says(&["content/lora.md:5:1: error: unknown front matter key `realted`", "did you mean `related`?"]);
    assert!(!site.out().exists());
    // Once the key is right, the dangling parent is reported where it is written.
    let site = yaml_note(site, "lora", "title: LoRA\nsummary: s\nparent: petf\nrelated: [peft]", "");
    site.build().failed().says(&["content/lora.md:4:9: error: parent `petf` names no note", "did you mean `peft`?"]);
    let site = yaml_note(site, "lora", "title: LoRA\nsummary: s\nrelated:\n  - \"fine-tunning\"", "");
    site.build().failed().says(&["content/lora.md:5:6: error: related note `fine-tunning` names no note"]);
    // Bad YAML: an unclosed quote, a list where a string goes, a block never closed.
    let site = yaml_note(site, "lora", "title: LoRA\nsummary: \"s\n", "");
    site.build().failed().says(&["content/lora.md:", "invalid YAML"]);
    let site = yaml_note(site, "lora", "title: LoRA\nsummary: s\norder: first", "");
    site.build().failed().says(&["content/lora.md:4:8: error: `order` must be a whole number"]);
    let site = site.file("content/lora.md", "---\ntitle: LoRA\nsummary: s\n");
    site.build().failed().says(&["content/lora.md:1:1: error: front matter is not closed", "---"]);
    let site = yaml_note(site, "lora", "title: LoRA", "");
    site.build().failed().says(&["content/lora.md:1:1: error: missing required key `summary`", "summary: ..."]);
}

#[test]
fn a_help_for_a_yaml_note_is_written_in_yaml() {
    // An Obsidian file name is no slug: the fix is given in the note's own syntax.
    let site =
        SiteTest::peft_chain().file("content/My Note.md", "---\ntitle: My Note\nsummary: s\nparent: peft\n---\n");
    site.build()
        .failed()
        .says(&["content/My Note.md:1:1: error: `My Note` is not a valid slug", "or set `slug: my-note`"]);
    let run = site.file("content/My Note.md", "+++\ntitle = \"My Note\"\nsummary = \"s\"\n+++\n").build().failed();
    run.says(&["or set `slug = \"my-note\"`"]);
    // The orphan warning, the reserved slug and the Windows device name alike.
    let site = yaml_note(SiteTest::peft_chain(), "alone", "title: Alone\nsummary: s", "");
    site.build().ok().says(&["`alone` is an orphan", "set `parent: ...`"]);
    let site = yaml_note(SiteTest::peft_chain(), "x", "title: X\nsummary: s\nslug: print\nparent: peft", "");
    site.build().failed().says(&["e.g. `slug: print-note`"]);
    let site = yaml_note(SiteTest::peft_chain(), "aux", "title: X\nsummary: s\nparent: peft", "");
    site.build().ok().says(&["set `slug: aux-note`"]);
}

#[test]
fn a_link_may_name_a_heading_by_its_text_as_obsidian_writes_it() {
    let site = SiteTest::peft_chain()
        .note("lora", "title = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"", "## Low-Rank Update\n\n## 常见 误解\n")
        .note(
            "qlora",
            "title = \"QLoRA\"\nsummary = \"s\"\nparent = \"lora\"",
            "见 [[LoRA#Low-Rank Update]]、[[lora#常见 误解|误解]] 和 [[lora#low-rank-update]]。",
        );
    site.build().ok();
    let html = site.read("qlora.html");
    assert_eq!(html.matches("href=\"lora.html#low-rank-update\"").count(), 2, "{html}");
    assert!(html.contains("href=\"lora.html#常见-误解\""), "{html}");
    assert!(html.contains(">LoRA › Low-Rank Update</a>"), "{html}");
    // A text that is no heading is still an error, with the ids it could mean.
    let site =
        site.note("qlora", "title = \"QLoRA\"\nsummary = \"s\"\nparent = \"lora\"", "见 [[LoRA#Low Rank Updates]]。");
    site.build().failed().says(&["error: `lora` has no heading `#Low Rank Updates`", "#low-rank-update"]);
}

#[test]
fn notes_as_other_tools_keep_them_are_all_read() {
    // `.MD` and `.markdown` files, a name and a folder that begin with `#` (Obsidian's
    // `#Ideas.md`, `# Inbox/`) were dropped without a word; Emacs's `#x.md#` still is.
    let site = SiteTest::peft_chain()
        .file("content/upper.MD", "---\ntitle: Upper\nsummary: s\nparent: peft\n---\n")
        .file("content/long.markdown", "---\ntitle: Long\nsummary: s\nparent: peft\n---\n")
        .file("content/#Ideas.md", "---\ntitle: Ideas\nsummary: s\nslug: ideas\nparent: peft\n---\n")
        .file("content/# Inbox/todo.md", "---\ntitle: Todo\nsummary: s\nparent: peft\n---\n")
        .file("content/#autosave.md#", "not a note");
    site.build().ok();
    for page in ["upper.html", "long.html", "ideas.html", "todo.html"] {
        site.expect_file(page);
    }
    // A file name that is no slug is an error, never a silent loss.
    let site = site.file("content/#Idea 2.md", "---\ntitle: Idea 2\nsummary: s\n---\n");
    site.build().failed().says(&["content/#Idea 2.md:1:1: error: `#Idea 2` is not a valid slug"]);
}

#[test]
fn obsidian_links_in_properties_tables_and_to_own_headings() {
    let site = SiteTest::peft_chain()
        // Properties write a picked note as a link; a table escapes the link's `|`.
        .file(
            "content/lora.md",
            "---\ntitle: LoRA\nsummary: s\nparent: \"[[参数高效微调|PEFT]]\"\nrelated: [\"[[fine-tuning]]\"]\n---\n| a | b |\n|---|---|\n| [[peft\\|高效]] | x |\n\n跳到 [[#Setup]]，或 [[#Setup|这里]]，或 [[lora#setup]]。\n\n## Setup\n",
        );
    let run = site.build().ok();
    assert!(!run.stderr.contains("links to itself"), "{}", run.stderr);
    let html = site.read("lora.html");
    assert!(html.contains("<td><a class=\"note-link\" href=\"peft.html\" data-slug=\"peft\">高效</a></td>"), "{html}");
    assert_eq!(html.matches("href=\"lora.html#setup\"").count(), 3, "{html}");
    assert!(site.read("peft.html").contains("href=\"lora.html\""), "LoRA is listed as PEFT's child");
    assert!(site.read("fine-tuning.html").contains("href=\"lora.html\""), "and as fine-tuning's related note");
    // A heading the note does not have is still an error; a bare self-link still warns.
    let site = site.note("lora", "title = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"", "[[#Setpu]]\n\n## Setup\n");
    site.build().failed().says(&["error: `lora` has no heading `#Setpu`", "did you mean `#setup`?"]);
    let site = site.note("lora", "title = \"LoRA\"\nsummary = \"s\"\nparent = \"peft\"", "[[lora]]\n");
    site.build().ok().says(&["warning: `lora` links to itself"]);
}

#[test]
fn obsidian_comments_reach_no_page_no_index_and_no_link() {
    let body = "看得见 %% 私下的话 qqsecret %% 的字。\n\n%%\n草稿 [[fine-tuning]] qqdraft\n%%\n\n%% 开头 %% 行首的字。\n\n`代码 %% 留着 %%` 和\n\n```\n%% 代码块 %%\n```\n\n百分之百%% 没闭合 [[peft]]\n";
    let site = SiteTest::peft_chain().simple("lora", "LoRA", "parent = \"peft\"", body).simple(
        "other",
        "其他",
        "parent = \"peft\"",
        "见 [[fine-tuning]]。",
    );
    site.build().ok();
    let html = site.read("lora.html");
    for hidden in ["私下的话", "qqsecret", "草稿", "qqdraft", "开头"] {
        assert!(!html.contains(hidden), "{hidden}: {html}");
        assert!(!site.read("print.html").contains(hidden), "{hidden} in print.html");
    }
    assert!(html.contains("<p>行首的字。</p>"), "the rest of the line stays a paragraph: {html}");
    assert!(html.contains("<code>代码 %% 留着 %%</code>") && html.contains("%% 代码块 %%"), "code keeps it: {html}");
    assert!(html.contains("百分之百%% 没闭合"), "an unclosed %% is text: {html}");
    // The link inside the comment is no link: fine-tuning gets no backlink from LoRA.
    let backlinks = |page: &str| {
        let html = site.read(page);
        html.split("class=\"connections backlinks")
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .unwrap_or("")
            .to_string()
    };
    assert!(!backlinks("fine-tuning.html").contains("lora.html"), "no backlink from a comment");
    assert!(backlinks("fine-tuning.html").contains("other.html"), "a link outside a comment is one");
    let index = conceptbook::search::engine::Index::open(&site.out()).unwrap();
    assert!(index.search("qqsecret", 10).hits.is_empty() && index.search("qqdraft", 10).hits.is_empty());
    // A link after a comment is still checked, on its line.
    let site = site.simple("lora", "LoRA", "parent = \"peft\"", "%% x %%\n\n[[petf]]\n\n前文 %%注%% 后 [[petf]]\n");
    let run = site.build().failed();
    run.says(&["content/lora.md:9:1: error: link `petf` names no note"]);
    // A column after a comment on its line is where the author sees it.
    run.says(&["content/lora.md:11:12: error: link `petf` names no note"]);
}

#[test]
fn links_to_the_home_page_and_tags_with_their_hash() {
    let site = SiteTest::peft_chain()
        .file("content/index.md", "首页。\n")
        .file(
            "content/sub/lora.md",
            "---\ntitle: LoRA\nsummary: s\nparent: peft\ntags: [\"#微调\", 微调, \"#量化\"]\n---\n回到 [首页](../index.md#top)、[[index]] 或 [[Index|开头]]。\n",
        );
    site.build().ok();
    let html = site.read("lora.html");
    assert!(html.contains("<a class=\"note-link\" href=\"index.html#top\">首页</a>"), "{html}");
    assert!(html.contains("<a class=\"note-link\" href=\"index.html\">测试站</a>"), "{html}");
    assert!(html.contains("<a class=\"note-link\" href=\"index.html\">开头</a>"), "{html}");
    let tags: Vec<String> = attrs(&html, "href").into_iter().filter(|h| h.starts_with("tags.html#")).collect();
    assert_eq!(tags.len(), 2, "#微调 and 微调 are one tag: {tags:?}");
    assert!(html.contains(">#微调<") && html.contains(">#量化<") && !html.contains("##"), "{html}");
    // Without content/index.md the home page is still made, and still linked (the did-you-mean
    // sent `[home](index.md)` to another note).
    let site = SiteTest::peft_chain().simple("lora", "LoRA", "parent = \"peft\"", "[[index]] [首页](index.md)");
    site.build().ok();
    assert_eq!(site.read("lora.html").matches("<a class=\"note-link\" href=\"index.html\">").count(), 2);
}

#[test]
fn an_obsidian_note_embed_links_to_the_note_and_is_checked() {
    // `![[Note]]` embeds a note in Obsidian; it was a broken <img src="Note">, unchecked.
    let site = SiteTest::peft_chain().simple(
        "lora",
        "LoRA",
        "parent = \"peft\"",
        "## 原理\n\n![[参数高效微调]]\n\n又见 ![[lora#原理]]。\n",
    );
    site.build().ok();
    let html = site.read("lora.html");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("<a class=\"note-link embed\" href=\"peft.html\" data-slug=\"peft\">参数高效微调</a>"),
        "{html}"
    );
    assert!(html.contains("href=\"lora.html#原理\""), "{html}");
    assert!(site.read("peft.html").contains("lora.html"), "the embed is a backlink");
    let site = site.simple("lora", "LoRA", "parent = \"peft\"", "![[不存在的笔记]]\n");
    site.build().failed().says(&["content/lora.md:7:1: error: link `不存在的笔记` names no note"]);
}

#[test]
fn a_link_from_the_servers_root_is_a_warning() {
    // Hugo and Jekyll notes link `/posts/x/`: on a project site (user.github.io/repo/) and
    // from disk that misses the site, silently.
    let site = SiteTest::peft_chain().simple(
        "lora",
        "LoRA",
        "parent = \"peft\"",
        "见 [旧文](/posts/old/) 和 ![图](/img/a.png)，而 [外站](//example.com/x) 与 [全址](https://example.com/) 无妨。",
    );
    let run = site.build().ok();
    run.says(&[
        "content/lora.md:7:3: warning: the link `/posts/old/` starts at the server's root",
        "warning: the link `/img/a.png` starts at the server's root",
        "GitHub Pages project site",
        "2 warnings",
    ]);
}

#[test]
fn tags_that_differ_only_in_case_are_one_tag_spelled_as_most_notes_spell_it() {
    let site = SiteTest::peft_chain()
        .simple("a", "甲", "parent = \"peft\"\ntags = [\"LLM\", \"训练\"]", "")
        .simple("b", "乙", "parent = \"peft\"\ntags = [\"LLM\"]", "")
        .simple("c", "丙", "parent = \"peft\"\ntags = [\"llm\", \"Llm\"]", "");
    site.build().ok();
    let c = site.read("c.html");
    let tags: Vec<String> = attrs(&c, "href").into_iter().filter(|h| h.starts_with("tags.html#")).collect();
    assert_eq!(tags, ["tags.html#tag-llm"], "{c}");
    assert!(c.contains(">#LLM<"), "{c}");
    let index = site.read("tags.html");
    assert!(!index.contains("tag-llm-2") && !index.contains(">llm<") && !index.contains(">Llm<"), "{index}");
}

#[test]
fn block_references_link_to_the_note_with_a_warning_and_empty_tags_are_errors() {
    let site = SiteTest::peft_chain().simple("lora", "LoRA", "parent = \"peft\"", "见 [[peft#^abc123]]。");
    site.build().ok().says(&[
        "content/lora.md:7:3: warning: `#^abc123` is a block reference, which conceptbook does not support",
        "the link goes to the top of `peft`",
    ]);
    assert!(site.read("lora.html").contains("<a class=\"note-link\" href=\"peft.html\" data-slug=\"peft\">"));
    let site = site.simple("lora", "LoRA", "parent = \"peft\"\ntags = [\"#\", \"微调\"]", "");
    site.build().failed().says(&["content/lora.md:5:1: error: a tag is empty", "the lone `#`"]);
}

#[test]
fn an_obsidian_image_size_is_its_width_not_its_alt_text() {
    // `![[pic.png|300]]` gave alt="300", which a screen reader reads out.
    let site = SiteTest::peft_chain().bytes("content/img/示意 图.png", b"\x89PNG\r\n\x1a\n0000").simple(
        "lora",
        "LoRA",
        "parent = \"peft\"",
        "![[示意 图.png|300]] ![[示意 图.png|300x200]] ![[示意 图.png|说明]]",
    );
    site.build().ok();
    let html = site.read("lora.html");
    let src = "img/%E7%A4%BA%E6%84%8F%20%E5%9B%BE.png";
    assert!(html.contains(&format!("<img src=\"{src}\" alt=\"示意 图\" width=\"300\" />")), "{html}");
    assert!(html.contains(&format!("<img src=\"{src}\" alt=\"示意 图\" width=\"300\" height=\"200\" />")), "{html}");
    assert!(html.contains(&format!("<img src=\"{src}\" alt=\"说明\" />")), "a caption stays the alt text: {html}");
    assert!(!html.contains("alt=\"300"), "{html}");
    check_links(&site.out());
}

/// A note with a callout of every GitHub kind and Obsidian's titled and foldable forms.
pub fn callout_body() -> &'static str {
    "开头一段。\n\n> [!NOTE]\n> 说明。\n\n> [!TIP]\n> 提示。\n\n> [!IMPORTANT]\n> 重要。\n\n> [!WARNING]\n> 警告。\n\n> [!CAUTION]\n> 当心。\n\n> [!warning] 显存不够时\n> 换用 [[fine-tuning]]。\n\n> [!tip]- 点开看\n> 折起来的内容。\n\n> [!question]+ 还有问题？\n> 展开的内容。\n\n> 普通引文。\n"
}

#[test]
fn callouts_in_both_syntaxes_render_as_labelled_boxes_in_the_site_language() {
    let site = SiteTest::peft_chain().simple("lora", "LoRA", "parent = \"peft\"", callout_body());
    site.build().ok();
    let html = site.read("lora.html");
    assert!(!html.contains("[!"), "no literal marker is left: {html}");
    for (kind, label) in
        [("note", "备注"), ("tip", "提示"), ("important", "重要"), ("warning", "警告"), ("caution", "当心")]
    {
        assert!(
            html.contains(&format!("<div class=\"callout callout-{kind}\" role=\"note\" aria-label=\"{label}\">")),
            "{kind} box labelled {label}"
        );
    }
    assert!(html.contains("</span>显存不够时</p>"), "the custom title shows");
    assert!(html.contains("<a class=\"note-link\" href=\"fine-tuning.html\""), "links inside a callout resolve");
    assert!(html.contains("<details class=\"callout callout-tip\">\n<summary class=\"callout-title\">"), "- is closed");
    assert!(html.contains("<details class=\"callout callout-question\" open>"), "+ is open");
    assert!(html.contains("<blockquote>\n<p>普通引文。</p>"), "a plain quote stays a quote");
    // In English, English labels.
    let site = site.file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"en\"\n");
    site.build().ok();
    let html = site.read("lora.html");
    assert!(html.contains("aria-label=\"Warning\">") && html.contains("</span>Caution</p>"), "{html}");
}

#[test]
fn print_page_holds_every_note_in_reading_order_with_in_page_links_and_numbers() {
    let site = SiteTest::peft_chain()
        .simple("lora", "LoRA", "parent = \"peft\"\norder = 1", "## 原理\n\n见 [[peft]] 和 [[fine-tuning#用法]]，以及 [本节](#原理)。\n\n$$W = W_0 + BA$$\n\n```python\nprint(1)\n```\n\n脚注[^1]。\n\n[^1]: 注释。\n")
        .simple("prefix-tuning", "Prefix Tuning", "parent = \"peft\"\norder = 2", "## 原理\n\n同名小节。")
        .simple("rlhf", "RLHF", "", "> [!tip]- 折起\n> 内容。\n")
        .file("content/fine-tuning.md", "+++\ntitle = \"微调\"\nsummary = \"微调的一句话定义。\"\n+++\n\n## 用法\n\n看 [[lora]]。\n");
    site.build().ok();
    let print = site.read("print.html");
    // Every note, in reading order (the tree, depth first), each an article with its slug as id.
    let at = |s: &str| {
        print.find(&format!("<article class=\"print-note\" id=\"{s}\">")).unwrap_or_else(|| panic!("{s} missing"))
    };
    let order = ["rlhf", "fine-tuning", "peft", "lora", "prefix-tuning"];
    let found: Vec<_> =
        print.split("<article class=\"print-note\" id=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "reading order: {found:?}");
    // Numbered by the tree, headings continuing the number.
    assert!(print.contains("<h2><span class=\"secno\">2.1.1</span> LoRA</h2>"), "{print}");
    assert!(print.contains("<h3 id=\"lora--原理\"><span class=\"secno\">2.1.1.1</span> 原理"), "{print}");
    assert!(print.contains("<h3 id=\"prefix-tuning--原理\">"), "same heading in two notes, two ids");
    assert!(print.contains("<h2><span class=\"secno\">1</span> RLHF</h2>"));
    // Links between notes are in-page; a note's own links and footnotes are prefixed.
    assert!(print.contains("<a class=\"note-link\" href=\"#peft\" data-slug=\"peft\">"), "{print}");
    assert!(print.contains("href=\"#fine-tuning--用法\""), "a heading in another note");
    // (A relative `lora.md` link renders broken on every page today, print or not: the
    // page linker joins it to the output page's folder, not the note's; left for the lead.)
    assert!(print.contains("href=\"#lora--%E5%8E%9F%E7%90%86\">本节</a>"), "a link to the note's own heading: {print}");
    assert!(!print.contains("href=\"lora.html") && !print.contains("href=\"peft.html"), "no link leaves the page");
    for id in print.split(" id=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
        assert_eq!(print.matches(&format!(" id=\"{id}\"")).count(), 1, "id {id} is unique");
    }
    // Every id an aria attribute names is on the page (the footnotes' heading, prefixed too).
    for attr in print.split("aria-labelledby=\"").skip(1) {
        let id = &attr[..attr.find('"').unwrap()];
        assert!(print.contains(&format!(" id=\"{id}\"")), "aria-labelledby={id} names no id");
    }
    assert!(print.contains("aria-labelledby=\"lora--"), "the footnotes of lora are labelled: {print}");
    // In the site's language, as on the note's own page (the print page once said
    // "References" and "Back to citation" on a Chinese site).
    assert!(print.contains(">参考资料</h3>") && print.contains("aria-label=\"回到引用 1\""), "{print}");
    assert!(!print.contains("References") && !print.contains("Back to citation"));
    // MathML and highlighted code stay; navigation is left out; folded callouts print open.
    assert!(print.contains("<math") && print.contains("<pre class=\"code\""));
    assert!(
        !print.contains("class=\"sidebar\"") && !print.contains("class=\"topbar\"") && !print.contains("prev-next")
    );
    assert!(print.contains("<details open class=\"callout callout-tip\">"));
    // The home page and every page's top bar link to it.
    assert!(site.read("index.html").contains("href=\"print.html\""));
    assert!(site.read("lora.html").contains("<a href=\"print.html\">打印</a>"));
}

#[test]
fn a_large_print_page_splits_below_one_mebibyte_and_links_across_parts() {
    // 14 notes of about 100 KB each: more than a megabyte of print page.
    let filler = "这是一段用来填充篇幅的文字，内容重复。".repeat(1800);
    let mut site = SiteTest::new().simple("n00", "第0篇", "", &format!("见 [[n13]]。\n\n{filler}"));
    for i in 1..14 {
        site = site.simple(
            &format!("n{i:02}"),
            &format!("第{i}篇"),
            "parent = \"n00\"",
            &format!("见 [[n00]]。\n\n{filler}"),
        );
    }
    site.build().ok();
    let parts: Vec<String> = std::iter::once("print.html".to_string())
        .chain((2..10).map(|n| format!("print-{n}.html")))
        .filter(|p| site.out().join(p).exists())
        .collect();
    assert!(parts.len() >= 2, "{parts:?}");
    let mut seen = 0;
    for p in &parts {
        let html = site.read(p);
        assert!(html.len() < 1024 * 1024, "{p} is {} bytes", html.len());
        seen += html.matches("<article class=\"print-note\"").count();
        // Every part links to every other.
        for q in &parts {
            assert!(q == p || html.contains(&format!("href=\"{q}\"")), "{p} links to {q}");
        }
    }
    assert_eq!(seen, 14, "every note once");
    // Every link between notes lands on the article it names, in this part or another.
    let mut across = 0;
    for p in &parts {
        let html = site.read(p);
        for link in html.split("<a class=\"note-link\" href=\"").skip(1) {
            let href = &link[..link.find('"').unwrap()];
            let (file, slug) = href.split_once('#').unwrap();
            assert_ne!(file, p.as_str(), "a link within the part is #slug alone");
            let target = if file.is_empty() {
                html.clone()
            } else {
                across += 1;
                site.read(file)
            };
            assert!(target.contains(&format!("<article class=\"print-note\" id=\"{slug}\">")), "{p}: {href}");
        }
    }
    assert!(across > 0, "some links cross parts");
}

#[test]
fn a_site_can_turn_the_print_page_off_and_nothing_links_to_it() {
    let site = SiteTest::peft_chain()
        .simple("lora", "LoRA", "parent = \"peft\"", "见 [[peft]]。")
        .file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n\n[build]\nprint = false\n");
    site.build().ok();
    assert!(!site.out().join("print.html").exists(), "no print page");
    for page in ["index.html", "lora.html", "glossary.html", "graph.html"] {
        assert!(!site.read(page).contains("print.html"), "{page} links to no print page");
    }
    assert!(site.read("lora.html").contains("<a href=\"tags.html\">"), "the other links stay");
    check_links(&site.out());
    // A rebuild after turning it back on has it again.
    let site = site.file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\n");
    site.build().ok();
    assert!(site.read("print.html").contains("<article class=\"print-note\" id=\"lora\">"));
    assert!(site.read("lora.html").contains("<a href=\"print.html\">打印</a>"));
}

#[test]
fn edit_links_point_at_each_note_file_and_a_bad_template_is_refused() {
    let site = SiteTest::peft_chain()
        .simple("training/lora", "LoRA", "parent = \"peft\"", "正文。")
        .file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"zh-CN\"\nedit-url-template = \"https://github.com/u/r/edit/main/{path}\"\n");
    site.build().ok();
    let lora = site.read("lora.html");
    assert!(
        lora.contains(
            "<a href=\"https://github.com/u/r/edit/main/content/training/lora.md\" rel=\"noopener\">编辑本页</a>"
        ),
        "{lora}"
    );
    assert!(site.read("peft.html").contains("href=\"https://github.com/u/r/edit/main/content/peft.md\""));
    assert!(!site.read("index.html").contains("编辑本页"), "notes only");
    // Without the key, no link.
    let plain = SiteTest::peft_chain();
    plain.build().ok();
    assert!(!plain.read("peft.html").contains("编辑本页"));
    // A template without {path}, or not http(s), is an error at its line.
    let site =
        site.file("book.toml", "[book]\ntitle = \"T\"\nedit-url-template = \"https://github.com/u/r/edit/main/\"\n");
    site.build()
        .failed()
        .says(&["book.toml:3:1: error: edit-url-template `https://github.com/u/r/edit/main/` has no {path}", "help:"]);
    let site = site.file("book.toml", "[book]\ntitle = \"T\"\nedit-url-template = \"javascript:alert(1)/{path}\"\n");
    site.build().failed().says(&["book.toml:3:1: error:", "is not an http(s) URL"]);
    let site = site.file("book.toml", "[book]\ntitle = \"T\"\nedit-url-templat = \"https://x.io/{path}\"\n");
    site.build().failed().says(&["did you mean `edit-url-template`?"]);
}

#[test]
fn note_pages_carry_open_graph_and_twitter_meta_and_the_glossary_json_ld() {
    let site = SiteTest::peft_chain()
        .simple("lora", "LoRA </script><script>alert(1)</script>", "parent = \"peft\"\naliases = [\"低秩适配\"]", "")
        .file("book.toml", "[book]\ntitle = \"测试站\"\nlanguage = \"zh-CN\"\nsite-url = \"https://u.github.io/r/\"\n");
    site.build().ok();
    let peft = site.read("peft.html");
    for meta in [
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:title\" content=\"参数高效微调\">",
        "<meta property=\"og:description\" content=\"参数高效微调的一句话定义。\">",
        "<meta property=\"og:url\" content=\"https://u.github.io/r/peft.html\">",
        "<meta property=\"og:site_name\" content=\"测试站\">",
        "<meta name=\"twitter:card\" content=\"summary\">",
    ] {
        assert!(peft.contains(meta), "{meta}");
    }
    // X's card reads og:title and og:description when it has no twitter: ones of its own:
    // each page says them once.
    assert!(!peft.contains("twitter:title") && !peft.contains("twitter:description"));
    // Without site-url there is no og:url, the rest stays.
    let local = SiteTest::peft_chain();
    local.build().ok();
    let html = local.read("peft.html");
    assert!(html.contains("og:title") && !html.contains("og:url"));
    // The glossary: one DefinedTerm per entry, and no `</` inside the script.
    let glossary = site.read("glossary.html");
    let start = glossary.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
    let json = &glossary[start..start + glossary[start..].find("</script>").unwrap()];
    assert!(!json.contains("</"), "{json}");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["@context"], "https://schema.org");
    assert_eq!(v["@type"], "DefinedTermSet");
    let terms = v["hasDefinedTerm"].as_array().unwrap();
    assert_eq!(terms.len(), 3);
    assert!(terms.iter().all(|t| t["@type"] == "DefinedTerm"));
    let lora = terms.iter().find(|t| t["url"] == "https://u.github.io/r/lora.html").unwrap();
    assert_eq!(lora["name"], "LoRA </script><script>alert(1)</script>");
    assert_eq!(lora["alternateName"][0], "低秩适配");
    assert_eq!(lora["description"], "LoRA </script><script>alert(1)</script>的一句话定义。");
}

/// Runs the binary in `dir` with `args`.
fn run_in(dir: &std::path::Path, args: &[&str]) -> Run {
    let out = std::process::Command::new(BIN).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn yaml(path: &std::path::Path) -> yaml_rust2::Yaml {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml_rust2::YamlLoader::load_from_str(&text).expect("YAML").remove(0)
}

fn step_uses<'a>(job: &'a yaml_rust2::Yaml, action: &str) -> Option<(usize, &'a yaml_rust2::Yaml)> {
    job["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .enumerate()
        .find(|(_, s)| s["uses"].as_str().is_some_and(|u| u.split('@').next() == Some(action)))
}

fn step_running<'a>(job: &'a yaml_rust2::Yaml, piece: &str) -> Option<(usize, &'a str)> {
    job["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .enumerate()
        .find_map(|(i, s)| s["run"].as_str().filter(|r| r.contains(piece)).map(|r| (i, r)))
}

#[test]
fn init_writes_a_site_that_builds_and_refuses_one_that_exists() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_in(tmp.path(), &["init", "my-notes", "--language", "zh-CN"]).ok();
    for piece in ["book.toml", "content/index.md", ".gitignore", ".github/workflows/pages.yml", "conceptbook serve"] {
        assert!(run.stdout.contains(piece), "says {piece}: {}", run.stdout);
    }
    let dir = tmp.path().join("my-notes");
    let toml = std::fs::read_to_string(dir.join("book.toml")).unwrap();
    assert!(toml.contains("title = \"my-notes\"") && toml.contains("language = \"zh-CN\""), "{toml}");
    assert!(std::fs::read_to_string(dir.join(".gitignore")).unwrap().lines().any(|l| l == "book/"));
    // It builds as it is, with no warning, in the site's language.
    let built = run_in(&dir, &["build"]).ok();
    assert!(!built.stderr.contains("warning"), "{}", built.stderr);
    let home = std::fs::read_to_string(dir.join("book/index.html")).unwrap();
    assert!(home.contains("<html lang=\"zh-CN\">") && home.contains("my-notes"));
    assert!(dir.join("book/getting-started.html").is_file() && dir.join("book/writing-notes.html").is_file());
    // A second init there is refused and writes nothing.
    let before = std::fs::read_to_string(dir.join("content/getting-started.md")).unwrap();
    run_in(&dir, &["init"]).failed().says(&["already holds a site (book.toml exists)", "nothing was written"]);
    assert_eq!(std::fs::read_to_string(dir.join("content/getting-started.md")).unwrap(), before);
    // content/ alone is a site too; the title flag wins over the folder's name; English.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(other.join("content")).unwrap();
    run_in(tmp.path(), &["init", "other"]).failed().says(&["content exists"]);
    let run = run_in(tmp.path(), &["init", "third", "--title", "My \"quoted\" book"]).ok();
    assert!(run.stdout.contains("My \"quoted\" book"));
    let third = tmp.path().join("third");
    run_in(&third, &["build"]).ok();
    let page = std::fs::read_to_string(third.join("book/getting-started.html")).unwrap();
    assert!(page.contains("<html lang=\"en\">") && page.contains("Getting started"));
    // A bad language tag is refused.
    run_in(tmp.path(), &["init", "fourth", "--language", "zh_CN"]).failed().says(&["not a language tag"]);
    assert!(!tmp.path().join("fourth").exists());
}

#[test]
fn init_keeps_an_existing_gitignore_and_adds_book() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(".gitignore"), "*.log").unwrap();
    run_in(tmp.path(), &["init"]).ok();
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(".gitignore")).unwrap(),
        "*.log\n# conceptbook's output\nbook/\n"
    );
}

#[test]
fn the_init_workflow_installs_conceptbook_builds_and_deploys_with_the_official_actions() {
    let tmp = tempfile::tempdir().unwrap();
    run_in(tmp.path(), &["init", "site"]).ok();
    let w = yaml(&tmp.path().join("site/.github/workflows/pages.yml"));
    let branches: Vec<&str> = w["on"]["push"]["branches"].as_vec().unwrap().iter().filter_map(|b| b.as_str()).collect();
    assert_eq!(branches, ["main"]);
    assert_eq!(w["permissions"]["pages"].as_str(), Some("write"));
    assert_eq!(w["permissions"]["id-token"].as_str(), Some("write"));
    assert_eq!(w["permissions"]["contents"].as_str(), Some("read"));
    let build = &w["jobs"]["build"];
    let (checkout, _) = step_uses(build, "actions/checkout").expect("checkout");
    let (configure, _) = step_uses(build, "actions/configure-pages").expect("configure-pages");
    let (install, script) = step_running(build, "conceptbook --version").expect("an install step");
    // It installs conceptbook: a checked release binary, else cargo install --git. It never
    // builds the site's own repository with cargo.
    assert!(script.contains("releases/download/v$CONCEPTBOOK_VERSION") && script.contains("sha256sum -c"), "{script}");
    assert!(script.contains("cargo install --locked --git \"$CONCEPTBOOK_REPO\""), "{script}");
    assert!(!script.contains("cargo run") && !script.contains("cargo build"), "{script}");
    let repo = w["env"]["CONCEPTBOOK_REPO"].as_str().unwrap();
    assert!(repo.starts_with("https://github.com/"), "{repo}");
    assert_eq!(w["env"]["CONCEPTBOOK_VERSION"].as_str(), Some(env!("CARGO_PKG_VERSION")));
    let (build_step, command) = step_running(build, "conceptbook build").expect("a build step");
    assert!(command.contains("--site-url \"${{ steps.pages.outputs.base_url }}/\""), "{command}");
    let (upload, up) = step_uses(build, "actions/upload-pages-artifact").expect("upload-pages-artifact");
    assert_eq!(up["with"]["path"].as_str(), Some("book"));
    assert!(checkout < configure && configure < install && install < build_step && build_step < upload);
    let deploy = &w["jobs"]["deploy"];
    assert_eq!(deploy["needs"].as_str(), Some("build"));
    assert_eq!(deploy["environment"]["name"].as_str(), Some("github-pages"));
    step_uses(deploy, "actions/deploy-pages").expect("deploy-pages");
    // The binary the workflow downloads is one the release workflow publishes.
    let release =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml"))
            .expect("release.yml");
    assert!(
        release.contains("x86_64-unknown-linux-gnu") && script.contains("conceptbook-x86_64-unknown-linux-gnu.tar.gz")
    );
}

#[test]
fn the_release_workflow_builds_every_platform_on_v_tags_and_attaches_checksums() {
    let w = yaml(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml"));
    let tags: Vec<&str> =
        w["on"]["push"]["tags"].as_vec().expect("on.push.tags").iter().filter_map(|t| t.as_str()).collect();
    assert_eq!(tags, ["v*"]);
    assert_eq!(w["permissions"]["contents"].as_str(), Some("write"), "it writes the release");
    let build = &w["jobs"]["build"];
    let targets: Vec<(&str, &str)> = build["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("a matrix of targets")
        .iter()
        .map(|m| (m["target"].as_str().unwrap(), m["os"].as_str().unwrap()))
        .collect();
    for (target, os) in [
        ("x86_64-unknown-linux-gnu", "ubuntu"),
        ("aarch64-unknown-linux-gnu", "ubuntu"),
        ("aarch64-apple-darwin", "macos"),
        ("x86_64-pc-windows-msvc", "windows"),
    ] {
        assert!(targets.iter().any(|(t, o)| *t == target && o.starts_with(os)), "{target} on {os}: {targets:?}");
    }
    assert_eq!(build["runs-on"].as_str(), Some("${{ matrix.os }}"));
    let (b, cmd) = step_running(build, "cargo build").expect("a build step");
    assert!(cmd.contains("--release") && cmd.contains("--target ${{ matrix.target }}"), "{cmd}");
    let (a, archive) = step_running(build, "sha256").expect("an archive step");
    assert!(archive.contains("$asset.sha256") && archive.contains("tar -czf") && archive.contains(".zip"), "{archive}");
    let (u, _) = step_uses(build, "actions/upload-artifact").expect("upload-artifact");
    assert!(b < a && a < u);
    let release = &w["jobs"]["release"];
    assert_eq!(release["needs"].as_str(), Some("build"));
    step_uses(release, "actions/download-artifact").expect("download-artifact");
    let (_, sums) = step_running(release, "SHA256SUMS").expect("a checksum file");
    assert!(sums.contains("sha256sum -c"));
    let (_, attach) = step_running(release, "gh release").expect("attaches to the release");
    assert!(attach.contains("gh release create \"$GITHUB_REF_NAME\" dist/*") && attach.contains("gh release upload"));
    // The tag must be the crate's version, which `init`'s workflow downloads.
    step_running(&w["jobs"]["check"], "Cargo.toml").expect("checks the tag against Cargo.toml");
}

/// `cargo package --list`: every file the binary embeds (templates/, static/), its source
/// and build script ship; the repository's own content and tests do not. (Offline and
/// quick: it lists, it does not build. `scripts/check-package.sh` builds the package.)
#[test]
fn the_package_ships_everything_the_binary_embeds() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(repo)
        .output()
        .expect("run cargo package --list");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed: std::collections::BTreeSet<String> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim().replace('\\', "/")).collect();
    let mut needed =
        vec!["Cargo.toml".to_string(), "Cargo.lock".to_string(), "build.rs".to_string(), "README.md".to_string()];
    for dir in ["templates", "static", "src"] {
        for f in walkdir(&repo.join(dir)) {
            needed.push(f.strip_prefix(repo).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
    assert!(needed.iter().any(|f| f == "templates/print.html") && needed.iter().any(|f| f == "static/css/style.css"));
    for f in &needed {
        assert!(listed.contains(f), "{f} is not in the package:\n{listed:?}");
    }
    assert!(!listed.iter().any(|f| f.starts_with("content/") || f.starts_with("tests/")), "{listed:?}");
}

#[test]
fn the_print_parts_names_are_reserved_slugs() {
    let site = SiteTest::peft_chain().simple("print-2", "第二", "parent = \"peft\"", "");
    site.build().failed().says(&["content/print-2.md:1:1: error: the slug `print-2` is reserved", "print-3"]);
    let site = SiteTest::peft_chain().simple("print-out", "打印输出", "parent = \"peft\"", "");
    site.build().ok();
}

/// `serve`'s rebuilds keep the print page's sections: after a body edit only the parts that
/// hold the edited note are rendered, and the result is what a full build writes, also when
/// the edit moves the cut between parts or removes a part.
#[test]
fn serve_rebuilds_the_print_page_like_a_full_build() {
    use conceptbook::incremental::{Rebuilt, Session};
    let filler = "填充篇幅的文字。".repeat(4000); // about 96 KB a note
    let note = |i: usize, extra: &str| format!("见 [[n{:02}]]。{extra}\n\n{filler}", (i + 7) % 12);
    let mut site = SiteTest::new().simple("n00", "第00篇", "", &note(0, ""));
    for i in 1..12 {
        site = site.simple(&format!("n{i:02}"), &format!("第{i:02}篇"), "parent = \"n00\"", &note(i, ""));
    }
    let same_as_full = |session: &mut Session, site: &SiteTest| {
        session.refresh_search();
        let full = conceptbook::pipeline::build(site.root()).unwrap_or_else(|f| panic!("{:?}", f.diagnostics)).output;
        let inc = session.output();
        assert_eq!(full.keys().collect::<Vec<_>>(), inc.keys().collect::<Vec<_>>());
        for (path, bytes) in &full {
            assert!(inc[path] == *bytes, "{path} differs from a full build");
        }
        full.keys().filter(|p| p.as_str().starts_with("print")).count()
    };
    let mut session = Session::new(site.root()).unwrap();
    let parts = same_as_full(&mut session, &site);
    assert!(parts >= 2, "the fixture splits: {parts}");
    // A small edit: the cut stays, the edited note's part is rendered again.
    let site = site.simple("n05", "第05篇", "parent = \"n00\"", &note(5, "一处小改动。"));
    let r = session.rebuild(&[site.root().join("content/n05.md")]).unwrap();
    assert!(matches!(r.rebuilt, Rebuilt::Pages(_)), "{:?}", r.rebuilt);
    assert_eq!(same_as_full(&mut session, &site), parts);
    // Again, now that the cache is warm.
    let site = site.simple("n05", "第05篇", "parent = \"n00\"", &note(5, "第二处改动。"));
    session.rebuild(&[site.root().join("content/n05.md")]).unwrap();
    same_as_full(&mut session, &site);
    // Shrinking bodies moves the cut and drops a part.
    let mut site = site;
    for i in 1..12 {
        site = site.simple(&format!("n{i:02}"), &format!("第{i:02}篇"), "parent = \"n00\"", "短。");
    }
    let paths: Vec<_> = (1..12).map(|i| site.root().join(format!("content/n{i:02}.md"))).collect();
    session.rebuild(&paths).unwrap();
    assert!(same_as_full(&mut session, &site) < parts);
}
