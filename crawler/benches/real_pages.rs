//! Ad discovery measured on real saved pages nobody here wrote (`seeds/pages/pages.toml`, issue
//! 14): per page type and split, recall of ad slots and of ads with content, precision, listing
//! recall, and every hard negative reported. Pages labelled before the detector ran on them;
//! rules may be written from `dev` pages, figures are read from `test` pages.
//!
//! `cargo bench -p admon-crawler --bench real_pages` runs the extractor as a crawl does:
//! Debian's EasyList when installed, then `seeds/filters/*.txt`. Pages kept in the repository
//! (`file`) are read from `seeds/pages/`; the others from `$REAL_PAGES/<owner>+<name>/<path>`
//! (default `../shared/real-pages`, then `/work/real-pages`), checked by SHA-256, and skipped
//! with a note when absent.

use admon_crawler::{decode_html, Extractor, FilterList, DEBIAN_EASYLIST};
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Labels {
    page: Vec<Page>,
}

#[derive(Deserialize)]
struct Page {
    id: String,
    split: String,
    #[serde(rename = "type")]
    kind: String,
    file: Option<String>,
    source_repo: String,
    source_path: String,
    sha256: Option<String>,
    url: Option<String>,
    /// The stored bytes are gzip (the source repository keeps them so); `sha256` is of those.
    #[serde(default)]
    gzip: bool,
    #[serde(default)]
    listings: usize,
    #[serde(default)]
    listing: Vec<ListingLabel>,
    #[serde(default)]
    ad: Vec<Label>,
    #[serde(default)]
    negative: Vec<Label>,
}

#[derive(Deserialize)]
struct Label {
    selector: String,
    form: Option<String>,
}

/// A labelled product listing: its title or card.
#[derive(Deserialize)]
struct ListingLabel {
    selector: String,
    #[serde(default)]
    sponsored: bool,
}

#[derive(Default)]
struct Tally {
    pages: usize,
    slots: (usize, usize),
    content: (usize, usize),
    reported: usize,
    correct: usize,
    listings: (usize, usize),
    sponsored: (usize, usize),
    /// Listings reported, right or wrong (a news page has none).
    listings_found: usize,
    negatives_hit: Vec<String>,
}

fn ratio((hit, all): (usize, usize)) -> String {
    if all == 0 {
        "   -  ".into()
    } else {
        format!("{:.2} ({hit}/{all})", hit as f64 / all as f64)
    }
}

fn page_bytes(seeds: &Path, page: &Page) -> Option<Vec<u8>> {
    if let Some(file) = &page.file {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(seeds.join("pages").join(file)).ok()?)
            .read_to_end(&mut out)
            .ok()?;
        return Some(out);
    }
    let repo = page.source_repo.replace('/', "+");
    let roots: Vec<PathBuf> = std::env::var_os("REAL_PAGES")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            seeds.join("../../shared/real-pages"),
            PathBuf::from("/work/real-pages"),
        ])
        .collect();
    let bytes = roots
        .iter()
        .find_map(|r| std::fs::read(r.join(&repo).join(&page.source_path)).ok())?;
    let sum = hex::encode(Sha256::digest(&bytes));
    if page.sha256.as_deref().is_some_and(|want| want != sum) {
        eprintln!("{}: sha256 differs from the label file; skipped", page.id);
        return None;
    }
    if page.gzip {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .ok()?;
        return Some(out);
    }
    Some(bytes)
}

/// Whether a reported element stands for a labelled one: the same, inside it, or around it
/// with no other labelled element in it.
fn matches(reported: ElementRef<'_>, label: ElementRef<'_>, all: &HashSet<NodeId>) -> bool {
    reported.id() == label.id()
        || reported.ancestors().any(|a| a.id() == label.id())
        || (label.ancestors().any(|a| a.id() == reported.id())
            && !reported
                .descendants()
                .any(|d| d.id() != label.id() && all.contains(&d.id())))
}

