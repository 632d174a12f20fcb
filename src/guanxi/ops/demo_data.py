"""Tables the demo company is drawn from: names, places, trades and the company's own people.

Surname weights follow the published frequency ranking (per mille of the population, rounded);
given-name characters are the common ones for each sex. Area codes are real: ``code`` is today's
administrative division code (used in USCCs), ``id_code`` the code a resident ID issued there
carries and python-stdnum knows (older IDs keep the code of the district at the time of issue).
"""

from typing import NamedTuple

# Tables read better in rows than one item per line.
# fmt: off

# (surname, weight per mille)
SURNAMES: list[tuple[str, float]] = [
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 20), ("吴", 19), ("周", 18), ("徐", 13), ("孙", 12), ("马", 12), ("朱", 11),
    ("胡", 11), ("郭", 10), ("何", 10), ("高", 9.5), ("林", 9.4), ("罗", 8.7), ("郑", 8.3),
    ("梁", 8.1), ("谢", 6.9), ("宋", 6.6), ("唐", 6.3), ("许", 6.1), ("韩", 5.9), ("冯", 5.8),
    ("邓", 5.6), ("曹", 5.4), ("彭", 5.3), ("曾", 5.0), ("肖", 4.9), ("田", 4.7), ("董", 4.6),
    ("袁", 4.5), ("潘", 4.4), ("于", 4.3), ("蒋", 4.2), ("蔡", 4.1), ("余", 4.0), ("杜", 3.9),
    ("叶", 3.8), ("程", 3.7), ("苏", 3.6), ("魏", 3.5), ("吕", 3.4), ("丁", 3.3), ("任", 3.2),
    ("沈", 3.1), ("姚", 3.0), ("卢", 2.9), ("姜", 2.8), ("崔", 2.7), ("钟", 2.6), ("谭", 2.5),
    ("陆", 2.4), ("汪", 2.3), ("范", 2.2), ("金", 2.1), ("石", 2.0), ("廖", 2.0), ("贾", 1.9),
    ("夏", 1.9), ("韦", 1.8), ("付", 1.8), ("方", 1.7), ("白", 1.7), ("邹", 1.6), ("孟", 1.6),
    ("熊", 1.5), ("秦", 1.5), ("邱", 1.5), ("江", 1.4), ("尹", 1.4), ("薛", 1.3), ("闫", 1.3),
    ("段", 1.2), ("雷", 1.2), ("侯", 1.2), ("龙", 1.1), ("史", 1.1), ("陶", 1.0), ("黎", 1.0),
    ("贺", 1.0), ("顾", 0.9), ("毛", 0.9), ("郝", 0.9), ("龚", 0.8), ("邵", 0.8), ("万", 0.8),
    ("钱", 0.7), ("严", 0.7), ("覃", 0.7), ("武", 0.7), ("戴", 0.6), ("莫", 0.6), ("孔", 0.6),
    ("欧阳", 0.3), ("司马", 0.05), ("诸葛", 0.05),
]

# Whole given names that are common on their own (伟, 芳, 秀英 …), by sex.
GIVEN_NAMES_MALE = [
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华",
    "飞", "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "建华", "建国", "志强", "海涛",
    "晓东", "文博", "子轩", "浩然", "宇航", "俊杰", "志明", "国庆", "建军", "永刚", "德华",
]
GIVEN_NAMES_FEMALE = [
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "倩", "雪", "琳", "晶",
    "秀英", "桂英", "秀兰", "玉兰", "丽娟", "海燕", "雪梅", "晓红", "欣怡", "梓涵", "诗涵",
    "雨婷", "佳怡", "思琪", "美玲", "慧敏", "淑华", "春梅", "红霞", "婉清", "子涵",
]
# Characters that make up two-character given names, by sex.
GIVEN_CHARS_MALE = list("伟志明建国文华永庆海军俊杰浩宇子涛鹏飞晓东德成刚立新家兴振嘉博天瑞安凯睿")
GIVEN_CHARS_FEMALE = list("秀英丽芳娟敏静玉兰桂红霞燕婷雪梅晓欣怡佳雨思梦涵琪慧美春淑颖婉璐")


