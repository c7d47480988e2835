//! Shingling and one-permutation MinHash over the seed corpus.

use std::hint::black_box;

use copydesk::minhash::{sketch_into, Signature};
use copydesk::shingle::{ShingleSet, Shingles};
use copydesk::tokenize::TokenHasher;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/bbc/2016-02-11-junior-doctors-live.txt"
    ))
    .unwrap();
    let mut tokens = Vec::new();
    TokenHasher::new().hash_tokens(&text, &mut tokens);
    let shingles = Shingles::new(&tokens, 5).into_vec();
    assert_eq!(shingles.len(), tokens.len() - 4);
    let mut g = c.benchmark_group("minhash");
    g.throughput(Throughput::Elements(shingles.len() as u64));
    g.bench_function("Shingles k=5", |b| {
        b.iter(|| {
            let out = Shingles::new(black_box(&tokens), 5).into_vec();
            assert_eq!(out.len(), shingles.len());
            out
        })
    });
    g.bench_function("ShingleSet (sort + dedup)", |b| {
        b.iter(|| ShingleSet::from_hashes(black_box(shingles.clone())).len())
    });
    let reference = Signature::from_shingles(&shingles, 128);
    g.bench_function("sketch_into 128", |b| {
        let mut sig = vec![0u32; 128];
        b.iter(|| {
            sketch_into(black_box(&shingles), &mut sig);
            assert_eq!(sig, reference.0);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
