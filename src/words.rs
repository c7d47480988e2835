//! Word lists: English function words and the vocabulary of web interfaces,
//! looked up by the tokenizer's word hash.
//!
//! Both lists hold folded forms (lower case, apostrophes dropped, as the
//! tokenizer folds them: `don't` is `dont`). A token is looked up by its
//! hash ([`crate::tokenize::folded_word_hash`] of the folded form), so no
//! string is built.
//!
//! * **Function words**: articles, pronouns, prepositions, conjunctions and
//!   auxiliaries, plus the reporting verbs and words every news story
//!   repeats (`said`, `says`, `mr`, `dr`, `new`, `today`, `according`), the
//!   hedges around a figure (`almost`, `nearly`, `about`: "almost 3,000" and
//!   "about 3,000" are the same figure) and the `percent` token the
//!   tokenizer makes of `%` and `per cent`. The aligner never counts them as
//!   evidence that two passages state the same fact; the shape of the text
//!   ([`crate::boilerplate::shape`]) counts them as the mark of prose: running text is
//!   about half function words, a menu or a list of links almost none.
//! * **Interface words**: what a web page says to its reader about the
//!   page itself (`subscribe`, `reply`, `login`, `permalink`, `comments`,
//!   `privacy`, `copyright`, the names of the social networks). Comment
//!   forms, share bars and footers are sentences made of them; articles
//!   rarely use them.

use std::sync::OnceLock;

use crate::tokenize::folded_word_hash;

/// Folded function words.
const FUNCTION_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "arent",
    "around",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "cant",
    "could",
    "couldnt",
    "did",
    "didnt",
    "do",
    "does",
    "doesnt",
    "doing",
    "dont",
    "down",
    "dr",
    "during",
    "each",
    "either",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "got",
    "had",
    "hadnt",
    "has",
    "hasnt",
    "have",
    "havent",
    "having",
    "he",
    "hed",
    "hell",
    "her",
    "here",
    "heres",
    "hers",
    "herself",
    "hes",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "hows",
    "i",
    "id",
    "if",
    "ill",
    "im",
    "in",
    "into",
    "is",
    "isnt",
    "it",
    "its",
    "itself",
    "ive",
    "just",
    "least",
    "less",
    "let",
    "lets",
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "mr",
    "mrs",
    "ms",
    "much",
    "must",
    "mustnt",
    "my",
    "myself",
    "neither",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "others",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "percent",
    "put",
    "rather",
    "really",
    "said",
    "same",
    "say",
    "saying",
    "says",
    "see",
    "seen",
    "shall",
    "shant",
    "she",
    "shed",
    "shell",
    "shes",
    "should",
    "shouldnt",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "thats",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "theres",
    "these",
    "they",
    "theyd",
    "theyll",
    "theyre",
    "theyve",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "told",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "wasnt",
    "we",
    "wed",
    "well",
    "were",
    "weve",
    "werent",
    "what",
    "whats",
    "when",
    "whens",
    "where",
    "wheres",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whos",
    "whose",
    "why",
    "whys",
    "will",
    "with",
    "within",
    "without",
    "wont",
    "would",
    "wouldnt",
    "yet",
    "you",
    "youd",
    "youll",
    "your",
    "youre",
    "yours",
    "yourself",
    "yourselves",
    "youve",
];

/// Folded words of web interfaces (see the module docs). Words that news
/// text uses as often in its own sense (`share`, `post`, `page`, `home`,
/// `more`, `top`) are left out: the list marks furniture, not topics.
const INTERFACE_WORDS: &[&str] = &[
    "subscribe",
    "subscribed",
    "subscription",
    "subscriptions",
    "unsubscribe",
    "reply",
    "replies",
    "advertise",
    "advertisement",
    "advertisements",
    "advertising",
    "advertiser",
    "ads",
    "permalink",
    "reserved",
    "copyright",
    "rss",
    "atom",
    "feed",
    "feeds",
    "login",
    "logout",
    "signin",
    "signup",
    "register",
    "registered",
    "registration",
    "cancel",
    "submit",
    "archives",
    "archive",
    "loading",
    "tags",
    "tagged",
    "powered",
    "newsletter",
    "newsletters",
    "flag",
    "inappropriate",
    "privacy",
    "policy",
    "terms",
    "cookie",
    "cookies",
    "email",
    "mail",
    "contact",
    "tweet",
    "tweets",
    "retweet",
    "shares",
    "follow",
    "followers",
    "required",
    "categories",
    "category",
    "preview",
    "password",
    "username",
    "comment",
    "comments",
    "commenting",
    "commented",
    "profile",
    "account",
    "select",
    "search",
    "print",
    "menu",
    "trackback",
    "trackbacks",
    "pingback",
    "pingbacks",
    "widget",
    "widgets",
    "javascript",
    "browser",
    "download",
    "sitemap",
    "faq",
    "feedback",
    "abuse",
    "offensive",
    "moderated",
    "moderation",
    "posted",
    "click",
    "facebook",
    "twitter",
    "pinterest",
    "linkedin",
    "reddit",
    "digg",
    "stumbleupon",
    "google",
    "youtube",
    "instagram",
    "tumblr",
    "blogger",
    "wordpress",
    "typepad",
    "disqus",
    "rights",
    "trademark",
    "trademarks",
];

