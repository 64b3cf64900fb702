//! Normalisation against evasion: the text the lexicon and the model read, and where each of its
//! characters came from in the text as written.
//!
//! In order: NFKC per character and its combining marks (full-width, circled and compatibility
//! forms); invisible characters and stray combining marks dropped; lower case; traditional to
//! simplified characters (OpenCC's character table); separators between letters stripped; the
//! expert's variant spellings (`seeds/variants.toml`) replaced; numerals in contact numbers read
//! as digits. Each step keeps, for every character it writes, the range of original characters
//! it stands for, so that a hit in the normalised text maps back to the original.

use crate::fnv::FnvMap;
use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One normalised character and the original characters `from..to` it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    c: char,
    from: u32,
    to: u32,
}

/// A text as the lexicon and the model read it, with the origin of each of its characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalised {
    /// The normalised text.
    pub text: String,
    /// Per character of `text`, the original characters it came from; both ends never decrease.
    origin: Vec<(u32, u32)>,
}

impl Normalised {
    /// Characters in the normalised text.
    pub fn len(&self) -> usize {
        self.origin.len()
    }

    /// Whether the normalised text is empty.
    pub fn is_empty(&self) -> bool {
        self.origin.is_empty()
    }

    /// The original characters that normalised characters `start..end` came from.
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(start <= end && end <= self.origin.len(), "{start}..{end}");
        if start >= end {
            let at = self
                .origin
                .get(start)
                .map_or_else(|| self.origin.last().map_or(0, |o| o.1), |o| o.0);
            return (at as usize, at as usize);
        }
        (
            self.origin[start].0 as usize,
            self.origin[end - 1].1 as usize,
        )
    }
}

/// The normalisation steps that need no seed data (no variant spellings): NFKC, invisible
/// characters dropped, lower case, traditional to simplified, separators between letters
/// stripped. [`crate::Resources::normalise`] adds `seeds/variants.toml`, and the origin map.
pub fn normalise(text: &str) -> String {
    Variants::default().normalise(text).text
}

/// Traditional character to simplified, from OpenCC's `TSCharacters` (first reading).
static T2S: LazyLock<FnvMap<char, char>> = LazyLock::new(|| {
    hanconv::RawDictionary::TSCharacters
        .iter()
        .filter_map(|(t, s)| {
            let (mut t, mut s) = (t.chars(), s.chars());
            match (t.next(), t.next(), s.next(), s.next()) {
                (Some(t), None, Some(s), None) => Some((t, s)),
                _ => None,
            }
        })
        .collect()
});

fn simplified(c: char) -> char {
    if c < '\u{3400}' {
        return c;
    }
    T2S.get(&c).copied().unwrap_or(c)
}

/// Zero-width and other default-ignorable characters: inserted to split words, never seen.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

fn push_folded(out: &mut Vec<Piece>, c: char, from: u32, to: u32) {
    if c.is_ascii() {
        out.push(Piece {
            c: c.to_ascii_lowercase(),
            from,
            to,
        });
    } else if is_cjk(c) {
        out.push(Piece {
            c: simplified(c),
            from,
            to,
        });
    } else if !is_invisible(c) && !is_combining_mark(c) {
        for c in c.to_lowercase() {
            out.push(Piece {
                c: simplified(c),
                from,
                to,
            });
        }
    }
}

/// NFKC (per character with its combining marks), invisibles dropped, lower case, simplified.
fn fold(text: &str) -> Vec<Piece> {
    let mark = |c: char| c >= '\u{300}' && !is_cjk(c) && is_combining_mark(c);
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut cluster = String::new();
    let mut at = 0u32;
    while let Some(c) = chars.next() {
        let from = at;
        at += 1;
        // ASCII and the common CJK block are their own NFKC form.
        if (c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c))
            && !chars.peek().is_some_and(|&m| mark(m))
        {
            push_folded(&mut out, c, from, at);
            continue;
        }
        cluster.clear();
        cluster.push(c);
        while let Some(m) = chars.next_if(|&m| mark(m)) {
            cluster.push(m);
            at += 1;
        }
        for c in cluster.nfkc() {
            push_folded(&mut out, c, from, at);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Letter,
    /// Digits and clause marks: never stripped, and never joined across.
    Solid,
    Separator,
}

/// Han, kana and hangul: scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}' | '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn kind(c: char, exempt: &HashSet<char>) -> Kind {
    if c.is_ascii_alphabetic() || is_cjk(c) {
        Kind::Letter
    } else if c.is_ascii_digit() {
        Kind::Solid
    } else if c.is_alphabetic() || (!exempt.is_empty() && exempt.contains(&c)) {
        Kind::Letter
    } else if c.is_numeric() || matches!(c, ',' | '!' | '?' | ';' | ':' | '。' | '、' | '\n' | '\r')
    {
        Kind::Solid
    } else {
        Kind::Separator
    }
}

