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
    /// What it sells (`luxury`, `watch`, `cosmetics`, `liquor`...).
    #[serde(default)]
    pub category: String,
    /// Names it goes by (normalised on load, the name and the codes included).
    pub aliases: Vec<String>,
    /// Trade code names counterfeit sellers use for it (小香, 驴牌).
    #[serde(default)]
    pub codes: Vec<String>,
    /// Lowest plausible price of a genuine new item of any kind, CNY.
    pub floor: f64,
    /// Lowest plausible price by product type (keys of `[product_types]`), CNY.
    #[serde(default)]
    pub floors: BTreeMap<String, f64>,
    /// Authorised stores (normalised on load).
    #[serde(default)]
    pub official_sellers: Vec<String>,
    /// Phrases in which a name does not mean the brand (蒂芙尼蓝, a colour), normalised on load.
    #[serde(default)]
    pub exceptions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandFile {
    /// Product type -> words that name it in a listing.
    #[serde(default)]
    product_types: BTreeMap<String, Vec<String>>,
    brand: Vec<Brand>,
}

/// The brand table made searchable: one automaton over every alias and code.
#[derive(Debug, Clone)]
struct BrandIndex {
    brands: Vec<Brand>,
    /// Pattern -> (brand, whether the pattern is Latin and must stand as a word).
    patterns: Vec<(usize, bool)>,
    matcher: AhoCorasick,
    /// Normalised product-type words with their type, longest first.
    product_words: Vec<(String, String)>,
}

impl BrandIndex {
    fn new(file: BrandFile, normalise: impl Fn(&str) -> String, path: &Path) -> Result<BrandIndex> {
        let bad = |message: String| Error::BadSeed {
            path: path.to_owned(),
            message,
        };
        let mut brands = file.brand;
        let mut names = Vec::new();
        let mut patterns = Vec::new();
        for (i, b) in brands.iter_mut().enumerate() {
            if b.floor.is_nan() || b.floor <= 0.0 {
                return Err(bad(format!("brand {}: floor must be positive", b.name)));
            }
            if let Some(t) = b
                .floors
                .keys()
                .find(|t| !file.product_types.contains_key(*t))
            {
                return Err(bad(format!(
                    "brand {}: floors.{t} is not a product type of [product_types]",
                    b.name
                )));
            }
            let mut aliases: Vec<String> = std::iter::once(&b.name)
                .chain(&b.aliases)
                .chain(&b.codes)
                .map(|a| normalise(a))
                .filter(|a| !a.trim().is_empty())
                .collect();
            aliases.sort();
            aliases.dedup();
            for alias in &aliases {
                patterns.push((i, alias.is_ascii()));
                names.push(alias.clone());
            }
            b.aliases = aliases;
            b.official_sellers = b.official_sellers.iter().map(|o| normalise(o)).collect();
            b.exceptions = b.exceptions.iter().map(|o| normalise(o)).collect();
        }
        let matcher = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&names)
            .map_err(|e| bad(e.to_string()))?;
        let mut product_words: Vec<(String, String)> = file
            .product_types
            .into_iter()
            .flat_map(|(t, words)| {
                words
                    .into_iter()
                    .map(|w| normalise(&w))
                    .filter(|w| !w.trim().is_empty())
                    .map(move |w| (w, t.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        product_words.sort_by_key(|(word, _)| std::cmp::Reverse(word.chars().count()));
        Ok(BrandIndex {
            brands,
            patterns,
            matcher,
            product_words,
        })
    }

    /// See [`Resources::floor`].
    fn floor<'a>(&'a self, brand: &'a Brand, norm_text: &str) -> (f64, Option<&'a str>) {
        let product = self
            .product_words
            .iter()
            .find(|(word, _)| norm_text.contains(word.as_str()))
            .map(|(_, t)| t.as_str());
        // A type the brand has no floor for falls back to its lowest, said without a type.
        match product.and_then(|t| Some((*brand.floors.get(t)?, t))) {
            Some((floor, t)) => (floor, Some(t)),
            None => (brand.floor, None),
        }
    }

    /// The first brand named in normalised `text` (a Latin name only as a whole word, and not
    /// inside one of the brand's exceptions).
    fn find(&self, text: &str) -> Option<&Brand> {
        self.matcher.find_iter(text).find_map(|m| {
            let (i, latin) = self.patterns[m.pattern().as_usize()];
            let brand = &self.brands[i];
            let alone = !latin || whole_word(text, m.start(), m.end());
            let excepted = brand.exceptions.iter().any(|phrase| {
                text.match_indices(phrase.as_str())
                    .any(|(at, p)| at <= m.start() && at + p.len() >= m.end())
            });
            (alone && !excepted).then_some(brand)
        })
    }
}

/// Whether `text[start..end]` (byte offsets) stands as a whole word: no Latin letter or digit
/// touches it on either side (`lv` in `lv 手袋`, not in `silver`).
pub(crate) fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    !word(text[..start].chars().next_back()) && !word(text[end..].chars().next())
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
    brands: BrandIndex,
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
        let brands = BrandIndex::new(
            parse(dir, "brands.toml")?,
            normalise,
            &dir.join("brands.toml"),
        )?;
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
            brands,
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

    /// The brand a text or brand field names, if any (the field first).
    pub fn brand(&self, brand_field: Option<&str>, norm_text: &str) -> Option<&Brand> {
        brand_field
            .and_then(|f| self.brands.find(&self.normalise(f).text))
            .or_else(|| self.brands.find(norm_text))
    }

    /// The floor that applies to a listing of `brand` whose normalised text is `norm_text`: the
    /// floor of the product type its words name (the longest word wins: 钱包 over 包) with
    /// that type, else the brand's lowest.
    pub fn floor<'a>(&'a self, brand: &'a Brand, norm_text: &str) -> (f64, Option<&'a str>) {
        self.brands.floor(brand, norm_text)
    }

