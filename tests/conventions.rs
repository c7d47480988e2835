//! What users expect of any command-line tool: shell completions, a manual
//! page, examples in every command's help, the same short flags
//! everywhere, and counts that agree with their nouns.

use std::path::PathBuf;
use std::process::Command;

mod common;

fn copydesk() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_copydesk"));
    for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM", "COLUMNS"] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `copydesk args`, expecting success; returns (stdout, stderr).
fn run(args: &[&str], stdin: Option<&[u8]>) -> (String, String) {
    use std::io::Write;
    let mut cmd = copydesk();
    cmd.args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run copydesk");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or_default())
        .expect("write stdin");
    drop(input);
    let out = child.wait_with_output().expect("wait");
    let (so, se) = (
        String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    );
    assert!(out.status.success(), "copydesk {args:?} failed: {se}");
    (so, se)
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

#[test]
fn completions_for_every_shell_name_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (script, _) = run(&["completions", shell], None);
        for word in [
            "compare",
            "report",
            "filter",
            "index",
            "min-shared-shingles",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    // The bash script parses.
    let (script, _) = run(&["completions", "bash"], None);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("copydesk.bash");
    std::fs::write(&path, script).expect("write script");
    match Command::new("bash").arg("-n").arg(&path).status() {
        Ok(status) => assert!(status.success(), "bash -n rejects the completion script"),
        Err(e) => common::skipped(
            "completions_for_every_shell_name_the_subcommands_and_flags",
            &format!("bash -n check: no bash ({e})"),
        ),
    }
}

#[test]
fn man_prints_a_page_and_writes_one_per_command() {
    let (page, _) = run(&["man"], None);
    assert!(
        page.starts_with(".ie") || page.contains(".TH copydesk 1"),
        "{page:.200}"
    );
    assert!(page.contains(".TH copydesk 1"));
    assert!(page.contains("compare") && page.contains("filter"));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("man1");
    run(&["man", "--dir", out.to_str().expect("UTF-8 path")], None);
    for name in [
        "copydesk.1",
        "copydesk-compare.1",
        "copydesk-report.1",
        "copydesk-filter.1",
        "copydesk-index.1",
        "copydesk-index-stats.1",
    ] {
        let page = std::fs::read_to_string(out.join(name)).expect(name);
        assert!(page.contains(".TH"), "{name} is no manual page");
    }
    let report = std::fs::read_to_string(out.join("copydesk-report.1")).expect("report page");
    assert!(
        report.contains("source\\-pattern"),
        "report page lacks its flags"
    );
}

#[test]
fn every_command_shows_examples_in_its_help() {
    for cmd in ["compare", "report", "filter", "index", "completions", "man"] {
        let (help, _) = run(&[cmd, "--help"], None);
        assert!(
            help.contains("Examples:\n  copydesk "),
            "`copydesk {cmd} --help` has no examples:\n{help}"
        );
    }
}

#[test]
fn short_flags_mean_the_same_in_every_command() {
    // -f is --format and -o is --output wherever the command has them.
    for cmd in ["compare", "report"] {
        let (help, _) = run(&[cmd, "--help"], None);
        assert!(help.contains("-f, --format"), "{cmd}: no -f");
        assert!(help.contains("-o, --output"), "{cmd}: no -o");
    }
    let (help, _) = run(&["filter", "--help"], None);
    assert!(help.contains("-o, --output") && help.contains("-q, --quiet"));
    let corpus = corpus();
    let (json, _) = run(
        &["report", corpus.to_str().expect("UTF-8 path"), "-f", "json"],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("report -f json is JSON");
    assert_eq!(v["documents"].as_array().map(Vec::len), Some(5));
}

#[test]
fn counts_agree_with_their_nouns() {
    let line = br#"{"id": "a", "text": "One short article about the junior doctors' strike."}"#;
    let (_, summary) = run(&["filter"], Some(&[line.as_slice(), b"\n"].concat()));
    assert!(
        summary.contains("read 1 line,") && summary.contains("index holds 1 document,"),
        "{summary}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("one.jsonl");
    std::fs::write(&jsonl, [line.as_slice(), b"\n"].concat()).expect("write");
    let (text, _) = run(
        &[
            "report",
            "--jsonl",
            jsonl.to_str().expect("UTF-8 path"),
            "--pairs-only",
        ],
        None,
    );
    assert!(text.starts_with("1 document, 0 pairs"), "{text}");
    assert!(text.contains("0 clusters"), "{text}");
    let corpus = corpus();
    let (report, _) = run(&["report", corpus.to_str().expect("UTF-8 path")], None);
    assert!(
        report.starts_with("copydesk report: 5 documents from 4 sources, 3,588 words"),
        "{report:.200}"
    );
}
