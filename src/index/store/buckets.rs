//! Buckets: which documents hold a key. Keys are filed in pages, pages in
//! groups, groups stored as runs (see the [store docs](super)); keys of
//! newly inserted documents wait in a small hash index until applied.
//! Also the look-ups by band key (`insert`, `query`, `remove`), which tests
//! and benchmarks compare with [`MemoryIndex`](crate::index::memory::MemoryIndex).

use std::collections::HashMap;
use std::path::Path;

use redb::ReadableTable;

use super::errors::{damaged, redb_error};
use super::format::BUCKETS;
use super::Store;
use crate::error::Result;
use crate::index::{DocId, LshParams};
use crate::minhash::Signature;

/// Bits of a key that choose its bucket page: 65,536 pages. Chosen so a
/// commit rewrites at most a few hundred MB even for millions of documents,
/// while a page of a 100,000-document index stays near 70 entries (fast
/// binary search, cheap inserts).
pub const PAGE_BITS: u32 = 16;

/// Bits of a page number that choose its *group*: pages are stored and
/// loaded a group (64 pages) at a time. A commit appends one *run* per
/// changed group holding only the entries it added, so its cost follows
/// what was added, not the size of the index (rewriting every changed page
/// at each commit was a quarter of the decision thread at 100,000 lines);
/// a group is compacted into one run when it has [`MAX_RUNS`] or when a
/// key was removed from it.
pub const GROUP_BITS: u32 = 10;

/// Deferred keys of inserted documents (see [`Store::apply_keys`]) kept
/// before [`Store::settle_keys`] puts them into their pages: about 5,000
/// documents, 12 MB.
pub const RECENT_KEYS: usize = 1 << 18;

/// Runs a group may have before the next commit compacts it.
pub const MAX_RUNS: u32 = 8;

pub(in crate::index) const PAGES_PER_GROUP: usize = 1 << (PAGE_BITS - GROUP_BITS);
/// The deferred keys' table has `1 << RECENT_SLOT_BITS` slots, twice
/// [`RECENT_KEYS`], so chains stay short until the keys are applied.
pub(super) const RECENT_SLOT_BITS: u32 = RECENT_KEYS.trailing_zeros() + 1;
/// A group of bucket pages: loaded together, stored as runs.
#[derive(Debug, Clone, Default)]
pub(super) struct Group {
    pub(super) loaded: bool,
    /// Runs stored (numbered `0..runs`).
    pub(super) runs: u32,
    pub(super) dirty: bool,
    /// Scratch flag of [`Store::apply_keys`].
    pub(super) touched: bool,
    /// True when the next commit must rewrite the group as one run (an
    /// entry was removed, or one of a document older than the commit).
    pub(super) compact: bool,
}
impl Store {
    /// Makes sure the pages of `keys` are in RAM (with every page of
    /// their groups).
    pub fn load_pages(&mut self, keys: impl IntoIterator<Item = u64>) -> Result<()> {
        let mut missing: Vec<u32> = keys
            .into_iter()
            .map(|k| group_of(page_of(k)))
            .filter(|&g| !self.groups[g as usize].loaded)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        missing.dedup();
        let t = self.txn().open_table(BUCKETS).map_err(|e| self.err(e))?;
        let mut loaded = Vec::with_capacity(missing.len());
        for g in missing {
            loaded.push((g, read_group(&self.path, &t, g)?));
        }
        drop(t);
        for (g, (pages, runs)) in loaded {
            let first = (g as usize) * PAGES_PER_GROUP;
            for (i, page) in pages.into_iter().enumerate() {
                self.pages[first + i] = Some(page);
            }
            let group = &mut self.groups[g as usize];
            group.loaded = true;
            group.runs = runs;
        }
        Ok(())
    }

    fn page_mut(&mut self, key: u64) -> Result<(&mut Vec<u64>, &mut Group)> {
        let p = page_of(key);
        let g = group_of(p);
        if !self.groups[g as usize].loaded {
            self.load_pages([key])?;
        }
        let group = &mut self.groups[g as usize];
        if !group.dirty {
            group.dirty = true;
            self.dirty_list.push(g);
        }
        Ok((
            self.pages[p as usize]
                .as_mut()
                .expect("group loaded just above"),
            group,
        ))
    }

