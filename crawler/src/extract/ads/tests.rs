//! The ad detectors on markup as ad servers and sites write it.

use super::*;
use std::path::Path;

#[test]
fn one_class_and_one_id_rules_find_what_their_selectors_would() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds");
    let extractor = Extractor::load(&seeds.join("filters"), &seeds.join("sites")).unwrap();
    let html = r#"<!DOCTYPE html><html><body>
        <div class="nav"><div class="wide ad-banner">横幅一</div></div>
        <p class="text-ad">特价药品热卖</p>
        <div id="ad-top">顶部</div>
        <div class="ad-banner"><span class="text-ad">嵌套的不另算</span></div>
        <div class="ad-bannerx">不是</div>
        </body></html>"#;
    let url = Url::parse("http://127.0.0.1/").unwrap();
    let ads = extractor.ads(&url, &Html::parse_document(html));
    let found: Vec<(&str, &str)> = ads
        .iter()
        .map(|a| (a.rule.as_str(), a.text.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("admon-zh: ##.ad-banner", "横幅一"),
            ("admon-zh: ##.ad-banner", "嵌套的不另算"),
            ("admon-zh: ##.text-ad", "特价药品热卖"),
            ("admon-zh: ##[id^=\"ad-\"]", "顶部"),
        ]
    );
    assert!(is_css_name("ad-banner_2") && is_css_name("广告位"));
    assert!(!is_css_name("") && !is_css_name("a.b") && !is_css_name("2col"));
}

fn extractor() -> Extractor {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds");
    Extractor::load(&seeds.join("filters"), &seeds.join("sites")).unwrap()
}

fn found(html: &str) -> Vec<(String, AdForm, String, bool)> {
    let url = Url::parse("http://127.0.0.1/").unwrap();
    extractor()
        .ads(&url, &Html::parse_document(html))
        .into_iter()
        .map(|a| (a.rule, a.form, a.text, a.labelled))
        .collect()
}

/// Slot markup as the ad servers' own embed codes write it.
#[test]
fn ad_server_slots_are_found_even_while_empty() {
    let html = r#"<html><body>
        <script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client=ca-pub-1234567890123456" crossorigin="anonymous"></script>
        <ins class="adsbygoogle" style="display:block" data-ad-client="ca-pub-1234567890123456" data-ad-slot="1234567890" data-ad-format="auto" data-full-width-responsive="true"></ins>
        <script>(adsbygoogle = window.adsbygoogle || []).push({});</script>
        <ins class="sinaads" data-ad-pdps="PDPS000000057076"></ins>
        <div id='div-gpt-ad-1481124643331-2' style='min-width: 300px; min-height: 250px;'>
          <script>googletag.cmd.push(function() { googletag.display('div-gpt-ad-1481124643331-2'); });</script>
        </div>
        <div class="box-r"><script type="text/javascript">var cpro_id = "u2368341";</script>
          <script type="text/javascript" src="http://cpro.baidustatic.com/cpro/ui/c.js"></script></div>
        <p>正文</p>
        </body></html>"#;
    let ads = found(html);
    let rules: Vec<&str> = ads.iter().map(|a| a.0.as_str()).collect();
    // The bundled list hides ins.adsbygoogle: its rule is named, the form is still a slot.
    assert_eq!(
        rules,
        [
            "admon-zh: ##.adsbygoogle",
            "slot:sinaads",
            "slot:gpt",
            "slot:script"
        ],
        "{ads:?}"
    );
    assert!(
        ads.iter().all(|a| a.1 == AdForm::Slot && a.2.is_empty()),
        "{ads:?}"
    );
}

#[test]
fn a_filled_slot_is_an_ad_with_its_content() {
    let ads = found(
        r#"<ins class="adsbygoogle"><a href="https://ad.example/x"><img src="/b.png" alt="祖传秘方"></a></ins>"#,
    );
    assert_eq!(ads.len(), 1);
    assert_eq!(ads[0].1, AdForm::Banner);
    assert_eq!(ads[0].2, "祖传秘方");
}

