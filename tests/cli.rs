//! The `copydesk` binary, run on real files in a temporary directory.
//!
//! One harness ([`Dir`]) writes files and runs the built binary with a clean
//! environment (no NO_COLOR, CLICOLOR*, TERM), so results do not depend on
//! the shell that runs `cargo test`. JSON output is decoded into typed
//! structs mirroring the contract in README.md ("JSON output").

use std::collections::HashSet;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use serde::Deserialize;
use unicode_width::UnicodeWidthStr;

mod common;

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

    /// The binary as a plain `std::process::Command` (same directory and
    /// environment as [`Dir::cmd`]), for tests that choose where stderr goes.
    fn std_cmd(&self) -> StdCommand {
        let mut cmd = StdCommand::new(env!("CARGO_BIN_EXE_copydesk"));
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

/// Issue 14: a 1 GB file made `compare` abort on an allocation of 6 GiB.
/// A file over `--max-doc-bytes` is a one-line error naming the file, its
/// size, the limit and how to raise it, and is not read.
#[test]
fn file_over_max_doc_bytes_is_a_one_line_error_naming_file_and_limit() {
    let d = Dir::new();
    let text = "The health secretary made the dramatic announcement on Thursday. ".repeat(40);
    d.write("a.txt", &text);
    d.write("b.txt", "some words");
    let out = d
        .cmd()
        .args([
            "compare",
            "b.txt",
            "a.txt",
            "--max-doc-bytes",
            "2K",
            "-o",
            "out.json",
        ])
        .output()
        .unwrap();
    let err = assert_one_line_error(&out, "a.txt");
    assert_eq!(
        err.trim_end(),
        format!(
            "copydesk: a.txt: file of {} bytes is over the limit of 2 KiB on one document; \
             raise it with --max-doc-bytes",
            text.len()
        )
    );
    assert!(!d.path("out.json").exists());
    // At the limit, or with the limit raised, the file is compared.
    let at = text.len().to_string();
    d.compare(&["b.txt", "a.txt", "--max-doc-bytes", &at]);
    d.compare(&["b.txt", "a.txt", "--max-doc-bytes", "1M"]);
    // A size the flag does not read is a usage error, not a guess.
    let out = d
        .cmd()
        .args(["compare", "a.txt", "b.txt", "--max-doc-bytes", "64MB"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("such as 65536, 64M or 1G"));
}

/// Issue 14: two long documents compare in bounded time with sensible
/// passages. 25,000 words each, sentences of the Gutenberg books in
/// `../shared/data/gutenberg`: a third of them shared, as blocks of 20
/// sentences in another order in B, every fourth block with a word put into
/// each sentence. (benches/long_compare.sh measures 100,000 words.)
#[test]
fn long_documents_compare_in_bounded_time_with_their_shared_blocks_found() {
    let dir = repo("../shared/data/gutenberg");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} not found", dir.display());
        return;
    };
    let mut books: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    books.sort();
    let text: String = books
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect::<Vec<_>>()
        .join(" ");
    let sentences: Vec<String> = text
        .split_inclusive(['.', '!', '?'])
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| s.split(' ').count() >= 6 && s.split(' ').count() <= 40)
        .collect();
    assert!(sentences.len() > 10_000, "{} sentences", sentences.len());
    // Consecutive sentences, from three places far apart in the books
    // (past the first one's licence header).
    let run = |from: usize, words: usize| -> Vec<String> {
        let mut out = Vec::new();
        let mut n = 0;
        for s in &sentences[from..] {
            if n >= words {
                break;
            }
            n += s.split(' ').count();
            out.push(s.clone());
        }
        out
    };
    let eighth = sentences.len() / 8;
    let shared = run(eighth, 8_500);
    let (own_a, own_b) = (run(3 * eighth, 16_500), run(5 * eighth, 16_500));
    let blocks: Vec<Vec<String>> = shared.chunks(20).map(<[String]>::to_vec).collect();
    // A: its own sentences with the shared blocks in order between them;
    // B: its own with the blocks in reverse order, every fourth edited.
    let interleave = |own: &[String], blocks: &[Vec<String>]| -> String {
        let step = own.len() / (blocks.len() + 1);
        let mut out: Vec<String> = Vec::new();
        for (i, chunk) in own.chunks(step.max(1)).enumerate() {
            out.extend(chunk.iter().cloned());
            if let Some(b) = blocks.get(i) {
                out.extend(b.iter().cloned());
            }
        }
        out.join(" ")
    };
    let edit = |block: &[String]| -> Vec<String> {
        block
            .iter()
            .map(|s| s.replacen(' ', " indeed ", 1))
            .collect()
    };
    let edited: Vec<Vec<String>> = blocks
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| if i % 4 == 0 { edit(b) } else { b.clone() })
        .collect();
    let d = Dir::new();
    let a = d.write("a.txt", interleave(&own_a, &blocks));
    let b = d.write("b.txt", interleave(&own_b, &edited));
    let start = std::time::Instant::now();
    let json = d.compare_json(&a, &b);
    let took = start.elapsed();
    assert!(took.as_secs_f64() < 20.0, "{took:?}");
    let (ta, tb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // Every shared block is inside the passages on both sides, and little
    // else is: A's words inside passages are about a third of them.
    let inside = |spans: Vec<SpanJson>, bytes: &[u8]| -> String {
        let mut s = String::new();
        for sp in spans {
            s.push_str(&String::from_utf8_lossy(sp.of(bytes)));
            s.push(' ');
        }
        words(&s).join(" ")
    };
    // The inserted word is left out on both sides, so an edited block
    // reads as its original.
    let unedited = |w: String| w.replace(" indeed ", " ");
    let in_a = unedited(inside(json.passages.iter().map(|p| p.a).collect(), &ta));
    let in_b = unedited(inside(json.passages.iter().map(|p| p.b).collect(), &tb));
    for block in &blocks {
        // An edited block's first word sits before the first change,
        // outside any exact match of three words: not in the passage.
        let w = words(&block.join(" ")).join(" ");
        let w = unedited(w.split_once(' ').unwrap().1.to_string());
        assert!(in_a.contains(&w), "block not found in A: {w:.80}");
        assert!(in_b.contains(&w), "block not found in B: {w:.80}");
    }
    let total = words(&String::from_utf8_lossy(&ta)).len() as f64;
    let share = in_a.split(' ').count() as f64 / total;
    assert!((0.3..0.45).contains(&share), "{share}");
    assert_eq!(json.verdict, "partial");
    assert!(json.passages.iter().any(|p| p.moved));
    assert!(json.passages.iter().any(|p| p.kind == "edited"));
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
        common::skipped(
            "clough_stevenson_windows_1252_answer_maps_spans_to_file_bytes",
            &format!("{} not present", a.display()),
        );
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

// ---- Faults and bad input (issue 14) ----

/// A pipe whose reader is gone: every write to it fails with EPIPE, as
/// standard error does under `copydesk ... 2>&1 >/dev/null | true` once
/// `true` has exited (here without the race).
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: pipe() writes two new descriptors into `fds` on success.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
    // SAFETY: both descriptors are new and owned here, once each.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    Stdio::from(write)
}

