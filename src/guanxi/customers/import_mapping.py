"""Matching a file's columns to customer fields: the headers Chinese and English files use
(``ALIASES``), the words of each choice (``SYNONYMS``), a company list told from a list of
people, and the check of a mapping a user chose."""

import re
import unicodedata

from django.utils import translation
from django.utils.translation import gettext as _

from guanxi.core.phones import PhoneKind, phone_kind, phone_noun
from guanxi.customers.import_tables import (
    ImportFileError,
)
from guanxi.customers.models import (
    BirthdayCalendar,
    Customer,
    CustomField,
    Gender,
    IncomeBand,
    Kind,
    SourceChannel,
    ValueOrientation,
)

ALIASES = {
    # The export's own header ("ID" in both languages) among them: an exported list comes back.
    "id": "id 客户ID customerid",
    "name": "姓名 名称 客户名称 客户姓名 客户 联系人 name fullname customer customername",
    "kind": "类型 客户类型 kind type customertype",
    "gender": "性别 gender sex",
    "birthday": "生日 出生日期 出生年月日 出生年月 birthday birthdate dateofbirth dob",
    "birthday_calendar": "生日历法 历法 birthdaycalendar calendar",
    # 税号: since 2015 a company's tax number is its unified social credit code.
    "id_number": "身份证 身份证号 身份证号码 证件号 证件号码 统一社会信用代码 信用代码 社会信用代码 "
    "统一信用代码 税号 纳税人识别号 idnumber idcard idno uscc idnumberuscc taxid",
    "phone": "手机 手机号 手机号码 电话 电话号码 联系电话 联系方式 移动电话 mobile mobilephone phone "
    "tel telephone cellphone",
    "phone_alt": "其他电话 备用电话 座机 固定电话 办公电话 公司电话 单位电话 电话2 otherphone phonealt "
    "phone2 officephone",
    "email": "邮箱 电子邮箱 邮件 电子邮件 email mail emailaddress",
    "wechat_id": "微信 微信号 wechat wechatid weixin",
    "company_name": "公司 公司名称 单位 单位名称 工作单位 所在公司 所在单位 就职单位 雇主 企业 "
    "企业名称 company companyname employer organisation organization",
    "province": "省份 省 所在省份 所在省 province state",
    # 所在地区 holds a city, or a province and its city ("广东省广州市"): kept whole.
    "city": "城市 市 所在城市 所在市 所在地区 city",
    "district": "区县 区 县 所在区县 district county",
    "address": "地址 详细地址 联系地址 通讯地址 通信地址 住址 家庭住址 家庭地址 办公地址 公司地址 "
    "address street",
    "industry": "行业 所属行业 industry",
    "occupation": "职业 职务 职位 岗位 occupation job jobtitle position",
    "income_band": "收入 收入水平 月收入 incomeband income",
    "source_channel": "来源 来源渠道 渠道 客户来源 source sourcechannel channel",
    "value_orientation": "价值取向 valueorientation",
    "notes": "备注 说明 notes note remark remarks comment comments",
    "tags": "标签 客户标签 tags tag labels",
    # The export's own header is the owner field's label (负责人 / owner), indexed below.
    "owner": "负责人 所属销售 销售 业务员 客户经理 跟进人 归属人 销售负责人 owner salesrep",
    # A contact person of the customer, added with it (``CONTACT_TARGETS``). "联系人" alone
    # is a person list's name, and a company list's contact (``_company_list``).
    "contact_name": "联系人姓名 contactname contactperson",
    "contact_title": "联系人职位 联系人职务 contacttitle",
    "contact_phone": "联系人电话 联系人手机 联系人手机号 联系人手机号码 联系人联系方式 contactphone",
    "contact_email": "联系人邮箱 联系人电子邮箱 联系人邮件 contactemail",
}


