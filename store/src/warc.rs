//! WARC/1.1 evidence for a capture, one WARC file a capture, any archive tool reads it:
//!
//! 1. `warcinfo`: the software, its version, the user agent, the robots policy, the crawl run
//!    and its operator;
//! 2. `request`: the request as admon sent it;
//! 3. `response`: the exchange as received: HTTP version, status, reason phrase, the headers
//!    in order and the body with its content coding kept (hyper removes a chunked transfer
//!    coding; its header is then renamed, so the record says what its bytes are). `WARC-Date`
//!    is when the response's head arrived, with `WARC-IP-Address` and `WARC-Payload-Digest`;
//! 4. `metadata`: how admon decoded and rendered it (the decoded HTML's and screenshot's
//!    SHA-256);
//! 5. one `response` record, concurrent to the page's, for each thing Chromium loaded while
//!    rendering it (images, frames, scripts), as Chromium hands them on: their bodies already
//!    decoded, so their coding headers are renamed too;
//! 6. one `resource` record a picture taken while checking the page (a pop-up before and after
//!    a click on its close control), target `urn:admon:shot:{name}`, concurrent to the page's.
//!
//! Written with the `warc` crate.

use admon_domain::{Capture, Load, Shot};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use warc::{BufferedBody, RawRecordHeader, Record, RecordType, WarcHeader, WarcWriter};

/// The robots policy every capture was fetched under.
const ROBOTS_POLICY: &str = "obey (robots.txt read for each host, RFC 9309; Crawl-delay honoured)";

/// A URL as a WARC header or field value: control characters and spaces percent-encoded, so
/// a record stays well-formed whatever URL it was given (a parsed URL never has them).
fn field_safe(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_control() || c == ' ' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A header line's name or value, CR and LF replaced: header values from the wire never hold
/// them (hyper rejects them), but a stored record is evidence and stays well-formed whatever
/// it was given.
fn line_safe(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

fn date(at: OffsetDateTime) -> Vec<u8> {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
        .into_bytes()
}

fn sha256_field(bytes: &[u8]) -> Vec<u8> {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes))).into_bytes()
}

fn record(
    kind: RecordType,
    at: OffsetDateTime,
    target: Option<&str>,
    content_type: &str,
    block: &[u8],
    extra: Vec<(WarcHeader, Vec<u8>)>,
) -> RawRecordHeader {
    let mut headers: HashMap<WarcHeader, Vec<u8>> = [
        (WarcHeader::WarcType, kind.to_string().into_bytes()),
        (
            WarcHeader::RecordID,
            Record::<BufferedBody>::generate_record_id().into_bytes(),
        ),
        (WarcHeader::Date, date(at)),
        (WarcHeader::ContentType, content_type.as_bytes().to_vec()),
        (WarcHeader::BlockDigest, sha256_field(block)),
        (
            WarcHeader::ContentLength,
            block.len().to_string().into_bytes(),
        ),
    ]
    .into_iter()
    .collect();
    if let Some(target) = target {
        headers.insert(WarcHeader::TargetURI, field_safe(target).into_bytes());
    }
    headers.extend(extra);
    RawRecordHeader {
        version: "1.1".into(),
        headers,
    }
}

