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


def build_search_text(name: str, *, phones=(), email: str = "", company: str = "", extra=()) -> str:
    """One lower-case line of everything a person might type to find this record."""
    parts: list[str] = []
    for text in (name, company, *extra):
        if not text:
            continue
        parts.append(_SPACE.sub("", text.lower()))
        fulls, initials = pinyin_variants(text)
        parts.extend(fulls)
        parts.extend(initials)
    for phone in phones:
        parts.extend(phone_digits(phone))
    if email:
        parts.append(email.lower())
    return " ".join(dict.fromkeys(p for p in parts if p))


def contact_search_text(values) -> str:
    """The ``search_text`` of a contact from its field values (attribute name → value), as a
    customer's is built: name with its pinyin and initials, phone digits, e-mail, WeChat ID.
    No company: the contact's customer is found as itself. The model, the bulk paths (import,
    demo) and the migration that filled the column all build it here."""
    return build_search_text(
        values.get("name") or "",
        phones=[values.get("phone") or ""],
        email=values.get("email") or "",
        extra=[values.get("wechat_id") or ""],
    )


def normalize_query(q: str) -> str:
    """A query in the same form as ``search_text``: lower case, no spaces; phone digits only."""
    q = (q or "").strip().lower()
    compact = _SPACE.sub("", q)
    digits = _NON_DIGIT.sub("", compact)
    if digits and len(digits) >= 3 and re.fullmatch(r"[\d+\-() ]+", q):
        return digits[2:] if digits.startswith("86") and len(digits) > 11 else digits
    return compact