    /// Puts the keys of recently inserted documents into their pages,
    /// group by group in parallel, one merge per page.
    /// [`Store::insert_doc`] defers them (look-ups find them in a small
    /// hash index meanwhile): inserting each key into its page at once
    /// cost a cache miss and a shift of the page per key, a tenth of the
    /// decisions thread. [`Store::commit`] and every change through
    /// `&mut self` apply them first; [`Store::settle_keys`] when they grow.
    pub fn apply_keys(&mut self) -> Result<()> {
        use rayon::prelude::*;
        if self.pending_keys.is_empty() {
            return Ok(());
        }
        // Taken for the merge and given back empty: the buffer keeps its
        // capacity (regrowing it to 4 MB after every apply was a stream of
        // fresh pages for the kernel to zero).
        let mut pending = std::mem::take(&mut self.pending_keys);
        self.recent.clear();
        self.load_pages(pending.iter().map(|&(k, _)| k))?;
        // Grouped by page group (one counting pass), then each group
        // sorted in parallel below.
        let groups = self.groups.len();
        let mut ends = vec![0usize; groups + 1];
        for &(k, _) in &pending {
            ends[group_of(page_of(k)) as usize + 1] += 1;
        }
        for g in 1..=groups {
            ends[g] += ends[g - 1];
        }
        let mut grouped = std::mem::take(&mut self.grouped_keys);
        grouped.clear();
        grouped.resize(pending.len(), (0, 0));
        {
            let mut next = ends.clone();
            for &(k, doc) in &pending {
                let g = group_of(page_of(k)) as usize;
                grouped[next[g]] = (k, doc);
                next[g] += 1;
            }
        }
        let committed = self.committed_next_doc;
        for g in &mut self.groups {
            g.touched = false;
        }
        for &(k, doc) in &grouped {
            let g = &mut self.groups[group_of(page_of(k)) as usize];
            g.touched = true;
            g.compact |= doc < committed;
        }
        let mut slices: Vec<&mut [(u64, DocId)]> = Vec::with_capacity(groups);
        let mut rest = grouped.as_mut_slice();
        for g in 0..groups {
            let (head, tail) = rest.split_at_mut(ends[g + 1] - ends[g]);
            slices.push(head);
            rest = tail;
        }
        for (g, group) in self.groups.iter_mut().enumerate() {
            if group.touched && !group.dirty {
                group.dirty = true;
                self.dirty_list.push(g as u32);
            }
        }
        let added: u64 = self
            .pages
            .par_chunks_mut(PAGES_PER_GROUP)
            .zip(slices)
            .enumerate()
            .map(|(g, (pages, keys))| {
                let first = (g * PAGES_PER_GROUP) as u32;
                // By page, then entry: (page << 48 | fragment << 16) keeps
                // the order of (page, fragment); the doc breaks ties.
                keys.sort_unstable_by_key(|&(k, doc)| (k >> 16, doc));
                let mut added = 0;
                let mut rest = &keys[..];
                while let Some(&(k0, _)) = rest.first() {
                    let p = page_of(k0);
                    let n = rest.iter().take_while(|&&(k, _)| page_of(k) == p).count();
                    let page = pages[(p - first) as usize]
                        .as_mut()
                        .expect("pages loaded above");
                    let before = page.len();
                    merge_sorted(
                        page,
                        rest[..n]
                            .iter()
                            .map(|&(k, doc)| (u64::from(fragment_of(k)) << 32) | doc),
                    );
                    added += (page.len() - before) as u64;
                    rest = &rest[n..];
                }
                added
            })
            .sum();
        self.key_count += added;
        pending.clear();
        self.pending_keys = pending;
        self.grouped_keys = grouped;
        Ok(())
    }

    /// Applies the deferred keys ([`Store::apply_keys`]) once they are
    /// many ([`RECENT_KEYS`]); look-ups are right either way.
    pub fn settle_keys(&mut self) -> Result<()> {
        if self.pending_keys.len() >= RECENT_KEYS {
            self.apply_keys()?;
        }
        Ok(())
    }

    /// Appends the deferred-key documents holding `key` to `out`.
    fn collect_recent(&self, key: u64, out: &mut Vec<DocId>) {
        for at in self.recent.chain(key >> 16) {
            let (k, doc) = self.pending_keys[at];
            if k >> 16 == key >> 16 {
                out.push(doc);
            }
        }
    }

