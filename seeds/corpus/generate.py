#!/usr/bin/env python3
"""Builds admon's labelled corpus: seeds/corpus/{train,dev,test}.jsonl.

Provenance: every template and fragment below was written for admon by its developers, after the
patterns summarised in ../shared/LEGAL.md and what online ads and listings commonly look like. No
public data set or benchmark text is copied. Records are template × slot combinations, drawn with a
fixed random seed, so the corpus is reproducible: `python3 seeds/corpus/generate.py`.

Split: templates, not records, are split. Within each category every 7th template (by position)
goes to test and the next one to dev; the rest to train. So the test split holds phrasings the
model never saw in training, and the test split is never used for tuning.
"""

import json
import pathlib
import random

RNG = random.Random(20261125)
PER_TEMPLATE = 16

SLOTS = {
    "product": ["洗发水", "面霜", "空气净化器", "扫地机器人", "电饭煲", "运动鞋", "保温杯", "床垫", "蓝牙耳机",
                "智能手表", "羽绒服", "行李箱", "台灯", "茶叶", "大米", "牙膏", "眼霜", "防晒霜", "榨汁机", "电动牙刷"],
    "city": ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "苏州", "长沙", "郑州"],
    "n": ["3", "5", "7", "10", "15", "30", "99", "199", "299", "68", "128"],
    "pct": ["95%", "98%", "99%", "99.8%", "97.6%", "100%"],
    "disease": ["高血压", "糖尿病", "关节炎", "失眠", "胃病", "鼻炎", "颈椎病", "痛风", "脱发", "湿疹"],
    "exam": ["教师资格证", "会计初级", "建造师", "雅思", "考研", "公务员考试", "驾照科目一", "CPA", "英语四级", "消防工程师"],
    "brand": ["LV", "古驰", "香奈儿", "耐克", "劳力士", "爱马仕", "迪奥", "Gucci", "Nike", "Rolex"],
    "item": ["手提包", "钱包", "运动鞋", "手表", "腰带", "围巾", "斜挎包", "卫衣", "墨镜", "香水"],
    "estate": ["学区房", "海景公寓", "商铺", "酒店式公寓", "临地铁洋房", "产权式酒店"],
    "fin": ["理财计划", "基金组合", "黄金投资", "外汇平台", "数字资产", "私募产品"],
    "shop": ["旗舰店", "专营店", "小店", "工作室", "优选铺"],
    "food": ["蛋白粉", "鱼油", "蜂胶", "灵芝孢子粉", "酵素", "螺旋藻", "葛根片", "人参片"],
}