class Region(NamedTuple):
    province: str
    city: str
    district: str
    code: str  # today's division code (USCC)
    id_code: str  # the code on resident IDs issued there, known to python-stdnum
    weight: float


# The company sells in South and East China, so most customers live there.
REGIONS: list[Region] = [
    Region("广东省", "广州市", "天河区", "440106", "440106", 9),
    Region("广东省", "广州市", "越秀区", "440104", "440104", 5),
    Region("广东省", "广州市", "海珠区", "440105", "440105", 5),
    Region("广东省", "广州市", "荔湾区", "440103", "440103", 3),
    Region("广东省", "广州市", "白云区", "440111", "440111", 4),
    Region("广东省", "深圳市", "南山区", "440305", "440305", 7),
    Region("广东省", "深圳市", "福田区", "440304", "440304", 6),
    Region("广东省", "深圳市", "罗湖区", "440303", "440303", 4),
    Region("广东省", "深圳市", "宝安区", "440306", "440300", 4),
    Region("广东省", "佛山市", "禅城区", "440604", "440600", 2),
    Region("广东省", "珠海市", "香洲区", "440402", "440400", 1.5),
    Region("上海市", "上海市", "浦东新区", "310115", "310100", 8),
    Region("上海市", "上海市", "徐汇区", "310104", "310104", 5),
    Region("上海市", "上海市", "静安区", "310106", "310106", 4),
    Region("上海市", "上海市", "长宁区", "310105", "310105", 3),
    Region("上海市", "上海市", "闵行区", "310112", "310112", 4),
    Region("上海市", "上海市", "杨浦区", "310110", "310110", 3),
    Region("浙江省", "杭州市", "西湖区", "330106", "330106", 5),
    Region("浙江省", "杭州市", "上城区", "330102", "330102", 3),
    Region("浙江省", "杭州市", "拱墅区", "330105", "330105", 3),
    Region("浙江省", "杭州市", "滨江区", "330108", "330100", 3),
    Region("浙江省", "宁波市", "海曙区", "330203", "330203", 2),
    Region("江苏省", "南京市", "鼓楼区", "320106", "320106", 2),
    Region("江苏省", "南京市", "玄武区", "320102", "320102", 1.5),
    Region("江苏省", "苏州市", "姑苏区", "320508", "320500", 2),
    Region("北京市", "北京市", "朝阳区", "110105", "110105", 2),
    Region("北京市", "北京市", "海淀区", "110108", "110108", 2),
    Region("湖北省", "武汉市", "江汉区", "420103", "420103", 1),
    Region("湖北省", "武汉市", "武昌区", "420106", "420106", 1),
    Region("福建省", "厦门市", "思明区", "350203", "350203", 1),
    Region("山东省", "青岛市", "市南区", "370202", "370202", 1),
    Region("河南省", "郑州市", "金水区", "410105", "410105", 1),
    Region("四川省", "成都市", "武侯区", "510107", "510100", 1.5),
]

# Where people are born (ID place code) differs from where they live for many customers.
BIRTH_PLACE_CODES = [
    "440106", "440104", "440300", "440500", "440800", "310104", "310100", "330106", "330300",
    "330600", "320100", "320200", "320400", "110105", "420106", "430100", "410100", "370200",
    "450100", "510100", "350200", "120101",
]

STREETS = [
    "中山路", "人民路", "解放路", "建设路", "和平路", "新华路", "文化路", "滨江路", "体育西路",
    "天河北路", "南京西路", "淮海中路", "延安东路", "文三路", "深南大道", "科技园路", "东风路",
    "环市东路", "江南大道", "长江路", "学院路", "工业大道", "世纪大道", "湖滨路",
]