    /// Documents holding any of `keys`, ascending, each once.
    pub fn lookup(&mut self, keys: &[u64]) -> Result<Vec<DocId>> {
        self.apply_keys()?;
        self.load_pages(keys.iter().copied())?;
        let mut out = Vec::new();
        for &key in keys {
            let page = self.pages[page_of(key) as usize]
                .as_ref()
                .expect("pages loaded above");
            collect_fragment(page, fragment_of(key), &mut out);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Like [`Store::lookup`] for pages already in RAM (see
    /// [`Store::load_pages`]); usable from several threads at once.
    pub fn lookup_loaded(&self, keys: &[u64], out: &mut Vec<DocId>) {
        out.clear();
        for &key in keys {
            if let Some(page) = &self.pages[page_of(key) as usize] {
                collect_fragment(page, fragment_of(key), out);
            }
            self.collect_recent(key, out);
        }
        out.sort_unstable();
        out.dedup();
    }

    /// [`Store::lookup_loaded`] for many key lists at once, in parallel:
    /// the documents holding any key of each list (pages already in RAM,
    /// see [`Store::load_pages`]).
    pub fn lookup_many(&self, key_lists: &[Vec<u64>]) -> Vec<Vec<DocId>> {
        use rayon::prelude::*;
        let pages = &self.pages;
        key_lists
            .par_iter()
            .with_min_len(16)
            .map(|keys| {
                // First touch what every key will read: the page, its
                // interpolated entry and the deferred-key bucket. The loads
                // are independent and have no branch on their data, so the
                // CPU overlaps their cache misses; the searches below then
                // mostly hit the cache (the look-ups were memory-bound,
                // about three misses a key).
                let mut touched = 0u64;
                for &key in keys {
                    if let Some(page) = &pages[page_of(key) as usize] {
                        if !page.is_empty() {
                            touched ^=
                                page[interpolate(page.len(), u64::from(fragment_of(key)) << 32)];
                        }
                    }
                    touched ^= u64::from(self.recent.head(key >> 16).unwrap_or(0));
                }
                std::hint::black_box(touched);
                let mut out = Vec::new();
                for &key in keys {
                    if let Some(page) = &pages[page_of(key) as usize] {
                        collect_fragment(page, fragment_of(key), &mut out);
                    }
                    self.collect_recent(key, &mut out);
                }
                out.sort_unstable();
                out.dedup();
                out
            })
            .collect()
    }

    pub(super) fn add_key(&mut self, key: u64, doc: DocId) -> Result<()> {
        self.apply_keys()?;
        let committed = self.committed_next_doc;
        let entry = (u64::from(fragment_of(key)) << 32) | doc;
        let (page, group) = self.page_mut(key)?;
        if let Err(at) = page.binary_search(&entry) {
            page.insert(at, entry);
            // A run holds the entries of documents numbered from the last
            // commit on; an older document's key needs a compaction.
            group.compact |= doc < committed;
            self.key_count += 1;
        }
        Ok(())
    }

    pub(super) fn remove_key(&mut self, key: u64, doc: DocId) -> Result<()> {
        self.apply_keys()?;
        let entry = (u64::from(fragment_of(key)) << 32) | doc;
        let (page, group) = self.page_mut(key)?;
        if let Ok(at) = page.binary_search(&entry) {
            page.remove(at);
            group.compact = true;
            self.key_count -= 1;
        }
        Ok(())
    }
}

/// Band-key candidates by signature (tests and benchmarks compare these
/// with [`MemoryIndex`](crate::index::memory::MemoryIndex); the filter looks keys up itself).
impl Store {
    /// The banding this index uses.
    pub fn lsh(&self) -> LshParams {
        self.params.lsh
    }

    /// Adds a document's signature.
    pub fn insert(&mut self, id: DocId, sig: &Signature) -> Result<()> {
        let keys: Vec<u64> = self.params.lsh.band_keys(sig).collect();
        for k in keys {
            self.add_key(k, id)?;
        }
        self.doc_count += 1;
        self.next_doc = self.next_doc.max(id + 1);
        Ok(())
    }

    /// Documents sharing at least one band with `sig`, ascending, each once.
    pub fn query(&self, sig: &Signature) -> Result<Vec<DocId>> {
        let keys: Vec<u64> = self.params.lsh.band_keys(sig).collect();
        let missing = keys
            .iter()
            .any(|&k| self.pages[page_of(k) as usize].is_none());
        let mut out = Vec::new();
        if missing {
            // Read the missing groups without caching them (this takes &self).
            let t = self.txn().open_table(BUCKETS).map_err(|e| self.err(e))?;
            let mut read: HashMap<u32, Vec<Vec<u64>>> = HashMap::new();
            for &key in &keys {
                let p = page_of(key);
                match &self.pages[p as usize] {
                    Some(page) => collect_fragment(page, fragment_of(key), &mut out),
                    None => {
                        let g = group_of(p);
                        if let std::collections::hash_map::Entry::Vacant(slot) = read.entry(g) {
                            slot.insert(read_group(&self.path, &t, g)?.0);
                        }
                        let page = &read[&g][p as usize % PAGES_PER_GROUP];
                        collect_fragment(page, fragment_of(key), &mut out);
                    }
                }
            }
            out.sort_unstable();
            out.dedup();
        } else {
            self.lookup_loaded(&keys, &mut out);
        }
        if missing {
            // Keys not yet applied to their pages (lookup_loaded has them).
            for &key in &keys {
                self.collect_recent(key, &mut out);
            }
            out.sort_unstable();
            out.dedup();
        }
        Ok(out)
    }

    /// Takes a document out (its signature says which buckets hold it).
    pub fn remove(&mut self, id: DocId, sig: &Signature) -> Result<()> {
        let keys: Vec<u64> = self.params.lsh.band_keys(sig).collect();
        let before = self.key_count;
        for k in keys {
            self.remove_key(k, id)?;
        }
        if self.key_count != before {
            self.doc_count -= 1;
        }
        Ok(())
    }

    /// Number of documents indexed.
    pub fn len(&self) -> Result<usize> {
        Ok(self.doc_count as usize)
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.doc_count == 0)
    }
}
pub(in crate::index) fn group_of(page: u32) -> u32 {
    page >> (PAGE_BITS - GROUP_BITS)
}

/// A run: the entry count of each page of the group (u32), then the
/// entries, page after page, each page's sorted.
pub(super) fn encode_run<'a>(pages: impl Iterator<Item = &'a [u64]> + Clone, out: &mut Vec<u8>) {
    out.clear();
    for p in pages.clone() {
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
    }
    for p in pages {
        for e in p {
            out.extend_from_slice(&e.to_le_bytes());
        }
    }
}

/// Every page of group `g` (merged from its runs) and its run count.
pub(in crate::index) fn read_group(
    path: &Path,
    t: &impl ReadableTable<u64, &'static [u8]>,
    g: u32,
) -> Result<(Vec<Vec<u64>>, u32)> {
    let base = u64::from(g) << 32;
    let mut pages = vec![Vec::new(); PAGES_PER_GROUP];
    let mut runs = 0;
    let short = || {
        damaged(
            path,
            format!("bucket group {g} holds a run cut short"),
            None,
        )
    };
    for row in t
        .range(base..base + (1 << 32))
        .map_err(|e| redb_error(path, e))?
    {
        let (k, v) = row.map_err(|e| redb_error(path, e))?;
        if k.value() != base | u64::from(runs) {
            return Err(damaged(
                path,
                format!("bucket group {g} lacks its run {runs}"),
                None,
            ));
        }
        runs += 1;
        let bytes = v.value();
        let head = bytes.get(..4 * PAGES_PER_GROUP).ok_or_else(short)?;
        let mut at = 4 * PAGES_PER_GROUP;
        for (page, n) in pages.iter_mut().zip(head.chunks_exact(4)) {
            let n = u32::from_le_bytes(n.try_into().expect("4-byte chunk")) as usize;
            let body = at
                .checked_add(8 * n)
                .and_then(|end| bytes.get(at..end))
                .ok_or_else(short)?;
            page.extend(
                body.chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().expect("8-byte chunk"))),
            );
            at += 8 * n;
        }
    }
    if runs > 1 {
        for page in &mut pages {
            page.sort_unstable();
        }
    }
    Ok((pages, runs))
}

