use super::*;

fn seeds() -> Variants {
    Variants::from_toml(include_str!("../../../seeds/variants.toml")).unwrap()
}

/// The normalised text, and for each of its characters the original text it came from.
fn traced(variants: &Variants, text: &str) -> (String, Vec<String>) {
    let norm = variants.normalise(text);
    let chars: Vec<char> = text.chars().collect();
    let origins = (0..norm.len())
        .map(|i| {
            let (s, e) = norm.original(i, i + 1);
            chars[s..e].iter().collect()
        })
        .collect();
    (norm.text, origins)
}

#[test]
fn nfkc_folds_full_width_circled_and_compatibility_forms() {
    assert_eq!(normalise("ＡＢＣ１２３！"), "abc123!");
    assert_eq!(normalise("ⓥⓧ①②③"), "vx123");
    assert_eq!(normalise("\u{3000}"), " ");
    // ㈱ is (株): one character becomes three, each from ㈱ (the ")" is then stripped).
    let (text, origins) = traced(&Variants::default(), "㈱有限");
    assert_eq!(text, "(株有限");
    assert_eq!(origins, ["㈱", "㈱", "有", "限"]);
    // A letter and its combining accent compose.
    assert_eq!(normalise("cafe\u{301}"), "café");
}

#[test]
fn invisible_characters_and_stray_marks_are_dropped() {
    assert_eq!(normalise("微\u{200B}信"), "微信");
    assert_eq!(normalise("微\u{FEFF}信\u{2060}号"), "微信号");
    assert_eq!(normalise("微\u{0336}信\u{0336}"), "微信");
}

#[test]
fn case_is_folded() {
    assert_eq!(normalise("VX WeChat ΣΑΣ"), "vx wechat σασ");
    // İ lower-cases to two characters; both come from it.
    let (text, origins) = traced(&Variants::default(), "İ");
    assert_eq!(text, "i\u{307}");
    assert!(origins.iter().all(|o| o == "İ"));
}

#[test]
fn traditional_characters_read_as_simplified() {
    assert_eq!(normalise("點擊領取優惠"), "点击领取优惠");
    assert_eq!(normalise("銷量第一"), "销量第一");
    assert_eq!(normalise("微信號"), "微信号");
}

#[test]
fn separators_between_letters_are_stripped_but_not_next_to_digits_or_between_words() {
    assert_eq!(normalise("加 V 信"), "加v信");
    assert_eq!(normalise("微-信"), "微信");
    assert_eq!(normalise("微.信"), "微信");
    assert_eq!(normalise("加🌹微🌹信"), "加微信");
    assert_eq!(normalise("加 ❤️ 微 ★ 信"), "加微信");
    assert_eq!(normalise("V X"), "vx");
    assert_eq!(normalise("Q.Q"), "qq");
    assert_eq!(normalise("louis vuitton"), "louis vuitton");
    assert_eq!(normalise("1:1 复刻 3.5 折"), "1:1 复刻 3.5 折");
    assert_eq!(normalise("销量第一，全网最低。"), "销量第一,全网最低。");
    assert_eq!(normalise("t.cn/abc"), "t.cn/abc");
}

#[test]
fn variant_spellings_are_replaced_from_the_seed_file() {
    let v = seeds();
    assert_eq!(v.normalise("加 V 信").text, "加微信");
    assert_eq!(v.normalise("ＶＸ：abc123").text, "微信:abc123");
    assert_eq!(v.normalise("加薇 abc123").text, "加微信abc123");
    assert_eq!(v.normalise("威信、徽信").text, "微信、微信");
    assert_eq!(v.normalise("菠菜平台").text, "博彩平台");
    assert_eq!(v.normalise("扣扣 12345678").text, "qq 12345678");
    assert_eq!(v.normalise("企鹅号").text, "qq号");
    assert_eq!(v.normalise("躺着赚 💰").text, "躺着赚钱");
    // A Latin key needs no Latin letter beside it.
    assert_eq!(v.normalise("vxworks wx").text, "vxworks 微信");
}

#[test]
fn numerals_in_contact_numbers_read_as_digits() {
    let v = seeds();
    assert_eq!(v.normalise("一三八一二三四五六七八").text, "13812345678");
    assert_eq!(v.normalise("壹叁捌 1234 伍陆柒捌").text, "138 1234 5678");
    assert_eq!(v.normalise("qq:幺二三四五六七").text, "qq:1234567");
    assert_eq!(
        v.normalise("第一名，一二三线城市").text,
        "第一名,一二三线城市"
    );
}

#[test]
fn every_character_maps_back_to_what_was_written() {
    let v = seeds();
    let (text, origins) = traced(&v, "加 Ｖ - 信");
    assert_eq!(text, "加微信");
    assert_eq!(origins, ["加", "Ｖ", "信"]);
    let (text, origins) = traced(&v, "ＶＸ號");
    assert_eq!(text, "微信号");
    assert_eq!(origins, ["Ｖ", "Ｘ", "號"]);
    // A replacement of another length spans the whole key.
    let (text, origins) = traced(&v, "加薇");
    assert_eq!(text, "加微信");
    assert_eq!(origins, ["加薇", "加薇", "加薇"]);
    let (text, origins) = traced(&v, "企鹅号");
    assert_eq!(text, "qq号");
    assert_eq!(origins, ["企", "鹅", "号"]);
    let norm = v.normalise("加🌹微🌹信 了");
    assert_eq!(norm.text, "加微信了");
    assert_eq!(norm.original(0, 3), (0, 5));
    assert_eq!(norm.original(3, 4), (6, 7));
    assert_eq!(norm.original(4, 4), (7, 7));
}

#[test]
fn bad_variant_files_say_what_is_wrong() {
    let e = Variants::from_toml("[digits]\nmin_run = 5\nmap = { \"一\" = \"12\" }").unwrap_err();
    assert!(e.contains("one character to one digit"), "{e}");
    let e = Variants::from_toml("[replace]\n\" \" = \"x\"").unwrap_err();
    assert!(e.contains("empty"), "{e}");
    assert!(Variants::from_toml("[nonsense]").is_err());
}

#[test]
fn origins_stay_in_order_and_in_bounds_on_odd_text() {
    let v = seeds();
    for text in [
        "",
        "\u{301}\u{301}开头的重音",
        "  ---  ",
        "👨‍👩‍👧‍👦加👨‍👩‍👧‍👦微👨‍👩‍👧‍👦信",
        "ﷺ ㍿ ﬃ ㈱ ⑴",
        "一二三四五六七八九十零〇壹贰",
        "v x v x v x",
        "İİİ ǅ ß",
    ] {
        let norm = v.normalise(text);
        let len = text.chars().count();
        assert_eq!(norm.len(), norm.text.chars().count(), "{text}");
        let mut last = (0, 0);
        for i in 0..norm.len() {
            let (s, e) = norm.original(i, i + 1);
            assert!(
                s < e && e <= len && s >= last.0 && e >= last.1,
                "{text}: {i}"
            );
            last = (s, e);
        }
        assert!(norm.original(0, norm.len()).1 <= len);
    }
}
