//! Keeping document text from driving the terminal.
//!
//! A document (or a file name) may hold escape sequences, C1 controls or
//! bidirectional overrides. Written raw, they could recolour the screen,
//! retitle the window or reorder what the reader sees ("Trojan Source").
//! Every renderer that writes to a terminal passes text through here: such
//! characters come out as visible escapes (`\x1b`, `\u{202e}`). Whitespace
//! is the caller's business (the terminal renderers split words on it before
//! sanitizing), so `\n` and `\t` are escaped too when they reach [`escape`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for characters that must never reach a terminal raw: C0 and C1
/// controls, DEL, and the Unicode bidirectional marks, embeddings,
/// overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Appends the visible escape of `c`: `\x1b` below U+0100, else `\u{202e}`.
pub fn push_escaped(out: &mut String, c: char) {
    let code = c as u32;
    // Writing into a String cannot fail.
    let _ = if code < 0x100 {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:x}}}")
    };
}

/// `s` with every unsafe character replaced by its visible escape; borrowed
/// when nothing needed escaping.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape("café “quoted” 東京"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_and_bidi_overrides_become_visible() {
        assert_eq!(escape("a\x1b[31mred"), "a\\x1b[31mred");
        assert_eq!(escape("bell\x07 del\x7f"), "bell\\x07 del\\x7f");
        assert_eq!(escape("c1\u{9b}2J"), "c1\\x9b2J");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape("iso\u{2067}x\u{2069}"), "iso\\u{2067}x\\u{2069}");
        assert_eq!(escape("tab\tnl\n"), "tab\\x09nl\\x0a");
    }

    #[test]
    fn escaped_output_holds_no_unsafe_character() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(!escape(&all).chars().any(is_unsafe));
    }
}