/// Places where every write fails: a closed pipe (EPIPE) and, where the
/// system has it, /dev/full (ENOSPC).
fn dead_ends() -> Vec<(&'static str, Stdio)> {
    let mut ends = vec![("closed pipe", closed_pipe())];
    match std::fs::OpenOptions::new().write(true).open("/dev/full") {
        Ok(f) => ends.push(("/dev/full", Stdio::from(f))),
        Err(e) => eprintln!("skipped the /dev/full case: {e}"),
    }
    ends
}

/// Files for the fault tests: two texts (one Windows-1252, which earns a
/// note on stderr) and a JSON Lines stream holding a copy.
fn fault_fixture() -> Dir {
    let d = Dir::new();
    d.write(
        "a.txt",
        "Almost 3,000 operations were cancelled across England on Wednesday, NHS England said.",
    );
    d.write(
        "cp1252.txt",
        b"NHS figures show almost 3,000 operations were cancelled \x93across England\x94.",
    );
    d.write(
        "in.jsonl",
        "{\"id\":\"a\",\"text\":\"one two three four five six seven\"}\n\
         {\"id\":\"b\",\"text\":\"one two three four five six seven\"}\n",
    );
    d
}

// Issue 14: a failed write to standard error (its reader gone, a full disk)
// made every command panic with exit 101. Diagnostics are best effort now:
// the command ends with the status it would have had.
#[test]
fn closed_stderr_is_not_a_panic() {
    let d = fault_fixture();
    let made = d
        .cmd()
        .args(["filter", "in.jsonl", "--index", "seen.redb", "-q"])
        .output()
        .unwrap();
    assert!(made.status.success());
    let cases: [(&[&str], i32); 6] = [
        // The final error line.
        (&["compare", "a.txt", "missing.txt"], 2),
        // The Windows-1252 note.
        (&["compare", "cp1252.txt", "a.txt"], 0),
        (&["report", "cp1252.txt", "a.txt"], 0),
        // The summary.
        (&["filter", "in.jsonl"], 0),
        // "removed 0 documents", then the error.
        (&["index", "remove", "seen.redb", "nobody"], 2),
        (&["index", "stats", "missing.redb"], 2),
    ];
    for (args, code) in cases {
        for (what, stderr) in dead_ends() {
            let out = d
                .std_cmd()
                .args(args)
                .stdin(Stdio::null())
                .stderr(stderr)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(code),
                "copydesk {args:?} with stderr on a {what}"
            );
            if code == 0 && args[0] != "report" {
                assert!(!out.stdout.is_empty(), "{args:?}: the result is written");
            }
        }
    }
}

