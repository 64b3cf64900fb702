//! The data an expert edits: trigger terms and their exceptions, the legal basis of each
//! category, and the brand reference table. Everything is read from `seeds/`, nothing is in code.

use crate::normalise::{Normalised, Variants};
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
    variants: Variants,
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
    /// Loads `legal.toml`, `variants.toml`, `lexicon.toml` and `brands.toml` from `dir`.
    pub fn load(dir: &Path) -> Result<Resources> {
        let variants = Variants::from_toml(&read(dir, "variants.toml")?).map_err(|message| {
            Error::BadSeed {
                path: dir.join("variants.toml"),
                message,
            }
        })?;
        // Terms, exceptions and brand names are matched in normalised text: fold them once here.
        let normalise = |text: &str| variants.normalise(text).text;
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
            variants,
        })
    }

    /// `text` as the lexicon and the model read it ([`crate::normalise`], then the variant
    /// spellings of `variants.toml`), with the origin of each character.
    pub fn normalise(&self, text: &str) -> Normalised {
        self.variants.normalise(text)
    }

    pub(crate) fn variants(&self) -> &Variants {
        &self.variants
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
        let excuses = Excuses::new(exceptions);
        let mut hits: Vec<Hit> = self
            .term_matcher
            .find_overlapping_iter(norm)
            .filter_map(|m| {
                let (term, category) = &self.terms[m.pattern().as_usize()];
                let (start, end) = (offsets.char_at(m.start()), offsets.char_at(m.end()));
                (!excuses.cover(start, end, *category)).then(|| Hit {
                    start,
                    end,
                    term: term.clone(),
                    category: *category,
                })
            })
            .collect();
        // A term inside a longer term of the same category (第一 in 销量第一) is one hit. In
        // order of start (longest first), a hit is inside a kept one of its category exactly
        // when one of those reaches as far: the furthest end per category says it.
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut furthest: BTreeMap<Category, usize> = BTreeMap::new();
        hits.retain(|hit| {
            let reach = furthest.entry(hit.category).or_insert(0);
            let inside = *reach >= hit.end;
            if !inside {
                *reach = (*reach).max(hit.end);
            }
            !inside
        });
        hits
    }

    /// The brand a text or brand field names, if any.
    pub fn brand(&self, brand_field: Option<&str>, norm_text: &str) -> Option<&Brand> {
        let field = brand_field.map(|f| self.normalise(f).text);
        self.brands.iter().find(|b| {
            b.aliases.iter().any(|alias| {
                field.as_deref().is_some_and(|f| f.contains(alias.as_str()))
                    || norm_text.contains(alias.as_str())
            })
        })
    }
}

/// Exception spans by category (`None`: every category), sorted by start, each with the furthest
/// end of the spans up to it: whether one span covers a range is a binary search, not a scan.
struct Excuses {
    by_category: BTreeMap<Option<Category>, Vec<(usize, usize)>>,
}

impl Excuses {
    fn new(exceptions: &[(usize, usize, Option<Category>)]) -> Excuses {
        let mut by_category: BTreeMap<Option<Category>, Vec<(usize, usize)>> = BTreeMap::new();
        for &(start, end, category) in exceptions {
            by_category.entry(category).or_default().push((start, end));
        }
        for spans in by_category.values_mut() {
            spans.sort_unstable();
            let mut furthest = 0;
            for span in spans.iter_mut() {
                furthest = furthest.max(span.1);
                span.1 = furthest;
            }
        }
        Excuses { by_category }
    }

    /// Whether a span that applies to `category` (or to all) covers `start..end`.
    fn cover(&self, start: usize, end: usize, category: Category) -> bool {
        [None, Some(category)].iter().any(|key| {
            self.by_category.get(key).is_some_and(|spans| {
                let before = spans.partition_point(|&(s, _)| s <= start);
                before > 0 && spans[before - 1].1 >= end
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
