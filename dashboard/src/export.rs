//! What officers take offline: cases as CSV (UTF-8 with a BOM, for Excel), XLSX, JSON, and an
//! evidence pack (zip) holding each case, its captured pages and screenshots, its history, a
//! report (HTML, and a PDF an officer can print and sign when a [`Printer`] is given) and a
//! manifest of SHA-256 hashes.

use crate::Error;
use admon_domain::{Case, CaseState};
use admon_store::Store;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;

/// The most evidence (bytes, before compression) one pack holds; an export past it fails
/// before any case is marked.
const MAX_PACK_BYTES: u64 = 1 << 30;

/// Prints a self-contained HTML document (images inline, no scripts) to PDF: Chromium's
/// printToPDF in admon. Blocking.
pub trait Printer: Send + Sync {
    /// The PDF, or why it could not be made.
    fn print(&self, html: &str) -> Result<Vec<u8>, String>;
}

/// What a pack's reports need besides the store: the categories' names (in Chinese on the
/// report; the category's id otherwise) and a printer for the PDF (none: HTML only).
#[derive(Default, Clone, Copy)]
pub struct Reports<'a> {
    /// Prints report.pdf.
    pub printer: Option<&'a dyn Printer>,
    /// Each category's labels.
    pub categories:
        Option<&'a std::collections::BTreeMap<admon_domain::Category, crate::CategoryInfo>>,
    /// The zone report times and zip entries are written in; `None`: +08:00.
    pub utc_offset: Option<time::UtcOffset>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV, UTF-8 with a BOM.
    Csv,
    /// Excel workbook.
    Xlsx,
    /// JSON array of cases.
    Json,
    /// Zip evidence pack.
    Pack,
}

impl Format {
    /// Parses `csv`, `xlsx`, `json` or `pack`.
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            "pack" => Some(Format::Pack),
            _ => None,
        }
    }

    /// File extension and MIME type.
    pub fn file_type(self) -> (&'static str, &'static str) {
        match self {
            Format::Csv => ("csv", "text/csv; charset=utf-8"),
            Format::Xlsx => (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Format::Json => ("json", "application/json"),
            Format::Pack => ("zip", "application/zip"),
        }
    }
}

const COLUMNS: [&str; 12] = [
    "id",
    "state",
    "category",
    "score",
    "url",
    "domain",
    "text",
    "articles",
    "evidence",
    "first_seen",
    "last_seen",
    "sightings",
];

fn row(c: &Case) -> [String; 12] {
    let evidence: Vec<String> = c
        .evidence
        .iter()
        .map(|e| format!("{}: {}", e.text, e.reason))
        .collect();
    [
        c.id.to_string(),
        c.state.to_string(),
        c.category.to_string(),
        format!("{:.3}", c.score),
        c.url.clone(),
        c.domain.clone(),
        c.text.clone(),
        c.articles.join("; "),
        evidence.join(" | "),
        c.first_seen.to_string(),
        c.last_seen.to_string(),
        c.sightings.to_string(),
    ]
}

/// A spreadsheet cell never starts a formula: scraped text beginning with = + - @ is prefixed
/// with an apostrophe (CSV/formula injection).
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Cases as CSV, UTF-8 with a BOM so Excel reads Chinese correctly.
pub fn cases_csv(cases: &[Case]) -> String {
    let mut out = format!("\u{feff}{}\r\n", COLUMNS.join(","));
    for c in cases {
        let cells: Vec<String> = row(c)
            .iter()
            .map(|cell| format!("\"{}\"", inert(cell).replace('"', "\"\"")))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Cases as an Excel workbook.
pub fn cases_xlsx(cases: &[Case]) -> Result<Vec<u8>, Error> {
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::Export(e.to_string());
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("cases").map_err(xlsx)?;
    for (col, name) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, col as u16, *name).map_err(xlsx)?;
    }
    for (i, c) in cases.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row(c).iter().enumerate() {
            match col {
                0 | 11 => sheet.write_number(r, col as u16, cell.parse::<f64>().unwrap_or(0.0)),
                3 => sheet.write_number(r, col as u16, c.score),
                // write_string stores text, never a formula.
                _ => sheet.write_string(r, col as u16, cell),
            }
            .map_err(xlsx)?;
        }
    }
    workbook.save_to_buffer().map_err(xlsx)
}