T = {
    "absolute_terms": [
        "{product}销量第一，全网最低价，仅需{n}元！",
        "国家级品质{product}，{city}人都在用",
        "史上最低价！{product}限时{n}元包邮",
        "行业第一品牌{product}，品质顶级",
        "买{product}认准我们，全网唯一正品渠道",
        "{city}最佳{product}体验店，欢迎进店",
        "顶级工艺打造的{product}，世界级享受",
        "极品{product}，首选之选，{n}元起",
        "最先进的技术，最好的{product}，就在{city}",
        "{product}排名第一，绝无仅有的好货",
        "全球领先的{product}品牌，独一无二",
        "万能{product}，一台顶十台，最强性能",
        "这款{product}是全网第一，闭眼入",
        "最高级{product}礼盒，{n}元抢购",
        "{product}界的王牌，销量第一名",
    ],
    "prohibited_content": [
        "{city}线上百家乐，注册即送{n}元彩金",
        "时时彩官方平台，下注秒到账",
        "网上赌场真人荷官，{n}倍返水",
        "开光貔貅手串，转运招财，{n}元请回家",
        "大师在线算命改运，化解一切烦恼",
        "老虎机游戏，充值{n}送{n}",
        "{city}同城裸聊，私密视频",
        "棋牌返水{pct}，彩金天天送",
        "风水化解煞气，招财符{n}元一张",
        "成人视频无限看，{n}元会员",
        "驱邪护身符，大师亲自开光",
        "博彩平台稳定出款，下注就送",
        "约炮神器，{city}附近的人",
        "转运珠开光加持，改运旺财",
        "体育博彩高赔率，首充送彩金",
    ],
    "medical_claim": [
        "祖传秘方，根治{disease}，无效退款",
        "{disease}治愈率高达{pct}，一个疗程见效",
        "专家推荐，{disease}患者的福音，药到病除",
        "这款{product}能消炎杀菌，治疗{disease}",
        "磁疗床垫降血压降血糖，改善{disease}",
        "有效率{pct}，{disease}永不复发",
        "一次见效，包治{disease}，{city}名医坐诊",
        "能量手环抗癌防辐射，治疗{disease}",
        "纯中药配方无副作用，根治{disease}",
        "{city}某医院治疗{disease}，治愈率{pct}",
        "负离子{product}，消炎止痛治疗{disease}",
        "治疗{disease}疗效显著，专家推荐",
        "三天治愈{disease}，不见效全额退款",
        "远红外内衣，治疗{disease}有奇效",
        "老中医秘方，药到病除，{disease}一扫光",
    ],
    "health_food_claim": [
        "{food}降三高，吃了可以停药",
        "保健品{food}，防癌抗癌，安全无副作用",
        "{food}能替代药物，调理三高",
        "每天两粒{food}，预防疾病，降血脂",
        "中老年必备{food}，代替药物降血压",
        "{food}保健品，降三高效果好，{n}元一盒",
        "吃{food}预防疾病，从此告别医院",
        "{food}调理三高，安全无副作用",
        "保健品{food}可以停药，防癌{pct}",
        "{food}降血脂降血糖，替代药物更健康",
        "{city}热销保健品{food}，降三高神器",
        "{food}防癌抗衰，预防疾病",
        "停药吃{food}，调理三高不反弹",
        "{food}比药好，降血脂安全无副作用",
        "爸妈吃了{food}，降三高可以停药",
    ],
    "education_guarantee": [
        "{exam}培训，签约保过，不过退费",
        "{exam}包过班，{n}天拿证",
        "命题专家亲授{exam}，考前押题",
        "{exam}保证通过，不过全额退",
        "{city}{exam}冲刺班，保过！",
        "报名{exam}百分百通过，包拿证",
        "{exam}保录取协议班，{n}人小班",
        "内部命题专家押题，{exam}包过",
        "{exam}不过退费，名师一对一",
        "{exam}考前押题班，命中率{pct}",
        "零基础{exam}，保过班火热招生",
        "{exam}包拿证，不过全额退款",
        "{exam}协议保过，{city}线下授课",
        "考{exam}找我们，保证通过",
        "{exam}签约班，保录取不成功退费",
    ],
    "finance_guarantee": [
        "{fin}保本保收益，年化{pct}",
        "稳赚不赔的{fin}，{n}元起投",
        "{fin}零风险，月收益{n}%",
        "投资{fin}，稳赚不亏，本息保障",
        "{fin}保证收益，躺赚{n}万",
        "无风险高收益{fin}，{city}用户首选",
        "{fin}只赚不赔，稳定高收益",
        "{fin}保本保息，年化收益保证{pct}",
        "跟着老师做{fin}，稳赚每天{n}百",
        "{fin}零风险，保证收益翻倍",
        "{fin}稳赚，本息保障到期兑付",
        "{city}{fin}，保本无风险",
        "躺赚{fin}，每月保收益",
        "{fin}零风险保本，随存随取",
        "{fin}稳定高收益，只赚不赔",
    ],
    "real_estate_return": [
        "{city}{estate}，升值潜力巨大，年年回报",
        "买{estate}包租{n}年，坐享收益",
        "{estate}返租{pct}，稳定回报",
        "{city}核心{estate}，只涨不跌",
        "{estate}投资回报率{n}%，包租托管",
        "买{estate}送{n}年返租",
        "{city}{estate}，三年升值翻倍",
        "{estate}年年回报，坐享收益",
        "{estate}包租省心，投资回报稳定",
        "{city}新盘{estate}，升值空间巨大",
        "{estate}返租{n}年，稳定回报{pct}",
        "置业{city}{estate}，只涨不跌",
        "{estate}投资回报高，包租到手",
        "{city}{estate}升值潜力，年年回报",
        "{estate}包租{n}年，返租无忧",
    ],
    "tobacco": [
        "电子烟新口味上市，{n}元一支",
        "进口雪茄{city}专卖，{n}元起",
        "烟弹批发，多口味电子烟",
        "免税烟条烟批发，{city}发货",
        "正品香烟{n}元一条，全国包邮",
        "电子烟烟油{n}ml装",
        "古巴雪茄礼盒，送礼佳品",
        "卷烟批发，量大从优",
        "新款电子烟烟杆，{n}元",
        "{city}香烟代购，免税烟直发",
        "雪茄入门套装，{n}元含剪刀",
        "电子烟烟弹{n}颗装",
        "条烟香烟团购价{n}元",
        "电子烟套装，烟油随机送",
        "进口香烟，{city}同城送货",
    ],
    "fraud": [
        "在家刷单兼职日结，日赚{n}元",
        "网赚项目，手机操作日赚{n}",
        "代办证件，{city}各类证书",
        "代开发票，增值税专票",
        "征信修复，洗白黑户，无抵押秒批",
        "兼职日结，加微信{n}领任务",
        "{city}办证，毕业证学位证",
        "刷单返利，加v私聊",
        "信用卡套现，{pct}秒到",
        "代开增值税发票，点数低",
        "宝妈兼职刷单，日赚{n}元",
        "加vx了解网赚项目",
        "征信修复，网贷洗白",
        "{city}代办证件，加微信",
        "无抵押秒批，私聊领额度",
    ],
    "counterfeit": [
        "{brand}{item}高仿，1:1原版复刻，{n}元",
        "{brand}原单{item}，专柜品质，{n}元包邮",
        "超A货{brand}{item}，加v看实物",
        "莆田纯原{brand}运动鞋，{n}元",
        "顶级复刻{brand}{item}，原厂皮",
        "{brand}尾单{item}，公司级，{n}元",
        "L家新款{item}，1:1精仿",
        "G家{item}，高仿{n}元",
        "小香{item}复刻款，专柜品质",
        "{brand}{item}A货，与正品无差",
        "精仿{brand}{item}，原单品质",
        "{brand}{item}纯原版，私聊",
        "公司级{brand}{item}，{n}元",
        "{brand}{item}1:1，超A做工",
        "复刻{brand}{item}，高仿包邮",
    ],
    "clean": [
        "{product}新品上市，{city}门店同步发售",
        "{product}满{n}减{n}，欢迎选购",
        "第一次购买{product}立减{n}元",
        "公司第一季度营收增长，感谢客户支持",
        "{city}第一家门店开业，欢迎光临",
        "仿真花摆件，客厅装饰，{n}元",
        "仿古家具，{city}实木工坊",
        "1:18合金车模，收藏佳品",
        "二手{brand}{item}，附原始购买发票，{n}元",
        "{fin}，投资有风险，不保证盈利",
        "{food}，本品不能代替药物",
        "戒烟门诊{city}开诊，欢迎咨询",
        "{exam}培训课程，名师授课，{n}课时",
        "{city}{estate}，交通便利，配套齐全",
        "{product}限时折扣，{n}元起",
        "仿皮沙发，{n}元包邮",
        "1:43模型车，{brand}授权收藏版",
        "{brand}官方旗舰店，正品保障",
        "{product}使用说明：第一步打开包装",
        "{city}马拉松第一届报名开始",
        "{product}七天无理由退货",
        "新店开张，{product}全场{n}折",
        "{city}周末亲子活动，报名免费",
        "心理治疗师{city}执业咨询",
        "理财有风险，投资需谨慎，{fin}介绍",
        "{product}以旧换新，最高补贴{n}元",
        "{item}清仓，{n}元起",
        "会员日{product}第二件半价",
        "{city}本地生活，{product}到家服务",
        "{brand}{item}专柜正品，支持验货",
        "仿真植物墙，{city}装修",
        "{city}招聘会第一时间发布",
        "本店{product}第一批到货",
        "{exam}考试时间安排公布",
        "{food}，营养补充，不能代替药物",
    ],
}


