//! `admon store verify`: the audit chain, every evidence blob against its hash, every capture's
//! evidence present, and the search index against the cases. A check never stops at the first
//! problem, and never writes to what it checks: each problem is reported with the captures
//! and cases it touches, and the run goes on.

use crate::records::{
    capture_audit_key, content_sha256, decode, is_audit_entry, AuditEntry, CaptureRecord,
    CHAINED_FROM,
};
use crate::{Result, Store};
use admon_domain::Case;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What [`Store::verify`] found.
#[derive(Debug, Default)]
pub struct VerifyReport {
    /// Audit entries checked.
    pub audit_entries: u64,
    /// Evidence blobs checked.
    pub blobs: u64,
    /// Captures whose evidence was checked.
    pub captures: u64,
    /// The last audit entry a good signed checkpoint covers (0: none).
    pub signed_through: u64,
    /// The last audit entry a time-stamped checkpoint covers (0: none), and the checkpoints
    /// time-stamped (for `openssl ts -verify`).
    pub timestamped_through: u64,
    /// The checkpoints a TSA time-stamped, whose replies bind to them.
    pub timestamped: Vec<crate::Checkpoint>,
    /// The last audit entry.
    pub head: u64,
    /// The public key checkpoints were checked against (PEM), when one was known.
    pub key: Option<String>,
    /// Problems, one line each, naming the captures and cases they touch; empty when all is
    /// well.
    pub problems: Vec<String>,
}

/// A bad evidence blob: what is wrong with it.
type BadBlobs = BTreeMap<String, String>;

