//! Bytes to text: HTTP header charset, then BOM, then `<meta charset>`, then detection
//! (chardetng). GBK, GB18030 and Big5 pages decode correctly.

use encoding_rs::Encoding;

/// Decodes an HTML body; returns the text and the name of the encoding used.
pub fn decode_html(body: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    // Bytes that are valid UTF-8 and not all ASCII are UTF-8, whatever the page declares: a
    // page a browser saved keeps its old `<meta charset="gb2312">` over the UTF-8 it wrote
    // (dev page 39net-news-2021), and GBK or Big5 text is never valid UTF-8 beyond a few bytes.
    // One validation pass gives the text too; no second decode.
    if !body.is_ascii() {
        if let Ok(text) = std::str::from_utf8(body) {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            return (text.to_owned(), encoding_rs::UTF_8.name());
        }
    }
    let encoding = content_type
        .and_then(charset_param)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| Encoding::for_bom(body).map(|(e, _)| e))
        .or_else(|| meta_charset(body))
        .unwrap_or_else(|| {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(body, true);
            detector.guess(None, chardetng::Utf8Detection::Allow)
        });
    // GBK pages often use GB18030-only characters; GB18030 is the superset that decodes both.
    let encoding = if encoding == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        encoding
    };
    let (text, used, _) = encoding.decode(body);
    (text.into_owned(), used.name())
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// `<meta charset=..>` or `<meta http-equiv content="..charset=..">` in the first 4 KB. Only a
/// `meta` tag declares the page's charset: a script's `charset="UTF-8"` before it (dev page
/// gazeta-pl-2021, ISO-8859-2) or a comment naming a "CHARSET MODULE" does not.
fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(4096)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    head.match_indices("<meta").find_map(|(i, _)| {
        let tag = &head[i..];
        let mut rest = &tag[..tag.find('>').unwrap_or(tag.len())];
        while let Some(i) = rest.find("charset") {
            rest = &rest[i + "charset".len()..];
            let Some(value) = rest.trim_start().strip_prefix('=') else {
                continue;
            };
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            let end = value
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(value.len());
            if let Some(e) = Encoding::for_label(&value.as_bytes()[..end]) {
                return Some(e);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_by_header_meta_and_detection() {
        let text = "<html><body>国家级品质，假一赔十</body></html>";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode_html(&gbk, Some("text/html; charset=GBK")).0, text);
        let with_meta = format!("<meta charset=\"gb2312\">{text}");
        let (bytes, _, _) = encoding_rs::GBK.encode(&with_meta);
        assert_eq!(decode_html(&bytes, Some("text/html")).0, with_meta);
        let long = text.repeat(20);
        let (bytes, _, _) = encoding_rs::GBK.encode(&long);
        assert_eq!(decode_html(&bytes, None).0, long);
        let (big5, _, _) = encoding_rs::BIG5.encode("繁體中文廣告");
        assert_eq!(
            decode_html(&big5, Some("text/html;charset=big5")).0,
            "繁體中文廣告"
        );
    }

    #[test]
    fn utf8_bytes_win_over_a_declared_legacy_charset() {
        let text = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><p>栏目关注：大众保健</p>";
        assert_eq!(
            decode_html(text.as_bytes(), None),
            (text.to_owned(), "UTF-8")
        );
        assert_eq!(
            decode_html(text.as_bytes(), Some("text/html; charset=GBK")).1,
            "UTF-8"
        );
        // The same text in GBK stays GBK (GB18030, its superset).
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode_html(&gbk, None), (text.to_owned(), "gb18030"));
    }

    #[test]
    fn only_a_meta_tag_declares_the_charset() {
        // The head of dev page gazeta-pl-2021: a script's charset and a comment come first.
        let page = "<script type=\"text/javascript\" charset=\"UTF-8\" data-domain-script=\"x\"></script>\n\
                    <!-- META TITLE AND CHARSET MODULE-->\n<title>\"Ziemniaki na szóstej\"</title>\n\
                    <meta charset=\"ISO-8859-2\">\n<p>Na żywo, Złote Przeboje</p>";
        let (bytes, _, _) = encoding_rs::ISO_8859_2.encode(page);
        assert_eq!(decode_html(&bytes, None), (page.to_owned(), "ISO-8859-2"));
        let http_equiv = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\" /><p>spektakuläre</p>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(http_equiv);
        assert_eq!(decode_html(&bytes, None).0, http_equiv);
    }

    #[test]
    fn utf8_bom_wins_over_missing_header() {
        let mut body = vec![0xEF, 0xBB, 0xBF];
        body.extend_from_slice("广告".as_bytes());
        assert_eq!(decode_html(&body, None).0, "广告");
    }
}