EXTRA = {'absolute_terms': ['我们的{product}是行业最好的，没有之一', '{city}唯一指定{product}供应商，品质保证', '用过都说好！{product}世界级工艺，{n}元带回家', '全网最低，{product}今日特价{n}元，错过再等一年', '首选品牌{product}，{city}家庭都在用', '{product}顶级配置，性能最强，仅此一家'], 'prohibited_content': ['真人在线娱乐城，{city}玩家首选，存{n}送{n}', '开运手链大师开光，戴上转运旺财', '足球竞猜高返水，下注即送彩金', '深夜福利，{city}同城交友，私密视频', '八字算命，流年改运，一次{n}元', '百家乐平台提款秒到，注册就送'], 'medical_claim': ['{disease}不用愁，中药贴一贴根治不复发', '我们的{product}有消炎功效，{disease}患者都在用', '权威专家推荐，{disease}有效率{pct}，不见效退款', '量子能量杯，每天喝水治疗{disease}', '老年人{disease}的克星，一个疗程治愈', '磁疗护膝治愈{disease}，{city}热卖'], 'health_food_claim': ['吃{food}三个月，血糖降下来了，可以停药了', '{food}调理三高，比吃药还管用', '预防疾病就吃{food}，全家人的健康守护', '{food}抗癌防癌，安全无副作用，{n}元一瓶', '有了{food}，替代药物不伤肝', '医生都推荐的保健品{food}，降血脂降三高'], 'education_guarantee': ['{exam}培训机构，通过率{pct}，不过全额退款', '内部押题{exam}，保过协议，{city}面授', '{exam}命题专家授课，包拿证，{n}天速成', '报我们的{exam}班，保证通过，不过免费重读', '{exam}冲刺营，签约保录取', '保过！{exam}一次通过，不过退费'], 'finance_guarantee': ['投资{fin}，年化{pct}稳稳拿，保本保息', '{fin}新手专享，零风险，收益天天到账', '跟单{fin}，只赚不赔，带你躺赚', '{fin}承诺保本，月月分红{n}%', '{city}{fin}，无风险套利，稳赚不赔', '{fin}本息保障，收益保证，随时可取'], 'real_estate_return': ['{city}{estate}首付{n}万，升值潜力无限，包租返租', '投资{estate}，十年回报翻倍，只涨不跌', '{estate}带租约出售，年年回报{pct}', '{city}地铁口{estate}，坐享收益，升值看得见', '买{estate}送{n}年包租，稳定回报', '{estate}返租计划，投资回报率{n}%'], 'tobacco': ['{city}正品香烟批发，{n}元一条起', '新款电子烟，果味烟弹，{n}元三颗', '雪茄俱乐部{city}开业，会员价{n}元', '一次性电子烟，{n}口大烟雾', '免税香烟专柜，{city}到付', '电子烟烟油口味全，买{n}送1'], 'fraud': ['宝妈在家兼职，手机刷单，日结{n}元', '{city}专业办证，各类证件加微信咨询', '代开各类发票，点数低，{city}可送票', '黑户也能贷，征信修复，无抵押秒批', '网赚新项目，每天{n}元，私聊领取', '信用卡套现，费率低至{pct}，加v'], 'counterfeit': ['{brand}{item}原单尾货，与正品同厂，{n}元', '莆田{brand}鞋，纯原版本，加V看货', '顶级A货{brand}{item}，专柜品质，{n}元', '{brand}{item}高仿，一比一做工，货到付款', '复刻{brand}{item}，公司级，包邮', '精仿{brand}{item}，原厂皮料，私聊'], 'clean': ['{product}最新款上市，欢迎到店体验', '活动最后一天，{product}满{n}减{n}', '{city}口腔医院，正规资质，欢迎预约咨询', '{food}，营养补充，本品不能代替药物，请遵医嘱', '{fin}过往业绩不代表未来表现，投资有风险', '{estate}样板间开放，{city}欢迎预约看房', '{exam}线上课程，名师讲解，随到随学', '{brand}{item}官方旗舰店新品，正品保障', '二手{brand}{item}，九成新，附购买凭证', '仿真绿植，免打理，{n}元一盆', '{city}禁止吸烟，公共场所控烟宣传', '{product}用户评价：第一次用就爱上了', '本周{product}第一批预售开启', '{product}唯一标识码查询，官网验证真伪', '1:64 合金小车模型，儿童玩具', '{product}最佳赏味期内发货']}
for _k, _v in EXTRA.items():
    T[_k].extend(_v)

