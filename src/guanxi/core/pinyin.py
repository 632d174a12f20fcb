"""Pinyin for search: full spelling and initials, with every reading of a heteronym it has
today (``pinyin_modern``)."""

import itertools
import re
from functools import lru_cache

from pypinyin import Style, load_single_dict, pinyin
from pypinyin.constants import PHRASES_DICT

from guanxi.core.pinyin_modern import READINGS

# A character's readings as it is read today (pinyin_modern: 方 fāng, not also wǎng, fēng and
# páng; 王 wáng, not also yù), heteronyms and surnames kept (曾 zēng / céng, 单 shàn): "wang"
# had found every 方 and "yu" every 王. Process-wide, as pypinyin's table is.
load_single_dict({ord(char): readings for char, readings in READINGS.items()})

_HAN = re.compile(r"[\u3400-\u9fff]")
_MAX_VARIANTS = 16  # heteronym readings multiply; a name rarely needs more
_LONGEST_PHRASE = max((len(k) for k in PHRASES_DICT), default=1)


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))


@lru_cache(maxsize=16384)
def _char_readings(char: str) -> tuple[str, ...]:
    result = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(result[0]) if result else ()


def _has_phrase(text: str) -> bool:
    n = len(text)
    for i in range(n - 1):
        for j in range(i + 2, min(n, i + _LONGEST_PHRASE) + 1):
            if text[i:j] in PHRASES_DICT:
                return True
    return False


def readings(text: str) -> list[list[str]]:
    """``pypinyin.pinyin(text, Style.NORMAL, heteronym=True, errors="ignore")``, faster.

    pypinyin segments text into the phrases of its dictionary (a phrase has its own readings)
    and reads every other character alone. When no part of ``text`` is a dictionary phrase —
    most names — the result is the characters' readings one after another, so those are
    cached per character; otherwise pypinyin reads the whole text.
    """
    if _has_phrase(text):
        return pinyin(text, style=Style.NORMAL, heteronym=True, errors="ignore")
    out = []
    for char in text:
        found = _char_readings(char)
        if found:
            out.append(list(found))
    return out


@lru_cache(maxsize=65536)
def _variants(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    full = readings(text)
    initials = [[s[0] for s in syllables if s] for syllables in full]
    return tuple(_combine(full)), tuple(_combine(initials))


def pinyin_variants(text: str) -> tuple[list[str], list[str]]:
    """Full-pinyin spellings and initials spellings of ``text`` (lower case, no spaces).

    Every reading of a heteronym is kept, so 曾 gives both "zeng" and "ceng". Cached per text
    (an import reads the same names and companies many times).
    """
    if not has_han(text):
        return [], []
    fulls, inits = _variants(text)
    return list(fulls), list(inits)


def _combine(options: list[list[str]]) -> list[str]:
    present = [o for o in options if o]
    if all(len(o) == 1 for o in present):  # no heteronym: one spelling
        return ["".join(o[0] for o in present).lower()]
    seen: list[str] = []
    for combo in itertools.islice(
        itertools.product(*[dict.fromkeys(o) for o in options if o]), _MAX_VARIANTS
    ):
        word = "".join(combo).lower()
        if word not in seen:
            seen.append(word)
    return seen