/// Cases as a JSON array.
pub fn cases_json(cases: &[Case]) -> String {
    serde_json::to_string_pretty(cases).expect("cases serialise")
}

/// Escaped for HTML, deceptive characters shown as `[U+XXXX]` (as the dashboard shows them).
fn html_escape(text: &str) -> String {
    crate::visible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A printable, self-contained report of one case (scraped text escaped).
/// China Standard Time, the zone reports and zip entries are written in unless another is
/// configured (`Reports::utc_offset`).
pub const CST: time::UtcOffset = time::macros::offset!(+8);

/// `at` as `2026-11-26 21:30:05 +08:00` at `offset` (what a 笔录 states; no nanoseconds).
fn local(at: time::OffsetDateTime, offset: time::UtcOffset) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    at.to_offset(offset)
        .format(format)
        .unwrap_or_else(|_| at.to_string())
}

/// Who exported a pack, and when.
struct Exporter<'a> {
    who: &'a str,
    at: time::OffsetDateTime,
    /// The zone times are written in.
    offset: time::UtcOffset,
}

/// A case's printable report: what was found, where and when, each capture with its time and
/// SHA-256 hashes and its screenshot, the history, the tool and who exported it when.
fn report(
    case: &Case,
    history: &[admon_store::AuditEntry],
    captures: &[(String, admon_store::CaptureRecord)],
    exporter: &Exporter<'_>,
    seal: &Seal,
    images: &Images,
    reports: &Reports<'_>,
) -> String {
    let mut h = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src {}; style-src 'unsafe-inline'\">\
         <style>body{{font-family:'Noto Sans CJK SC','Noto Sans CJK',sans-serif;font-size:11pt}}\
         table{{border-collapse:collapse;margin-bottom:8pt}}th{{text-align:left}}code{{word-break:break-all}}\
         .sign td{{padding:18pt 8pt 4pt 0}}</style>",
        match images {
            Images::Files => "'self'",
            Images::Inline(_) => "data:",
        }
    );
    h.push_str(&format!(
        "<title>案件 {} 报告</title></head><body>",
        case.id
    ));
    h.push_str(&format!(
        "<h1>电子数据提取笔录</h1><p>互联网广告监测 案件 #{} · Electronic data extraction record</p>\
         <table border=\"1\" cellpadding=\"4\">",
        case.id
    ));
    let optional = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let fields = [
        (
            "违法类别 Category",
            match reports.categories.and_then(|c| c.get(&case.category)) {
                Some(info) => format!("{}（{}）", info.zh, case.category),
                None => case.category.to_string(),
            },
        ),
        ("状态 State", case.state.to_string()),
        ("风险分 Score", format!("{:.3}", case.score)),
        ("网址 URL", case.url.clone()),
        ("落地页 Landing page", optional(&case.landing_url)),
        ("商家 Seller", optional(&case.seller)),
        ("品牌 Brand", optional(&case.brand)),
        (
            "价格 Price",
            case.price.map_or("—".into(), |p| format!("¥{p:.2}")),
        ),
        ("法律依据 Legal basis", case.articles.join("；")),
        (
            "首次发现 First seen",
            local(case.first_seen, exporter.offset),
        ),
        ("最近发现 Last seen", local(case.last_seen, exporter.offset)),
        ("发现次数 Sightings", case.sightings.to_string()),
        ("模型 Model", case.model.clone()),
        (
            "取证工具 Tool",
            format!("admon {}", env!("CARGO_PKG_VERSION")),
        ),
        ("导出人 Exported by", exporter.who.to_owned()),
        ("导出时间 Exported at", local(exporter.at, exporter.offset)),
    ];
    for (k, v) in fields {
        h.push_str(&format!(
            "<tr><th>{k}</th><td>{}</td></tr>",
            html_escape(&v)
        ));
    }
    h.push_str(&format!(
        "</table><h2>广告内容 Text</h2><p>{}</p>",
        html_escape(&case.text)
    ));
    if let Some(sha) = &case.crop_sha256 {
        h.push_str(&format!(
            "<p><img alt=\"广告截图 ad crop\" src=\"{}\" style=\"max-width:100%\"></p>",
            images.src(sha, "ad-crop.png")
        ));
    }
    h.push_str("<h2>证据 Evidence</h2><ul>");
    for e in &case.evidence {
        h.push_str(&format!(
            "<li>「{}」[{}–{}] {}</li>",
            html_escape(&e.text),
            e.start,
            e.end,
            html_escape(&e.reason)
        ));
    }
    h.push_str("</ul><h2>取证记录 Captures</h2>");
    if (case.sightings as usize) > captures.len() {
        h.push_str(&format!(
            "<p>共发现 {} 次，本包收录其中 {} 次的网页取证（每个案件保存前 {} 次）。\
             Seen {} times; this pack holds the captures of {} of them (a case keeps its first {}).</p>",
            case.sightings, captures.len(), MAX_CAPTURES_KEPT,
            case.sightings, captures.len(), MAX_CAPTURES_KEPT
        ));
    }
    for (id, record) in captures {
        let c = &record.capture;
        h.push_str(&format!(
            "<table border=\"1\" cellpadding=\"4\"><tr><th>取证编号 Capture</th><td>{}</td></tr>\
             <tr><th>网址 URL</th><td>{}</td></tr><tr><th>最终网址 Final URL</th><td>{}</td></tr>\
             <tr><th>取证时间 Fetched at</th><td>{}</td></tr><tr><th>状态码 Status</th><td>{}</td></tr>\
             <tr><th>服务器地址 Server address</th><td>{}</td></tr>\
             <tr><th>采集任务 Crawl run</th><td>{}</td></tr><tr><th>提取人 Operator</th><td>{}</td></tr>\
             <tr><th>SHA-256 响应体 body</th><td><code>{}</code></td></tr>\
             <tr><th>SHA-256 HTML</th><td><code>{}</code></td></tr>\
             <tr><th>SHA-256 截图 screenshot</th><td><code>{}</code></td></tr>\
             <tr><th>SHA-256 WARC</th><td><code>{}</code></td></tr></table>",
            html_escape(id),
            html_escape(&c.url),
            html_escape(&c.final_url),
            local(c.fetched_at, exporter.offset),
            c.status,
            html_escape(c.exchange.ip.as_deref().unwrap_or("—")),
            c.exchange.run.map_or("—".into(), |r| r.to_string()),
            html_escape(if c.exchange.operator.is_empty() { "—" } else { &c.exchange.operator }),
            html_escape(&c.sha256),
            html_escape(&record.html_sha256),
            html_escape(record.screenshot_sha256.as_deref().unwrap_or("—")),
            html_escape(record.warc_sha256.as_deref().unwrap_or("—")),
        ));
        if let Some(sha) = &record.screenshot_sha256 {
            h.push_str(&format!(
                "<p><img alt=\"整页截图 screenshot\" src=\"{}\" style=\"max-width:100%\"></p>",
                images.src(sha, &format!("../captures/capture-{}.png", html_escape(id)))
            ));
        }
    }
    h.push_str("<h2>处理记录 History</h2><ol>");
    for entry in history {
        h.push_str(&format!(
            "<li>{} {} {} {} <small>{}</small></li>",
            local(entry.at, exporter.offset),
            html_escape(&entry.who),
            html_escape(&entry.action),
            html_escape(&entry.reason),
            entry.hash
        ));
    }
    h.push_str(&format!(
        "</ol><h2>完整性校验 Integrity</h2><table border=\"1\" cellpadding=\"4\">\
         <tr><th>证据清单 Evidence manifest (evidence.sha256) SHA-256</th><td><code>{}</code></td></tr>\
         <tr><th>清单签名 Its signature (ed25519, evidence.sha256.sig)</th><td><code>{}</code></td></tr></table>",
        seal.sha256,
        seal.signature.as_deref().unwrap_or("未签名 not signed (no signing key: admon key init)")
    ));
    h.push_str(
        "<p>证据清单列出本包内除报告外每个文件的 SHA-256；manifest.sha256 另含报告本身；核验方法见 verify.txt。\
         The evidence manifest lists the SHA-256 of every file in the pack but the reports; manifest.sha256 covers the reports too; verify.txt says how to check them.</p>\
         <table class=\"sign\"><tr><td>提取人签名 Extracted by: ____________________</td><td>日期 Date: ____________</td></tr>\
         <tr><td>见证人签名 Witness: ____________________</td><td>日期 Date: ____________</td></tr></table></body></html>",
    );
    h
}