    /// Every brand in the table.
    pub fn brands(&self) -> &[Brand] {
        &self.brands.brands
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

#[cfg(test)]
mod brand_tests {
    use super::*;

    const TABLE: &str = r#"
[product_types]
bag = ["包", "手袋", "bag"]
wallet = ["钱包"]
lipstick = ["口红", "唇膏"]

[[brand]]
name = "Dior"
category = "luxury"
aliases = ["迪奥", "dior"]
codes = ["d家"]
floor = 200
official_sellers = []
[brand.floors]
lipstick = 250
bag = 15000

[[brand]]
name = "LV"
aliases = ["路易威登", "lv"]
floor = 3000

[[brand]]
name = "Tiffany"
aliases = ["蒂芙尼", "tiffany"]
floor = 400
exceptions = ["蒂芙尼蓝", "Tiffany Blue"]
"#;

    fn index(text: &str) -> Result<BrandIndex> {
        BrandIndex::new(
            toml::from_str(text).unwrap(),
            crate::normalise,
            Path::new("brands.toml"),
        )
    }

    #[test]
    fn brands_by_name_alias_or_code_and_latin_names_only_as_words() {
        let idx = index(TABLE).unwrap();
        assert_eq!(idx.find("正品迪奥口红").unwrap().name, "Dior");
        assert_eq!(idx.find("d家新款").unwrap().name, "Dior");
        assert_eq!(idx.find("lv 老花 手袋").unwrap().name, "LV");
        assert!(idx.find("lvxx 牌 电线").is_none(), "lv inside a word");
        assert!(idx.find("普通的包").is_none());
    }

    #[test]
    fn a_name_inside_a_brands_exception_is_not_the_brand() {
        let idx = index(TABLE).unwrap();
        assert!(idx.find("蒂芙尼蓝 连衣裙 夏季").is_none(), "a colour");
        assert!(
            idx.find("tiffany blue 碎花裙").is_none(),
            "normalised on load"
        );
        assert_eq!(idx.find("蒂芙尼 项链").unwrap().name, "Tiffany");
        // A later, real mention still names the brand.
        assert_eq!(
            idx.find("蒂芙尼蓝礼盒 蒂芙尼 手链").unwrap().name,
            "Tiffany"
        );
    }

    #[test]
    fn the_floor_is_the_product_types_and_the_longest_word_names_the_type() {
        let idx = index(TABLE).unwrap();
        let res = |text: &str| {
            let (floor, product) = idx.floor(idx.find(text).unwrap(), text);
            (floor, product.map(str::to_owned))
        };
        assert_eq!(res("迪奥口红 999"), (250.0, Some("lipstick".into())));
        assert_eq!(res("迪奥 手袋"), (15000.0, Some("bag".into())));
        // 钱包 is a wallet, not a bag: Dior has no wallet floor, so its lowest applies.
        assert_eq!(res("迪奥钱包"), (200.0, None));
    }

    #[test]
    fn a_floor_for_an_unknown_product_type_is_an_error() {
        let bad = TABLE.replace("bag = 15000", "handbag = 15000");
        let e = index(&bad).unwrap_err().to_string();
        assert!(e.contains("floors.handbag"), "{e}");
    }
}
