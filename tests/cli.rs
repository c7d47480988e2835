//! The `copydesk` binary, run on real files in a temporary directory.
//!
//! One harness ([`Dir`]) writes files and runs the built binary with a clean
//! environment (no NO_COLOR, CLICOLOR*, TERM), so results do not depend on
//! the shell that runs `cargo test`. JSON output is decoded into typed
//! structs mirroring the contract in README.md ("JSON output").

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use serde::Deserialize;
use unicode_width::UnicodeWidthStr;

/// A temporary working directory with the files of one test.
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Writes `bytes` to `name` and returns the path.
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }

    /// The binary with a scrubbed environment, run inside the directory.
    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_copydesk"));
        cmd.current_dir(self.tmp.path());
        for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM", "COLUMNS"] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// `copydesk compare` with `args`, expected to succeed; returns stdout.
    fn compare(&self, args: &[&str]) -> String {
        let out = self.cmd().arg("compare").args(args).output().expect("run");
        assert!(
            out.status.success(),
            "compare {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// `compare --format json`, decoded and checked against the contract.
    fn compare_json(&self, a: &Path, b: &Path) -> CompareJson {
        let out = self.compare(&[s(a), s(b), "--format", "json"]);
        let json: CompareJson = serde_json::from_str(&out).expect("JSON matches the contract");
        let bytes_a = std::fs::read(a).unwrap();
        let bytes_b = std::fs::read(b).unwrap();
        json.check(&bytes_a, &bytes_b);
        json
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

const SEEDS: [&str; 5] = [
    "corpus/ibtimes/2016-02-11-hunt-to-impose-contract.txt",
    "corpus/labourlist/2016-02-10-second-strike-hopson-imposition.txt",
    "corpus/bbc/2016-02-11-junior-doctors-live.txt",
    "corpus/ibtimes/2016-04-24-hunt-rejects-labour-pilot.txt",
    "corpus/unattributed/2016-04-24-hunt-strike-risks-patient-safety.txt",
];

// ---- The JSON contract, as a consumer would decode it. ----

#[derive(Debug, Deserialize)]
struct CompareJson {
    documents: Documents,
    similarity: SimilarityJson,
    verdict: String,
    passages: Vec<PassageJson>,
    unique: Unique,
}

#[derive(Debug, Deserialize)]
struct Documents {
    a: DocumentJson,
    b: DocumentJson,
}

#[derive(Debug, Deserialize)]
struct DocumentJson {
    bytes: usize,
    encoding: String,
}

#[derive(Debug, Deserialize)]
struct SimilarityJson {
    jaccard: f64,
    containment_a: f64,
    containment_b: f64,
}

#[derive(Debug, Deserialize)]
struct PassageJson {
    a: SpanJson,
    b: SpanJson,
    kind: String,
    moved: bool,
    score: f64,
    ops: Vec<OpJson>,
}

#[derive(Debug, Deserialize)]
struct OpJson {
    op: String,
    a: SpanJson,
    b: SpanJson,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
struct SpanJson {
    start: usize,
    end: usize,
}

#[derive(Debug, Deserialize)]
struct Unique {
    a: Vec<SpanJson>,
    b: Vec<SpanJson>,
}

impl SpanJson {
    fn of<'b>(&self, bytes: &'b [u8]) -> &'b [u8] {
        &bytes[self.start..self.end]
    }
}

impl CompareJson {
    /// Every rule of the contract that holds whatever the aligner finds.
    fn check(&self, a: &[u8], b: &[u8]) {
        let in_bounds = |s: &SpanJson, len: usize, what: &str| {
            assert!(s.start <= s.end, "{what}: start after end: {s:?}");
            assert!(s.end <= len, "{what}: {s:?} past the end ({len} bytes)");
        };
        assert_eq!(self.documents.a.bytes, a.len());
        assert_eq!(self.documents.b.bytes, b.len());
        for doc in [&self.documents.a, &self.documents.b] {
            assert!(
                ["utf-8", "utf-8-bom", "windows-1252"].contains(&doc.encoding.as_str()),
                "{}",
                doc.encoding
            );
        }
        let sim = &self.similarity;
        for x in [sim.jaccard, sim.containment_a, sim.containment_b] {
            assert!((0.0..=1.0).contains(&x), "score {x}");
        }
        assert!(
            ["duplicate", "near-duplicate", "partial", "distinct"].contains(&self.verdict.as_str()),
            "verdict {}",
            self.verdict
        );
        let mut prev_a_end = 0;
        let mut b_spans = Vec::new();
        for p in &self.passages {
            in_bounds(&p.a, a.len(), "passage a");
            in_bounds(&p.b, b.len(), "passage b");
            assert!(
                p.a.start < p.a.end && p.b.start < p.b.end,
                "empty passage {p:?}"
            );
            assert!(
                p.a.start >= prev_a_end,
                "passages overlap or leave A's order"
            );
            prev_a_end = p.a.end;
            b_spans.push(p.b);
            assert!(
                ["verbatim", "edited", "paraphrase"].contains(&p.kind.as_str()),
                "kind {}",
                p.kind
            );
            assert!((0.0..=1.0).contains(&p.score), "passage score {}", p.score);
            if p.kind == "verbatim" {
                assert_eq!(p.score, 1.0);
            }
            let _ = p.moved;
            for op in &p.ops {
                assert!(
                    ["equal", "delete", "insert", "replace"].contains(&op.op.as_str()),
                    "op {}",
                    op.op
                );
                in_bounds(&op.a, a.len(), "op a");
                in_bounds(&op.b, b.len(), "op b");
                assert!(
                    op.a.start >= p.a.start && op.a.end <= p.a.end,
                    "op outside passage"
                );
                assert!(
                    op.b.start >= p.b.start && op.b.end <= p.b.end,
                    "op outside passage"
                );
            }
        }
        b_spans.sort_by_key(|s| s.start);
        for w in b_spans.windows(2) {
            assert!(w[0].end <= w[1].start, "passages overlap in B: {w:?}");
        }
        for (spans, len) in [(&self.unique.a, a.len()), (&self.unique.b, b.len())] {
            for u in spans {
                in_bounds(u, len, "unique");
                assert!(u.start < u.end, "empty unique span");
            }
        }
    }
}

/// Lowercased runs of letters and digits: what the words of a slice are,
/// whatever the punctuation or encoding around them.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn cp1252(bytes: &[u8]) -> String {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

/// Asserts stderr is exactly one line, `copydesk: PATH: ...`.
fn assert_one_line_error(out: &std::process::Output, path: &str) -> String {
    assert_eq!(out.status.code(), Some(2), "exit status");
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with(&format!("copydesk: {path}: ")), "{err:?}");
    err
}

// ---- Errors ----

#[test]
fn missing_file_is_a_one_line_error_naming_it() {
    let d = Dir::new();
    d.write("b.txt", "some words");
    let out = d
        .cmd()
        .args(["compare", "nope.txt", "b.txt"])
        .output()
        .unwrap();
    let err = assert_one_line_error(&out, "nope.txt");
    assert!(err.contains("no such file"), "{err}");
    // The second argument is checked too.
    let out = d
        .cmd()
        .args(["compare", "b.txt", "missing/b.txt"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "missing/b.txt");
}

#[test]
fn directory_given_as_a_file_is_a_one_line_error() {
    let d = Dir::new();
    d.write("b.txt", "some words");
    std::fs::create_dir(d.path("folder")).unwrap();
    let out = d
        .cmd()
        .args(["compare", "folder", "b.txt"])
        .output()
        .unwrap();
    let err = assert_one_line_error(&out, "folder");
    assert!(err.contains("directory"), "{err}");
}

#[test]
fn binary_file_is_a_one_line_error() {
    let d = Dir::new();
    d.write("b.txt", "some words");
    d.write("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let out = d
        .cmd()
        .args(["compare", "b.txt", "image.png"])
        .output()
        .unwrap();
    let err = assert_one_line_error(&out, "image.png");
    assert!(err.contains("binary"), "{err}");
}

#[test]
fn bad_parameter_is_a_one_line_error() {
    let d = Dir::new();
    d.write("a.txt", "some words");
    let out = d
        .cmd()
        .args(["compare", "a.txt", "a.txt", "--shingle", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("shingle size 0"), "{err}");
}

#[test]
fn file_name_with_control_characters_is_escaped_in_errors() {
    let d = Dir::new();
    d.write("a.txt", "some words");
    let out = d
        .cmd()
        .args(["compare", "a.txt", "evil\x1b[2J\nname.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(err.contains("evil\\x1b[2J\\x0aname.txt"), "{err:?}");
}

#[test]
fn output_file_is_not_created_when_an_input_fails() {
    let d = Dir::new();
    d.write("a.txt", "some words");
    let out = d
        .cmd()
        .args(["compare", "a.txt", "gone.txt", "-o", "out.html"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "gone.txt");
    assert!(!d.path("out.html").exists());
}

// ---- Inputs ----

#[test]
fn empty_file_is_a_valid_document() {
    let d = Dir::new();
    let empty = d.write("empty.txt", "");
    let full = d.write("full.txt", "The quick brown fox jumps over the lazy dog.");
    let out = d.compare(&["empty.txt", "full.txt"]);
    assert!(out.contains("Only in B"), "{out}");
    let json = d.compare_json(&empty, &full);
    assert!(json.passages.is_empty());
    assert!(json.unique.a.is_empty());
    assert_eq!(json.unique.b.len(), 1);
    assert_eq!(json.verdict, "distinct");
    let both = d.compare_json(&empty, &empty);
    assert!(both.passages.is_empty());
    for format in ["side-by-side", "html"] {
        d.compare(&["empty.txt", "empty.txt", "--format", format]);
    }
}

/// A Windows-1252 file we wrote ourselves: the exact bytes of each span are known.
#[test]
fn windows_1252_spans_slice_the_original_bytes() {
    let d = Dir::new();
    let a_bytes: &[u8] = b"Intro words here. The caf\xe9 owner said \x93we will never close \
the doors of this place\x94 on Monday morning.";
    let a = d.write("a1252.txt", a_bytes);
    let b = d.write(
        "b.txt",
        "Other opening. The café owner said “we will never close the doors of this place” on Monday morning.",
    );
    let out = d
        .cmd()
        .args(["compare", "a1252.txt", "b.txt"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        "copydesk: note: a1252.txt: not valid UTF-8, read as Windows-1252\n"
    );
    let json = d.compare_json(&a, &b);
    assert_eq!(json.documents.a.encoding, "windows-1252");
    let b_bytes = std::fs::read(&b).unwrap();
    let shared = json
        .passages
        .iter()
        .find(|p| cp1252(p.a.of(a_bytes)).contains("owner said"))
        .expect("a passage over the shared sentence");
    let a_text = cp1252(shared.a.of(a_bytes));
    let b_text = std::str::from_utf8(shared.b.of(&b_bytes)).expect("B span on char boundaries");
    assert!(
        a_text.contains("caf\u{e9} owner said \u{201c}we will never close"),
        "{a_text:?}"
    );
    assert!(
        b_text.contains("café owner said “we will never close"),
        "{b_text:?}"
    );
    assert_eq!(words(&a_text), words(b_text));
}

/// One of the 17 Windows-1252 answers of the Clough-Stevenson corpus, against
/// its task's original (skipped when ../shared is not beside the repository).
#[test]
fn clough_stevenson_windows_1252_answer_maps_spans_to_file_bytes() {
    let a = repo("../shared/data/clough-stevenson/g1pB_taskd.txt");
    let b = repo("../shared/data/clough-stevenson/orig_taskd.txt");
    if !a.exists() || !b.exists() {
        println!("skipped: {} not present", a.display());
        return;
    }
    let d = Dir::new();
    let out = d.cmd().arg("compare").args([&a, &b]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("g1pB_taskd.txt: not valid UTF-8, read as Windows-1252"),
        "{err}"
    );

    let json = d.compare_json(&a, &b);
    let (a_bytes, b_bytes) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let first_high = a_bytes.iter().position(|&x| x >= 0x80).unwrap();
    assert!(
        !json.passages.is_empty(),
        "a light revision shares passages"
    );
    let mut after_high = 0;
    for p in &json.passages {
        let a_text = cp1252(p.a.of(&a_bytes));
        let b_text = std::str::from_utf8(p.b.of(&b_bytes)).unwrap();
        // Spans begin and end on words, in the original bytes.
        for t in [a_text.as_str(), b_text] {
            let first = t.chars().next().unwrap();
            let last = t.chars().last().unwrap();
            assert!(first.is_alphanumeric() && last.is_alphanumeric(), "{t:?}");
        }
        if p.a.start > 0 {
            assert!(!(a_bytes[p.a.start - 1] as char).is_alphanumeric());
        }
        if p.kind == "verbatim" {
            assert_eq!(words(&a_text), words(b_text));
        }
        if p.a.start > first_high {
            after_high += 1;
        }
    }
    assert!(
        after_high > 0,
        "some passage lies after a multi-byte character"
    );
}

#[test]
fn bom_is_skipped_and_offsets_count_it() {
    let d = Dir::new();
    let a_bytes = b"\xEF\xBB\xBFHello there. The quick brown fox jumps over the lazy dog.";
    let a = d.write("bom.txt", a_bytes);
    let b = d.write("b.txt", "The quick brown fox jumps over the lazy dog!");
    let json = d.compare_json(&a, &b);
    assert_eq!(json.documents.a.encoding, "utf-8-bom");
    let p = &json.passages[0];
    assert_eq!(
        p.a.of(a_bytes),
        b"The quick brown fox jumps over the lazy dog"
    );
    assert_eq!(p.a.start, 3 + "Hello there. ".len());
    assert_eq!(json.unique.a[0].of(a_bytes), b"Hello there");
}

// ---- Output ----

#[test]
fn json_contract_holds_on_every_seed_pair() {
    let d = Dir::new();
    let mut verdicts = HashSet::new();
    for (i, a) in SEEDS.iter().enumerate() {
        for b in &SEEDS[i..] {
            let json = d.compare_json(&repo(a), &repo(b));
            verdicts.insert(json.verdict.clone());
            if a == b {
                assert_eq!(json.verdict, "duplicate");
                assert_eq!(json.similarity.jaccard, 1.0);
            }
        }
    }
    assert!(verdicts.len() >= 2, "{verdicts:?}");
}

/// Every escape sequence in the output is one of the renderer's own SGR
/// colour codes: nothing that clears, moves, retitles or links.
fn assert_only_sgr(out: &str) {
    let mut rest = out;
    while let Some(at) = rest.find('\x1b') {
        let seq = &rest[at + 1..];
        let end = seq.find('m').expect("SGR ends in m");
        let params = &seq[..end];
        assert!(
            params.starts_with('[') && params[1..].chars().all(|c| c.is_ascii_digit() || c == ';'),
            "escape sequence other than SGR: {:?}",
            &seq[..end.min(20)]
        );
        rest = &seq[end..];
    }
}

const HOSTILE: &str = "Breaking: \x1b]0;pwned\x07 title \x1b[2J cleared \u{202e}desrever\u{202c} \
     c1 \u{9b}31m done. The health secretary made the dramatic announcement a day after \
     thousands of members walked out.";

#[test]
fn colour_always_emits_ansi_but_never_a_raw_escape_from_the_document() {
    let d = Dir::new();
    d.write("hostile.txt", HOSTILE);
    d.write(
        "b.txt",
        "Yesterday the health secretary made the dramatic announcement a day after \
         thousands of members walked out of work.",
    );
    for format in ["text", "side-by-side"] {
        let out = d.compare(&[
            "hostile.txt",
            "b.txt",
            "--color",
            "always",
            "--format",
            format,
        ]);
        assert!(out.contains("\x1b[1m"), "{format}: colour expected");
        assert_only_sgr(&out);
        for raw in ['\x07', '\u{202e}', '\u{9b}'] {
            assert!(!out.contains(raw), "{format}: raw {raw:?} in output");
        }
        assert!(out.contains("\\x1b]0;pwned\\x07"), "{format}: {out}");
        assert!(out.contains("\\u{202e}desrever"), "{format}: {out}");
        let plain = d.compare(&[
            "hostile.txt",
            "b.txt",
            "--color",
            "never",
            "--format",
            format,
        ]);
        assert!(
            !plain.contains('\x1b'),
            "{format}: --color never has no escape"
        );
    }
}

#[test]
fn no_color_turns_auto_colour_off_and_clicolor_force_on() {
    let d = Dir::new();
    d.write(
        "a.txt",
        "Almost 3,000 operations were cancelled across England on Wednesday.",
    );
    d.write(
        "b.txt",
        "About 3,000 operations were cancelled across England on Wednesday.",
    );
    let run = |vars: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = d.cmd();
        cmd.args(["compare", "a.txt", "b.txt"]).args(extra);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    // Not a terminal: no colour by default.
    assert!(!run(&[], &[]).contains('\x1b'));
    assert!(run(&[("CLICOLOR_FORCE", "1")], &[]).contains("\x1b["));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]).contains('\x1b'));
    // An explicit flag wins over the environment.
    assert!(run(&[("NO_COLOR", "1")], &["--color", "always"]).contains("\x1b["));
}

#[test]
fn text_output_shows_scores_places_and_word_diff() {
    let d = Dir::new();
    d.write(
        "a.txt",
        "Local news first.\n\nThe strike that took place last week was unnecessary while talks are ongoing, a spokesperson said.",
    );
    d.write(
        "b.txt",
        "The strike that took place last week was unnecessary while talks are ongoing, a spokesperson said.\n\nLocal news last.",
    );
    let out = d.compare(&["a.txt", "b.txt"]);
    assert!(out.starts_with("A           a.txt · "), "{out}");
    assert!(out.contains("similarity  Jaccard "), "{out}");
    assert!(out.contains("verdict     "), "{out}");
    assert!(
        out.contains("verbatim") && out.contains("A 3:1-3:") && out.contains("B 1:1-1:"),
        "{out}"
    );
    assert!(
        out.contains("The strike that took place last week"),
        "{out}"
    );
    assert!(out.contains("Only in A: 1 run"), "{out}");
    assert!(out.contains("Local news first"), "{out}");
}

#[test]
fn side_by_side_fits_the_requested_width_with_wide_characters() {
    let d = Dir::new();
    let shared = "東京の会社 announced record profits for the third quarter in a row on Friday";
    d.write(
        "a.txt",
        format!("Opening line here. {shared}. 北海道 extra words at the end."),
    );
    d.write(
        "b.txt",
        format!("{shared}, analysts said. 大阪 and more material only in B."),
    );
    for width in ["40", "60", "100"] {
        let out = d.compare(&[
            "a.txt",
            "b.txt",
            "--format",
            "side-by-side",
            "--width",
            width,
        ]);
        let w: usize = width.parse().unwrap();
        for line in out.lines() {
            assert!(line.width() <= w, "width {w}: {line:?} is {}", line.width());
        }
        assert!(out.contains(" │ "), "{out}");
    }
}

#[test]
fn output_file_and_html_format() {
    let d = Dir::new();
    d.write(
        "a.txt",
        "<marquee>bold</marquee> The quick brown fox jumps over the lazy dog.",
    );
    d.write("b.txt", "The quick brown fox jumps over the lazy dog.");
    let out = d.compare(&["a.txt", "b.txt", "--format", "html", "-o", "page.html"]);
    assert!(out.is_empty());
    let page = std::fs::read_to_string(d.path("page.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<marquee"));
    let mut text = String::new();
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    assert!(
        text.contains("&lt;marquee&gt;bold&lt;/marquee&gt; The quick brown fox"),
        "{text}"
    );
}

#[test]
fn help_explains_formats_and_gives_examples() {
    let d = Dir::new();
    let out = d.cmd().args(["compare", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "side-by-side",
        "--color",
        "--output",
        "--shingle",
        "--min-words",
        "Examples:",
    ] {
        assert!(help.contains(needle), "{needle} missing from help:\n{help}");
    }
    let top = d.cmd().arg("--help").output().unwrap();
    assert!(top.status.success());
    assert!(String::from_utf8(top.stdout).unwrap().contains("compare"));
}

#[test]
fn broken_pipe_is_success() {
    let d = Dir::new();
    // Enough output to fill any pipe buffer (about 300 KB of text).
    let text: String = (0..40_000)
        .map(|i| format!("w{} ", i % 997 * 31 + i / 997))
        .collect();
    d.write("a.txt", &text);
    d.write("b.txt", &text);
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_copydesk"))
        .current_dir(d.tmp.path())
        .args(["compare", "a.txt", "b.txt", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---- Index faults (issue 14, item 4): every index error names the index, ----
// ---- says what is wrong in plain words and what to do; `index check`.     ----

/// What every damaged index's error ends with.
const REBUILD: &str =
    "rebuild it: remove i.redb and i.redb.texts, then run filter again over the stream";

/// A filter index of the three-line fixture (two documents kept) at
/// `i.redb` (+ `i.redb.texts`), and the fixture itself at `in.jsonl`.
fn build_index(d: &Dir) {
    std::fs::copy(repo("tests/fixtures/store-v1.jsonl"), d.path("in.jsonl")).unwrap();
    let out = d
        .cmd()
        .args(["filter", "-q", "--index", "i.redb", "in.jsonl"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(d: &Dir, args: &[&str]) -> std::process::Output {
    d.cmd().args(args).output().expect("run copydesk")
}

/// Every command that opens `i.redb` fails with exit status 2 and one
/// line, `copydesk: index i.redb: {problem}…; rebuild it: …`, never a
/// panic. Returns the lines.
fn assert_refused(d: &Dir, problem: &str) -> Vec<String> {
    let commands: [&[&str]; 4] = [
        &["filter", "--index", "i.redb", "in.jsonl"],
        &["index", "stats", "i.redb"],
        &["index", "query", "i.redb", "in.jsonl", "--color", "never"],
        &["index", "remove", "i.redb", "wire-1"],
    ];
    commands
        .iter()
        .map(|args| {
            let out = run(d, args);
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err:?}");
            assert!(
                err.starts_with(&format!("copydesk: index i.redb: {problem}")),
                "{args:?}: {err}"
            );
            assert!(err.contains(REBUILD), "{args:?}: {err}");
            assert!(!err.contains("thread '"), "{args:?}: no panic: {err}");
            err
        })
        .collect()
}

/// `index check i.redb`: exit status, standard output, standard error.
fn check(d: &Dir) -> (Option<i32>, String, String) {
    let out = run(d, &["index", "check", "i.redb"]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts `index check` finds the index damaged, lists `problem` and
/// ends with the remedy on stderr.
fn assert_check_finds(d: &Dir, problem: &str) {
    let (code, out, err) = check(d);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(out.starts_with("index i.redb: damaged, "), "{out}");
    assert!(
        out.contains(&format!("problem          {problem}")),
        "{out}"
    );
    assert!(
        err.starts_with("copydesk: index i.redb: damaged: ") && err.trim_end().ends_with(REBUILD),
        "{err}"
    );
}

fn set_len(path: &Path, len: u64) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

#[test]
fn version_names_the_index_format() {
    // Two builds that write different index formats must not both say "0.1.0".
    let out = Dir::new().cmd().arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "copydesk {} (index format {})\n",
            env!("CARGO_PKG_VERSION"),
            copydesk::index::store::FORMAT_VERSION
        )
    );
}

#[test]
fn index_check_passes_a_sound_index_and_changes_nothing() {
    let d = Dir::new();
    build_index(&d);
    let before = (
        std::fs::read(d.path("i.redb")).unwrap(),
        std::fs::read(d.path("i.redb.texts")).unwrap(),
    );
    let (code, out, err) = check(&d);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.is_empty(), "{err}");
    assert!(
        out.starts_with("index i.redb: sound\nformat version   4\n"),
        "{out}"
    );
    assert!(out.contains("documents        2\n"), "{out}");
    assert!(
        out.contains("texts checked against their stored hashes"),
        "{out}"
    );
    let after = (
        std::fs::read(d.path("i.redb")).unwrap(),
        std::fs::read(d.path("i.redb.texts")).unwrap(),
    );
    assert!(before == after, "index check changed the index");
}

#[test]
fn truncated_index_says_so_and_how_to_rebuild_it() {
    let d = Dir::new();
    build_index(&d);
    let len = std::fs::metadata(d.path("i.redb")).unwrap().len();
    set_len(&d.path("i.redb"), len / 2);
    for err in assert_refused(
        &d,
        "the database file is shorter than its own layout says: it was truncated; ",
    ) {
        // redb's own words stay, once, as the cause.
        assert_eq!(
            err.matches("File truncated below stored layout").count(),
            1,
            "{err}"
        );
    }
    assert_check_finds(&d, "the database file is shorter than its own layout says");
}

#[test]
fn overwritten_index_pages_are_an_error_not_a_crash() {
    let d = Dir::new();
    build_index(&d);
    // Bytes overwritten in every page after the header (dd conv=notrunc).
    let mut bytes = std::fs::read(d.path("i.redb")).unwrap();
    for page in (4096..bytes.len()).step_by(4096) {
        bytes[page + 100..page + 116].fill(0xA5);
    }
    std::fs::write(d.path("i.redb"), &bytes).unwrap();
    assert_refused(&d, "the database file is damaged");
    assert_check_finds(
        &d,
        "the database file is damaged: its pages fail redb's checks",
    );
    assert!(
        std::fs::read(d.path("i.redb")).unwrap() == bytes,
        "index check changed the index"
    );
}

#[test]
fn a_text_file_or_an_empty_file_in_place_of_an_index_is_named_as_such() {
    let d = Dir::new();
    build_index(&d);
    std::fs::copy(repo("README.md"), d.path("i.redb")).unwrap();
    assert_refused(
        &d,
        "not a copydesk index: the file is not a database at all",
    );
    assert_check_finds(
        &d,
        "not a copydesk index: the file is not a database at all",
    );
    set_len(&d.path("i.redb"), 0);
    assert_refused(&d, "the file is empty, not an index; ");
    assert_check_finds(&d, "the file is empty, not an index");
}

#[test]
fn texts_file_cut_short_or_missing_is_named_with_its_index() {
    let d = Dir::new();
    build_index(&d);
    let len = std::fs::metadata(d.path("i.redb.texts")).unwrap().len();
    set_len(&d.path("i.redb.texts"), 10);
    assert_refused(
        &d,
        &format!(
            "its texts file i.redb.texts holds 10 bytes but the index committed {len}: it was \
             truncated or replaced; "
        ),
    );
    assert_check_finds(&d, "its texts file i.redb.texts holds 10 bytes");
    assert_check_finds(
        &d,
        "the texts of 2 documents lie past the end of the texts file",
    );
    std::fs::remove_file(d.path("i.redb.texts")).unwrap();
    assert_refused(
        &d,
        "its texts file i.redb.texts is missing (an index is two files",
    );
    assert_check_finds(&d, "its texts file i.redb.texts is missing");
}

#[test]
fn index_check_finds_a_text_changed_inside_the_texts_file() {
    let d = Dir::new();
    build_index(&d);
    // Same length, other words: nothing but the stored hash can tell.
    let mut texts = std::fs::read(d.path("i.redb.texts")).unwrap();
    assert!(texts.starts_with(b"Junior doctors"));
    texts[..6].copy_from_slice(b"Senior");
    std::fs::write(d.path("i.redb.texts"), &texts).unwrap();
    assert_check_finds(&d, "document 0 (wire-1): its text, bytes 0..");
    let (_, out, _) = check(&d);
    assert!(
        out.contains("does not match its stored hash: the texts file was changed"),
        "{out}"
    );
}

#[test]
fn index_stats_refuses_an_index_that_filter_refuses() {
    let d = Dir::new();
    build_index(&d);
    // The filter's boilerplate snapshot no longer decodes: filter stops on
    // it, and so must every index command (stats used to show counts).
    let mut store = copydesk::index::store::Store::open(&d.path("i.redb")).unwrap();
    store
        .put_blob("filter-snapshot", b"not a snapshot")
        .unwrap();
    store.commit().unwrap();
    drop(store);
    assert_refused(&d, "the filter's boilerplate snapshot does not decode; ");
    assert_check_finds(&d, "the filter's boilerplate snapshot does not decode");
}

#[test]
fn other_index_formats_say_both_versions_and_what_to_do() {
    let d = Dir::new();
    std::fs::copy(repo("tests/fixtures/store-v1.jsonl"), d.path("in.jsonl")).unwrap();
    std::fs::copy(repo("tests/fixtures/store-v3.redb"), d.path("i.redb")).unwrap();
    std::fs::copy(
        repo("tests/fixtures/store-v3.redb.texts"),
        d.path("i.redb.texts"),
    )
    .unwrap();
    assert_refused(
        &d,
        "written by index format 3; this copydesk reads format 4; rebuild it",
    );
    let (code, out, err) = check(&d);
    assert_eq!(code, Some(2));
    assert!(
        out.starts_with(
            "index i.redb: not checked: written by index format 3\nformat version   3\n"
        ),
        "{out}"
    );
    assert!(
        err.starts_with(
            "copydesk: index i.redb: written by index format 3; this copydesk reads format 4; \
             rebuild it"
        ),
        "{err}"
    );
    // A newer format is not rebuilt: it needs the copydesk that wrote it.
    std::fs::remove_file(d.path("i.redb")).unwrap();
    build_index(&d);
    let db = redb::Database::open(d.path("i.redb")).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
        .unwrap()
        .insert("format-version", &5u32.to_le_bytes()[..])
        .unwrap();
    txn.commit().unwrap();
    drop(db);
    let newer = "written by index format 5; this copydesk reads format 4; it is newer than this \
                 copydesk: read it with a copydesk that reads format 5";
    for args in [
        &["filter", "--index", "i.redb", "in.jsonl"][..],
        &["index", "check", "i.redb"],
    ] {
        let out = run(&d, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            err,
            format!("copydesk: index i.redb: {newer}\n"),
            "{args:?}"
        );
    }
}

#[test]
fn index_in_use_by_another_process_says_to_wait() {
    let d = Dir::new();
    build_index(&d);
    // This test process holds the index open, as a running filter would.
    let store = copydesk::index::store::Store::open(&d.path("i.redb")).unwrap();
    for args in [
        &["index", "stats", "i.redb"][..],
        &["index", "check", "i.redb"],
    ] {
        let out = run(&d, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("copydesk: index i.redb: in use by another process")
                && err.contains("wait for it to finish"),
            "{args:?}: {err}"
        );
    }
    drop(store);
    assert_eq!(check(&d).0, Some(0));
}

// ---- Snapshot over real seed files (changes when the aligner does). ----

#[test]
fn snapshot_text_april_seed_pair() {
    let d = Dir::new();
    let out = d.compare(&[
        s(&repo(SEEDS[3])),
        s(&repo(SEEDS[4])),
        "--color",
        "never",
        "--width",
        "100",
    ]);
    let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
    insta::assert_snapshot!(out.replace(&root, ""));
}
