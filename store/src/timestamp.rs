//! RFC 3161 time-stamps of signed checkpoints. A checkpoint's time is admon's own word; a
//! time-stamping authority (TSA) vouches that the checkpoint existed by the time it states,
//! which nobody holding admon's key can backdate. The request is the SHA-256 of the
//! checkpoint's signed message ([`crate::Checkpoint::message`]); the TSA's reply (a DER
//! `TimeStampResp`) is kept in the checkpoint. admon reads of the reply only what binds it to
//! the checkpoint (granted, and the digest and nonce asked for); the TSA's signature and
//! certificate are checked by `openssl ts -verify` (`admon store verify --tsa-ca`).
//!
//! The binary sends the request (HTTP POST, `application/timestamp-query`); this module only
//! builds it and reads the reply.

use crate::{Checkpoint, Result, Store};
use sha2::{Digest, Sha256};

/// DER of the SHA-256 AlgorithmIdentifier (OID 2.16.840.1.101.3.4.2.1, NULL parameters).
const SHA256_ALGORITHM: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
];

/// The digest a checkpoint is time-stamped under: SHA-256 of its signed message.
pub fn digest(checkpoint: &Checkpoint) -> [u8; 32] {
    Sha256::digest(Checkpoint::message(
        checkpoint.seq,
        &checkpoint.head,
        &checkpoint.at,
    ))
    .into()
}

/// A DER `TimeStampReq` (version 1, SHA-256 imprint, `nonce`, certReq true: the TSA puts its
/// certificate in the reply).
pub fn request(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    let mut body = vec![0x02, 0x01, 0x01];
    body.extend_from_slice(&[0x30, 0x31]);
    body.extend_from_slice(&SHA256_ALGORITHM);
    body.extend_from_slice(&[0x04, 0x20]);
    body.extend_from_slice(digest);
    body.extend_from_slice(&nonce_field(nonce));
    body.extend_from_slice(&[0x01, 0x01, 0xff]);
    let mut der = vec![0x30, body.len() as u8];
    der.extend(body);
    der
}

/// The nonce as a DER INTEGER of 8 content bytes: positive and minimal-length, as DER wants
/// (the sign bit cleared, the first byte never zero).
fn nonce_field(nonce: u64) -> [u8; 10] {
    let mut field = [0x02, 0x08, 0, 0, 0, 0, 0, 0, 0, 0];
    field[2..].copy_from_slice(&nonce.to_be_bytes());
    field[2] = (field[2] & 0x7f).max(1);
    field
}

/// One DER element at the start of `der`: (tag, contents, the rest after it).
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |l, &b| l << 8 | b as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// Why `reply` does not time-stamp `digest`, if it does not: the TSA refused, the reply is not
/// a `TimeStampResp`, or its token is for another digest or request (nonce).
pub fn check_reply(
    reply: &[u8],
    digest: &[u8; 32],
    nonce: Option<u64>,
) -> std::result::Result<(), String> {
    let malformed = || "not a time-stamp reply (RFC 3161 TimeStampResp)".to_owned();
    let (tag, response, _) = element(reply).ok_or_else(malformed)?;
    let (status_tag, status_info, token) = element(response).ok_or_else(malformed)?;
    let (int_tag, status, _) = element(status_info).ok_or_else(malformed)?;
    if tag != 0x30 || status_tag != 0x30 || int_tag != 0x02 {
        return Err(malformed());
    }
    // granted (0) or grantedWithMods (1).
    if !matches!(status, [0] | [1]) {
        return Err(format!("the TSA refused the request (status {status:?})"));
    }
    let mut imprint = vec![0x04, 0x20];
    imprint.extend_from_slice(digest);
    if !token.windows(imprint.len()).any(|w| w == imprint) {
        return Err("the time-stamp is for another digest".into());
    }
    if let Some(nonce) = nonce {
        let field = nonce_field(nonce);
        if !token.windows(field.len()).any(|w| w == field) {
            return Err("the time-stamp answers another request (nonce)".into());
        }
    }
    Ok(())
}

impl Store {
    /// The newest signed checkpoint, when no TSA has time-stamped it yet.
    pub fn checkpoint_to_timestamp(&self) -> Result<Option<Checkpoint>> {
        Ok(self.last_checkpoint()?.filter(|c| c.timestamp.is_none()))
    }

    /// Keeps a TSA's `reply` (DER) in the checkpoint of audit entry `seq`, after checking it
    /// time-stamps that checkpoint and answers the request with `nonce`; durable on return.
    pub fn keep_timestamp(&self, seq: u64, reply: &[u8], nonce: u64) -> Result<()> {
        let _writing = self.writing();
        let key = crate::records::checkpoint_key(seq);
        let Some(bytes) = self.audit.get(&key)? else {
            return Err(crate::Error::Timestamp(format!(
                "no checkpoint of audit entry {seq}"
            )));
        };
        let mut checkpoint: Checkpoint = crate::records::decode("audit", &bytes)?;
        check_reply(reply, &digest(&checkpoint), Some(nonce)).map_err(crate::Error::Timestamp)?;
        checkpoint.timestamp = Some(hex::encode(reply));
        self.audit
            .insert(key, crate::records::encode(&checkpoint))?;
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_the_der_openssl_reads() {
        let req = request(&[7; 32], u64::MAX);
        assert_eq!(req.len(), 2 + 0x43);
        assert_eq!(&req[..5], &[0x30, 0x43, 0x02, 0x01, 0x01]);
        let (tag, body, rest) = element(&req).unwrap();
        assert_eq!((tag, body.len(), rest.len()), (0x30, 0x43, 0));
        // The nonce is positive and minimal: its first byte has the sign bit clear, not zero.
        let nonce = &req[req.len() - 11..req.len() - 3];
        assert_eq!(nonce[0], 0x7f);
        assert_eq!(request(&[7; 32], 0)[req.len() - 11], 0x01);
    }

    #[test]
    fn replies_that_do_not_time_stamp_the_checkpoint_are_refused() {
        assert!(check_reply(b"", &[1; 32], None).is_err());
        assert!(check_reply(b"\x30\x03\x02\x01\x00", &[1; 32], None).is_err());
        // Refused (status 2, rejection).
        let refused = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02];
        assert!(check_reply(&refused, &[1; 32], None)
            .unwrap_err()
            .contains("refused"));
        // Granted, with the digest in the token.
        let mut granted = vec![0x30, 0x27, 0x30, 0x03, 0x02, 0x01, 0x00, 0x04, 0x20];
        granted.extend_from_slice(&[1; 32]);
        assert!(check_reply(&granted, &[1; 32], None).is_ok());
        assert!(check_reply(&granted, &[2; 32], None)
            .unwrap_err()
            .contains("another digest"));
        assert!(check_reply(&granted, &[1; 32], Some(5))
            .unwrap_err()
            .contains("nonce"));
    }
}