/// Where a report's images come from: files beside it in the pack, or inline (for the PDF,
/// printed from one self-contained file): blob SHA-256 -> PNG.
enum Images {
    Files,
    Inline(HashMap<String, Vec<u8>>),
}

impl Images {
    /// The `src` of the image kept as blob `sha`, at `path` in the pack.
    fn src(&self, sha: &str, path: &str) -> String {
        use base64::Engine;
        match self {
            Images::Files => path.to_owned(),
            Images::Inline(blobs) => blobs.get(sha).map_or_else(String::new, |png| {
                format!(
                    "data:image/png;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(png)
                )
            }),
        }
    }
}

/// A case keeps the captures of its first this many sightings (the store's bound).
const MAX_CAPTURES_KEPT: usize = 50;

/// Cases left out of an export: (case id, why).
pub type Refused = Vec<(u64, String)>;

/// The captures already in a pack: id -> the names of its files there.
type Packed = HashMap<String, Vec<String>>;
/// Files for a pack: (name within it, bytes).
type Files = Vec<(String, Vec<u8>)>;

/// One case's files in a pack (name within the pack, bytes), every evidence blob re-hashed:
/// [`admon_store::Error::Tampered`] when one no longer matches. A capture's files go under
/// `captures/` once a pack, however many cases show it (those in `packed` are not read
/// again), and the case's `captures.txt` names the ones it rests on. Returns the files, the
/// captures new to the pack and what the case's report needs ([`case_reports`] writes it once
/// the evidence manifest is sealed).
fn case_files(
    store: &Store,
    case: &Case,
    packed: &Packed,
) -> Result<(Files, Packed, ReportInput), Error> {
    let dir = format!("case-{}", case.id);
    let history = store.history(case.id)?;
    let mut records = Vec::new();
    for id in &case.capture_ids {
        if let Some(record) = store.capture(id)? {
            records.push((id.clone(), record));
        }
    }
    let mut files = vec![
        (format!("{dir}/case.json"), json(case)),
        (format!("{dir}/history.json"), json(&history)),
    ];
    if let Some(png) = case
        .crop_sha256
        .as_deref()
        .map(|sha| store.blob_checked(sha))
        .transpose()?
        .flatten()
    {
        files.push((format!("{dir}/ad-crop.png"), png));
    }
    let (mut listed, mut new) = (String::new(), Packed::new());
    for (capture_id, record) in &records {
        let names = match packed.get(capture_id) {
            Some(names) => names.clone(),
            None => {
                let name = |ext: &str| format!("captures/capture-{capture_id}.{ext}");
                let mut these = vec![(name("json"), json(&record.capture))];
                let blobs = [
                    (Some(record.html_sha256.clone()), "html"),
                    (record.screenshot_sha256.clone(), "png"),
                    (record.warc_sha256.clone(), "warc"),
                ];
                for (sha, ext) in blobs {
                    if let Some(bytes) = sha.map(|s| store.blob_checked(&s)).transpose()?.flatten()
                    {
                        these.push((name(ext), bytes));
                    }
                }
                let names: Vec<String> = these.iter().map(|(n, _)| n.clone()).collect();
                files.extend(these);
                new.insert(capture_id.clone(), names.clone());
                names
            }
        };
        for name in names {
            listed.push_str(&format!("../{name}\n"));
        }
    }
    files.push((format!("{dir}/captures.txt"), listed.into_bytes()));
    Ok((files, new, ReportInput { history, records }))
}

