//! The corpus report on the seed corpus and the boilerplate fixture, and
//! the pairs-only fast path on the fixture's JSON Lines.

use std::hint::black_box;
use std::path::Path;

use copydesk::input::{read_jsonl, read_tree, FileGlob, JsonlFields, DEFAULT_MAX_DOC_BYTES};
use copydesk::report::pairs::{pairs_from_jsonl, PairsParams};
use copydesk::report::{build, NoProgress, ReportParams};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = read_tree(
        &root.join("corpus"),
        &FileGlob::new("*.txt").unwrap(),
        None,
        DEFAULT_MAX_DOC_BYTES,
    )
    .unwrap()
    .documents;
    let jsonl_path = root.join("tests/fixtures/chrome/corpus.jsonl");
    let jsonl = std::fs::read(&jsonl_path).unwrap();
    let fixture = read_jsonl(
        &jsonl[..],
        &jsonl_path,
        JsonlFields::default(),
        DEFAULT_MAX_DOC_BYTES,
    )
    .unwrap()
    .documents;
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    let bytes = |docs: &[copydesk::Document]| docs.iter().map(|d| d.text.len() as u64).sum();
    g.throughput(Throughput::Bytes(bytes(&seeds)));
    g.bench_function("seeds (5 docs)", |b| {
        b.iter(|| {
            let r = build(black_box(&seeds), &ReportParams::default(), &NoProgress).unwrap();
            assert!(!r.passages.is_empty());
        })
    });
    g.throughput(Throughput::Bytes(bytes(&fixture)));
    g.bench_function("chrome fixture (240 docs)", |b| {
        b.iter(|| {
            let r = build(black_box(&fixture), &ReportParams::default(), &NoProgress).unwrap();
            assert_eq!(r.boilerplate.sources.len(), 20);
        })
    });
    g.throughput(Throughput::Bytes(jsonl.len() as u64));
    g.bench_function("pairs-only on the fixture", |b| {
        b.iter(|| {
            let r =
                pairs_from_jsonl(black_box(&jsonl), &jsonl_path, &PairsParams::default()).unwrap();
            assert_eq!(r.ids.len(), 240);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
