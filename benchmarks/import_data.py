"""A realistic customer CSV for the import benchmark, as a Chinese company's Excel export looks.

    from benchmarks.import_data import write_customers_csv
    stats = write_customers_csv("customers.csv", rows=100_000, seed=1)

Chinese names (common surnames, one- or two-character given names), CN mobiles in the ways people
type them, e-mails, provinces / cities / districts, a resident ID for about a third of the persons,
a few companies with a unified social credit code, tags, a birthday for half, and three custom
fields (car model: text, membership: choice, yearly spend: number). About 1 % of the rows are bad
(a short phone, a broken e-mail, an ID with a wrong check digit, an impossible date, a membership
that is not a choice) and about 0.5 % repeat an earlier row's phone (duplicates inside the file).
The same seed gives the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from stdnum.cn import ric, uscc

HEADER = [
    "姓名",
    "类型",
    "性别",
    "手机",
    "邮箱",
    "身份证号",
    "公司",
    "省份",
    "城市",
    "区县",
    "地址",
    "行业",
    "职业",
    "来源",
    "标签",
    "生日",
    "车型",
    "会员等级",
    "年消费",
]
CUSTOM_FIELDS = [
    {"key": "car_model", "label": "车型", "field_type": "text", "choices": []},
    {
        "key": "membership",
        "label": "会员等级",
        "field_type": "choice",
        "choices": ["金卡", "银卡", "普通"],
    },
    {"key": "yearly_spend", "label": "年消费", "field_type": "number", "choices": []},
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉玲鹏飞斌宇浩凯秀兵波鑫婷雪琳晶燕欣"
    "佳颖慧俊峰晨阳博宁志海亮林云东杰倩瑶子涵雨欣梓萱一诺浩然子轩宇轩思远嘉怡可馨晓梅春生国庆建国"
)
PLACES = [
    ("广东", "广州", ["天河区", "越秀区", "海珠区", "番禺区"], "440106"),
    ("广东", "深圳", ["南山区", "福田区", "宝安区", "龙岗区"], "440305"),
    ("北京", "北京", ["朝阳区", "海淀区", "东城区", "西城区"], "110105"),
    ("上海", "上海", ["浦东新区", "徐汇区", "静安区", "长宁区"], "310104"),
    ("浙江", "杭州", ["西湖区", "拱墅区", "滨江区", "余杭区"], "330106"),
    ("四川", "成都", ["锦江区", "武侯区", "高新区", "青羊区"], "510107"),
    ("湖北", "武汉", ["武昌区", "江汉区", "洪山区", "汉阳区"], "420106"),
    ("江苏", "南京", ["鼓楼区", "玄武区", "建邺区", "江宁区"], "320106"),
]
STREETS = "中山路 解放路 人民路 建设路 和平路 新华路 长江路 黄河路 天河路 滨江大道".split()
INDUSTRIES = ["制造业", "零售", "IT", "金融", "教育", "医疗", "餐饮", "物流", "房地产", ""]
JOBS = ["经理", "工程师", "教师", "医生", "销售", "会计", "设计师", "司机", "个体户", ""]
SOURCES = ["website", "referral", "walk_in", "wechat", "exhibition", "phone", ""]
TAGS = ["VIP", "车主", "老客户", "潜在客户", "广交会2026", "会员", "团购"]
CARS = ["Model Y", "秦PLUS", "宋PRO", "凯美瑞", "朗逸", "理想L7", "小鹏G6", ""]
MEMBERSHIP = ["金卡", "银卡", "普通", "普通", ""]
PREFIXES = "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 170 176 177 180 181 182 183 185 186 187 188 189 191 198 199".split()
DOMAINS = ["qq.com", "163.com", "126.com", "gmail.com", "sina.com", "example.cn"]
COMPANY_WORDS = "华信 东方 宏达 鑫源 瑞丰 恒通 嘉禾 天成 远航 博雅 锦程 盛世".split()
COMPANY_KINDS = "贸易 科技 电子 建材 物流 餐饮 汽车服务".split()


def _resident_id(rng: random.Random, area: str, birthday: dt.date) -> str:
    body = f"{area}{birthday:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def _uscc(rng: random.Random) -> str:
    body = (
        "91"
        + rng.choice(["440106", "110105", "310104"])
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + uscc.calc_check_digit(body + "0")


def _phone(rng: random.Random) -> str:
    digits = rng.choice(PREFIXES) + f"{rng.randrange(10**8):08d}"
    style = rng.random()
    if style < 0.7:
        return digits
    if style < 0.85:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style < 0.95:
        return "+86" + digits
    return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"


def write_customers_csv(path: str | Path, rows: int, seed: int = 1) -> dict:
    """Write ``rows`` data rows (plus the header) to ``path`` (UTF-8 with a BOM); returns counts
    of the planted bad rows and in-file duplicates."""
    rng = random.Random(seed)
    phones: list[str] = []
    bad = dupes = 0
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            province, city, districts, area = rng.choice(PLACES)
            company = rng.random() < 0.04
            if company:
                brand = rng.choice(GIVEN) + rng.choice(GIVEN) + rng.choice(COMPANY_WORDS)
                name = f"{city}{brand}{rng.choice(COMPANY_KINDS)}有限公司"
                kind, gender, birthday, id_number, employer = "公司", "", "", _uscc(rng), ""
            else:
                given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
                name = rng.choice(SURNAMES) + given
                kind = "个人"
                gender = rng.choice(["男", "女", ""])
                # Born 1991-2005: every district code used here existed by then (python-stdnum
                # checks the code against the birth year).
                born = dt.date(1991, 1, 1) + dt.timedelta(days=rng.randrange(365 * 15))
                birthday = born.isoformat() if rng.random() < 0.5 else ""
                id_number = _resident_id(rng, area, born) if rng.random() < 0.35 else ""
                employer = (
                    f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}有限公司"
                    if rng.random() < 0.3
                    else ""
                )
            phone = _phone(rng)
            email = (
                f"user{i}_{rng.randrange(10**4)}@{rng.choice(DOMAINS)}"
                if rng.random() < 0.6
                else ""
            )
            membership = rng.choice(MEMBERSHIP)
            roll = rng.random()
            if roll < 0.002:
                phone, bad = "12345", bad + 1
            elif roll < 0.004:
                email, bad = f"user{i}@@broken", bad + 1
            elif roll < 0.006 and not company:
                valid = _resident_id(rng, area, dt.date(1995, 1, 1))
                id_number = valid[:-1] + ("0" if valid[-1] != "0" else "1")  # wrong check digit
                bad += 1
            elif roll < 0.008 and not company:
                birthday, bad = "1990-13-45", bad + 1
            elif roll < 0.010:
                membership, bad = "钻石卡", bad + 1
            elif roll < 0.015 and phones:
                phone, dupes = rng.choice(phones), dupes + 1
            phones.append(phone)
            if len(phones) > 5000:
                phones = phones[-2500:]
            tags = "，".join(rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2])))
            writer.writerow(
                [
                    name,
                    kind,
                    gender,
                    phone,
                    email,
                    id_number,
                    employer,
                    province,
                    city,
                    rng.choice(districts),
                    f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
                    rng.choice(INDUSTRIES),
                    "" if company else rng.choice(JOBS),
                    rng.choice(SOURCES),
                    tags,
                    birthday,
                    rng.choice(CARS),
                    membership,
                    str(rng.randrange(0, 200000)) if rng.random() < 0.5 else "",
                ]
            )
    return {"rows": rows, "bad": bad, "in_file_duplicates": dupes}