/// What a case's report states besides the case: its history and its captures' records.
struct ReportInput {
    history: Vec<admon_store::AuditEntry>,
    records: Vec<(String, admon_store::CaptureRecord)>,
}

/// The evidence manifest (`evidence.sha256`: every file of the pack but the reports), as the
/// reports state it: its SHA-256 and, when the centre has a key, its ed25519 signature.
struct Seal {
    sha256: String,
    signature: Option<String>,
}

/// A case's report as `report.html` and, with a printer, `report.pdf` (else a note why not).
fn case_reports(
    store: &Store,
    case: &Case,
    input: &ReportInput,
    exporter: &Exporter<'_>,
    seal: &Seal,
    reports: &Reports<'_>,
) -> Result<Files, Error> {
    let dir = format!("case-{}", case.id);
    let (history, records) = (&input.history, &input.records);
    let mut files = vec![(
        format!("{dir}/report.html"),
        report(
            case,
            history,
            records,
            exporter,
            seal,
            &Images::Files,
            reports,
        )
        .into_bytes(),
    )];
    if let Some(printer) = reports.printer {
        // Every image re-hashed on the way in, like the files beside it.
        let mut blobs = HashMap::new();
        let shas = records
            .iter()
            .filter_map(|(_, r)| r.screenshot_sha256.clone())
            .chain(case.crop_sha256.clone());
        for sha in shas {
            if let Some(png) = store.blob_checked(&sha)? {
                blobs.insert(sha, png);
            }
        }
        let html = report(
            case,
            history,
            records,
            exporter,
            seal,
            &Images::Inline(blobs),
            reports,
        );
        match printer.print(&html) {
            Ok(pdf) => files.push((format!("{dir}/report.pdf"), pdf)),
            Err(why) => {
                tracing::warn!(case = case.id, %why, "report.pdf not made");
                files.push((
                    format!("{dir}/report.pdf.txt"),
                    format!(
                        "report.pdf 未生成 / not made: {why}\nreport.html holds the same report.\n"
                    )
                    .into_bytes(),
                ));
            }
        }
    }
    Ok(files)
}

