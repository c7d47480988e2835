//! `compare` on two articles that share a third of their text, at 2,000,
//! 20,000 and 200,000 words each.
//!
//! The articles are built from real English sentences: paragraphs of War
//! and Peace from `../shared/data/gutenberg` (or, where that folder is
//! absent, the seed articles of `corpus/` with numbered sentences). Each
//! article is a run of blocks of about 100 words; a third of the blocks are
//! shared, in the same order on both sides except every tenth shared block (the second, twelfth, ...),
//! which B moves to its end; every third shared block has one word in 25
//! replaced in B (edited passages). Run with `cargo bench --bench compare`.

use std::hint::black_box;
use std::path::Path;

use copydesk::{compare, Params, PassageKind};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Paragraphs of real text, header and licence of the Gutenberg file left out.
fn paragraphs() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = root.join("../shared/data/gutenberg/2600-0.txt");
    if let Ok(text) = std::fs::read_to_string(&book) {
        let body = text
            .split("*** START OF")
            .nth(1)
            .and_then(|t| t.split("*** END OF").next())
            .unwrap_or(&text);
        return body
            .replace("\r\n", "\n")
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| p.split(' ').count() >= 8)
            .collect();
    }
    // Fallback: the seed articles' sentences, numbered so repeats differ.
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root.join("corpus")).expect("corpus/ exists") {
        for f in std::fs::read_dir(dir.expect("entry").path()).expect("outlet folder") {
            let text = std::fs::read_to_string(f.expect("entry").path()).expect("utf-8 seed");
            out.extend(text.split(". ").map(str::to_string));
        }
    }
    (0..40)
        .flat_map(|round| out.iter().map(move |s| format!("In round {round}, {s}.")))
        .collect()
}

/// Blocks of about 100 words taken in order from the paragraphs.
fn blocks(paras: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for p in paras {
        if !cur.is_empty() {
            cur.push_str("\n\n");
        }
        cur.push_str(p);
        if cur.split_whitespace().count() >= 100 {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

/// Two articles of about `words` words each sharing a third of their blocks.
fn pair(pool: &[String], words: usize) -> (String, String) {
    let n = words / 100;
    let need = n * 5 / 3 + 2;
    assert!(pool.len() >= need, "text pool too small for {words} words");
    let (mut a, mut b, mut moved) = (Vec::new(), Vec::new(), Vec::new());
    let mut next = 0;
    let mut take = || {
        next += 1;
        pool[next - 1].clone()
    };
    let mut shared = 0;
    for i in 0..n {
        if i % 3 == 0 {
            let block = take();
            shared += 1;
            let edited = if shared % 3 == 0 {
                block
                    .split(' ')
                    .enumerate()
                    .map(|(k, w)| if k % 25 == 12 { "REPLACED" } else { w })
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                block.clone()
            };
            a.push(block);
            if shared % 10 == 2 {
                moved.push(edited);
            } else {
                b.push(edited);
            }
        } else {
            a.push(take());
            b.push(take());
        }
    }
    b.extend(moved);
    (a.join("\n\n"), b.join("\n\n"))
}

fn bench_compare(c: &mut Criterion) {
    let pool = blocks(&paragraphs());
    let params = Params::default();
    let mut group = c.benchmark_group("compare");
    group.sample_size(10);
    for words in [2_000, 20_000, 200_000] {
        let (a, b) = pair(&pool, words);
        // A broken stage must not look fast: check what the comparison
        // finds before timing it.
        let r = compare(&a, &b, &params);
        assert!(
            (0.25..=0.45).contains(&r.coverage_a) && (0.25..=0.45).contains(&r.coverage_b),
            "a third shared, got coverage {} / {}",
            r.coverage_a,
            r.coverage_b
        );
        assert!(r
            .passages
            .iter()
            .any(|p| p.passage.kind == PassageKind::Edited));
        assert!(r.passages.iter().any(|p| p.passage.moved));
        group.throughput(Throughput::Bytes((a.len() + b.len()) as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(words),
            &(a, b),
            |bench, (a, b)| {
                bench.iter(|| {
                    let r = compare(black_box(a), black_box(b), &params);
                    assert!(!r.passages.is_empty());
                    r
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_compare);
criterion_main!(benches);
