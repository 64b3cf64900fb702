//! Signed checkpoints of the audit chain's head. The chain alone cannot show that its last
//! entries were rewritten (whoever rewrites them can recompute every hash after them); a
//! checkpoint records the head (sequence number and hash) signed with an ed25519 key kept
//! outside the data directory, so a rewrite of anything a checkpoint covers is seen by
//! [`crate::Store::verify`], and only the holder of the key can write a new checkpoint.
//!
//! Keys are PKCS#8 PEM files (`admon key init`); the public key is SubjectPublicKeyInfo PEM,
//! which `openssl pkeyutl -verify` reads. A checkpoint signs the text
//! `admon-checkpoint\n{seq}\n{head}\n{at}\n`.

use crate::{Error, Result};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::path::Path;
use time::OffsetDateTime;

/// A signing key, loaded from its PEM file.
pub struct Signer {
    key: SigningKey,
}

/// A public key that checkpoints are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

fn key_error(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Key {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

impl Signer {
    /// Creates a new key at `path` (mode 0600; never over an existing file).
    pub fn create(path: &Path) -> Result<Signer> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| key_error(path, e))?;
        let key = SigningKey::from_bytes(&secret);
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| key_error(path, e))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| key_error(path, e))?;
        }
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| key_error(path, e))?;
        file.write_all(pem.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| key_error(path, e))?;
        Ok(Signer { key })
    }

    /// The key in the PEM file at `path`.
    pub fn load(path: &Path) -> Result<Signer> {
        let pem = std::fs::read_to_string(path).map_err(|e| key_error(path, e))?;
        let key = SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| key_error(path, format!("not an ed25519 PKCS#8 key: {e}")))?;
        Ok(Signer { key })
    }

    /// Its public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }

    /// An ed25519 signature of `bytes` (64 bytes, as `openssl pkeyutl -verify -rawin` reads).
    pub fn sign_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        self.key.sign(bytes).to_bytes().to_vec()
    }

    pub(crate) fn sign(&self, seq: u64, head: &str, at: OffsetDateTime) -> Checkpoint {
        let at = at
            .format(&time::format_description::well_known::Rfc3339)
            .expect("a time formats");
        let signature = self.key.sign(&Checkpoint::message(seq, head, &at));
        Checkpoint {
            seq,
            head: head.to_owned(),
            at,
            public_key: hex::encode(self.key.verifying_key().as_bytes()),
            signature: hex::encode(signature.to_bytes()),
            timestamp: None,
        }
    }
}

impl PublicKey {
    /// SubjectPublicKeyInfo PEM (what `openssl pkeyutl -verify -pubin` reads).
    pub fn to_pem(&self) -> String {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .expect("an ed25519 key encodes")
    }

    /// A public key from its PEM file.
    pub fn load(path: &Path) -> Result<PublicKey> {
        let pem = std::fs::read_to_string(path).map_err(|e| key_error(path, e))?;
        PublicKey::from_pem(&pem).map_err(|e| key_error(path, e))
    }

    /// A public key from PEM text.
    pub fn from_pem(pem: &str) -> std::result::Result<PublicKey, String> {
        VerifyingKey::from_public_key_pem(pem)
            .map(PublicKey)
            .map_err(|e| format!("not an ed25519 public key: {e}"))
    }

    /// Whether `signature` is this key's over `bytes`.
    pub fn verifies(&self, bytes: &[u8], signature: &[u8]) -> bool {
        <[u8; 64]>::try_from(signature)
            .is_ok_and(|s| self.0.verify(bytes, &Signature::from_bytes(&s)).is_ok())
    }

    /// The key as hex, as checkpoints record it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }
}

/// The audit chain's head at one moment, signed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checkpoint {
    /// The last audit entry covered.
    pub seq: u64,
    /// Its hash (hex).
    pub head: String,
    /// When it was signed (RFC 3339, UTC).
    pub at: String,
    /// The signer's public key (hex).
    pub public_key: String,
    /// The ed25519 signature (hex) of [`Checkpoint::message`].
    pub signature: String,
    /// A time-stamping authority's RFC 3161 reply (DER, hex) over the SHA-256 of the same
    /// message, when one was asked ([`crate::timestamp`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl Checkpoint {
    /// The bytes signed.
    pub fn message(seq: u64, head: &str, at: &str) -> Vec<u8> {
        format!("admon-checkpoint\n{seq}\n{head}\n{at}\n").into_bytes()
    }

    /// Whether the signature is the named key's over this checkpoint.
    pub(crate) fn signature_holds(&self) -> bool {
        let key = hex::decode(&self.public_key)
            .ok()
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .and_then(|k| VerifyingKey::from_bytes(&k).ok());
        let signature = hex::decode(&self.signature)
            .ok()
            .and_then(|s| <[u8; 64]>::try_from(s).ok())
            .map(|s| Signature::from_bytes(&s));
        match (key, signature) {
            (Some(key), Some(signature)) => key
                .verify(
                    &Checkpoint::message(self.seq, &self.head, &self.at),
                    &signature,
                )
                .is_ok(),
            _ => false,
        }
    }
}