/// A record as pretty JSON.
fn json<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(value).expect("records serialise")
}

/// An evidence pack: per case its JSON, report, history, captured HTML and screenshots, and a
/// `manifest.sha256` (sha256sum format) over every file. Every evidence blob is re-hashed on
/// the way in: a case whose evidence was altered is left out, and returned with the reason
/// (and named in the pack's `REFUSED.txt`).
pub fn evidence_pack(
    store: &Store,
    cases: &[Case],
    who: &str,
    reports: &Reports<'_>,
) -> Result<(Vec<u8>, Refused), Error> {
    let exporter = Exporter {
        who,
        at: time::OffsetDateTime::now_utc(),
        offset: reports.utc_offset.unwrap_or(CST),
    };
    let zip_err = |e: zip::result::ZipError| Error::Export(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Entries dated when the pack was made (China Standard Time; zip has no zone).
    let at = exporter.at.to_offset(exporter.offset);
    let dated = zip::DateTime::from_date_and_time(
        at.year() as u16,
        at.month() as u8,
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    )
    .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(dated);
    let mut manifest = String::new();
    let add = |zip: &mut zip::ZipWriter<_>,
               manifest: &mut String,
               name: &str,
               bytes: &[u8]|
     -> Result<(), Error> {
        zip.start_file(name, options).map_err(zip_err)?;
        zip.write_all(bytes)
            .map_err(|e| Error::Export(e.to_string()))?;
        manifest.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(bytes))));
        Ok(())
    };
    let (mut refused, mut packed, mut bytes_in) = (Vec::new(), Packed::new(), 0u64);
    let mut count = |bytes: &[u8]| -> Result<(), Error> {
        bytes_in += bytes.len() as u64;
        if bytes_in > MAX_PACK_BYTES {
            return Err(Error::Export(format!(
                "the pack would hold over {} MB of evidence: export fewer cases \
                 (select them in the queue)",
                MAX_PACK_BYTES >> 20
            )));
        }
        Ok(())
    };
    // First the evidence, then the reports, which state the evidence manifest's hash.
    let mut pending = Vec::new();
    for case in cases {
        match case_files(store, case, &packed) {
            Ok((files, captures, input)) => {
                for (name, bytes) in files {
                    count(&bytes)?;
                    add(&mut zip, &mut manifest, &name, &bytes)?;
                }
                packed.extend(captures);
                pending.push((case, input));
            }
            Err(Error::Store(e @ admon_store::Error::Tampered { .. })) => {
                refused.push((case.id, e.to_string()));
            }
            Err(e) => return Err(e),
        }
    }
    let evidence = manifest.clone();
    let evidence_signature = store.sign(evidence.as_bytes());
    let seal = Seal {
        sha256: hex::encode(Sha256::digest(evidence.as_bytes())),
        signature: evidence_signature.as_ref().map(|(s, _)| hex::encode(s)),
    };
    add(
        &mut zip,
        &mut manifest,
        "evidence.sha256",
        evidence.as_bytes(),
    )?;
    if let Some((signature, _)) = &evidence_signature {
        add(&mut zip, &mut manifest, "evidence.sha256.sig", signature)?;
    }
    for (case, input) in &pending {
        for (name, bytes) in case_reports(store, case, input, &exporter, &seal, reports)? {
            count(&bytes)?;
            add(&mut zip, &mut manifest, &name, &bytes)?;
        }
    }
    if !refused.is_empty() {
        let mut text = String::from(
            "These cases were left out: their evidence no longer matches the hash it was kept under.\n\
             以下案件未导出：证据与存证时的哈希值不一致。\n\n",
        );
        for (id, why) in &refused {
            text.push_str(&format!("case {id}: {why}\n"));
        }
        add(&mut zip, &mut manifest, "REFUSED.txt", text.as_bytes())?;
    }
    let plain = |zip: &mut zip::ZipWriter<_>, name: &str, bytes: &[u8]| {
        zip.start_file(name, options).map_err(zip_err)?;
        zip.write_all(bytes)
            .map_err(|e| Error::Export(e.to_string()))
    };
    plain(&mut zip, "manifest.sha256", manifest.as_bytes())?;
    let signed = store.sign(manifest.as_bytes());
    if let Some((signature, public_key)) = &signed {
        plain(&mut zip, "manifest.sha256.sig", signature)?;
        plain(&mut zip, "public-key.pem", public_key.as_bytes())?;
    }
    plain(
        &mut zip,
        "verify.txt",
        verify_text(signed.is_some(), reports.printer.is_some()).as_bytes(),
    )?;
    Ok((zip.finish().map_err(zip_err)?.into_inner(), refused))
}

