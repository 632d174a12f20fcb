"""China's place names as a company's registered name begins with them: [province][city]
[district or county] + brand (字号) + trade + organisation form, as in 广东省广州市天河区润东信息
技术有限公司 or 北京华信科技有限公司 (``search.company_brand`` cuts them off).

The names come from python-stdnum's table of administrative divisions (``stdnum.numdb``
"cn/loc", the one behind resident ID numbers): today's names only, each with its division code,
so that a city is taken only after a province it belongs to, and a district only after its city
or province (上海东方物流 is 上海 + 东方物流: 东方市 is in 海南).

The same table gives a customer's city its one stored form (``city_name``: 广州 → 广州市), so
that the city filter and the duplicate finder's "same city" find it however it was typed.
"""

import functools
import re
from collections import defaultdict

from stdnum import numdb

#: Forms of the provinces the table does not give: Hong Kong and Macao are spelt in
#: traditional characters there.
_MORE_PROVINCES = {
    "81": ("香港特别行政区", "香港"),
    "82": ("澳门特别行政区", "澳门"),
}
#: A name in the table: "[1983-1989]罗湖区办事处,[1990-]罗湖区", each spelling with the years it
#: held; the current one has no end year.
_SPELLING = re.compile(r"(?:\[\d*-(\d*)\])?([^,\[]+)")
#: The suffixes a province's or a city's short form leaves off (广东省 → 广东, 广州市 → 广州,
#: 内蒙古自治区 → 内蒙古). A prefecture (阿里地区, 兴安盟, 延边朝鲜族自治州) is taken in full
#: only: 阿里巴巴 and 哈密瓜 are no places.
_SHORTENED = re.compile(r"(?:省|市|(?:壮族|回族|维吾尔)?自治区)$")
#: What a prefecture-level place's name ends with (the table also has a "林区" there).
_PREFECTURE = re.compile(r".+(?:市|地区|盟|州)")
#: A county-level name that may begin a company's name by itself (义乌市, 昆山市, 长兴县):
#: a county-level city, county or banner of three characters or more. A district needs its
#: city first, and two-character names (城区, 和县) are too often the start of something else.
_COUNTY_ALONE = re.compile(r".{2,}[市县旗]")
#: What a prefecture-level city's or a municipality's full name ends with, and its short form
#: leaves off (广州市 → 广州).
CITY_SUFFIX = "市"
#: After a city's full name, a character that makes its 市 the start of a word: 广州市场营销 is
#: 广州 + 市场营销, not 广州市 + 场营销.
_MARKET = frozenset("场政")


def leading_places(text: str) -> int:
    """How many characters at the start of ``text`` (no spaces) name places: a province, a
    city or a county-level place, each one after the first inside the one before, in full
    (广州市, 天河区) or, for a province or a city, short (广东, 广州). The longest name
    wins. 0 when ``text`` does not start with a place.

    广东省广州市天河区润东… → 9; 广州润东… → 2; 北京华信… → 2; 上海东方物流 → 2 (东方市 is not in
    上海); 润东信息技术（广州）有限公司 → 0; 广州市场营销… → 2."""
    places, starts = _places()
    end, within = 0, None
    while True:
        found = None
        for name in starts.get(text[end : end + 2], ()):  # longest first
            if not text.startswith(name, end):
                continue
            codes = places[name]
            if within is not None:
                codes = tuple(c for c in codes if any(_inside(c, w) for w in within))
            elif not any(len(c) < 6 for c in codes) and not _COUNTY_ALONE.fullmatch(name):
                codes = ()
            if codes and not _market_word(text, name, end):
                found = name, codes
                break
        if found is None:
            return end
        end += len(found[0])
        within = found[1]


