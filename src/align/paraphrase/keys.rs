//! Match keys: what a word of one text must equal in the other for the two
//! to state the same thing, when the tokens themselves differ.
//!
//! - A *figure* in any form has the key of its value written in digits, on
//!   its first word; its other words have no key (0). `3,000`, `3000`,
//!   `3 thousand` and `three thousand` are all `3000`; `£1.2bn`,
//!   `£1.2 billion` and `£1,200m` are all `1200000000`; `sixty-four` is
//!   `64` (and `64%`, `64 per cent` and `sixty-four percent` all read
//!   `64 percent`, the tokenizer's `percent` token being a word); `a
//!   million` and `one million` are `1000000`. Values are
//!   exact decimals, never floats, so `1.2bn` is not `1199999999.99`.
//!   A one-word number below ten written in letters (`one`, `three`) stays
//!   a word: "one of the" is no figure.
//! - Any other word is its own key (its token hash).
//!
//! Stems were measured and not kept: matching `cancelled` with `cancels`
//! also makes every inflection of a text's subject words one frequent
//! word, so the rare words that carry a paraphrase stop being rare. With
//! Snowball stems (rust-stemmers) the Clough-Stevenson grades lost
//! (Spearman 0.858 -> 0.851, leave-one-out 4-class 0.768 -> 0.747) and
//! MSRP did too (best-threshold 0.734 -> 0.730), and two February and
//! April seed stories on one dispute gained a false link.
//!
//! Keys are [`folded_word_hash`]es of the digits, so a figure already in
//! digits keeps its token's hash.

use crate::align::evidence::{number_weight, percent_hash};
use crate::tokenize::{folded_word_hash, Tokens};

/// Match key and figure weight of every token of one text.
pub(super) struct Keys {
    /// The word's match key; 0 for the second and later words of a figure.
    pub key: Vec<u64>,
    /// The base weight of a figure's first word ([`number_weight`] of its
    /// value in digits), `None` for any other word.
    pub figure: Vec<Option<f64>>,
}

/// A decimal value: `mantissa × 10^exponent`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decimal {
    mantissa: u128,
    exponent: i32,
}

impl Decimal {
    fn int(n: u128) -> Decimal {
        Decimal {
            mantissa: n,
            exponent: 0,
        }
    }

    /// `13.5` -> 135e-1; `None` unless digits with at most one inner point.
    fn parse(s: &str) -> Option<Decimal> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() || int.len() + frac.len() > 30 {
            return None;
        }
        let digits = int.bytes().chain(frac.bytes());
        let mut mantissa: u128 = 0;
        for b in digits {
            if !b.is_ascii_digit() {
                return None;
            }
            mantissa = mantissa * 10 + u128::from(b - b'0');
        }
        if s.ends_with('.') {
            return None;
        }
        Some(Decimal {
            mantissa,
            exponent: -(frac.len() as i32),
        })
    }

    fn scaled(self, power: i32) -> Decimal {
        Decimal {
            exponent: self.exponent + power,
            ..self
        }
    }

    /// The value in digits, without a trailing point or zeros after it:
    /// `1200000000`, `13.5`, `5` (for `5.00`).
    fn digits(self) -> String {
        let (mut m, mut e) = (self.mantissa, self.exponent);
        while e < 0 && m % 10 == 0 && m != 0 {
            m /= 10;
            e += 1;
        }
        if m == 0 {
            return "0".to_string();
        }
        let mut s = m.to_string();
        if e >= 0 {
            s.extend(std::iter::repeat_n('0', e.min(40) as usize));
            return s;
        }
        let point = e.unsigned_abs() as usize;
        if s.len() <= point {
            let pad = "0".repeat(point + 1 - s.len());
            s.insert_str(0, &pad);
        }
        s.insert(s.len() - point, '.');
        s
    }
}

/// Power of ten of a scale word or suffix (`thousand`, `bn`); `m` and `k`
/// only after a currency sign (`£5m`), where they cannot be metres or a
/// kilo-anything.
fn scale(word: &str, money: bool) -> Option<i32> {
    match word {
        "thousand" => Some(3),
        "million" | "mn" | "mln" => Some(6),
        "billion" | "bn" => Some(9),
        "trillion" | "tn" | "trn" => Some(12),
        "k" if money => Some(3),
        "m" if money => Some(6),
        _ => None,
    }
}

/// Value of a number word below a hundred, and whether it is a ten.
fn small_number(word: &str) -> Option<(u128, bool)> {
    // One `match` on the string: most words differ in length or first byte
    // from every number word, and are turned away at once.
    let unit = match word {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => return Some((20, true)),
        "thirty" => return Some((30, true)),
        "forty" => return Some((40, true)),
        "fifty" => return Some((50, true)),
        "sixty" => return Some((60, true)),
        "seventy" => return Some((70, true)),
        "eighty" => return Some((80, true)),
        "ninety" => return Some((90, true)),
        _ => return None,
    };
    Some((unit, false))
}

