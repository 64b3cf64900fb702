//! Filter lists as evidence: each list keeps its name and version, and every rule the engine
//! reports is traced back to the list it came from (`easylist: ##.ad-banner`).

use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Where EasyList is when Debian's `webext-ublock-origin-chromium` is installed.
pub const DEBIAN_EASYLIST: &str =
    "/usr/share/chromium/extensions/ublock-origin/assets/thirdparties/easylist/easylist.txt";

/// One EasyList-syntax filter list.
#[derive(Debug, Clone)]
pub struct FilterList {
    /// Short name shown with every rule it supplies (the file's stem: `easylist`, `admon-zh`).
    pub name: String,
    /// The list's own `! Version:` header, or `sha256:<hex>` of its text when it has none
    /// (Debian's EasyList carries `%timestamp%` only).
    pub version: String,
    /// The rules.
    pub text: String,
}

impl FilterList {
    /// A list from its text.
    pub fn new(name: &str, text: String) -> FilterList {
        let own = text
            .lines()
            .take(40)
            .filter_map(|l| l.strip_prefix('!'))
            .find_map(|l| l.trim().strip_prefix("Version:"))
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains('%'));
        let version = match own {
            Some(v) => v.to_owned(),
            None => format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes()))),
        };
        FilterList {
            name: name.to_owned(),
            version,
            text,
        }
    }

    /// Every `*.txt` list in `dir`, in file-name order.
    pub fn read_dir(dir: &Path) -> Result<Vec<FilterList>> {
        super::sorted_files(dir, "txt")?
            .iter()
            .map(|path| FilterList::read(path))
            .collect()
    }

    /// Reads a list file; its name is the file's stem.
    pub fn read(path: &Path) -> Result<FilterList> {
        let bytes = std::fs::read(path).map_err(|e| Error::BadSeed {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|e| Error::BadSeed {
            path: path.to_owned(),
            message: format!("not UTF-8: {e}"),
        })?;
        let name = path
            .file_stem()
            .map_or_else(|| "list".into(), |s| s.to_string_lossy().into_owned());
        Ok(FilterList::new(&name, text))
    }
}

/// The list's rules as the engine takes them. EasyList turns generic hiding off for pages on
/// loopback and private addresses (`@@://127.0.0.1$generichide`: web-compat for routers and
/// dev servers in a browser); a monitor has no reason to spare such pages, and its demo and
/// tests run there, so those exceptions are left out.
pub(super) fn engine_text(list: &FilterList) -> String {
    const LOCAL: [&str; 6] = [
        "://127.",
        "://localhost",
        "://10.",
        "://192.168.",
        "://172.",
        "://[::1]",
    ];
    let local_exception = |line: &str| {
        line.starts_with("@@")
            && (line.contains("generichide")
                || line.contains("elemhide")
                || line.contains("$document"))
            && LOCAL.iter().any(|l| line.contains(l))
    };
    if !list.text.lines().any(local_exception) {
        return list.text.clone();
    }
    list.text
        .lines()
        .filter(|l| !local_exception(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which list each element-hiding selector came from (the engine answers with selectors only).
#[derive(Debug, Default)]
pub(super) struct Sources {
    names: Vec<String>,
    hiding: HashMap<String, usize>,
}

impl Sources {
    pub(super) fn new(lists: &[FilterList]) -> Sources {
        let mut hiding = HashMap::new();
        for (i, list) in lists.iter().enumerate() {
            for line in list.text.lines() {
                // `##sel` and `domains##sel`; not `#@#` exceptions or scriptlets.
                if let Some((_, selector)) = line.split_once("##") {
                    if !line.contains("#@#") && !selector.starts_with('+') {
                        hiding.entry(selector.trim().to_owned()).or_insert(i);
                    }
                }
            }
        }
        Sources {
            names: lists.iter().map(|l| l.name.clone()).collect(),
            hiding,
        }
    }

    /// Whether a list hides `selector` on every site, not only on named ones.
    /// `list: ##selector` for a hiding rule the engine returned.
    pub(super) fn hiding_rule(&self, selector: &str) -> String {
        match self.hiding.get(selector) {
            Some(&i) => format!("{}: ##{selector}", self.names[i]),
            None => format!("##{selector}"),
        }
    }

    /// `list: rule` for a network rule, from the engine's source index.
    pub(super) fn network_rule(&self, source: Option<u32>, raw: &str) -> String {
        match source.and_then(|i| self.names.get(i as usize)) {
            Some(name) => format!("{name}: {raw}"),
            None => raw.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_without_a_version_is_versioned_by_its_hash() {
        let easylist = FilterList::new(
            "easylist",
            "[Adblock Plus 2.0]\n! Title: EasyList\n! Last modified: %timestamp%\n##.ad\n".into(),
        );
        assert!(
            easylist.version.starts_with("sha256:"),
            "{}",
            easylist.version
        );
        assert_eq!(easylist.version.len(), 7 + 64);
        let versioned = FilterList::new("china", "! Version: 202611260512\n##.gg\n".into());
        assert_eq!(versioned.version, "202611260512");
    }

    #[test]
    fn local_address_exceptions_are_left_out() {
        let list = FilterList::new(
            "easylist",
            "##.ad-banner\n@@://127.0.0.1$generichide\n@@://localhost:$generichide\n\
             @@://192.168.$generichide\n@@||gmail.com^$generichide\n"
                .into(),
        );
        assert_eq!(
            engine_text(&list),
            "##.ad-banner\n@@||gmail.com^$generichide"
        );
    }

    #[test]
    fn rules_are_traced_to_their_list() {
        let sources = Sources::new(&[
            FilterList::new("easylist", "##.ad-banner\nsina.com.cn##.sinaads\n".into()),
            FilterList::new("admon-zh", "##.ad-banner\n##.tuiguang\n#@#.ok\n".into()),
        ]);
        assert_eq!(sources.hiding_rule(".ad-banner"), "easylist: ##.ad-banner");
        assert_eq!(sources.hiding_rule(".sinaads"), "easylist: ##.sinaads");
        assert_eq!(sources.hiding_rule(".tuiguang"), "admon-zh: ##.tuiguang");
        assert_eq!(sources.hiding_rule(".unknown"), "##.unknown");
        assert_eq!(
            sources.network_rule(Some(1), "/adserve/*"),
            "admon-zh: /adserve/*"
        );
    }
}
