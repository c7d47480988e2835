//! Link boxes: a "Related stories:" or "More from ..." header and the
//! headlines under it.

use std::ops::Range;
use std::sync::OnceLock;

use crate::span::Span;

/// Lowercase openings of a segment that introduces a list of links,
/// collected from news sites' "more" boxes, with whether the opening is
/// a box's whatever follows it (`true`: no article sentence starts "More
/// from ..." or "Most read ..."), or only followed by a colon or alone in a
/// short segment (`false`: "Related to the strike, ministers said ...").
const LINK_BOX_HEADERS: &[(&str, bool)] = &[
    ("also read", false),
    ("editor's picks", true),
    ("editors' picks", true),
    ("further reading", true),
    ("latest news", false),
    ("more from", true),
    ("more on this story", true),
    ("more stories", true),
    ("most popular", true),
    ("most read", true),
    ("most viewed", true),
    ("popular now", true),
    ("read more", false),
    ("read next", true),
    ("recommended", false),
    ("related", false),
    ("related articles", true),
    ("related content", true),
    ("related coverage", true),
    ("related stories", true),
    ("see also", false),
    ("top stories", true),
    ("trending", false),
    ("you may also like", true),
    ("you might also like", true),
];

/// Most words a header segment may have without a colon after it ("More
/// from The Daily Ledger"): longer, it is a sentence that happens to open
/// with "related".
const MAX_LINK_HEADER_WORDS: usize = 6;

/// Most words a segment under a link-box header may have and still read as
/// a headline (a link), not a sentence of the article: headlines run 5-15
/// words, news sentences 15-30.
const MAX_LINK_WORDS: usize = 15;

/// Most links taken under one header (a box lists 3-10).
const MAX_LINKS: usize = 12;

/// [`LINK_BOX_HEADERS`] as folded word hashes (headers are matched as the
/// tokenizer folds them: `Editor’s picks` is `editors picks`), with the
/// sorted hashes of their first and last words, which rule out almost
/// every segment with one look-up.
struct LinkHeaders {
    headers: Vec<(Vec<u64>, bool)>,
    first: Vec<u64>,
    last: Vec<u64>,
}

fn link_headers() -> &'static LinkHeaders {
    static HEADERS: OnceLock<LinkHeaders> = OnceLock::new();
    HEADERS.get_or_init(|| {
        let headers: Vec<(Vec<u64>, bool)> = LINK_BOX_HEADERS
            .iter()
            .map(|&(h, strong)| {
                let mut hashes = Vec::new();
                crate::tokenize::TokenHasher::new().hash_tokens(h, &mut hashes);
                (hashes, strong)
            })
            .collect();
        let sorted = |pick: fn(&[u64]) -> u64| {
            let mut v: Vec<u64> = headers.iter().map(|(h, _)| pick(h)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        LinkHeaders {
            first: sorted(|h| h[0]),
            last: sorted(|h| h[h.len() - 1]),
            headers,
        }
    })
}

/// Token ranges of link boxes: a segment that opens with a link-box
/// header, followed by a colon ("Related stories: ...") or short ("More
/// from LabourList"), or a header with a colon closing a segment (a page
/// cut mid-sentence runs its last words into "Related stories:"), with the
/// headline-length segments after it. A header with no link under it is a
/// heading, unless it closes the page. `spans` and `hashes` are the page's
/// tokens. Sorted and disjoint.
pub fn link_boxes(
    text: &str,
    spans: &[Span],
    hashes: &[u64],
    seg_start: &[u32],
) -> Vec<Range<usize>> {
    let n = spans.len().min(hashes.len());
    let seg = |s: usize| {
        let start = seg_start[s] as usize;
        let end = seg_start.get(s + 1).map_or(n, |&t| t as usize);
        start..end
    };
    let headers = link_headers();
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut s = 0;
    while s < seg_start.len() {
        let r = seg(s);
        let Some(from) = link_header(text, spans, hashes, headers, r.clone()) else {
            s += 1;
            continue;
        };
        let mut next = s + 1;
        while next < seg_start.len() && next - s <= MAX_LINKS && seg(next).len() <= MAX_LINK_WORDS {
            next += 1;
        }
        if next > s + 1 || next == seg_start.len() {
            out.push(from..seg(next - 1).end);
        }
        s = next.max(s + 1);
    }
    out
}

/// Where a link-box header starts in the segment of tokens `r`, if it
/// holds one (see [`link_boxes`]).
fn link_header(
    text: &str,
    spans: &[Span],
    hashes: &[u64],
    table: &LinkHeaders,
    r: Range<usize>,
) -> Option<usize> {
    if r.is_empty() || r.end > hashes.len() {
        return None;
    }
    let words = &hashes[r.clone()];
    let headers = &table.headers;
    // A colon right after the segment: "Related stories: ...".
    let colon = || {
        text[spans[r.end - 1].end..]
            .chars()
            .find(|c| !c.is_whitespace())
            == Some(':')
    };
    let opens = table.first.binary_search(&words[0]).is_ok()
        && headers.iter().any(|(h, strong)| {
            words.starts_with(h)
                && (*strong
                    || words.len() <= MAX_LINK_HEADER_WORDS
                    || (words.len() == h.len() && colon()))
        });
    if opens {
        return Some(r.start);
    }
    // At the segment's end, before a colon.
    if table.last.binary_search(&words[words.len() - 1]).is_err() {
        return None;
    }
    headers
        .iter()
        .find(|(h, _)| words.len() > h.len() && words.ends_with(h))
        .filter(|_| colon())
        .map(|(h, _)| r.end - h.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::boilerplate::test_util::{slices, tokens};

    fn boxes(text: &str) -> Vec<&str> {
        let (hashes, spans) = tokens(text);
        let a = Analysis::new(text, 3);
        slices(text, &link_boxes(text, &spans, &hashes, &a.seg_start))
    }

    #[test]
    fn closing_link_list_is_a_link_box_flattened_or_not() {
        let text = "Ninety-eight per cent of junior doctors balloted were in support of the strike.\n\
                    More from LabourList:\n\
                    \u{2018}Deepening ties with EU best way for UK to deal with Trump tariff fears\u{2019}.\n\
                    Activist abused in viral clip vows to keep canvassing\n";
        for t in [text.to_string(), text.replace('\n', " ")] {
            let found = boxes(&t);
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(found[0].starts_with("More from LabourList"));
            assert!(found[0].ends_with("keep canvassing"));
        }
    }

    #[test]
    fn inline_related_box_and_prose_that_is_not_one() {
        let text = "Related stories: Storm hits coast. Mayor resigns. \
                    The health secretary said on Sunday that the strike was unnecessary and that \
                    talks with the union should continue. Related to the strike, ministers said \
                    on Sunday that the talks would go on for as long as the union wanted them to. \
                    Read more";
        // "Read more" closes the document: a header with nothing under it.
        assert_eq!(
            boxes(text),
            [
                "Related stories: Storm hits coast. Mayor resigns",
                "Read more"
            ]
        );
        // A heading with prose under it is not a link box.
        let prose = "Read more. The health secretary said on Sunday that the strike was \
                     unnecessary and that talks with the union should continue for weeks.";
        assert!(boxes(prose).is_empty());
    }
}
