//! Learning the boilerplate a source puts around every article, from the
//! stream itself, in bounded memory.
//!
//! A document is cut into *segments*: runs of words between sentence ends,
//! `|` separators and line breaks (a navigation bar item, a footer sentence,
//! a "related stories" headline). For every source the model counts, over the
//! documents it has kept, in how many documents each segment appeared, with
//! lossy counting (Manku & Motwani 2002): counts are exact to within
//! [`LOSSY_WIDTH`]⁻¹ of the document count and memory stays proportional to
//! the segments of the last [`LOSSY_WIDTH`] documents plus the frequent ones.
//!
//! A segment is boilerplate for its source once it appeared in at least
//! [`MIN_DOCS`] of that source's kept documents and in at least
//! [`MIN_SHARE`] of them. Documents without a source learn nothing.
//! Only kept documents teach the model, so a copy the filter drops never
//! makes its own text look like boilerplate.

use std::collections::HashMap;

/// Kept documents of a source a segment must appear in before it is
/// boilerplate. 2: a navigation bar seen on two pages of one site is the
/// site's, not the article's.
pub const MIN_DOCS: u32 = 2;

/// Share of a source's kept documents a segment must appear in. 5%: a
/// "related stories" headline shown on one page in five is caught, while an
/// article sentence quoted by a handful of that source's articles is not.
pub const MIN_SHARE: f64 = 0.05;

/// Lossy-counting bucket width in documents (error bound 1%, below
/// [`MIN_SHARE`] so the bound never decides).
pub const LOSSY_WIDTH: u64 = 100;

/// What one source has shown so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceModel {
    /// Kept documents of the source.
    docs: u64,
    /// Segment hash → (count, maximum undercount).
    counts: HashMap<u64, (u32, u32)>,
}

impl SourceModel {
    /// True when `segment` is boilerplate for this source.
    pub fn is_boilerplate(&self, segment: u64) -> bool {
        let need = (MIN_SHARE * self.docs as f64)
            .ceil()
            .max(f64::from(MIN_DOCS)) as u32;
        self.counts
            .get(&segment)
            .is_some_and(|&(count, _)| count >= need)
    }

    /// Learns one kept document's distinct segments.
    pub fn learn(&mut self, segments: &[u64]) {
        self.docs += 1;
        let bucket = self.docs.div_ceil(LOSSY_WIDTH) as u32;
        for &s in segments {
            self.counts
                .entry(s)
                .and_modify(|e| e.0 += 1)
                .or_insert((1, bucket - 1));
        }
        if self.docs % LOSSY_WIDTH == 0 {
            self.counts
                .retain(|_, &mut (count, delta)| count + delta > bucket);
        }
    }

    /// Segments currently counted (for memory accounting).
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True before the first kept document.
    pub fn is_empty(&self) -> bool {
        self.docs == 0
    }
}

/// The models of every source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChromeModel {
    sources: HashMap<String, SourceModel>,
}

impl ChromeModel {
    /// The model of `source`, if it has kept a document.
    pub fn source(&self, source: Option<&str>) -> Option<&SourceModel> {
        self.sources.get(source?)
    }

    /// Learns a kept document of `source` (nothing without a source).
    pub fn learn(&mut self, source: Option<&str>, segments: &[u64]) {
        if let Some(s) = source {
            self.sources
                .entry(s.to_string())
                .or_default()
                .learn(segments);
        }
    }

    /// Number of sources with a model.
    pub fn sources(&self) -> usize {
        self.sources.len()
    }

    /// Serialises the model (little-endian, sources in name order).
    pub fn encode(&self) -> Vec<u8> {
        let mut names: Vec<&String> = self.sources.keys().collect();
        names.sort();
        let mut out = Vec::new();
        out.extend_from_slice(&(names.len() as u64).to_le_bytes());
        for name in names {
            let m = &self.sources[name];
            out.extend_from_slice(&(name.len() as u64).to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&m.docs.to_le_bytes());
            let mut entries: Vec<(&u64, &(u32, u32))> = m.counts.iter().collect();
            entries.sort_unstable();
            out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
            for (s, (c, d)) in entries {
                out.extend_from_slice(&s.to_le_bytes());
                out.extend_from_slice(&c.to_le_bytes());
                out.extend_from_slice(&d.to_le_bytes());
            }
        }
        out
    }

    /// Reads what [`ChromeModel::encode`] wrote; `None` if it is broken.
    pub fn decode(bytes: &[u8]) -> Option<ChromeModel> {
        let mut r = Cursor(bytes);
        let n = r.u64()?;
        let mut model = ChromeModel::default();
        for _ in 0..n {
            let len = r.u64()? as usize;
            let name = String::from_utf8(r.take(len)?.to_vec()).ok()?;
            let docs = r.u64()?;
            let entries = r.u64()? as usize;
            let mut counts = HashMap::with_capacity(entries.min(bytes.len() / 16));
            for _ in 0..entries {
                let s = r.u64()?;
                let c = r.u32()?;
                let d = r.u32()?;
                counts.insert(s, (c, d));
            }
            model.sources.insert(name, SourceModel { docs, counts });
        }
        Some(model)
    }
}

/// Little-endian reader; `None` past the end.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_on_every_page_becomes_boilerplate_and_a_rare_one_does_not() {
        let mut m = SourceModel::default();
        m.learn(&[1, 10]);
        assert!(!m.is_boilerplate(1), "one page proves nothing");
        m.learn(&[1, 11]);
        assert!(m.is_boilerplate(1));
        for i in 0..400 {
            // Segment 2 on one page in ten, segment 3 on four pages only.
            let mut segs = vec![1, 100 + i];
            if i % 10 == 0 {
                segs.push(2);
            }
            if i < 4 {
                segs.push(3);
            }
            m.learn(&segs);
        }
        assert!(m.is_boilerplate(1));
        assert!(m.is_boilerplate(2));
        assert!(!m.is_boilerplate(3));
        assert!(!m.is_boilerplate(150));
        // Lossy counting forgot most one-off segments.
        assert!(m.len() < 150, "{}", m.len());
    }

    #[test]
    fn model_round_trips_and_sources_stay_apart() {
        let mut m = ChromeModel::default();
        m.learn(Some("a"), &[1]);
        m.learn(Some("a"), &[1]);
        m.learn(Some("b"), &[1]);
        m.learn(None, &[1]);
        assert!(m.source(Some("a")).unwrap().is_boilerplate(1));
        assert!(!m.source(Some("b")).unwrap().is_boilerplate(1));
        assert_eq!(ChromeModel::decode(&m.encode()), Some(m.clone()));
        assert_eq!(ChromeModel::decode(&m.encode()[..5]), None);
    }
}