#: The same headers in traditional characters, as a file from Taiwan or Hong Kong (often Big5)
#: has them.
TRADITIONAL_ALIASES = {
    "id": "客戶ID",
    "name": "名稱 客戶名稱 客戶姓名 客戶 聯繫人 聯絡人",
    "kind": "類型 客戶類型",
    "gender": "性別",
    "id_number": "身份證 身份證號 身份證號碼 證件號 證件號碼 統一社會信用代碼 信用代碼 稅號",
    "phone": "手機 手機號 手機號碼 電話 電話號碼 聯繫電話 聯絡電話 行動電話 聯繫方式 聯絡方式",
    "phone_alt": "其他電話 備用電話 固定電話 辦公電話 公司電話 電話2",
    "email": "郵箱 電子郵箱 郵件 電子郵件",
    "wechat_id": "微信號",
    "company_name": "公司名稱 單位 單位名稱 工作單位 所在公司 雇主 企業名稱",
    "province": "所在省份",
    "city": "所在城市 所在地區",
    "district": "區縣 區 縣",
    "address": "詳細地址 聯繫地址 聯絡地址 通訊地址",
    "industry": "行業 所屬行業",
    "occupation": "職業 職務 職位",
    "income_band": "收入水準 月收入",
    "source_channel": "來源 來源渠道 客戶來源",
    "value_orientation": "價值取向",
    "notes": "備註 說明",
    "tags": "標籤 客戶標籤",
    "owner": "負責人 所屬銷售 銷售 業務員 客戶經理 跟進人 歸屬人",
    "contact_name": "聯繫人姓名 聯絡人姓名",
    "contact_title": "聯繫人職位 聯絡人職位",
    "contact_phone": "聯繫人電話 聯絡人電話 聯繫人手機 聯絡人手機",
    "contact_email": "聯繫人郵箱 聯絡人郵箱",
}


TARGET_FIELDS = tuple(ALIASES)


#: Columns that name a record instead of holding a value of the customer: the batch reads and
#: looks them up (``_References``), ``convert`` never sees them, so a file without them costs
#: nothing more.
REFERENCES = ("id", "owner")


#: Columns of a contact person added with the customer: the contact's field by target. Kept
#: out of the customer's data (``convert`` leaves them in ``Row.raw``), checked and written by
#: the batch (``_Batch._contact``), as ``services.add_contact`` would.
CONTACT_TARGETS = {
    "contact_name": "name",
    "contact_title": "title",
    "contact_phone": "phone",
    "contact_email": "email",
}


CHOICES = {
    "kind": Kind,
    "gender": Gender,
    "birthday_calendar": BirthdayCalendar,
    "income_band": IncomeBand,
    "source_channel": SourceChannel,
    "value_orientation": ValueOrientation,
}


SYNONYMS = {
    "kind": {
        "个人": "person",
        "个人客户": "person",
        "individual": "person",
        "公司": "company",
        "企业": "company",
        "企业客户": "company",
        "单位": "company",
        "组织": "company",
    },
    "gender": {
        "男": "male",
        "男性": "male",
        "m": "male",
        "先生": "male",
        "男士": "male",
        "男生": "male",
        "女": "female",
        "女性": "female",
        "f": "female",
        "女士": "female",
        "小姐": "female",
        "女生": "female",
        "未知": "",
        "保密": "",
        "不详": "",
        "不明": "",
        "未填": "",
        "未填写": "",
        "unknown": "",
        "secret": "",
    },
    "birthday_calendar": {"公历": "solar", "阳历": "solar", "农历": "lunar", "阴历": "lunar"},
    # How sources are written in the spreadsheets people keep: an unknown word is reported
    # with the accepted ones, never guessed.
    "source_channel": {
        "自然到店": "walk_in",
        "门店": "walk_in",
        "上门": "walk_in",
        "walk in": "walk_in",
        "walkin": "walk_in",
        "介绍": "referral",
        "推荐": "referral",
        "朋友介绍": "referral",
        "客户介绍": "referral",
        "老客户介绍": "referral",
        "老带新": "referral",
        "网站": "website",
        "官方网站": "website",
        "网络": "website",
        "网上": "website",
        "线上": "website",
        "web": "website",
        "online": "website",
        "活动": "campaign",
        "市场活动": "campaign",
        "线下活动": "campaign",
        "广告": "campaign",
        "广告投放": "campaign",
        "百度推广": "campaign",
        "搜索推广": "campaign",
        "竞价推广": "campaign",
        "信息流广告": "campaign",
        "进店": "walk_in",
        "自然进店": "walk_in",
        "来电": "phone",
        "电话营销": "phone",
        "电销": "phone",
        "公众号": "wechat",
        "微信公众号": "wechat",
        "微信群": "wechat",
        "朋友圈": "wechat",
        "400电话": "phone",
        "企业微信": "wechat",
        "小程序": "wechat",
        "社交媒体": "social",
        "自媒体": "social",
        "抖音": "social",
        "小红书": "social",
        "微博": "social",
        "快手": "social",
        "b站": "social",
        "哔哩哔哩": "social",
        "视频号": "social",
        "直播": "social",
        "短视频": "social",
        "douyin": "social",
        "tiktok": "social",
        "xiaohongshu": "social",
        "weibo": "social",
        "展览": "exhibition",
        "展销会": "exhibition",
        "博览会": "exhibition",
        "trade show": "exhibition",
        "expo": "exhibition",
        "其它": "other",
        "未知": "",
        "unknown": "",
    },
    "value_orientation": {
        "关系": "relationship",
        "性价比": "price_performance",
        "价格": "price_performance",
        "效率": "time_efficiency",
        "时间": "time_efficiency",
    },
}