/// A figure starting at token `i`: its value and how many tokens it spans.
fn figure_at(text: &str, t: &Tokens, i: usize) -> Option<(Decimal, usize)> {
    let norm = t.norm(i);
    let start = t.get(i).span.start;
    let money = text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| matches!(c, '£' | '$' | '€' | '¥'));
    let next_scale = |j: usize| (j < t.len()).then(|| scale(t.norm(j), money)).flatten();
    if norm.as_bytes().first()?.is_ascii_digit() {
        // Digits, with a scale suffix (`1.2bn`) or a scale word after.
        let split = norm
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(norm.len());
        let value = Decimal::parse(&norm[..split])?;
        if split < norm.len() {
            let power = scale(&norm[split..], money)?;
            return Some((value.scaled(power), 1));
        }
        return Some(match next_scale(i + 1) {
            Some(power) => (value.scaled(power), 2),
            None => (value, 1),
        });
    }
    // "a million", "a thousand": one of the scale.
    if norm == "a" {
        let power = (i + 1 < t.len())
            .then(|| scale(t.norm(i + 1), false))
            .flatten()?;
        return Some((Decimal::int(1).scaled(power), 2));
    }
    // Words: "three hundred and twenty thousand", "sixty-four".
    small_number(norm)?;
    let mut total: u128 = 0;
    let mut group: Option<u128> = None;
    let mut j = i;
    let mut last_was_ten = false;
    while j < t.len() {
        let w = t.norm(j);
        if let Some((n, is_ten)) = small_number(w) {
            match group {
                // "sixty four", "hundred (and) twenty".
                Some(g) if last_was_ten && !is_ten && n < 10 => group = Some(g + n),
                Some(g) if g % 100 == 0 && g > 0 && n < 100 => group = Some(g + n),
                Some(_) => break,
                None => group = Some(n),
            }
            last_was_ten = is_ten;
        } else if w == "hundred" && group.is_some_and(|g| g < 10) {
            group = group.map(|g| g * 100);
            last_was_ten = false;
        } else if w == "and" && group.is_some_and(|g| g % 100 == 0 && g > 0) {
            // Only inside "hundred and twenty"; not a figure's last word.
            if !(j + 1 < t.len() && small_number(t.norm(j + 1)).is_some()) {
                break;
            }
        } else if let (Some(power), Some(g)) = (scale(w, false), group) {
            total += g * 10u128.pow(power as u32);
            group = None;
            last_was_ten = false;
            j += 1;
            // "three million", not "three million two" unless more follows.
            if !(j < t.len() && small_number(t.norm(j)).is_some()) {
                break;
            }
            continue;
        } else {
            break;
        }
        j += 1;
    }
    let value = total + group.unwrap_or(0);
    let words = j - i;
    if words == 0 || (words == 1 && value < 10) {
        return None;
    }
    Some((Decimal::int(value), words))
}

/// The match keys of `t`, a tokenisation of `text`.
pub(super) fn keys(text: &str, t: &Tokens) -> Keys {
    let n = t.len();
    let mut key = vec![0u64; n];
    let mut figure = vec![None; n];
    let percent = percent_hash();
    let mut i = 0;
    while i < n {
        let tok = t.get(i);
        if let Some((value, len)) = figure_at(text, t, i) {
            let digits = value.digits();
            let percent_follows = t.as_slice().get(i + len).is_some_and(|x| x.hash == percent);
            key[i] = folded_word_hash(digits.as_bytes());
            figure[i] = number_weight(&digits, percent_follows);
            i += len;
            continue;
        }
        key[i] = tok.hash;
        if t.norm(i).bytes().any(|b| b.is_ascii_digit()) {
            let percent_follows = t.as_slice().get(i + 1).is_some_and(|x| x.hash == percent);
            figure[i] = number_weight(t.norm(i), percent_follows);
        }
        i += 1;
    }
    Keys { key, figure }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of each token.
    fn keyed(text: &str) -> Vec<u64> {
        let t = Tokens::new(text);
        keys(text, &t).key
    }

    fn h(s: &str) -> u64 {
        folded_word_hash(s.as_bytes())
    }

    #[test]
    fn one_figure_in_every_form_has_one_key() {
        for (text, digits) in [
            ("3,000", "3000"),
            ("3 thousand", "3000"),
            ("three thousand", "3000"),
            ("£1.2bn", "1200000000"),
            ("£1.2 billion", "1200000000"),
            ("£1,200m", "1200000000"),
            ("1.5 million", "1500000"),
            ("sixty-four", "64"),
            ("three hundred and twenty", "320"),
            ("125,000", "125000"),
            ("twelve", "12"),
            ("a million", "1000000"),
            ("one million", "1000000"),
            ("5.00", "5"),
            ("13.5", "13.5"),
            ("0.05", "0.05"),
        ] {
            assert_eq!(keyed(text)[0], h(digits), "{text}");
        }
    }

    #[test]
    fn a_figures_other_words_have_no_key() {
        assert_eq!(
            keyed("three thousand operations")[1..],
            [0, h("operations")][..]
        );
        assert_eq!(keyed("64 per cent")[1], h("percent"));
    }

    #[test]
    fn small_words_and_metres_are_not_figures() {
        // "one" stays a word; 5m without a currency sign may be metres.
        assert_eq!(keyed("one of the")[0], h("one"));
        assert_eq!(keyed("a man")[0], h("a"));
        assert_eq!(keyed("a 5m wall")[1], h("5m"));
        assert_eq!(keyed("hundred and")[0], h("hundred"));
        // "and" ends a figure unless a number follows.
        assert_eq!(keyed("three hundred and ten")[0], h("310"));
        assert_eq!(
            keyed("three hundred and counting")[..3],
            [h("300"), 0, h("and")]
        );
    }

    /// A token whose folded form is empty (combining marks alone) or odd
    /// is no figure and no panic.
    #[test]
    fn odd_tokens_are_words() {
        for text in [
            "\u{301}\u{301} 3",
            "1.2.3bn",
            "£",
            "9999999999999999999999999999999999999 trillion",
            "1. 2",
        ] {
            let t = Tokens::new(text);
            assert_eq!(keys(text, &t).key.len(), t.len(), "{text:?}");
        }
    }

    #[test]
    fn figures_weigh_by_their_value() {
        let text = "three thousand and 64 per cent";
        let t = Tokens::new(text);
        let k = keys(text, &t);
        assert_eq!(k.figure[0], number_weight("3000", false));
        assert_eq!(k.figure[3], number_weight("64", true));
        assert_eq!(k.figure[1], None);
    }
}
