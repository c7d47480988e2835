//! Shared test helpers: a deterministic generator of JSON Lines streams
//! from the seed articles' sentences (with planted copies and site chrome),
//! a harness that runs the built `copydesk` binary, and the lookup of a
//! headless browser for the HTML tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// xorshift64*: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Sentences and words of the seed articles in `corpus/`.
pub struct Pool {
    pub sentences: Vec<String>,
    pub words: Vec<String>,
}

impl Pool {
    pub fn load() -> Pool {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut files: Vec<PathBuf> = walk(&root);
        files.sort();
        let mut sentences = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("corpus file is UTF-8");
            for s in text.split(['.', '\n', '?', '!']) {
                let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                if s.split(' ').count() >= 6 {
                    sentences.push(format!("{s}."));
                }
            }
        }
        let mut words: Vec<String> = sentences
            .iter()
            .flat_map(|s| s.split(' '))
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| w.len() > 2)
            .collect();
        words.sort();
        words.dedup();
        Pool { sentences, words }
    }

    /// An article: sentences of the seed articles with a third of their
    /// words swapped for others, so unrelated articles stay unrelated.
    pub fn article(&self, rng: &mut Rng, sentences: usize) -> Vec<String> {
        (0..sentences)
            .map(|_| {
                let s = &self.sentences[rng.below(self.sentences.len())];
                self.substitute(rng, s, 0.35)
            })
            .collect()
    }

    /// `sentence` with each word replaced by a random vocabulary word with
    /// probability `rate` (the one edit both generators make).
    fn substitute(&self, rng: &mut Rng, sentence: &str, rate: f64) -> String {
        sentence
            .split(' ')
            .map(|w| {
                if rng.chance(rate) {
                    self.words[rng.below(self.words.len())].clone()
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `sentences` with words substituted at `rate`.
    pub fn edit(&self, rng: &mut Rng, sentences: &[String], rate: f64) -> Vec<String> {
        sentences
            .iter()
            .map(|s| self.substitute(rng, s, rate))
            .collect()
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("corpus dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
    out
}

/// A generated stream: JSON lines, and for each line the index of the
/// earlier line it copies (if planted as a copy).
pub struct Stream {
    pub lines: Vec<String>,
    pub copy_of: Vec<Option<usize>>,
}

/// `n` documents over `sites` sites, each page in its site's chrome; about
/// `copy_share` of them are copies of an earlier one (another site, 0-5%
/// word edits, sometimes a dateline, header or footer, or a cut ending).
pub fn stream(seed: u64, n: usize, sites: usize, copy_share: f64) -> Stream {
    let pool = Pool::load();
    let mut rng = Rng::new(seed);
    let chrome: Vec<(String, String)> = (0..sites)
        .map(|s| {
            let nav = format!(
                "Site {s} | Home | News | World | Politics | Sport | {} | {} | Subscribe",
                pool.words[rng.below(pool.words.len())],
                pool.words[rng.below(pool.words.len())]
            );
            let footer = format!(
                "Copyright Site {s}. All rights reserved. {} Contact us. Terms and conditions. Privacy notice.",
                pool.article(&mut rng, 2).join(" ")
            );
            (nav, footer)
        })
        .collect();
    let mut articles: Vec<Vec<String>> = Vec::new();
    let mut lines = Vec::new();
    let mut copy_of = Vec::new();
    for i in 0..n {
        let site = rng.below(sites);
        let (body, of) = if i > 10 && rng.chance(copy_share) {
            let j = rng.below(articles.len());
            let rate = [0.0, 0.01, 0.03, 0.05][rng.below(4)];
            let mut body = pool.edit(&mut rng, &articles[j], rate);
            if rng.chance(0.3) {
                body.insert(0, "LONDON (Wire) -".to_string());
            }
            if rng.chance(0.2) {
                let keep = body.len() * 4 / 5;
                body.truncate(keep.max(1));
            }
            if rng.chance(0.2) {
                body.push("This story was first published by the wire service.".to_string());
            }
            (body, Some(j))
        } else {
            let k = 8 + rng.below(12);
            (pool.article(&mut rng, k), None)
        };
        let (nav, footer) = &chrome[site];
        let text = format!("{nav}\n\n{}\n\n{footer}", body.join(" "));
        articles.push(body);
        let rec = serde_json::json!({"id": format!("doc-{i:05}"), "source": format!("site-{site}"), "text": text});
        lines.push(rec.to_string());
        copy_of.push(of);
    }
    Stream { lines, copy_of }
}

/// A temporary directory with helpers to write files and run `copydesk`.
pub struct Harness {
    pub dir: tempfile::TempDir,
}

impl Harness {
    pub fn new() -> Harness {
        Harness {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write test file");
        p
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_default()
    }

    pub fn command(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin!("copydesk"));
        c.current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("TERM");
        c
    }

    /// Runs `copydesk ARGS` with `stdin` and returns its output.
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        use std::io::Write;
        let mut child = self
            .command()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("copydesk runs");
        let mut input = child.stdin.take().expect("stdin");
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let out = child.wait_with_output().expect("copydesk finishes");
        writer.join().expect("stdin writer");
        out
    }
}

/// The dropped log's lines, decoded.
pub fn dropped_records(bytes: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).expect("dropped log line is JSON"))
        .collect()
}

/// The Chromium (or Chrome) binary on PATH, if any: the HTML tests run in
/// it and say they were skipped without it.
pub fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Says on the terminal that a test did not run its checks, and why.
///
/// libtest hides what a passing test prints (`println!` and `eprintln!`
/// are captured), so a skip said that way would look like a pass. This
/// writes to the process's standard error itself, which is not captured:
/// the line shows in `cargo test`'s output beside the test's `ok`.
pub fn skipped(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {why}");
}