INDUSTRIES = [
    "汽车销售与服务", "电子元器件", "医疗器械", "餐饮", "教育培训", "物流运输", "建筑工程",
    "软件和信息技术", "零售", "金融保险", "美容美发", "机械制造", "房地产", "文化传媒",
]
# Company-name trade words, by the industry above.
TRADE_WORDS = {
    "汽车销售与服务": "汽车销售服务", "电子元器件": "电子科技", "医疗器械": "医疗器械",
    "餐饮": "餐饮管理", "教育培训": "教育咨询", "物流运输": "物流", "建筑工程": "建设工程",
    "软件和信息技术": "信息技术", "零售": "商贸", "金融保险": "保险代理", "美容美发": "美容服务",
    "机械制造": "机械制造", "房地产": "置业", "文化传媒": "文化传播",
}
BRAND_CHARS = list("恒达华信鑫源宏图金桥瑞丰盛世安泰博远中联天宇新锐永祥佳和润发嘉禾东方正德广汇明辉")

OCCUPATIONS = [
    "教师", "医生", "工程师", "销售经理", "公务员", "个体经营", "会计", "设计师", "律师",
    "护士", "程序员", "司机", "企业主", "自由职业", "退休", "研究生", "银行职员", "厨师",
]
CONTACT_TITLES = ["总经理", "采购经理", "财务主管", "行政经理", "技术总监", "董事长助理", "车队主管"]

# Tags and how often each lands on a customer.
TAGS: list[tuple[str, str, float]] = [
    ("VIP", "#d63939", 0.08),
    ("老客户", "#f59f00", 0.25),
    ("车主", "#206bc4", 0.35),
    ("展会2026", "#2fb344", 0.06),
    ("转介绍", "#ae3ec9", 0.10),
    ("价格敏感", "#6c757d", 0.12),
    ("企业采购", "#0ca678", 0.0),  # given to companies below
]

CAR_MODELS = ["轿车", "SUV", "MPV", "新能源车", "皮卡"]
HOBBIES = ["自驾游", "钓鱼", "摄影", "高尔夫", "羽毛球", "茶道", "书法", "跑步", "烘焙", "露营"]

NOTES = [
    "喜欢周末到店，提前电话预约。",
    "对价格比较敏感，关注促销活动。",
    "需要开具增值税专用发票。",
    "朋友介绍来的，重视服务体验。",
    "上次保养等待时间较长，有过抱怨。",
    "计划明年换车，可跟进新能源车型。",
    "只接受微信联系，工作日白天不方便接电话。",
    "家里有两辆车，另一辆在外地保养。",
]

EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]

# Landline area codes of the cities above whose local numbers have 8 digits.
AREA_CODES = {
    "广州市": "20", "深圳市": "755", "佛山市": "757", "上海市": "21", "杭州市": "571",
    "宁波市": "574", "南京市": "25", "苏州市": "512", "北京市": "10", "武汉市": "27",
    "青岛市": "532", "郑州市": "371", "成都市": "28",
}

# Mobile prefixes in use in mainland China; every generated number is checked by phonenumbers.
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "198", "199",
]

# fmt: on


class DemoTeam(NamedTuple):
    name: str
    parent: str | None


TEAMS: list[DemoTeam] = [
    DemoTeam("总部", None),
    DemoTeam("华南销售部", "总部"),
    DemoTeam("广州销售组", "华南销售部"),
    DemoTeam("深圳销售组", "华南销售部"),
    DemoTeam("华东销售部", "总部"),
    DemoTeam("上海销售组", "华东销售部"),
    DemoTeam("杭州销售组", "华东销售部"),
    DemoTeam("客服部", "总部"),
]


class DemoUser(NamedTuple):
    username: str
    display_name: str
    role: str
    team: str
    manager: str | None
    # Cities whose customers this rep mostly owns.
    cities: tuple[str, ...] = ()


