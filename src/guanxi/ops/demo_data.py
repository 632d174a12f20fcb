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