/// How an officer checks a pack, in the pack.
fn verify_text(signed: bool, printed: bool) -> String {
    let mut text = String::from(
        "如何核验本证据包 / How to check this evidence pack\n\n\
         1. 完整性 Integrity: in the unpacked folder run\n\
         \x20     sha256sum -c manifest.sha256\n\
         \x20  every file must say OK (每个文件均应显示 OK).\n",
    );
    if signed {
        text.push_str(
            "2. 来源 Origin: the manifest is signed with the monitoring centre's ed25519 key.\n\
             \x20  Compare public-key.pem with the key the centre published, then run\n\
             \x20     openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin \\\n\
             \x20       -in manifest.sha256 -sigfile manifest.sha256.sig\n\
             \x20  it must say \"Signature Verified Successfully\" (签名验证成功).\n\
             \x20  The same holds for evidence.sha256 and evidence.sha256.sig: the evidence\n\
             \x20  manifest (every file but the reports), whose SHA-256 and signature each\n\
             \x20  report states (sha256sum evidence.sha256 must match the report).\n",
        );
    } else {
        text.push_str(
            "2. 来源 Origin: this pack is not signed (no signing key was set up: admon key init).\n",
        );
    }
    text.push_str(
        "3. 原始记录 Records: captures/*.warc hold each HTTP response as received; report.html \
         in each case folder states capture times and SHA-256 values, which must match.\n",
    );
    text.push_str(if printed {
        "4. 笔录 Report: case-*/report.pdf is report.html printed for signing (电子数据提取笔录).\n"
    } else {
        "4. 笔录 Report: no report.pdf in this pack (Chromium was not available where it was \
         made); print case-*/report.html to sign it.\n"
    });
    text
}

