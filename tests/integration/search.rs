//! Search: the index a build writes, queried the way the browser queries it, on fixture
//! sites and on the repository's own notes; then the real client in headless Chromium,
//! from `file://` and over HTTP: the issue's queries, the keyboard, highlighting, hostile
//! input, and agreement with the Rust tokenizer and engine.

use crate::browser::*;
use crate::support::*;
use conceptbook::search::engine::{Index, LIMIT};
use conceptbook::search::tokenize::{tokenize, Mode};
use fantoccini::{key::Key, Client, Locator};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The issue's queries, with the note each must find in its top 3.
const QUERIES: &[(&str, &str)] = &[
    ("微调", "fine-tuning"),
    ("低秩", "lora"),
    ("奖励模型", "rlhf"),
    ("lora", "lora"),
    ("LoRA", "lora"),
    ("Low-Rank", "lora"),
    ("p-tuning v2", "p-tuning-v2"),
    ("GPT-3.5", "gpt"),
    ("token 上限", "context-window"),
];

/// Typos, homophones and mixed queries, with the note each must put first.
const FORGIVING: &[(&str, &str)] = &[
    ("langchian", "langchain"),
    ("trasnformer", "transformer"),
    ("chatgml", "chatglm-6b"),
    ("transfomer", "transformer"),
    ("langchain agnets", "langchain-agents"),
    ("威调", "fine-tuning"),
    ("大模形", "llm"),
    ("GPT-4 图像", "gpt"),
    ("LoRA 显存", "lora"),
    ("token 上限", "context-window"),
];

/// More queries for the agreement check between the Rust engine and the browser's.
const MORE: &[&str] = &[
    "lor",
    "ＧＰＴ",
    "秩",
    "weitiao",
    "RLHF PPO",
    "注意力机制",
    "参数高效的微调方法",
    "lora 量子",
    "q",
    "上下文",
    "deepspeed-chat",
    "chain",
    "模型",
    "Transformer 架构",
    "幻觉",
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's notes built into a temp dir.
fn real_site() -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("book");
    let run = std::process::Command::new(BIN)
        .args(["build", "--quiet", "--root"])
        .arg(repo())
        .arg("--dest")
        .arg(&dest)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    (out, dest)
}

fn top(index: &Index, q: &str) -> Vec<String> {
    index.search(q, LIMIT).hits.into_iter().map(|h| h.slug).collect()
}

#[test]
fn the_real_notes_answer_the_issue_queries() {
    let (_keep, dest) = real_site();
    let index = Index::open(&dest).expect("index loads");
    assert_eq!(index.docs.len(), crate::content::SLUGS.len(), "one search entry per note");
    for (q, want) in QUERIES {
        let got = top(&index, q);
        assert!(got.iter().take(3).any(|s| s == want), "{q:?} should find {want} in the top 3, got {got:?}");
    }
    // exact names come first
    for (q, want) in [("微调", "fine-tuning"), ("LoRA", "lora"), ("奖励模型", "rlhf")] {
        assert_eq!(top(&index, q)[0], want, "{q}");
    }
    assert_eq!(top(&index, "weitiao")[0], "fine-tuning", "pinyin");
    assert_eq!(top(&index, "lor")[0], "lora", "prefix while typing");
    assert_eq!(top(&index, "ＧＰＴ－３．５")[0], "gpt", "full width");
    assert!(top(&index, "秩").contains(&"lora".to_string()), "one character");
}

#[test]
fn the_real_notes_forgive_typos_and_homophones_and_rank_mixed_queries_by_name() {
    let (_keep, dest) = real_site();
    let index = Index::open(&dest).expect("index loads");
    for (q, want) in FORGIVING {
        let r = index.search(q, LIMIT);
        let got: Vec<&str> = r.hits.iter().map(|h| h.slug.as_str()).collect();
        assert_eq!(got.first(), Some(want), "{q:?} should put {want} first, got {got:?}");
        // a fuzzy hit never outranks an exact one
        let first_fuzzy = r.hits.iter().position(|h| h.fuzzy).unwrap_or(r.hits.len());
        assert!(r.hits[first_fuzzy..].iter().all(|h| h.fuzzy), "{q:?}: exact hits first: {:?}", r.hits);
        let bytes: u64 = r.files.iter().map(|f| std::fs::metadata(dest.join(f)).unwrap().len()).sum();
        assert!(bytes < 300 * 1024, "{q:?} loads {bytes} bytes: {:?}", r.files);
    }
    for (q, fix) in [
        ("langchian", "langchain"),
        ("trasnformer", "transformer"),
        ("chatgml", "chatglm"),
        ("transfomer", "transformer"),
        ("langchain agnets", "langchain agents"),
    ] {
        let r = index.search(q, LIMIT);
        assert_eq!(r.suggest.as_deref(), Some(fix), "{q}");
        assert!(r.hits[0].fuzzy, "{q}");
    }
    assert!(!index.search("langchain agnets", LIMIT).partial, "the typo is forgiven, not dropped");
    // the note whose name holds the mixed query's word comes before one that only
    // mentions it, or holds it inside a longer name
    let gpt = top(&index, "GPT-4 图像");
    let pos = |s: &str| gpt.iter().position(|x| x == s).unwrap_or(usize::MAX);
    assert!(pos("gpt") < pos("minigpt-4"), "{gpt:?}");
    // exact Han matches are not pushed down by homophones
    let r = index.search("微调", LIMIT);
    assert_eq!(r.hits[0].slug, "fine-tuning");
    assert!(r.hits.iter().all(|h| !h.fuzzy) && r.suggest.is_none());
}

