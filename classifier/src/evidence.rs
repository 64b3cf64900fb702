//! Why a sample was flagged: lexicon hits, a price far below the brand's, contact handles and
//! the n-grams that pushed hardest towards the category, each as a span of the text as written.

use crate::features::{find_gram, gram_of_feature, Extracted};
use crate::lexicon::LegalBasis;
use admon_domain::{Category, EvidenceSpan};

/// Lexicon hits listed as evidence at most (a text repeating a term lists its first ones).
const MAX_LEXICON_EVIDENCE: usize = 20;
/// Spans from the model (contacts, n-grams) are added while fewer than this many are listed.
const MAX_MODEL_EVIDENCE: usize = 6;

/// The evidence for flagging `text` (the sample's) as `category`. `pushes` are the model's
/// features with their contribution towards the category, positive ones only.
pub(crate) fn explain(
    extracted: &Extracted,
    text: &str,
    category: Category,
    legal: &LegalBasis,
    mut pushes: Vec<(f32, &str)>,
) -> Vec<EvidenceSpan> {
    let chars: Vec<char> = text.chars().collect();
    let text_len = extracted.text_chars;
    let span_text = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
    let mut evidence: Vec<EvidenceSpan> = extracted
        .hits
        .iter()
        .filter(|h| h.category == category && h.end <= text_len)
        .take(MAX_LEXICON_EVIDENCE)
        .map(|h| EvidenceSpan {
            start: h.start,
            end: h.end,
            text: span_text(h.start, h.end),
            reason: format!("词表命中「{}」：{}（{}）", h.term, legal.zh, legal.en),
        })
        .collect();
    if category == Category::Counterfeit {
        if let Some(cheap) = &extracted.cheap_brand {
            let product = cheap
                .product
                .as_deref()
                .map_or(String::new(), |p| format!("（{p}）"));
            let reason = format!(
                "价格 ¥{} 仅为 {}{product} 正品参考最低价 ¥{} 的 {:.0}%（price far below the brand's）",
                cheap.price,
                cheap.brand,
                cheap.floor,
                cheap.price / cheap.floor * 100.0
            );
            let (start, end) = cheap.span.filter(|&(_, e)| e <= text_len).unwrap_or((0, 0));
            evidence.push(EvidenceSpan {
                start,
                end,
                text: span_text(start, end),
                reason,
            });
        }
    }
    pushes.sort_by(|a, b| b.0.total_cmp(&a.0));
    let overlaps = |evidence: &[EvidenceSpan], s: usize, e: usize| {
        evidence.iter().any(|x| s < x.end && x.start < e)
    };
    // Contact handles the model weighs towards this category, then the n-grams that pushed
    // hardest, where the text shows them.
    for &(contribution, feature) in &pushes {
        let Some(contact) = extracted
            .contacts
            .iter()
            .find(|c| c.kind.feature() == feature && c.end <= text_len)
        else {
            continue;
        };
        if evidence.len() >= MAX_MODEL_EVIDENCE || overlaps(&evidence, contact.start, contact.end) {
            continue;
        }
        evidence.push(EvidenceSpan {
            start: contact.start,
            end: contact.end,
            text: span_text(contact.start, contact.end),
            reason: format!(
                "联系方式（{}）指向{}（weight {contribution:.2}）",
                contact.kind.zh(),
                legal.zh
            ),
        });
    }
    for &(contribution, feature) in &pushes {
        if evidence.len() >= MAX_MODEL_EVIDENCE {
            break;
        }
        let Some((gram, (start, end))) = locate(extracted, feature) else {
            continue;
        };
        // One character (装, ：) explains nothing to an officer reading the case.
        let meaningful = gram.chars().filter(|c| c.is_alphanumeric()).count() >= 2;
        if !meaningful || end > text_len || overlaps(&evidence, start, end) {
            continue;
        }
        evidence.push(EvidenceSpan {
            start,
            end,
            text: span_text(start, end),
            reason: format!(
                "模型特征「{gram}」指向{}（weight {contribution:.2}）",
                legal.zh
            ),
        });
    }
    evidence.sort_by_key(|e| (e.start, e.end));
    evidence
}

/// Hits of another Advertising Law category listed as evidence at most, per category.
const MAX_OTHER_EVIDENCE: usize = 3;

/// The other Advertising Law articles a sample flagged as `category` breaks: every category
/// whose terms fired besides the primary one (a health-food ad that claims to cure a disease
/// breaks Arts. 17 and 18). Returns the articles, in the order their categories first fire,
/// and the hits that show them. A counterfeit's replica words (顶级复刻) are not ad claims, so
/// counterfeits and clean texts get none.
pub(crate) fn other_laws<'a>(
    extracted: &Extracted,
    text: &str,
    category: Category,
    legal: impl Fn(Category) -> &'a LegalBasis,
) -> (Vec<String>, Vec<EvidenceSpan>) {
    let (mut articles, mut evidence) = (Vec::new(), Vec::new());
    if matches!(category, Category::Counterfeit | Category::Clean) {
        return (articles, evidence);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut listed: Vec<(Category, usize)> = Vec::new();
    for h in &extracted.hits {
        if matches!(h.category, Category::Counterfeit | Category::Clean)
            || h.category == category
            || h.end > extracted.text_chars
        {
            continue;
        }
        let other = legal(h.category);
        match listed.iter_mut().find(|(c, _)| *c == h.category) {
            Some((_, n)) if *n >= MAX_OTHER_EVIDENCE => continue,
            Some((_, n)) => *n += 1,
            None => {
                listed.push((h.category, 1));
                articles.extend(other.articles.iter().cloned());
            }
        }
        evidence.push(EvidenceSpan {
            start: h.start,
            end: h.end,
            text: chars[h.start..h.end].iter().collect(),
            reason: format!("词表命中「{}」：{}（{}）", h.term, other.zh, other.en),
        });
    }
    (articles, evidence)
}

/// An n-gram feature's text (normalised) and where it first occurs in the original text.
fn locate(extracted: &Extracted, feature: &str) -> Option<(String, (usize, usize))> {
    let (gram, start, end) = if let Some(bucket) = gram_of_feature(feature) {
        let (start, end) = find_gram(&extracted.masked, bucket)?;
        (extracted.masked[start..end].iter().collect(), start, end)
    } else {
        let word = feature.strip_prefix("w:").filter(|w| !w.is_empty())?;
        let byte = extracted.norm.text.find(word)?;
        let start = extracted.norm.text[..byte].chars().count();
        (word.to_owned(), start, start + word.chars().count())
    };
    Some((gram, extracted.norm.original(start, end)))
}