# Neutral ad boilerplate, added around both violating and clean copy so the model cannot
# lean on length or shape.
CONTEXT = ["全国包邮", "七天无理由退货", "新用户注册即享优惠", "详情请咨询在线客服", "活动时间：即日起至月底",
           "支持分期付款", "门店地址见官网", "限量发售", "关注公众号领券", "欢迎来电咨询", "以实物为准",
           "数量有限，先到先得", "节假日正常发货", "本活动解释权归主办方所有"]


def fill(template):
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        key = out[start + 1:end]
        out = out[:start] + RNG.choice(SLOTS[key]) + out[end + 1:]
    return out


DECOR = ["", "", "", "！", "，点击了解", "，详情咨询客服", " 立即抢购", "，官网预约", "【限时】", "～"]


def listing_fields(category, text):
    """Listings carry price, brand and seller; counterfeits sell far below the brand floor."""
    brands = {"LV": 5000, "古驰": 4000, "香奈儿": 6000, "耐克": 400, "劳力士": 40000, "爱马仕": 20000,
              "迪奥": 3000, "Gucci": 4000, "Nike": 400, "Rolex": 40000}
    for name, floor in brands.items():
        if name in text:
            if category == "counterfeit":
                price = round(floor * RNG.uniform(0.02, 0.15), 0)
                seller = RNG.choice(["潮流" + RNG.choice(SLOTS["shop"]), "名品" + RNG.choice(SLOTS["shop"])])
            else:
                price = round(floor * RNG.uniform(0.6, 1.5), 0)
                seller = name + "官方旗舰店" if "二手" not in text else "个人闲置"
            return {"price": price, "brand": name, "seller": seller}
    return None


def main():
    here = pathlib.Path(__file__).parent
    splits = {"train": [], "dev": [], "test": []}
    seen = set()
    counter = 0
    for category, templates in T.items():
        for index, template in enumerate(templates):
            split = "test" if index % 7 == 3 else "dev" if index % 7 == 5 else "train"
            for _ in range(PER_TEMPLATE * (2 if category == "clean" else 1)):
                text = fill(template)
                if RNG.random() < 0.5:
                    text = text + RNG.choice(DECOR)
                if RNG.random() < 0.35:
                    text = RNG.choice(CONTEXT) + "，" + text
                if RNG.random() < 0.35:
                    text = text + "。" + RNG.choice(CONTEXT)
                if text in seen:
                    continue
                seen.add(text)
                counter += 1
                record = {"id": f"c{counter:05}", "kind": "ad", "text": text, "label": category}
                extra = listing_fields(category, text)
                if extra and (category in ("counterfeit", "clean")):
                    record["kind"] = "listing"
                    record["title"] = text
                    record.update(extra)
                splits[split].append(record)
    for name, records in splits.items():
        RNG.shuffle(records)
        with open(here / f"{name}.jsonl", "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(name, len(records))


if __name__ == "__main__":
    main()
