//! One engine: on the same documents in the same order, `copydesk report`'s
//! clusters and `copydesk filter`'s drops are the same, and flattening each
//! page's lines to one line changes neither (issue 13).
//!
//! Corpora: the committed generated fixtures (site chrome, line-shaped),
//! the same flattened to one line a page with their source field removed
//! (chrome found without help), and the real Dragnet pages beside the
//! repository (`../shared/data/dragnet`; skipped with a note when absent).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{dropped_records, Harness};
use serde_json::Value;

/// (copy, kept) links: every document dropped and the kept one it copies.
type Links = BTreeSet<(String, String)>;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The filter's drops of `input` (a file in the harness's folder):
/// (id, duplicate_of) of every drop, and the notes (ids kept with one).
fn filter_links(h: &Harness, input: &str) -> (Links, BTreeSet<String>) {
    let out = h.run(
        &[
            "filter",
            input,
            "--no-passages",
            "--dropped",
            "dropped.jsonl",
            "-o",
            "kept.jsonl",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = dropped_records(&h.read("dropped.jsonl"));
    let mut links = Links::new();
    let mut notes = BTreeSet::new();
    for r in records {
        let id = r["id"].as_str().unwrap().to_string();
        if r["kept"] == Value::Bool(true) {
            notes.insert(id);
        } else {
            links.insert((id, r["duplicate_of"].as_str().unwrap().to_string()));
        }
    }
    (links, notes)
}

/// The report's clusters of `input`, read in input order (`--keep first`):
/// (member, kept) of every member but the kept one.
fn report_links(h: &Harness, input: &str) -> Links {
    let out = h.run(
        &[
            "report", "--jsonl", input, "--format", "json", "--keep", "first",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    let mut links = Links::new();
    for c in r["clusters"].as_array().unwrap() {
        let kept = ids[c["kept"].as_u64().unwrap() as usize];
        for m in c["members"].as_array().unwrap() {
            let m = ids[m.as_u64().unwrap() as usize];
            if m != kept {
                links.insert((m.to_string(), kept.to_string()));
            }
        }
    }
    links
}

/// `text` with every run of whitespace holding a line break made one space:
/// what a scraper that flattens a page gives.
fn flatten(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            gap.push(c);
            continue;
        }
        if !gap.is_empty() {
            out.push_str(if gap.contains(['\n', '\r']) {
                " "
            } else {
                &gap
            });
            gap.clear();
        }
        out.push(c);
    }
    out.push_str(if gap.contains(['\n', '\r']) {
        " "
    } else {
        &gap
    });
    out
}

/// The JSON Lines `corpus` with every text flattened and, when `drop_source`,
/// its source field removed.
fn flattened(corpus: &str, drop_source: bool) -> String {
    corpus
        .lines()
        .map(|l| {
            let mut r: Value = serde_json::from_str(l).unwrap();
            let obj = r.as_object_mut().unwrap();
            let text = flatten(obj["text"].as_str().unwrap());
            obj.insert("text".into(), Value::String(text));
            if drop_source {
                obj.remove("source");
            }
            format!("{r}\n")
        })
        .collect()
}

/// Filter and report agree on `corpus`; returns the filter's links.
fn agree(h: &Harness, name: &str, corpus: &str) -> Links {
    h.write(name, corpus);
    let (filtered, _) = filter_links(h, name);
    let reported = report_links(h, name);
    assert_eq!(
        filtered.symmetric_difference(&reported).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "{name}: filter and report disagree"
    );
    filtered
}

#[test]
fn report_and_filter_agree_on_generated_chrome_flattened_or_not() {
    for rel in [
        "tests/fixtures/chrome/corpus.jsonl",
        "tests/fixtures/accuracy/stream.jsonl",
    ] {
        let h = Harness::new();
        let corpus = std::fs::read_to_string(fixture(rel)).unwrap();
        let lined = agree(&h, "lined.jsonl", &corpus);
        assert!(lined.len() >= 30, "{rel}: {} drops", lined.len());
        // Flattened pages: the same drops (verdicts do not depend on line
        // breaks).
        let flat = agree(&h, "flat.jsonl", &flattened(&corpus, false));
        assert_eq!(flat, lined, "{rel}: flattening changed the drops");
        // Flattened and without sources: report and filter still agree.
        agree(&h, "flat-nosource.jsonl", &flattened(&corpus, true));
    }
}

#[test]
fn report_and_filter_agree_on_real_pages() {
    let dir = fixture("../shared/data/dragnet");
    let Ok(corpus) = std::fs::read_to_string(dir.join("pages.jsonl")) else {
        common::skipped(
            "report_and_filter_agree_on_real_pages",
            &format!("{} not found", dir.display()),
        );
        return;
    };
    let h = Harness::new();
    let links = agree(&h, "pages.jsonl", &corpus);
    // The six positive pairs of the labels are among a handful of drops
    // (benches/real_pages.sh scores them).
    assert!((5..=12).contains(&links.len()), "{links:?}");
}