#[test]
fn precision_holds_while_forgiving() {
    let (_keep, dest) = real_site();
    let index = Index::open(&dest).expect("index loads");
    // 奖励模型: only notes holding the phrase, none by pinyin or typo
    let r = index.search("奖励模型", LIMIT);
    assert!(!r.hits.is_empty());
    for h in &r.hits {
        let d = &index.docs[h.doc];
        let text = format!("{} {} {} {} {}", d.title, d.aliases.join(" "), d.summary, d.tags.join(" "), d.body);
        assert!(text.contains("奖励模型"), "{} does not hold 奖励模型", h.slug);
        assert!(!h.fuzzy);
    }
    assert_eq!(top(&index, "lora")[0], "lora");
    assert_eq!(top(&index, "LoRA")[0], "lora");
    // a word found exactly is not corrected, even where a close word exists
    for q in ["lora", "transformer", "langchain", "agents", "token"] {
        let r = index.search(q, LIMIT);
        assert!(r.suggest.is_none() && r.hits.iter().all(|h| !h.fuzzy), "{q}: {:?}", r.hits);
    }
    // nonsense stays empty, and a one-edit typo of a short word is not looked up
    assert!(top(&index, "zzqqxxyy").is_empty());
    assert!(top(&index, "lra").is_empty(), "three letters: no typo lookup");
}

/// A site where each field of the ranking can be seen.
fn ranked_site() -> SiteTest {
    SiteTest::new()
        .simple("mention", "顺带提及", "", "正文里说到 LoRA 与低秩矩阵。")
        .note("summary-hit", "title = \"摘要命中\"\nsummary = \"一种 LoRA 的用法。\"", "正文。")
        .simple(
            "lora",
            "LoRA（低秩适配）",
            "aliases = [\"LoRA\", \"Low-Rank Adaptation\"]",
            "冻结权重，只训练低秩矩阵。",
        )
        .simple("qlora", "LoRA 量化版", "", "QLoRA。")
        .simple("draft", "草稿里的 LoRA", "draft = true", "不该被搜到：LoRA 独有词 zzqx。")
}

#[test]
fn names_outrank_summaries_outrank_bodies_and_drafts_stay_out() {
    let site = ranked_site();
    site.build().ok();
    let index = Index::open(&site.out()).unwrap();
    assert_eq!(top(&index, "lora"), ["lora", "qlora", "summary-hit", "mention"]);
    assert!(top(&index, "zzqx").is_empty(), "drafts are not indexed");
    assert_eq!(top(&index, "低秩矩阵"), ["lora", "mention"]);
    assert_eq!(top(&index, "矩阵 lora"), ["lora", "mention"], "AND");
}

/// Thai, Lao, Khmer and Myanmar put no spaces between words: a sentence was one "word" too
/// long to index, so only the few short runs were found. Any run inside one is now found,
/// as in Chinese.
#[test]
fn scripts_without_spaces_are_found_inside_their_sentences() {
    let site = SiteTest::new()
        .simple("th", "ภาษาไทย", "", "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำในประโยคเลยแม้แต่น้อย")
        .simple("km", "ភាសាខ្មែរ", "", "ភាសាខ្មែរគឺជាភាសាផ្លូវការរបស់ប្រទេសកម្ពុជា")
        .simple("my", "မြန်မာ", "", "မြန်မာဘာသာစကားသည်မြန်မာနိုင်ငံ၏ရုံးသုံးဘာသာစကားဖြစ်သည်");
    site.build().ok();
    let index = Index::open(&site.out()).unwrap();
    assert_eq!(top(&index, "การเว้นวรรค"), ["th"], "a run inside a Thai sentence");
    assert_eq!(top(&index, "ประโยค"), ["th"]);
    assert_eq!(top(&index, "ផ្លូវការ"), ["km"], "Khmer, with its marks");
    assert_eq!(top(&index, "ရုံးသုံး"), ["my"], "Myanmar");
}

#[test]
fn bodies_are_indexed_as_the_reader_sees_them() {
    let site = SiteTest::new()
        .simple("peft", "参数高效微调", "", "总称。")
        .simple("lora", "LoRA", "", "属于 [[peft]]。\n\n```python\nimport peft_tools\n```\n\n公式 $\\alpha_{xyz}$。\n")
        .file("content/index.md", "首页独有词 qqhome。\n");
    site.build().ok();
    let index = Index::open(&site.out()).unwrap();
    let lora = index.docs.iter().find(|d| d.slug == "lora").unwrap();
    assert!(lora.body.contains("属于 参数高效微调"), "{}", lora.body);
    assert_eq!(top(&index, "高效微调"), ["peft", "lora"], "link text is the title");
    assert_eq!(top(&index, "peft_tools"), ["lora"], "code is searchable");
    assert!(top(&index, "xyz").is_empty(), "formula source is not text");
    assert!(top(&index, "qqhome").is_empty(), "the home page is not a note");
}

