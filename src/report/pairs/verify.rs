//! Pass 2: exact shingle sets of the documents that need them, read again
//! by offset ([`SetReader`]), and the verification of candidate pairs on
//! them, so no pair is reported on an estimate.
//!
//! Candidate pairs link documents into small groups ([`candidate_groups`]);
//! each group's sets are made, its pairs scored and the sets dropped, in
//! parallel. A [`ShingleTable`] counts sets and their intersections.
//! [`score`] and [`scored`] turn counts into a [`ScoredPair`] for the
//! exact join too.

use std::io::{Read, Seek, SeekFrom};

use rayon::prelude::*;

use super::pass1::{Rec, Scratch};
use super::{Input, PairsParams, ScoredPair};
use crate::shingle::Shingles;

/// Reads records again by offset and makes their shingle sets (the exact
/// join's prefix filter needs them sorted; the LSH path only their
/// members, de-duplicated by a hash table).
pub(super) struct SetReader<'a, 'i> {
    pub(super) input: &'a Input<'i>,
    pub(super) recs: &'a [Rec],
    pub(super) params: &'a PairsParams,
}

impl SetReader<'_, '_> {
    /// The shingles of document `d` into `set` (`buf` holds its record
    /// when read from a file); with `dedup`, each once.
    pub(super) fn read_set(
        &self,
        s: &mut Scratch,
        buf: &mut Vec<u8>,
        table: &mut ShingleTable,
        d: u32,
        set: &mut Vec<u64>,
        dedup: bool,
    ) -> std::io::Result<()> {
        let k = self.params.shingle_size;
        let sketch = !self.params.exact;
        let r = self.recs[d as usize];
        let raw: &[u8] = match self.input {
            Input::Bytes(data) => &data[r.offset as usize..r.offset as usize + r.len as usize],
            Input::File(file, _) => {
                buf.resize(r.len as usize, 0);
                let mut f = file
                    .lock()
                    .map_err(|_| std::io::Error::other("input lock poisoned"))?;
                f.seek(SeekFrom::Start(r.offset))?;
                f.read_exact(buf)?;
                buf
            }
        };
        s.document(raw, 0, raw.len(), r.line, self.params);
        set.clear();
        set.extend(Shingles::new(&s.tokens, k));
        if !dedup {
            return Ok(());
        }
        if sketch {
            table.reset(set.len());
            set.retain(|&h| table.insert(h));
        } else {
            set.sort_unstable();
            set.dedup();
        }
        Ok(())
    }
}

/// The candidate pairs among `n` documents whose exact Jaccard reaches
/// the threshold, by `(a, b)`, and how many documents were read again.
pub(super) fn verified_pairs(
    reader: &SetReader<'_, '_>,
    n: usize,
    candidates: &[(u32, u32)],
) -> std::io::Result<(Vec<ScoredPair>, usize)> {
    let t = reader.params.threshold;
    // Candidate pairs link documents into small groups (a copy and
    // its originals): each group's sets are made, its pairs scored
    // and the sets dropped, in parallel, so no more than a group's
    // sets per thread are ever held.
    let groups = candidate_groups(n, candidates);
    let verified_docs = groups.iter().map(|g| g.docs.len()).sum();
    let scored_groups = groups
        .par_iter()
        .map_init(
            || {
                let sets: Vec<Vec<u64>> = Vec::new();
                (
                    Scratch::default(),
                    Vec::new(),
                    ShingleTable::default(),
                    sets,
                )
            },
            |(s, buf, table, sets), g| -> std::io::Result<Vec<ScoredPair>> {
                if sets.len() < g.docs.len() {
                    sets.resize_with(g.docs.len(), Vec::new);
                }
                if let [(a, b)] = g.pairs[..] {
                    // The usual group, one pair: one table tags each
                    // shingle with the documents holding it, which
                    // counts both sets and their intersection at once.
                    let (x, rest) = sets.split_at_mut(1);
                    reader.read_set(s, buf, table, a, &mut x[0], false)?;
                    reader.read_set(s, buf, table, b, &mut rest[0], false)?;
                    return Ok(pair_of_raw(a, b, &x[0], &rest[0], table, t)
                        .into_iter()
                        .collect());
                }
                for (&d, set) in g.docs.iter().zip(sets.iter_mut()) {
                    reader.read_set(s, buf, table, d, set, true)?;
                }
                let set_of = |d: u32| &sets[g.docs.binary_search(&d).expect("member")];
                Ok(g.pairs
                    .iter()
                    .filter_map(|&(a, b)| {
                        let (x, y) = (set_of(a), set_of(b));
                        table.reset(x.len());
                        for &h in x {
                            table.insert(h);
                        }
                        let inter = y.iter().filter(|&&h| table.contains(h)).count();
                        scored(a, b, inter, x.len(), y.len(), t)
                    })
                    .collect())
            },
        )
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut pairs: Vec<ScoredPair> = scored_groups.into_iter().flatten().collect();
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    Ok((pairs, verified_docs))
}

