//! Extraction on the bundled demo sites: every ad form on the news portal, rendered in Chromium
//! as the nightly crawl does (banner, text link, cross-origin iframe, pop-up with and without a
//! close control, an ad injected by script), and every listing source on the marketplace
//! (JSON-LD, microdata, OpenGraph, a per-site selector file).

use admon_crawler::{CrawlConfig, Crawler, Extractor, Progress, RenderMode, Renderer};
use admon_domain::{AdForm, AdSample, CapturedPage, Listing, ListingSource};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use url::Url;

async fn crawl(seed: &Url, render: RenderMode) -> Vec<CapturedPage> {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let extractor = Extractor::load(&seeds.join("filters"), &seeds.join("sites")).unwrap();
    let config = CrawlConfig {
        render,
        per_host_delay_ms: 0,
        per_host_concurrency: 2,
        // The injected ad arrives 100 ms after load.
        render_settle_ms: 300,
        ..CrawlConfig::default()
    };
    let crawler = Crawler::new(config, extractor).unwrap();
    let (tx, mut rx) = mpsc::channel(1000);
    let summary = tokio::time::timeout(
        Duration::from_secs(180),
        crawler.run(vec![seed.clone()], tx, Arc::new(Progress::default())),
    )
    .await
    .expect("the demo crawl finished in time")
    .unwrap();
    assert_eq!(summary.errors, 0, "{summary:?}");
    let mut pages = Vec::new();
    while let Ok(page) = rx.try_recv() {
        pages.push(page);
    }
    pages
}

fn ad<'a>(ads: &[&'a AdSample], text: &str) -> &'a AdSample {
    ads.iter()
        .find(|a| a.text.contains(text))
        .unwrap_or_else(|| panic!("no ad with «{text}» among {ads:#?}"))
}