#[test]
fn the_index_is_deterministic_sharded_and_relative() {
    let site = ranked_site();
    site.build().ok();
    let first = site.snapshot_output();
    site.build().ok();
    let second = site.snapshot_output();
    let search: Vec<&String> = first.keys().filter(|k| k.starts_with("search/")).collect();
    assert!(search.iter().any(|k| *k == "search/index.js"));
    assert!(search.iter().any(|k| k.starts_with("search/terms-")));
    assert!(search.iter().any(|k| k.starts_with("search/docs-")));
    assert_eq!(first, second, "byte-identical builds");
    for (path, bytes) in first.iter().filter(|(k, _)| k.starts_with("search/")) {
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("conceptbookSearch."), "{path} is a script");
        assert!(!text.contains(".html"), "{path}: hrefs are built by the client");
    }
}

#[test]
fn english_sites_get_english_labels() {
    let site = SiteTest::new()
        .file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"en\"\n")
        .simple("a", "Alpha", "", "text");
    site.build().ok();
    let manifest = site.read("search/index.js");
    assert!(manifest.contains("\"no_results\":\"No results\""), "{manifest}");
    assert!(manifest.contains("\"did_you_mean\":\"Did you mean {q}?\""), "{manifest}");
}

#[test]
fn english_sites_forgive_typos_and_carry_no_pinyin_table() {
    let site = SiteTest::new()
        .file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"en\"\n")
        .simple("transformer", "Transformer", "", "Attention is all you need.")
        .simple("agents", "Agents", "", "Tools in a loop, built on the transformer.");
    site.build().ok();
    let index = Index::open(&site.out()).unwrap();
    let r = index.search("Trasnformer", LIMIT);
    assert_eq!(r.hits.iter().map(|h| h.slug.as_str()).collect::<Vec<_>>(), ["transformer", "agents"]);
    assert_eq!(r.suggest.as_deref(), Some("transformer"));
    let files: Vec<String> = site.snapshot_output().into_keys().collect();
    assert!(files.iter().any(|f| f.starts_with("search/fuzzy-")), "{files:?}");
    assert!(!files.iter().any(|f| f.starts_with("search/pinyin-")), "no pinyin on an English site: {files:?}");
}

/// Every file of `search/` in `out`, with its size, none over the 1 MiB an output file may take.
fn search_files_within_a_mebibyte(out: &Path) -> Vec<(String, u64)> {
    let files: Vec<(String, u64)> = walkdir(&out.join("search"))
        .into_iter()
        .map(|f| (f.file_name().unwrap().to_string_lossy().into_owned(), std::fs::metadata(&f).unwrap().len()))
        .collect();
    for (name, size) in &files {
        assert!(*size <= 1 << 20, "search/{name} is {size} bytes");
    }
    files
}

/// A word of eight letters ending in `s`, as every plural of an English site does; `i`
/// spreads the first seven over the alphabet.
fn plural(i: u64) -> String {
    let mut n = i.wrapping_mul(2_654_435_761) % 26u64.pow(7);
    let mut w: String = (0..7)
        .map(|_| {
            let c = (b'a' + (n % 26) as u8) as char;
            n /= 26;
            c
        })
        .collect();
    w.push('s');
    w
}

/// The typo vocabulary filed under last letter `s` holds every plural: 100,000 of them
/// (1.2 MB of words) are cut into parts, each far below 1 MiB, and a typo of a word in
/// the last part is still corrected, by the Rust engine and by the browser, which loads
/// every part of the key.
#[tokio::test(flavor = "multi_thread")]
async fn the_typo_vocabulary_of_a_large_vocabulary_is_cut_into_bounded_parts() {
    let words: Vec<String> = (0..100_000).map(plural).collect();
    let mut site = SiteTest::new().file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"en\"\n");
    for (k, part) in words.chunks(5000).enumerate() {
        site = site.simple(&format!("n{k}"), &format!("Note {k}"), "", &part.join(" "));
    }
    site.build().ok();
    let files = search_files_within_a_mebibyte(&site.out());
    let parts: Vec<&String> = files.iter().map(|f| &f.0).filter(|f| f.starts_with("fuzzy-ls-")).collect();
    assert!(parts.len() >= 3, "{parts:?}");
    // The word that sorts last, with its first letter changed: only key `ls` holds it.
    let (at, target) = words.iter().enumerate().max_by_key(|w| w.1).unwrap();
    let typo = format!("{}{}", if target.starts_with('a') { 'b' } else { 'a' }, &target[1..]);
    let want = format!("n{}", at / 5000);
    let index = Index::open(&site.out()).unwrap();
    let r = index.search(&typo, LIMIT);
    assert_eq!(r.suggest.as_deref(), Some(target.as_str()), "{typo}");
    assert_eq!(r.hits.first().map(|h| h.slug.as_str()), Some(want.as_str()), "{typo}: {:?}", r.hits);
    let last = format!("search/fuzzy-ls-{}.js", parts.len() - 1);
    assert!(r.files.contains(&last), "{:?}", r.files);
    let dest = site.out();
    with_browser((1280, 900), move |c| async move {
        let _keep = site;
        c.goto(&format!("file://{}/index.html", dest.display())).await.unwrap();
        query(&c, &typo).await;
        assert_eq!(shown(&c).await.first(), Some(&want), "the client corrects {typo} like the Rust engine");
        let loaded: Vec<String> =
            serde_json::from_value(c.execute("return conceptbookSearch.loaded()", vec![]).await.unwrap()).unwrap();
        assert!(loaded.contains(&last), "{loaded:?}");
        no_console_errors(&c, "fuzzy parts").await;
    })
    .await;
}

