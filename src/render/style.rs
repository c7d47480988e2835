//! The terminal styles the renderers write, each named once.
//!
//! In: nothing. Out: [`anstyle::Style`] values and [`paint`], which writes
//! text in a style and resets after it. Whether colour is on is the
//! caller's decision (resolved in `cli`); nothing here looks at the
//! terminal or the environment.

use std::fmt::Display;

use anstyle::{AnsiColor, Style};

use crate::align::PassageKind;

/// Our own emphasis: document names, verdicts, section titles.
pub const BOLD: Style = Style::new().bold();
/// Our own quiet words: labels, details, rules.
pub const DIM: Style = Style::new().dimmed();
/// Words only A has (deleted on the way to B).
pub const DELETED: Style = AnsiColor::Red.on_default();
/// Words only B has (inserted on the way from A).
pub const INSERTED: Style = AnsiColor::Green.on_default();

/// The label of a passage's kind: bold, one colour per kind.
pub const fn kind(kind: PassageKind) -> Style {
    let color = match kind {
        PassageKind::Verbatim => AnsiColor::Cyan,
        PassageKind::Edited => AnsiColor::Yellow,
        PassageKind::Paraphrase => AnsiColor::Magenta,
    };
    color.on_default().bold()
}

/// `text` in `style`, the style reset after it; nothing added for the
/// plain style.
pub fn paint<T: Display>(style: Style, text: T) -> impl Display {
    struct Painted<T>(Style, T);
    impl<T: Display> Display for Painted<T> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let Painted(style, text) = self;
            write!(f, "{}{text}{}", style.render(), style.render_reset())
        }
    }
    Painted(style, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact bytes: terminals, `less -R` and the snapshot tests see
    /// these, so a change here is deliberate.
    #[test]
    fn styles_write_these_sgr_sequences() {
        assert_eq!(paint(BOLD, "b").to_string(), "\x1b[1mb\x1b[0m");
        assert_eq!(paint(DIM, "d").to_string(), "\x1b[2md\x1b[0m");
        assert_eq!(paint(DELETED, "x").to_string(), "\x1b[31mx\x1b[0m");
        assert_eq!(paint(INSERTED, "y").to_string(), "\x1b[32my\x1b[0m");
        assert_eq!(
            paint(kind(PassageKind::Verbatim), "verbatim").to_string(),
            "\x1b[1m\x1b[36mverbatim\x1b[0m"
        );
        assert_eq!(
            paint(kind(PassageKind::Edited), "e").to_string(),
            "\x1b[1m\x1b[33me\x1b[0m"
        );
        assert_eq!(
            paint(kind(PassageKind::Paraphrase), "p").to_string(),
            "\x1b[1m\x1b[35mp\x1b[0m"
        );
        assert_eq!(paint(Style::new(), "plain").to_string(), "plain");
    }
}