pub(in crate::index) fn page_of(key: u64) -> u32 {
    (key >> (64 - PAGE_BITS)) as u32
}

pub(in crate::index) fn fragment_of(key: u64) -> u32 {
    (key >> (32 - PAGE_BITS)) as u32
}

/// Appends the documents of every entry of `page` with `fragment`.
fn collect_fragment(page: &[u64], fragment: u32, out: &mut Vec<DocId>) {
    let lo = u64::from(fragment) << 32;
    let start = first_at_least(page, lo);
    out.extend(
        page[start..]
            .iter()
            .take_while(|&&e| (e >> 32) as u32 == fragment)
            .map(|&e| e & 0xFFFF_FFFF),
    );
}

/// Merges the ascending entries `add` into the sorted `page`, leaving it
/// sorted without duplicates: one pass from the back, where sorting the
/// page again for its few new entries was most of applying keys.
fn merge_sorted(page: &mut Vec<u64>, add: impl Iterator<Item = u64>) {
    let new: Vec<u64> = add.collect();
    let (old, n) = (page.len(), new.len());
    page.resize(old + n, 0);
    let (mut i, mut j, mut k) = (old, n, old + n);
    while j > 0 {
        k -= 1;
        if i > 0 && page[i - 1] > new[j - 1] {
            page[k] = page[i - 1];
            i -= 1;
        } else {
            page[k] = new[j - 1];
            j -= 1;
        }
    }
    page.dedup();
}

