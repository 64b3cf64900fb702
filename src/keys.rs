//! `admon key`: the ed25519 key that signs checkpoints of the audit chain. It is created
//! outside the data directory (whoever can rewrite the store must not hold the key), and its
//! public key is what officers check a store or an evidence pack with.

use admon_store::{PublicKey, Signer};
use anyhow::{bail, Context, Result};
use std::path::Path;

/// Creates the signing key at `path` and prints its public key.
pub fn init(path: &Path, data: &Path, out: &mut impl std::io::Write) -> Result<()> {
    let inside = |p: &Path| {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
        absolute(p).starts_with(absolute(data))
    };
    if inside(path) {
        bail!(
            "{} is inside the data directory {}: keep the signing key elsewhere (store.signing_key)",
            path.display(),
            data.display()
        );
    }
    if path.exists() {
        bail!(
            "{} exists already; a signing key is never replaced (move it away first)",
            path.display()
        );
    }
    let signer = Signer::create(path).with_context(|| format!("creating {}", path.display()))?;
    writeln!(
        out,
        "signing key written to {} (keep it private; back it up)\n\
         checkpoints of the audit chain are signed with it from now on; its public key:\n\n{}",
        path.display(),
        signer.public_key().to_pem()
    )?;
    Ok(())
}

/// Prints the public key of the signing key at `path`.
pub fn public(path: &Path, out: &mut impl std::io::Write) -> Result<()> {
    let signer = Signer::load(path).with_context(|| {
        format!(
            "reading the signing key {} (create one with `admon key init`)",
            path.display()
        )
    })?;
    write!(out, "{}", signer.public_key().to_pem())?;
    Ok(())
}

/// The signing key at `path`, when there is one.
pub fn signer(path: &Path) -> Result<Option<Signer>> {
    if !path.exists() {
        return Ok(None);
    }
    Signer::load(path)
        .map(Some)
        .with_context(|| format!("reading the signing key {}", path.display()))
}

/// The key a verify trusts: the public key file given, else the signing key's own.
pub fn trusted(public_key: Option<&Path>, signing_key: &Path) -> Result<Option<PublicKey>> {
    match public_key {
        Some(path) => Ok(Some(
            PublicKey::load(path).with_context(|| format!("reading {}", path.display()))?,
        )),
        None => Ok(signer(signing_key)?.map(|s| s.public_key())),
    }
}
