//! Sitemaps (sitemaps.org): URL sets and sitemap indexes, plain or gzipped, found through
//! robots.txt `Sitemap:` lines or at `/sitemap.xml`. Decompression is capped.

use quick_xml::events::Event;
use std::io::Read;
use url::Url;

/// Most bytes a sitemap may decompress to (the protocol's own limit is 50 MB).
const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;

/// What one sitemap file lists.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Sitemap {
    /// Pages (`<urlset><url><loc>`).
    pub pages: Vec<Url>,
    /// Further sitemaps (`<sitemapindex><sitemap><loc>`).
    pub sitemaps: Vec<Url>,
}

/// Parses a sitemap body (gzip detected by its magic bytes). Malformed XML yields what was
/// read before the fault.
pub(crate) fn parse(body: &[u8], base: &Url) -> Sitemap {
    let mut inflated = Vec::new();
    let body = if body.starts_with(&[0x1f, 0x8b]) {
        let decoder = flate2::read::GzDecoder::new(body);
        if decoder
            .take(MAX_SITEMAP_BYTES)
            .read_to_end(&mut inflated)
            .is_err()
            && inflated.is_empty()
        {
            return Sitemap::default();
        }
        &inflated[..]
    } else {
        body
    };
    let text = String::from_utf8_lossy(body);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = Sitemap::default();
    let (mut in_index, mut in_loc) = (false, false);
    let mut loc = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "sitemapindex" => in_index = true,
                "loc" => {
                    in_loc = true;
                    loc.clear();
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_loc => loc.push_str(&t.into_inner()),
            Ok(Event::CData(t)) if in_loc => loc.push_str(&t.into_inner()),
            Ok(Event::GeneralRef(r)) if in_loc => loc.push_str(match r.into_inner().as_ref() {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                "apos" => "'",
                _ => "",
            }),
            Ok(Event::End(e)) if e.local_name().as_ref() == "loc" => {
                in_loc = false;
                if let Ok(url) = base.join(loc.trim()) {
                    if matches!(url.scheme(), "http" | "https") {
                        if in_index {
                            out.sitemaps.push(url);
                        } else {
                            out.pages.push(url);
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn url_sets_indexes_and_gzip() {
        let base = Url::parse("http://127.0.0.1:1/").unwrap();
        let set =
            br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>http://127.0.0.1:1/a?x=1&amp;y=2</loc></url><url><loc> /b </loc></url>
            <url><loc>javascript:alert(1)</loc></url></urlset>"#;
        let parsed = parse(set, &base);
        assert_eq!(parsed.pages.len(), 2);
        assert_eq!(parsed.pages[0].as_str(), "http://127.0.0.1:1/a?x=1&y=2");
        assert_eq!(parsed.pages[1].as_str(), "http://127.0.0.1:1/b");
        let index = br#"<sitemapindex><sitemap><loc>http://127.0.0.1:1/s1.xml.gz</loc></sitemap></sitemapindex>"#;
        let parsed = parse(index, &base);
        assert_eq!(parsed.sitemaps.len(), 1);
        assert!(parsed.pages.is_empty());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(set).unwrap();
        assert_eq!(parse(&gz.finish().unwrap(), &base).pages.len(), 2);
        assert_eq!(
            parse(b"<urlset><url><loc>http://127.0.0.1:1/c", &base),
            Sitemap::default()
        );
    }
}
