//! The data an expert edits: trigger terms and their exceptions, the legal basis of each
//! category, and the brand reference table. Everything is read from `seeds/`, nothing is in code.

use crate::{Error, Result};
use admon_domain::Category;
use aho_corasick::AhoCorasick;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The legal basis of one category (`seeds/legal.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    /// Articles cited, e.g. `广告法 第九条第三项`.
    pub articles: Vec<String>,
    /// The penalty clause.
    pub penalty: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TermList {
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    exceptions: Vec<String>,
}

/// A brand in the reference table (`seeds/brands.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Canonical name.
    pub name: String,
    /// Names it goes by (normalised on load, the name included).
    pub aliases: Vec<String>,
    /// Lowest plausible price of a genuine new item, CNY.
    pub floor: f64,
    /// Authorised stores (normalised on load).
    #[serde(default)]
    pub official_sellers: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct BrandFile {
    brand: Vec<Brand>,
}

/// A trigger term found in a text, in character offsets of that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The term as listed.
    pub term: String,
    /// Its category.
    pub category: Category,
}

/// Terms, exceptions, legal basis and brands, loaded from a seeds directory.
#[derive(Debug, Clone)]
pub struct Resources {
    legal: BTreeMap<Category, LegalBasis>,
    terms: Vec<(String, Category)>,
    exceptions: Vec<(String, Option<Category>)>,
    term_matcher: AhoCorasick,
    exception_matcher: AhoCorasick,
    brands: Vec<Brand>,
}

/// Folds full-width ASCII to half-width and upper to lower case, one char for one char, so that
/// character offsets in the folded text are offsets in the original.
pub fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(|c| {
            let mut lower = c.to_lowercase();
            // Keep the one-char-for-one-char promise for the rare multi-char lowercase forms.
            match (lower.next(), lower.next()) {
                (Some(l), None) => Some(l),
                _ => Some(c),
            }
        })
        .collect()
}

fn read(dir: &Path, name: &str) -> Result<String> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })
}

fn parse<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<T> {
    let text = read(dir, name)?;
    toml::from_str(&text).map_err(|e| Error::BadSeed {
        path: dir.join(name),
        message: e.to_string(),
    })
}

impl Resources {
    /// Loads `legal.toml`, `lexicon.toml` and `brands.toml` from `dir`.
    pub fn load(dir: &Path) -> Result<Resources> {
        let legal_raw: BTreeMap<String, LegalBasis> = parse(dir, "legal.toml")?;
        let mut legal = BTreeMap::new();
        for (name, basis) in legal_raw {
            let category = Category::parse(&name).ok_or_else(|| Error::BadSeed {
                path: dir.join("legal.toml"),
                message: format!("unknown category `{name}`"),
            })?;
            legal.insert(category, basis);
        }
        if let Some(missing) = Category::ALL.iter().find(|c| !legal.contains_key(c)) {
            return Err(Error::BadSeed {
                path: dir.join("legal.toml"),
                message: format!("no entry for category `{missing}`"),
            });
        }
        let lexicon: BTreeMap<String, TermList> = parse(dir, "lexicon.toml")?;
        let mut terms = Vec::new();
        let mut exceptions = Vec::new();
        for (name, list) in lexicon {
            let category = if name == "global" {
                None
            } else {
                Some(Category::parse(&name).ok_or_else(|| Error::BadSeed {
                    path: dir.join("lexicon.toml"),
                    message: format!("unknown category `{name}`"),
                })?)
            };
            for term in list.terms {
                let Some(category) = category else {
                    return Err(Error::BadSeed {
                        path: dir.join("lexicon.toml"),
                        message: "[global] takes exceptions only".into(),
                    });
                };
                terms.push((normalise(&term), category));
            }
            for exception in list.exceptions {
                exceptions.push((normalise(&exception), category));
            }
        }
        let mut brands: BrandFile = parse(dir, "brands.toml")?;
        // Matching is on normalised text: fold the names once here, not per sample.
        for b in &mut brands.brand {
            let name = normalise(&b.name);
            b.aliases = b.aliases.iter().map(|a| normalise(a)).collect();
            if !b.aliases.contains(&name) {
                b.aliases.push(name);
            }
            b.official_sellers = b.official_sellers.iter().map(|o| normalise(o)).collect();
        }
        let build = |patterns: Vec<&str>| {
            AhoCorasick::new(patterns).map_err(|e| Error::BadSeed {
                path: dir.join("lexicon.toml"),
                message: e.to_string(),
            })
        };
        let term_matcher = build(terms.iter().map(|(t, _)| t.as_str()).collect())?;
        let exception_matcher = build(exceptions.iter().map(|(t, _)| t.as_str()).collect())?;
        Ok(Resources {
            legal,
            terms,
            exceptions,
            term_matcher,
            exception_matcher,
            brands: brands.brand,
        })
    }

