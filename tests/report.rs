//! `copydesk report`: the seed corpus (acceptance of issue 3), the
//! boilerplate fixture, the JSON contract and the CLI.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use copydesk::input::{read_tree, FileGlob, DEFAULT_MAX_DOC_BYTES};
use copydesk::report::{build, CorpusReport, NoProgress, ReportParams};
use copydesk::Document;
use serde_json::json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed corpus as the CLI reads it (ids `corpus/...`).
fn seeds() -> Vec<Document> {
    std::env::set_current_dir(root()).unwrap();
    let set = read_tree(
        Path::new("corpus"),
        &FileGlob::new("*.txt").unwrap(),
        None,
        DEFAULT_MAX_DOC_BYTES,
    )
    .unwrap();
    assert!(set.failures.is_empty());
    assert_eq!(set.documents.len(), 5);
    set.documents
}

fn seed_report() -> (Vec<Document>, CorpusReport) {
    let docs = seeds();
    let r = build(&docs, &ReportParams::default(), &NoProgress).unwrap();
    (docs, r)
}

fn doc(docs: &[Document], part: &str) -> usize {
    docs.iter()
        .position(|d| d.id.contains(part))
        .unwrap_or_else(|| panic!("no document {part}"))
}

/// Every occurrence's text equals the original file's bytes at its span.
fn assert_spans_are_original(docs: &[Document], r: &CorpusReport) {
    for p in &r.passages {
        for o in &p.occurrences {
            let d = &docs[o.doc];
            let orig = d.original_span(o.span);
            let bytes = std::fs::read(&d.id).unwrap();
            assert_eq!(
                &bytes[orig.start..orig.end],
                o.span.slice(&d.text).as_bytes()
            );
        }
    }
}

/// Passages with an occurrence in each of `parts` whose text contains
/// `needle` (case-insensitive) in every one of them.
fn shared(docs: &[Document], r: &CorpusReport, parts: &[&str], needle: &str) -> bool {
    let want: Vec<usize> = parts.iter().map(|p| doc(docs, p)).collect();
    let needle = needle.to_lowercase();
    r.passages.iter().any(|p| {
        want.iter().all(|&w| {
            p.occurrences
                .iter()
                .any(|o| o.doc == w && o.span.slice(&docs[w].text).to_lowercase().contains(&needle))
        })
    })
}

const IBT_FEB: &str = "ibtimes/2016-02-11";
const IBT_APR: &str = "ibtimes/2016-04-24";
const BBC: &str = "bbc/";
const LABOURLIST: &str = "labourlist/";
const UNATTRIBUTED: &str = "unattributed/";

#[test]
fn seeds_share_the_malawana_attribution() {
    let (docs, r) = seed_report();
    assert_spans_are_original(&docs, &r);
    assert!(shared(&docs, &r, &[IBT_FEB, LABOURLIST, BBC], "Malawana"));
}

// The paraphrase-level acceptance points rest on the aligner of issue 2.

#[test]
fn seeds_share_the_ipsos_mori_poll() {
    let (docs, r) = seed_report();
    assert!(shared(&docs, &r, &[IBT_FEB, LABOURLIST], "blaming"));
}

#[test]
fn seeds_share_the_3000_cancelled_operations() {
    let (docs, r) = seed_report();
    assert!(shared(&docs, &r, &[IBT_FEB, BBC], "3,000 operations"));
}

#[test]
fn seeds_share_the_april_pilot_opportunism_and_125000() {
    let (docs, r) = seed_report();
    assert!(shared(&docs, &r, &[IBT_APR, UNATTRIBUTED], "opportunism"));
    assert!(shared(&docs, &r, &[IBT_APR, UNATTRIBUTED], "125,000"));
    // The pilot proposal, told two ways: "limited to a pilot scheme" /
    // "test the ... contract in a small number of trusts".
    let (apr, un) = (doc(&docs, IBT_APR), doc(&docs, UNATTRIBUTED));
    assert!(r.passages.iter().any(|p| {
        let has = |d: usize, needle: &str| {
            p.occurrences
                .iter()
                .any(|o| o.doc == d && o.span.slice(&docs[d].text).contains(needle))
        };
        has(apr, "pilot scheme") && has(un, "small number of trusts")
    }));
}

