//! Which case a sighting belongs to: the same ad seen on many pages or days. A sighting joins a
//! case with the same folded text, the same landing URL, the same image, or near-duplicate text
//! (64-bit SimHash over character bigrams and trigrams within 4 bits, found through five
//! bands: two texts that close agree on at least one band).
//! All keys live in the `fingerprints` tree and are written in the sighting's transaction.

use crate::Error;
use admon_domain::Sample;
use sha2::{Digest, Sha256};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

type TxResult<T> = Result<T, ConflictableTransactionError<Error>>;

/// Most SimHash candidates kept per band (the oldest cases stay findable).
const BAND_CAP: usize = 64;
/// Most differing bits for two texts to count as the same ad.
const NEAR: u32 = 4;
/// Bit ranges of the bands (NEAR + 1 of them, so a near duplicate matches one exactly).
const BANDS: [(u32, u32); 5] = [(0, 13), (13, 26), (26, 39), (39, 52), (52, 64)];
/// Texts shorter than this (in letters and digits) are matched exactly only.
const MIN_SIMHASH_CHARS: usize = 8;

/// The keys that identify one sighting's ad.
pub(crate) struct GroupKeys {
    exact: Vec<u8>,
    simhash: Option<u64>,
    others: Vec<Vec<u8>>,
}

/// FNV-1a, then MurmurHash3's finaliser so every output bit depends on every input byte
/// (stable across builds, unlike std's hasher: these hashes are stored).
fn hash(bytes: &[u8]) -> u64 {
    let mut h = bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Charikar's SimHash of the character bigrams and trigrams of `folded`.
fn simhash(folded: &[char]) -> Option<u64> {
    if folded.len() < MIN_SIMHASH_CHARS {
        return None;
    }
    let mut weights = [0i32; 64];
    let mut buf = [0u8; 12];
    for gram in folded.windows(2).chain(folded.windows(3)) {
        let mut len = 0;
        for c in gram {
            len += c.encode_utf8(&mut buf[len..]).len();
        }
        let h = hash(&buf[..len]);
        for (bit, w) in weights.iter_mut().enumerate() {
            *w += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    Some(
        weights
            .iter()
            .enumerate()
            .filter(|(_, &w)| w > 0)
            .fold(0, |h, (bit, _)| h | 1 << bit),
    )
}

fn band_key(kind: u8, band: usize, simhash: u64) -> Vec<u8> {
    let (from, to) = BANDS[band];
    let part = ((simhash >> from) & ((1 << (to - from)) - 1)) as u16;
    let mut key = vec![0, b's', kind, band as u8];
    key.extend_from_slice(&part.to_be_bytes());
    key
}

impl GroupKeys {
    pub(crate) fn of(sample: &Sample, landing_url: Option<&str>, images: &[String]) -> GroupKeys {
        let folded: Vec<char> = sample
            .text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        let mut h = Sha256::new();
        h.update([sample.kind as u8]);
        h.update(folded.iter().collect::<String>().as_bytes());
        // Only real off-page URLs identify an ad (not `javascript:`, `data:` or the page).
        let web = |u: &&str| u.starts_with("http") && Some(*u) != sample.url.as_deref();
        let mut others = Vec::new();
        if let Some(url) = landing_url.filter(web) {
            others.push([&[0, b'l', sample.kind as u8][..], url.as_bytes()].concat());
        }
        for image in images.iter().map(String::as_str).filter(web) {
            others.push([&[0, b'i', sample.kind as u8][..], image.as_bytes()].concat());
        }
        GroupKeys {
            exact: h.finalize().to_vec(),
            simhash: simhash(&folded),
            others,
        }
    }

    /// The case these keys already belong to, if any.
    pub(crate) fn find(&self, fps: &TransactionalTree, kind: u8) -> TxResult<Option<u64>> {
        for key in std::iter::once(&self.exact).chain(&self.others) {
            if let Some(id) = fps.get(key)? {
                return Ok(Some(read_id(&id)));
            }
        }
        let Some(sim) = self.simhash else {
            return Ok(None);
        };
        for band in 0..BANDS.len() {
            if let Some(list) = fps.get(band_key(kind, band, sim))? {
                for entry in list.chunks_exact(16) {
                    let other = u64::from_be_bytes(entry[8..].try_into().expect("16-byte entry"));
                    if (other ^ sim).count_ones() <= NEAR {
                        return Ok(Some(read_id(&entry[..8])));
                    }
                }
            }
        }
        Ok(None)
    }

    /// Points every key at case `id` (keys that already name a case keep it).
    pub(crate) fn register(&self, fps: &TransactionalTree, kind: u8, id: u64) -> TxResult<()> {
        for key in std::iter::once(&self.exact).chain(&self.others) {
            if fps.get(key)?.is_none() {
                fps.insert(key.as_slice(), &id.to_be_bytes())?;
            }
        }
        if let Some(sim) = self.simhash {
            for band in 0..BANDS.len() {
                let key = band_key(kind, band, sim);
                let mut list = fps.get(&key)?.map_or_else(Vec::new, |v| v.to_vec());
                let known = list
                    .chunks_exact(16)
                    .any(|e| e[..8] == id.to_be_bytes() && e[8..] == sim.to_be_bytes());
                if !known && list.len() / 16 < BAND_CAP {
                    list.extend_from_slice(&id.to_be_bytes());
                    list.extend_from_slice(&sim.to_be_bytes());
                    fps.insert(key, list)?;
                }
            }
        }
        Ok(())
    }
}

fn read_id(bytes: &[u8]) -> u64 {
    u64::from_be_bytes(bytes.try_into().unwrap_or([0; 8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(text: &str) -> u64 {
        let folded: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
        simhash(&folded).unwrap()
    }

    #[test]
    fn near_duplicates_are_within_three_bits_and_different_ads_are_not() {
        let a = sim("本品采用纳米科技精华，七天美白祛斑，全网最低价，限时抢购，立即下单享受包邮");
        let b = sim("本品采用纳米科技精华，七天美白祛斑，全网最低价！限时抢购，立即下单享受包邮哦");
        let c = sim("专业少儿编程培训，名师一对一辅导，报名即送课程大礼包，升学无忧");
        assert!((a ^ b).count_ones() <= NEAR, "{}", (a ^ b).count_ones());
        assert!((a ^ c).count_ones() > NEAR);
        assert_eq!(simhash(&['短', '文']), None);
    }
}
