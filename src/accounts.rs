//! `admon user ...` and `admon token ...`: dashboard accounts and API tokens, kept in the store.
//! Passwords follow the dashboard's [`PasswordPolicy`] with `seeds/common-passwords.txt`.

use admon_dashboard::{check_user_name, hash_password, PasswordPolicy, Role};
use admon_store::{Store, User};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::Path;

/// The password policy with the common passwords shipped in `seeds`.
pub fn password_policy(seeds: &Path) -> Result<PasswordPolicy> {
    let path = seeds.join("common-passwords.txt");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(PasswordPolicy::with_common(&text))
}

fn role(name: &str) -> Result<Role> {
    Role::parse(name).with_context(|| format!("unknown role `{name}` (analyst, officer, admin)"))
}

/// Adds a user, or resets an existing one's role and password (and enables it).
pub fn add_user(
    store: &Store,
    policy: &PasswordPolicy,
    name: &str,
    role_name: &str,
    password: &str,
) -> Result<()> {
    check_user_name(name).map_err(anyhow::Error::msg)?;
    let role = role(role_name)?;
    policy.check(name, password).map_err(anyhow::Error::msg)?;
    store.put_user(&User {
        name: name.into(),
        role: role.as_str().into(),
        password_hash: hash_password(password),
        disabled: false,
    })?;
    Ok(())
}

/// Disables or enables a user.
pub fn set_disabled(store: &Store, name: &str, disabled: bool) -> Result<()> {
    let Some(mut user) = store.user(name)? else {
        bail!("no user `{name}`");
    };
    user.disabled = disabled;
    store.put_user(&user)?;
    Ok(())
}

/// Deletes a user.
pub fn delete_user(store: &Store, name: &str) -> Result<()> {
    if !store.delete_user(name)? {
        bail!("no user `{name}`");
    }
    Ok(())
}

/// Every user: name, role, and whether disabled.
pub fn list_users(store: &Store, out: &mut impl Write) -> Result<()> {
    for u in store.users()? {
        let state = if u.disabled { "disabled" } else { "active" };
        writeln!(out, "{}\t{}\t{state}", u.name, u.role)?;
    }
    Ok(())
}

/// Every token: id, name, role, created, expires.
pub fn list_tokens(store: &Store, out: &mut impl Write) -> Result<()> {
    let now = time::OffsetDateTime::now_utc();
    for (id, t) in store.tokens()? {
        let expires = match t.expires {
            Some(at) if at <= now => format!("expired {}", at.date()),
            Some(at) => format!("expires {}", at.date()),
            None => "never expires".into(),
        };
        writeln!(
            out,
            "{id}\t{}\t{}\tcreated {}\t{expires}",
            t.name,
            t.role,
            t.created.date()
        )?;
    }
    Ok(())
}

/// Makes a token valid for `days` (0: until revoked); the secret, shown once.
pub fn create_token(store: &Store, name: &str, role_name: &str, days: u32) -> Result<String> {
    let role = role(role_name)?;
    Ok(admon_dashboard::create_token(
        store,
        name,
        role,
        (days > 0).then_some(days),
    )?)
}

/// Revokes the token with this id (from `token list`).
pub fn revoke_token(store: &Store, id: &str) -> Result<()> {
    match store.revoke_token(id)? {
        Some(_) => Ok(()),
        None => bail!(
            "no token with id `{id}` ({} hex digits, as `admon token list` shows)",
            admon_store::TOKEN_ID_DIGITS
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_tokens_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let policy = PasswordPolicy::with_common("# list\npassword\nqwertyuiop\n");
        let weak = [
            "12345678",
            "        ",
            "password123456!",
            "aaaaaaaaaaaaaaa",
            "qwertyuiop12",
        ];
        for p in weak {
            assert!(
                add_user(&store, &policy, "ana", "analyst", p).is_err(),
                "{p:?}"
            );
        }
        for bad in ["", "<script>x", "a b", &"x".repeat(65)] {
            assert!(add_user(&store, &policy, bad, "analyst", "horse battery staple").is_err());
        }
        add_user(&store, &policy, "ana", "analyst", "horse battery staple").unwrap();
        set_disabled(&store, "ana", true).unwrap();
        let mut out = Vec::new();
        list_users(&store, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "ana\tanalyst\tdisabled\n");
        delete_user(&store, "ana").unwrap();
        assert!(delete_user(&store, "ana").is_err());

        create_token(&store, "bi", "analyst", 30).unwrap();
        let mut out = Vec::new();
        list_tokens(&store, &mut out).unwrap();
        let listed = String::from_utf8(out).unwrap();
        assert!(
            listed.contains("\tbi\tanalyst\t") && listed.contains("expires"),
            "{listed}"
        );
        let id = listed.split('\t').next().unwrap();
        revoke_token(&store, id).unwrap();
        assert!(store.tokens().unwrap().is_empty());
        assert!(revoke_token(&store, id).is_err());
    }
}