/// `words` words of 30 hex digits, as little compressible as text gets (xorshift from `seed`).
fn hex_words(seed: u64, words: usize) -> String {
    let mut x = seed | 1;
    let mut out = String::with_capacity(words * 31);
    for k in 0..words {
        if k > 0 {
            out.push_str(if k % 20 == 0 { "\n\n" } else { " " });
        }
        for _ in 0..2 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push_str(&format!("{:015x}", x >> 4));
        }
    }
    out
}

/// Doc chunks are cut by their bytes, not by the average note: forty long notes that sort
/// together among 4,000 short ones made one file of megabytes when every chunk took as
/// many notes as the average size allowed. Each long note now gets a chunk of its own,
/// and every note is still found where the manifest says.
#[test]
fn long_notes_among_short_ones_share_no_oversized_doc_chunk() {
    let mut site = SiteTest::new().file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"en\"\n");
    for k in 0..4000 {
        site = site.simple(&format!("a{k:04}"), &format!("Short {k:04}"), "", &format!("short note {k}"));
    }
    for k in 0..40 {
        site = site.simple(&format!("b{k:02}"), &format!("Tome {k:02}"), "", &hex_words(k + 1, 3300));
    }
    site.build().ok();
    let files = search_files_within_a_mebibyte(&site.out());
    assert!(files.iter().filter(|f| f.0.starts_with("docs-")).count() > 40, "{files:?}");
    let index = Index::open(&site.out()).unwrap();
    for (q, want) in [("Tome 07", "b07"), ("Short 3999", "a3999"), ("Short 0000", "a0000")] {
        assert_eq!(top(&index, q).first().map(String::as_str), Some(want), "{q}");
    }
}

/// A note of megabytes keeps the first 256 KB of its body for snippets and phrase checks,
/// so its doc chunk stays far below 1 MiB; a phrase past the cut still finds it, in the
/// Rust engine and in the browser.
#[tokio::test(flavor = "multi_thread")]
async fn an_enormous_note_keeps_a_bounded_record_and_is_found_past_the_cut() {
    let body = format!("{}\n\nquantum marmalade at the very end.", hex_words(7, 50_000));
    let site = SiteTest::new()
        .file("book.toml", "[book]\ntitle = \"T\"\nlanguage = \"en\"\n")
        .simple("huge", "Huge", "", &body)
        .simple("apart", "Apart", "", "quantum physics, and marmalade on toast.")
        .simple("small", "Small", "", "A small note with quantum marmalade in it.");
    site.build().ok();
    search_files_within_a_mebibyte(&site.out());
    let index = Index::open(&site.out()).unwrap();
    let huge = index.docs.iter().find(|d| d.slug == "huge").unwrap();
    assert!(huge.cut && huge.body.len() <= 256 * 1024 && huge.body.starts_with(&body[..30]), "{}", huge.body.len());
    assert!(!index.docs.iter().find(|d| d.slug == "small").unwrap().cut);
    // `apart` holds both words but not the phrase: only a cut body is taken on trust
    let found = top(&index, "quantum-marmalade");
    let mut slugs = found.clone();
    slugs.sort();
    assert_eq!(slugs, ["huge", "small"]);
    let dest = site.out();
    with_browser((1280, 900), move |c| async move {
        let _keep = site;
        c.goto(&format!("file://{}/index.html", dest.display())).await.unwrap();
        query(&c, "quantum-marmalade").await;
        assert_eq!(shown(&c).await, found, "the client trusts a cut body like the Rust engine");
        no_console_errors(&c, "cut body").await;
    })
    .await;
}