#[test]
fn a_label_marks_the_smallest_block_with_a_link_or_image() {
    let html = r#"<html><body><div class="main">
        <div class="ad-container"><span class="tag">广告</span>
          <a href="https://shop.example/p"><img src="/x.jpg"></a><p>根治糖尿病</p></div>
        <div class="feed"><div class="item"><a href="https://news.example/1">新闻一</a></div>
          <div class="item"><a href="https://click.example/r?u=1">加盟火锅店，年赚百万</a>
            <span>推广</span></div>
          <div class="item"><a href="https://news.example/2">新闻二</a></div></div>
        <ul class="res"><li><a href="https://x.example/1">Widget</a>
          <span class="s">Sponsored</span></li></ul>
        <a href="https://ad.example/c"><img src="/banner.gif" alt="广告"></a>
        <a href="/after">不属于图片的链接</a>
        </div></body></html>"#;
    let ads = found(html);
    let got: Vec<(&str, &str)> = ads.iter().map(|a| (a.0.as_str(), a.2.as_str())).collect();
    assert_eq!(
        got,
        [
            ("label:广告", "根治糖尿病"),
            ("label:推广", "加盟火锅店，年赚百万"),
            ("label:sponsored", "Widget"),
            ("label:广告", "广告"),
        ],
        "{ads:?}"
    );
    assert!(ads.iter().all(|a| a.3), "label-found ads are labelled");
}

#[test]
fn navigation_and_sections_are_never_label_ads() {
    let html = r#"<html><body>
        <div class="footer-links"><a href="/about">关于我们</a> | <a href="/ads">广告服务</a> |
          <a href="/coop">广告合作</a> | <a href="/jobs">招聘</a></div>
        <ul class="menu"><li><a href="/">首页</a></li><li><a href="/news">新闻</a></li>
          <li><a href="/ad">广告</a></li><li><a href="/help">帮助</a></li></ul>
        <nav><span>推广</span><a href="/promo">推广计划</a></nav>
        <footer><span>广告</span><a href="/contact">联系</a></footer>
        <p><a href="/classifieds/new">Place an Ad</a></p>
        <div class="ad-news">广告法修订通过 <a href="/law">详情</a></div>
        </body></html>"#;
    let ads = found(html);
    assert!(ads.is_empty(), "{ads:?}");
    // A label whose nearest content is the whole page marks nothing.
    let page = format!(
        "<html><body><span>广告</span>{}</body></html>",
        "<p><a href='/n'>一条很长的新闻标题，足够长</a></p>".repeat(40)
    );
    assert!(found(&page).is_empty());
}

#[test]
fn empty_boxes_named_for_ads_and_ad_server_ins_are_slots() {
    let html = r#"<html><body>
        <div id="ad_ym"></div>
        <div class="right_lm_ad" id="ad_right_lm"><script>show(1)</script></div>
        <ins id="ac_js86_96739"></ins>
        <div id="GoogleAdsense300x250"></div>
        <div class="bottom-ad"><a href="/n">编辑推荐的新闻</a></div>
        <div class="header"></div><div class="loading"></div><div id="shadow"></div>
        <div class="pop_ad"><span class="head_ad_pop_close"></span>x</div>
        <p>文中有<ins>修订插入的字</ins></p>
        </body></html>"#;
    let ads = found(html);
    let rules: Vec<&str> = ads.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(
        rules,
        [
            "slot:empty-ad-box",
            "slot:empty-ad-box",
            "slot:ins",
            "slot:empty-ad-box"
        ],
        "{ads:?}"
    );
    assert!(ads.iter().all(|a| a.1 == AdForm::Slot));
}

#[test]
fn a_slot_script_in_a_busy_box_marks_itself_not_the_box() {
    let html = r#"<html><body><div class="con_right"><p>右栏新闻很多</p>
        <script>(window.slotbydup = window.slotbydup || []).push({id: "u1"});</script>
        <div align="center"><script>var cpro_id = "u2469785";</script></div></div></body></html>"#;
    let ads = found(html);
    assert_eq!(ads.len(), 2, "{ads:?}");
    let url = Url::parse("http://127.0.0.1/").unwrap();
    let names: Vec<String> = extractor()
        .ads(&url, &Html::parse_document(html))
        .iter()
        .map(|a| a.path.rsplit(" > ").next().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["script:nth-of-type(1)", "div:nth-of-type(1)"]);
}