/// The verified pair of sorted sets `x` and `y`, when its Jaccard reaches
/// `t`.
pub(super) fn score(a: u32, b: u32, x: &[u64], y: &[u64], t: f64) -> Option<ScoredPair> {
    scored(a, b, intersection(x, y), x.len(), y.len(), t)
}

/// The pair of sets of `nx` and `ny` members sharing `inter`, when its
/// Jaccard reaches `t`.
fn scored(a: u32, b: u32, inter: usize, nx: usize, ny: usize, t: f64) -> Option<ScoredPair> {
    let union = nx + ny - inter;
    let jaccard = if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    };
    (jaccard >= t).then(|| ScoredPair {
        a: a.min(b),
        b: a.max(b),
        jaccard,
        containment: inter as f64 / nx.min(ny).max(1) as f64,
    })
}

/// Documents linked by candidate pairs, and those pairs.
struct Group {
    /// Ascending.
    docs: Vec<u32>,
    pairs: Vec<(u32, u32)>,
}

/// The connected groups of the candidate graph (union-find), each with
/// its documents and pairs; groups in order of their first document.
fn candidate_groups(n: usize, candidates: &[(u32, u32)]) -> Vec<Group> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for &(a, b) in candidates {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    // Group number of each root, in order of first appearance.
    let mut by_root: Vec<(u32, u32, u32)> = candidates
        .iter()
        .map(|&(a, b)| (root(&mut parent, a), a, b))
        .collect();
    by_root.sort_unstable();
    let mut groups: Vec<Group> = Vec::new();
    let mut last = u32::MAX;
    for (r, a, b) in by_root {
        if r != last {
            groups.push(Group {
                docs: Vec::new(),
                pairs: Vec::new(),
            });
            last = r;
        }
        let g = groups.last_mut().expect("pushed");
        g.docs.extend([a, b]);
        g.pairs.push((a, b));
    }
    for g in &mut groups {
        g.docs.sort_unstable();
        g.docs.dedup();
    }
    groups
}

/// The verified pair of documents whose shingles (duplicates included)
/// are `x` and `y`, when its Jaccard reaches `t`.
fn pair_of_raw(
    a: u32,
    b: u32,
    x: &[u64],
    y: &[u64],
    table: &mut ShingleTable,
    t: f64,
) -> Option<ScoredPair> {
    table.reset(x.len() + y.len());
    let nx = x.iter().filter(|&&h| table.tag(h, 1) == 0).count();
    let (mut ny, mut inter) = (0, 0);
    for &h in y {
        match table.tag(h, 2) {
            0 => ny += 1,
            1 => {
                ny += 1;
                inter += 1;
            }
            _ => {}
        }
    }
    scored(a, b, inter, nx, ny, t)
}

/// A set of shingle hashes by open addressing, emptied in constant time
/// by a generation stamp: a pair's intersection costs one insert per
/// member of one set and one probe per member of the other, where sorting
/// both sets cost a dozen comparisons per member.
#[derive(Default)]
pub(super) struct ShingleTable {
    keys: Vec<u64>,
    /// Per slot, bits naming which sets hold the key (see `tag`).
    tags: Vec<u8>,
    /// The generation that wrote each slot; other slots are empty.
    stamps: Vec<u32>,
    now: u32,
    mask: usize,
}

