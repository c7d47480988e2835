//! LSH banding and the in-memory candidate index on synthetic signatures
//! (5,000 documents, 500 planted near-duplicate pairs).

use std::hint::black_box;

use copydesk::index::memory::MemoryIndex;
use copydesk::index::LshParams;
use copydesk::minhash::Signature;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn signatures() -> Vec<Signature> {
    let mix = |x: u64| xxhash_rust::xxh3::xxh3_64(&x.to_le_bytes());
    (0..5000u64)
        .map(|d| {
            // Documents 2k and 2k+1 (k < 500) share 90 % of their shingles.
            let base = if d < 1000 { d / 2 } else { d } * 1000;
            let own = (0..40).map(|j| mix(d * 1_000_000 + j));
            let shared = (0..360).map(|j| mix(base + j));
            Signature::from_shingles(&shared.chain(own).collect::<Vec<_>>(), 128)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let sigs = signatures();
    let lsh = LshParams::for_recall(0.8, 128, 0.999);
    let mut g = c.benchmark_group("index");
    g.throughput(Throughput::Elements(sigs.len() as u64));
    g.bench_function("MemoryIndex insert + query", |b| {
        b.iter(|| {
            let mut idx = MemoryIndex::in_memory(lsh);
            for (i, s) in sigs.iter().enumerate() {
                idx.insert(i as u64, s).unwrap();
            }
            let found: usize = (0..1000)
                .step_by(2)
                .filter(|&i| {
                    idx.query(black_box(&sigs[i]))
                        .unwrap()
                        .contains(&(i as u64 + 1))
                })
                .count();
            assert!(found >= 495, "{found}");
        })
    });
    g.bench_function("LshParams::optimal 128", |b| {
        b.iter(|| LshParams::optimal(black_box(0.8), 128, 0.5, 0.5))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