#[test]
fn seeds_february_and_april_share_nothing_but_stock_phrases() {
    let (docs, r) = seed_report();
    let feb = [doc(&docs, IBT_FEB), doc(&docs, BBC), doc(&docs, LABOURLIST)];
    let apr = [doc(&docs, IBT_APR), doc(&docs, UNATTRIBUTED)];
    for p in &r.pairs {
        let cross = (feb.contains(&p.a) && apr.contains(&p.b))
            || (apr.contains(&p.a) && feb.contains(&p.b));
        if cross {
            assert!(p.jaccard < 0.05, "{p:?}");
        }
    }
    assert!(r.clusters.is_empty());
}

#[test]
fn seeds_boilerplate_is_neither_shared_nor_unique() {
    let (docs, r) = seed_report();
    let ll = doc(&docs, LABOURLIST);
    let bbc = doc(&docs, BBC);
    let links = docs[ll].text.find("More from LabourList").unwrap();
    let notice = docs[bbc]
        .text
        .find("This Twitter post cannot be displayed")
        .unwrap();
    let notice2 = docs[bbc]
        .text
        .rfind("This Twitter post cannot be displayed")
        .unwrap();
    let stamp = docs[bbc]
        .text
        .find("Greenwich Mean Time 11 February 2016")
        .unwrap();
    assert_ne!(notice, notice2);
    let inside = |d: usize, at: usize| {
        r.boilerplate.docs[d]
            .iter()
            .any(|b| b.span.start <= at && at < b.span.end)
    };
    assert!(inside(ll, links));
    assert!(inside(bbc, notice) && inside(bbc, notice2) && inside(bbc, stamp));
    // No passage and no unique run touches them.
    for p in &r.passages {
        for o in &p.occurrences {
            for (d, at) in [(ll, links), (bbc, notice), (bbc, notice2), (bbc, stamp)] {
                assert!(!(o.doc == d && o.span.start <= at && at < o.span.end));
            }
        }
    }
    for (d, at) in [(ll, links), (bbc, notice), (bbc, notice2), (bbc, stamp)] {
        assert!(!r.documents[d]
            .unique
            .iter()
            .any(|s| s.start <= at && at < s.end));
    }
    // Each reported once per source, with its repeat count.
    let bbc_bp = r
        .boilerplate
        .sources
        .iter()
        .find(|s| s.source == "bbc")
        .unwrap();
    let twitter: Vec<_> = bbc_bp
        .blocks
        .iter()
        .filter(|b| {
            b.span
                .slice(&docs[bbc].text)
                .starts_with("This Twitter post")
        })
        .collect();
    assert_eq!(twitter.len(), 1);
    assert_eq!(twitter[0].occurrences, 2);
    // Real news a live page repeats from its summary stays content.
    let summary = docs[bbc]
        .text
        .find("which included a concession on Saturday pay")
        .unwrap();
    assert!(!inside(bbc, summary));
}

#[test]
fn seeds_unique_share_per_source() {
    let (_, r) = seed_report();
    let names: Vec<&str> = r.sources.iter().filter_map(|s| s.name.as_deref()).collect();
    assert_eq!(names, ["bbc", "ibtimes", "labourlist", "unattributed"]);
    for s in &r.sources {
        assert!(s.content_words > 0);
        assert!(s.unique_fraction > 0.5 && s.unique_fraction < 1.0, "{s:?}");
    }
}

fn copydesk() -> Command {
    let mut c = Command::cargo_bin("copydesk").unwrap();
    c.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("TERM");
    c
}

fn stdout(args: &[&str]) -> String {
    let out = copydesk()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn seeds_text_snapshot() {
    insta::assert_snapshot!(
        "seeds_text",
        stdout(&["report", "corpus", "--color", "never"])
    );
}

/// `report` resolves `--color auto` by the rule `compare` follows (one
/// resolver): CLICOLOR_FORCE turns colour on in a pipe, NO_COLOR off, and
/// the flag wins over both. It used to read NO_COLOR only.
#[test]
fn report_colour_follows_clicolor_force_and_no_color() {
    let run = |vars: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = copydesk();
        cmd.args(["report", "corpus"]).args(extra);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
    };
    assert!(!run(&[], &[]).contains('\x1b'), "a pipe: no colour");
    assert!(run(&[("CLICOLOR_FORCE", "1")], &[]).contains("\x1b["));
    assert!(!run(&[("CLICOLOR_FORCE", "0")], &[]).contains('\x1b'));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]).contains('\x1b'));
    assert!(!run(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]).contains('\x1b'));
    assert!(run(&[("NO_COLOR", "1")], &["--color", "always"]).contains("\x1b["));
}