/// An element as `tag#id.class` with its first words, for reading a miss.
fn path_hint(el: ElementRef<'_>) -> String {
    let v = el.value();
    let mut hint = v.name().to_owned();
    if let Some(id) = v.id() {
        hint.push_str(&format!("#{id}"));
    }
    for class in v.classes().take(3) {
        hint.push_str(&format!(".{class}"));
    }
    let attrs: Vec<String> = v
        .attrs()
        .filter(|(k, _)| !matches!(*k, "id" | "class" | "style"))
        .take(3)
        .map(|(k, val)| format!("{k}={}", val.chars().take(40).collect::<String>()))
        .collect();
    let text: String = el
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{hint} [{}] {}",
        attrs.join(" "),
        text.chars().take(40).collect::<String>()
    )
}

fn main() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seeds");
    let labels: Labels =
        toml::from_str(&std::fs::read_to_string(seeds.join("pages/pages.toml")).unwrap()).unwrap();
    let mut lists = Vec::new();
    let easylist = Path::new(DEBIAN_EASYLIST);
    if easylist.exists() {
        lists.push(FilterList::read(easylist).unwrap());
    } else {
        eprintln!("note: Debian's EasyList is not installed; bundled list only");
    }
    lists.extend(FilterList::read_dir(&seeds.join("filters")).unwrap());
    let names: Vec<String> = lists.iter().map(|l| l.name.clone()).collect();
    let extractor = Extractor::new(lists, &seeds.join("sites")).unwrap();
    println!("lists: {}", names.join(", "));

    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut missing = 0;
    for page in &labels.page {
        let Some(bytes) = page_bytes(&seeds, page) else {
            missing += 1;
            continue;
        };
        let (html, _) = decode_html(&bytes, None);
        let url = page
            .url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .unwrap_or_else(|| url::Url::parse("http://saved.page/").unwrap());
        let found = extractor.extract(&url, &html, None);
        let doc = Html::parse_document(&html);
        let select = |sel: &str| -> Vec<ElementRef<'_>> {
            Selector::parse(sel).map_or_else(
                |_| panic!("{}: bad selector {sel}", page.id),
                |s| doc.select(&s).collect(),
            )
        };
        let ads: Vec<(String, ElementRef<'_>)> = page
            .ad
            .iter()
            .flat_map(|l| {
                let form = l.form.clone().unwrap_or_default();
                select(&l.selector)
                    .into_iter()
                    .map(move |e| (form.clone(), e))
            })
            .collect();
        let labelled: HashSet<NodeId> = ads.iter().map(|(_, e)| e.id()).collect();
        let reported: Vec<ElementRef<'_>> = found
            .ads
            .iter()
            .filter_map(|a| select(&a.path).into_iter().next())
            .collect();
        let t = tallies
            .entry((page.split.clone(), page.kind.clone()))
            .or_default();
        t.pages += 1;
        t.listings_found += found.listings.len();
        // What was missed and what was wrong, for pages rules may be written from (dev only:
        // test pages are scored, never studied).
        let show = page.split == "dev" && std::env::var_os("REAL_PAGES_DETAIL").is_some();
        // Every report and listing on one dev page, with its rule: `REAL_PAGES_DUMP=<id>`.
        if page.split == "dev" && std::env::var("REAL_PAGES_DUMP").is_ok_and(|id| id == page.id) {
            for ad in &found.ads {
                match select(&ad.path).into_iter().next() {
                    Some(r) => {
                        println!(
                            "  {} report {:?} {}: {}",
                            page.id,
                            ad.form,
                            ad.rule,
                            path_hint(r)
                        )
                    }
                    None => println!("  {} unresolved {}: {}", page.id, ad.rule, ad.path),
                }
            }
            for l in &found.listings {
                println!(
                    "  {} listing {:?} {:?} {:?}: {}",
                    page.id, l.source, l.price, l.currency, l.title
                );
            }
        }
        for (form, label) in &ads {
            let hit = reported.iter().any(|r| matches(*r, *label, &labelled));
            if show && !hit {
                println!("  {} missed {form}: {}", page.id, path_hint(*label));
            }
            let tally = if form == "slot" {
                &mut t.slots
            } else {
                &mut t.content
            };
            tally.1 += 1;
            tally.0 += usize::from(hit);
        }
        if show {
            for (r, ad) in reported.iter().zip(&found.ads) {
                if !ads.iter().any(|(_, l)| matches(*r, *l, &labelled)) {
                    println!(
                        "  {} extra {:?} {}: {}",
                        page.id,
                        ad.form,
                        ad.rule,
                        path_hint(*r)
                    );
                }
            }
        }
        t.reported += reported.len();
        t.correct += reported
            .iter()
            .filter(|r| ads.iter().any(|(_, l)| matches(**r, *l, &labelled)))
            .count();
        // A negative is hit by a report in it that is no labelled ad (a sponsor tile labelled
        // inside a module labelled a negative is still an ad).
        for negative in &page.negative {
            for n in select(&negative.selector) {
                if reported.iter().any(|r| {
                    (r.id() == n.id() || r.ancestors().any(|a| a.id() == n.id()))
                        && !ads.iter().any(|(_, l)| matches(*r, *l, &labelled))
                }) {
                    t.negatives_hit
                        .push(format!("{}: {}", page.id, negative.selector));
                }
            }
        }
        if page.listing.is_empty() {
            // Counted only: as many listings found as there are, at most.
            t.listings.1 += page.listings;
            t.listings.0 += found.listings.len().min(page.listings);
        } else {
            // Each labelled listing is found when a reported listing's title sits in it (or
            // around it); a sponsored one, when that listing is also marked sponsored.
            let reported: Vec<(ElementRef<'_>, bool)> = found
                .listings
                .iter()
                .filter_map(|l| Some((select(l.path.as_deref()?).into_iter().next()?, l.sponsored)))
                .collect();
            let labelled: HashSet<NodeId> = page
                .listing
                .iter()
                .flat_map(|l| select(&l.selector))
                .map(|e| e.id())
                .collect();
            // A listing from JSON-LD has no path (the `inspect` contract): it is found when its
            // title and the labelled element's text say the same, or one holds the other,
            // letter for letter and digit for digit (IKEA's heading "PELARBOJ LED table lamp,
            // multicolour" is "PELARBOJ LED table lamp - multicolour" in its JSON-LD; Craigslist's
            // heading adds the price and the town).
            let words = |t: &str| {
                t.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect::<String>()
            };
            let unplaced: Vec<(String, bool)> = found
                .listings
                .iter()
                .filter(|l| l.path.is_none())
                .map(|l| (words(&l.title), l.sponsored))
                .collect();
            let same = |title: &str, text: &str| {
                title.chars().count().min(text.chars().count()) >= 8
                    && (text.contains(title) || title.contains(text))
            };
            for label in &page.listing {
                for el in select(&label.selector) {
                    let text = words(&el.text().collect::<String>());
                    let hit = reported
                        .iter()
                        .find(|(r, _)| matches(*r, el, &labelled))
                        .map(|(_, sponsored)| sponsored)
                        .or_else(|| {
                            unplaced
                                .iter()
                                .find(|(title, _)| same(title, &text))
                                .map(|(_, sponsored)| sponsored)
                        });
                    t.listings.1 += 1;
                    t.listings.0 += usize::from(hit.is_some());
                    if label.sponsored {
                        t.sponsored.1 += 1;
                        t.sponsored.0 += usize::from(hit.is_some_and(|s| *s));
                    }
                    if show && hit.is_none() {
                        println!("  {} missed listing: {}", page.id, path_hint(el));
                    }
                }
            }
        }
    }
    println!(
        "{:<6} {:<12} {:>5}  {:<16} {:<16} {:<16} {:<16} {:<16} {:>8}  hard negatives reported",
        "split",
        "type",
        "pages",
        "slot recall",
        "content recall",
        "precision",
        "listing recall",
        "sponsored recall",
        "listings"
    );
    for ((split, kind), t) in &tallies {
        println!(
            "{:<6} {:<12} {:>5}  {:<16} {:<16} {:<16} {:<16} {:<16} {:>8}  {}",
            split,
            kind,
            t.pages,
            ratio(t.slots),
            ratio(t.content),
            ratio((t.correct, t.reported)),
            ratio(t.listings),
            ratio(t.sponsored),
            t.listings_found,
            if t.negatives_hit.is_empty() {
                "none".to_owned()
            } else {
                t.negatives_hit.join("; ")
            }
        );
    }
    if missing > 0 {
        println!("{missing} labelled pages not found on this machine (see seeds/pages/README.md)");
    }
}