USERS: list[DemoUser] = [
    DemoUser("admin", "赵磊", "admin", "总部", None),
    DemoUser("zhou.jie", "周杰", "manager", "华南销售部", None),
    DemoUser("wang.fang", "王芳", "rep", "广州销售组", "zhou.jie", ("广州市", "佛山市")),
    DemoUser("li.na", "李娜", "rep", "广州销售组", "zhou.jie", ("广州市", "珠海市")),
    DemoUser("chen.hao", "陈浩", "rep", "深圳销售组", "zhou.jie", ("深圳市",)),
    DemoUser("huang.min", "黄敏", "rep", "深圳销售组", "zhou.jie", ("深圳市",)),
    DemoUser("xu.ming", "徐明", "manager", "华东销售部", None),
    DemoUser("zhang.wei", "张伟", "rep", "上海销售组", "xu.ming", ("上海市", "南京市", "苏州市")),
    DemoUser("liu.yang", "刘洋", "rep", "上海销售组", "xu.ming", ("上海市", "北京市")),
    DemoUser("sun.li", "孙丽", "rep", "杭州销售组", "xu.ming", ("杭州市", "宁波市")),
    DemoUser("he.jing", "何静", "manager", "客服部", None),
    DemoUser("lin.xiao", "林晓", "rep", "客服部", "he.jing"),
    DemoUser("guo.qiang", "郭强", "analyst", "总部", None),
]

DEMO_PASSWORD = "guanxi-demo"  # noqa: S105 — printed on purpose: it is the demo's shared login


# ---------------------------------------------------------------------------------------------
# Sales: what the demo company (a car dealer's service and parts business) sells.


class DemoProduct(NamedTuple):
    sku: str
    name: str
    category: str
    unit: str
    price: str  # list price, tax exclusive (Decimal text)
    tax_rate: int  # VAT %: 13 on parts and repair work, 6 on detailing and warranty services