#[test]
fn seeds_json_snapshot_and_contract() {
    let json = stdout(&["report", "corpus", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    check_contract(&v);
    insta::assert_snapshot!("seeds_json", json);
}

/// The documented contract: indices in range, spans in bounds, scores in 0..1.
fn check_contract(v: &serde_json::Value) {
    let docs = v["documents"].as_array().unwrap();
    let n = docs.len();
    let len = |i: usize| {
        std::fs::metadata(root().join(docs[i]["id"].as_str().unwrap()))
            .map_or(usize::MAX, |m| m.len() as usize)
    };
    for d in docs {
        for k in ["id", "words", "unique_fraction"] {
            assert!(!d[k].is_null(), "documents[] lacks {k}");
        }
        assert!((0.0..=1.0).contains(&d["unique_fraction"].as_f64().unwrap()));
    }
    for p in v["pairs"].as_array().unwrap() {
        assert!(p["a"].as_u64().unwrap() < p["b"].as_u64().unwrap());
        assert!((p["b"].as_u64().unwrap() as usize) < n);
        for k in ["jaccard", "containment"] {
            assert!((0.0..=1.0).contains(&p[k].as_f64().unwrap()));
        }
        let verdict = p["verdict"].as_str().unwrap();
        assert!(["duplicate", "near-duplicate", "partial", "distinct"].contains(&verdict));
    }
    for c in v["clusters"].as_array().unwrap() {
        assert_eq!(c["members"][0], c["kept"]);
        assert!(c["reason"].is_string());
    }
    for p in v["passages"].as_array().unwrap() {
        assert!(["verbatim", "edited", "paraphrase"].contains(&p["kind"].as_str().unwrap()));
        let occ = p["occurrences"].as_array().unwrap();
        assert!(occ.len() >= 2);
        for o in occ {
            let d = o["doc"].as_u64().unwrap() as usize;
            let (s, e) = (
                o["start"].as_u64().unwrap() as usize,
                o["end"].as_u64().unwrap() as usize,
            );
            assert!(s < e && e <= len(d));
        }
    }
    assert!(v["boilerplate"].is_array());
    assert!(v["unreadable"].is_array());
}

#[test]
fn unreadable_files_are_named_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::write(
        dir.path().join("a/one.txt"),
        "The health secretary said the strike was unnecessary and wrong.",
    )
    .unwrap();
    std::fs::write(dir.path().join("a/bin.txt"), b"\0\0binary").unwrap();
    let out = copydesk()
        .args(["report", "--format", "json", "--skip-bad"])
        .arg(dir.path())
        .assert()
        .success();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("1 input could not be read") && err.contains("bin.txt"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["unreadable"].as_array().unwrap().len(), 1);
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
}

/// Issue 14: a 1 GB file or record made `report` abort on an allocation
/// of 6 GiB. A file or record over `--max-doc-bytes` is an unreadable
/// input like any other: named on stderr and in the report, the rest
/// reported (no exit status asserted here: it is that of unreadable inputs).
#[test]
fn files_and_records_over_max_doc_bytes_are_listed_as_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let long = "The health secretary said the strike was unnecessary and wrong. ".repeat(40);
    let short = "Almost 3,000 operations were cancelled across England on Wednesday.";
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("a/one.txt"), short).unwrap();
    std::fs::write(dir.path().join("a/big.txt"), &long).unwrap();
    let record = |id: &str, text: &str| json!({"id": id, "text": text}).to_string();
    let jsonl = dir.path().join("in.jsonl");
    let lines = [
        record("r1", short),
        record("r2", &long),
        record("r3", short),
    ];
    std::fs::write(&jsonl, lines.join("\n") + "\n").unwrap();
    let out = copydesk()
        .args([
            "report",
            "--format",
            "json",
            "--max-doc-bytes",
            "2K",
            "--skip-bad",
        ])
        .arg(dir.path().join("a"))
        .arg("--jsonl")
        .arg(&jsonl)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("2 inputs could not be read"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&"r1") && ids.contains(&"r3"), "{ids:?}");
    let limit = "over the limit of 2 KiB on one document; raise it with --max-doc-bytes";
    let unreadable: Vec<(String, String)> = v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().into(),
                u["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(unreadable.len(), 2, "{unreadable:?}");
    assert!(unreadable[0].0.ends_with("big.txt"), "{unreadable:?}");
    // The name is the file; the message says what is wrong with it (the
    // name once, as for any unreadable file).
    let file = format!("file of {} bytes is {limit}", long.len());
    assert_eq!(unreadable[0].1, file);
    assert!(unreadable[1].0.ends_with("in.jsonl:2"), "{unreadable:?}");
    let line = format!("record of {} bytes is {limit}", lines[1].len());
    assert_eq!(unreadable[1].1, line);
    for (name, message) in &unreadable {
        assert!(err.contains(&format!("{name}: {message}")), "{err}");
    }
    // The fast path for pairs reads records by the same rule.
    let out = copydesk()
        .args([
            "report",
            "--pairs-only",
            "--format",
            "json",
            "--max-doc-bytes",
            "2K",
            "--skip-bad",
        ])
        .arg("--jsonl")
        .arg(&jsonl)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The two records that could be read; the third is listed.
    assert_eq!(v["documents"], 2);
    let bad = &v["unreadable"][0];
    assert!(
        bad["name"].as_str().unwrap().ends_with("in.jsonl:2"),
        "{bad}"
    );
    assert_eq!(bad["message"].as_str().unwrap(), line);
}