fn listing<'a>(listings: &[&'a Listing], path: &str) -> &'a Listing {
    listings
        .iter()
        .find(|l| l.url.ends_with(path))
        .unwrap_or_else(|| panic!("no listing from {path} among {listings:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ad_form_on_the_portal_and_every_listing_source_on_the_market() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let sites = admon::demo::start(&seeds).await.unwrap();
    // The portal rendered (its pop-ups, injected ad and positions need a browser); the
    // marketplace's markup is all in the page as served.
    let pages = crawl(&sites.news, RenderMode::Always).await;
    assert!(pages
        .iter()
        .all(|p| p.capture.rendered && p.screenshot.is_some()));
    assert!(
        pages.iter().all(|p| !p.capture.url.contains("/private/")),
        "robots.txt forbids /private/"
    );
    let ads: Vec<&AdSample> = pages.iter().flat_map(|p| &p.ads).collect();

    let banner = ad(&ads, "国家级品质面霜");
    assert_eq!(banner.form, AdForm::Banner);
    assert!(banner.labelled);
    assert!(banner
        .landing_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://shop.example.cn/cream")));
    assert!(
        banner
            .image_urls
            .iter()
            .any(|u| u.starts_with("http://127.0.0.1:") && u.ends_with("/adserve/banner1.svg")),
        "{banner:?}"
    );
    assert!(banner.page_url.starts_with("http://127.0.0.1:"));
    assert!(!banner.selector.is_empty() && !banner.rule.is_empty());
    assert!(
        banner
            .position
            .is_some_and(|r| r.width > 0.0 && r.height > 0.0),
        "a rendered ad has its place on the page: {banner:?}"
    );
    assert!(banner
        .crop
        .as_deref()
        .is_some_and(|png| png.starts_with(b"\x89PNG")));

    let unlabelled = ad(&ads, "祖传秘方");
    assert!(!unlabelled.labelled, "{unlabelled:?}");
    assert_eq!(
        unlabelled.landing_url.as_deref(),
        Some("https://clinic.example.cn/cure")
    );

    let text_link = ad(&ads, "教师资格证签约保过");
    assert_eq!(text_link.form, AdForm::TextLink);
    assert!(text_link.labelled, "推广 inside the link labels it");

    // The frame comes from another origin: its text and label are read from the frame itself.
    let frame = ad(&ads, "理财计划保本保收益");
    assert_eq!(frame.form, AdForm::Iframe);
    assert!(frame.labelled);
    assert_eq!(
        frame.landing_url.as_deref(),
        Some("https://finance.example.cn/plan")
    );

    let injected = ad(&ads, "电子烟新口味上市");
    assert_eq!(injected.form, AdForm::Injected, "{injected:?}");

    let closable = ad(&ads, "海景公寓包租10年");
    assert_eq!(closable.form, AdForm::Popup);
    assert_eq!(closable.closable, Some(true));

    // On a GBK page: decoded, and a pop-up with no close control.
    let stuck = ads
        .iter()
        .find(|a| a.page_url.contains("/gbk/article2") && a.form == AdForm::Popup)
        .unwrap_or_else(|| panic!("no pop-up on the GBK page among {ads:#?}"));
    assert_eq!(stuck.closable, Some(false));
    assert!(stuck.text.contains("注册送88元"), "{stuck:?}");

    let pages = crawl(&sites.market, RenderMode::Never).await;
    let listings: Vec<&Listing> = pages.iter().flat_map(|p| &p.listings).collect();
    let json_ld = listing(&listings, "/item/lv-replica.html");
    assert_eq!(json_ld.source, ListingSource::JsonLd);
    assert_eq!(json_ld.title, "LV 老花手提包 顶级复刻");
    assert_eq!(json_ld.price, Some(380.0));
    assert_eq!(json_ld.currency.as_deref(), Some("CNY"));
    assert_eq!(json_ld.brand.as_deref(), Some("LV"));
    assert_eq!(json_ld.seller.as_deref(), Some("潮流小店"));
    assert!(json_ld.description.contains("1:1 做工"));
    assert!(
        json_ld.image_urls.len() == 1
            && json_ld.image_urls[0].starts_with("http://127.0.0.1:")
            && json_ld.image_urls[0].ends_with("/img/lv-replica.html.png"),
        "{json_ld:?}"
    );

    let microdata = listing(&listings, "/item/nike-micro.html");
    assert_eq!(microdata.source, ListingSource::Microdata);
    assert_eq!(microdata.title, "莆田纯原 耐克 AJ1 运动鞋 公司级");
    assert_eq!(microdata.price, Some(168.0));
    assert_eq!(microdata.currency.as_deref(), Some("CNY"));
    assert_eq!(microdata.brand.as_deref(), Some("耐克"));
    assert_eq!(microdata.seller.as_deref(), Some("潮鞋优选铺"));

    let open_graph = listing(&listings, "/item/antique.html");
    assert_eq!(open_graph.source, ListingSource::OpenGraph);
    assert_eq!(open_graph.title, "仿古实木书柜 新中式");
    assert_eq!(open_graph.price, Some(2680.0));
    assert_eq!(open_graph.currency.as_deref(), Some("CNY"));

    let selectors = listing(&listings, "/plain/rolex.html");
    assert_eq!(selectors.source, ListingSource::Selectors);
    assert_eq!(selectors.title, "劳力士 水鬼 手表 精仿 超A");
    assert_eq!(selectors.price, Some(980.0));
    assert_eq!(selectors.brand.as_deref(), Some("劳力士"));
    assert_eq!(selectors.seller.as_deref(), Some("名表工作室"));
    assert!(selectors.description.contains("一比一复刻"));
    assert!(
        selectors.image_urls.len() == 1 && selectors.image_urls[0].ends_with("/img/rolex.png"),
        "{selectors:?}"
    );
    // A search page read with a site file's `item` selector: a listing a card, its link the
    // listing's URL; the cards in the 掌柜热卖 block (the file's `sponsored`) are sponsored.
    let search: Vec<&Listing> = pages
        .iter()
        .filter(|p| p.capture.url.ends_with("/search-watch.html"))
        .flat_map(|p| &p.listings)
        .collect();
    let cards: Vec<(&str, Option<f64>, bool)> = search
        .iter()
        .map(|l| (l.title.as_str(), l.price, l.sponsored))
        .collect();
    assert_eq!(
        cards,
        [
            ("卡西欧 G-SHOCK 运动手表 防水防震", Some(799.0), false),
            ("天梭 力洛克 自动机械男表", Some(4950.0), false),
            ("儿童电子手表 夜光 学生款", Some(39.0), false),
            ("劳力士 绿水鬼 一比一 顶级复刻 机芯", Some(680.0), true),
            ("不锈钢表带 20mm 通用款", Some(25.0), true),
        ]
    );
    assert!(
        search[0].url.ends_with("/search-watch.html#item-1"),
        "{search:?}"
    );
    assert_eq!(search[3].seller.as_deref(), Some("名表汇"));
    let p4p: Vec<&AdSample> = pages
        .iter()
        .filter(|p| p.capture.url.ends_with("/search-watch.html"))
        .flat_map(|p| &p.ads)
        .collect();
    assert_eq!(p4p.len(), 1, "{p4p:?}");
    assert_eq!(p4p[0].rule, "site:demo-market-search: div.p4p-hot");
    assert!(!p4p[0].labelled);
    // Every product page of the market gave its listing, the search page one a card; the front
    // page none.
    assert_eq!(
        listings.len(),
        13,
        "{:?}",
        listings.iter().map(|l| &l.url).collect::<Vec<_>>()
    );
}

/// An ad below the fold is cut from its place in the page, not from the viewport: two equal
/// red boxes, one at the top and one 3,000 pixels down, give the same crop.
#[test]
fn an_ad_far_down_the_page_is_cut_from_where_it_is() {
    let renderer = Renderer::start(
        std::path::Path::new("/usr/bin/chromium"),
        Duration::from_millis(0),
        Duration::from_secs(30),
    )
    .unwrap();
    let html = "<body style='margin:0'>\
        <div id='top' style='width:200px;height:100px;background:rgb(204,0,0)'>广告</div>\
        <div style='height:3000px'></div>\
        <div id='far' style='width:200px;height:100px;background:rgb(204,0,0)'>广告</div>\
        </body>";
    let encoded: String = html
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let (rendered, ()) = renderer
        .render(
            &format!("data:text/html;charset=utf-8,{encoded}"),
            None,
            |_, _| {
                (
                    (),
                    vec![
                        ("#top".into(), "广告".into()),
                        ("#far".into(), "广告".into()),
                    ],
                )
            },
        )
        .unwrap();
    let [Some((top, top_png)), Some((far, far_png))] = &rendered.crops[..] else {
        panic!(
            "two crops: {:?}",
            rendered
                .crops
                .iter()
                .map(|c| c.as_ref().map(|c| c.0))
                .collect::<Vec<_>>()
        );
    };
    assert_eq!((top.y, far.y), (0.0, 3100.0));
    assert!(top_png.starts_with(b"\x89PNG"));
    assert_eq!(top_png, far_png, "the far crop shows the far box");
}
