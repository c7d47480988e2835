//! `copydesk filter` and `copydesk index ...` through the built binary.

mod common;

use common::{dropped_records, stream, Harness};
use serde_json::json;

fn line(id: &str, source: &str, text: &str) -> String {
    json!({"id": id, "source": source, "text": text}).to_string()
}

const WIRE: &str = "Junior doctors in England will strike again next month after talks with the \
government over a new contract broke down, the British Medical Association said on Thursday. \
The union said the health secretary had refused to move on weekend pay and on the safeguards \
for long hours that its members asked for. Hospitals cancelled thousands of routine operations \
during the first walkout and expect to do so again. The Department of Health said the offer \
was fair and that most doctors would see their basic pay rise under the new terms.";

/// A longer wire story: its first half, syndicated, is a contained copy.
fn wire_long() -> String {
    format!(
        "{WIRE} Union leaders met regional organisers in Manchester on Tuesday evening to plan \
         picket lines outside forty hospitals across the north west. Several trusts said they \
         would postpone outpatient clinics and move consultants onto ward rounds for the day. \
         Patient groups asked both sides to return to talks before the first day of action. \
         A spokesman for the prime minister said the government would not reopen negotiations \
         on the core elements of the package but remained willing to discuss its introduction. \
         Hospital chiefs warned that a second walkout in the same month would leave waiting \
         lists longer than at any time since the winter crisis two years ago. Medical students \
         joined the rallies in several cities and said they feared for their own training. \
         The opposition called for an independent review of the evidence on weekend deaths \
         that ministers had used to justify the changes. Talks are expected to resume once \
         the conciliation service has met both sides separately in the coming days."
    )
}

fn kept_ids(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn kept_lines_pass_byte_for_byte_and_copies_are_dropped_with_reasons() {
    let h = Harness::new();
    // The first third of a longer story, a dateline and a footer.
    let long = wire_long();
    let syndicated = format!(
        "NEWCASTLE (Northern Courier) - {} Read more from the Northern Courier.",
        &long[..long.find("Union leaders").unwrap()]
    );
    // Odd bytes on purpose: CRLF, escapes, key order, no final newline.
    let input = format!(
        "{}\r\n{}\n{}\n{}\n{}",
        r#"{"text": "Caf\u00e9 owners say \"no\".", "id": "a"}"#,
        line("wire-1", "wire", &long),
        line("dup-exact", "paper", &long),
        line(
            "dup-edited",
            "paper",
            &long
                .replace("fair", "reasonable")
                .replace("Thursday", "Friday")
        ),
        line("syndicated", "courier", &syndicated),
    );
    h.write("in.jsonl", &input);
    let out = h.run(&["filter", "in.jsonl", "--dropped", "dropped.jsonl"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first_two: Vec<&str> = input.splitn(3, '\n').take(2).collect();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n{}\n", first_two[0], first_two[1])
    );
    let dropped = dropped_records(&h.read("dropped.jsonl"));
    let reasons: Vec<(&str, &str, &str)> = dropped
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap(),
                d["reason"].as_str().unwrap(),
                d["duplicate_of"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("dup-exact", "exact", "wire-1"),
            ("dup-edited", "near-duplicate", "wire-1"),
            ("syndicated", "contained", "wire-1"),
        ]
    );
    for d in &dropped {
        let sim = d["similarity"].as_f64().unwrap();
        let cont = d["containment"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&sim) && (0.0..=1.0).contains(&cont));
        let passages = d["passages"].as_array().unwrap();
        assert!(!passages.is_empty());
        for p in passages {
            for side in ["doc", "duplicate_of"] {
                let (s, e) = (
                    p[side]["start"].as_u64().unwrap(),
                    p[side]["end"].as_u64().unwrap(),
                );
                assert!(s < e, "{p}");
            }
        }
    }
    // The syndicated copy's passage points at the wire text inside it.
    let synd = &dropped[2]["passages"][0];
    let (s, e) = (
        synd["doc"]["start"].as_u64().unwrap() as usize,
        synd["doc"]["end"].as_u64().unwrap() as usize,
    );
    assert!(syndicated[s..e].starts_with("Junior doctors in England"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("read 5 lines, kept 2, dropped 3"),
        "{stderr}"
    );
}

#[test]
fn malformed_line_is_an_error_naming_file_and_line() {
    let h = Harness::new();
    h.write(
        "in.jsonl",
        format!(
            "{}\n{{not json\n{}\n",
            line("a", "s", WIRE),
            line("b", "s", "other")
        ),
    );
    let out = h.run(&["filter", "in.jsonl"], b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("copydesk: in.jsonl:2: malformed JSON"),
        "{stderr}"
    );
    // Lines before the bad one were still written.
    assert_eq!(kept_ids(&out.stdout), ["a"]);

    let out = h.run(&["filter", "-", "--id-field", "id"], b"{\"id\": 1}\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-:1: missing text field \"text\""));
}

