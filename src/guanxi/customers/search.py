"""The normalised ``search_text`` column and how a query is matched against it.

"wangwei", "ww", "王伟" and "1380013" all find 王伟 with phone 13800138000.
"""

import re

from guanxi.core.pinyin import pinyin_variants
from guanxi.customers.place_names import leading_places

_NON_DIGIT = re.compile(r"\D")
_SPACE = re.compile(r"\s+")


def phone_digits(e164: str) -> list[str]:
    """The digits as people type them: the national number and the full international one."""
    if not e164:
        return []
    digits = _NON_DIGIT.sub("", e164)
    national = digits[2:] if digits.startswith("86") else digits
    return [national, digits] if national != digits else [digits]


#: Two-character surnames (复姓): the given name of 欧阳娜娜 is 娜娜, not 阳娜娜.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 端木 独孤 "
    "南宫 西门 东门 钟离 澹台 万俟 呼延 申屠 百里 东郭 闻人 赫连 太史 公冶 濮阳 淳于 单于 太叔 "
    "仲孙 鲜于 闾丘 亓官 司寇 子车 颛孙 巫马 公西 漆雕 乐正 壤驷 公良 拓跋 夹谷 宰父 谷梁 段干 "
    "左丘 梁丘 第五".split()
)
_HAN_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{3,4}")


def given_name(name: str) -> str:
    """The given name (名) of a Chinese person's name of three or four characters: 小明 of
    张小明, 娜娜 of 欧阳娜娜. A query of one or two characters matches the start of a word, so
    the search text holds it as a word of its own for 娜娜 to find 欧阳娜娜 (a longer query
    matches anywhere already). Empty when the name is of another form or the given name a
    single character (伟 of 王伟 would make every 伟 a match)."""
    name = _SPACE.sub("", name or "")
    if not _HAN_NAME.fullmatch(name):
        return ""
    given = name[2:] if name[:2] in COMPOUND_SURNAMES else name[1:]
    return given if len(given) >= 2 else ""


#: The longest query that matches only the start of a word of the search text; a longer one
#: matches anywhere in it (``search_index.like_q``, ``fts_phrase``).
WORD_START_QUERY = 2


def company_brand(name: str) -> str:
    """A company's registered name without the places it starts with (``place_names.
    leading_places``: province, city, district or county), so from its brand (字号) on: a
    Chinese user finds a company by its brand, which a query of one or two characters
    (``WORD_START_QUERY``) reaches only at the start of a word.

    广州润东信息技术有限公司 → 润东信息技术有限公司; 广东省广州市天河区润东信息技术有限公司 → the
    same; 北京华信科技有限公司 → 华信科技有限公司; 深圳市腾讯计算机系统有限公司 → 腾讯计算机系统有限
    公司; 上海东方物流 → 东方物流. Empty when nothing is cut (润东信息技术（广州）有限公司 starts
    with its brand already), when only a place is left or less than two characters (广州, 广州市
    天河区, 唐山明: a person's name)."""
    text = _SPACE.sub("", name or "")
    brand = text[leading_places(text) :]
    return brand if len(brand) >= 2 and brand != text else ""


#: The endings of a company's registered name that say what kind of organisation it is, not
#: which one: left out of its pairs of characters (``brand_words``), or every company would be
#: found by 公司.
_ORG_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "集团",
    "公司",
)
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]{2,}")


def brand_words(name: str) -> list[str]:
    """The words of the search text that let a short query find the company ``name`` by any
    part of its name: the brand's start (``company_brand``) in full pinyin and initials, cut to
    the length of a query that matches only a word's start (``WORD_START_QUERY``: ru, rd for
    广州润东信息技术有限公司; a longer query finds the pinyin anywhere in the name's own words
    already), and each pair of characters of the name after its places, its bracketed notes
    and its organisation form (润东, 东信, 信息, 息技, 技术), so that 技术 finds the company as
    it finds the deals named after it. Kept to that, they add about 20 characters to a
    company's search text."""
    text = _SPACE.sub("", name or "")
    core = _BRACKETED.sub(" ", text[leading_places(text) :])  # no pair across a note
    for form in _ORG_FORMS:
        if core.endswith(form) and len(core) > len(form):
            core = core[: -len(form)]
            break
    pairs = [run[i : i + 2] for run in _HAN_RUN.findall(core) for i in range(len(run) - 1)]
    head = company_brand(name)[:WORD_START_QUERY]
    spelt = [word[:WORD_START_QUERY] for word in _words(head)[1:]]  # its pinyin, not itself
    return list(dict.fromkeys([*pairs, *spelt]))