impl Store {
    /// Checks the audit chain, every evidence blob's hash, that every capture's evidence is
    /// there, and that the search index holds one document per case.
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        self.verify_audit(&mut report)?;
        self.verify_checkpoints(&mut report)?;
        let bad = self.verify_blobs(&mut report)?;
        // Evidence a capture names that is not kept at all.
        let mut missing: BadBlobs = BTreeMap::new();
        let mut touched: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let chained_from = self
            .meta
            .get(CHAINED_FROM)?
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        for item in self.captures.iter() {
            let (id, bytes) = item?;
            let id = String::from_utf8_lossy(&id).into_owned();
            report.captures += 1;
            if chained_from.as_ref().is_some_and(|from| id >= *from) {
                if let Some(problem) = self.capture_vouched(&id, &bytes)? {
                    report.problems.push(problem);
                }
            }
            let stored: CaptureRecord = match decode("captures", &bytes) {
                Ok(stored) => stored,
                Err(e) => {
                    report
                        .problems
                        .push(format!("capture {id} is unreadable: {e}"));
                    continue;
                }
            };
            let wanted = [Some(&stored.capture.sha256), Some(&stored.html_sha256)]
                .into_iter()
                .chain([
                    stored.screenshot_sha256.as_ref(),
                    stored.warc_sha256.as_ref(),
                ])
                .flatten()
                .filter(|sha| !sha.is_empty());
            for sha in wanted {
                let known = bad.contains_key(sha)
                    || self.blob_files.contains(sha)?
                    || self.blobs.contains_key(sha)?;
                if !known {
                    missing.insert(sha.clone(), "is missing".into());
                }
                if bad.contains_key(sha) || !known {
                    let captures = touched.entry(sha.clone()).or_default();
                    if captures.last().is_none_or(|(last, _)| last != &id) {
                        captures.push((id.clone(), stored.capture.url.clone()));
                    }
                }
            }
        }
        self.verify_cases(&mut report)?;
        let mut all_bad = bad;
        all_bad.extend(missing);
        if !all_bad.is_empty() {
            let cases = self.cases_touching(&all_bad, &touched)?;
            for (sha, problem) in &all_bad {
                let mut line = format!("evidence blob {sha} {problem}");
                for (capture, url) in touched.get(sha).into_iter().flatten() {
                    line.push_str(&format!("; capture {capture} ({url})"));
                }
                if let Some(ids) = cases.get(sha) {
                    let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
                    line.push_str(&format!("; cases {}", ids.join(", ")));
                }
                report.problems.push(line);
            }
        }
        if self.index.is_dirty() {
            self.commit_index()?;
        }
        let index = self.index_status()?;
        if index.documents != index.cases {
            report.problems.push(format!(
                "search index holds {} documents for {} cases (run `admon index rebuild`)",
                index.documents, index.cases
            ));
        }
        Ok(report)
    }

    fn verify_audit(&self, report: &mut VerifyReport) -> Result<()> {
        let mut prev = String::new();
        let mut expected_seq = 1;
        for item in self.audit.iter() {
            let (key, value) = item?;
            if !is_audit_entry(&key) {
                continue;
            }
            report.audit_entries += 1;
            let entry: AuditEntry = match decode("audit", &value) {
                Ok(e) => e,
                Err(e) => {
                    report.problems.push(format!(
                        "audit entry {} unreadable: {e}",
                        u64::from_be_bytes(key.as_ref().try_into().unwrap_or_default())
                    ));
                    continue;
                }
            };
            if entry.seq != expected_seq {
                report.problems.push(format!(
                    "audit entry {expected_seq} missing (next is {})",
                    entry.seq
                ));
            }
            if entry.prev_hash != prev {
                report.problems.push(format!(
                    "audit entry {} (case {}) does not chain to the one before",
                    entry.seq, entry.case_id
                ));
            }
            if entry.compute_hash() != entry.hash {
                report.problems.push(format!(
                    "audit entry {} (case {}) was altered",
                    entry.seq, entry.case_id
                ));
            }
            prev = entry.hash.clone();
            expected_seq = entry.seq + 1;
            report.head = entry.seq;
        }
        if let Some(head) = self.audit.get("head")? {
            match decode::<(u64, String)>("audit", &head) {
                Ok(head) if head.0 + 1 != expected_seq || head.1 != prev => {
                    report
                        .problems
                        .push(format!("audit log truncated: head is entry {}", head.0));
                }
                Ok(_) => {}
                Err(e) => report.problems.push(format!("audit head unreadable: {e}")),
            }
        }
        Ok(())
    }

    /// Whether the capture's record is the one its `capture` audit entry vouches for.
    fn capture_vouched(&self, id: &str, record: &[u8]) -> Result<Option<String>> {
        let url = || {
            decode::<CaptureRecord>("captures", record)
                .map(|r| r.capture.url)
                .unwrap_or_default()
        };
        let entry = match self.audit.get(capture_audit_key(id))? {
            Some(seq) => self.audit.get(&seq)?,
            None => None,
        };
        let Some(entry) = entry.and_then(|e| decode::<AuditEntry>("audit", &e).ok()) else {
            return Ok(Some(format!(
                "capture {id} ({}) has no audit entry: it was added outside admon",
                url()
            )));
        };
        let actual = hex::encode(Sha256::digest(record));
        Ok((entry.subject != actual || entry.reason != id).then(|| {
            format!(
                "capture {id} ({}) was altered after it was kept: its record (URL, fetch time, \
                 address, evidence hashes) no longer matches audit entry {}",
                url(),
                entry.seq
            )
        }))
    }

    /// Every case's content is what its `created` entry vouches for, and its state is where
    /// its logged transitions left it.
    fn verify_cases(&self, report: &mut VerifyReport) -> Result<()> {
        for item in self.cases.iter() {
            let case: Case = match decode("cases", &item?.1) {
                Ok(case) => case,
                Err(e) => {
                    report.problems.push(format!("a case is unreadable: {e}"));
                    continue;
                }
            };
            let history = self.history(case.id)?;
            if let Some(created) = history
                .iter()
                .find(|e| e.action == "created" && !e.subject.is_empty())
            {
                if created.subject != content_sha256(&case) {
                    report.problems.push(format!(
                        "case {} was altered: its content (text, URL, category, evidence, first \
                         seen) no longer matches audit entry {}",
                        case.id, created.seq
                    ));
                }
            }
            let logged = history.iter().rev().find_map(|e| e.to);
            if logged.is_some_and(|state| state != case.state) {
                report.problems.push(format!(
                    "case {} is {} but its audit log left it {}",
                    case.id,
                    case.state,
                    logged.expect("checked")
                ));
            }
        }
        Ok(())
    }

    /// Every signed checkpoint holds (its signature, with the expected key when one is known)
    /// and still matches the entry it covers: a rewritten entry, even the last, is seen.
    fn verify_checkpoints(&self, report: &mut VerifyReport) -> Result<()> {
        let expected = self.expected_key();
        report.key = expected.as_ref().map(crate::PublicKey::to_pem);
        for item in self.audit.scan_prefix(crate::records::CHECKPOINT) {
            let (key, value) = item?;
            let checkpoint: crate::Checkpoint = match decode("audit", &value) {
                Ok(c) => c,
                Err(e) => {
                    report.problems.push(format!(
                        "checkpoint {} unreadable: {e}",
                        String::from_utf8_lossy(&key)
                    ));
                    continue;
                }
            };
            let seq = checkpoint.seq;
            if !checkpoint.signature_holds() {
                report.problems.push(format!(
                    "checkpoint of audit entry {seq} ({}): the signature does not hold (altered or forged)",
                    checkpoint.at
                ));
                continue;
            }
            if let Some(expected) = &expected {
                if checkpoint.public_key != expected.to_hex() {
                    report.problems.push(format!(
                        "checkpoint of audit entry {seq} ({}) is signed with another key ({})",
                        checkpoint.at, checkpoint.public_key
                    ));
                    continue;
                }
            }
            let entry = match self.audit.get(seq.to_be_bytes())? {
                Some(bytes) => decode::<AuditEntry>("audit", &bytes).ok(),
                None => None,
            };
            match entry {
                Some(entry)
                    if entry.hash == checkpoint.head && entry.compute_hash() == entry.hash =>
                {
                    report.signed_through = report.signed_through.max(seq);
                    if let Some(reply) = &checkpoint.timestamp {
                        let digest = crate::timestamp::digest(&checkpoint);
                        let bound = hex::decode(reply)
                            .map_err(|e| e.to_string())
                            .and_then(|r| crate::timestamp::check_reply(&r, &digest, None));
                        match bound {
                            Ok(()) => {
                                report.timestamped_through = report.timestamped_through.max(seq);
                                report.timestamped.push(checkpoint.clone());
                            }
                            Err(why) => report.problems.push(format!(
                                "checkpoint of audit entry {seq} ({}): its time-stamp does not hold: {why}",
                                checkpoint.at
                            )),
                        }
                    }
                }
                Some(entry) => report.problems.push(format!(
                    "audit entry {seq} (case {}) was rewritten after the checkpoint signed at {}",
                    entry.case_id, checkpoint.at
                )),
                None => report.problems.push(format!(
                    "audit entry {seq}, signed at {}, is gone",
                    checkpoint.at
                )),
            }
        }
        if expected.is_some() && report.head > 0 && report.signed_through == 0 {
            report.problems.push(
                "no good signed checkpoint: the audit chain's head is not vouched for".into(),
            );
        }
        Ok(())
    }

    /// Re-hashes every evidence blob; returns those that fail.
    fn verify_blobs(&self, report: &mut VerifyReport) -> Result<BadBlobs> {
        let mut bad = BTreeMap::new();
        let mut check = |sha: &str, bytes: &[u8]| {
            let actual = hex::encode(Sha256::digest(bytes));
            if actual != sha {
                bad.insert(
                    sha.to_owned(),
                    format!("does not match its hash (now {actual})"),
                );
            }
        };
        for item in self.blobs.iter() {
            let (key, value) = item?;
            report.blobs += 1;
            check(&String::from_utf8_lossy(&key), &value);
        }
        let mut unreadable = Vec::new();
        for sha in self.blob_files.hashes() {
            let sha = sha?;
            report.blobs += 1;
            match self.blob_files.get(&sha) {
                Ok(Some(bytes)) => check(&sha, &bytes),
                Ok(None) => {}
                Err(e) => unreadable.push((sha, format!("cannot be read: {e}"))),
            }
        }
        bad.extend(unreadable);
        Ok(bad)
    }

    /// For each bad blob, the cases whose captures or ad crop it is.
    fn cases_touching(
        &self,
        bad: &BadBlobs,
        touched: &HashMap<String, Vec<(String, String)>>,
    ) -> Result<HashMap<String, BTreeSet<u64>>> {
        let mut by_capture: HashMap<&str, Vec<&str>> = HashMap::new();
        for (sha, captures) in touched {
            for (capture, _) in captures {
                by_capture.entry(capture).or_default().push(sha);
            }
        }
        let mut out: HashMap<String, BTreeSet<u64>> = HashMap::new();
        for item in self.cases.iter() {
            let case: Case = match decode("cases", &item?.1) {
                Ok(case) => case,
                Err(_) => continue,
            };
            for capture in &case.capture_ids {
                for sha in by_capture.get(capture.as_str()).into_iter().flatten() {
                    out.entry((*sha).to_owned()).or_default().insert(case.id);
                }
            }
            if let Some(crop) = case.crop_sha256.as_ref().filter(|c| bad.contains_key(*c)) {
                out.entry(crop.clone()).or_default().insert(case.id);
            }
        }
        Ok(out)
    }
}
