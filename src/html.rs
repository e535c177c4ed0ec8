//! HTML text: escaping. The bottom layer: it imports nothing of this crate.

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).expect("writing to a String");
    out
}

/// How many bytes [`escape`] writes for `s`, without writing them: the page-size estimates
/// (list, glossary and print parts) call it for every note.
pub fn escaped_len(s: &str) -> usize {
    s.len()
        + s.bytes()
            .map(|b| match b {
                b'&' | b'\'' => 4,
                b'<' | b'>' => 3,
                b'"' => 5,
                _ => 0,
            })
            .sum::<usize>()
}

/// `value` as JSON to write inside a `<script>` element or a script file: every `<` is
/// written `\u003c`, so no `</script>` or `<!--` in the data can end the element, and the line
/// separators U+2028 and U+2029 `\u2028` and `\u2029`, which JavaScript engines before
/// ES2019 do not take inside a string.
pub fn script_json(value: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(value).expect("plain data serializes");
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_json_ends_no_element_and_no_line() {
        let s = super::script_json(&["</script><!--", "a\u{2028}b\u{2029}"]);
        assert_eq!(s, r#"["\u003c/script>\u003c!--","a\u2028b\u2029"]"#);
    }

    #[test]
    fn escaped_len_is_the_length_escape_writes() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for s in [every_ascii.as_str(), "", "微调 & <LoRA> \"q\" 'a'", "&amp;&&"] {
            assert_eq!(super::escaped_len(s), super::escape(s).len(), "{s:?}");
        }
    }
}
