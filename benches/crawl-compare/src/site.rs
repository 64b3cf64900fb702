//! The generated site, served on loopback: `/` links to the first pages; page `i` of `n`
//! (`/p{i}`, 20-60 KB) is a Chinese portal page with navigation, an article, labelled and
//! unlabelled ads, and product listings (JSON-LD and microdata), linking to pages 2i+1 and
//! 2i+2 (so every page is reachable) and to twenty others. `/open/{i}` pages link to
//! [`OPEN_FANOUT`] new pages each, without end.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use std::fmt::Write;

pub const MIN_KB: usize = 20;
pub const MAX_KB: usize = 60;
pub const OPEN_FANOUT: usize = 100;

const SENTENCES: &[&str] = &[
    "市场监管总局今日发布通知，要求各地加强网络广告监测，严厉查处虚假违法广告。",
    "记者从相关部门获悉，今年以来共查办各类广告违法案件一千余件。",
    "专家表示，平台应当落实主体责任，对推广内容进行审核并显著标明广告。",
    "本报讯 随着网购节临近，多家电商平台推出满减活动，消费者需理性消费。",
    "该店铺销售的运动鞋价格明显低于市场价，引起了执法人员的注意。",
    "据了解，涉案商品包装与正品高度相似，但防伪标识存在明显差异。",
    "天气预报显示，本周末全市以晴为主，气温回升，适合户外活动。",
    "区教育局提醒家长，选择校外培训机构时应查验办学许可证。",
];

const ADS: &[&str] = &[
    "祖传秘方，根治高血压，无效退款",
    "全网最低价，国家级品质，仅此一天",
    "保本保息，年化收益12%，稳赚不赔",
    "夏季新款连衣裙，满199减50",
    "考前押题，保证通过，不过退费",
    "家用净水器，以旧换新立减300元",
];

const PRODUCTS: &[(&str, &str, f64)] = &[
    ("Nike Air Jordan 1 高帮篮球鞋", "Nike", 299.0),
    ("LV 老花手提包 原单 1:1", "Louis Vuitton", 380.0),
    ("小米 手环 8 NFC版", "小米", 249.0),
    ("农夫山泉 饮用天然水 550ml*24", "农夫山泉", 29.9),
];

/// A small deterministic hash (splitmix64).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Page `i` of an `n`-page site.
pub fn page(i: usize, n: usize) -> String {
    let h = mix(i as u64);
    let target = (MIN_KB + (h % (MAX_KB - MIN_KB) as u64) as usize) * 1024;
    let mut s = String::with_capacity(target + 4096);
    let product = PRODUCTS[i % PRODUCTS.len()];
    let _ = write!(
        s,
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>资讯与商城 第{i}页</title>"
    );
    if i.is_multiple_of(2) {
        let _ = write!(
            s,
            r#"<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product","name":"{}","brand":{{"@type":"Brand","name":"{}"}},"offers":{{"@type":"Offer","price":"{}","priceCurrency":"CNY","seller":{{"@type":"Organization","name":"店铺{}"}}}}}}</script>"#,
            product.0,
            product.1,
            product.2,
            i % 97
        );
    }
    s.push_str("</head><body><div class=\"nav\">");
    let mut links: Vec<usize> = vec![2 * i + 1, 2 * i + 2];
    links.extend((0..20).map(|k| (mix(h ^ k) % n as u64) as usize));
    for l in links.into_iter().filter(|&l| l < n) {
        let _ = write!(s, "<a href=\"/p{l}\">栏目 {l}</a> ");
    }
    s.push_str("</div>");
    let _ = write!(
        s,
        "<div class=\"ad-banner\"><span class=\"ad-label\">广告</span><a href=\"http://ads.example/landing/{}\"><img src=\"http://ads.example/img/{}.jpg\">{}</a></div>",
        h % 50,
        h % 20,
        ADS[(h % ADS.len() as u64) as usize]
    );
    s.push_str("<div class=\"article\">");
    let mut k = 0u64;
    while s.len() < target.saturating_sub(1500) {
        let _ = write!(
            s,
            "<p>{}</p>",
            SENTENCES[(mix(h ^ (k << 8)) % SENTENCES.len() as u64) as usize]
        );
        k += 1;
        // Three text ads down the article, as portals run them.
        if k.is_multiple_of(12) && k <= 36 {
            let _ = write!(
                s,
                "<div class=\"text-ad\"><a href=\"http://ads.example/t/{k}\">{}</a></div>",
                ADS[((h >> 8) % ADS.len() as u64) as usize]
            );
        }
    }
    let _ = write!(
        s,
        r#"</div><div itemscope itemtype="https://schema.org/Product"><span itemprop="name">{}</span><span itemprop="brand">{}</span><div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price">{}</span><meta itemprop="priceCurrency" content="CNY"></div></div><div class="footer">版权所有 第{i}页</div></body></html>"#,
        product.0, product.1, product.2
    );
    s
}

/// An open-ended page: `OPEN_FANOUT` links to pages never seen before.
fn open_page(i: usize) -> String {
    let mut s = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>目录 {i}</title></head><body>"
    );
    for k in 1..=OPEN_FANOUT {
        let _ = write!(s, "<a href=\"/open/{}\">条目</a> ", i * OPEN_FANOUT + k);
    }
    for k in 0..12 {
        let _ = write!(s, "<p>{}</p>", SENTENCES[(i + k) % SENTENCES.len()]);
    }
    s.push_str("</body></html>");
    s
}

/// The running site.
pub struct Server {
    pub base: String,
}

/// Serves an `n`-page site on 127.0.0.1 (a port of its own) from a runtime of its own.
pub fn serve(n: usize) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding loopback");
    let base = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let app = axum::Router::new()
                .route("/", axum::routing::get(index))
                .route(
                    "/robots.txt",
                    axum::routing::get(|| async { "User-agent: *\nAllow: /\n" }),
                )
                .route("/open/{i}", axum::routing::get(open))
                .route("/{page}", axum::routing::get(numbered))
                .with_state(n);
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    Server { base }
}

fn html(body: String) -> axum::response::Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

async fn index(State(n): State<usize>) -> axum::response::Response {
    let links: String = (0..n.min(2))
        .map(|i| format!("<a href=\"/p{i}\">第{i}页</a>"))
        .collect();
    html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>首页</title></head><body>{links}</body></html>"
    ))
}

async fn numbered(State(n): State<usize>, Path(name): Path<String>) -> axum::response::Response {
    match name.strip_prefix('p').and_then(|i| i.parse::<usize>().ok()) {
        Some(i) if i < n => html(page(i, n)),
        _ => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

async fn open(Path(i): Path<usize>) -> axum::response::Response {
    html(open_page(i))
}
