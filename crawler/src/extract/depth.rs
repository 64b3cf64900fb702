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

/// The byte offset at which `html` first nests elements deeper than `limit`, or `None` when
/// it never does. The estimate follows the parser where it matters and errs deep elsewhere:
/// an end tag closes only an element that is open (stray ones, like `</zz>`, close nothing),
/// comments end at `-->` or `--!>`, attribute values are skipped whole, raw-text elements
/// (`script`, `style`, `title`…) are raw only outside `svg` and `math`, and a start tag in
/// foreign content nests like any other.
pub fn too_deep_at(html: &str, limit: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut open = Stack::default();
    let mut at = 0;
    while let Some(lt) = memchr(b'<', &bytes[at..]) {
        let start = at + lt;
        at = start + 1;
        if bytes[at..].starts_with(b"!--") {
            let body = at + 3;
            // `<!-->` and `<!--->` end at once; else the first `-->` or `--!>`.
            at = if bytes[body..].starts_with(b">") {
                body + 1
            } else if bytes[body..].starts_with(b"->") {
                body + 2
            } else {
                match (find(bytes, body, b"-->"), find(bytes, body, b"--!>")) {
                    (Some(a), Some(b)) if b < a => b + 4,
                    (Some(a), _) => a + 3,
                    (None, Some(b)) => b + 4,
                    (None, None) => bytes.len(),
                }
            };
            continue;
        }
        if matches!(bytes.get(at), Some(b'!' | b'?')) {
            // A doctype or a bogus comment: to the next `>`.
            at = memchr(b'>', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
            continue;
        }
        let closing = bytes.get(at) == Some(&b'/');
        let name_start = at + closing as usize;
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue; // text, not a tag
        }
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|&&b| !b.is_ascii_whitespace() && b != b'/' && b != b'>')
            .count();
        let name = &html[name_start..name_start + name_len];
        // The rest of the tag, quoted attribute values skipped whole.
        let (end, self_closing) = tag_end(bytes, name_start + name_len);
        at = end;
        if closing {
            open.close(name);
            continue;
        }
        let is = |list: &[&str]| list.iter().any(|n| n.eq_ignore_ascii_case(name));
        let foreign = open.foreign > 0;
        if !foreign && is(RAW_TEXT) {
            let end = format!("</{name}");
            at = find_ignore_case(bytes, at, end.as_bytes()).unwrap_or(bytes.len());
            continue;
        }
        if (!foreign && (is(VOID) || is(SELF_CLOSING_RUNS))) || (foreign && self_closing) {
            continue;
        }
        open.push(name);
        if open.names.len() > limit {
            return Some(start);
        }
    }
    None
}

/// The elements open, with how many of each name and how many are `svg` or `math`, so that
/// a stray end tag costs nothing (it would cost a walk of the whole stack).
#[derive(Default)]
struct Stack {
    names: Vec<u64>,
    counts: std::collections::HashMap<u64, u32>,
    foreign: u32,
}

/// A tag name's key, ASCII case ignored.
fn key(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Stack {
    fn push(&mut self, name: &str) {
        let k = key(name);
        self.names.push(k);
        *self.counts.entry(k).or_default() += 1;
        if name.eq_ignore_ascii_case("svg") || name.eq_ignore_ascii_case("math") {
            self.foreign += 1;
        }
    }

    /// Closes the innermost open `name` and everything inside it; nothing if none is open.
    fn close(&mut self, name: &str) {
        let k = key(name);
        if self.counts.get(&k).copied().unwrap_or(0) == 0 {
            return;
        }
        let (svg, math) = (key("svg"), key("math"));
        while let Some(top) = self.names.pop() {
            if let Some(n) = self.counts.get_mut(&top) {
                *n -= 1;
            }
            if top == svg || top == math {
                self.foreign -= 1;
            }
            if top == k {
                break;
            }
        }
    }
}

/// Where the tag whose attributes start at `from` ends (past its `>`), and whether it ends
/// with `/>`.
fn tag_end(bytes: &[u8], from: usize) -> (usize, bool) {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return (i + 1, i > from && bytes[i - 1] == b'/'),
            quote @ (b'"' | b'\'') => {
                // A quoted value, but only as an attribute's (after `=`).
                let after_equals = bytes[from..i]
                    .iter()
                    .rev()
                    .find(|b| !b.is_ascii_whitespace())
                    == Some(&b'=');
                if after_equals {
                    i = memchr(quote, &bytes[i + 1..]).map_or(bytes.len(), |j| i + 1 + j);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (bytes.len(), false)
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

    // Regression for #16 (second re-attack): three ways around the first estimate, each
    // taking minutes to parse at 64,000: stray end tags that close nothing, a comment ended
    // by `--!>`, raw-text names inside svg (markup there), and `</q>` inside an attribute.
    #[test]
    fn what_the_parser_ignores_does_not_hide_the_depth() {
        let cases = [
            "<div></zz>".repeat(50),
            format!("<!-- x --!>{}", "<div>".repeat(50)),
            format!("<svg><title>{}", "<div>".repeat(50)),
            format!("<svg><style>{}", "<div>".repeat(50)),
            "<div title=\"</q>\">".repeat(50),
            "<div title='a>b'>".repeat(50),
        ];
        for html in &cases {
            assert!(too_deep_at(html, 20).is_some(), "{}", &html[..40]);
        }
        // An end tag closes what it names, and what is inside it.
        let closed = "<div><span><b>x</div>".repeat(50);
        assert_eq!(too_deep_at(&closed, 5), None);
    }
}