/// What a word is to the shape of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordKind {
    /// A function word.
    Function,
    /// A word of web interfaces.
    Interface,
    /// Any other word.
    Other,
}

/// Slots of the look-up table, in buckets of [`BUCKET`]: a word goes into
/// the first free slot of its bucket, so a look-up reads one bucket (half
/// a cache line) and never probes further. 8 KB in all: the table stays in
/// the first-level cache while a page is read (at 32 KB its loads were a
/// tenth of the shape's decoding).
const SLOTS: usize = 1024;

/// Slots a bucket holds.
const BUCKET: usize = 4;

/// The word lists as an open-addressed table of hashes (the two low bits
/// of a hash give way to the kind: two words of different hashes that
/// agree but for those bits are as likely as any two 62-bit hashes
/// meeting). Get it once with [`word_table`] and look words up in a loop:
/// the look-up is on every word of every page.
#[derive(Debug)]
pub struct WordTable {
    /// Mixed into every hash before it picks its bucket: the first value
    /// for which no bucket is asked to hold more than it can.
    seed: u64,
    /// Each slot: a word's hash with its two low bits replaced by its kind
    /// (1 function, 2 interface); 0 when empty. In buckets, so a look-up
    /// (a byte's worth of bucket number) needs no bounds check.
    slots: Box<[[u64; BUCKET]; SLOTS / BUCKET]>,
}

/// The two low bits of a slot: the kind.
const KIND_BITS: u64 = 3;

impl WordTable {
    fn build() -> WordTable {
        let words: Vec<(u64, u64)> = FUNCTION_WORDS
            .iter()
            .map(|w| (w, 1))
            .chain(INTERFACE_WORDS.iter().map(|w| (w, 2)))
            .map(|(w, kind)| (folded_word_hash(w.as_bytes()) & !KIND_BITS, kind))
            .collect();
        (0u64..)
            .find_map(|seed| WordTable::fill(&words, seed))
            .expect("some seed spreads the words over the buckets")
    }

    /// The table of `words` (keys and kinds) under `seed`, if no bucket
    /// gets more than it holds.
    fn fill(words: &[(u64, u64)], seed: u64) -> Option<WordTable> {
        let mut t = Box::new([[0u64; BUCKET]; SLOTS / BUCKET]);
        for &(key, kind) in words {
            let b = &mut t[bucket(key ^ seed)];
            // A word listed twice keeps its first kind.
            if b.iter().any(|&s| s & !KIND_BITS == key) {
                continue;
            }
            let free = b.iter_mut().find(|s| **s == 0)?;
            *free = key | kind;
        }
        Some(WordTable { seed, slots: t })
    }

    /// The kind of the word whose tokenizer hash is `hash` as a number: 0
    /// any other word, 1 a function word, 2 an interface word.
    #[inline]
    pub fn kind_index(&self, hash: u64) -> usize {
        let key = hash & !KIND_BITS;
        let b = bucket(key ^ self.seed);
        let hit = self.slots[b]
            .iter()
            .fold(0, |hit, &s| if s & !KIND_BITS == key { s } else { hit });
        (hit & KIND_BITS) as usize
    }

    /// The kind of the word whose tokenizer hash is `hash`.
    #[inline]
    pub fn kind(&self, hash: u64) -> WordKind {
        match self.kind_index(hash) {
            1 => WordKind::Function,
            2 => WordKind::Interface,
            _ => WordKind::Other,
        }
    }
}

/// The table of both word lists, built on first use.
pub fn word_table() -> &'static WordTable {
    static TABLE: OnceLock<WordTable> = OnceLock::new();
    TABLE.get_or_init(WordTable::build)
}

/// The bucket of `h` (one of 256).
#[inline]
fn bucket(h: u64) -> usize {
    usize::from((h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8)
}

/// The kind of the word whose tokenizer hash is `hash`.
pub fn word_kind(hash: u64) -> WordKind {
    word_table().kind(hash)
}

/// True when the word whose tokenizer hash is `hash` is a function word.
pub fn is_function_word(hash: u64) -> bool {
    word_kind(hash) == WordKind::Function
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(w: &str) -> WordKind {
        word_kind(folded_word_hash(w.as_bytes()))
    }

    #[test]
    fn lists_are_looked_up_by_hash() {
        assert_eq!(kind("the"), WordKind::Function);
        assert_eq!(kind("dont"), WordKind::Function);
        assert_eq!(kind("comments"), WordKind::Interface);
        assert_eq!(kind("privacy"), WordKind::Interface);
        assert_eq!(kind("doctors"), WordKind::Other);
        assert_eq!(kind(""), WordKind::Other);
        for w in FUNCTION_WORDS.iter().chain(INTERFACE_WORDS) {
            assert_ne!(kind(w), WordKind::Other, "{w}");
            assert_ne!(folded_word_hash(w.as_bytes()) & !KIND_BITS, 0, "{w}");
        }
    }

    #[test]
    fn folded_tokens_hit_the_list() {
        let t = crate::tokenize::Tokens::new("The BMA doesn't say 64% of THE doctors");
        let stop: Vec<bool> = t.hashes().map(is_function_word).collect();
        assert_eq!(
            stop,
            [true, false, true, true, false, true, true, true, false]
        );
    }

    #[test]
    fn the_lists_do_not_overlap() {
        for w in INTERFACE_WORDS {
            assert!(!FUNCTION_WORDS.contains(w), "{w}");
        }
    }
}