/// Drops runs of separators (spaces, punctuation, symbols, emoji) between two letters when one
/// of them is Chinese (加 V 信, 微-信) or a symbol a variant key uses, or both are lone letters
/// of a spaced script (V X); spaces between words, and anything next to a digit, stay.
fn strip_separators(pieces: &[Piece], exempt: &HashSet<char>) -> Vec<Piece> {
    let spaced = |k: usize| pieces[k].c.is_alphabetic() && !is_cjk(pieces[k].c);
    let lone = |k: usize| {
        spaced(k) && (k == 0 || !spaced(k - 1)) && (k + 1 == pieces.len() || !spaced(k + 1))
    };
    let joins = |a: usize, b: usize| {
        let (ca, cb) = (pieces[a].c, pieces[b].c);
        let close = |c: char| is_cjk(c) || exempt.contains(&c);
        kind(ca, exempt) == Kind::Letter
            && kind(cb, exempt) == Kind::Letter
            && (close(ca) || close(cb) || (lone(a) && lone(b)))
    };
    let mut out = Vec::with_capacity(pieces.len());
    let mut i = 0;
    while i < pieces.len() {
        if kind(pieces[i].c, exempt) != Kind::Separator {
            out.push(pieces[i]);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < pieces.len() && kind(pieces[j].c, exempt) == Kind::Separator {
            j += 1;
        }
        if !(i > 0 && j < pieces.len() && joins(i - 1, j)) {
            out.extend_from_slice(&pieces[i..j]);
        }
        i = j;
    }
    out
}

/// The variant spellings of `seeds/variants.toml`, ready to apply.
#[derive(Debug, Clone, Default)]
pub(crate) struct Variants {
    matcher: Option<AhoCorasick>,
    keys: Vec<Key>,
    /// Symbols that keys use (💰): letters, not separators.
    exempt: HashSet<char>,
    digits: FnvMap<char, char>,
    min_run: usize,
    /// Link-shortener hosts, normalised.
    pub(crate) shortlink_hosts: Vec<Vec<char>>,
}

#[derive(Debug, Clone)]
struct Key {
    value: Vec<char>,
    len: usize,
    latin_start: bool,
    latin_end: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantFile {
    #[serde(default)]
    replace: BTreeMap<String, String>,
    digits: Option<DigitFile>,
    #[serde(default)]
    contacts: ContactFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DigitFile {
    min_run: usize,
    map: BTreeMap<String, String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFile {
    #[serde(default)]
    shortlink_hosts: Vec<String>,
}

impl Variants {
    /// Reads `variants.toml` text; the error says what is wrong.
    pub(crate) fn from_toml(text: &str) -> Result<Variants, String> {
        let file: VariantFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let none = HashSet::new();
        let exempt: HashSet<char> = file
            .replace
            .keys()
            .flat_map(|k| fold(k))
            .map(|p| p.c)
            .filter(|&c| !c.is_ascii() && kind(c, &none) == Kind::Separator && !c.is_whitespace())
            .collect();
        let plain = |s: &str| -> Vec<char> {
            strip_separators(&fold(s), &exempt)
                .iter()
                .map(|p| p.c)
                .collect()
        };
        let mut patterns = Vec::new();
        let mut keys = Vec::new();
        for (key, value) in &file.replace {
            let key_chars = plain(key);
            if key_chars.iter().all(|c| c.is_whitespace()) {
                return Err(format!("[replace] key `{key}` is empty once normalised"));
            }
            keys.push(Key {
                value: plain(value),
                len: key_chars.len(),
                latin_start: key_chars[0].is_ascii_alphabetic(),
                latin_end: key_chars[key_chars.len() - 1].is_ascii_alphabetic(),
            });
            patterns.push(key_chars.into_iter().collect::<String>());
        }
        let matcher = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .map_err(|e| e.to_string())?,
            )
        };
        let mut digits = FnvMap::default();
        let mut min_run = 0;
        if let Some(file) = file.digits {
            min_run = file.min_run.max(1);
            for (numeral, digit) in &file.map {
                let (n, d) = (plain(numeral), plain(digit));
                match (n.as_slice(), d.as_slice()) {
                    ([n], [d]) if d.is_ascii_digit() => {
                        digits.insert(*n, *d);
                    }
                    _ => {
                        return Err(format!(
                            "[digits] `{numeral}` = `{digit}`: one character to one digit"
                        ))
                    }
                }
            }
        }
        let shortlink_hosts = file
            .contacts
            .shortlink_hosts
            .iter()
            .map(|h| fold(h).iter().map(|p| p.c).collect())
            .collect();
        Ok(Variants {
            matcher,
            keys,
            exempt,
            digits,
            min_run,
            shortlink_hosts,
        })
    }

    /// Every step, with the origin of each character.
    pub(crate) fn normalise(&self, text: &str) -> Normalised {
        let pieces = strip_separators(&fold(text), &self.exempt);
        let text: String = pieces.iter().map(|p| p.c).collect();
        let (mut pieces, mut changed) = match self.replace(&pieces, &text) {
            Some(replaced) => (replaced, true),
            None => (pieces, false),
        };
        changed |= self.read_digits(&mut pieces);
        Normalised {
            text: if changed {
                pieces.iter().map(|p| p.c).collect()
            } else {
                text
            },
            origin: pieces.iter().map(|p| (p.from, p.to)).collect(),
        }
    }

    /// Replaces variant spellings, longest first; a replacement of the key's length keeps the
    /// origin character by character, any other spans the whole key.
    /// `None` when nothing is replaced. `text` is the pieces' characters.
    fn replace(&self, pieces: &[Piece], text: &str) -> Option<Vec<Piece>> {
        let mut matches = self.matcher.as_ref()?.find_iter(text).peekable();
        matches.peek()?;
        let mut starts = Vec::with_capacity(pieces.len());
        let mut byte = 0;
        for p in pieces {
            starts.push(byte);
            byte += p.c.len_utf8();
        }
        let mut out = Vec::with_capacity(pieces.len());
        let mut next = 0;
        for m in matches {
            let key = &self.keys[m.pattern().as_usize()];
            let s = starts.partition_point(|&b| b < m.start());
            let e = s + key.len;
            let latin = |k: Option<&Piece>| k.is_some_and(|p| p.c.is_ascii_alphabetic());
            if (key.latin_start && s > 0 && latin(pieces.get(s - 1)))
                || (key.latin_end && latin(pieces.get(e)))
            {
                continue;
            }
            out.extend_from_slice(&pieces[next..s]);
            if key.value.len() == key.len {
                out.extend(
                    key.value
                        .iter()
                        .zip(&pieces[s..e])
                        .map(|(&c, p)| Piece { c, ..*p }),
                );
            } else {
                let (from, to) = (pieces[s].from, pieces[e - 1].to);
                out.extend(key.value.iter().map(|&c| Piece { c, from, to }));
            }
            next = e;
        }
        out.extend_from_slice(&pieces[next..]);
        Some(out)
    }

    /// Numerals as digits inside runs of at least `min_run` numerals and digits.
    /// Whether any was read.
    fn read_digits(&self, pieces: &mut [Piece]) -> bool {
        if self.digits.is_empty() {
            return false;
        }
        let mut changed = false;
        let numeral = |c: char| c.is_ascii_digit() || self.digits.contains_key(&c);
        let mut i = 0;
        while i < pieces.len() {
            if !numeral(pieces[i].c) {
                i += 1;
                continue;
            }
            let (mut count, mut end) = (1, i + 1);
            let mut j = i + 1;
            while j < pieces.len() {
                if numeral(pieces[j].c) {
                    count += 1;
                    j += 1;
                    end = j;
                } else if matches!(pieces[j].c, ' ' | '-' | '.' | '_')
                    && pieces.get(j + 1).is_some_and(|p| numeral(p.c))
                {
                    j += 1;
                } else {
                    break;
                }
            }
            if count >= self.min_run {
                for p in &mut pieces[i..end] {
                    if let Some(&d) = self.digits.get(&p.c) {
                        p.c = d;
                        changed = true;
                    }
                }
            }
            i = end;
        }
        changed
    }
}

#[cfg(test)]
mod tests;
