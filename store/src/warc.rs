//! WARC/1.1 evidence for a capture: a `response` record (the HTTP status line, headers and body
//! as received) and a `metadata` record (how admon decoded and rendered it), concatenated as a
//! WARC file any archive tool reads. Written with the `warc` crate.

use admon_domain::Capture;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use warc::{BufferedBody, RawRecordHeader, Record, RecordType, WarcHeader, WarcWriter};

/// Headers that described the body on the wire but not the body we keep: reqwest has already
/// removed the transfer and content encodings, so these are replaced by the real length.
const WIRE_ONLY: [&str; 3] = ["content-encoding", "transfer-encoding", "content-length"];

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

fn record(
    kind: RecordType,
    capture: &Capture,
    content_type: &str,
    block: &[u8],
    extra: Vec<(WarcHeader, Vec<u8>)>,
) -> RawRecordHeader {
    let date = capture
        .fetched_at
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into());
    let mut headers: HashMap<WarcHeader, Vec<u8>> = [
        (WarcHeader::WarcType, kind.to_string().into_bytes()),
        (
            WarcHeader::RecordID,
            Record::<BufferedBody>::generate_record_id().into_bytes(),
        ),
        (WarcHeader::Date, date.into_bytes()),
        (
            WarcHeader::TargetURI,
            field_safe(&capture.final_url).into_bytes(),
        ),
        (WarcHeader::ContentType, content_type.as_bytes().to_vec()),
        (
            WarcHeader::BlockDigest,
            format!("sha256:{}", hex::encode(Sha256::digest(block))).into_bytes(),
        ),
        (
            WarcHeader::ContentLength,
            block.len().to_string().into_bytes(),
        ),
    ]
    .into_iter()
    .collect();
    headers.extend(extra);
    RawRecordHeader {
        version: "1.1".into(),
        headers,
    }
}

/// The WARC bytes for one capture: its `response` record, then a `metadata` record that
/// refers to it with the decoded HTML's and screenshot's SHA-256. Also where in them the body
/// is, verbatim (so the store keeps it once).
pub(crate) fn capture_records(
    capture: &Capture,
    body: &[u8],
    body_sha256: &str,
    html_sha256: &str,
    screenshot_sha256: Option<&str>,
) -> (Vec<u8>, std::ops::Range<usize>) {
    let mut http = Vec::with_capacity(body.len() + 1024);
    http.extend_from_slice(format!("HTTP/1.1 {} \r\n", capture.status).as_bytes());
    for (name, value) in &capture.headers {
        if WIRE_ONLY.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        // Header values from the wire never hold CR or LF (reqwest rejects them), but a
        // stored record is evidence: keep it well-formed whatever it was given.
        let clean = |s: &str| s.replace(['\r', '\n'], " ");
        http.extend_from_slice(format!("{}: {}\r\n", clean(name), clean(value)).as_bytes());
    }
    http.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    http.extend_from_slice(body);

    let mut response_extra = vec![(
        WarcHeader::PayloadDigest,
        format!("sha256:{body_sha256}").into_bytes(),
    )];
    if capture.truncated {
        response_extra.push((WarcHeader::Truncated, b"length".to_vec()));
    }
    let response = record(
        RecordType::Response,
        capture,
        "application/http;msgtype=response",
        &http,
        response_extra,
    );
    let response_id = response.headers[&WarcHeader::RecordID].clone();

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
    let metadata = record(
        RecordType::Metadata,
        capture,
        "application/warc-fields",
        meta.as_bytes(),
        vec![(WarcHeader::RefersTo, response_id)],
    );

    let mut warc = Vec::with_capacity(http.len() + 2048);
    let mut writer = WarcWriter::new(&mut warc);
    let written = writer
        .write_raw(response, &http)
        .expect("writing to memory cannot fail");
    writer
        .write_raw(metadata, &meta)
        .expect("writing to memory cannot fail");
    // A record ends with its block (the body last) and two CRLFs.
    let body_at = written - 4 - body.len()..written - 4;
    debug_assert_eq!(&warc[body_at.clone()], body);
    (warc, body_at)
}