def build_search_text(
    name: str, *, phones=(), email: str = "", company: str = "", extra=(), person: bool = False
) -> str:
    """One lower-case line of everything a person might type to find this record; a
    ``person``'s given name too (``given_name``), and last the brand words
    (``brand_words``) of a company's name: the record's own ``name`` unless it is a person's,
    and the ``company`` (a person's employer)."""
    parts = _words(name)
    if person:
        parts.append(given_name(name))
    for text in (company, *extra):
        parts.extend(_words(text))
    for phone in phones:
        parts.extend(phone_digits(phone))
    if email:
        parts.append(email.lower())
    # Last: migration 0037 takes them off again from the end of the line when reversed.
    parts.extend(company_words(name, company, person=person))
    return " ".join(dict.fromkeys(p for p in parts if p))


def company_words(name: str, company: str, *, person: bool) -> list[str]:
    """The brand words (``brand_words``) of a record named ``name`` (a company's, unless
    ``person``) at the employer ``company``, in the order ``build_search_text`` adds them."""
    return [*([] if person else brand_words(name)), *brand_words(company)]


def text_words(text: str) -> list[str]:
    """The words the search text holds of ``text`` (a name, an employer, a WeChat ID) in
    ``build_search_text``, before the brand words: ``text`` without spaces, lower case, with
    its full pinyin and initials."""
    return _words(text)


def _words(text: str) -> list[str]:
    """``text`` without spaces, lower case, with its full pinyin and initials."""
    if not text:
        return []
    fulls, initials = pinyin_variants(text)
    return [_SPACE.sub("", text.lower()), *fulls, *initials]


#: Between a contact's own words and its customer's name in the contact's search text
#: (``contact_search_text``): a character no query holds (``normalize_query`` drops it as a
#: space), so that the index tells a contact found by its own words from one found by its
#: customer's name (``contact_search_index``), and a rename rewrites the name alone.
CUSTOMER_MARK = "\x1d"
_CUSTOMER_SPLIT = f" {CUSTOMER_MARK} "


def contact_search_text(values, customer_name: str = "") -> str:
    """The ``search_text`` of a contact from its field values (attribute name → value), as a
    customer's is built: name with its pinyin and initials, phone digits, e-mail, WeChat ID;
    a contact is a person: its given name is a word too. Then, after CUSTOMER_MARK, its
    customer's ``customer_name`` as the customer's own search text holds it
    (``customer_name_words``), so that "华为", "huawei" or "hw" finds the people at 华为. The
    model, the bulk paths (import, demo) and the migrations that filled the column all build
    it here."""
    own = build_search_text(
        values.get("name") or "",
        phones=[values.get("phone") or ""],
        email=values.get("email") or "",
        extra=[values.get("wechat_id") or ""],
        person=True,
    )
    return with_customer_name(own, customer_name)


def customer_name_words(name: str) -> str:
    """A customer's name as its own search text holds it (``build_search_text``, as
    ``services.search_text_for`` calls it): the name, its full pinyin and its initials."""
    return build_search_text(name)


def with_customer_name(text: str, customer_name: str) -> str:
    """A contact's search text ``text`` with ``customer_name``'s words in place of the
    customer's name it held (none, or an old one); its own words as they were."""
    words = customer_name_words(customer_name)
    own = own_words(text)
    return f"{own}{_CUSTOMER_SPLIT}{words}" if words else own


def own_words(text: str) -> str:
    """The contact's own words of its search text ``text``: without its customer's name."""
    return text.split(_CUSTOMER_SPLIT, 1)[0]


def normalize_query(q: str) -> str:
    """A query in the same form as ``search_text``: lower case, no spaces; phone digits only."""
    q = (q or "").strip().lower()
    compact = _SPACE.sub("", q)
    digits = _NON_DIGIT.sub("", compact)
    if digits and len(digits) >= 3 and re.fullmatch(r"[\d+\-() ]+", q):
        return digits[2:] if digits.startswith("86") and len(digits) > 11 else digits
    return compact
