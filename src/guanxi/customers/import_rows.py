"""One row of a customers' file as a customer's values (``convert``): text tidied, dates in the
forms Chinese spreadsheets write them (and lunar birthdays), choices by their words, a company
told by its name, cells Excel spoiled explained; and what finds a row's duplicates (``row_keys``)."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from lunar_python import Lunar, LunarMonth

from guanxi.core.django_wording import too_long
from guanxi.customers import (
    masking,
    spreadsheets,
)
from guanxi.customers.import_mapping import (
    CHOICES,
    CONTACT_TARGETS,
    SYNONYMS,
)
from guanxi.customers.import_tables import (
    EXACT_DIGITS,
    NUL,
    Table,
    cell_text,
    lost_digits,
)
from guanxi.customers.models import (
    BirthdayCalendar,
    Customer,
    IncomeBand,
    Kind,
)

_TEXT_LIMITS = {
    f.name: f.max_length
    for f in Customer._meta.concrete_fields
    if f.get_internal_type() == "TextField" and f.max_length
}


_TAG_SPLIT = re.compile(r"[,，;；、|]")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


#: A phone number a tool wrote as a float ("13800138000.0": pandas, a database export).
_FLOAT_DIGITS = re.compile(r"(\d{5,})\.0")


_DATE_SHAPE = re.compile(
    r"\d{4}(?:[-/.]\d{1,2}[-/.]\d{1,2}|年\d{1,2}月\d{1,2}日|\d{4})"
)  # a date, if it existed


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y年%m月%d号",
    "%Y年%m月%d",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
)


#: A year in two digits, then month and day, with dots or dashes ("85.3.5", "85-03-05"): how
#: Chinese spreadsheets shorten a date, never day first. With slashes ("05/03/85") the order
#: is anyone's guess: not taken.
_SHORT_YEAR_DATE = re.compile(r"(\d{2})([.\-])(\d{1,2})\2(\d{1,2})")


#: A whole number Excel keeps a date as (days since 1899-12-30), as a tool wrote it out as text.
_DATE_SERIAL = re.compile(r"[1-9]\d{4}(?:\.0)?")


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def cell_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)  # what %Y-%m-%d gives, without strptime
        except ValueError:
            pass
    if not text.isascii():  # full-width digits and dashes (１９８５－０３－０５), spaces in 年月日
        text = unicodedata.normalize("NFKC", text)
        if "年" in text:
            text = text.replace(" ", "")
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    if short := _SHORT_YEAR_DATE.fullmatch(text):
        year = 2000 + int(short.group(1))
        if year > timezone.localdate().year:  # "85.3.5" is 1985, "05.3.5" 2005
            year -= 100
        try:
            return dt.date(year, int(short.group(3)), int(short.group(4)))
        except ValueError:
            raise ValidationError(_("There is no such day in the calendar.")) from None
    if _DATE_SHAPE.fullmatch(text):
        raise ValidationError(_("There is no such day in the calendar."))
    if _DATE_SERIAL.fullmatch(text):
        day = _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
        raise ValidationError(
            _(
                "%(number)s looks like the number Excel keeps a date as (%(date)s): format the "
                "column as a date in Excel, or write the date as %(date)s."
            )
            % {"number": text, "date": day.isoformat()},
            code="date_serial",
        )
    raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="date_format")


def _date_forms_message() -> str:
    """What a customer's date column takes, said by example."""
    return _("Write the date as 1985-03-05, 1985/3/5 or 1985年3月5日.")


#: A lunar birthday as people write it: "农历1985年正月十五", "农历1985年闰四月初一",
#: "农历1985-01-15".
_LUNAR_PREFIXES = ("农历", "阴历", "農曆", "陰曆")


_LUNAR_DATE = re.compile(
    r"(\d{4})(?:年|[-/.])(闰|閏)?(\d{1,2}|[正一二三四五六七八九十冬腊臘]+)(?:月|[-/.])"
    r"(\d{1,2}|[初十廿卅一二三四五六七八九]+)[日号]?"
)


_CHINESE_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


_MONTH_WORDS = {"正": 1, "冬": 11, "腊": 12, "臘": 12}


