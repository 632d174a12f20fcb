"""The normalised ``search_text`` column and how a query is matched against it.

"wangwei", "ww", "王伟" and "1380013" all find 王伟 with phone 13800138000.
"""

import re

from guanxi.core.pinyin import pinyin_variants

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


def build_search_text(
    name: str, *, phones=(), email: str = "", company: str = "", extra=(), person: bool = False
) -> str:
    """One lower-case line of everything a person might type to find this record; a
    ``person``'s given name too (``given_name``)."""
    parts = _words(name)
    if person:
        parts.append(given_name(name))
    for text in (company, *extra):
        parts.extend(_words(text))
    for phone in phones:
        parts.extend(phone_digits(phone))
    if email:
        parts.append(email.lower())
    return " ".join(dict.fromkeys(p for p in parts if p))


def _words(text: str) -> list[str]:
    """``text`` without spaces, lower case, with its full pinyin and initials."""
    if not text:
        return []
    fulls, initials = pinyin_variants(text)
    return [_SPACE.sub("", text.lower()), *fulls, *initials]


def contact_search_text(values) -> str:
    """The ``search_text`` of a contact from its field values (attribute name → value), as a
    customer's is built: name with its pinyin and initials, phone digits, e-mail, WeChat ID.
    No company: the contact's customer is found as itself. A contact is a person: its given
    name is a word too. The model, the bulk paths (import, demo) and the migrations that filled
    the column all build it here."""
    return build_search_text(
        values.get("name") or "",
        phones=[values.get("phone") or ""],
        email=values.get("email") or "",
        extra=[values.get("wechat_id") or ""],
        person=True,
    )


def normalize_query(q: str) -> str:
    """A query in the same form as ``search_text``: lower case, no spaces; phone digits only."""
    q = (q or "").strip().lower()
    compact = _SPACE.sub("", q)
    digits = _NON_DIGIT.sub("", compact)
    if digits and len(digits) >= 3 and re.fullmatch(r"[\d+\-() ]+", q):
        return digits[2:] if digits.startswith("86") and len(digits) > 11 else digits
    return compact