/// An HTTP message's head: its first line, then `headers` in order with the ones named in
/// `renamed` given an `X-Admon-Removed-` prefix (they described bytes no longer there).
fn http_head(first_line: &str, headers: &[(String, String)], renamed: &[&str]) -> Vec<u8> {
    let mut head = format!("{}\r\n", line_safe(first_line));
    for (name, value) in headers {
        let name = line_safe(name);
        if renamed.iter().any(|r| name.eq_ignore_ascii_case(r)) {
            head.push_str("X-Admon-Removed-");
        }
        head.push_str(&format!("{name}: {}\r\n", line_safe(value)));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// The request line's target: path and query of `url`.
fn request_target(url: &str) -> String {
    url::Url::parse(url).map_or_else(
        |_| "/".into(),
        |u| u[url::Position::BeforePath..url::Position::AfterQuery].to_owned(),
    )
}

/// The WARC bytes for one capture (see the module docs), and where in them the body is,
/// verbatim (so the store keeps it once).
pub(crate) fn capture_records(
    capture: &Capture,
    body: &[u8],
    body_sha256: &str,
    html_sha256: &str,
    screenshot_sha256: Option<&str>,
    loads: &[Load],
    shots: &[Shot],
) -> (Vec<u8>, std::ops::Range<usize>) {
    let exchange = &capture.exchange;
    let at = capture.fetched_at;
    let target = capture.final_url.as_str();
    let mut warc = Vec::with_capacity(body.len() + 4096);
    let mut writer = WarcWriter::new(&mut warc);
    let mut written = 0;
    let mut write = |header: RawRecordHeader, block: &[u8]| {
        written += writer
            .write_raw(header, &block)
            .expect("writing to memory cannot fail");
        written
    };

    let mut info = format!(
        "software: admon/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\nrobots: {ROBOTS_POLICY}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let user_agent = exchange
        .request_headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("user-agent"));
    if let Some((_, agent)) = user_agent {
        info.push_str(&format!("http-header-user-agent: {}\r\n", line_safe(agent)));
    }
    if let Some(run) = exchange.run {
        info.push_str(&format!("isPartOf: admon crawl run {run}\r\n"));
    }
    if !exchange.operator.is_empty() {
        info.push_str(&format!("operator: {}\r\n", line_safe(&exchange.operator)));
    }
    let warcinfo = record(
        RecordType::WarcInfo,
        at,
        None,
        "application/warc-fields",
        info.as_bytes(),
        Vec::new(),
    );
    let info_id = warcinfo.headers[&WarcHeader::RecordID].clone();
    write(warcinfo, info.as_bytes());

    let version = if exchange.version.is_empty() {
        "HTTP/1.1"
    } else {
        &exchange.version
    };
    let response_id = Record::<BufferedBody>::generate_record_id().into_bytes();
    if !exchange.request_headers.is_empty() {
        let request = http_head(
            &format!("GET {} {version}", request_target(target)),
            &exchange.request_headers,
            &[],
        );
        let header = record(
            RecordType::Request,
            at,
            Some(target),
            "application/http;msgtype=request",
            &request,
            vec![
                (WarcHeader::WarcInfoID, info_id.clone()),
                (WarcHeader::ConcurrentTo, response_id.clone()),
            ],
        );
        write(header, &request);
    }

    let mut http = http_head(
        &format!(
            "{version} {} {}",
            capture.status,
            exchange.reason.as_deref().unwrap_or_default()
        ),
        &capture.headers,
        &["transfer-encoding"],
    );
    http.extend_from_slice(body);
    let mut extra = vec![
        (
            WarcHeader::PayloadDigest,
            format!("sha256:{body_sha256}").into_bytes(),
        ),
        (WarcHeader::WarcInfoID, info_id.clone()),
    ];
    if let Some(ip) = &exchange.ip {
        extra.push((WarcHeader::IPAddress, ip.clone().into_bytes()));
    }
    if capture.truncated {
        extra.push((WarcHeader::Truncated, b"length".to_vec()));
    }
    let mut response = record(
        RecordType::Response,
        at,
        Some(target),
        "application/http;msgtype=response",
        &http,
        extra,
    );
    response
        .headers
        .insert(WarcHeader::RecordID, response_id.clone());
    let after = write(response, &http);
    // A record ends with its block (the body last) and two CRLFs.
    let body_at = after - 4 - body.len()..after - 4;

    let mut meta = format!(
        "requested-url: {}\r\ncharset: {}\r\nrendered: {}\r\ndecoded-html-sha256: {}\r\n",
        field_safe(&capture.url),
        field_safe(&capture.charset),
        capture.rendered,
        html_sha256
    );
    if let Some(png) = screenshot_sha256 {
        meta.push_str(&format!("screenshot-sha256: {png}\r\n"));
    }
    if !loads.is_empty() {
        meta.push_str(&format!("chromium-loads: {}\r\n", loads.len()));
    }
    let metadata = record(
        RecordType::Metadata,
        at,
        Some(target),
        "application/warc-fields",
        meta.as_bytes(),
        vec![
            (WarcHeader::RefersTo, response_id.clone()),
            (WarcHeader::WarcInfoID, info_id.clone()),
        ],
    );
    write(metadata, meta.as_bytes());

    for load in loads {
        let mut block = http_head(
            &format!(
                "{} {} {}",
                if load.version.is_empty() {
                    "HTTP/1.1"
                } else {
                    &load.version
                },
                load.status,
                load.reason
            ),
            &load.headers,
            &["content-encoding", "content-length", "transfer-encoding"],
        );
        block.extend_from_slice(&load.body);
        let mut extra = vec![
            (WarcHeader::PayloadDigest, sha256_field(&load.body)),
            (WarcHeader::ConcurrentTo, response_id.clone()),
            (WarcHeader::WarcInfoID, info_id.clone()),
        ];
        if let Some(ip) = &load.ip {
            extra.push((WarcHeader::IPAddress, ip.clone().into_bytes()));
        }
        if load.truncated {
            extra.push((WarcHeader::Truncated, b"length".to_vec()));
        }
        let header = record(
            RecordType::Response,
            load.received_at,
            Some(&load.url),
            "application/http;msgtype=response",
            &block,
            extra,
        );
        write(header, &block);
    }
    for shot in shots {
        let header = record(
            RecordType::Resource,
            shot.at,
            Some(&format!("urn:admon:shot:{}", field_safe(&shot.name))),
            "image/png",
            &shot.png,
            vec![
                (WarcHeader::ConcurrentTo, response_id.clone()),
                (WarcHeader::WarcInfoID, info_id.clone()),
            ],
        );
        write(header, &shot.png);
    }
    debug_assert_eq!(&warc[body_at.clone()], body);
    (warc, body_at)
}