#[test]
fn tracking_frames_and_pixels_are_not_ads() {
    let html = r#"<html><body>
        <iframe src="http://127.0.0.1/adserve/beacon" width="0" height="0"></iframe>
        <iframe src="http://127.0.0.1/adserve/x" style="display: none"></iframe>
        <img src="http://127.0.0.1/adserve/p.gif" width="1" height="1">
        <iframe src="http://127.0.0.1/adserve/banner" width="300" height="250"></iframe>
        </body></html>"#;
    let ads = found(html);
    assert_eq!(ads.len(), 1, "{ads:?}");
    assert_eq!(ads[0].1, AdForm::Iframe);
}

#[test]
fn label_words_compare_whole() {
    for yes in ["广告", " 【广告】", "AD", "Sponsored", "推广·", "商业推广"] {
        assert!(label_word(yes).is_some(), "{yes}");
    }
    for no in [
        "广告服务",
        "广告合作",
        "Place an Ad",
        "Advertise with us",
        "ADD",
        "",
    ] {
        assert!(label_word(no).is_none(), "{no}");
    }
}

#[test]
fn a_frame_gives_its_visible_text_and_whether_it_is_labelled() {
    let (text, labelled) = frame_text(
        "<html><body><span>广告</span><script>var x = 1;</script><p>祖传秘方</p>\
         <style>p {}</style></body></html>",
    );
    assert_eq!(text, "祖传秘方");
    assert!(labelled);
    let (text, labelled) = frame_text("<p>净水器 <b>立减</b></p>");
    assert_eq!(text, "净水器 立减");
    assert!(!labelled);
}

// Regression for #16: ad text and the number of samples had no bound at extraction; a page
// of 3,000 ad slots, one holding 40,000 characters, gave 3,000 samples and a 40,000-character
// ad to classify and store.
#[test]
fn one_page_yields_at_most_the_capped_ads_and_text() {
    let mut html = String::from("<html><body><div class=\"ad-banner\">");
    html.push_str(&"国家级".repeat(40_000 / 3 + 1));
    html.push_str("</div>");
    for i in 0..3_000 {
        html.push_str(&format!("<div class=\"ad-banner\">特价{i}</div>"));
    }
    html.push_str("</body></html>");
    let url = Url::parse("http://127.0.0.1/").unwrap();
    let found = extractor().extract(&url, &html, None);
    assert_eq!(found.ads.len(), crate::extract::MAX_ADS);
    assert_eq!(
        found.ads[0].text.chars().count(),
        crate::extract::MAX_TEXT_CHARS
    );
    assert!(found.ads[0].text.starts_with("国家级"));
    assert_eq!(found.ads[1].text, "特价0");
}

// Regression for #16 (re-attack N1): parsing and walking nested elements takes time with the
// square of the depth (64,000 nested divs: 44 s, and the crawl's runtime stalled). A page is
// now read up to where it nests deeper than MAX_DEPTH; what comes before is still found.
#[test]
fn a_page_nested_past_the_depth_bound_is_read_up_to_it() {
    let deep = crate::extract::MAX_DEPTH + 1_000;
    let html = format!(
        "<html><body><div class=\"ad-banner\">国家级特效药</div>{}<div class=\"ad-banner\">深处</div>{}</body></html>",
        "<div>".repeat(deep),
        "</div>".repeat(deep)
    );
    let url = Url::parse("http://127.0.0.1/").unwrap();
    let found = extractor().extract(&url, &html, Some(&html));
    let texts: Vec<&str> = found.ads.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(texts, ["国家级特效药"]);
    // Within the bound, the deep ad is found.
    let shallow = crate::extract::MAX_DEPTH - 10;
    let html = format!(
        "<html><body>{}<div class=\"ad-banner\">深处</div>{}</body></html>",
        "<div>".repeat(shallow),
        "</div>".repeat(shallow)
    );
    let found = extractor().extract(&url, &html, None);
    assert_eq!(found.ads.len(), 1);
}