def _chinese_number(text: str) -> int:
    """一 … 三十, 廿五, 初八 as numbers (what lunar months and days are written with)."""
    if text.isdigit():
        return int(text)
    text = text.removeprefix("初").replace("廿", "二十").replace("卅", "三十")
    if text in _MONTH_WORDS:
        return _MONTH_WORDS[text]
    tens, _sep, ones = text.rpartition("十")
    if not _sep:
        return _CHINESE_DIGITS.get(text, 0)
    return (_CHINESE_DIGITS.get(tens, 0) if tens else 1) * 10 + _CHINESE_DIGITS.get(ones, 0)


def _lunar_birthday(text: str) -> dt.date:
    """The solar date of a lunar birthday written after 农历 ("1985年正月十五" is 1985-03-06),
    as the birthday is kept with the lunar calendar; ValidationError saying how to write it."""
    found = _LUNAR_DATE.fullmatch(unicodedata.normalize("NFKC", text).replace(" ", ""))
    if found is None:
        raise ValidationError(_("Write a lunar birthday as 农历1985年正月十五 or 农历1985-01-15."))
    year, leap = int(found.group(1)), bool(found.group(2))
    month, day = _chinese_number(found.group(3)), _chinese_number(found.group(4))
    lunar_month = LunarMonth.fromYm(year, -month if leap else month) if 1 <= month <= 12 else None
    if lunar_month is None or not 1 <= day <= lunar_month.getDayCount():
        raise ValidationError(_("There is no such day in the lunar calendar."))
    solar = Lunar.fromYmd(year, -month if leap else month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


_CHOICE_INDEX: dict[str, dict[str, str]] = {}


def _choice_index(target: str) -> dict[str, str]:
    """lower-case value or label (English and Chinese) → value; the first choice wins."""
    index = _CHOICE_INDEX.get(target)
    if index is None:
        index = dict(SYNONYMS.get(target, {}))
        for value, label in CHOICES[target].choices:
            index.setdefault(value.lower(), value)
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    index.setdefault(str(label).lower(), value)
        _CHOICE_INDEX[target] = index
    return index


#: An income as a number of yuan a month ("12345.6", "¥8,000", "1.5万", "12k"), placed in its
#: band (``INCOME_BANDS``).
_INCOME = re.compile(
    r"[¥￥]?\s*(\d[\d,]*(?:\.\d+)?)\s*(万|千|k)?\s*(?:元)?\s*(?:/\s*月|每月)?", re.I
)


_INCOME_UNITS = {None: 1, "万": 10_000, "千": 1_000, "k": 1_000, "K": 1_000}


#: The monthly income bands, each up to (not including) its bound; "¥20,000–50,000" takes
#: 50,000 itself, "Above ¥50,000" what is above it.
INCOME_BANDS = (
    (5_000, IncomeBand.BELOW_5K),
    (10_000, IncomeBand.FROM_5K),
    (20_000, IncomeBand.FROM_10K),
    (50_000.001, IncomeBand.FROM_20K),
)


def _income_band(text: str) -> str | None:
    """The band of an income written as a number, None if it is none."""
    found = _INCOME.fullmatch(text)
    if found is None:
        return None
    amount = float(found.group(1).replace(",", "")) * _INCOME_UNITS[found.group(2)]
    band = next((band for bound, band in INCOME_BANDS if amount < bound), IncomeBand.ABOVE_50K)
    return band.value


def _choice(target: str, text: str) -> str | None:
    """The choice's value for its label, value or synonym in either language; None if unknown.
    An income as a number is placed in its band."""
    found = _choice_index(target).get(text.lower())
    if found is None and target == "income_band":
        return _income_band(text)
    return found


def _not_a_choice(target: str, text: str) -> str:
    accepted = pgettext("between items of a list", ", ").join(
        str(label) for value, label in CHOICES[target].choices if value
    )
    return _("'%(value)s' is not one of: %(accepted)s.") % {"value": text, "accepted": accepted}


#: The endings of an organisation's name: a row with no type whose name ends so is a company
#: ("深圳市华强电子有限公司", "佛山市利达五金厂", "ABC Trading Co., Ltd."). Endings a person's
#: name does not have; a bracketed part at the very end ("（筹）", "(深圳)") is looked behind.
COMPANY_ENDINGS = tuple(
    "公司 集团 集團 厂 廠 店 商行 中心 研究院 研究所 设计院 設計院 事务所 事務所 合作社 工作室 "
    "银行 銀行 医院 醫院 诊所 診所 药房 藥房 学校 學校 学院 學院 大学 大學 幼儿园 幼兒園 "
    "协会 協會 商会 商會 联合会 聯合會 基金会 基金會 委员会 委員會 工商户 工商戶 门市部 門市部 "
    "经营部 經營部 超市 酒家 餐厅 餐廳 宾馆 賓館 农场 農場 车行 車行".split()
)


_COMPANY_LATIN = re.compile(
    r"(?:\b(?:co|corp|inc|ltd|llc|llp|plc|gmbh|pte)\.?|\b(?:company|corporation|limited|"
    r"incorporated|group|holdings|s\.a\.|l\.l\.c\.))\s*$",
    re.IGNORECASE,
)


_BRACKETED_END = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


#: An ID number as a resident's: 17 digits and a digit or X (a company's code has letters).
_RESIDENT_ID = re.compile(r"\d{17}[\dXx]")


def named_as_company(name: str) -> bool:
    """Whether ``name`` ends as an organisation's name does (``COMPANY_ENDINGS``)."""
    if name.endswith(("）", ")")):
        name = _BRACKETED_END.sub("", name)
    if name.endswith(COMPANY_ENDINGS):
        return True
    return name[-1:].isascii() and _COMPANY_LATIN.search(name) is not None


def _company_by_name(data: dict) -> bool:
    """Whether a row without a type is a company by its name: a name ending as a company's,
    and nothing only a person has (gender, birthday, a resident ID number)."""
    if "kind" in data or "gender" in data or "birthday" in data:
        return False
    name = data.get("name")
    if not name or not named_as_company(name):
        return False
    id_number = data.get("id_number", "")
    return not _RESIDENT_ID.fullmatch(id_number)


def companies_by_name(table: Table, mapping: dict[str, str]) -> int:
    """How many rows of ``table`` the import takes for companies by their names (the mapping
    gives no type, or the row's type cell is empty): what the mapping page says. Reads only
    the columns that decide it (~0.1 s for 100,000 rows)."""
    at = {t: table.headers.index(h) for h, t in mapping.items() if h in table.headers}
    if "name" not in at:
        return 0
    decisive = [(t, at[t]) for t in ("name", "kind", "gender", "birthday", "id_number") if t in at]
    found = 0
    for cells in table.rows:
        data = {t: text for t, i in decisive if (text := cell_text(cells[i]))}
        found += _company_by_name(data)
    return found


def companies_by_name_note(table: Table, mapping: dict[str, str]) -> str:
    """What the mapping page says of the rows taken for companies by their names; "" if none."""
    found = companies_by_name(table, mapping)
    if not found:
        return ""
    return ngettext(
        "%(n)d row has no type and a company's name (…有限公司, …厂, …Co., Ltd.): it is "
        "imported as a company.",
        "%(n)d rows have no type and a company's name (…有限公司, …厂, …Co., Ltd.): they are "
        "imported as companies.",
        found,
    ) % {"n": found}


@dataclass
class Row:
    number: int  # as the spreadsheet shows it (header = 1)
    data: dict
    tags: list[str]
    raw: dict  # target -> raw cell text, for the report
    errors: dict = field(default_factory=dict)


#: The fields a list exported by a user who sees them masked holds as "+86138****8000": such a
#: value updates nothing, and is no value a new customer can be given.
MASKABLE = tuple(masking.SENSITIVE_FIELDS)


def masked_fields(row: Row) -> list[str]:
    """The fields of ``row`` given as an export masks them."""
    return [t for t in MASKABLE if "*" in row.raw.get(t, "")]


#: Full-width Latin letters, digits and the ideographic space as their ASCII selves
#: ("Ｗａｎｇ　Ｌｅｉ" is "Wang Lei"); full-width punctuation (（）、，) is kept: it is how
#: Chinese is written.
_HALF_WIDTH = {
    **{
        c: c - 0xFEE0
        for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
        for c in range(r[0], r[1] + 1)
    },
    0x3000: 0x20,
}


_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")


#: What a cell ``tidy`` may change has: a full-width character (or a line break, a tab).
_WIDE = re.compile("[\uff01-\uff5e\u3000]")


#: Fields whose every character may be normalised (NFKC): no Chinese in them.
_NFKC_FIELDS = ("email", "wechat_id")


#: Fields of several lines: their line breaks are kept.
_MULTILINE_FIELDS = ("notes",)


def tidy(target: str, text: str) -> str:
    """A cell's text (not all printable ASCII) as its field keeps it: an e-mail or WeChat ID normalised,
    full-width letters, digits and spaces as half-width ones elsewhere, and in a field of one
    line its line breaks, tabs and runs of spaces as one space."""
    if target in _NFKC_FIELDS:
        text = unicodedata.normalize("NFKC", text)
    elif _FULL_WIDTH.search(text):  # rare: the search is quicker than translating every cell
        text = text.translate(_HALF_WIDTH)
    if target not in _MULTILINE_FIELDS and not text.isprintable():
        text = " ".join(text.split())
    return text


def convert(number: int, cells: list, columns: list[tuple[int, str]]) -> Row:
    """The customer data of one row (empty cells left out), with conversion errors by field."""
    data: dict = {}
    custom: dict = {}
    tags: list[str] = []
    raw: dict = {}
    errors: dict[str, list[str]] = {}
    lunar = False  # a birthday written as 农历…
    for index, target in columns:
        value = cells[index]
        text = cell_text(value)
        if text or target not in raw:  # an empty second notes column keeps the first's
            raw[target] = text
        if (type(value) is not str or target in _DIGIT_FIELDS) and (
            problem := cell_problem(value, target)  # before the text check: it may have none
        ) is not None:
            errors.setdefault(target, []).append(problem)
            continue
        if not text:
            continue
        if NUL in text:  # left out of the data: the row fails, nothing queries with it
            errors.setdefault(target, []).append(nul_message())
            continue
        if target in CONTACT_TARGETS:  # the contact's: in raw, for the batch
            continue
        if target == "tags":  # from one column or several (JOINED_FIELDS)
            tags.extend(t.strip() for t in _TAG_SPLIT.split(text) if t.strip())
        elif target.startswith("custom."):
            custom[target.split(".", 1)[1]] = text
        elif target == "birthday":
            try:
                if text.startswith(_LUNAR_PREFIXES):
                    data["birthday"] = _lunar_birthday(text[2:])
                    lunar = True
                else:
                    data["birthday"] = cell_date(value)
            except ValidationError as exc:
                if exc.code == "date_format":  # the forms a customer's import takes, by example
                    errors.setdefault(target, []).append(_date_forms_message())
                else:
                    errors.setdefault(target, []).extend(exc.messages)
        elif target in CHOICES:
            choice = _choice(target, text)
            if choice is None:
                errors.setdefault(target, []).append(_not_a_choice(target, text))
            else:
                data[target] = choice
        elif target in MASKABLE and "*" in text:
            continue  # as an export hid it: no value here (kept in raw for the report)
        else:
            if target in ("phone", "phone_alt") and (digits := _FLOAT_DIGITS.fullmatch(text)):
                text = digits.group(1)
            elif not text.isprintable() or (not text.isascii() and _WIDE.search(text)):
                text = tidy(target, text)
            if target == "notes" and "notes" in data:  # a second notes column: a line more
                text = raw["notes"] = f"{data['notes']}\n{text}"
            limit = _TEXT_LIMITS.get(target)
            if limit and len(text) > limit:
                # Django does not validate a TextField's max_length; the model still declares it.
                errors.setdefault(target, []).append(too_long(limit, len(text)))
            data[target] = text
    if custom:
        data["custom"] = custom
    if lunar:
        if data.setdefault("birthday_calendar", BirthdayCalendar.LUNAR.value) != "lunar":
            errors.setdefault("birthday", []).append(
                _("The birthday says 农历 but the birthday calendar column says otherwise.")
            )
    if "kind" not in data and "kind" not in errors and _company_by_name(data):
        data["kind"] = Kind.COMPANY.value
    return Row(number=number, data=data, tags=list(dict.fromkeys(tags)), raw=raw, errors=errors)


def nul_message() -> str:
    """Why a cell holding a NUL character fails: the form's and the API's words."""
    return _("Must not contain a NUL character.")


#: A number as Excel writes it into a CSV file from a cell too narrow for its digits, or from
#: a number of more than 11 digits in the General format: its first six digits only.
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+\d+", re.IGNORECASE)


#: The fields whose text is looked at for such a number: a number in them is never written so.
_DIGIT_FIELDS = frozenset({"id_number", "phone", "phone_alt"})


#: Characters of a formula a reason quotes.
_FORMULA_SHOWN = 60


def cell_problem(value, target: str) -> str | None:
    """Why the cell ``value`` gives ``target`` no value, whatever its text, or None (nearly
    always): a formula without a saved result or an error value (``spreadsheets.Unread``: the
    file holds no value), a number cell of 16 digits or more, whose last digits Excel lost,
    or, in the ID number and phone fields, a number Excel wrote in scientific notation into a
    CSV file (4.40106E+17)."""
    kind = type(value)
    if kind is str:
        if target in _DIGIT_FIELDS and _SCIENTIFIC.fullmatch(text := value.strip()):
            return _scientific_message(text)
        return None
    if kind is spreadsheets.Unread:
        return _unread_message(value)
    if lost_digits(value):
        return _number_lost_digits_message(target)
    return None


def _number_lost_digits_message(target: str = "id_number") -> str:
    if target == "id_number":
        return _(
            "Excel stored this ID number as a number, which keeps only %(n)d digits: its last "
            "digits are lost. Format the column as text, type the ID number again and import "
            "the file again."
        ) % {"n": EXACT_DIGITS}
    return _(
        "Excel stored this number as a number, which keeps only %(n)d digits: its last digits "
        "are lost. Format the column as text, type the number again and import the file again."
    ) % {"n": EXACT_DIGITS}


def _scientific_message(text: str) -> str:
    return _(
        "This number reads %(value)s, as Excel writes a long number in scientific notation: "
        "its other digits are lost. Format the column as text in Excel, type the numbers "
        "again and import the file again (the workbook itself rather than a CSV saved from it)."
    ) % {"value": text}


def _unread_message(cell: spreadsheets.Unread) -> str:
    if cell.error:
        return _(
            "The cell shows the error %(error)s: correct it in the file or empty the cell, "
            "then import the file again."
        ) % {"error": cell.error}
    if cell.formula:
        formula = cell.formula
        if len(formula) > _FORMULA_SHOWN:
            formula = formula[:_FORMULA_SHOWN] + "…"
        return _(
            "The formula =%(formula)s has no saved result (a program wrote the file): open it "
            "in Excel and save it, then import it again."
        ) % {"formula": formula}
    return _(
        "A formula without a saved result (a program wrote the file): open it in Excel and "
        "save it, then import it again."
    )


def masked_value_message() -> str:
    return _(
        "A value hidden as the export masked it cannot be given to a new customer: type it "
        "whole or leave the cell empty."
    )


def not_this_customer(pk: int) -> str:
    return _(
        "Customer #%(id)d has another name and none of this row's phone, e-mail or ID number: "
        "if this column holds another system's numbers, do not import it."
    ) % {"id": pk}


#: A cell saying its row is a total: the word (合计, 总计, 小计, 共计, 汇总, Total, Sum…), alone
#: or followed by a colon and what it sums ("合计：20"), or a count ("共20人", "合计 20 家").
#: Whole cells only, so that a customer called 合计科技有限公司 is no total.
_TOTAL_WORD = r"(?:合计|合計|总计|總計|小计|小計|共计|共計|汇总|彙總|总数|總數|grand\s*total|sub\s*total|totals?|sum)"


_TOTAL_CELL = re.compile(
    rf"{_TOTAL_WORD}\s*(?:[:：].*)?|(?:{_TOTAL_WORD}|共)\s*[:：]?\s*\d[\d,.]*\s*[人个個位家户戶条條行名项項]?",
    re.IGNORECASE | re.DOTALL,
)


_COUNT_CELL = re.compile(r"[\d,.]+\s*[人个個位家户戶条條行名项項]?")


#: How many rows at the bottom of a file may be totals (合计, then 总计…).
TOTAL_ROWS = 3


def _looks_like_total(cells: list, name_at: int | None) -> bool:
    """Whether a row is a spreadsheet's totals row: a cell saying so (``_TOTAL_CELL``), and in
    the name's column nothing, that cell, or a count ("共20人"), never a name."""
    texts = [cell_text(cell) for cell in cells]
    if not any(_TOTAL_CELL.fullmatch(t) for t in texts if t):
        return False
    name = texts[name_at] if name_at is not None and name_at < len(texts) else ""
    return not name or bool(_TOTAL_CELL.fullmatch(name) or _COUNT_CELL.fullmatch(name))


def totals_rows(table: Table, name_at: int | None) -> frozenset[int]:
    """The sheet's numbers of the totals rows (``_looks_like_total``) at the bottom of
    ``table``: a row of sums under the customers is no customer."""
    found: set[int] = set()
    for index in range(len(table.rows) - 1, max(len(table.rows) - TOTAL_ROWS, 0) - 1, -1):
        if not _looks_like_total(table.rows[index], name_at):
            break
        found.add(table.numbers_of(index, 1)[0])
    return frozenset(found)


def total_row_message() -> str:
    return _("Looks like a totals row; not imported.")


def changes_nothing(found: Customer, candidate: Customer, changes: dict, tags: list) -> bool:
    """Whether updating ``found`` to ``candidate`` (``changes`` applied and cleaned) with these
    tags would change nothing."""
    if any(getattr(candidate, f) != getattr(found, f) for f in changes):
        return False
    current = {t.strip() for t in found.tag_names.split(",")}
    return all(t in current for t in tags)


def same_customer(values, record) -> bool:
    """Whether a row naming a customer by ID is plausibly that customer: the same name, or a
    phone, e-mail, ID number or name + employer in common. Another system's export has an ID
    column too, whose numbers are not ours."""
    return values["name"] == record["name"] or not set(row_keys(values)).isdisjoint(
        row_keys(record)
    )


#: Where a row's key is looked for among what is not a customer's own key, when none of its keys
#: is (``_Batch._existing``): the kinds of ``_Batch._skip_contact``, in this order.
OTHER_KINDS = {"phone": ("phone_alt", "contact"), "email": ("contact_email",)}


_SPACES = re.compile(r"\s+")


def company_key(name: str) -> str:
    """A company's name as two spellings of it compare: full-width letters, digits and
    brackets as half-width ones (NFKC), in any case, without spaces. "广州某某（中国）有限公司"
    is "广州某某(中国)有限公司", "ＡＢＣ Co., Ltd" is "abc co.,ltd"."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name)).casefold()


def company_spellings(name: str) -> set[str]:
    """The spellings of a company's name its customer may have been saved with: as given, with
    half-width or full-width brackets, and for a Latin name in capitals or small letters. Each
    is looked up through the name's index; ``company_key`` then compares them."""
    half = unicodedata.normalize("NFKC", name).strip()
    spellings = {name, half, half.replace("(", "（").replace(")", "）")}
    if any("a" <= c <= "z" or "A" <= c <= "Z" for c in half):
        spellings.update((half.upper(), half.lower(), half.title()))
    return spellings


def row_keys(values) -> list[tuple]:
    """What makes two records the same customer: phone, e-mail, ID/USCC, or name + company.

    ``values`` maps field names to values: a row's cleaned values or a customer's ``__dict__``.
    """
    keys: list[tuple] = []
    if values["phone"]:
        keys.append(("phone", values["phone"]))
    if values["email"]:
        keys.append(("email", values["email"]))
    if values["id_number"]:
        keys.append(("id_number", values["id_number"]))
    if values["kind"] == Kind.COMPANY:
        keys.append(("name", company_key(values["name"]), ""))
    elif values["company_name"]:
        keys.append(("name", values["name"], values["company_name"]))
    return keys