// Issue 14: a closed standard output (`copydesk report DIR | head -1`) ends
// the command quietly with status 0, as in ripgrep, for every command (the
// compare case is `broken_pipe_is_success`). This held at d826d80 already;
// the test keeps it so.
#[test]
fn closed_stdout_is_success_for_every_command() {
    let d = fault_fixture();
    let status = d
        .cmd()
        .args(["filter", "in.jsonl", "--index", "seen.redb", "-q"])
        .output()
        .unwrap();
    assert!(status.status.success());
    let corpus = repo("corpus");
    let cases: [&[&str]; 5] = [
        &["report", s(&corpus)],
        &["report", s(&corpus), "--format", "json"],
        &["filter", "in.jsonl"],
        &["index", "stats", "seen.redb"],
        &["--help"],
    ];
    for args in cases {
        let out = d
            .std_cmd()
            .args(args)
            .stdin(Stdio::null())
            .stdout(closed_pipe())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "copydesk {args:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `copydesk ARGS`, with stdout and stderr as text.
fn run(d: &Dir, args: &[&str]) -> (Option<i32>, String, String) {
    let out = d.cmd().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A JSON Lines file of two copies with a record whose text is a number
/// between them and a malformed line after.
const BAD_JSONL: &str = "{\"id\":\"a\",\"text\":\"one two three four five six seven\"}\n\
    {\"id\":\"b\",\"text\":5}\n\
    \n\
    {\"id\":\"c\",\"text\":\"one two three four five six seven\"}\n\
    not json\n";

// Issue 14: `report` exited 0 when inputs could not be read, even when none
// could; an unreadable input is an error now (exit 2, no report), and
// --skip-bad reports on the rest.
#[test]
fn report_fails_when_an_input_cannot_be_read() {
    let d = fault_fixture();
    d.write("bin.bin", b"ab\0cd");
    d.write("bad.jsonl", BAD_JSONL);
    let cases: [&[&str]; 4] = [
        &["report", "a.txt", "bin.bin"],
        &[
            "report", "a.txt", "bin.bin", "--format", "json", "-o", "r.json",
        ],
        &["report", "--jsonl", "bad.jsonl"],
        &["report", "--jsonl", "bad.jsonl", "--pairs-only"],
    ];
    for args in cases {
        let (code, out, err) = run(&d, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: no report: {out}");
        assert!(
            err.contains("bin.bin: binary file") || err.contains("bad.jsonl:5: malformed JSON"),
            "{args:?}: {err}"
        );
        assert!(err.contains("--skip-bad"), "{args:?}: {err}");
    }
    assert!(!d.path("r.json").exists(), "no report file");
    // Nothing to report on, with --skip-bad or without.
    for args in [
        &["report", "bin.bin"][..],
        &["report", "--skip-bad", "bin.bin"],
    ] {
        let (code, out, err) = run(&d, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains("no document could be read"), "{args:?}: {err}");
    }
}

// Issue 14: with --skip-bad the report is written (exit 0) and still lists
// what could not be read, on stderr and in the report.
#[test]
fn report_skip_bad_lists_failures_and_exits_0() {
    let d = fault_fixture();
    d.write("bin.bin", b"ab\0cd");
    d.write("bad.jsonl", BAD_JSONL);
    let (code, out, err) = run(&d, &["report", "--skip-bad", "a.txt", "bin.bin"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Unreadable inputs: 1\n  bin.bin: "), "{out}");
    assert!(err.contains("bin.bin: binary file"), "{err}");
    let (code, out, err) = run(&d, &["report", "--skip-bad", "--jsonl", "bad.jsonl"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("copydesk report: 2 documents"), "{out}");
    assert!(out.contains("Unreadable inputs: 2\n"), "{out}");
}

// Issue 14: `report --pairs-only` counted the lines that failed as
// documents ("3 documents" for 1) and its text output did not list them.
#[test]
fn pairs_only_counts_documents_and_lists_bad_lines() {
    let d = Dir::new();
    d.write("bad.jsonl", BAD_JSONL);
    let args = [
        "report",
        "--jsonl",
        "bad.jsonl",
        "--pairs-only",
        "--skip-bad",
    ];
    let (code, out, err) = run(&d, &args);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("2 documents, 1 pair with"), "{out}");
    assert!(out.contains("\n1.000\ta\tc\n"), "{out}");
    assert!(
        out.ends_with(
            "Unreadable inputs: 2\n  bad.jsonl:2: field \"text\" is not a string\n  \
             bad.jsonl:5: malformed JSON: expected ident at line 1 column 2\n"
        ),
        "{out}"
    );
    let (code, out, err) = run(&d, &[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["documents"], 2, "{v}");
    assert_eq!(v["unreadable"].as_array().unwrap().len(), 2, "{v}");
}

// Issue 14: the exit codes are in `report --help`.
#[test]
fn report_help_gives_the_exit_status() {
    let (code, out, _) = run(&Dir::new(), &["report", "--help"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("Exit status: 0 when the report was written"),
        "{out}"
    );
    assert!(out.contains("--skip-bad"), "{out}");
}

// Issue 14: OS errors and paths were printed twice (`adir: Is a directory
// (os error 21): Is a directory (os error 21)`, `bin.bin: bin.bin: binary
// file`). Every error names its path and its cause once.
#[test]
fn errors_name_path_and_cause_once() {
    let d = fault_fixture();
    d.write("bin.bin", b"ab\0cd");
    std::fs::create_dir(d.path("adir")).unwrap();
    std::fs::create_dir(d.path("tree")).unwrap();
    std::fs::write(
        d.path("tree/a.txt"),
        "Almost 3,000 operations were cancelled.",
    )
    .unwrap();
    std::os::unix::fs::symlink("/nonexistent/x", d.path("tree/dangling.txt")).unwrap();
    let once = |err: &str, part: &str| {
        assert_eq!(err.matches(part).count(), 1, "{part:?} once in {err:?}");
    };
    // A directory read as a JSON Lines file: the OS error.
    for pairs in [false, true] {
        let mut args = vec!["report", "--jsonl", "adir"];
        if pairs {
            args.push("--pairs-only");
        }
        let (code, _, err) = run(&d, &args);
        assert_eq!(code, Some(2));
        assert!(err.starts_with("copydesk: adir: "), "{err}");
        once(&err, "adir");
        once(&err, "(os error 21)");
    }
    // The report's list of unreadable inputs, on stderr and in JSON.
    let args = ["report", "--skip-bad", "--format", "json"];
    let (code, out, err) = run(&d, &[&args[..], &["a.txt", "bin.bin", "tree"]].concat());
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("copydesk: bin.bin: binary file (NUL byte at offset 2)"),
        "{err}"
    );
    once(&err, "bin.bin");
    assert!(
        err.contains("copydesk: tree/dangling.txt: No such file or directory (os error 2)"),
        "{err}"
    );
    once(&err, "dangling.txt");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let messages: Vec<&str> = v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "binary file (NUL byte at offset 2), expected text",
            "No such file or directory (os error 2)"
        ]
    );
    // A file without read permission (as root the read succeeds: skipped).
    let noperm = d.write("noperm.txt", "some words");
    std::fs::set_permissions(&noperm, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    if std::fs::read(&noperm).is_ok() {
        eprintln!("skipped the permission case: running as root, chmod 000 does not stop reads");
        return;
    }
    let (code, _, err) = run(&d, &["compare", "noperm.txt", "a.txt"]);
    assert_eq!(code, Some(2));
    once(&err, "noperm.txt");
    once(&err, "(os error 13)");
    let (code, _, err) = run(&d, &["report", "--skip-bad", "noperm.txt", "a.txt"]);
    assert_eq!(code, Some(0));
    once(&err, "noperm.txt");
    once(&err, "(os error 13)");
}

// Issue 14: `compare -` reads one side from standard input (it was
// "-: no such file").
#[test]
fn compare_reads_one_side_from_stdin() {
    let d = fault_fixture();
    let text = std::fs::read(d.path("a.txt")).unwrap();
    d.write(
        "b.txt",
        "NHS figures show almost 3,000 operations were cancelled across England on Wednesday.",
    );
    let files = d.compare(&["a.txt", "b.txt", "--format", "json"]);
    for (args, side) in [(["-", "b.txt"], "a"), (["b.txt", "-"], "b")] {
        let out = d
            .cmd()
            .arg("compare")
            .args(args)
            .args(["--format", "json"])
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let piped: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(piped["documents"][side]["id"], "-");
        assert_eq!(piped["documents"][side]["bytes"], text.len());
        if side == "a" {
            let mut files: serde_json::Value = serde_json::from_str(&files).unwrap();
            files["documents"]["a"]["id"] = "-".into();
            assert_eq!(piped, files, "the same comparison as from the file");
        }
    }
    let out = d.cmd().args(["compare", "-", "-"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input can be only one side"));
}

// Issue 14: `-o -` is standard output wherever `-o/--output` exists (it
// wrote a file named `-`).
#[test]
fn output_dash_is_standard_output() {
    let d = fault_fixture();
    let cases: [&[&str]; 5] = [
        &["compare", "a.txt", "cp1252.txt", "-o", "-"],
        &[
            "report",
            "a.txt",
            "cp1252.txt",
            "--format",
            "json",
            "-o",
            "-",
        ],
        &["report", "--jsonl", "in.jsonl", "--pairs-only", "-o", "-"],
        &["filter", "in.jsonl", "-o", "-"],
        &[
            "filter",
            "in.jsonl",
            "--output",
            "-",
            "--index",
            "seen.redb",
        ],
    ];
    for args in cases {
        let (code, out, err) = run(&d, args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(!out.is_empty(), "{args:?}: written to standard output");
        assert!(!d.path("-").exists(), "{args:?}: no file named -");
    }
}

// Issue 14: a failed run left an empty output file behind (`filter
// --dropped nodir/d.jsonl -o kept.jsonl` made kept.jsonl, and emptied it
// when it held lines); nothing is created before the inputs and outputs
// are checked, a file the failed run created is removed while still empty,
// and a file that existed is left as it was.
#[test]
fn failed_run_leaves_no_empty_output_file() {
    let d = fault_fixture();
    let input = std::fs::read(d.path("in.jsonl")).unwrap();
    let cases: [(&[&str], &[u8], &[&str]); 5] = [
        (
            &["filter", "--dropped", "nodir/d.jsonl", "-o", "kept.jsonl"],
            &input,
            &["kept.jsonl"],
        ),
        (
            &[
                "filter",
                "nope.jsonl",
                "--index",
                "new.redb",
                "-o",
                "kept.jsonl",
            ],
            b"",
            &["kept.jsonl", "new.redb", "new.redb.texts"],
        ),
        (
            &["filter", "-o", "kept.jsonl", "--dropped", "d.jsonl"],
            b"not json\n",
            &["kept.jsonl", "d.jsonl"],
        ),
        (
            &[
                "report",
                "--jsonl",
                "in.jsonl",
                "--pairs-only",
                "--format",
                "html",
                "-o",
                "p.html",
            ],
            b"",
            &["p.html"],
        ),
        (
            &["compare", "a.txt", "nope.txt", "-o", "c.html"],
            b"",
            &["c.html"],
        ),
    ];
    for (args, stdin, outputs) in cases {
        let out = d.cmd().args(args).write_stdin(stdin).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        for name in outputs {
            assert!(!d.path(name).exists(), "{args:?} left {name} behind");
        }
    }
    // A file that was there stays as it was when the run fails before it
    // starts (kept.jsonl was emptied here), and stays, empty, when the
    // run fails after starting (a fresh run empties its outputs).
    let earlier = "{\"id\":\"earlier\",\"text\":\"kept before\"}\n";
    d.write("kept.jsonl", earlier);
    d.write("d.jsonl", "");
    let out = d
        .cmd()
        .args(["filter", "--dropped", "nodir/d.jsonl", "-o", "kept.jsonl"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(d.path("kept.jsonl")).unwrap(),
        earlier
    );
    let out = d
        .cmd()
        .args(["filter", "-o", "kept.jsonl", "--dropped", "d.jsonl"])
        .write_stdin(b"not json\n".to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(d.path("kept.jsonl").exists() && d.path("d.jsonl").exists());
    // A run that succeeds keeps its outputs, even empty ones.
    let out = d
        .cmd()
        .args([
            "filter",
            "-q",
            "-o",
            "new-kept.jsonl",
            "--dropped",
            "new-d.jsonl",
        ])
        .write_stdin(b"{\"id\":\"a\",\"text\":\"words\"}\n".to_vec())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read(d.path("new-d.jsonl")).unwrap(), b"");
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

fn run_output(d: &Dir, args: &[&str]) -> std::process::Output {
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
            let out = run_output(d, args);
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
    let out = run_output(d, &["index", "check", "i.redb"]);
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
        let out = run_output(&d, args);
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
        let out = run_output(&d, args);
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
