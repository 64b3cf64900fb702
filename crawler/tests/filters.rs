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