_HEADER_NOISE = re.compile(r"[\s_\-*/（）()：:.·]+")


#: A bracketed note in a header: "手机（必填）", "客户名称\n(必填)", "金额（元）", "姓名【选填】".
_HEADER_NOTE = re.compile(r"[（(\[【［][^（）()\[\]【】［］]*[）)\]】］]")


def header_key(header: str) -> str:
    """A header as headers are compared: full-width letters as half-width ones, without its
    bracketed notes (unless it is only one), spaces, line breaks and punctuation, in small
    letters."""
    text = unicodedata.normalize("NFKC", str(header))
    if "(" in text or "[" in text or "【" in text:
        bare = _HEADER_NOTE.sub("", text)
        if _HEADER_NOISE.sub("", bare):
            text = bare
    return _HEADER_NOISE.sub("", text).lower()


def field_label(target: str) -> str:
    if target == "tags":
        return str(_("tags"))
    if target in CONTACT_TARGETS:
        return _contact_label(target)
    if target.startswith("custom."):
        return target.split(".", 1)[1]
    return str(Customer._meta.get_field(target).verbose_name)


def key_label(key: tuple) -> str:
    """What a message calls the field a matching ``key`` is of: a phone by its kind (a 400
    number or a landline is no 手机), any other field by its name."""
    if key[0] == "phone" and phone_kind(key[1]) != PhoneKind.MOBILE:
        return phone_noun(key[1])
    return field_label(key[0])


def _contact_label(target: str) -> str:
    labels = {
        "contact_name": _("contact person"),
        "contact_title": _("contact person's title"),
        "contact_phone": _("contact person's phone"),
        "contact_email": _("contact person's e-mail"),
    }
    return str(labels[target])


def _choice_label(target: str) -> str:
    """A target as the mapping select names it: the columns that do not fill a field say what
    they do."""
    if target == "id":
        return _(
            "ID of an existing customer (as exported; not used with “Create another customer”)"
        )
    if target == "owner":
        return _("Owner of a new customer (username or name; empty: the import’s owner)")
    return field_label(target)


def target_choices() -> list[tuple[str, str]]:
    """(value, label) for the mapping selects: the fields, then each active custom field."""
    choices = [(f, _choice_label(f)) for f in TARGET_FIELDS]
    choices += [
        (f"custom.{c.key}", f"{c.label} ({c.key})") for c in CustomField.objects.filter(active=True)
    ]
    return choices


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for aliases in (ALIASES, TRADITIONAL_ALIASES):
        for target, words in aliases.items():
            for word in words.split():
                index.setdefault(header_key(word), target)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for target in TARGET_FIELDS:
                index.setdefault(header_key(field_label(target)), target)
    for custom in CustomField.objects.filter(active=True):
        index.setdefault(header_key(custom.key), f"custom.{custom.key}")
        index.setdefault(header_key(custom.label), f"custom.{custom.key}")
    return index


#: The headers of a company list's columns: its company ("公司名称, 联系人, 联系电话": each row
#: a company and the person to ask for there), and that contact person's.
COMPANY_HEADERS = "公司 公司名称 公司名 单位 单位名称 企业 企业名称 公司名稱 單位名稱 企業名稱 company companyname"


CONTACT_HEADERS = "联系人 联系人姓名 聯繫人 聯絡人 contact contactname contactperson"


#: The customer's name column of a list of customers with their contact persons.
CUSTOMER_NAME_HEADERS = "名称 客户名称 客户名 客户 名稱 客戶名稱 客戶 customer customername"


#: In a company list, what a column named so holds is the contact person's, not the company's.
CONTACT_ONLY_HEADERS = "职位 职务 職位 職務 title jobtitle position"