/// Where `lo` would sit in a page of `n` uniform entries (`n` > 0).
fn interpolate(n: usize, lo: u64) -> usize {
    ((u128::from(lo) * n as u128) >> 64) as usize
}

/// The first position of the sorted `page` whose entry is at least `lo`.
///
/// Entries are hash bits, uniform over `u64`, so the position is
/// interpolated and the answer bracketed by steps doubling away from it:
/// one or two cache lines per look-up where a binary search of a
/// 70-entry page touched five (look-ups were a tenth of the filter).
/// Any order of entries still gets the right answer, in O(log n).
fn first_at_least(page: &[u64], lo: u64) -> usize {
    let n = page.len();
    if n == 0 {
        return 0;
    }
    let guess = interpolate(n, lo);
    let (a, b) = if page[guess] < lo {
        // The answer is after `guess`.
        let mut step = 1;
        let mut a = guess + 1;
        while a + step <= n && page[a + step - 1] < lo {
            a += step;
            step *= 2;
        }
        (a, (a + step).min(n))
    } else {
        // The answer is at or before `guess`.
        let mut step = 1;
        let mut b = guess;
        while b >= step && page[b - step] >= lo {
            b -= step;
            step *= 2;
        }
        (b.saturating_sub(step), b)
    };
    // page[..a] < lo <= page[b..]
    a + page[a..b].partition_point(|&e| e < lo)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{k, new_doc, params};
    use super::*;
    use xxhash_rust::xxh3::xxh3_64_with_seed;

    #[test]
    fn deferred_keys_of_buckets_sharing_a_slot_are_told_apart() {
        let mut s = Store::in_memory(params()).unwrap();
        // Same slot, other buckets: equal low bits of `key >> 16`, and
        // within a bucket the low 16 bits do not matter.
        let a = k(1);
        let b = a ^ (1 << (RECENT_SLOT_BITS + 16));
        let a2 = a ^ 0xFFFF;
        assert_eq!(s.recent.slot(a >> 16), s.recent.slot(b >> 16));
        assert_ne!(a >> 16, b >> 16);
        let (ka, kb) = ([a], [b]);
        s.insert_docs(&[(0, new_doc("a", "x", &ka)), (1, new_doc("b", "y", &kb))])
            .unwrap();
        s.load_pages([a, b]).unwrap();
        let mut out = Vec::new();
        for (key, want) in [(a, vec![0]), (b, vec![1]), (a2, vec![0])] {
            s.lookup_loaded(&[key], &mut out);
            assert_eq!(out, want, "key {key:x}");
        }
        assert_eq!(
            s.lookup_many(&[vec![a], vec![b, a]]),
            vec![vec![0], vec![0, 1]]
        );
        // Applied to their pages, the same.
        assert_eq!(s.lookup(&[b]).unwrap(), vec![1]);
        assert_eq!(s.lookup(&[a2]).unwrap(), vec![0]);
    }

    #[test]
    fn deferred_keys_runs_and_compaction_agree_with_a_plain_map() {
        use std::collections::{BTreeMap, BTreeSet};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idx.redb");
        let mut s = Store::open_or_create(&path, params()).unwrap();
        let mut expected: BTreeMap<u64, BTreeSet<DocId>> = BTreeMap::new();
        let mut docs = Vec::new();
        let ids: Vec<String> = (0..600).map(|i| format!("d{i}")).collect();
        // 12 commits: more than MAX_RUNS runs per group, then compaction;
        // removals force compaction too.
        for round in 0..12u64 {
            for i in 0..50u64 {
                let n = round * 50 + i;
                // A key of its own, one shared by its round, one by all
                // (k(0) is the exact-text key of `new_doc`'s hash 7).
                let n = n + 1;
                let keys = [k(n), k(100_000 + round), k(200_000)];
                let id = s
                    .insert_doc(&new_doc(&ids[n as usize - 1], "text", &keys))
                    .unwrap();
                for key in keys {
                    expected.entry(key).or_default().insert(id);
                }
                docs.push(id);
                // Deferred keys are found before they reach their pages.
                let mut out = Vec::new();
                s.load_pages([k(n), k(200_000)]).unwrap();
                s.lookup_loaded(&[k(n)], &mut out);
                assert_eq!(out, vec![id]);
                assert_eq!(
                    s.lookup_many(&[vec![k(200_000)]])[0].len(),
                    expected[&k(200_000)].len()
                );
            }
            if round % 5 == 4 {
                let d = s.doc(docs[round as usize * 50]).unwrap().unwrap();
                for key in &d.keys {
                    if let Some(set) = expected.get_mut(key) {
                        set.remove(&d.doc);
                    }
                }
                s.remove_doc(&d).unwrap();
            }
            s.commit().unwrap();
        }
        let check = |s: &mut Store| {
            for (key, set) in &expected {
                let found = s.lookup(&[*key]).unwrap();
                assert_eq!(
                    found,
                    set.iter().copied().collect::<Vec<_>>(),
                    "key {key:x}"
                );
            }
        };
        check(&mut s);
        drop(s);
        let mut s = Store::open(&path).unwrap();
        check(&mut s);
        assert_eq!(s.doc_count(), 600 - 2);
        // Entries: three keys, the exact-text key and the id key a document.
        assert_eq!(s.stats().unwrap().keys, (600 - 2) * 5);
    }

    #[test]
    fn merge_sorted_agrees_with_sort_and_dedup() {
        let cases: [(&[u64], &[u64]); 6] = [
            (&[], &[]),
            (&[], &[1, 2, 2]),
            (&[1, 5, 9], &[]),
            (&[1, 5, 9], &[0, 5, 10]),
            (&[2, 4, 6, 8], &[1, 3, 5, 7, 9]),
            (&[3, 3, 4], &[3, 4, 4]),
        ];
        for (page, add) in cases {
            let mut want: Vec<u64> = page.iter().chain(add).copied().collect();
            want.sort_unstable();
            want.dedup();
            let mut got = page.to_vec();
            got.dedup();
            merge_sorted(&mut got, add.iter().copied());
            assert_eq!(got, want, "{page:?} + {add:?}");
        }
    }

    #[test]
    fn interpolated_search_agrees_with_partition_point() {
        // Hash values, as the pages hold.
        let mut count = 0u64;
        let mut next = || {
            count += 1;
            xxh3_64_with_seed(&count.to_le_bytes(), 7)
        };
        for n in [0, 1, 2, 3, 7, 70, 700] {
            let mut uniform: Vec<u64> = (0..n).map(|_| next()).collect();
            uniform.sort_unstable();
            // Skewed pages (all entries in a corner, many equal) must be
            // answered right too, only slower.
            let skewed: Vec<u64> = (0..n as u64).map(|i| i / 3).collect();
            for page in [&uniform, &skewed] {
                let mut probes: Vec<u64> = page.clone();
                probes.extend(page.iter().map(|e| e.wrapping_add(1)));
                probes.extend([0, 1, u64::MAX, u64::MAX / 2]);
                probes.extend((0..50).map(|_| next()));
                for lo in probes {
                    assert_eq!(
                        first_at_least(page, lo),
                        page.partition_point(|&e| e < lo),
                        "n {n} lo {lo}"
                    );
                }
            }
        }
    }
}
