//! Escaping text for HTML: the one place markup characters become entities.
//!
//! Both pages ([`super::html`] for `compare`, [`super::report_html`] for
//! `report`) put document text, file names and source names into element
//! content and into double-quoted attribute values (`title="…"`). Markup
//! characters always become entities; quotes do too where the text may sit
//! in an attribute. What happens to the other characters (control and
//! bidirectional characters shown, dropped or kept) is each caller's rule,
//! passed in as a closure, so the escaping itself is written once.

/// Where escaped text lands in a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Element content: `&`, `<` and `>` become entities, quotes stay.
    Text,
    /// A quoted attribute value (also safe as element content): `"` and
    /// `'` become entities too.
    Attribute,
}

/// Appends `s` to `h` with its markup characters as entities (see
/// [`Context`]); every other character is handed to `other`, which
/// appends it as the caller's page wants (as it is, as a visible escape,
/// or not at all).
pub(crate) fn push_escaped(
    h: &mut String,
    s: &str,
    context: Context,
    mut other: impl FnMut(&mut String, char),
) {
    let quotes = context == Context::Attribute;
    for c in s.chars() {
        match c {
            '&' => h.push_str("&amp;"),
            '<' => h.push_str("&lt;"),
            '>' => h.push_str("&gt;"),
            '"' if quotes => h.push_str("&quot;"),
            '\'' if quotes => h.push_str("&#39;"),
            c => other(h, c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str, context: Context) -> String {
        let mut h = String::new();
        push_escaped(&mut h, s, context, |h, c| h.push(c));
        h
    }

    #[test]
    fn markup_always_and_quotes_only_in_attributes() {
        let s = r#"<b title="x">Tom & 'Jerry'</b>"#;
        assert_eq!(
            escaped(s, Context::Text),
            r#"&lt;b title="x"&gt;Tom &amp; 'Jerry'&lt;/b&gt;"#
        );
        assert_eq!(
            escaped(s, Context::Attribute),
            "&lt;b title=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn other_characters_go_to_the_callers_rule() {
        let mut h = String::new();
        push_escaped(&mut h, "a\u{7}b<\u{202e}", Context::Text, |h, c| {
            if !c.is_control() {
                h.push(c);
            }
        });
        assert_eq!(h, "ab&lt;\u{202e}");
    }
}