def _company_list(headers: list[str], mapping: dict[str, str]) -> None:
    """A list of companies with their contact persons ("公司名称, 联系人, 联系电话") is one of
    companies: the company's column is the name (not the employer of a person called 张经理),
    the contact person's column the contact added with it, and so is a title column."""
    companies = {header_key(w) for w in COMPANY_HEADERS.split()}
    contacts = {header_key(w) for w in CONTACT_HEADERS.split()}
    company = next(
        (h for h in headers if mapping.get(h) == "company_name" and header_key(h) in companies),
        None,
    )
    contact = next(
        (h for h in headers if mapping.get(h) == "name" and header_key(h) in contacts), None
    )
    if company is not None and contact is not None:
        mapping[company] = "name"
        if "contact_name" in mapping.values():
            del mapping[contact]
        else:
            mapping[contact] = "contact_name"
    elif not _customer_named_first(headers, mapping, contacts):
        return
    titles = {header_key(w) for w in CONTACT_ONLY_HEADERS.split()}
    for header in headers:
        if header_key(header) in titles and mapping.get(header) == "occupation":
            if "contact_title" in mapping.values():
                del mapping[header]
            else:
                mapping[header] = "contact_title"


def _customer_named_first(headers: list[str], mapping: dict[str, str], contacts: set[str]) -> bool:
    """The other way round ("客户名称, 联系人, 手机"): the customer's name column came first and
    took the name, so the contact person's column was left out: it is the contact added with
    the customer. Not after a person's name (姓名, 客户姓名), nor beside an employer's column
    (工作单位): then the customers are people and 联系人 is another person."""
    if "company_name" in mapping.values():
        return False
    named = next((h for h in headers if mapping.get(h) == "name"), None)
    if named is None or header_key(named) not in {
        header_key(w) for w in CUSTOMER_NAME_HEADERS.split()
    }:
        return False
    contact = next((h for h in headers if h not in mapping and header_key(h) in contacts), None)
    if contact is None or "contact_name" in mapping.values():
        return False
    mapping[contact] = "contact_name"
    return True


#: A field's second field: a column named for a field another column already fills goes to
#: it when no column is named for it ("姓名,手机,电话": 电话 is the other phone).
SECOND_FIELDS = {"phone": "phone_alt"}


def fields_named(texts: list[str]) -> int:
    """How many of a customer's fields a row of headers names (``read_table``'s ``names``)."""
    return len(auto_mapping(texts))


#: The fields several columns may fill: each column's notes on a line of their own (a sheet
#: with 备注 and 备注2, or 备注 and 其他说明), each column's tags.
JOINED_FIELDS = frozenset({"notes", "tags"})


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """{header: target} for the headers recognised; each target used once, first column wins,
    but for the ``JOINED_FIELDS`` (every column named for one fills it); a later column named
    for a field already taken fills that field's second field (``SECOND_FIELDS``) if no column
    is named for that one, so its values are not lost."""
    index = _alias_index()
    mapping: dict[str, str] = {}
    used: set[str] = set()
    left: list[tuple[str, str]] = []  # (header, target taken by an earlier column)
    for header in headers:
        target = index.get(header_key(header))
        if target and (target not in used or target in JOINED_FIELDS):
            mapping[header] = target
            used.add(target)
        elif target in SECOND_FIELDS:
            left.append((header, target))
    for header, target in left:  # after the columns named for the second field itself
        second = SECOND_FIELDS[target]
        if second not in used:
            mapping[header] = second
            used.add(second)
    _company_list(headers, mapping)
    return {h: mapping[h] for h in headers if h in mapping}  # in the file's order


def check_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """The mapping restricted to this file's headers and known targets; raises ImportFileError
    when no column is mapped to the name or a field is mapped twice (but the
    ``JOINED_FIELDS``)."""
    valid = {value for value, _label in target_choices()}
    cleaned = {h: t for h, t in mapping.items() if h in headers and t in valid}
    targets = list(cleaned.values())
    doubles = sorted({t for t in targets if targets.count(t) > 1} - JOINED_FIELDS)
    if doubles:
        raise ImportFileError(
            _("Each field can take only one column; mapped twice: %(fields)s.")
            % {"fields": ", ".join(field_label(t) for t in doubles)}
        )
    if "name" not in targets:
        raise ImportFileError(_("No column is mapped to the name; it is required."))
    return cleaned
