//! `conceptbook check`: every validation of `build`, nothing written; its JSON form pinned
//! for editors and CI; the warnings (orphans, self-links, aliases that shadow another
//! note); and the rustc-style human report, in colour only on a terminal.

use crate::support::*;
use std::process::Command;

fn base() -> SiteTest {
    SiteTest::peft_chain()
}

#[test]
fn json_output_is_pinned() {
    let site = base().simple("lora", "LoRA", "parent = \"petf\"", "见 [[lora]]。");
    let run = site.run(&["check", "--format", "json"]).failed();
    assert_eq!(
        run.stdout,
        r#"[
  {
    "path": "content/lora.md",
    "line": 4,
    "column": 11,
    "severity": "error",
    "message": "parent `petf` names no note",
    "help": "did you mean `peft`?"
  },
  {
    "path": "content/lora.md",
    "line": 7,
    "column": 3,
    "severity": "warning",
    "message": "`lora` links to itself",
    "help": "a link to the page itself leads nowhere: remove it, or link to one of its headings with a plain `#id` link"
  }
]
"#
    );
    assert!(!site.out().exists(), "check writes nothing");
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 2);
}

#[test]
fn json_without_a_position_or_problems() {
    let site = base();
    std::fs::remove_file(site.root().join("book.toml")).unwrap();
    let run = site.run(&["check", "--format", "json"]).failed();
    assert_eq!(
        run.stdout,
        r#"[
  {
    "path": "book.toml",
    "line": null,
    "column": null,
    "severity": "error",
    "message": "no book.toml in .",
    "help": "run conceptbook in a site's folder, pass --root DIR, or create book.toml with [book] title = \"...\""
  }
]
"#
    );
    let clean = base();
    let run = clean.run(&["check", "--format", "json"]).ok();
    assert_eq!(run.stdout, "[]\n");
    assert!(!clean.out().exists(), "check writes nothing");
}

/// The warnings `check --format json` gives for `site`, as (path, line, message) triples.
fn warnings(site: &SiteTest) -> Vec<(String, u64, String)> {
    let run = site.run(&["check", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .inspect(|d| assert_eq!(d["severity"], "warning", "{d}"))
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn an_orphan_is_a_warning_and_still_builds() {
    let site = base().simple("island", "孤岛", "", "无人链接。");
    assert_eq!(
        warnings(&site),
        vec![(
            "content/island.md".to_string(),
            2,
            "`island` is an orphan: it has no parent, no children and nothing links to it".to_string()
        )]
    );
    let run = site.build().ok();
    run.says(&[
        "content/island.md:2:1: warning: `island` is an orphan",
        "2 | title = \"孤岛\"",
        "help: set `parent = \"...\"` or link to it from a related note",
        "1 warning",
    ]);
    site.expect_file("island.html");
    // A link to it is enough.
    let linked = base().simple("island", "孤岛", "", "").simple("lora", "LoRA", "parent = \"peft\"", "[[island]]");
    assert_eq!(warnings(&linked), vec![]);
}

#[test]
fn a_note_that_links_to_itself_is_a_warning() {
    let site = base().simple("lora", "LoRA", "parent = \"peft\"", "第一行\n\n[[lora|本页]] 与 [[LoRA]]");
    assert_eq!(
        warnings(&site),
        vec![
            ("content/lora.md".to_string(), 9, "`lora` links to itself".to_string()),
            ("content/lora.md".to_string(), 9, "`lora` links to itself".to_string()),
        ]
    );
    site.build().ok().says(&["content/lora.md:9:1: warning: `lora` links to itself", "^^^^^^^^^^^^"]);
}

#[test]
fn an_alias_equal_to_another_notes_title_or_slug_is_a_warning() {
    let site = base().simple("lora", "LoRA", "parent = \"peft\"\naliases = [\"微调\"]", "");
    assert_eq!(
        warnings(&site),
        vec![(
            "content/lora.md".to_string(),
            5,
            "alias `微调` is the title or slug of content/fine-tuning.md".to_string()
        )]
    );
    site.build().ok().says(&["help: [[微调]] links to `fine-tuning`; remove the alias"]);
    let by_slug = base().simple("lora", "LoRA", "parent = \"peft\"\naliases = [\"fine-tuning\"]", "");
    assert_eq!(
        warnings(&by_slug),
        vec![(
            "content/lora.md".to_string(),
            5,
            "alias `fine-tuning` is the title or slug of content/fine-tuning.md".to_string()
        )]
    );
}

#[test]
fn the_human_report_quotes_the_line_under_a_caret() {
    let site = base().simple("lora", "LoRA", "parent = \"petf\"", "");
    let run = site.run(&["check"]).failed();
    assert_eq!(
        run.stderr,
        "[1/1] content/lora.md:4:11: error: parent `petf` names no note\n  |\n4 | parent = \"petf\"\n  |           ^^^^\n  |\n  = help: did you mean `peft`?\n\n1 error\n"
    );
    let run = base().run(&["check"]).ok();
    assert_eq!(run.stderr, "check passed: no errors\n");
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let site = base().simple("lora", "LoRA", "parent = \"petf\"", "");
    // Piped: no colour even without NO_COLOR.
    let out = Command::new(BIN).arg("check").current_dir(site.root()).env_remove("NO_COLOR").output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains('\x1b'));
    // On a terminal (util-linux `script` gives the program one).
    if !std::path::Path::new("/usr/bin/script").is_file() {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED terminal colour check: /usr/bin/script not found\n",
        );
        return;
    }
    let on_tty = |no_color: Option<&str>| {
        let mut cmd = Command::new("/usr/bin/script");
        cmd.args(["-qec", &format!("{BIN} check"), "/dev/null"]).current_dir(site.root()).env_remove("NO_COLOR");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = on_tty(None);
    assert!(coloured.contains("\x1b["), "colour on a terminal: {coloured:?}");
    assert!(coloured.contains("parent `petf` names no note"));
    let plain = on_tty(Some("1"));
    assert!(!plain.contains("\x1b["), "NO_COLOR: {plain:?}");
    assert!(plain.contains("content/lora.md:4:11: error: parent `petf` names no note"));
}

#[test]
fn check_finds_render_errors_too_and_counts_everything() {
    let site = base().simple("lora", "LoRA", "parent = \"peft\"", "$$\n\\frac{a}{b} \\nosuchcommand\n$$\n").simple(
        "qlora",
        "QLoRA",
        "parent = \"peft\"",
        "$$\\nosuch$$\n",
    );
    let run = site.run(&["check"]).failed();
    run.says(&[
        "[1/2] content/lora.md:7:1: error: formula does not parse",
        "[2/2] content/qlora.md:7:1: error: formula does not parse",
        "2 errors",
    ]);
    assert!(!site.out().exists());
}
