//! `admon filters update`'s library half against a list served on loopback.

use crate::server::{Reply, Server};
use admon_crawler::{update_list, ListUpdate};

const LIST: &str =
    "[Adblock Plus 2.0]\n! Title: test list\n! Expires: 2 days\n##.gg-box\n||ads.example^\n";

#[tokio::test]
async fn lists_update_conditionally_and_keep_the_last_good_copy() {
    let server = Server::start(|path, nth| match (path, nth) {
        ("/list.txt", 0) => Reply::bytes("text/plain", LIST.as_bytes().to_vec())
            .header("ETag", "\"v1\"")
            .header("Last-Modified", "Wed, 25 Nov 2026 08:00:00 GMT"),
        ("/list.txt", 1) => Reply::status(304),
        ("/list.txt", 2) => Reply::html("<!DOCTYPE html><html><body>503</body></html>"),
        ("/list.txt", _) => Reply::status(500),
        _ => Reply::status(404),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let url = url::Url::parse(&format!("{}/list.txt", server.base)).unwrap();
    let client = reqwest::Client::new();
    let kept = dir.path().join("list.txt");

    let first = update_list(&client, &url, dir.path(), false).await.unwrap();
    assert!(
        matches!(first, ListUpdate::Updated(ref v) if v.starts_with("sha256:")),
        "{first:?}"
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), LIST);
    // Within the list's own Expires nothing is asked.
    assert_eq!(
        update_list(&client, &url, dir.path(), false).await.unwrap(),
        ListUpdate::Fresh
    );
    assert_eq!(server.requests("/list.txt").len(), 1);
    // Asked anyway: a conditional GET, answered 304.
    assert_eq!(
        update_list(&client, &url, dir.path(), true).await.unwrap(),
        ListUpdate::NotModified
    );
    let head = server.heads.lock().unwrap()[1].to_lowercase();
    assert!(head.contains("if-none-match: \"v1\""), "{head}");
    assert!(
        head.contains("if-modified-since: wed, 25 nov 2026 08:00:00 gmt"),
        "{head}"
    );
    // An error page or a failed download leaves the last good copy in place.
    assert!(update_list(&client, &url, dir.path(), true).await.is_err());
    assert!(update_list(&client, &url, dir.path(), true).await.is_err());
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), LIST);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "the list and its metadata, no temporary files"
    );
}

// #14 (1): the compiled engine is cached: a second start loads it (and finds the same ads by
// the same rules), changed lists compile afresh, and a damaged cache file is rebuilt.
#[test]
fn the_compiled_filter_engine_is_cached_by_the_rules_it_holds() {
    use admon_crawler::{Extractor, FilterList};
    let page = url::Url::parse("http://news.example.cn/a").unwrap();
    let html = r#"<html><body><div class="gg-box"><a href="http://shop.example.cn/">秋季特卖</a></div>
        <iframe src="http://ads.example/x.html" width="310" height="240"></iframe>
        <p>正文</p></body></html>"#;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("engine-cache");
    let sites = dir.path().join("sites");
    std::fs::create_dir(&sites).unwrap();
    let build = |list: &str| {
        Extractor::with_cache(
            vec![FilterList::new("test", list.to_owned())],
            &sites,
            Some(&cache),
        )
        .unwrap()
    };
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let found = |e: &Extractor| {
        let mut ads: Vec<(String, String)> = e
            .extract(&page, html, None)
            .ads
            .into_iter()
            .map(|a| (a.selector, a.rule))
            .collect();
        ads.sort();
        ads
    };
    let compiled = found(&build(LIST));
    assert_eq!(files().len(), 1, "{:?}", files());
    assert!(
        compiled.iter().any(|(_, rule)| rule.contains("##.gg-box")),
        "{compiled:?}"
    );
    assert!(
        compiled
            .iter()
            .any(|(_, rule)| rule.contains("||ads.example^")),
        "{compiled:?}"
    );
    let cached_file = cache.join(&files()[0]);
    let written = std::fs::metadata(&cached_file).unwrap().modified().unwrap();
    // A second start: loaded, not compiled (the file is not written again), same answers.
    assert_eq!(found(&build(LIST)), compiled);
    assert_eq!(
        std::fs::metadata(&cached_file).unwrap().modified().unwrap(),
        written
    );
    // A damaged cache is compiled afresh.
    std::fs::write(&cached_file, b"not an engine").unwrap();
    assert_eq!(found(&build(LIST)), compiled);
    assert!(std::fs::read(&cached_file).unwrap().len() > 100);
    // Other rules: another engine, and the old one is gone.
    let other = build("##.other-box\n");
    assert_eq!(files().len(), 1);
    assert_ne!(cache.join(&files()[0]), cached_file);
    assert!(found(&other).is_empty());
}
