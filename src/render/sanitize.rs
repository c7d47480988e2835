//! Keeping document text from driving the terminal.
//!
//! A document (or a file name) may hold escape sequences, C1 controls or
//! bidirectional overrides. Written raw, they could recolour the screen,
//! retitle the window or reorder what the reader sees ("Trojan Source").
//! Every renderer that writes to a terminal passes text through here: such
//! characters ([`is_unsafe`]: C0 and C1 controls, DEL, and every bidi
//! control, U+202A-202E, U+2066-2069, U+200E, U+200F and U+061C) come out
//! as visible escapes (`\x1b`, `\u{202e}`). Three variants differ only in
//! whitespace: [`escape`] escapes `\n` and `\t` too (for text whose
//! whitespace the caller has already split on), [`escape_keeping_breaks`]
//! keeps them (whole paragraphs), and [`escape_one_line`] folds every run
//! of whitespace into one space (one-line quotes in a report).

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
    escape_unless(s, |_| false)
}

/// [`escape`] that keeps line breaks and tabs (`\n`, `\t`), so paragraphs
/// still read as paragraphs; every other unsafe character is escaped.
pub fn escape_keeping_breaks(s: &str) -> Cow<'_, str> {
    escape_unless(s, |c| c == '\n' || c == '\t')
}

/// [`escape`] of every unsafe character for which `keep` is false.
fn escape_unless(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let must_escape = |c: char| is_unsafe(c) && !keep(c);
    if !s.chars().any(must_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if must_escape(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` on one line: each run of whitespace (line breaks included) becomes
/// one space, none at either end, and every other unsafe character is
/// escaped as by [`escape`].
pub fn escape_one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
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

    /// Every bidirectional control: embeddings, overrides, isolates and the
    /// three marks.
    pub(crate) const BIDI_CONTROLS: [char; 12] = [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
    ];

    #[test]
    fn every_variant_escapes_every_bidi_control() {
        for c in BIDI_CONTROLS {
            let s = format!("a{c}b");
            let want = format!("a\\u{{{:x}}}b", c as u32);
            assert_eq!(escape(&s), want);
            assert_eq!(escape_keeping_breaks(&s), want);
            assert_eq!(escape_one_line(&s), want);
        }
    }

    #[test]
    fn keeping_breaks_keeps_only_newline_and_tab() {
        assert_eq!(
            escape_keeping_breaks("a\x1b[31mb\nc\td\r\u{202e}"),
            "a\\x1b[31mb\nc\td\\x0d\\u{202e}"
        );
        assert!(matches!(escape_keeping_breaks("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn one_line_folds_whitespace_and_escapes_the_rest() {
        assert_eq!(
            escape_one_line("  a\x1b[31m b\n\n\tc\u{202E}d "),
            "a\\x1b[31m b c\\u{202e}d"
        );
    }
}