#[test]
fn on_error_skip_records_bad_and_blank_lines_so_no_line_is_lost() {
    let h = Harness::new();
    let input = format!(
        "{}\n{{broken\n\n{}\n{}\n",
        line("a", "s", WIRE),
        line(
            "b",
            "s",
            "A short different text about something else entirely."
        ),
        line("c", "t", WIRE)
    );
    let out = h.run(
        &["filter", "--on-error", "skip", "--dropped", "d.jsonl"],
        input.as_bytes(),
    );
    assert!(out.status.success());
    assert_eq!(kept_ids(&out.stdout), ["a", "b"]);
    let d = dropped_records(&h.read("d.jsonl"));
    let got: Vec<(u64, &str)> = d
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(2, "malformed"), (3, "blank"), (5, "exact")]);
    assert_eq!(d[0]["raw"], "{broken");
    assert!(d[0]["error"]
        .as_str()
        .unwrap()
        .starts_with("malformed JSON"));
    // Every input line is accounted for exactly once.
    assert_eq!(kept_ids(&out.stdout).len() + d.len(), input.lines().count());
}

/// Issue 14: a 1 GB record made `filter` abort on an allocation of 6 GiB,
/// and the small record before it was never written. A record over
/// `--max-doc-bytes` stops the run like a malformed line: exit 2, naming
/// file, line, size and limit, after everything before it was written and
/// committed, so a rerun with the limit raised goes on from it.
#[test]
fn record_over_max_doc_bytes_stops_the_run_after_the_lines_before_it() {
    let h = Harness::new();
    let big = line("big", "s", &wire_long().repeat(3));
    let input = format!(
        "{}\n{}\n{big}\n{}\n",
        line("a", "s", WIRE),
        line(
            "b",
            "s",
            "A short different text about something else entirely."
        ),
        line(
            "c",
            "t",
            "Yet another text, on another subject altogether, for the end."
        )
    );
    h.write("in.jsonl", &input);
    let args = [
        "filter",
        "in.jsonl",
        "--index",
        "seen.redb",
        "-o",
        "out.jsonl",
    ];
    let out = h.run(&[&args[..], &["--max-doc-bytes", "4K"]].concat(), b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "copydesk: in.jsonl:3: record of {} bytes is over the limit of 4 KiB on one \
             document; raise it with --max-doc-bytes",
            big.len()
        )
    );
    assert_eq!(kept_ids(&h.read("out.jsonl")), ["a", "b"]);
    // Committed: the rerun with the limit raised starts at the big record.
    let out = h.run(&[&args[..], &["--max-doc-bytes", "1M"]].concat(), b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("after line 2"));
    assert_eq!(kept_ids(&h.read("out.jsonl")), ["a", "b", "big", "c"]);
}

/// Issue 14: under `--on-error skip`, a record over `--max-doc-bytes` goes
/// to the dropped log with reason `oversized` (the line is not copied)
/// and the run goes on.
#[test]
fn record_over_max_doc_bytes_is_skipped_into_the_dropped_log() {
    let h = Harness::new();
    let big = line("big", "s", &wire_long().repeat(3));
    let input = format!(
        "{}\n{big}\r\n{}\n",
        line("a", "s", WIRE),
        line("c", "t", WIRE)
    );
    let out = h.run(
        &[
            "filter",
            "--on-error",
            "skip",
            "--dropped",
            "d.jsonl",
            "--max-doc-bytes",
            "4K",
        ],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(kept_ids(&out.stdout), ["a"]);
    let d = dropped_records(&h.read("d.jsonl"));
    let got: Vec<(u64, &str)> = d
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(2, "oversized"), (3, "exact")]);
    assert_eq!(
        d[0]["error"],
        format!(
            "record of {} bytes is over the limit of 4 KiB on one document; \
             raise it with --max-doc-bytes",
            big.len()
        )
    );
    assert!(d[0].get("raw").is_none(), "{}", d[0]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 oversized"), "{stderr}");
    // Every input line is accounted for exactly once.
    assert_eq!(kept_ids(&out.stdout).len() + d.len(), input.lines().count());
}