#[test]
fn jsonl_from_stdin_with_fields_and_url_sources() {
    let input = concat!(
        "{\"url\":\"https://www.example.com/a\",\"body\":\"Almost 3,000 operations were cancelled across England due to the strike on Wednesday.\"}\n",
        "{\"url\":\"https://news.example.org/b\",\"body\":\"Almost 3,000 operations were cancelled across England due to the strike on Wednesday, officials said.\"}\n",
    );
    let out = copydesk()
        .args([
            "report",
            "-",
            "--id-field",
            "url",
            "--text-field",
            "body",
            "--format",
            "json",
        ])
        .write_stdin(input)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["documents"][0]["source"], "example.com");
    assert_eq!(v["documents"][1]["source"], "news.example.org");
    assert_eq!(v["pairs"][0]["verdict"], "near-duplicate");
    assert_eq!(v["clusters"][0]["members"].as_array().unwrap().len(), 2);
}

#[test]
fn output_file_and_bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    copydesk()
        .args(["report", "corpus", "--format", "json", "-o"])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("\"passages\""));
    copydesk()
        .args(["report", "corpus", "--keep", "newest"])
        .assert()
        .code(2);
    copydesk().args(["report", "no/such/dir"]).assert().code(2);
}

// ---------------------------------------------------------------------------
// Boilerplate fixture (tests/fixtures/chrome/README.md)

struct Fixture {
    docs: Vec<Document>,
    /// Truth cluster of each planted document.
    cluster: std::collections::HashMap<String, usize>,
    /// (copy, original, ops) of every planted copy.
    copies: Vec<(String, String, Vec<String>)>,
}

