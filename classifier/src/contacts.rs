//! Contact handles in a normalised text: WeChat ids, QQ numbers, mainland mobile numbers and
//! short links. Illegal ads move the talk elsewhere; a handle is a signal the model weighs.

/// What kind of handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ContactKind {
    Wechat,
    Qq,
    Phone,
    Shortlink,
}

impl ContactKind {
    /// The model feature it sets.
    pub(crate) fn feature(self) -> &'static str {
        match self {
            ContactKind::Wechat => "contact:wechat",
            ContactKind::Qq => "contact:qq",
            ContactKind::Phone => "contact:phone",
            ContactKind::Shortlink => "contact:shortlink",
        }
    }

    /// How the evidence names it.
    pub(crate) fn zh(self) -> &'static str {
        match self {
            ContactKind::Wechat => "微信号",
            ContactKind::Qq => "QQ号",
            ContactKind::Phone => "手机号",
            ContactKind::Shortlink => "短链接",
        }
    }
}

/// A handle, in character offsets of the text searched (marker included: 微信:abc123).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Contact {
    pub kind: ContactKind,
    pub start: usize,
    pub end: usize,
}

fn handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// A run of digits from `i` with single spaces, dashes or dots between them: (end, digits).
fn digit_run(chars: &[char], i: usize) -> (usize, String) {
    let (mut j, mut end, mut digits) = (i, i, String::new());
    while j < chars.len() {
        if chars[j].is_ascii_digit() {
            digits.push(chars[j]);
            j += 1;
            end = j;
        } else if matches!(chars[j], ' ' | '-' | '.')
            && chars.get(j + 1).is_some_and(char::is_ascii_digit)
            && !digits.is_empty()
        {
            j += 1;
        } else {
            break;
        }
    }
    (end, digits)
}

fn is_mobile(digits: &str) -> bool {
    let d = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(digits);
    let b = d.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// After a marker ending at `i` (微信, qq): skips 号, 是 and separators, then reads a handle.
fn handle_after(chars: &[char], i: usize, kind: ContactKind) -> Option<usize> {
    let mut j = i;
    while j < chars.len()
        && j < i + 4
        && matches!(chars[j], '号' | '是' | ':' | ' ' | '-' | '=' | '@')
    {
        j += 1;
    }
    let first = *chars.get(j)?;
    if first.is_ascii_digit() {
        let (end, digits) = digit_run(chars, j);
        let ok = match kind {
            ContactKind::Qq => (5..=11).contains(&digits.len()) && !digits.starts_with('0'),
            _ => (5..=13).contains(&digits.len()),
        };
        return ok.then_some(end);
    }
    if kind != ContactKind::Wechat || !first.is_ascii_alphabetic() {
        return None;
    }
    let len = chars[j..].iter().take_while(|&&c| handle_char(c)).count();
    (6..=20).contains(&len).then_some(j + len)
}

fn at(chars: &[char], i: usize, word: &[char]) -> bool {
    chars.get(i) == word.first() && chars.get(i..i + word.len()) == Some(word)
}

/// Every handle in `chars` (a normalised text), in order of position.
pub(crate) fn find(chars: &[char], shortlink_hosts: &[Vec<char>]) -> Vec<Contact> {
    const WECHAT: [char; 2] = ['微', '信'];
    const QQ: [char; 2] = ['q', 'q'];
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let (end, digits) = digit_run(chars, i);
            if is_mobile(&digits) && chars.get(end).is_none_or(|c| !c.is_ascii_digit()) {
                out.push(Contact {
                    kind: ContactKind::Phone,
                    start: i,
                    end,
                });
            }
            i = end.max(i + 1);
            continue;
        }
        for (marker, kind) in [(&WECHAT, ContactKind::Wechat), (&QQ, ContactKind::Qq)] {
            let latin_before =
                kind == ContactKind::Qq && i > 0 && chars[i - 1].is_ascii_alphabetic();
            if at(chars, i, marker) && !latin_before {
                if let Some(end) = handle_after(chars, i + 2, kind) {
                    out.push(Contact {
                        kind,
                        start: i,
                        end,
                    });
                }
            }
        }
        let host_may_start = c.is_ascii_alphanumeric()
            && (i == 0 || !(chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '.'));
        if host_may_start {
            for host in shortlink_hosts {
                let slash = i + host.len();
                if at(chars, i, host) && chars.get(slash) == Some(&'/') {
                    let code = chars[slash + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .count();
                    if code >= 2 {
                        out.push(Contact {
                            kind: ContactKind::Shortlink,
                            start: i,
                            end: slash + 1 + code,
                        });
                        break;
                    }
                }
            }
        }
        i += 1;
    }
    out.sort_by_key(|c| (c.start, c.end));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(ContactKind, String)> {
        let chars: Vec<char> = text.chars().collect();
        let hosts = vec!["t.cn".chars().collect(), "dwz.cn".chars().collect()];
        find(&chars, &hosts)
            .into_iter()
            .map(|c| (c.kind, chars[c.start..c.end].iter().collect()))
            .collect()
    }

    #[test]
    fn mobile_numbers_with_or_without_separators() {
        use ContactKind::Phone;
        assert_eq!(kinds("电话13812345678"), [(Phone, "13812345678".into())]);
        assert_eq!(
            kinds("138-1234-5678 咨询"),
            [(Phone, "138-1234-5678".into())]
        );
        assert_eq!(
            kinds("+86 138 1234 5678"),
            [(Phone, "86 138 1234 5678".into())]
        );
        // Not a mobile: too long, a landline, a price.
        assert!(kinds("订单号 138123456789").is_empty());
        assert!(kinds("010-12345678").is_empty());
        assert!(kinds("仅售 12345 元").is_empty());
    }

    #[test]
    fn wechat_ids_and_qq_numbers_after_their_marker() {
        use ContactKind::{Phone, Qq, Wechat};
        assert_eq!(kinds("加微信:abc_123"), [(Wechat, "微信:abc_123".into())]);
        assert_eq!(kinds("微信号 wxid-88"), [(Wechat, "微信号 wxid-88".into())]);
        assert_eq!(
            kinds("微信13812345678"),
            [
                (Wechat, "微信13812345678".into()),
                (Phone, "13812345678".into())
            ]
        );
        assert_eq!(kinds("qq:12345678"), [(Qq, "qq:12345678".into())]);
        assert_eq!(kinds("qq号 1234 5678"), [(Qq, "qq号 1234 5678".into())]);
        // A marker alone, a too-short id, a QQ number from 0, 'qq' inside a word: none.
        assert!(kinds("加微信咨询").is_empty());
        assert!(kinds("微信:ab").is_empty());
        assert!(kinds("qq 01234").is_empty());
        assert!(kinds("faqq 12345").is_empty());
    }

    #[test]
    fn short_links_by_host() {
        use ContactKind::Shortlink;
        assert_eq!(
            kinds("戳 t.cn/A6x9Zk 领取"),
            [(Shortlink, "t.cn/A6x9Zk".into())]
        );
        assert_eq!(
            kinds("https://dwz.cn/ab12"),
            [(Shortlink, "dwz.cn/ab12".into())]
        );
        assert!(kinds("smart.cn/abc").is_empty());
        assert!(kinds("t.cn").is_empty());
    }
}
