"""Pinyin for search: full spelling and initials, with every reading of a heteronym."""

import itertools
import re

from pypinyin import Style, pinyin

_HAN = re.compile(r"[\u3400-\u9fff]")
_MAX_VARIANTS = 16  # heteronym readings multiply; a name rarely needs more


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))


def pinyin_variants(text: str) -> tuple[list[str], list[str]]:
    """Full-pinyin spellings and initials spellings of ``text`` (lower case, no spaces).

    Every reading of a heteronym is kept, so 曾 gives both "zeng" and "ceng".
    """
    if not has_han(text):
        return [], []
    full = pinyin(text, style=Style.NORMAL, heteronym=True, errors="ignore")
    initials = [[s[0] for s in syllables if s] for syllables in full]
    fulls = _combine(full)
    inits = _combine(initials)
    return fulls, inits


def _combine(options: list[list[str]]) -> list[str]:
    seen: list[str] = []
    for combo in itertools.islice(
        itertools.product(*[dict.fromkeys(o) for o in options if o]), _MAX_VARIANTS
    ):
        word = "".join(combo).lower()
        if word not in seen:
            seen.append(word)
    return seen
