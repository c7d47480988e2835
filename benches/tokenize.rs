//! Tokenizer throughput on the seed corpus: full `Tokens` (hashes, spans
//! and folded forms) and `TokenHasher::hash_tokens`, the hashes alone
//! without allocating per text (the corpus-scale path). Both give the same
//! hashes; `Tokens::new` is built on `TokenHasher`.

use std::hint::black_box;

use copydesk::tokenize::{TokenHasher, Tokens};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn corpus() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let mut text = String::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            text.push_str(&std::fs::read_to_string(e.path()).unwrap());
            text.push('\n');
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let text = corpus();
    let expected = Tokens::new(&text).len();
    assert!(expected > 3000);
    let mut g = c.benchmark_group("tokenize");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("Tokens::new", |b| {
        b.iter(|| {
            let t = Tokens::new(black_box(&text));
            assert_eq!(t.len(), expected);
        })
    });
    let mut out = Vec::with_capacity(expected);
    let mut hasher = TokenHasher::new();
    g.bench_function("TokenHasher::hash_tokens", |b| {
        b.iter(|| {
            out.clear();
            hasher.hash_tokens(black_box(&text), &mut out);
            assert_eq!(out.len(), expected);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