/// What [`export`] produced.
#[derive(Debug)]
pub struct Exported {
    /// The file.
    pub bytes: Vec<u8>,
    /// Its SHA-256 (hex), as the audit log records it.
    pub sha256: String,
    /// The cases in it.
    pub cases: Vec<u64>,
    /// Cases left out because their evidence failed its hash, with the reason.
    pub refused: Refused,
}

/// `X-Admon-Refused-Cases: 3, 7` on an export that left cases out (also named in a pack's
/// `REFUSED.txt`); no header otherwise.
pub(crate) fn refused_header(
    exported: &Exported,
) -> axum::response::AppendHeaders<Vec<(&'static str, String)>> {
    let ids: Vec<String> = exported
        .refused
        .iter()
        .map(|(id, _)| id.to_string())
        .collect();
    axum::response::AppendHeaders(if ids.is_empty() {
        vec![]
    } else {
        vec![("x-admon-refused-cases", ids.join(", "))]
    })
}

/// Renders `cases` in `format` and audits the export on every case in it (who, when, the
/// file's hash); confirmed cases move to exported (re-exporting is allowed and logged again).
/// A case whose evidence fails its hash is left out of a pack and audited as `tampered`.
/// Fails with [`Error::NothingToExport`] when no case is given or none is left.
pub fn export(
    store: &Store,
    cases: &[Case],
    format: Format,
    who: &str,
    reports: &Reports<'_>,
) -> Result<Exported, Error> {
    if cases.is_empty() {
        return Err(Error::NothingToExport("no cases match".into()));
    }
    let (bytes, refused) = match format {
        Format::Csv => (cases_csv(cases).into_bytes(), vec![]),
        Format::Xlsx => (cases_xlsx(cases)?, vec![]),
        Format::Json => (cases_json(cases).into_bytes(), vec![]),
        Format::Pack => evidence_pack(store, cases, who, reports)?,
    };
    for (id, why) in &refused {
        tracing::error!(case = id, %why, "evidence altered: case left out of the export");
        store.note(*id, who, "tampered", why)?;
    }
    let exported: Vec<&Case> = cases
        .iter()
        .filter(|c| !refused.iter().any(|(id, _)| *id == c.id))
        .collect();
    if exported.is_empty() {
        let ids: Vec<String> = refused.iter().map(|(id, _)| id.to_string()).collect();
        return Err(Error::NothingToExport(format!(
            "the evidence of every case asked for was altered (cases {}); see `admon store verify`",
            ids.join(", ")
        )));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let reason = format!(
        "exported as {format:?}: {} cases, file sha256 {sha256}",
        exported.len()
    );
    for case in &exported {
        if matches!(case.state, CaseState::Confirmed | CaseState::Exported) {
            store.transition(case.id, CaseState::Exported, who, &reason)?;
        } else {
            store.note(case.id, who, "export", &reason)?;
        }
    }
    Ok(Exported {
        bytes,
        sha256,
        cases: exported.iter().map(|c| c.id).collect(),
        refused,
    })
}