# fmt: off
PRODUCTS: list[DemoProduct] = [
    DemoProduct("MT-001", "小保养套餐（工时）", "保养套餐", "次", "199.00", 13),
    DemoProduct("MT-002", "大保养套餐（工时）", "保养套餐", "次", "480.00", 13),
    DemoProduct("MT-003", "空调系统清洗", "保养套餐", "次", "268.00", 13),
    DemoProduct("MT-004", "燃油系统清洗", "保养套餐", "次", "298.00", 13),
    DemoProduct("MT-005", "全车安全检测", "保养套餐", "次", "99.00", 13),
    DemoProduct("OIL-001", "全合成机油 5W-30 4L", "油品", "桶", "458.00", 13),
    DemoProduct("OIL-002", "半合成机油 10W-40 4L", "油品", "桶", "268.00", 13),
    DemoProduct("OIL-003", "变速箱油 ATF 12L", "油品", "套", "880.00", 13),
    DemoProduct("OIL-004", "刹车油 DOT4 1L", "油品", "瓶", "128.00", 13),
    DemoProduct("OIL-005", "长效防冻液 4L", "油品", "桶", "168.00", 13),
    DemoProduct("OIL-006", "玻璃水 2L", "油品", "瓶", "25.00", 13),
    DemoProduct("FLT-001", "机油滤芯", "滤芯", "个", "68.00", 13),
    DemoProduct("FLT-002", "空气滤芯", "滤芯", "个", "88.00", 13),
    DemoProduct("FLT-003", "活性炭空调滤芯", "滤芯", "个", "128.00", 13),
    DemoProduct("FLT-004", "汽油滤芯", "滤芯", "个", "150.00", 13),
    DemoProduct("TYR-001", "静音舒适轮胎 205/55 R16", "轮胎", "条", "680.00", 13),
    DemoProduct("TYR-002", "运动操控轮胎 225/45 R18", "轮胎", "条", "1080.00", 13),
    DemoProduct("TYR-003", "SUV 全地形轮胎 235/60 R18", "轮胎", "条", "1180.00", 13),
    DemoProduct("TYR-004", "新能源低滚阻轮胎 215/55 R17", "轮胎", "条", "920.00", 13),
    DemoProduct("TYR-005", "四轮定位", "轮胎", "次", "198.00", 13),
    DemoProduct("TYR-006", "轮胎动平衡", "轮胎", "次", "120.00", 13),
    DemoProduct("TYR-007", "补胎", "轮胎", "次", "50.00", 13),
    DemoProduct("BRK-001", "前刹车片", "制动", "套", "580.00", 13),
    DemoProduct("BRK-002", "后刹车片", "制动", "套", "480.00", 13),
    DemoProduct("BRK-003", "前刹车盘", "制动", "对", "1280.00", 13),
    DemoProduct("ELC-001", "免维护蓄电池 60Ah", "电气与易损件", "个", "780.00", 13),
    DemoProduct("ELC-002", "启停蓄电池 AGM 70Ah", "电气与易损件", "个", "1380.00", 13),
    DemoProduct("ELC-003", "铱金火花塞（4支）", "电气与易损件", "套", "360.00", 13),
    DemoProduct("ELC-004", "无骨雨刮片（一对）", "电气与易损件", "对", "128.00", 13),
    DemoProduct("ELC-005", "大灯灯泡 H7", "电气与易损件", "个", "88.00", 13),
    DemoProduct("CAR-001", "精致洗车", "美容", "次", "68.00", 6),
    DemoProduct("CAR-002", "内饰深度清洁", "美容", "次", "380.00", 6),
    DemoProduct("CAR-003", "全车打蜡", "美容", "次", "298.00", 6),
    DemoProduct("CAR-004", "漆面镀晶", "美容", "次", "1980.00", 6),
    DemoProduct("CAR-005", "发动机舱清洗", "美容", "次", "128.00", 6),
    DemoProduct("FLM-001", "前挡隔热膜", "车膜与精品", "张", "1800.00", 13),
    DemoProduct("FLM-002", "全车隔热膜套装", "车膜与精品", "套", "4800.00", 13),
    DemoProduct("FLM-003", "隐形车衣 TPU", "车膜与精品", "套", "12800.00", 13),
    DemoProduct("ACC-001", "全包围脚垫", "车膜与精品", "套", "598.00", 13),
    DemoProduct("ACC-002", "行车记录仪", "车膜与精品", "台", "699.00", 13),
    DemoProduct("ACC-003", "车载充气泵", "车膜与精品", "台", "199.00", 13),
    DemoProduct("EXW-001", "延保服务 1 年", "延保与救援", "份", "2800.00", 6),
    DemoProduct("EXW-002", "延保服务 2 年", "延保与救援", "份", "4800.00", 6),
    DemoProduct("EXW-003", "道路救援年卡", "延保与救援", "张", "299.00", 6),
]
# fmt: on

# Spring Festival (春节) moves with the lunar calendar; May Day and National Day are fixed.
SPRING_FESTIVAL = {
    2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17",
    2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
}  # fmt: skip

COMPETITORS = ["途虎养车", "天猫养车", "京东养车", "4S店原厂服务", "本地独立修理厂", "车享家"]
LOST_REASONS = [
    "价格高于竞争对手",
    "客户选择了4S店原厂服务",
    "预算削减，项目取消",
    "决策周期过长，项目搁置",
    "服务网点距离太远",
    "联系人离职，需求中断",
]
NEXT_STEPS = [
    "发送正式报价单",
    "约客户到店面谈",
    "确认车辆清单和保养周期",
    "提交合同审批",
    "安排技术人员上门检测车辆",
    "跟进付款方式",
    "邀请参加会员日活动",
]
LEAD_TITLES = ["车主", "行政经理", "车队主管", "采购专员", "总经理助理", ""]
DISQUALIFIED_REASONS = [
    "空号，无法联系",
    "只咨询价格，无购买意向",
    "不在服务区域",
    "重复线索",
    "同行调研",
]
