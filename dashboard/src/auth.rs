//! Who may do what: roles, password hashing, sessions.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::time::{Duration, Instant};

/// Account roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Triages the queue.
    Analyst,
    /// Exports confirmed cases for enforcement.
    Officer,
    /// Everything, and users.
    Admin,
}

impl Role {
    /// Parses `analyst`, `officer` or `admin`.
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "analyst" => Some(Role::Analyst),
            "officer" => Some(Role::Officer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Officer => "officer",
            Role::Admin => "admin",
        }
    }
}

/// Things a user can try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the queue and cases.
    View,
    /// Review, confirm, dismiss.
    Triage,
    /// Export cases.
    Export,
    /// Manage users.
    ManageUsers,
}

/// Whether `role` may do `action`: the one place this rule lives.
pub fn may(role: Role, action: Action) -> bool {
    match action {
        Action::View => true,
        Action::Triage => matches!(role, Role::Analyst | Role::Admin),
        Action::Export => matches!(role, Role::Officer | Role::Admin),
        Action::ManageUsers => role == Role::Admin,
    }
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).expect("16-byte salt encodes");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes")
        .to_string()
}

/// Whether `password` is the one `phc` (an argon2 PHC string) was made from.
pub fn password_matches(password: &str, phc: &str) -> bool {
    verify_password(password, phc)
}

pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Checks `password` against the user's hash, or against a throw-away hash when there is no such
/// user, so that a wrong name takes as long to refuse as a wrong password (no enumeration by
/// timing).
pub(crate) fn verify_login(password: &str, phc: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match phc {
        Some(phc) => verify_password(password, phc),
        None => {
            let dummy = DUMMY.get_or_init(|| hash_password("no such user"));
            verify_password(password, dummy);
            false
        }
    }
}

pub(crate) const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// A logged-in (or anonymous, for the login form's CSRF) browser.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub user: Option<(String, Role)>,
    /// The user's password hash at login (salted: a password reset changes it, and ends the
    /// session); empty for an anonymous session.
    pub password_hash: String,
    pub csrf: String,
    pub expires: Instant,
}

pub(crate) fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The SHA-256 (hex) under which a token secret is stored.
pub(crate) fn token_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Makes an API bearer token for another system, valid for `days` (none: until revoked);
/// returns the secret, shown once.
pub fn create_token(
    store: &admon_store::Store,
    name: &str,
    role: Role,
    days: Option<u32>,
) -> Result<String, admon_store::Error> {
    let secret = format!("admon_{}", random_token());
    let created = time::OffsetDateTime::now_utc();
    store.put_token(
        &token_hash(&secret),
        &admon_store::ApiToken {
            name: name.to_owned(),
            role: role.as_str().to_owned(),
            created,
            expires: days.map(|d| created + time::Duration::days(i64::from(d))),
        },
    )?;
    Ok(secret)
}

/// Whether `name` can be a login name: 1 to 64 letters, digits, `.`, `_` or `-` (no spaces,
/// markup or invisible characters).
pub fn check_user_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err("a user name is 1 to 64 letters, digits, '.', '_' or '-'".into())
    }
}

/// What a password must be: at least [`PasswordPolicy::MIN_CHARS`] characters, not one
/// character repeated, not the user's name, and not a common password (`seeds/
/// common-passwords.txt`), even with digits or symbols added around it.
#[derive(Debug, Clone, Default)]
pub struct PasswordPolicy {
    common: std::collections::HashSet<String>,
}

impl PasswordPolicy {
    /// The shortest password taken.
    pub const MIN_CHARS: usize = 12;
    /// The fewest different characters a password has.
    pub const MIN_DISTINCT: usize = 5;

    /// A policy refusing the passwords listed in `text` (one a line, `#` comments).
    pub fn with_common(text: &str) -> PasswordPolicy {
        PasswordPolicy {
            common: text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_lowercase)
                .collect(),
        }
    }

    /// Why `password` is refused for user `name`, if it is.
    pub fn check(&self, name: &str, password: &str) -> Result<(), String> {
        let chars: Vec<char> = password.chars().collect();
        if chars.len() < Self::MIN_CHARS {
            return Err(format!(
                "a password has at least {} characters",
                Self::MIN_CHARS
            ));
        }
        if chars.iter().all(|&c| c == chars[0]) || password.trim().is_empty() {
            return Err("a password is not one character repeated".into());
        }
        // Compatibility forms folded (full-width ｐａｓｓ is pass) before any comparison.
        use unicode_normalization::UnicodeNormalization;
        let lower = password.nfkc().collect::<String>().to_lowercase();
        let distinct: std::collections::HashSet<char> = lower.chars().collect();
        if distinct.len() < Self::MIN_DISTINCT {
            return Err(format!(
                "a password has at least {} different characters (not a short pattern repeated)",
                Self::MIN_DISTINCT
            ));
        }
        if !name.is_empty() && lower.contains(&name.to_lowercase()) {
            return Err("a password does not contain the user name".into());
        }
        // The common word inside digits and symbols added to lengthen it (password123456!).
        let core = lower.trim_matches(|c: char| !c.is_alphabetic());
        let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
        if [lower.as_str(), core, letters.as_str()]
            .iter()
            .any(|p| p.chars().count() >= 4 && self.common.contains(*p))
        {
            return Err("this password is on the list of common passwords".into());
        }
        Ok(())
    }
}