impl ShingleTable {
    /// Empties the set, with room for `expected` members.
    fn reset(&mut self, expected: usize) {
        let size = (expected * 2).next_power_of_two().max(16);
        if size > self.keys.len() {
            self.keys = vec![0; size];
            self.tags = vec![0; size];
            self.stamps = vec![0; size];
            self.now = 0;
        }
        self.mask = size - 1;
        self.now = self.now.wrapping_add(1);
        if self.now == 0 {
            self.stamps.fill(0);
            self.now = 1;
        }
    }

    /// Adds `h`; true when it was not a member. (Shingle hashes are fully
    /// mixed, so their low bits pick the slot.)
    fn insert(&mut self, h: u64) -> bool {
        let mut i = h as usize & self.mask;
        loop {
            if self.stamps[i] != self.now {
                self.stamps[i] = self.now;
                self.keys[i] = h;
                return true;
            }
            if self.keys[i] == h {
                return false;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Adds `h` with `bit` among its tags; returns its tags before (0
    /// when it was not a member).
    fn tag(&mut self, h: u64, bit: u8) -> u8 {
        let mut i = h as usize & self.mask;
        loop {
            if self.stamps[i] != self.now {
                self.stamps[i] = self.now;
                self.keys[i] = h;
                self.tags[i] = bit;
                return 0;
            }
            if self.keys[i] == h {
                let before = self.tags[i];
                self.tags[i] |= bit;
                return before;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn contains(&self, h: u64) -> bool {
        let mut i = h as usize & self.mask;
        while self.stamps[i] == self.now {
            if self.keys[i] == h {
                return true;
            }
            i = (i + 1) & self.mask;
        }
        false
    }
}

fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::finalize;

    #[test]
    fn candidate_groups_follow_the_links() {
        let g = candidate_groups(10, &[(5, 7), (1, 2), (2, 9), (3, 4), (7, 8)]);
        let docs: Vec<&[u32]> = g.iter().map(|g| &g.docs[..]).collect();
        assert_eq!(docs, [&[1, 2, 9][..], &[3, 4], &[5, 7, 8]]);
        let pairs: Vec<&[(u32, u32)]> = g.iter().map(|g| &g.pairs[..]).collect();
        assert_eq!(pairs, [&[(1, 2), (2, 9)][..], &[(3, 4)], &[(5, 7), (7, 8)]]);
        assert!(candidate_groups(3, &[]).is_empty());
    }

    #[test]
    fn shingle_table_counts_like_sorted_sets() {
        let mut t = ShingleTable::default();
        let mix = |x: u64| finalize(x);
        for (n, m, shared) in [
            (0u64, 5u64, 0u64),
            (10, 10, 10),
            (300, 200, 150),
            (1000, 40, 7),
        ] {
            let x: Vec<u64> = (0..n).map(mix).collect();
            let y: Vec<u64> = (0..shared)
                .chain(5000..5000 + m - shared)
                .map(mix)
                .collect();
            t.reset(x.len());
            assert!(x.iter().all(|&h| t.insert(h)));
            assert!(x.iter().all(|&h| !t.insert(h)), "members stay members");
            let inter = y.iter().filter(|&&h| t.contains(h)).count();
            assert_eq!(inter as u64, shared.min(n));
            // A reset empties it.
            t.reset(4);
            assert!(x.iter().all(|&h| !t.contains(h)));
        }
        // Raw shingles with duplicates count as their sets.
        let x = vec![mix(1), mix(2), mix(2), mix(3), mix(4)];
        let y = vec![mix(2), mix(3), mix(3), mix(5), mix(2)];
        let p = pair_of_raw(0, 1, &x, &y, &mut t, 0.0).unwrap();
        // {1,2,3,4} and {2,3,5}: 2 shared of 5.
        assert_eq!((p.jaccard, p.containment), (2.0 / 5.0, 2.0 / 3.0));
        // Duplicates are dropped once.
        let mut v = vec![mix(1), mix(2), mix(1), mix(3), mix(2)];
        t.reset(v.len());
        v.retain(|&h| t.insert(h));
        assert_eq!(v, [mix(1), mix(2), mix(3)]);
    }
}