/// Issue 14: the line over the limit is read no further than the limit
/// and skipped to its end, never held whole: 160 MB of one record through
/// a pipe leave the filter's peak memory where a small input leaves it.
#[cfg(target_os = "linux")]
#[test]
fn a_record_over_the_limit_is_not_held_in_memory() {
    use std::io::Write;
    let h = Harness::new();
    // Runs the filter on a stream of `mb` megabytes of one record between
    // two small ones; its peak RSS in MB.
    let peak_rss = |mb: usize| -> (f64, Vec<u8>) {
        // Reaped by wait4 below, which also gives its peak memory.
        #[allow(clippy::zombie_processes)]
        let mut child = h
            .command()
            .args([
                "filter",
                "--on-error",
                "skip",
                "--max-doc-bytes",
                "1M",
                "-q",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let words = "lorem ipsum dolor sit amet ".repeat(1 << 15);
            let _ = writeln!(stdin, "{}", line("a", "s", WIRE));
            let _ = write!(stdin, "{{\"id\":\"big\",\"text\":\"");
            for _ in 0..mb * (1 << 20) / words.len() {
                if stdin.write_all(words.as_bytes()).is_err() {
                    return;
                }
            }
            let _ = writeln!(stdin, "\"}}");
            let _ = writeln!(stdin, "{}", line("c", "t", "Another text."));
        });
        let mut stdout = Vec::new();
        std::io::Read::read_to_end(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
        writer.join().unwrap();
        let mut status = 0;
        // SAFETY: `rusage` is plain integers, for which all-zero is valid.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: wait4 writes only through the two pointers, which point
        // at live locals; the child was not waited for, so its pid is still
        // ours to reap.
        let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
        assert_eq!(pid, child.id() as i32);
        (usage.ru_maxrss as f64 / 1024.0, stdout)
    };
    let (small, _) = peak_rss(2);
    let (big, kept) = peak_rss(160);
    assert_eq!(kept_ids(&kept), ["a", "c"]);
    assert!(
        big < small + 40.0,
        "peak RSS {big:.0} MB for 160 MB, {small:.0} MB for 2 MB"
    );
}

#[test]
fn custom_fields_are_read() {
    let h = Harness::new();
    let input = format!(
        "{}\n{}\n",
        json!({"key": "x1", "body": WIRE, "outlet": "w"}),
        json!({"key": "x2", "body": WIRE, "outlet": "p"})
    );
    let out = h.run(
        &[
            "filter",
            "--id-field",
            "key",
            "--text-field",
            "body",
            "--source-field",
            "outlet",
            "--dropped",
            "d.jsonl",
        ],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = dropped_records(&h.read("d.jsonl"));
    assert_eq!(
        (d[0]["id"].as_str(), d[0]["duplicate_of"].as_str()),
        (Some("x2"), Some("x1"))
    );
}

#[test]
fn site_chrome_does_not_make_a_sites_pages_duplicates_but_copies_still_drop() {
    // 300 pages over 6 sites, each in its site's chrome, 15% planted copies.
    let s = stream(7, 300, 6, 0.15);
    let h = Harness::new();
    h.write("in.jsonl", s.lines.join("\n") + "\n");
    let out = h.run(&["filter", "in.jsonl", "--dropped", "d.jsonl"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = dropped_records(&h.read("d.jsonl"));
    let planted: usize = s.copy_of.iter().filter(|c| c.is_some()).count();
    let wrong: Vec<&str> = d
        .iter()
        .filter(|r| {
            let i: usize = r["id"].as_str().unwrap()[4..].parse().unwrap();
            s.copy_of[i].is_none()
        })
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(wrong.is_empty(), "unrelated pages dropped: {wrong:?}");
    assert!(
        d.len() * 100 >= planted * 95,
        "{} of {planted} copies dropped",
        d.len()
    );
}

#[test]
fn index_persists_across_runs_and_the_same_input_drops_entirely_the_second_time() {
    let s = stream(3, 120, 4, 0.1);
    let h = Harness::new();
    h.write("in.jsonl", s.lines.join("\n") + "\n");
    let first = h.run(&["filter", "--index", "idx.redb", "in.jsonl"], b"");
    assert!(first.status.success());
    let kept_first = kept_ids(&first.stdout).len();
    let second = h.run(
        &[
            "filter",
            "--index",
            "idx.redb",
            "in.jsonl",
            "--dropped",
            "d.jsonl",
        ],
        b"",
    );
    assert!(second.status.success());
    assert!(second.stdout.is_empty(), "everything was seen before");
    let d = dropped_records(&h.read("d.jsonl"));
    assert_eq!(d.len(), 120);
    assert!(d.iter().filter(|r| r["reason"] == "exact").count() >= kept_first);
    // Without --index the same code runs in memory and keeps the same lines.
    let mem = h.run(&["filter", "in.jsonl"], b"");
    assert_eq!(mem.stdout, first.stdout);
}

#[test]
fn copies_of_the_batch_just_before_are_found_while_it_is_being_stored() {
    // Batches end at 256, 512 and 1,024 lines here: the documents kept in
    // lines 256-511 are stored while the batch from line 512 is decided.
    let mut lines = stream(11, 600, 4, 0.0).lines;
    let copy = |lines: &[String], of: usize, id: &str, dateline: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&lines[of]).unwrap();
        let text = format!("{dateline}{}", v["text"].as_str().unwrap());
        v["id"] = json!(id);
        v["text"] = json!(text);
        v.to_string()
    };
    let id_of = |lines: &[String], i: usize| -> String {
        let v: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
        v["id"].as_str().unwrap().to_string()
    };
    lines[520] = copy(&lines, 300, "exact-of-300", "");
    lines[530] = copy(&lines, 400, "dateline-of-400", "PARIS (Wire) - ");
    lines[540] = copy(&lines, 100, "exact-of-100", "");
    let h = Harness::new();
    h.write("in.jsonl", lines.join("\n") + "\n");
    for index in [true, false] {
        let mut args = vec!["filter", "in.jsonl", "--dropped", "d.jsonl"];
        if index {
            args.extend(["--index", "idx.redb"]);
        }
        let out = h.run(&args, b"");
        assert!(out.status.success());
        let d = dropped_records(&h.read("d.jsonl"));
        let pairs: Vec<(String, String)> = d
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["duplicate_of"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            pairs,
            [
                ("exact-of-300".to_string(), id_of(&lines, 300)),
                ("dateline-of-400".to_string(), id_of(&lines, 400)),
                ("exact-of-100".to_string(), id_of(&lines, 100)),
            ],
            "index: {index}"
        );
        assert_eq!(d[1]["reason"], "near-duplicate");
    }
}

#[test]
fn other_parameters_or_format_version_are_a_clear_error_naming_the_index() {
    let h = Harness::new();
    h.write("in.jsonl", line("a", "s", WIRE) + "\n");
    assert!(h
        .run(&["filter", "--index", "idx.redb", "in.jsonl"], b"")
        .status
        .success());
    // The index records shingle size and banding; a corrupt or foreign file is refused.
    h.write("foreign.redb", b"not a database at all, just bytes");
    let out = h.run(&["filter", "--index", "foreign.redb", "in.jsonl"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("index foreign.redb"));
    let out = h.run(&["index", "stats", "idx.redb"], b"");
    let stats = String::from_utf8_lossy(&out.stdout);
    assert!(stats.contains("format version   4"), "{stats}");
    assert!(
        stats.contains("shingle-size=3 hashes=128 bands=42 rows=3"),
        "{stats}"
    );
    assert!(stats.contains("documents        1"), "{stats}");
    assert!(
        stats.contains("last run         finished after line 1 of in.jsonl"),
        "{stats}"
    );
}

#[test]
fn keep_sources_prefers_the_wire_copy_within_the_window() {
    let h = Harness::new();
    let edited = WIRE.replace("fair", "reasonable");
    let input = format!(
        "{}\n{}\n{}\n",
        line("paper-1", "paper", &edited),
        line(
            "other",
            "paper",
            "Nothing to see here, a different story about the weather today."
        ),
        line("wire-1", "reuters", WIRE)
    );
    let out = h.run(
        &[
            "filter",
            "--keep",
            "sources=reuters,ap",
            "--window",
            "10",
            "--dropped",
            "d.jsonl",
        ],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(kept_ids(&out.stdout), ["other", "wire-1"]);
    let d = dropped_records(&h.read("d.jsonl"));
    assert_eq!(d[0]["id"], "paper-1");
    assert_eq!(d[0]["reason"], "preferred-source");
    assert_eq!(d[0]["duplicate_of"], "wire-1");
    // With the default rule the first copy stays.
    let out = h.run(&["filter"], input.as_bytes());
    assert_eq!(kept_ids(&out.stdout), ["paper-1", "other"]);
}

/// The window spans more lines than a batch of the default mode: the
/// preferred copy 300 lines later still replaces the first one.
#[test]
fn keep_sources_window_spans_hundreds_of_lines() {
    let h = Harness::new();
    let pool = common::Pool::load();
    let mut rng = common::Rng::new(5);
    let mut lines = vec![line(
        "paper-1",
        "paper",
        &WIRE.replace("fair", "reasonable"),
    )];
    for i in 0..300 {
        lines.push(line(
            &format!("filler-{i}"),
            "blog",
            &pool.article(&mut rng, 6).join(" "),
        ));
    }
    lines.push(line("wire-1", "reuters", WIRE));
    let input = lines.join("\n") + "\n";
    let out = h.run(
        &[
            "filter",
            "--keep",
            "sources=reuters",
            "--window",
            "1000",
            "--dropped",
            "d.jsonl",
        ],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kept = kept_ids(&out.stdout);
    assert_eq!(kept.first().map(String::as_str), Some("filler-0"));
    assert_eq!(kept.last().map(String::as_str), Some("wire-1"));
    let d = dropped_records(&h.read("d.jsonl"));
    let paper = d
        .iter()
        .find(|r| r["id"] == "paper-1")
        .expect("paper-1 dropped");
    assert_eq!(paper["reason"], "preferred-source");
    assert_eq!(paper["duplicate_of"], "wire-1");
    // A window longer than the limit is refused.
    let out = h.run(
        &["filter", "--keep", "sources=reuters", "--window", "100000"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn index_query_shows_the_stored_match_and_a_word_diff() {
    let h = Harness::new();
    h.write(
        "in.jsonl",
        format!(
            "{}\n{}\n",
            line("wire-1", "wire", WIRE),
            line(
                "b",
                "x",
                "An unrelated note about trains and the weather in the north."
            )
        ),
    );
    assert!(h
        .run(&["filter", "--index", "idx.redb", "-q", "in.jsonl"], b"")
        .status
        .success());
    let copy = format!(
        "LONDON (Wire) - {} Copyright the Daily Ledger.",
        WIRE.replace("Thursday", "Friday")
            .replace("strike again next", "strike next")
    );
    h.write("copy.txt", &copy);
    let out = h.run(
        &["index", "query", "idx.redb", "copy.txt", "--color", "never"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("wire-1"), "{text}");
    assert!(
        text.contains("near-duplicate") || text.contains("contained"),
        "{text}"
    );
    assert!(
        text.starts_with("1 match for copy.txt:\n  wire-1"),
        "{text}"
    );
    assert!(
        text.contains("{+LONDON (Wire+}) - Junior doctors"),
        "{text}"
    );
    assert!(text.contains("[-Thursday-]{+Friday+}"), "{text}");
    // A deletion stands apart from the word after it (it was glued on:
    // `[-again-]next`).
    assert!(text.contains("will strike [-again-] next month"), "{text}");
    assert!(text.contains("{+Copyright the Daily Ledger+}"), "{text}");
    // Coloured on request.
    let out = h.run(
        &[
            "index", "query", "idx.redb", "copy.txt", "--color", "always",
        ],
        b"",
    );
    // In the marks of every inline diff: red and green, no brackets.
    let coloured = String::from_utf8_lossy(&out.stdout);
    assert!(
        coloured.contains("\x1b[31mThursday\x1b[0m\x1b[32mFriday\x1b[0m"),
        "{coloured}"
    );
    assert!(!coloured.contains("[-Thursday-]"), "{coloured}");
    // Something never seen.
    h.write(
        "new.txt",
        "A brand new story about a cat that learned to play the piano in Leeds.",
    );
    let out = h.run(&["index", "query", "idx.redb", "new.txt"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("not seen"));
}

#[test]
fn index_remove_takes_documents_out() {
    let h = Harness::new();
    h.write("in.jsonl", line("wire-1", "wire", WIRE) + "\n");
    assert!(h
        .run(&["filter", "--index", "idx.redb", "-q", "in.jsonl"], b"")
        .status
        .success());
    let out = h.run(&["index", "remove", "idx.redb", "wire-1", "nope"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("removed 1 document") && err.contains("no document with id nope"),
        "{err}"
    );
    // Once removed, the same text is new again.
    let out = h.run(&["filter", "--index", "idx.redb", "in.jsonl"], b"");
    assert_eq!(kept_ids(&out.stdout), ["wire-1"]);
}

/// Acceptance: SIGKILL at 20 random points, rerun each time; the outputs
/// end up exactly those of an uninterrupted run.
#[test]
fn sigkill_at_random_points_then_rerun_gives_the_uninterrupted_output() {
    let s = stream(11, 5000, 8, 0.15);
    let h = Harness::new();
    h.write("in.jsonl", s.lines.join("\n") + "\n");
    let args = |idx: &str, out: &str, dropped: &str| -> Vec<String> {
        [
            "filter",
            "--index",
            idx,
            "-o",
            out,
            "--dropped",
            dropped,
            "--commit-every",
            "64",
            "-q",
            "in.jsonl",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let t0 = std::time::Instant::now();
    let full = h
        .command()
        .args(args("ref.redb", "ref.out", "ref.dropped"))
        .output()
        .unwrap();
    assert!(
        full.status.success(),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );
    let full_ms = t0.elapsed().as_millis() as u64;

    let mut rng = common::Rng::new(42);
    let mut kills = 0;
    let mut finished = false;
    // Grows when a kill lands before the attempt wrote anything (a slow,
    // loaded machine), so kills keep landing mid-run.
    let mut base = 15;
    while kills < 20 {
        let before = h.read("crash.out").len();
        let mut child = h
            .command()
            .args(args("crash.redb", "crash.out", "crash.dropped"))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // A random point: up to a fortieth of a full run into this attempt,
        // so twenty attempts cover about a quarter of the stream and the
        // last run still has work left (kills land mid-run, not after it).
        let delay = base + rng.next() % (full_ms / 40).max(10);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            assert!(status.success(), "attempt {kills}: {err}");
            finished = true;
            break;
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        kills += 1;
        if h.read("crash.out").len() <= before {
            base = base * 3 / 2;
        }
    }
    if !finished {
        let mut last_args = args("crash.redb", "crash.out", "crash.dropped");
        last_args.retain(|a| a != "-q");
        let last = h.command().args(last_args).output().unwrap();
        let stderr = String::from_utf8_lossy(&last.stderr);
        assert!(last.status.success(), "{stderr}");
        assert!(
            stderr.contains("resuming the interrupted run after line"),
            "{stderr}"
        );
    }
    assert_eq!(kills, 20, "the run finished before 20 kills");
    let (a, b) = (h.read("ref.out"), h.read("crash.out"));
    assert!(!a.is_empty());
    assert!(
        a == b,
        "kept output differs after crashes ({} vs {} bytes)",
        a.len(),
        b.len()
    );
    assert!(
        h.read("ref.dropped") == h.read("crash.dropped"),
        "dropped log differs after crashes"
    );
}

/// The checked-in gen_corpus.py stream (tests/fixtures/accuracy/README.md):
/// no unrelated document dropped, and most planted copies found even in
/// this short, mostly warm-up stream.
#[test]
fn accuracy_fixture_drops_no_unrelated_document_and_most_copies() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/accuracy");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    let mut cluster = std::collections::HashMap::new();
    for (c, members) in truth["clusters"].as_array().unwrap().iter().enumerate() {
        for m in members.as_array().unwrap() {
            cluster.insert(m.as_str().unwrap().to_string(), c);
        }
    }
    let h = Harness::new();
    let out = h.run(
        &[
            "filter",
            dir.join("stream.jsonl").to_str().unwrap(),
            "--dropped",
            "d.jsonl",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let input = std::fs::read_to_string(dir.join("stream.jsonl")).unwrap();
    let dropped: std::collections::HashSet<String> = dropped_records(&h.read("d.jsonl"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let mut first_of_cluster = std::collections::HashSet::new();
    let (mut expected, mut found, mut wrong) = (0, 0, Vec::new());
    for l in input.lines() {
        let id = serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        match cluster.get(&id) {
            Some(c) if !first_of_cluster.insert(*c) => {
                expected += 1;
                found += usize::from(dropped.contains(&id));
            }
            _ if dropped.contains(&id) => wrong.push(id),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "unrelated documents dropped: {wrong:?}");
    let recall = found as f64 / expected as f64;
    assert!(recall >= 0.85, "recall {recall:.3} ({found}/{expected})");
}

mod twice {
    use copydesk::filter::{self, FilterOptions, InputStream, StreamSink};
    use copydesk::index::store::Store;
    use proptest::prelude::*;

    fn word() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "the",
            "health",
            "secretary",
            "said",
            "doctors",
            "strike",
            "contract",
            "union",
            "hospital",
            "pay",
            "weekend",
            "talks",
            "minister",
            "patients",
            "England",
            "offer",
        ])
        .prop_map(str::to_string)
    }

    fn doc() -> impl Strategy<Value = (String, String)> {
        (
            prop::sample::select(vec!["a", "b", "c"]),
            prop::collection::vec(word(), 0..60),
        )
            .prop_map(|(src, words)| (src.to_string(), words.join(" ")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Feeding the same JSON Lines twice drops everything the second time.
        #[test]
        fn the_same_stream_twice_drops_everything_the_second_time(docs in prop::collection::vec(doc(), 1..30)) {
            let lines: Vec<String> = docs
                .iter()
                .enumerate()
                .map(|(i, (src, text))| {
                    serde_json::json!({"id": i.to_string(), "source": src, "text": text}).to_string()
                })
                .collect();
            let once = lines.join("\n") + "\n";
            let input = format!("{once}{once}");
            let opts = FilterOptions::default();
            let mut store = Store::in_memory(opts.store_params()).unwrap();
            let reader: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(input.into_bytes()));
            let mut stream = InputStream::new(vec![("-".into(), reader)]);
            let mut kept = StreamSink::new(Vec::new());
            let mut dropped = StreamSink::new(Vec::new());
            let summary = filter::run(&mut store, &mut stream, &mut kept, Some(&mut dropped), &opts, None, &mut |_| {}).unwrap();
            let kept = String::from_utf8(kept.into_inner()).unwrap();
            // Every kept line comes from the first copy of the stream, byte for byte.
            prop_assert!(once.starts_with(kept.lines().next().unwrap_or("")));
            prop_assert!(kept.lines().all(|l| lines.contains(&l.to_string())));
            prop_assert_eq!(summary.kept as usize, kept.lines().count());
            prop_assert!(summary.kept as usize <= lines.len());
            // Every line is accounted for, and all of the second copy was dropped.
            let records = super::dropped_records(&dropped.into_inner());
            prop_assert_eq!(summary.kept as usize + records.len(), 2 * lines.len());
            let second: Vec<&serde_json::Value> = records.iter().filter(|r| r["line"].as_u64().unwrap() as usize > lines.len()).collect();
            prop_assert_eq!(second.len(), lines.len());
        }
    }
}

/// The filter took no source from URLs (only `report` took the id's host),
/// so a feed without a source field learned no site chrome and
/// `--keep sources=` never matched: it must find sources as `report` does.
#[test]
fn filter_takes_sources_from_url_hosts_like_report() {
    let h = Harness::new();
    let edited = WIRE.replace("fair", "reasonable");
    let input = format!(
        "{}\n{}\n{}\n",
        json!({"id": "p1", "url": "https://www.paper.example/news/1", "text": edited}),
        json!({"id": "https://other.example/2", "text": "A different story about the weather."}),
        json!({"id": "https://wire.example/3", "url": "https://wire.example/3", "text": WIRE}),
    );
    let out = h.run(
        &[
            "filter",
            "--keep",
            "sources=wire.example",
            "--dropped",
            "d.jsonl",
        ],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        kept_ids(&out.stdout),
        ["https://other.example/2", "https://wire.example/3"]
    );
    let d = dropped_records(&h.read("d.jsonl"));
    assert_eq!(
        (d[0]["id"].as_str(), d[0]["reason"].as_str()),
        (Some("p1"), Some("preferred-source"))
    );
    // Another URL field: `url` is then an ordinary field, and p1, with a
    // plain id, has no source; the wire copy keeps its id's host.
    let out = h.run(
        &[
            "filter",
            "--url-field",
            "link",
            "--keep",
            "sources=paper.example",
        ],
        input.as_bytes(),
    );
    assert_eq!(kept_ids(&out.stdout)[0], "p1");
}

/// A stream like `gen_corpus.py --sites 3 --url-ids --no-source-field`:
/// URL ids, the same URL in a `url` field, no source field. The filter's
/// index stores the sources `report` lists, the URLs' hosts.
#[test]
fn report_and_filter_give_the_same_sources_from_url_hosts() {
    let h = Harness::new();
    let s = stream(23, 40, 3, 0.2);
    let mut lines = Vec::new();
    for (i, l) in s.lines.iter().enumerate() {
        let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
        let site = v["source"].as_str().unwrap().to_string();
        let url = format!("https://{site}.example/news/d{i:07}");
        let o = v.as_object_mut().unwrap();
        o.remove("source");
        o.insert("id".into(), json!(url));
        o.insert("url".into(), json!(url));
        lines.push(v.to_string());
    }
    h.write("urls.jsonl", lines.join("\n") + "\n");

    let out = h.run(
        &["report", "--jsonl", "urls.jsonl", "--format", "json"],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_id: std::collections::HashMap<&str, (&str, &str)> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap(),
                (
                    d["source"].as_str().unwrap(),
                    d["source_rule"].as_str().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(by_id.len(), 40);
    for (id, (source, rule)) in &by_id {
        assert!(id.contains(&format!("//{source}/")), "{id} {source}");
        assert_eq!(*rule, "url");
    }
    let names: Vec<&str> = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["rules"], json!(["url"]));
            s["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        names,
        ["site-0.example", "site-1.example", "site-2.example"]
    );
    let out = h.run(
        &["report", "--jsonl", "urls.jsonl", "--color", "never"],
        b"",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().nth(1),
        Some("sources: 40 from the hosts of the \"url\" field"),
        "{text}"
    );
    let out = h.run(
        &["report", "--jsonl", "urls.jsonl", "--format", "html"],
        b"",
    );
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(
        html.contains(
            "<p class=\"sources\">sources: 40 from the hosts of the &quot;url&quot; field.</p>"
        ),
        "{html}"
    );

    let out = h.run(&["filter", "--index", "idx.redb", "urls.jsonl"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Each kept document, queried with its own text, is found first, with
    // the source the filter stored for it.
    let kept = kept_ids(&out.stdout);
    assert!(kept.len() >= 20, "{kept:?}");
    let texts: std::collections::HashMap<String, String> = lines
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for id in kept.iter().take(6) {
        h.write("q.txt", &texts[id]);
        let out = h.run(
            &[
                "index", "query", "idx.redb", "q.txt", "--top", "1", "--color", "never",
            ],
            b"",
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let first: Vec<&str> = stdout
            .lines()
            .nth(1)
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(first[..2], [id.as_str(), by_id[id.as_str()].0], "{stdout}");
    }
}

/// `--keep` has one parser (`KeepRule::parse`, as `report`'s): the
/// filter takes its `first` and `sources=...` and refuses the rest with the
/// same message, `sources=` with no source among them (it used to mean
/// `first` here and be an error in `report`).
#[test]
fn filter_keep_is_parsed_as_report_parses_it() {
    let h = Harness::new();
    let input = format!("{}\n", line("a", "wire", WIRE));
    for rule in ["first", "sources=wire", "sources= wire , paper"] {
        let out = h.run(&["filter", "--keep", rule], input.as_bytes());
        assert!(out.status.success(), "--keep {rule}");
        assert_eq!(kept_ids(&out.stdout), ["a"], "--keep {rule}");
    }
    for rule in ["earliest", "longest", "newest", "sources=", "sources= "] {
        let out = h.run(&["filter", "--keep", rule], input.as_bytes());
        assert_eq!(out.status.code(), Some(2), "--keep {rule}");
        assert!(out.stdout.is_empty(), "--keep {rule}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("expected `first` or `sources=A,B,...`"),
            "--keep {rule}: {err}"
        );
    }
}

/// `--dropped -` writes the dropped log to standard output (it created a
/// file named `-`), so the kept lines need `-o FILE`; without one both
/// would share standard output, which is an error naming the fix.
#[test]
fn dropped_dash_is_standard_output() {
    let h = Harness::new();
    let input = format!(
        "{}\n{}\n",
        line("wire-1", "wire", WIRE),
        line("copy", "paper", WIRE)
    );
    let out = h.run(
        &["filter", "-q", "--dropped", "-", "-o", "kept.jsonl"],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(kept_ids(&h.read("kept.jsonl")), ["wire-1"]);
    let d = dropped_records(&out.stdout);
    assert_eq!(
        (d.len(), d[0]["id"].as_str(), d[0]["duplicate_of"].as_str()),
        (1, Some("copy"), Some("wire-1"))
    );
    assert!(!h.path("-").exists(), "no file named -");
    for kept_to_stdout in [&["--dropped", "-"][..], &["--dropped", "-", "-o", "-"]] {
        let args = [&["filter", "-q"][..], kept_to_stdout].concat();
        let out = h.run(&args, input.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("give -o FILE for the kept lines"),
            "{args:?}: {err}"
        );
        assert!(!h.path("-").exists(), "{args:?}: no file named -");
    }
}
