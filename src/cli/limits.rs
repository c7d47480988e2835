//! `--max-doc-bytes`: the one definition of the limit on one document that
//! `compare`, `report` and `filter` share (the check itself is the
//! library's input layer, [`copydesk::input`]).

use clap::Args;

/// The size limit on one document, flattened into each command's flags.
#[derive(Debug, Clone, Copy, Args)]
pub struct DocLimit {
    /// Largest document read, in bytes; K, M, G and T are powers of 1024
    /// (64M, 1G). A file's size, or a JSON Lines record's line. A larger
    /// document is read no further than the limit and is an error naming
    /// it: report lists it as unreadable, filter treats it like a
    /// malformed line (--on-error). The default is far above any article
    /// or book (a long news page is under 1 MB, War and Peace 3.2 MB) and
    /// keeps what one document can cost to a few GB of memory.
    #[arg(
        long = "max-doc-bytes",
        value_name = "SIZE",
        default_value = "64M",
        value_parser = parse_byte_size
    )]
    pub max_doc_bytes: u64,
}

/// A byte count: digits, optionally followed by `K`, `M`, `G` or `T`
/// (powers of 1024, either case, optionally with `iB`: `64M`, `64MiB`).
/// `MB` and the like are refused rather than guessed (1000² or 1024²?).
pub fn parse_byte_size(s: &str) -> Result<u64, String> {
    let bad = || format!("`{s}`: expected a number of bytes, such as 65536, 64M or 1G");
    let t = s.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = t.split_at(digits);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        "t" | "tib" => 40,
        _ => return Err(bad()),
    };
    let bytes = number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{s}`: too large"))?;
    if bytes == 0 {
        return Err(format!("`{s}`: the limit must be at least one byte"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn byte_sizes_take_binary_suffixes() {
        assert_eq!(parse_byte_size("65536"), Ok(65536));
        assert_eq!(parse_byte_size("64M"), Ok(64 << 20));
        assert_eq!(parse_byte_size("64mib"), Ok(64 << 20));
        assert_eq!(parse_byte_size("1G"), Ok(1 << 30));
        assert_eq!(parse_byte_size("2k"), Ok(2048));
        for bad in ["", "M", "64MB", "1.5G", "-1", "64 M x", "0"] {
            assert!(parse_byte_size(bad).is_err(), "{bad}");
        }
        assert!(parse_byte_size("99999999999T").is_err());
    }

    #[test]
    fn the_default_is_the_librarys() {
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            limit: DocLimit,
        }
        let cli = Cli::parse_from(["copydesk"]);
        assert_eq!(
            cli.limit.max_doc_bytes,
            copydesk::input::DEFAULT_MAX_DOC_BYTES
        );
    }
}