    /// The legal basis of a category.
    pub fn legal(&self, category: Category) -> &LegalBasis {
        &self.legal[&category]
    }

    /// Every exception phrase (global and per category), as listed after normalisation.
    pub fn exception_phrases(&self) -> impl Iterator<Item = &str> {
        self.exceptions.iter().map(|(t, _)| t.as_str())
    }

    /// Character ranges of `norm` covered by exception phrases, with the category each applies
    /// to (`None`: every category).
    pub fn exception_spans(&self, norm: &str) -> Vec<(usize, usize, Option<Category>)> {
        let offsets = CharOffsets::new(norm);
        self.exception_matcher
            .find_overlapping_iter(norm)
            .map(|m| {
                let (_, category) = self.exceptions[m.pattern().as_usize()];
                (
                    offsets.char_at(m.start()),
                    offsets.char_at(m.end()),
                    category,
                )
            })
            .collect()
    }

    /// Trigger terms in a normalised text that none of its `exceptions` (from
    /// [`Resources::exception_spans`]) covers, in order of position.
    pub fn hits(&self, norm: &str, exceptions: &[(usize, usize, Option<Category>)]) -> Vec<Hit> {
        let offsets = CharOffsets::new(norm);
        let mut hits: Vec<Hit> = self
            .term_matcher
            .find_overlapping_iter(norm)
            .filter_map(|m| {
                let (term, category) = &self.terms[m.pattern().as_usize()];
                let (start, end) = (offsets.char_at(m.start()), offsets.char_at(m.end()));
                let excused = exceptions.iter().any(|&(xs, xe, xc)| {
                    xs <= start && end <= xe && xc.is_none_or(|c| c == *category)
                });
                (!excused).then(|| Hit {
                    start,
                    end,
                    term: term.clone(),
                    category: *category,
                })
            })
            .collect();
        // A term inside a longer term of the same category (第一 in 销量第一) is one hit.
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
        for hit in hits {
            let inside = kept
                .iter()
                .any(|k| k.category == hit.category && k.start <= hit.start && hit.end <= k.end);
            if !inside {
                kept.push(hit);
            }
        }
        kept
    }

    /// The brand a text or brand field names, if any.
    pub fn brand(&self, brand_field: Option<&str>, norm_text: &str) -> Option<&Brand> {
        let field = brand_field.map(normalise);
        self.brands.iter().find(|b| {
            b.aliases.iter().any(|alias| {
                field.as_deref().is_some_and(|f| f.contains(alias.as_str()))
                    || norm_text.contains(alias.as_str())
            })
        })
    }
}

/// Byte offset to character offset, for one string.
pub(crate) struct CharOffsets {
    starts: Vec<usize>,
}

impl CharOffsets {
    pub(crate) fn new(text: &str) -> CharOffsets {
        CharOffsets {
            starts: text.char_indices().map(|(i, _)| i).collect(),
        }
    }

    /// The character index at a byte offset on a char boundary (or the end).
    pub(crate) fn char_at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&s| s < byte)
    }
}
