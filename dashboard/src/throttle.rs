//! Failed-login bookkeeping, bounded in memory whatever clients send.
//!
//! Failures are counted per client address and per (address, username) pair, never per
//! username alone: a stranger who guesses at `admin` slows themself down, not the real admin
//! logging in from elsewhere. Keys are client input, so the map holds at most
//! [`MAX_KEYS`] of them: expired ones go first, then the ones idle longest.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How long a failure counts.
pub(crate) const WINDOW: Duration = Duration::from_secs(300);
/// Failures of one username from one address within [`WINDOW`] before that pair is refused.
pub(crate) const PER_USER: usize = 5;
/// Failures from one address within [`WINDOW`] (any usernames) before it is refused.
pub(crate) const PER_ADDRESS: usize = 20;
/// The most keys remembered at once.
pub(crate) const MAX_KEYS: usize = 10_000;
/// Usernames are at most this long (`admon user add` refuses longer ones), so a key keeps no more.
pub(crate) const MAX_USERNAME_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    Pair(IpAddr, String),
}

fn pair(address: IpAddr, username: &str) -> Key {
    Key::Pair(address, username.chars().take(MAX_USERNAME_CHARS).collect())
}

/// Recent failed logins, by address and by address and username.
#[derive(Debug, Default)]
pub(crate) struct Failures {
    recent: HashMap<Key, VecDeque<Instant>>,
}

impl Failures {
    /// Whether a login of `username` from `address` is refused without checking the password.
    pub(crate) fn refused(&mut self, address: IpAddr, username: &str, now: Instant) -> bool {
        self.count(&Key::Address(address), now) >= PER_ADDRESS
            || self.count(&pair(address, username), now) >= PER_USER
    }

    /// Counts a failed login.
    pub(crate) fn record(&mut self, address: IpAddr, username: &str, now: Instant) {
        for key in [Key::Address(address), pair(address, username)] {
            if !self.recent.contains_key(&key) && self.recent.len() >= MAX_KEYS {
                self.make_room(now);
            }
            let times = self.recent.entry(key).or_default();
            times.push_back(now);
            // Only the last PER_ADDRESS failures matter to either limit.
            while times.len() > PER_ADDRESS {
                times.pop_front();
            }
        }
    }

    /// Starts a login attempt: refused (false) when a limit is reached, else counted as a
    /// failure at once, so that concurrent attempts cannot all pass the check before any is
    /// counted; [`Failures::succeeded`] takes it back.
    pub(crate) fn attempt(&mut self, address: IpAddr, username: &str, now: Instant) -> bool {
        if self.refused(address, username, now) {
            return false;
        }
        self.record(address, username, now);
        true
    }

    /// A correct login: the attempt no longer counts, nor the pair's failures (the address's
    /// other failures stay).
    pub(crate) fn succeeded(&mut self, address: IpAddr, username: &str) {
        self.recent.remove(&pair(address, username));
        if let Some(times) = self.recent.get_mut(&Key::Address(address)) {
            times.pop_back();
        }
    }

    /// How many keys are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.recent.len()
    }

    /// The characters of every username kept.
    #[cfg(test)]
    pub(crate) fn key_chars(&self) -> usize {
        self.recent
            .keys()
            .map(|k| match k {
                Key::Pair(_, name) => name.chars().count(),
                Key::Address(_) => 0,
            })
            .sum()
    }

    fn count(&mut self, key: &Key, now: Instant) -> usize {
        let Some(times) = self.recent.get_mut(key) else {
            return 0;
        };
        while times
            .front()
            .is_some_and(|&t| now.duration_since(t) >= WINDOW)
        {
            times.pop_front();
        }
        let n = times.len();
        if n == 0 {
            self.recent.remove(key);
        }
        n
    }

    fn make_room(&mut self, now: Instant) {
        self.recent.retain(|_, times| {
            times
                .back()
                .is_some_and(|&t| now.duration_since(t) < WINDOW)
        });
        if self.recent.len() >= MAX_KEYS {
            // Still full of live keys: drop the tenth idle longest.
            let mut idle: Vec<(Instant, Key)> = self
                .recent
                .iter()
                .filter_map(|(k, t)| Some((*t.back()?, k.clone())))
                .collect();
            let cut = (idle.len() / 10).max(1);
            idle.select_nth_unstable_by_key(cut - 1, |(t, _)| *t);
            for (_, key) in &idle[..cut] {
                self.recent.remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn a_pair_is_refused_after_its_failures_and_others_are_not() {
        let mut f = Failures::default();
        let now = Instant::now();
        for _ in 0..PER_USER {
            assert!(!f.refused(ip(1), "admin", now));
            f.record(ip(1), "admin", now);
        }
        assert!(f.refused(ip(1), "admin", now));
        // The real admin elsewhere, and another user from the same address, still get in.
        assert!(!f.refused(ip(2), "admin", now));
        assert!(!f.refused(ip(1), "ana", now));
        // The window passes.
        assert!(!f.refused(ip(1), "admin", now + WINDOW));
    }

    #[test]
    fn spraying_usernames_from_one_address_is_limited() {
        let mut f = Failures::default();
        let now = Instant::now();
        for i in 0..PER_ADDRESS {
            assert!(!f.refused(ip(1), &format!("user{i}"), now));
            f.record(ip(1), &format!("user{i}"), now);
        }
        assert!(f.refused(ip(1), "someone-new", now));
        assert!(!f.refused(ip(2), "someone-new", now));
    }

    // Regression for #16 (re-attack N2): 250 concurrent wrong logins from one address all got
    // past the limit of 20, because each was checked before any was counted.
    #[test]
    fn attempts_count_before_they_are_checked_and_a_success_takes_its_own_back() {
        let mut f = Failures::default();
        let now = Instant::now();
        let started = (0..250)
            .filter(|i| f.attempt(ip(1), &format!("u{i}"), now))
            .count();
        assert_eq!(started, PER_ADDRESS);
        let mut g = Failures::default();
        for _ in 0..PER_USER - 1 {
            assert!(g.attempt(ip(2), "ana", now));
        }
        assert!(g.attempt(ip(2), "ana", now));
        g.succeeded(ip(2), "ana");
        assert_eq!(g.count(&Key::Address(ip(2)), now), PER_USER - 1);
        assert!(g.attempt(ip(2), "ana", now), "the pair starts afresh");
    }

    #[test]
    fn memory_stays_bounded_whatever_usernames_arrive() {
        let mut f = Failures::default();
        let now = Instant::now();
        for i in 0..3 * MAX_KEYS {
            let address = IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
            f.record(
                address,
                &format!("{i:x}"),
                now + Duration::from_micros(i as u64),
            );
        }
        assert!(f.len() <= MAX_KEYS + 1, "{} keys", f.len());
        // The newest are kept.
        let i = 3 * MAX_KEYS - 1;
        let address = IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
        assert_eq!(f.count(&Key::Address(address), now + WINDOW / 2), 1);
    }
}