def city_name(text: str) -> str:
    """A customer's city in its one stored form: the full name of a prefecture-level city or a
    municipality that ``text`` names, short or in full, spaces aside (广州, " 广州市 ", 广　州 →
    广州市; 北京 → 北京市). Anything else is kept as typed, only trimmed: a county-level place or
    a district (昆山, 天河区), a prefecture, short or full (延边, 延边朝鲜族自治州), a place
    abroad (东京, "New York"), a short name two places answer to (吉林: the province and its
    city)."""
    typed = (text or "").strip()
    return _cities().get("".join(typed.split()), typed)


def known_city(name: str) -> bool:
    """Whether ``name`` is the full name of a prefecture-level city or a municipality, the
    form ``city_name`` gives them."""
    return _cities().get(name) == name


@functools.cache
def _cities() -> dict[str, str]:
    """The prefecture-level cities' and the municipalities' names, full and short, → the full
    name. A short name shared by two of them, or by one and another province (吉林市, 吉林省),
    is left out: which is meant is not guessed."""
    fulls: dict[str, set[str]] = defaultdict(set)  # full name → division codes
    provinces: dict[str, set[str]] = defaultdict(set)  # province's short form → codes
    for _length, province, _high, props, children in numdb.get("cn/loc").prefixes:
        name = props.get("province", "")
        if name.endswith(CITY_SUFFIX):  # 北京市, 上海市, 天津市, 重庆市
            fulls[name].add(province)
            continue
        for form in _forms(name)[1:]:
            provinces[form].add(province)
        for _l, code, _h, child, _c in children:
            name = _current(child.get("county", ""))
            if code.endswith("00") and code != "0000" and name.endswith(CITY_SUFFIX):
                fulls[name].add(province + code[:2])
    shorts: dict[str, set[str]] = defaultdict(set)
    for name, codes in fulls.items():
        short = name.removesuffix(CITY_SUFFIX)
        if len(short) >= 2:
            shorts[short] |= codes | provinces.get(short, set())
    cities = {name: name for name in fulls}
    for short, codes in shorts.items():
        if len(codes) == 1:
            cities[short] = short + CITY_SUFFIX
    return cities


def _inside(code: str, outer: str) -> bool:
    return len(code) > len(outer) and code.startswith(outer)


def _market_word(text: str, name: str, end: int) -> bool:
    after = end + len(name)
    return name.endswith("市") and text[after : after + 1] in _MARKET


@functools.cache
def _places() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(name → its division codes: 2 digits for a province, 4 for a city, 6 for a county;
    the first two characters of a name → the names that start so, longest first)."""
    codes: dict[str, set[str]] = defaultdict(set)
    for _length, province, _high, props, children in numdb.get("cn/loc").prefixes:
        for form in _forms(props.get("province", "")):
            codes[form].add(province)
        for _l, code, _h, child, _c in children:
            name = _current(child.get("county", ""))
            if code == "0000" or len(name) < 2 or "辖" in name:
                continue  # the province itself; "市辖区", "省直辖县级行政单位"
            if code.endswith("00"):
                if not _PREFECTURE.fullmatch(name):
                    continue
                for form in _forms(name):
                    codes[form].add(province + code[:2])
            else:
                codes[name].add(province + code)
    for province, forms in _MORE_PROVINCES.items():
        for form in forms:
            codes[form].add(province)
    starts: dict[str, list[str]] = defaultdict(list)
    for name in sorted(codes, key=len, reverse=True):
        starts[name[:2]].append(name)
    return (
        {name: tuple(sorted(c)) for name, c in codes.items()},
        {start: tuple(names) for start, names in starts.items()},
    )


def _forms(name: str) -> tuple[str, ...]:
    """A province's or a city's full name and its short form, if that is two characters or
    more (广东省 → 广东; 阿里地区 stays whole)."""
    if not name:
        return ()
    short = _SHORTENED.sub("", name)
    return (name, short) if short != name and len(short) >= 2 else (name,)


def _current(value: str) -> str:
    """Today's spelling of a name of the table, "" for a place that is no more."""
    for ended, name in reversed(_SPELLING.findall(value)):
        if not ended:
            return name
    return ""
