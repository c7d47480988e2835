//! Numbers for people: thousands separators and counted nouns ("1
//! document", "3,588 words"), one rule for every command's output.

/// `n` with a comma between each group of three digits: `3,588`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `""` for one, `"s"` for any other number (for nouns whose plural adds
/// an s).
pub fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `n` and the noun agreeing with it: `count(1, "line")` is `1 line`,
/// `count(3588, "word")` is `3,588 words`.
pub fn count(n: u64, noun: &str) -> String {
    format!("{} {noun}{}", thousands(n), plural(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn nouns_agree() {
        assert_eq!(count(0, "document"), "0 documents");
        assert_eq!(count(1, "line"), "1 line");
        assert_eq!(count(2, "line"), "2 lines");
        assert_eq!(count(100_000, "line"), "100,000 lines");
    }
}