#[test]
fn an_edit_that_shrinks_the_index_leaves_no_stale_files() {
    use conceptbook::incremental::Session;
    let long = "很长的正文，".repeat(2000);
    let site = SiteTest::new().simple("a", "甲", "", &long).simple("b", "乙", "", &long).simple("c", "丙", "", &long);
    let mut session = Session::new(site.root()).unwrap();
    let docs = |o: &conceptbook::output::Output| o.keys().filter(|k| k.as_str().starts_with("search/docs-")).count();
    assert_eq!(docs(session.output()), 3, "one long note per doc chunk");
    let edited: Vec<std::path::PathBuf> = ["a", "b", "c"]
        .iter()
        .map(|n| {
            let path = site.root().join(format!("content/{n}.md"));
            let text = std::fs::read_to_string(&path).unwrap().replace(&long, "短。");
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    session.rebuild(&edited).unwrap();
    session.refresh_search();
    let full = conceptbook::pipeline::build(site.root()).unwrap().output;
    assert_eq!(docs(&full), 1, "short notes share a chunk");
    assert_eq!(
        session.output().keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "the incremental output is the full build's"
    );
}

// ---------------------------------------------------------------- in the browser

/// Types `text` into the search box and waits until the client has answered it.
async fn query(c: &Client, text: &str) {
    let q = c.find(Locator::Id("q")).await.unwrap();
    q.clear().await.unwrap();
    q.send_keys(text).await.unwrap();
    settle(c, text).await;
}

/// Waits until the panel shows the answer to `text`.
async fn settle(c: &Client, text: &str) {
    for _ in 0..200 {
        let done =
            c.execute("var q=document.getElementById('q');return q.dataset.answered===q.value", vec![]).await.unwrap();
        if done.as_bool() == Some(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no answer for {text:?}");
}

/// The slugs of the results shown, in order.
async fn shown(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('#search-results [role=option]')).map(function(li){return li.dataset.slug})",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

async fn status(c: &Client) -> String {
    c.find(Locator::Css(".search-status")).await.unwrap().text().await.unwrap()
}

async fn no_console_errors(c: &Client, at: &str) {
    let errors = console_errors(c).await;
    assert!(errors.is_empty(), "console errors at {at}: {errors:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_finds_the_real_notes_from_disk_and_over_http() {
    let (keep, dest) = real_site();
    let http = serve(dest.clone(), "/repo/");
    let index = Index::open(&dest).unwrap();
    // What the Rust engine and tokenizer say, for the client to agree with.
    let samples = tokenizer_samples();
    let rust_tokens: Vec<serde_json::Value> = samples.iter().map(|s| tokens_json(s)).collect();
    let expected: Vec<(String, Vec<String>, bool, Option<String>)> = QUERIES
        .iter()
        .map(|(q, _)| *q)
        .chain(FORGIVING.iter().map(|(q, _)| *q))
        .chain(MORE.iter().copied())
        .map(|q| {
            let r = index.search(q, LIMIT);
            (q.to_string(), r.hits.into_iter().map(|h| h.slug).collect(), r.partial, r.suggest)
        })
        .collect();
    with_browser((1280, 900), move |c| async move {
        let _keep = keep;
        for base in [format!("file://{}/", dest.display()), http.clone()] {
            c.goto(&format!("{base}index.html")).await.unwrap();
            // Nothing of the index is loaded before the reader uses the box.
            let loaded = c
                .execute("return document.querySelectorAll('script[src*=\"search/\"]').length", vec![])
                .await
                .unwrap();
            assert_eq!(loaded.as_u64(), Some(0), "the index loads lazily");
            for (q, want) in QUERIES {
                query(&c, q).await;
                let got = shown(&c).await;
                assert!(
                    got.iter().take(3).any(|s| s == want),
                    "{base}: {q:?} should show {want} in the top 3, got {got:?}"
                );
            }
            for (q, want) in FORGIVING {
                query(&c, q).await;
                assert_eq!(shown(&c).await.first(), Some(&want.to_string()), "{base}: {q:?} puts {want} first");
            }
            for (q, slugs, partial, suggest) in &expected {
                query(&c, q).await;
                assert_eq!(&shown(&c).await, slugs, "{base}: the client ranks {q:?} like the Rust engine");
                let shown_suggest = c
                    .execute("var b=document.querySelector('.search-suggest-query');return b&&b.textContent", vec![])
                    .await
                    .unwrap();
                assert_eq!(shown_suggest.as_str(), suggest.as_deref(), "{base}: {q:?} suggests like the Rust engine");
                let is_partial = c
                    .execute("return document.getElementById('search-panel').classList.contains('partial')", vec![])
                    .await
                    .unwrap();
                assert_eq!(is_partial.as_bool(), Some(*partial), "{q:?} partial");
            }
            let js_tokens = c
                .execute(
                    "return arguments[0].map(function(s){return conceptbookSearch.tokenize(s,'doc').concat(conceptbookSearch.tokenize(s,'query'))})",
                    vec![serde_json::json!(samples)],
                )
                .await
                .unwrap();
            for (k, s) in samples.iter().enumerate() {
                assert_eq!(js_tokens[k], rust_tokens[k], "the tokenizers disagree on {s:?}");
            }
            no_console_errors(&c, &base).await;
        }
    })
    .await;
}

/// "Did you mean": the corrected query above the hits, in the site's language; a click asks
/// it. The snippets of the hits come out of compressed doc chunks, from `file://`.
#[tokio::test(flavor = "multi_thread")]
async fn did_you_mean_is_shown_and_asks_the_corrected_query() {
    let (keep, dest) = real_site();
    with_browser((1280, 900), move |c| async move {
        let _keep = keep;
        c.goto(&format!("file://{}/index.html", dest.display())).await.unwrap();
        query(&c, "trasnformer").await;
        let suggest = c.find(Locator::Css(".search-suggest")).await.unwrap().text().await.unwrap();
        assert_eq!(suggest, "你要找的是不是：transformer");
        assert_eq!(shown(&c).await[0], "transformer");
        let snippet = c.find(Locator::Css("#search-results .hit-snippet")).await.unwrap().text().await.unwrap();
        assert!(!snippet.trim().is_empty(), "snippets come out of the compressed chunks");
        screenshot(&c, "search-did-you-mean").await;
        c.find(Locator::Css(".search-suggest-query")).await.unwrap().click().await.unwrap();
        settle(&c, "transformer").await;
        let q = c.find(Locator::Id("q")).await.unwrap();
        assert_eq!(q.prop("value").await.unwrap().as_deref(), Some("transformer"));
        assert_eq!(shown(&c).await[0], "transformer");
        let gone = c.execute("return document.querySelector('.search-suggest')", vec![]).await.unwrap();
        assert!(gone.is_null(), "no suggestion for a query found exactly");
        // the typo's fallback loaded two small vocabulary files, not the whole vocabulary
        let loaded: Vec<String> =
            serde_json::from_value(c.execute("return conceptbookSearch.loaded()", vec![]).await.unwrap()).unwrap();
        assert_eq!(loaded.iter().filter(|f| f.contains("fuzzy-")).count(), 2, "{loaded:?}");
        // homophones: 威调 finds 微调 by its pinyin, with no suggestion to click
        query(&c, "威调").await;
        assert_eq!(shown(&c).await[0], "fine-tuning");
        no_console_errors(&c, "did you mean").await;
    })
    .await;
}

/// The client takes its limits from the manifest the Rust side writes: a manifest asking
/// for three hits gets three.
#[tokio::test(flavor = "multi_thread")]
async fn the_client_reads_its_numbers_from_the_manifest() {
    let (keep, dest) = real_site();
    let manifest = dest.join("search/index.js");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("\"limit\":10,"), "{text}");
    std::fs::write(&manifest, text.replace("\"limit\":10,", "\"limit\":3,")).unwrap();
    with_browser((1280, 900), move |c| async move {
        let _keep = keep;
        c.goto(&format!("file://{}/index.html", dest.display())).await.unwrap();
        query(&c, "模型").await;
        assert_eq!(shown(&c).await.len(), 3);
        no_console_errors(&c, "limit").await;
    })
    .await;
}

/// Strings that exercise every rule of the tokenizer.
fn tokenizer_samples() -> Vec<String> {
    [
        "LoRA（低秩适配）是 PEFT 方法",
        "ＧＰＴ－３．５ and gpt-3.5-turbo, v1.2.3.",
        "P-Tuning v2：深度提示微调",
        "token 上限",
        "Café crème ﬁne-tuning Ⅻ ½ ㈱ ㎏",
        "カタカナとひらがな ｶﾀｶﾅ 한국어 검색",
        "ΣΟΦΟΣ İstanbul ǅemal",
        "emoji 😀 and 𠀀𠀁 astral Han",
        "e.g. 1. 2.5% 3..4 .5",
        "tabs\tand\nnewlines　full-width space",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa long",
        "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ คำนำ ພາສາລາວ ភាសាខ្មែរ မြန်မာစာ",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The Rust tokenizer's output in the shape `conceptbookSearch.tokenize` returns:
/// `[term, pos, span, start, end, space_before]` with UTF-16 offsets, doc tokens then
/// query tokens.
fn tokens_json(text: &str) -> serde_json::Value {
    let utf16 = |byte: usize| text[..byte].encode_utf16().count();
    let toks: Vec<serde_json::Value> = tokenize(text, Mode::Doc)
        .into_iter()
        .chain(tokenize(text, Mode::Query))
        .map(|t| serde_json::json!([t.term, t.pos, t.span, utf16(t.start), utf16(t.end), t.space_before]))
        .collect();
    serde_json::Value::Array(toks)
}

#[tokio::test(flavor = "multi_thread")]
async fn keyboard_highlighting_and_hostile_queries() {
    let (keep, dest) = real_site();
    let http = serve(dest.clone(), "/");
    with_browser((1280, 900), move |c| async move {
        let _keep = keep;
        for base in [format!("file://{}/", dest.display()), http.clone()] {
            c.goto(&format!("{base}transformer.html")).await.unwrap();
            // "/" focuses the box
            c.find(Locator::Css("main"))
                .await
                .unwrap()
                .send_keys("/")
                .await
                .unwrap();
            let active = c.active_element().await.unwrap();
            assert_eq!(active.attr("id").await.unwrap().as_deref(), Some("q"));
            let q = c.find(Locator::Id("q")).await.unwrap();
            q.send_keys("低秩").await.unwrap();
            settle(&c, "低秩").await;
            assert_eq!(q.attr("aria-expanded").await.unwrap().as_deref(), Some("true"));
            let first = shown(&c).await;
            assert_eq!(first[0], "lora");
            // the row: title, breadcrumb, snippet with the match marked
            let row = c
                .find(Locator::Css("#search-results [role=option]"))
                .await
                .unwrap();
            let crumbs = row
                .find(Locator::Css(".hit-path"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(crumbs.contains("参数高效微调"), "breadcrumb: {crumbs}");
            let marks = c
                .execute(
                    "return Array.from(document.querySelectorAll('#search-results mark')).map(function(m){return m.textContent})",
                    vec![],
                )
                .await
                .unwrap();
            assert!(
                marks.as_array().unwrap().iter().any(|m| m == "低秩"),
                "the match is marked: {marks}"
            );
            // ↓ ↓ ↑ moves the active option
            q.send_keys(&format!("{}{}{}", Key::Down, Key::Down, Key::Up))
                .await
                .unwrap();
            let active_id = q.attr("aria-activedescendant").await.unwrap().unwrap();
            let selected = c
                .execute(
                    "return Array.from(document.querySelectorAll('[role=option][aria-selected=true]')).map(function(li){return li.id})",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(selected, serde_json::json!([active_id.clone()]));
            assert_eq!(
                c.find(Locator::Id(&active_id))
                    .await
                    .unwrap()
                    .attr("data-slug")
                    .await
                    .unwrap()
                    .as_deref(),
                Some(first[0].as_str())
            );
            screenshot(&c, if base.starts_with("file") { "search-panel-file" } else { "search-panel-http" }).await;
            // Enter opens it, with the query to highlight
            q.send_keys(&Key::Enter.to_string()).await.unwrap();
            wait_for_url(&c, "lora.html").await;
            let url = c.current_url().await.unwrap();
            assert!(url.as_str().contains("lora.html?hl="), "{url}");
            let hits = wait_for_marks(&c).await;
            assert!(hits.iter().all(|h| h == "低秩"), "{hits:?}");
            let first_hit_visible = c
                .execute(
                    "var m=document.querySelector('.note-body mark.search-hit');var r=m.getBoundingClientRect();return r.top>=0&&r.bottom<=innerHeight",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(first_hit_visible.as_bool(), Some(true), "scrolled to the first match");
            // Esc closes and clears; a click outside closes
            let q = c.find(Locator::Id("q")).await.unwrap();
            q.click().await.unwrap();
            q.send_keys("lora").await.unwrap();
            settle(&c, "lora").await;
            q.send_keys(&Key::Escape.to_string()).await.unwrap();
            assert_eq!(q.prop("value").await.unwrap().as_deref(), Some(""));
            assert_eq!(q.attr("aria-expanded").await.unwrap().as_deref(), Some("false"));
            assert!(!c.find(Locator::Id("search-panel")).await.unwrap().is_displayed().await.unwrap());
            q.send_keys("lora").await.unwrap();
            settle(&c, "lora").await;
            c.find(Locator::Css(".site-footer")).await.unwrap().click().await.unwrap();
            assert!(!c.find(Locator::Id("search-panel")).await.unwrap().is_displayed().await.unwrap());
            // Tab moves on and closes the panel
            q.click().await.unwrap();
            q.send_keys("lora").await.unwrap();
            settle(&c, "lora").await;
            assert!(c.find(Locator::Id("search-panel")).await.unwrap().is_displayed().await.unwrap());
            q.send_keys(&Key::Tab.to_string()).await.unwrap();
            assert!(!c.find(Locator::Id("search-panel")).await.unwrap().is_displayed().await.unwrap());
            // a clear "no results"
            query(&c, "zzqqxxyy").await;
            assert!(shown(&c).await.is_empty());
            assert_eq!(status(&c).await, "没有找到结果");
            // hostile input is text, never markup
            let hostile = "<img src=x onerror=alert(1)>";
            query(&c, hostile).await;
            let imgs = c
                .execute("return document.querySelectorAll('#search-panel img, #search-results img').length", vec![])
                .await
                .unwrap();
            assert_eq!(imgs.as_u64(), Some(0));
            let alert = c.get_alert_text().await;
            assert!(alert.is_err(), "no alert");
            let hl = format!("{base}lora.html?hl={}", urlencode(hostile));
            c.goto(&hl).await.unwrap();
            let imgs = c
                .execute("return document.querySelectorAll('main img').length", vec![])
                .await
                .unwrap();
            assert_eq!(imgs.as_u64(), Some(0), "?hl= is text too");
            assert!(c.get_alert_text().await.is_err());
            // a click on a hit opens it
            query(&c, "奖励模型").await;
            c.find(Locator::Css("#search-results a[role=option]")).await.unwrap().click().await.unwrap();
            wait_for_url(&c, "rlhf.html?hl=").await;
            no_console_errors(&c, &base).await;
        }
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn wait_for_url(c: &Client, part: &str) {
    for _ in 0..200 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never reached {part}");
}

/// The texts of the `<mark class="search-hit">` on the page, once there are some.
async fn wait_for_marks(c: &Client) -> Vec<String> {
    for _ in 0..200 {
        let v = c
            .execute(
                "return Array.from(document.querySelectorAll('mark.search-hit')).map(function(m){return m.textContent})",
                vec![],
            )
            .await
            .unwrap();
        let marks: Vec<String> = serde_json::from_value(v).unwrap();
        if !marks.is_empty() {
            return marks;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no highlighted match on the page");
}

/// The panel on a desktop and on a 360 px phone (a 360 px frame: headless Chromium keeps
/// windows at least 500 px wide), light and dark: it fits the viewport and shows its
/// rows. Screenshots land in the target dir for people to look at.
#[tokio::test(flavor = "multi_thread")]
async fn the_panel_fits_desktops_and_phones_in_both_themes() {
    let (keep, dest) = real_site();
    std::fs::write(
        dest.join("phone-frame.html"),
        "<!DOCTYPE html><meta charset=\"utf-8\"><title>360</title><body style=\"margin:0;background:#777\">\
         <iframe src=\"lora.html\" style=\"width:360px;height:740px;border:0;display:block\"></iframe>",
    )
    .unwrap();
    with_browser((1280, 900), move |c| async move {
        let _keep = keep;
        for (layout, page) in [("desktop", "lora.html"), ("phone", "phone-frame.html")] {
            for theme in ["light", "dark"] {
                c.goto(&format!("file://{}/{page}", dest.display()))
                    .await
                    .unwrap();
                if layout == "phone" {
                    c.enter_frame(0).await.unwrap();
                }
                c.execute(
                    "document.documentElement.dataset.theme = arguments[0]",
                    vec![theme.into()],
                )
                .await
                .unwrap();
                query(&c, "微调").await;
                let fits = c
                    .execute(
                        "var r = document.getElementById('search-panel').getBoundingClientRect();\
                         return [r.left, r.right, innerWidth, r.height, document.querySelectorAll('#search-results li').length]",
                        vec![],
                    )
                    .await
                    .unwrap();
                let f: Vec<f64> = serde_json::from_value(fits).unwrap();
                if layout == "phone" {
                    assert_eq!(f[2], 360.0, "the frame is a 360 px viewport");
                }
                assert!(
                    f[0] >= 0.0 && f[1] <= f[2],
                    "{layout} {theme}: the panel stays on screen: {f:?}"
                );
                assert!(f[3] > 100.0 && f[4] >= 3.0, "{layout} {theme}: rows show: {f:?}");
                c.enter_parent_frame().await.unwrap();
                screenshot(&c, &format!("search-{layout}-{theme}")).await;
            }
            c.goto(&format!("file://{}/lora.html?hl=%E4%BD%8E%E7%A7%A9", dest.display()))
                .await
                .unwrap();
            wait_for_marks(&c).await;
            screenshot(&c, "search-hl").await;
            no_console_errors(&c, "screenshots").await;
        }
    })
    .await;
}

/// Notes whose names and text look like markup show as text; search works on the 404
/// page a host serves at any depth, and its hits lead to the notes.
#[tokio::test(flavor = "multi_thread")]
async fn markup_in_notes_is_text_and_the_404_page_searches() {
    let site = SiteTest::new()
        .simple(
            "xss",
            "<img src=x onerror=alert(1)> 标题",
            "aliases = [\"<b>粗体别名</b>\"]",
            "正文里的 <script>alert(2)</script> 与 &lt;i&gt; 都是字。",
        )
        .simple("lora", "LoRA", "", "低秩适配。");
    site.build().ok();
    let out = site.out();
    let http = serve(out.clone(), "/repo/");
    with_browser((1280, 900), move |c| async move {
        c.goto(&format!("{http}index.html")).await.unwrap();
        for q in ["标题", "粗体别名", "alert", "onerror"] {
            query(&c, q).await;
            assert_eq!(shown(&c).await, ["xss"], "{q}");
            let injected = c
                .execute(
                    "return document.querySelectorAll('#search-panel img, #search-panel b, #search-panel script, #search-panel i').length",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(injected.as_u64(), Some(0), "{q}: markup stays text");
        }
        let title = c
            .find(Locator::Css("#search-results .hit-title"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(title, "<img src=x onerror=alert(1)> 标题");
        assert!(c.get_alert_text().await.is_err(), "no alert");
        // the 404 page, served for a missing path deep under the project prefix
        c.goto(&format!("{http}a/b/c/missing")).await.unwrap();
        for _ in 0..100 {
            let ready = c
                .execute("return !!window.conceptbookSearch", vec![])
                .await
                .unwrap();
            if ready.as_bool() == Some(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        query(&c, "低秩").await;
        assert_eq!(shown(&c).await, ["lora"]);
        let q = c.find(Locator::Id("q")).await.unwrap();
        q.send_keys(&Key::Enter.to_string()).await.unwrap();
        wait_for_url(&c, "lora.html").await;
        assert!(c
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&format!("{http}lora.html?hl=")));
        wait_for_marks(&c).await;
        let errors: Vec<String> = console_errors(&c)
            .await
            .into_iter()
            .filter(|e| !e.contains("missing") && !e.contains("404"))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await;
}

/// The notes of CONTENT-2.md §3.4–3.7 come first for their names, and the moved aliases
/// now find the new notes: "Function Calling" and "工具调用" were langchain-agents',
/// "Llama 2" and "Llama 3" were llama's.
#[test]
fn the_issue_17_notes_answer_their_names_and_the_moved_aliases() {
    let (_keep, dest) = real_site();
    let index = Index::open(&dest).expect("index loads");
    for (q, want) in [
        ("KV 缓存", "kv-cache"),
        ("vLLM", "paged-attention"),
        ("投机解码", "speculative-decoding"),
        ("Function Calling", "function-calling"),
        ("工具调用", "function-calling"),
        ("MCP", "mcp"),
        ("提示注入", "prompt-injection"),
        ("越狱", "jailbreak"),
        ("MMLU", "llm-evaluation"),
        ("Llama 2", "llama-series"),
        ("Llama 3", "llama-series"),
        ("深度求索", "deepseek"),
        ("Qwen3", "qwen-open-weights"),
    ] {
        assert_eq!(top(&index, q).first().map(String::as_str), Some(want), "{q}");
    }
}
