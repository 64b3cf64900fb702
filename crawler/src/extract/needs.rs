//! What a hiding rule's selector needs from a page before it can match anything: read from the
//! text of its subject (rightmost compound), so that of EasyList's thousands of complex generic
//! rules only those a page could satisfy are matched against it, not each one over the whole
//! page.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

/// One thing the subject of a selector must carry.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Need {
    Class(String),
    Id(String),
    /// An attribute (lower-case name), and a text its value must contain.
    Attr(String, Option<String>),
}

/// The needs of `selector`, read once and kept (selectors come from lists and site files, never
/// from pages, so the set stays small). Empty when nothing can be told: then it always runs.
pub(super) fn needs(selector: &str) -> Arc<Vec<Need>> {
    static KNOWN: LazyLock<RwLock<HashMap<String, Arc<Vec<Need>>>>> =
        LazyLock::new(Default::default);
    if let Some(known) = KNOWN
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(selector)
    {
        return known.clone();
    }
    let read = Arc::new(read_needs(selector).unwrap_or_default());
    KNOWN
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(selector.to_owned(), read.clone());
    read
}

/// Every attribute value of a page, by attribute name, joined: what an attribute need is
/// looked up in.
#[derive(Default)]
pub(super) struct PageAttrs(HashMap<String, String>);

impl PageAttrs {
    pub(super) fn new(doc: &scraper::Html) -> PageAttrs {
        let mut all: HashMap<String, String> = HashMap::new();
        for node in doc.root_element().descendants() {
            if let Some(el) = node.value().as_element() {
                for (name, value) in el.attrs() {
                    let blob = all.entry(name.to_owned()).or_default();
                    blob.push_str(value);
                    blob.push('\n');
                }
            }
        }
        PageAttrs(all)
    }

    /// Whether the page may satisfy `need` (classes and ids as `has_class`/`has_id` say).
    pub(super) fn may_have(
        &self,
        need: &Need,
        has_class: impl Fn(&str) -> bool,
        has_id: impl Fn(&str) -> bool,
    ) -> bool {
        match need {
            Need::Class(c) => has_class(c),
            Need::Id(i) => has_id(i),
            Need::Attr(name, value) => self
                .0
                .get(name)
                .is_some_and(|blob| value.as_deref().is_none_or(|v| blob.contains(v))),
        }
    }
}

/// The needs of the selector's subject; `None` for a list of selectors or text it cannot read.
fn read_needs(selector: &str) -> Option<Vec<Need>> {
    let chars: Vec<char> = selector.chars().collect();
    // Where the subject starts: after the last combinator outside brackets and parentheses.
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (i, &c) in chars.iter().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, ',') if depth == 0 => return None,
            (None, ' ' | '>' | '+' | '~' | '\t' | '\n') if depth == 0 => start = i + 1,
            _ => {}
        }
    }
    let subject = &chars[start..];
    let ident = |from: usize| -> (String, usize) {
        let mut end = from;
        while end < subject.len()
            && (subject[end].is_alphanumeric() || matches!(subject[end], '-' | '_'))
        {
            end += 1;
        }
        (subject[from..end].iter().collect(), end)
    };
    let mut needs = Vec::new();
    let mut i = 0;
    while i < subject.len() {
        match subject[i] {
            '\\' => return None,
            '.' | '#' => {
                let (name, end) = ident(i + 1);
                if name.is_empty() || subject.get(end) == Some(&'\\') {
                    return None;
                }
                needs.push(if subject[i] == '.' {
                    Need::Class(name)
                } else {
                    Need::Id(name)
                });
                i = end;
            }
            '[' => {
                let close = (i..subject.len()).find(|&j| subject[j] == ']')?;
                let inner: String = subject[i + 1..close].iter().collect();
                needs.push(attribute_need(&inner)?);
                i = close + 1;
            }
            ':' => {
                // A pseudo-class or element: skipped, with what its parentheses hold.
                i += 1;
                while i < subject.len() && subject[i] == ':' {
                    i += 1;
                }
                let (_, end) = ident(i);
                i = end;
                if subject.get(i) == Some(&'(') {
                    let mut depth = 0;
                    while i < subject.len() {
                        match subject[i] {
                            '(' => depth += 1,
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                }
            }
            _ => i += 1,
        }
    }
    Some(needs)
}

/// `name`, `name="v"`, `name^='v'`, `name*=v i`: the attribute and (case kept) a text its
/// value holds.
fn attribute_need(inner: &str) -> Option<Need> {
    let inner = inner.trim();
    let Some(op) = inner.find(['=', '^', '*', '$', '~', '|']) else {
        return Some(Need::Attr(inner.to_ascii_lowercase(), None));
    };
    let name = inner[..op].trim().to_ascii_lowercase();
    let rest = inner[op..].trim_start_matches(['^', '*', '$', '~', '|']);
    let rest = rest.strip_prefix('=')?.trim();
    let (value, flags) = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let end = rest[1..].find(q)? + 1;
            (&rest[1..end], rest[end + 1..].trim())
        }
        _ => match rest.split_once(char::is_whitespace) {
            Some((v, f)) => (v, f.trim()),
            None => (rest, ""),
        },
    };
    // Case-insensitive, or escaped: only the attribute is needed.
    let value =
        (flags.is_empty() && !value.contains('\\') && !value.is_empty()).then(|| value.to_owned());
    Some(Need::Attr(name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selectors_subject_says_what_it_needs() {
        use Need::*;
        let got = |s: &str| read_needs(s);
        assert_eq!(
            got(r#"div[id^="crt-"][style]"#),
            Some(vec![
                Attr("id".into(), Some("crt-".into())),
                Attr("style".into(), None)
            ])
        );
        assert_eq!(
            got(r#".content > a[href*="//ads.example/"]"#),
            Some(vec![Attr("href".into(), Some("//ads.example/".into()))])
        );
        assert_eq!(
            got("#main .ad-box:not(.editorial)"),
            Some(vec![Class("ad-box".into())])
        );
        assert_eq!(
            got(r#"a[href^="http" i]"#),
            Some(vec![Attr("href".into(), None)])
        );
        assert_eq!(got("div.a, div.b"), None);
        assert_eq!(got("div:has(> .sponsored)"), Some(vec![]));
        // An escape is not read: such a rule always runs.
        assert!(got(r"#\31 23").is_none_or(|n| n.is_empty()));
        assert_eq!(got(r"#a\.b"), None);
    }

    #[test]
    fn a_page_is_asked_only_for_what_it_may_have() {
        let doc = scraper::Html::parse_document(
            r#"<div id="crt-1" style="x"></div><a href="https://ads.example/c">x</a>"#,
        );
        let page = PageAttrs::new(&doc);
        let none = |_: &str| false;
        let may = |s: &str| {
            read_needs(s)
                .unwrap()
                .iter()
                .all(|n| page.may_have(n, none, none))
        };
        assert!(may(r#"div[id^="crt-"][style]"#));
        assert!(may(r#"a[href*="ads.example"]"#));
        assert!(!may(r#"a[href*="tracker.example"]"#));
        assert!(!may(r#"div[data-ad]"#));
    }
}