fn chrome_fixture() -> Fixture {
    let dir = root().join("tests/fixtures/chrome");
    let f = std::fs::File::open(dir.join("corpus.jsonl")).unwrap();
    let set = copydesk::input::read_jsonl(
        std::io::BufReader::new(f),
        &dir.join("corpus.jsonl"),
        copydesk::input::JsonlFields::default(),
        DEFAULT_MAX_DOC_BYTES,
    )
    .unwrap();
    assert!(set.failures.is_empty());
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    let mut cluster = std::collections::HashMap::new();
    for (i, c) in truth["clusters"].as_array().unwrap().iter().enumerate() {
        for id in c.as_array().unwrap() {
            cluster.insert(id.as_str().unwrap().to_string(), i);
        }
    }
    let copies = truth["copies"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(c, info)| {
            let ops = info["ops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o.as_str().unwrap().to_string())
                .collect();
            (c.clone(), info["source"].as_str().unwrap().to_string(), ops)
        })
        .collect();
    Fixture {
        docs: set.documents,
        cluster,
        copies,
    }
}

impl Fixture {
    fn related(&self, a: usize, b: usize) -> bool {
        let (x, y) = (
            self.cluster.get(&self.docs[a].id),
            self.cluster.get(&self.docs[b].id),
        );
        x.is_some() && x == y
    }

    /// Pairs of unrelated pages of one site that the report pairs.
    fn same_site_unrelated(&self, r: &CorpusReport) -> Vec<(usize, usize)> {
        r.pairs
            .iter()
            .filter(|p| self.docs[p.a].source == self.docs[p.b].source && !self.related(p.a, p.b))
            .map(|p| (p.a, p.b))
            .collect()
    }
}

#[test]
fn chrome_fixture_unrelated_pages_of_one_site_are_never_paired() {
    let fx = chrome_fixture();
    let r = build(&fx.docs, &ReportParams::default(), &NoProgress).unwrap();
    assert_eq!(fx.same_site_unrelated(&r), []);
    // No cluster holds two unrelated pages of one site either. (Unrelated
    // pages of different sites may: base pages drawn from overlapping runs
    // of the same book share real sentences.)
    for c in &r.clusters {
        for &m in &c.members[1..] {
            let same_site = fx.docs[m].source == fx.docs[c.kept].source;
            assert!(!same_site || fx.related(c.kept, m), "{c:?}");
        }
    }
    // Each site's chrome is reported once per site.
    assert_eq!(r.boilerplate.sources.len(), 20);
    // The test can fail: with the chrome left in, hundreds of unrelated
    // same-site pages score as near-duplicates (what the template check of
    // the judgement then turns down is chrome alone).
    let raw = ReportParams {
        strip_boilerplate: false,
        ..ReportParams::default()
    };
    let r = build(&fx.docs, &raw, &NoProgress).unwrap();
    let near = fx
        .same_site_unrelated(&r)
        .iter()
        .filter(|&&(a, b)| {
            r.pairs
                .iter()
                .any(|p| (p.a, p.b) == (a, b) && p.jaccard >= 0.5)
        })
        .count();
    assert!(near > 100, "{near}");
}

#[test]
fn chrome_fixture_planted_copies_are_found_lead_only_included() {
    let fx = chrome_fixture();
    let r = build(&fx.docs, &ReportParams::default(), &NoProgress).unwrap();
    let index: std::collections::HashMap<&str, usize> = fx
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let (mut near, mut cross_site, mut lead_only) = (0, 0, 0);
    for (copy, orig, ops) in &fx.copies {
        let (a, b) = (index[copy.as_str()], index[orig.as_str()]);
        let key = (a.min(b), a.max(b));
        let pair = r.pairs.iter().find(|p| (p.a, p.b) == key);
        let pair =
            pair.unwrap_or_else(|| panic!("planted copy {copy} of {orig} ({ops:?}) not found"));
        let is_near = matches!(
            pair.verdict,
            copydesk::Verdict::Duplicate | copydesk::Verdict::NearDuplicate
        );
        if fx.docs[a].source != fx.docs[b].source {
            cross_site += 1;
            near += usize::from(is_near);
        } else {
            // Two pages of one site are the same story only when they share
            // a paragraph of article text (`min_shared_shingles`): these
            // 80-word articles share less, and are not confirmed.
            assert!(!is_near || pair.passages > 0, "{copy}: {pair:?}");
        }
        if ops.iter().any(|o| o == "lead-only") {
            lead_only += 1;
            assert!(
                pair.passages > 0 && pair.containment() > 0.5,
                "{copy}: {pair:?}"
            );
        }
    }
    assert_eq!(fx.copies.len(), 48);
    assert_eq!((cross_site, lead_only), (34, 4));
    // Heavily edited short copies (8 % of words) may fall to `partial`.
    assert!(
        near >= 30,
        "{near} of {cross_site} planted cross-site copies near-duplicate"
    );
}

// ---------------------------------------------------------------------------
// HTML in a real browser

/// Loads `page` in headless Chromium: (DOM after load, browser log).
fn load_in_browser(browser: &Path, page: &Path) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("start the browser");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Console messages (errors, CSP refusals) in a Chromium log.
fn console_complaints(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Refused to") || l.contains("Uncaught"))
        .collect()
}

const HOSTILE: &str = "<script>document.title='PW'+'NED'</script> Dr Johann Malawana, BMA junior \
doctor committee chair, said so. <img src=x onerror=\"document.title='PW'+'NED'\"> \
</mark></div><script>document.title='PW'+'NED'</script>";

#[test]
fn html_report_loads_offline_with_no_console_errors_and_runs_nothing() {
    let Some(browser) = common::browser() else {
        common::skipped(
            "html_report_loads_offline_with_no_console_errors_and_runs_nothing",
            "no chromium on PATH (install the Debian package `chromium`)",
        );
        return;
    };
    let mut docs = seeds();
    let mut evil = Document::from_text("evil/hostile.txt", HOSTILE);
    evil.source = Some("<b>evil</b>".into());
    docs.push(evil);
    let r = build(&docs, &ReportParams::default(), &NoProgress).unwrap();
    assert!(r
        .passages
        .iter()
        .any(|p| p.occurrences.iter().any(|o| o.doc == 5)));
    let mut page = Vec::new();
    copydesk::render::report_html::write_report_html(&mut page, &r, &docs, &Default::default())
        .unwrap();
    let page = String::from_utf8(page).unwrap();
    assert!(!page.contains("<script"), "a script tag reached the page");
    assert!(!page.contains("http://") && !page.contains("https://"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    std::fs::write(&path, &page).unwrap();
    let (dom, log) = load_in_browser(&browser, &path);
    assert!(dom.contains("</html>"), "no DOM from the browser: {log}");
    assert!(dom.contains("<title>copydesk report</title>"));
    assert!(!dom.contains("PWNED"));
    assert!(dom.contains("class=\"variants\"") && dom.contains("class=\"heat\""));
    assert_eq!(console_complaints(&log), Vec::<&str>::new());

    // The checks can fail: a page that asks for the network is refused by
    // its own policy, and the browser says so.
    let control = page.replace("</body>", "<img src=\"http://127.0.0.1:9/x.png\"></body>");
    std::fs::write(&path, control).unwrap();
    let (_, log) = load_in_browser(&browser, &path);
    assert!(
        !console_complaints(&log).is_empty(),
        "the control page raised nothing:\n{log}"
    );
}

/// A text of `n` words drawn from a small vocabulary by a fixed generator.
fn generated_text(seed: u64, n: usize) -> String {
    const WORDS: &[&str] = &[
        "the",
        "minister",
        "said",
        "junior",
        "doctors",
        "would",
        "strike",
        "again",
        "on",
        "Wednesday",
        "after",
        "talks",
        "failed",
        "hospital",
        "trusts",
        "cancelled",
        "3,000",
        "operations",
        "while",
        "unions",
        "blamed",
        "government",
        "for",
        "dispute",
        "64%",
        "of",
        "voters",
        "agreed",
        "poll",
        "found",
        "contract",
        "weekend",
        "pay",
        "safety",
    ];
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            WORDS[(x % WORDS.len() as u64) as usize]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `report --pairs-only`: a mapped file, standard input and `--exact` give
/// the same verified pairs; texts with escapes a JSON scanner reads in
/// place (`\n`), ones it must decode (`\u00e9`, `\\`) and plain ones are
/// the same documents; bad lines are reported by number.
#[test]
fn pairs_only_file_stdin_and_exact_agree() {
    let mut lines = Vec::new();
    let line = |id: &str, text: &str| {
        format!(
            r#"{{"id":"{id}","text":{}}}"#,
            serde_json::to_string(text).unwrap()
        )
    };
    for d in 0..40u64 {
        lines.push(line(&format!("doc{d}"), &generated_text(d, 120)));
    }
    let base = generated_text(7, 120);
    // The same words with newlines between some of them (in place).
    let with_newlines = base.replacen(' ', "\n\n", 5);
    lines.push(line("newlines", &with_newlines));
    // Decoded escapes: a \u00e9 and a literal backslash inside the text.
    lines.push(line("decoded", &format!("{base} caf\u{e9} a\\b")).replace('\u{e9}', "\\u00e9"));
    // A copy with three words changed, one with a curly apostrophe word.
    let mut edited: Vec<&str> = base.split(' ').collect();
    edited[10] = "changed";
    edited[50] = "words";
    edited[90] = "here";
    lines.push(line("edited", &edited.join(" ")));
    lines.push(line("apostrophe", &format!("{base} don\u{2019}t")));
    lines.push("{not json".to_string());
    lines.push(String::new());
    lines.push(r#"{"id":"notext"}"#.to_string());
    let input = lines.join("\n") + "\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    std::fs::write(&path, &input).unwrap();
    let path = path.to_str().unwrap();

    let run = |args: &[&str], stdin: Option<&str>| -> serde_json::Value {
        let mut c = copydesk();
        c.args([
            "report",
            "--pairs-only",
            "--threshold",
            "0.7",
            "--format",
            "json",
            "--skip-bad",
        ])
        .args(args);
        if let Some(s) = stdin {
            c.write_stdin(s.to_string());
        }
        serde_json::from_slice(&c.assert().success().get_output().stdout).unwrap()
    };
    let mapped = run(&["--jsonl", path], None);
    let piped = run(&["--jsonl", "-"], Some(&input));
    let exact = run(&["--jsonl", path, "--exact"], None);
    assert_eq!(mapped["pairs"], piped["pairs"]);
    assert_eq!(mapped["pairs"], exact["pairs"]);
    assert_eq!(mapped["clusters"], exact["clusters"]);
    assert_eq!(mapped["method"], "lsh");
    assert_eq!(exact["method"], "exact");

    let pair = |a: &str, b: &str| {
        mapped["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["a"] == a && p["b"] == b)
            .unwrap_or_else(|| panic!("no pair {a} {b}: {}", mapped["pairs"]))
            .clone()
    };
    // Newlines are whitespace: the same shingles as the original.
    assert_eq!(pair("doc7", "newlines")["jaccard"], 1.0);
    // Two more words (cafe, a, b: three) at the end of the decoded copy.
    let j = pair("doc7", "decoded")["jaccard"].as_f64().unwrap();
    assert!(j > 0.9 && j < 1.0, "{j}");
    let j = pair("doc7", "edited")["jaccard"].as_f64().unwrap();
    assert!(j > 0.7 && j < 0.95, "{j}");
    pair("doc7", "apostrophe");
    // Unrelated generated texts are not paired.
    assert!(mapped["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["a"] == "doc7"
            || p["b"] == "doc7"
            || p["a"] == "newlines"
            || p["a"] == "decoded"
            || p["a"] == "edited"));
    // The malformed line and the record without text, by line number.
    let bad: Vec<String> = mapped["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.to_string())
        .collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].contains(":45"), "{bad:?}");
    assert!(bad[1].contains(":47"), "{bad:?}");
}

/// `--source-pattern`: the source from the file's path (first capture
/// group, or the whole match), instead of the first folder; a file it
/// does not match has none. The report says which rule gave each source.
#[test]
fn source_pattern_names_sources_from_file_paths() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed");
    std::fs::create_dir(&feed).unwrap();
    let text = "The health secretary said the strike was unnecessary and wrong, and that \
                the offer on the table was fair to junior doctors across England.";
    for name in [
        "bbc-2016-1.txt",
        "bbc-2016-2.txt",
        "itv-2016-1.txt",
        "notes.txt",
    ] {
        std::fs::write(feed.join(name), text).unwrap();
    }
    let run = |extra: &[&str]| -> serde_json::Value {
        let out = copydesk()
            .args(["report", "--format", "json"])
            .args(extra)
            .arg(dir.path())
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let sources = |v: &serde_json::Value| -> Vec<(String, serde_json::Value, serde_json::Value)> {
        v["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let id = d["id"].as_str().unwrap();
                let name = id.rsplit('/').next().unwrap().to_string();
                (name, d["source"].clone(), d["source_rule"].clone())
            })
            .collect()
    };
    let by_pattern = run(&["--source-pattern", r"/([a-z]+)-\d{4}-"]);
    assert_eq!(
        sources(&by_pattern),
        [
            ("bbc-2016-1.txt".into(), "bbc".into(), "pattern".into()),
            ("bbc-2016-2.txt".into(), "bbc".into(), "pattern".into()),
            ("itv-2016-1.txt".into(), "itv".into(), "pattern".into()),
            (
                "notes.txt".into(),
                serde_json::Value::Null,
                serde_json::Value::Null
            ),
        ]
    );
    let rules: Vec<(&serde_json::Value, &serde_json::Value)> = by_pattern["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (&s["name"], &s["rules"]))
        .collect();
    assert_eq!(
        rules,
        [
            (&json!("bbc"), &json!(["pattern"])),
            (&json!("itv"), &json!(["pattern"])),
            (&serde_json::Value::Null, &json!([])),
        ]
    );
    // No group: the whole match.
    let whole = run(&["--source-pattern", "[a-z]+-2016"]);
    assert_eq!(sources(&whole)[2].1, "itv-2016");
    // Without a pattern: the first folder under the folder given.
    let folders = run(&[]);
    assert!(sources(&folders)
        .iter()
        .all(|(_, s, r)| s == "feed" && r == "folder"));
    let text = String::from_utf8(
        copydesk()
            .args([
                "report",
                "--color",
                "never",
                "--source-pattern",
                r"/([a-z]+)-\d",
            ])
            .arg(dir.path())
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l == "sources: 3 from --source-pattern, 1 without one (each its own)"),
        "{text}"
    );
    // A pattern that is no regular expression is a usage error.
    copydesk()
        .args(["report", "--source-pattern", "(unclosed"])
        .arg(dir.path())
        .assert()
        .failure();
}

/// `--glob`: a pattern without `/` takes files by name at any depth, one
/// with `/` by their path under the folder; a malformed one is a usage
/// error naming the option and what is wrong, before anything is read.
#[test]
fn glob_takes_files_by_name_or_path_and_rejects_malformed_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let text = "The health secretary said the strike was unnecessary and wrong.";
    for rel in ["bbc/live/a.txt", "bbc/b.md", "itv/c.txt"] {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let names = |glob: &str| -> Vec<String> {
        let out = copydesk()
            .args(["report", "--format", "json", "--glob", glob])
            .arg(dir.path())
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        v["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                d["id"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(names("*.txt"), ["a.txt", "c.txt"]);
    assert_eq!(names("*.{md,txt}"), ["b.md", "a.txt", "c.txt"]);
    assert_eq!(names("bbc/*"), ["b.md", "a.txt"]);
    assert_eq!(names("*/live/*.txt"), ["a.txt"]);
    let out = copydesk()
        .args(["report", "--glob", "[a-z.txt"])
        .arg(dir.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("'--glob <GLOB>'") && stderr.contains("unclosed character class"),
        "{stderr}"
    );
}

/// With no source by any rule, the report still works and says so.
#[test]
fn no_sources_at_all_is_said_once() {
    let input = concat!(
        "{\"id\":\"a\",\"text\":\"Almost 3,000 operations were cancelled across England due to the strike on Wednesday.\"}\n",
        "{\"id\":\"b\",\"url\":\"ftp://x.org/b\",\"text\":\"Almost 3,000 operations were cancelled across England due to the strike on Wednesday, officials said.\"}\n",
    );
    let out = copydesk()
        .args(["report", "-", "--color", "never"])
        .write_stdin(input)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(
        text.lines().nth(1),
        Some("no sources (each document is its own)"),
        "{text}"
    );
    let out = copydesk()
        .args(["report", "-", "--format", "json"])
        .write_stdin(input)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    for d in v["documents"].as_array().unwrap() {
        assert!(d["source"].is_null() && d["source_rule"].is_null(), "{d}");
    }
    assert_eq!(v["pairs"][0]["verdict"], "near-duplicate");
}

/// The text of IBTimes' February article, a seed.
fn ibtimes_february() -> String {
    std::fs::read_to_string(root().join("corpus/ibtimes/2016-02-11-hunt-to-impose-contract.txt"))
        .unwrap()
}

/// `--pairs-only` reads the documents of candidate pairs twice; a path
/// naming a pipe (`/dev/stdin`, a shell's `<(...)`) cannot be read again by
/// offset, so it is held like `-` (it failed with "Illegal seek").
#[cfg(target_os = "linux")]
#[test]
fn pairs_only_reads_a_pipe_named_by_path() {
    let text = ibtimes_february();
    let input = format!(
        "{}\n{}\n{}\n",
        json!({"id": "a", "text": text}),
        json!({"id": "b", "text": format!("{text} One more line.")}),
        json!({"id": "c", "text": "Something else entirely, about the weather in Leeds."}),
    );
    let by_path = copydesk()
        .args(["report", "--jsonl", "/dev/stdin", "--pairs-only"])
        .write_stdin(input.clone())
        .assert()
        .success();
    let by_dash = copydesk()
        .args(["report", "--jsonl", "-", "--pairs-only"])
        .write_stdin(input)
        .assert()
        .success();
    let out = String::from_utf8(by_path.get_output().stdout.clone()).unwrap();
    assert_eq!(
        out,
        String::from_utf8(by_dash.get_output().stdout.clone()).unwrap()
    );
    assert!(out.starts_with("3 documents, 1 pair"), "{out}");
    assert!(out.contains("\ta\tb"), "{out}");
}

/// `--pairs-only` text prints ids as every other text output does: an
/// escape sequence or bidi control in an id comes out escaped, and a line
/// break in one cannot split a pair's line.
#[test]
fn pairs_only_text_escapes_hostile_ids() {
    let text = ibtimes_february();
    let input = format!(
        "{}\n{}\n",
        json!({"id": "a\u{1b}[31mred\u{202e}", "text": text}),
        json!({"id": "b\tc\nd", "text": text}),
    );
    let out = copydesk()
        .args(["report", "-", "--pairs-only"])
        .write_stdin(input)
        .assert()
        .success();
    let out = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(!out.contains(['\u{1b}', '\u{202e}']), "{out:?}");
    assert_eq!(
        out.lines().nth(1),
        Some("1.000\ta\\x1b[31mred\\u{202e}\tb c d"),
        "{out:?}"
    );
}
