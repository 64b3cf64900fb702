//! A bound on how deeply a page nests elements, applied before it is parsed. The HTML tree
//! builder checks element scopes by walking the stack of open elements, so a page of 64,000
//! nested `<div>`s took 44 s to parse and walk (time grows with the square of the depth).
//! Browsers cap the depth themselves (Chromium's parser at 512); here a page is read up to
//! where it first nests deeper than [`MAX_DEPTH`], and the rest is left out of extraction
//! (the page itself is kept whole).

/// How deep elements may nest before the rest of a page is left out of extraction.
pub const MAX_DEPTH: usize = 2_048;

/// Elements that never have an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "frame", "basefont", "bgsound",
];

/// Elements whose start tag closes an open one of the same kind (so a run of them does not
/// nest), and the document's own.
const SELF_CLOSING_RUNS: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot", "rb",
    "rt", "rp", "rtc", "colgroup", "caption", "html", "head", "body",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// The byte offset at which `html` first nests elements deeper than `limit` (an estimate
/// from tags alone, never below the depth the parser would build for runs of one tag), or
/// `None` when it never does.
pub fn too_deep_at(html: &str, limit: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(lt) = memchr(b'<', &bytes[at..]) {
        let start = at + lt;
        at = start + 1;
        if bytes[at..].starts_with(b"!--") {
            at = find(bytes, at, b"-->").map_or(bytes.len(), |end| end + 3);
            continue;
        }
        let closing = bytes.get(at) == Some(&b'/');
        let name_start = at + closing as usize;
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &html[name_start..name_start + name_len];
        let is = |list: &[&str]| list.iter().any(|n| n.eq_ignore_ascii_case(name));
        at = name_start + name_len;
        if closing {
            if !is(VOID) && !is(SELF_CLOSING_RUNS) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if is(RAW_TEXT) {
            let end = format!("</{name}");
            at = find_ignore_case(bytes, at, end.as_bytes()).unwrap_or(bytes.len());
            continue;
        }
        if is(VOID) || is(SELF_CLOSING_RUNS) {
            continue;
        }
        depth += 1;
        if depth > limit {
            return Some(start);
        }
    }
    None
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn find_ignore_case(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_nesting_is_counted_and_runs_of_self_closing_tags_are_not() {
        let nested = "<div>".repeat(10) + "x" + &"</div>".repeat(10);
        assert_eq!(too_deep_at(&nested, 10), None);
        assert_eq!(too_deep_at(&nested, 9), Some(9 * 5));
        // Unclosed paragraphs and list items do not nest; void elements never open.
        let flat = "<ul>".to_owned() + &"<li><p>item<br><img src=x>".repeat(5_000) + "</ul>";
        assert_eq!(too_deep_at(&flat, 3), None);
        // Markup inside scripts and comments is not markup.
        let hidden = format!(
            "<script>var s = '{}';</script><!-- {} --><div></div>",
            "<div>".repeat(100),
            "<div>".repeat(100)
        );
        assert_eq!(too_deep_at(&hidden, 2), None);
        // Unclosed formatting tags do nest.
        assert!(too_deep_at(&"<font>".repeat(50), 20).is_some());
    }
}
