//! HTML text: escaping. The bottom layer: it imports nothing of this crate.

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).expect("writing to a String");
    out
}

/// `value` as JSON to write inside a `<script>` element: every `<` is written `\u003c`, so
/// no `</script>` or `<!--` in the data can end the element.
pub fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("plain data serializes").replace('<', "\\u003c")
}
