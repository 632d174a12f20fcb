"""Import customers from CSV and XLSX files.

The steps: ``read_table`` reads the file (workbooks through ``spreadsheets``, calamine for
nearly every sheet; CSV in UTF-8 with or without a BOM, UTF-16 with a BOM, else GB18030 as
Chinese Excel saves it); ``auto_mapping``
matches the columns to customer fields from Chinese or English headers; ``process`` validates
every row with the checks of ``create_customer`` (``bulk.CustomerCleaner``: the model's rules on
plain values, ``services.prepare_customer`` for a row that fails one, so the messages are the
model's) and, unless it is a dry run, writes the rows in atomic batches (``bulk.insert_customers``:
customers, history rows and tags in a few statements). Duplicates are looked up once per key
field and batch (a phone also among the customers' other phones and the contacts' phones, an
e-mail among the contacts' e-mails, in a query more each); the custom field definitions are
read once per import. A long import converts and checks its rows in a second process
(``import_checker``) while this one matches and writes them, so it uses two cores; on
PostgreSQL two connections write (``import_writers``), so the server writes two batches at
once, still committed in the file's order.

A row is either fully written or listed in the error report (row, column, value, reason);
after each batch the job records how far it got, in the same transaction, so a job that
stopped continues where it left off.
"""

import bisect
import copy
import csv
import datetime as dt
import gc
import io
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower, Trim
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from lunar_python import Lunar, LunarMonth
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from guanxi.accounts.models import User
from guanxi.core.django_wording import too_long
from guanxi.customers import (
    bulk,
    history_reasons,
    import_checker,
    import_writers,
    masking,
    services,
    spreadsheets,
)
from guanxi.customers.bulk import insert_customers
from guanxi.customers.exports import FORMULA_START, neutralise
from guanxi.customers.models import (
    BirthdayCalendar,
    Contact,
    Customer,
    CustomField,
    Gender,
    IncomeBand,
    Kind,
    SourceChannel,
    ValueOrientation,
    custom_fields_cached,
)
from guanxi.customers.models_import import ImportJob, OnDuplicate

BATCH_SIZE = 2000
IN_CHUNK = 900  # values per IN list: under SQLite's 999 parameters
KEY_FIELDS = ("id", "kind", "name", "phone", "email", "id_number", "company_name")
PREVIEW_ROWS = 10
REPORT_VALUE_CHARS = 200
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
#: No text in Guanxi may hold it (PostgreSQL refuses it, search misses it): a cell with one is
#: a row error, as the form and the API refuse it.
NUL = "\x00"
csv.field_size_limit(16 * 1024 * 1024)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, empty, no name column…)."""


# --- reading --------------------------------------------------------------------------------

#: Non-blank rows at the top of a sheet among which the header is looked for: Chinese Excel
#: exports often put a title ("某某公司客户明细表 2026年11月") or a note above it.
HEADER_SEARCH_ROWS = 10
#: The bytes of a CSV file that is not UTF-8 whose two-byte characters decide between GBK and
#: Big5: enough to judge, and quick on a file of 100 MB.
ENCODING_SAMPLE_BYTES = 64 * 1024
#: Two bytes that GBK and Big5 both read as one character: a lead byte, then a trail byte.
_DOUBLE_BYTE = re.compile(rb"[\x81-\xfe][\x40-\xfe]")
_PHONE_LIKE = re.compile(r"\+?\d[\d\s()\-]{5,}\d")
_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_VALUE_LIKE = re.compile(r"[+\-]?\d[\d\s,.:/\-]*|\d{4}年\d{1,2}月(?:\d{1,2}日)?")


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    encoding: str = ""
    #: The sheet's row number of ``rows[0]``, for the reports: 2 under a header in row 1, more
    #: under a title, 1 in a file without a header.
    first_row: int = 2
    #: The sheet's row number of each row when blank rows between them were left out (None:
    #: there were none, and row ``i`` is ``first_row + i``).
    numbers: list[int] | None = None
    #: The workbook's sheet read ("" for a CSV file), and (name, rows) of each of its other
    #: visible sheets holding a table, which an import does not read (``unread_sheets_note``).
    sheet: str = ""
    unread_sheets: list[tuple[str, int]] = field(default_factory=list)

    def numbers_of(self, begin: int, count: int) -> Sequence[int]:
        """The sheet's row numbers of ``rows[begin : begin + count]``, as the reports say them."""
        if self.numbers is None:
            return range(self.first_row + begin, self.first_row + begin + count)
        return self.numbers[begin : begin + count]

    def index_of(self, number: int) -> int | None:
        """The index in ``rows`` of the sheet's row ``number``; None if no row has it."""
        if self.numbers is None:
            index = number - self.first_row
            return index if 0 <= index < len(self.rows) else None
        at = bisect.bisect_left(self.numbers, number)
        return at if at < len(self.numbers) and self.numbers[at] == number else None


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-16 with a BOM, UTF-8 with or
    without one, else Chinese as Excel saves it, GBK/GB18030 (Simplified) or Big5
    (Traditional), told apart on the file's first bytes (``_chinese_encodings``)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", *_chinese_encodings(data[:ENCODING_SAMPLE_BYTES]))
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _(
            "The file is neither UTF-8 nor GBK/GB18030 text. Save it as "
            '"CSV UTF-8" or as an Excel workbook and try again.'
        )
    )


def _chinese_encodings(sample: bytes) -> tuple[str, ...]:
    """The encodings to read a file that is not UTF-8 in, judged from its two-byte characters
    in ``sample``: Big5's when they look like Big5, GB18030 when they look like GBK, none when
    they look like neither (Japanese, a Western code page: GB18030 reads nearly any bytes,
    as garbage).

    Simplified text as GBK writes it has nearly all of them in GB2312's area (hanzi: lead byte
    0xB0-0xF7; full-width punctuation: 0xA1, 0xA3; trail byte 0xA1 and up), Big5 text about a
    quarter (half its trail bytes are under 0x80). Big5 text has nearly all of them among its
    symbols and common characters (lead byte 0xA1-0xC6), GBK's text about half."""
    gb = big5 = count = 0
    for lead, trail in _DOUBLE_BYTE.findall(sample):
        count += 1
        if trail >= 0xA1 and (0xB0 <= lead <= 0xF7 or lead == 0xA1 or lead == 0xA3):
            gb += 1
        if 0xA1 <= lead <= 0xC6 and (trail <= 0x7E or trail >= 0xA1):
            big5 += 1
    if big5 > gb:
        return ("big5", "cp950", "big5hkscs")  # cp950: Windows' Big5, as Excel writes it
    if gb * 2 < count:
        return ()
    return ("gb18030",)


def _sniff(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:20000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _unique_headers(raw: list[tuple[int, object]]) -> list[str]:
    """The headers of the columns at these (index, header cell): "#4" for the fourth column
    without one, "名称 (2)" for a second 名称."""
    headers: list[str] = []
    for index, value in raw:
        # A NUL in a header would go into the job's mapping, which PostgreSQL cannot store.
        name = _text(value).replace(NUL, "") or f"#{index + 1}"
        candidate, n = name, 2
        while candidate in headers:
            candidate = f"{name} ({n})"
            n += 1
        headers.append(candidate)
    return headers


def _holds_contact(texts: list[str]) -> bool:
    """Whether a row has a phone number or an e-mail address: a customer, not a header."""
    return any(_PHONE_LIKE.fullmatch(t) or _EMAIL_LIKE.fullmatch(t) for t in texts)


def _mostly_values(cells: list, texts: list[str]) -> bool:
    """Whether most of a row's filled cells are numbers or dates, as data is, not names."""
    filled = values = 0
    for cell, text in zip(cells, texts, strict=True):
        if text:
            filled += 1
            values += type(cell) is not str or _VALUE_LIKE.fullmatch(text) is not None
    return values * 2 > filled


def _fields_named(texts: list[str]) -> int:
    """How many of a customer's fields a row of headers names."""
    return len(auto_mapping(texts))


def _header(top: list[list], names: Callable) -> tuple[int | None, bool]:
    """The index of the header among ``top``, the sheet's first rows holding a value, and
    whether it names a field: the row in which ``names`` recognises the most cells (the first
    of a tie), else the first row. None when no row names a field and the first holds a phone
    number or an e-mail address or mostly values: the file has no header."""
    best, most = 0, 0
    for index, cells in enumerate(top):
        texts = [_text(v) for v in cells]
        if _holds_contact(texts):
            continue  # a customer's row, whatever words it holds ("公司" as the kind)
        named = names(texts)
        if named > most:
            best, most = index, named
        if named >= 2 and named * 2 >= sum(1 for t in texts if t):
            break  # a header as most files have it: no need to look further
    if most:
        return best, True
    texts = [_text(v) for v in top[0]]
    if _holds_contact(texts) or _mostly_values(top[0], texts):
        return None, False
    return best, False


def _fill_merges(data: list[tuple[int, list]], merges, header_row: int) -> None:
    """A merged range's value in each row of its first column, as the sheet shows it (a city
    merged over the three customers of that city), for ranges below the header, in the rows
    holding something else (a row the range alone covers stays out). Not across its columns:
    a value merged over two columns is one column's value."""
    ranges = [m for m in merges if m[0] > header_row and m[2] > m[0]]
    if not ranges:
        return
    indexes = [index for index, _cells in data]
    for top, left, bottom, _right in ranges:
        at = bisect.bisect_left(indexes, top)
        if at == len(indexes) or indexes[at] != top:
            continue
        first = data[at][1]
        value = first[left] if left < len(first) else None
        if spreadsheets.empty(value):
            continue
        for _index, cells in data[at + 1 : bisect.bisect_right(indexes, bottom)]:
            if left >= len(cells):
                cells.extend([None] * (left + 1 - len(cells)))
            if spreadsheets.empty(cells[left]):
                cells[left] = value


def _table(sheet: spreadsheets.Sheet, encoding: str, names: Callable) -> tuple[Table, bool] | None:
    """A sheet's table and whether it looks like one (its header names a field or has several
    columns; not a note); None when the sheet is blank.

    A column that has no header and no value under it (a cell holding a space far to the
    right, a spacer column) is left out, so that the mapping page never shows it."""
    rows = sheet.rows
    if not rows:
        return None
    header, named = _header([cells for _index, cells in rows[:HEADER_SEARCH_ROWS]], names)
    if header is None:  # every row is data; the user maps the columns by their position
        header_cells: list = []
        header_row, data = -1, rows
    else:
        header_cells = rows[header][1]
        header_row, data = rows[header][0], rows[header + 1 :]
    _fill_merges(data, sheet.merges, header_row)
    width = max(len(header_cells), max((len(cells) for _index, cells in data), default=0))
    kept = [
        column
        for column in range(width)
        if (column < len(header_cells) and _text(header_cells[column]))
        or any(column < len(cells) and not spreadsheets.empty(cells[column]) for _i, cells in data)
    ]
    if header is None:
        headers = [_("Column %(n)d") % {"n": column + 1} for column in kept]
    else:
        headers = _unique_headers(
            [(c, header_cells[c] if c < len(header_cells) else None) for c in kept]
        )
    if len(kept) == width:
        table_rows = [
            cells if len(cells) == width else cells + [None] * (width - len(cells))
            for _index, cells in data
        ]
    else:
        table_rows = [
            [cells[c] if c < len(cells) else None for c in kept] for _index, cells in data
        ]
    numbers = None
    if data and data[-1][0] - data[0][0] != len(data) - 1:  # blank rows between
        numbers = [index + 1 for index, _cells in data]
    table = Table(
        headers=headers,
        rows=table_rows,
        encoding=encoding,
        first_row=data[0][0] + 1 if data else header_row + 2,
        numbers=numbers,
        sheet=sheet.name,
    )
    return table, named or header is None or sum(1 for v in header_cells if _text(v)) > 1


def _sheets(path: Path):
    """The sheets of a workbook, in order, each read when asked for."""
    from python_calamine import CalamineError

    try:
        yield from spreadsheets.workbook_sheets(path)
    except (CalamineError, ValueError, spreadsheets.UnreadableWorkbook):
        raise ImportFileError(
            _(
                "This is not an Excel workbook that can be read. Open it in Excel and save it "
                'again as an Excel workbook (.xlsx) or as "CSV UTF-8", then upload that file.'
            )
        ) from None


def read_table(
    path: str | Path, *, no_rows: str = "", names: Callable[[list[str]], int] = _fields_named
) -> Table:
    """Headers and rows of a CSV or XLSX file; ``no_rows`` is the message when only the header
    is there, ``names`` counts the fields a row of headers names (other importers name their
    own records and fields).

    The header is the row, among the first non-blank ones, whose cells name the most fields:
    a title above it is skipped. A file whose rows name no field and whose first row holds
    values (a phone number, an e-mail address…) has no header: its columns are "Column 1",
    "Column 2"… and every row is data. Of a workbook, the first sheet with rows under a header
    is read (an empty sheet or a note of one column before it is passed over); the other
    sheets holding a table after it are named in ``Table.unread_sheets``. Its rows are not
    added to the first sheet's: an import's report and its rows to fix name a row by its
    number in the sheet, which would then name two rows."""
    path = Path(path)
    with collector_paused():  # lists of strings: the collector's passes over them find nothing
        try:
            return _read_table(path, no_rows, names)
        except spreadsheets.SpreadsheetError as exc:
            raise ImportFileError(str(exc)) from None


def _read_table(path: Path, no_rows: str, names: Callable) -> Table:
    if path.suffix.lower() in XLSX_SUFFIXES:
        sheets, encoding = _sheets(path), "xlsx"
    else:
        text, encoding = decode(path.read_bytes())
        try:
            sheets = [
                spreadsheets.csv_sheet(csv.reader(io.StringIO(text, newline=""), _sniff(text)))
            ]
        except csv.Error as exc:
            raise ImportFileError(
                _("The CSV file cannot be read: %(error)s") % {"error": exc}
            ) from None
    chosen = fallback = None
    sheets = iter(sheets)
    while (sheet := _next_sheet(sheets, chosen)) is not None:
        found = _table(sheet, encoding, names)
        if found is None:
            continue
        table, tabular = found
        if chosen is not None:
            if table.rows and tabular and not sheet.hidden:
                chosen.unread_sheets.append((sheet.name, len(table.rows)))
        elif table.rows and tabular:
            chosen = table
        elif fallback is None or (table.rows and not fallback.rows):
            fallback = table
    if chosen is not None:
        return chosen
    if fallback is None:
        raise ImportFileError(_("The file is empty."))
    if not fallback.rows:
        raise ImportFileError(no_rows or _("The file has a header row but no customers."))
    return fallback


def _next_sheet(sheets, chosen: Table | None) -> spreadsheets.Sheet | None:
    """The next sheet, None after the last. Once the sheet to read is found, a later sheet
    that cannot be read (too big, broken) ends the search: the import reads the one found."""
    try:
        return next(sheets, None)
    except (ImportFileError, spreadsheets.SpreadsheetError):
        if chosen is None:
            raise
        return None


def unread_sheets_note(table: Table) -> str:
    """What the mapping page and the command say when the workbook has other sheets holding
    a table: which sheet is read, which are not, with their rows; "" when there are none."""
    if not table.unread_sheets:
        return ""
    others = pgettext("between items of a list", ", ").join(
        ngettext("“%(sheet)s” (%(n)s row)", "“%(sheet)s” (%(n)s rows)", rows)
        % {"sheet": name, "n": f"{rows:,}"}
        for name, rows in table.unread_sheets
    )
    return ngettext(
        "Only the sheet “%(read)s” is read; the sheet %(others)s is not imported. To import "
        "its rows, copy them under those of “%(read)s”, or save it as a file of its own and "
        "import that.",
        "Only the sheet “%(read)s” is read; the sheets %(others)s are not imported. To import "
        "their rows, copy them under those of “%(read)s”, or save each as a file of its own "
        "and import that.",
        len(table.unread_sheets),
    ) % {"read": table.sheet, "others": others}


# --- mapping --------------------------------------------------------------------------------

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
        "女": "female",
        "女性": "female",
        "f": "female",
        "女士": "female",
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
_TEXT_LIMITS = {
    f.name: f.max_length
    for f in Customer._meta.concrete_fields
    if f.get_internal_type() == "TextField" and f.max_length
}
_HEADER_NOISE = re.compile(r"[\s_\-*/（）()：:.·]+")
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


#: A bracketed note in a header: "手机（必填）", "客户名称\n(必填)", "金额（元）", "姓名【选填】".
_HEADER_NOTE = re.compile(r"[（(\[【［][^（）()\[\]【】［］]*[）)\]】］]")


def _key(header: str) -> str:
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
                index.setdefault(_key(word), target)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for target in TARGET_FIELDS:
                index.setdefault(_key(field_label(target)), target)
    for custom in CustomField.objects.filter(active=True):
        index.setdefault(_key(custom.key), f"custom.{custom.key}")
        index.setdefault(_key(custom.label), f"custom.{custom.key}")
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
    companies = {_key(w) for w in COMPANY_HEADERS.split()}
    contacts = {_key(w) for w in CONTACT_HEADERS.split()}
    company = next(
        (h for h in headers if mapping.get(h) == "company_name" and _key(h) in companies), None
    )
    contact = next((h for h in headers if mapping.get(h) == "name" and _key(h) in contacts), None)
    if company is not None and contact is not None:
        mapping[company] = "name"
        if "contact_name" in mapping.values():
            del mapping[contact]
        else:
            mapping[contact] = "contact_name"
    elif not _customer_named_first(headers, mapping, contacts):
        return
    titles = {_key(w) for w in CONTACT_ONLY_HEADERS.split()}
    for header in headers:
        if _key(header) in titles and mapping.get(header) == "occupation":
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
    if named is None or _key(named) not in {_key(w) for w in CUSTOMER_NAME_HEADERS.split()}:
        return False
    contact = next((h for h in headers if h not in mapping and _key(h) in contacts), None)
    if contact is None or "contact_name" in mapping.values():
        return False
    mapping[contact] = "contact_name"
    return True


#: A field's second field: a column named for a field another column already fills goes to
#: it when no column is named for it ("姓名,手机,电话": 电话 is the other phone).
SECOND_FIELDS = {"phone": "phone_alt"}


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """{header: target} for the headers recognised; each target used once, first column wins;
    a later column named for a field already taken fills that field's second field
    (``SECOND_FIELDS``) if no column is named for that one, so its values are not lost."""
    index = _alias_index()
    mapping: dict[str, str] = {}
    used: set[str] = set()
    left: list[tuple[str, str]] = []  # (header, target taken by an earlier column)
    for header in headers:
        target = index.get(_key(header))
        if target and target not in used:
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
    when no column is mapped to the name or a field is mapped twice."""
    valid = {value for value, _label in target_choices()}
    cleaned = {h: t for h, t in mapping.items() if h in headers and t in valid}
    targets = list(cleaned.values())
    doubles = sorted({t for t in targets if targets.count(t) > 1})
    if doubles:
        raise ImportFileError(
            _("Each field can take only one column; mapped twice: %(fields)s.")
            % {"fields": ", ".join(field_label(t) for t in doubles)}
        )
    if "name" not in targets:
        raise ImportFileError(_("No column is mapped to the name; it is required."))
    return cleaned


# --- rows -----------------------------------------------------------------------------------


def _text(value) -> str:
    if type(value) is str:  # every CSV cell: the common case first
        text = value.strip()
        if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
            text = text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if type(value) is bool:  # as Excel shows it (and as one would type it): not "True"
        return "TRUE" if value else "FALSE"
    if type(value) is spreadsheets.Unread:
        return ""  # the file holds no value; cell_problem says why
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    # Our own exports prefix formula-like cells with an apostrophe; take it off on the way back.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]
    return text


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
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
        data = {t: text for t, i in decisive if (text := _text(cells[i]))}
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


def _masked(row: Row) -> list[str]:
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
#: What a cell ``_tidy`` may change has: a full-width character (or a line break, a tab).
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
#: Fields whose every character may be normalised (NFKC): no Chinese in them.
_NFKC_FIELDS = ("email", "wechat_id")
#: Fields of several lines: their line breaks are kept.
_MULTILINE_FIELDS = ("notes",)


def _tidy(target: str, text: str) -> str:
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
        text = _text(value)
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
        if target == "tags":
            tags = [t.strip() for t in _TAG_SPLIT.split(text) if t.strip()]
        elif target.startswith("custom."):
            custom[target.split(".", 1)[1]] = text
        elif target == "birthday":
            try:
                if text.startswith(_LUNAR_PREFIXES):
                    data["birthday"] = _lunar_birthday(text[2:])
                    lunar = True
                else:
                    data["birthday"] = _date(value)
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
                text = _tidy(target, text)
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
    return Row(number=number, data=data, tags=tags, raw=raw, errors=errors)


def nul_message() -> str:
    """Why a cell holding a NUL character fails: the form's and the API's words."""
    return _("Must not contain a NUL character.")


#: Excel keeps 15 significant digits of a number: an ID number or code of 16 digits or more
#: typed into a cell of the General format loses its last ones (110101199003074514 is kept as
#: 110101199003074000; calamine reads the float 1.101011990030745e+17).
_EXACT_DIGITS = 15
#: A number as Excel writes it into a CSV file from a cell too narrow for its digits, or from
#: a number of more than 11 digits in the General format: its first six digits only.
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+\d+", re.IGNORECASE)
#: The fields whose text is looked at for such a number: a number in them is never written so.
_DIGIT_FIELDS = frozenset({"id_number", "phone", "phone_alt"})
#: Characters of a formula a reason quotes.
_FORMULA_SHOWN = 60


def _lost_digits(value) -> bool:
    """Whether a number cell is too long for its digits to have been kept."""
    return type(value) in (float, int) and abs(value) >= 10**_EXACT_DIGITS


def _as_excel_shows(number) -> str:
    """A number of more than 15 digits as Excel shows it in a cell of the General format
    (4.40106E+17), so that the preview shows it as broken as it is, not with digits Excel
    never kept (an import's report and the rows to fix show what the cell holds)."""
    mantissa, _e, exponent = f"{number:.5E}".partition("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"


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
    if _lost_digits(value):
        return _number_lost_digits_message(target)
    return None


def _number_lost_digits_message(target: str = "id_number") -> str:
    if target == "id_number":
        return _(
            "Excel stored this ID number as a number, which keeps only %(n)d digits: its last "
            "digits are lost. Format the column as text, type the ID number again and import "
            "the file again."
        ) % {"n": _EXACT_DIGITS}
    return _(
        "Excel stored this number as a number, which keeps only %(n)d digits: its last digits "
        "are lost. Format the column as text, type the number again and import the file again."
    ) % {"n": _EXACT_DIGITS}


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


def _masked_value_message() -> str:
    return _(
        "A value hidden as the export masked it cannot be given to a new customer: type it "
        "whole or leave the cell empty."
    )


def _not_this_customer(pk: int) -> str:
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
    texts = [_text(cell) for cell in cells]
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


def _total_row_message() -> str:
    return _("Looks like a totals row; not imported.")


def _changes_nothing(found: Customer, candidate: Customer, changes: dict, tags: list) -> bool:
    """Whether updating ``found`` to ``candidate`` (``changes`` applied and cleaned) with these
    tags would change nothing."""
    if any(getattr(candidate, f) != getattr(found, f) for f in changes):
        return False
    current = {t.strip() for t in found.tag_names.split(",")}
    return all(t in current for t in tags)


def _same_customer(values, record) -> bool:
    """Whether a row naming a customer by ID is plausibly that customer: the same name, or a
    phone, e-mail, ID number or name + employer in common. Another system's export has an ID
    column too, whose numbers are not ours."""
    return values["name"] == record["name"] or not set(_keys(values)).isdisjoint(_keys(record))


#: Where a row's key is looked for among what is not a customer's own key, when none of its keys
#: is (``_Batch._existing``): the kinds of ``_Batch._skip_contact``, in this order.
_OTHER_KINDS = {"phone": ("phone_alt", "contact"), "email": ("contact_email",)}


_SPACES = re.compile(r"\s+")


def company_key(name: str) -> str:
    """A company's name as two spellings of it compare: full-width letters, digits and
    brackets as half-width ones (NFKC), in any case, without spaces. "广州某某（中国）有限公司"
    is "广州某某(中国)有限公司", "ＡＢＣ Co., Ltd" is "abc co.,ltd"."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name)).casefold()


def _company_spellings(name: str) -> set[str]:
    """The spellings of a company's name its customer may have been saved with: as given, with
    half-width or full-width brackets, and for a Latin name in capitals or small letters. Each
    is looked up through the name's index; ``company_key`` then compares them."""
    half = unicodedata.normalize("NFKC", name).strip()
    spellings = {name, half, half.replace("(", "（").replace(")", "）")}
    if any("a" <= c <= "z" or "A" <= c <= "Z" for c in half):
        spellings.update((half.upper(), half.lower(), half.title()))
    return spellings


def _keys(values) -> list[tuple]:
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


# --- processing -----------------------------------------------------------------------------


@dataclass
class Outcome:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


class _Report:
    """The error report, a CSV (UTF-8 with BOM) of row, column, value, reason. A batch's lines
    are written in the order of their rows when its end is marked (``offset``): a batch finds
    a row's bad values first and its duplicates after."""

    def __init__(self, path: Path, offset: int):
        self.path = path
        self.pending: list[tuple] = []
        new = not path.exists() or offset == 0
        self.file = path.open("r+b" if not new else "w+b")
        if new:
            self.file.write(b"\xef\xbb\xbf")
            self._write(
                (
                    pgettext("import report", "row"),
                    pgettext("import report", "column"),
                    pgettext("import report", "value"),
                    pgettext("import report", "reason"),
                )
            )
        else:
            self.file.truncate(offset)
            self.file.seek(offset)
        self.file.flush()

    def _write(self, cells) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        self.file.write(buffer.getvalue().encode())

    def add(self, row: int, column: str, value: str, reason: str) -> None:
        value = value if len(value) <= REPORT_VALUE_CHARS else value[:REPORT_VALUE_CHARS] + "…"
        if NUL in value:  # shown where it is, as a character every tool can read
            value = value.replace(NUL, "\u2400")
        value = neutralise(value)
        self.pending.append((row, column, value, reason))

    def offset(self) -> int:
        """Where the report ends, once the lines added so far are written."""
        self.pending.sort(key=lambda line: line[0])  # stable: a row's columns keep their order
        for line in self.pending:
            self._write(line)
        self.pending.clear()
        self.file.flush()
        return self.file.tell()

    def rollback(self, offset: int) -> None:
        self.pending.clear()
        self.file.truncate(offset)
        self.file.seek(offset)
        self.file.flush()

    def close(self) -> None:
        self.offset()
        self.file.close()


def report_path_for(file_path: str | Path) -> Path:
    return Path(f"{file_path}.errors.csv")


class _Owners:
    """The owner column of one import. A name is a username (in any case) or a user's name as
    the pages show it (the export writes that); the export's "(pool)" and an empty cell mean
    the import's own owner. The names a batch meets first are looked up in one query; each
    user named is checked once, with the rule for the import's own owner
    (``services.check_can_create_for``: a rep only herself, a manager her team, an admin anyone
    active who can sell)."""

    def __init__(self, user, owner):
        self.user, self.owner_id = user, owner.pk
        self.pool = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                self.pool.add(_("(pool)"))
        self.named: dict[str, tuple[User | None, str]] = {}  # name -> (user, or None and why)
        self.refused: dict[int, str] = {owner.pk: ""}  # user id -> why she may not own, or ""

    def resolve(self, names: set[str]) -> None:
        """Look the names not met before up, in one query (for up to a few hundred)."""
        new = sorted(n for n in names if n not in self.named and n not in self.pool)
        for chunk in bulk.chunks(new, IN_CHUNK // 4):
            users = list(
                User.objects.annotate(
                    username_lower=Lower("username"),
                    full_name=Trim(Concat("first_name", Value(" "), "last_name")),
                ).filter(
                    Q(username__in=chunk)
                    | Q(username_lower__in={n.lower() for n in chunk})
                    | Q(display_name__in=chunk)
                    | Q(full_name__in=chunk)
                )
            )
            for name in chunk:
                self.named[name] = self._pick(name, users)

    @staticmethod
    def _pick(name: str, users: list[User]) -> tuple[User | None, str]:
        lowered = name.lower()
        found = [u for u in users if u.username == name] or [
            u for u in users if u.username.lower() == lowered
        ]
        found = found or [u for u in users if name in (u.display_name, u.get_full_name())]
        if len(found) > 1:  # a colleague who left does not make a name ambiguous
            found = [u for u in found if u.is_active] or found
        if not found:
            return None, _("No user is called '%(name)s'.") % {"name": name}
        if len(found) > 1:
            usernames = pgettext("between items of a list", ", ").join(
                sorted(u.username for u in found)
            )
            return None, _(
                "'%(name)s' is the name of several users (%(usernames)s): write the username."
            ) % {"name": name, "usernames": usernames}
        return found[0], ""

    def owner_of(self, name: str) -> tuple[int | None, str]:
        """The id of the user a new customer's cell names (None: the import's owner), or None
        and why no customer can be created for that name. ``resolve`` it first."""
        if name in self.pool:
            return None, ""
        user, error = self.named[name]
        if user is None:
            return None, error
        if user.pk not in self.refused:
            try:
                services.check_can_create_for(self.user, user)
            except ValidationError as exc:
                self.refused[user.pk] = " ".join(exc.messages)
            else:
                self.refused[user.pk] = ""
        error = self.refused[user.pk]
        return (None if error or user.pk == self.owner_id else user.pk), error

    def differs(self, name: str, owner_id: int | None) -> bool:
        """Whether the cell names someone else than the customer's owner ``owner_id``."""
        if name in self.pool:
            return False
        user, _error = self.named[name]
        return user is None or user.pk != owner_id


class _References:
    """The columns of one import mapped to the ID or the owner (``REFERENCES``), read by the
    batch from the file's rows. The ID only with "skip" or "update": with "create" every row
    is a new customer, whatever ID it carries."""

    def __init__(self, table: Table, indexes: dict[str, int], owners: _Owners | None):
        self.table = table
        self.id_at = indexes.get("id")
        self.owner_at = indexes.get("owner")
        self.owners = owners

    def read(self, row: Row) -> int | None:
        """Put the row's ID and owner cells in ``row.raw`` (the report shows them) and return
        its ID (None when the cell is empty; a row error when it is no customer's ID)."""
        cells = self.table.rows[self.table.index_of(row.number)]
        if self.owner_at is not None:
            row.raw["owner"] = _text(cells[self.owner_at])
            if NUL in row.raw["owner"]:  # never looked up: PostgreSQL refuses it in a query
                row.errors.setdefault("owner", []).append(nul_message())
        if self.id_at is None:
            return None
        text = row.raw["id"] = _text(cells[self.id_at])
        if NUL in text:
            row.errors.setdefault("id", []).append(nul_message())
            return None
        digits = text.removeprefix("#")
        if digits.isascii() and digits.isdigit() and len(digits) < 19:  # 19: past a bigint
            return int(digits)
        if text:
            row.errors.setdefault("id", []).append(
                _("An ID is the number of a customer, as the export gives it.")
            )
        return None


class _Batch:
    """One batch of rows: validated, matched against the file so far and the database, then
    written (unless a dry run) in the caller's transaction."""

    def __init__(
        self,
        job: ImportJob,
        cleaner,
        report: _Report,
        headers_by_target,
        seen: dict,
        references: _References | None = None,
        matched: dict[int, tuple[int, str]] | None = None,
        totals: frozenset[int] = frozenset(),
    ):
        self.job, self.cleaner, self.report = job, cleaner, report
        self.totals = totals  # the sheet's numbers of the totals rows at its bottom
        self.user, self.owner = cleaner.user, cleaner.owner
        self.headers_by_target = headers_by_target
        self.seen = seen
        self.references = references
        self.creates: list[tuple[dict, list[str], int | None]] = []  # values, tags, owner id
        self.updates: list[tuple[Customer, list[str]]] = []
        self.outcome = Outcome()
        self.by_id: dict[int, dict] = {}  # the key fields of the customers rows name by ID
        # (kind, phone or e-mail) -> id of the customer whose other phone or contact has it
        # (``_existing``): what a row no customer's own key matched may still be.
        self.others: dict[tuple[str, str], int] = {}
        # Row number -> (id of the existing customer it matched, "" or how it was skipped: the
        # kind of ``_skip_contact``), over the whole file: a later row repeating it is a match
        # of the same customer, skipped as it was.
        self.matched = {} if matched is None else matched
        self.customers: dict[int, Customer] = {}  # the customers rows may update, by id
        self.editable: set[int] = set()
        self.visible: set[int] = set()
        self.updating: dict[int, tuple[int, int]] = {}  # id -> (first row, index in updates)
        # The contact person of each row that has one (``CONTACT_TARGETS``), checked, by row
        # number; those of the new customers (beside ``creates``) and of existing ones.
        self.with_contacts = any(t in CONTACT_TARGETS for t in headers_by_target)
        self.contacts: dict[int, Contact] = {}
        self.create_contacts: list[Contact | None] = []
        self.contact_adds: list[Contact] = []
        self.contact_names: set[tuple[int, str]] = set()  # (customer id, contact's name)
        self.with_primary: set[int] = set()  # customers with a primary contact

    def fail(self, row: Row, errors: dict) -> None:
        self.outcome.failed += 1
        for key, messages in errors.items():
            header = self.headers_by_target.get(key, "" if key == "__all__" else key)
            self.report.add(row.number, header, row.raw.get(key, ""), " ".join(messages))

    def _clean(self, row: Row) -> dict | None:
        """The row's cleaned values, or None after reporting why it fails (the full check, for
        the rows ``checked`` could not pass)."""
        try:
            values = self.cleaner.clean(row.data)
        except ValidationError as exc:
            # A cell that did not convert is left out of the data: its own reason, not the
            # model's about the missing value ("This field is required." of a name with a NUL).
            errors = dict(row.errors)
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, messages)
            self.fail(row, errors)
            return None
        if row.errors:
            self.fail(row, row.errors)
            return None
        tag_error = _tag_error(row.tags)
        if tag_error:
            self.fail(row, {"tags": [tag_error]})
            return None
        return values

    def run(self, rows: list[tuple[Row, dict | None]], *, write: bool) -> Outcome:
        """``rows`` as ``checked`` gives them: each row with its values when it passed.

        A row with an ID (``_References``) is that customer and no other: its other keys
        are not matched, only kept so that a later row sharing one is an in-file duplicate.

        A row sharing a key with an earlier row of the file (the same phone typed another
        way, an e-mail in capitals) is a repeat of it. When the earlier row matched an
        existing customer, the repeat is a match of that customer too: skipped as it was,
        or under "update" applied after it, as if the file were imported again (a repeat
        agreeing with the earlier row changes nothing and is skipped). A repeat of a row
        that creates a customer, or of an ID, stays an error: one of them is a mistake."""
        prepared: list[tuple[Row, dict, list[tuple]]] = []
        repeats: list[tuple[Row, tuple]] = []  # rows sharing a key with an earlier row
        seen = self.seen
        references = self.references
        for row, values in rows:
            if row.number in self.totals:
                self.outcome.skipped += 1
                header = self.headers_by_target.get("name", "")
                self.report.add(row.number, header, row.raw.get("name", ""), _total_row_message())
                continue
            customer_id = None
            if references is not None:
                customer_id = references.read(row)
                if "id" in row.errors or "owner" in row.errors:
                    values = None
            if values is None:
                values = self._clean(row)
                if values is None:
                    continue
            if self.with_contacts and not self._contact(row):
                continue
            keys = _keys(values)
            others = None
            if customer_id is not None:
                keys, others = [("id", customer_id)], keys
            key = next((k for k in keys if k in seen), None)
            if key is not None:
                if key[0] == "id":
                    self._fail_repeat(row, key)
                else:
                    repeats.append((row, key))
                continue
            for k in keys:
                seen[k] = row.number
            if others:
                for k in others:
                    seen.setdefault(k, row.number)
            if customer_id is None and values["kind"] != Kind.COMPANY and not row.raw.get("kind"):
                # A row that does not say it is a person, named as an existing company is: that
                # company. Looked up last, and only in the database: two namesakes in one file
                # are no repeat.
                keys = [*keys, ("name", company_key(values["name"]), "")]
            prepared.append((row, values, keys))
        on_duplicate = self.job.on_duplicate
        earlier = {self.matched[seen[k]][0] for _row, k in repeats if seen[k] in self.matched}
        existing = {}
        if on_duplicate != OnDuplicate.CREATE:
            existing = self._existing(prepared, earlier)
        ids = list({pk for pk, _c in existing.values()} | set(self.others.values()) | earlier)
        self.editable = self._reach(Customer.objects.editable_by, ids)
        self.visible = self._reach(Customer.objects.visible_to, ids)
        if self.contacts and on_duplicate == OnDuplicate.UPDATE:
            self._contacts_of(ids)
        owners = references.owners if references is not None else None
        if owners is not None:
            named = {row.raw["owner"] for row, _v, _k in prepared if row.raw["owner"]}
            named.update(row.raw["owner"] for row, _k in repeats if row.raw.get("owner"))
            owners.resolve(named)
        update = on_duplicate == OnDuplicate.UPDATE
        for row, values, keys in prepared:
            match = next(((k, existing[k]) for k in keys if k in existing), None)
            if update and match is not None and keys[0][0] != "id":
                # Its phone one customer's, its e-mail another's: updating the first would
                # give it the second's e-mail. Not guessed: the row is to be checked.
                first_keys: dict[int, tuple] = {}
                for k in keys:
                    if k[0] == "name" and not k[2] and values["kind"] != Kind.COMPANY:
                        continue  # a name only like a company's: no conflict with other keys
                    if k in existing:
                        first_keys.setdefault(existing[k][0], k)
                if len(first_keys) > 1:
                    self._fail_conflict(row, first_keys)
                    continue
            if match is None and self.others:
                # A customer's other phone, a contact's phone or e-mail, looked at only when no
                # key of the row found a customer, in the order of the row's keys.
                other = next(
                    (
                        (k, kind, self.others[kind, k[1]])
                        for k in keys
                        for kind in _OTHER_KINDS.get(k[0], ())
                        if (kind, k[1]) in self.others
                    ),
                    None,
                )
                if other is not None:
                    self._skip_contact(row, other[0], other[2], kind=other[1])
                    continue
            if match is None:
                if keys and keys[0][0] == "id":  # no alive customer has it: never a new one
                    self.fail(
                        row,
                        {
                            "id": [
                                _("No customer #%(id)d: leave the ID empty to add a new customer.")
                                % {"id": keys[0][1]}
                            ]
                        },
                    )
                    continue
                if masked := _masked(row):
                    self.fail(row, {field: [_masked_value_message()] for field in masked})
                    continue
                owner_id = None
                if owners is not None and row.raw["owner"]:
                    owner_id, error = owners.owner_of(row.raw["owner"])
                    if error:
                        self.fail(row, {"owner": [error]})
                        continue
                self.creates.append((values, row.tags, owner_id))
                self.create_contacts.append(self.contacts.get(row.number))
                self.outcome.imported += 1
                continue
            key, (found_pk, _found) = match
            # Another system's numbers in an ID column: said only of a customer she may see.
            implausible = key[0] == "id" and not _same_customer(values, self.by_id[found_pk])
            if implausible and found_pk in self.visible:
                self.fail(row, {"id": [_not_this_customer(found_pk)]})
                continue
            self.matched[row.number] = (found_pk, "")
            self._match(row, key, found_pk, owners)
        for row, key in repeats:
            first = seen[key]
            hit = self.matched.get(first)
            if hit is None:  # the earlier row creates a customer, or failed
                self._fail_repeat(row, key)
            elif hit[1]:
                self._skip_contact(row, key, hit[0], kind=hit[1])
            else:
                self._match(row, key, hit[0], owners, repeat=first)
        if write:
            self.write()
        return self.outcome

    def _contact(self, row: Row) -> bool:
        """Check the row's contact person (``CONTACT_TARGETS``), as ``services.add_contact``
        does, into ``self.contacts``; False after failing the row."""
        data = {}
        for target, name in CONTACT_TARGETS.items():
            text = row.raw.get(target, "")
            if text and not (text.isascii() and text.isprintable()):
                text = _tidy(name, text)
            if text:
                data[name] = text
        if not data:
            return True
        if "name" not in data:
            self.fail(row, {"contact_name": [_("A contact person needs a name.")]})
            return False
        contact = Contact(**data, is_primary=True)
        try:
            contact.full_clean(exclude=["customer"])
        except ValidationError as exc:
            by_field = {name: target for target, name in CONTACT_TARGETS.items()}
            errors: dict[str, list[str]] = {}
            for name, messages in exc.message_dict.items():
                errors.setdefault(by_field.get(name, "contact_name"), []).extend(messages)
            self.fail(row, errors)
            return False
        contact.refresh_search_text()  # written by bulk_create, which bypasses save()
        self.contacts[row.number] = contact
        return True

    def _contacts_of(self, ids: list[int]) -> None:
        """The names of the contacts of the customers ``ids`` and which have a primary one: one
        query per chunk, for the rows under "update" adding a contact to one of them."""
        for chunk in bulk.chunks(ids, IN_CHUNK):
            rows = Contact.objects.filter(customer_id__in=chunk).values_list(
                "customer_id", "name", "is_primary"
            )
            for customer_id, name, primary in rows:
                self.contact_names.add((customer_id, name))
                if primary:
                    self.with_primary.add(customer_id)

    def _add_contact(self, row: Row, customer_id: int) -> bool:
        """Queue the row's contact person for the existing customer ``customer_id`` unless it
        has a contact of that name: primary when it has none. Whether one was queued."""
        contact = self.contacts.get(row.number)
        if contact is None or (customer_id, contact.name) in self.contact_names:
            return False
        contact = copy.copy(contact)
        contact.customer_id = customer_id
        contact.is_primary = customer_id not in self.with_primary
        self.contact_names.add((customer_id, contact.name))
        self.with_primary.add(customer_id)
        self.contact_adds.append(contact)
        return True

    def _fail_conflict(self, row: Row, first_keys: dict[int, tuple]) -> None:
        """Fail a row whose keys match several existing customers (id -> the first key of the
        row matching it), naming each customer the user may see."""
        parts = []
        for pk, key in first_keys.items():
            label = field_label(key[0])
            if pk in self.visible:
                parts.append(_("the %(field)s is customer #%(id)d's") % {"field": label, "id": pk})
            else:
                parts.append(_("the %(field)s is another customer's") % {"field": label})
        key = next(iter(first_keys.values()))
        reason = _(
            "This row matches several customers: %(matches)s. Check it before importing it again."
        ) % {"matches": pgettext("between items of a list", ", ").join(parts)}
        self.fail(row, {key[0]: [reason]})

    def _fail_repeat(self, row: Row, key: tuple) -> None:
        """Fail a row sharing ``key`` with an earlier row of the file, as an in-file duplicate."""
        self.fail(
            row,
            {
                key[0]: [
                    _("Same %(field)s as row %(row)d of this file.")
                    % {"field": field_label(key[0]), "row": self.seen[key]}
                ]
            },
        )

    def _skip_contact(self, row: Row, key: tuple, found_pk: int, *, kind: str) -> None:
        """Skip a row whose phone is the other phone (``kind`` "phone_alt") of customer
        ``found_pk`` or that of one of its contacts ("contact"), or whose e-mail is that of one
        of its contacts ("contact_email"): under "skip" and "update" alike (its mobile is not
        that number, and a contact is not that customer: the row must not replace its data)."""
        self.matched[row.number] = (found_pk, kind)
        self.outcome.skipped += 1
        seen = found_pk in self.visible
        if kind == "phone_alt" and seen:
            reason = _("Customer #%(id)d has this number as its other phone; skipped.")
            reason %= {"id": found_pk}
        elif kind == "phone_alt":
            reason = _("A customer has this number as its other phone; skipped.")
        elif kind == "contact_email" and seen:
            reason = _("Customer #%(id)d has a contact with this e-mail; skipped.")
            reason %= {"id": found_pk}
        elif kind == "contact_email":
            reason = _("A customer's contact has the same e-mail; skipped.")
        elif seen:
            reason = _("Customer #%(id)d has a contact with this phone number; skipped.")
            reason %= {"id": found_pk}
        else:
            reason = _("A customer's contact has the same phone number; skipped.")
        header = self.headers_by_target.get(key[0], key[0])
        self.report.add(row.number, header, row.raw.get(key[0], ""), reason)

    def _match(self, row: Row, key: tuple, found_pk: int, owners, *, repeat: int = 0) -> None:
        """Skip or update the existing customer ``found_pk`` that ``row`` matched on ``key``;
        ``repeat``: the earlier row of the file the row repeats, which matched it first."""
        header = self.headers_by_target.get(key[0], key[0])
        if self.job.on_duplicate == OnDuplicate.SKIP:
            self.outcome.skipped += 1
            self.report.add(
                row.number,
                header,
                row.raw.get(key[0], ""),
                _("Already exists as customer #%(id)d; skipped.") % {"id": found_pk}
                if found_pk in self.visible
                else _("A customer with the same %(field)s exists; skipped.")
                % {"field": field_label(key[0])},
            )
            return
        if found_pk not in self.editable:
            self.fail(row, {key[0]: [_("Matches a customer you may not change.")]})
            return
        # A later row matching a customer an earlier row of the batch updates, by the same key
        # or another, goes on from what the rows before it left, as if the file were imported
        # row by row: one write, one new version.
        pending = self.updating.get(found_pk)
        found, tags = self.updates[pending[1]] if pending else (self.customers.get(found_pk), [])
        if found is None:  # purged since an earlier batch matched it
            self._fail_repeat(row, key)
            return
        changes = {k: v for k, v in row.data.items() if k != "custom"}
        if not row.raw.get("kind"):  # a type told by the name makes no existing customer change
            changes.pop("kind", None)
        if "custom" in row.data:
            changes["custom"] = {**(found.custom or {}), **row.data["custom"]}
        candidate = copy.copy(found)
        try:
            services.prepare_update(candidate, changes)
        except ValidationError as exc:
            self.fail(row, exc.message_dict)
            return
        owner = row.raw.get("owner")
        owner_kept = owners is not None and owner and owners.differs(owner, found.owner_id)
        added = self._add_contact(row, found_pk)
        if _changes_nothing(found, candidate, changes, [t for t in row.tags if t not in tags]):
            # An exported list comes back mostly as it went: no new version, history row
            # or "updated just now" for the rows nobody edited. A new owner was all the row
            # changed: skipped, saying why it was not applied. A new contact person is a
            # change, of the contacts only.
            if added:
                self.outcome.updated += 1
            else:
                self.outcome.skipped += 1
            if owner_kept:
                self._owner_not_changed(row)
            return
        if pending:
            candidate.version = found.version  # one write, one new version
            self.updates[pending[1]] = (candidate, list(dict.fromkeys(tags + row.tags)))
        else:
            self.updating[found_pk] = (repeat or row.number, len(self.updates))
            self.updates.append((candidate, row.tags))
        self.outcome.updated += 1
        if owner_kept:
            self._owner_not_changed(row)

    def _owner_not_changed(self, row: Row) -> None:
        self.report.add(
            row.number,
            self.headers_by_target["owner"],
            row.raw["owner"],
            _("Owner not changed: an existing customer changes owner by transfer."),
        )

    def _existing(self, prepared, earlier: set[int]) -> dict[tuple, tuple[int, Customer | None]]:
        """{key: (id, customer)} of the alive customers sharing a key with a row: one query per
        key field and batch (names: people and companies apart), the lowest id winning a key.
        And in ``self.others``, {("phone_alt", phone): id} of those whose other phone,
        {("contact", phone): id} of those with a contact whose phone, a row has but no
        customer's phone is, and {("contact_email", e-mail): id} of those with a contact whose
        e-mail a row has but no customer's e-mail is (three queries more, through the other
        phone's and the contacts' phone and e-mail indexes). Only the keys rows have, so only
        customers a row matches are then checked for reach; the full customers
        (``self.customers``, with those ``earlier`` rows of the file matched, which repeats of
        them match) are loaded only when rows may update them."""
        if not prepared and not earlier:
            return {}
        wanted = {key for _row, _values, keys in prepared for key in keys}
        values: dict[str, set] = {"id": set(), "phone": set(), "email": set(), "id_number": set()}
        people: set[tuple[str, str]] = set()
        companies: set[str] = set()
        for key in wanted:
            if key[0] != "name":
                values[key[0]].add(key[1])
            elif key[2]:
                people.add(key[1:])  # (name, employer)
        for _row, row_values, keys in prepared:  # a company's key is not its name as spelt
            if any(key[0] == "name" and not key[2] for key in keys):
                companies.update(_company_spellings(row_values["name"]))
        found_lists = [
            bulk.alive_matching(field_name, field_values, KEY_FIELDS)
            for field_name, field_values in values.items()
            if field_values
        ]
        if people:
            found_lists.append(bulk.alive_people(people, KEY_FIELDS))
        if companies:
            found_lists.append(
                bulk.alive_matching("name", companies, KEY_FIELDS, kind=Kind.COMPANY)
            )
        records = {record["id"]: record for found in found_lists for record in found}
        found: dict[tuple, int] = {}
        for pk in sorted(records):
            if ("id", pk) in wanted:
                found["id", pk] = pk
                self.by_id[pk] = records[pk]
            for key in _keys(records[pk]):
                if key in wanted:
                    found.setdefault(key, pk)
        full = self.job.on_duplicate == OnDuplicate.UPDATE
        wanted_ids = set(found.values()) | earlier
        if full and wanted_ids:
            self.customers = Customer.objects.in_bulk(wanted_ids)
        existing = {key: (pk, self.customers.get(pk)) for key, pk in found.items()}
        others = self.others
        phones = values["phone"].difference(key[1] for key in found if key[0] == "phone")
        if phones:
            for phone, pk in bulk.alive_other_phones(phones):
                others.setdefault(("phone_alt", phone), pk)
            for phone, pk in bulk.alive_contact_phones(phones):
                others.setdefault(("contact", phone), pk)
        emails = values["email"].difference(key[1] for key in found if key[0] == "email")
        if emails:
            for email, pk in bulk.alive_contact_emails(emails):
                others.setdefault(("contact_email", email), pk)
        return existing

    def _reach(self, manager_method, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        reached: set[int] = set()
        for chunk in bulk.chunks(ids, IN_CHUNK):
            reached.update(
                manager_method(self.user).filter(pk__in=chunk).values_list("pk", flat=True)
            )
        return reached

    def new_tags(self) -> bool:
        """Whether writing the batch creates tags."""
        names = {t for _v, tags, _o in self.creates for t in tags}
        names.update(t for _c, tags in self.updates for t in tags)
        return bool(names) and services.Tag.objects.filter(name__in=names).count() < len(names)

    def write(self) -> None:
        """Write the rows ``run`` matched, in the caller's transaction."""
        contacts = self.contact_adds
        if self.creates:
            owners = [owner_id for _v, _t, owner_id in self.creates]
            ids = insert_customers(
                [values for values, _t, _o in self.creates],
                [row_tags for _v, row_tags, _o in self.creates],
                user=self.user,
                owner=self.owner,
                owners=owners if any(owners) else None,
                change_reason=history_reasons.IMPORT,
            )
            for pk, contact in zip(ids, self.create_contacts, strict=True):
                if contact is not None:
                    contact.customer_id = pk
                    contacts.append(contact)
        if contacts:
            bulk_create_with_history(
                contacts,
                Contact,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=history_reasons.IMPORT,
            )
        if self.updates:
            names = {t for _c, tags in self.updates for t in tags}
            tags = services.tags_by_name(names) if names else {}
            through = Customer.tags.through
            now = timezone.now()
            for customer, row_tags in self.updates:
                customer.updated_at = now
                if row_tags:
                    current = [t.strip() for t in customer.tag_names.split(",") if t.strip()]
                    customer.tag_names = ", ".join(dict.fromkeys(current + row_tags))
            fields = [
                f.name
                for f in Customer._meta.concrete_fields
                if f.name not in ("id", "created_at", "created_by", "owner")
            ]
            bulk_update_with_history(
                [c for c, _t in self.updates],
                Customer,
                fields,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=history_reasons.IMPORT,
            )
            through.objects.bulk_create(
                [
                    through(customer_id=c.pk, tag_id=tags[t].pk)
                    for c, row_tags in self.updates
                    for t in dict.fromkeys(row_tags)
                ],
                ignore_conflicts=True,
            )


def checked(cleaner: bulk.CustomerCleaner, rows: list[Row]) -> list[tuple[Row, dict | None]]:
    """Each row with its cleaned values when every check passes, else with None (the batch
    then runs the full check and reports why). Reads nothing from the database."""
    return [
        (row, None if row.errors or _tag_error(row.tags) else cleaner.quick(row.data))
        for row in rows
    ]


def _tag_error(names: list[str]) -> str:
    limit = services.Tag._meta.get_field("name").max_length
    if any(len(n) > limit for n in names):
        return _("A tag has at most %(n)d characters.") % {"n": limit}
    return ""


def process(
    job: ImportJob,
    *,
    dry_run: bool = False,
    resume: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Validate (dry run) or import the job's file from ``job.next_row`` on, batch by batch.

    Without ``resume`` the job starts from the first row with fresh counts and report.
    Each batch is one transaction that also moves the job's counters and position, so a stopped
    job resumes where it left off and a row is never half-written. File-level problems raise
    ImportFileError; a database error stops the job (status failed) with the batch rolled back.
    """
    user = job.created_by
    owner = job.owner or user
    services.check_can_create_for(user, owner)
    table = getattr(job, "_table", None) or read_table(job.file_path)
    mapping = check_mapping(job.mapping, table.headers)
    columns = [(table.headers.index(h), t) for h, t in mapping.items() if t not in REFERENCES]
    headers_by_target = {t: h for h, t in mapping.items()}
    indexes = {t: table.headers.index(h) for h, t in mapping.items() if t in REFERENCES}
    if job.on_duplicate == OnDuplicate.CREATE:
        indexes.pop("id", None)  # every row a new customer: nothing to match
    references = (
        _References(table, indexes, _Owners(user, owner) if "owner" in indexes else None)
        if indexes
        else None
    )
    if dry_run or not resume:
        job.next_row = 0
        job.imported = job.updated = job.skipped = job.failed = 0
        job.report_offset = 0
        # The report's language, whoever runs it (the worker, a dry run of the API, the
        # command): the rows to fix are written in it too.
        job.language = translation.get_language() or ""
    job.total_rows = len(table.rows)
    job.report_path = str(report_path_for(job.file_path))
    job.status = ImportJob.Status.RUNNING
    job.error = ""
    job.save()
    report = _Report(Path(job.report_path), job.report_offset)
    try:
        with custom_fields_cached() as definitions:
            batch_args = {
                "cleaner": bulk.CustomerCleaner(user, owner, definitions),
                "report": report,
                "headers_by_target": headers_by_target,
                "seen": {},
                "references": references,
                "matched": {},
                "totals": totals_rows(table, table.headers.index(headers_by_target["name"])),
            }
            _run_batches(
                job,
                table,
                columns,
                batch_args,
                dry_run=dry_run,
                batch_size=batch_size,
                progress=progress,
            )
    finally:
        report.close()
    job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save()
    return job


#: From this many rows on, a second process converts and checks the batches
#: (``import_checker``) while this one matches and writes them, and on PostgreSQL two
#: connections write (``import_writers``). The process's start (~0.7 s) is not paid back
#: below: at 5,000 rows the import took 0.8 s with it, 0.67 s without; even at 10,000; 2.5
#: against 2.7 s at 20,000; 13 against 16 s at 100,000 (SQLite, 2 cores).
PROCESS_MIN_ROWS = 15_000


def _run_batches(job, table, columns, batch_args: dict, *, dry_run, batch_size, progress) -> None:
    """Each batch in its own transaction together with the job's counters and position."""
    report = batch_args["report"]
    cleaner = batch_args["cleaner"]

    fail = partial(stop_failed, job, report)

    def write(begin: int, checked_rows: Callable[[], list]) -> None:
        before = job.report_offset
        try:
            # Before the transaction (SQLite's write lock is taken at its start), but inside
            # the try: a batch whose check fails, or whose checking process died, stops the
            # job as a failed write does.
            rows = checked_rows()
            with transaction.atomic():
                outcome = _Batch(job, **batch_args).run(rows, write=not dry_run)
                job.next_row = begin + len(rows)
                for counter in import_writers.COUNTERS:
                    setattr(job, counter, getattr(job, counter) + getattr(outcome, counter))
                job.report_offset = report.offset()
                job.save(update_fields=["next_row", *import_writers.COUNTERS, "report_offset"])
        except Exception as exc:
            fail(before, exc)
            raise
        if progress:
            progress(job)

    def write_aside(begin: int, checked_rows: Callable[[], list]) -> None:
        """Match the batch here, write it on a writer's connection."""
        before = report.offset()
        try:
            rows = checked_rows()
            batch = _Batch(job, **batch_args)
            batch.run(rows, write=False)
        except Exception as exc:
            writers.drain()  # what is in flight commits first
            fail(before, exc)
            raise
        if batch.new_tags():
            # Created in the batch's transaction, alone: one in flight that created the same
            # tag first would hold this one, and it would hold that one's commit.
            writers.drain()
        writers.submit(batch, begin, begin + len(rows), before, report.offset())

    def check_here(begin: int) -> list:
        return checked_batch(table, columns, cleaner, begin, batch_size)

    begins = range(job.next_row, len(table.rows), batch_size)
    checker = writers = None
    # Not inside the caller's transaction (the tests'): a process per import is not worth it,
    # and other connections could not see what it holds.
    if len(table.rows) - job.next_row >= PROCESS_MIN_ROWS and not connection.in_atomic_block:
        checker = import_checker.start(table, columns, cleaner, begins, batch_size, check_here)
        if connection.vendor == "postgresql" and not dry_run:
            writers = import_writers.Writers(job, fail, progress)
    try:
        with collector_spared():
            for position, begin in enumerate(begins):
                checked_rows = (
                    partial(checker.checked, position) if checker else partial(check_here, begin)
                )
                with collector_paused():
                    (write_aside if writers else write)(begin, checked_rows)
            if writers:
                writers.drain()
    finally:
        if writers:
            writers.close()
        if checker:
            checker.close()


def stop_failed(job, report: _Report, before: int, exc: BaseException) -> None:
    """The import ``job`` stopped on ``exc``: failed, its report cut back to ``before`` (the
    end of the last batch that committed), its counters and position as that batch left them.
    (Customers', contacts' and orders' imports alike.)"""
    report.rollback(before)
    job.refresh_from_db()
    job.status = ImportJob.Status.FAILED
    job.error = str(exc)[:2000] or exc.__class__.__name__
    job.finished_at = timezone.now()
    job.save()


@contextmanager
def collector_paused():
    """The cyclic garbage collector off for one batch, on again after it (unless it was off).

    A batch makes a few objects a cell that reference counting frees; the collector's passes
    over them (every 700 new objects, with a full pass every few batches over everything
    alive) took ~15 % of a long import's time. It is process-wide: other threads' cycles wait
    for the end of the batch, a fraction of a second."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def collector_spared():
    """What is alive now (above all the file's table, millions of strings) out of the
    collector's full passes until the end: 1.3 s of them between the batches of a
    100,000-row import, 0.4 s spared. Unless something is frozen already (a server that froze
    what it loaded at start): that is left as it is."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def checked_batch(table, columns, cleaner, begin: int, batch_size: int):
    """The batch of rows from index ``begin``: converted and ``checked``."""
    cells = table.rows[begin : begin + batch_size]
    return checked_rows(cells, table.numbers_of(begin, len(cells)), columns, cleaner)


def checked_rows(cells: list, numbers, columns, cleaner) -> list[tuple[Row, dict | None]]:
    """Rows of cells, the file's rows ``numbers``: converted and ``checked``."""
    return checked(
        cleaner, [convert(n, row, columns) for n, row in zip(numbers, cells, strict=True)]
    )


def pack(rows: list[tuple[Row, dict | None]]) -> list[tuple]:
    """``checked`` rows as plain tuples (what the checking process sends back: quicker to
    pickle than dataclasses); ``unpack`` makes them rows again."""
    return [(row.data, row.tags, row.raw, row.errors, values) for row, values in rows]


def unpack(numbers, packed: list[tuple]) -> list[tuple[Row, dict | None]]:
    """``pack``'s rows, the file's rows ``numbers``."""
    return [
        (Row(n, data, tags, raw, errors), values)
        for n, (data, tags, raw, errors, values) in zip(numbers, packed, strict=True)
    ]


def new_job(
    user,
    file_path: str | Path,
    *,
    file_name: str = "",
    mapping: dict | None = None,
    owner=None,
    on_duplicate: str = OnDuplicate.SKIP,
) -> ImportJob:
    """An import job for a file already on disk; the mapping defaults to the auto-matched one."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    table = read_table(file_path)
    if mapping is None:
        mapping = auto_mapping(table.headers)
    job = ImportJob.objects.create(
        created_by=user,
        owner=owner,
        file_path=str(file_path),
        file_name=file_name or Path(file_path).name,
        mapping=mapping,
        on_duplicate=on_duplicate,
        total_rows=len(table.rows),
    )
    job._table = table  # process() in the same process (the command) need not read it again
    return job


def preview(table: Table, limit: int = PREVIEW_ROWS, width: int = 60) -> list[list[str]]:
    """The first rows as short display strings, for the mapping page: a number of more than
    15 digits as Excel shows it (4.40106E+17, its digits are lost), a formula without a
    saved result as its formula and an error value as Excel shows it (the import reports
    them)."""
    out = []
    for cells in table.rows[:limit]:
        texts = [_preview_text(v) for v in cells]
        out.append([t if len(t) <= width else t[:width] + "…" for t in texts])
    return out


def _preview_text(value) -> str:
    if type(value) is spreadsheets.Unread:
        return value.error or f"={value.formula}"
    if _lost_digits(value):
        return _as_excel_shows(value)
    return _text(value)


def read_report(job: ImportJob, limit: int = 50, *, shown: bool = False) -> list[list[str]]:
    """The first lines of a job's error report (without the header); ``shown``: each value as
    a page shows it, without the apostrophe that keeps a spreadsheet from running it."""
    path = Path(job.report_path) if job.report_path else None
    if path is None or not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        lines = [line for _i, line in zip(range(limit), reader, strict=False)]
    if shown:
        for line in lines:
            if len(line) > 2:
                line[2] = _shown(line[2])
    return lines


def _shown(value: str) -> str:
    """A report's value as a page shows it: without the apostrophe ``neutralise`` put before
    what a spreadsheet would run."""
    return value[1:] if value[:1] == "'" and value[1:].startswith(FORMULA_START) else value


# The reasons the importers give a skipped duplicate (_Batch.run and contact_imports._Batch.run).
# The report has no outcome column, so a skipped line is told from a failed one by its reason,
# in every language the job may have run in.
_SKIP_MESSAGES = (
    "Already exists as customer #%(id)d; skipped.",
    "A customer with the same %(field)s exists; skipped.",
    "Already a contact of this customer; skipped.",
    "Customer #%(id)d has a contact with this phone number; skipped.",
    "A customer's contact has the same phone number; skipped.",
    "Customer #%(id)d has this number as its other phone; skipped.",
    "A customer has this number as its other phone; skipped.",
    "Customer #%(id)d has a contact with this e-mail; skipped.",
    "A customer's contact has the same e-mail; skipped.",
    # A row updated, its owner cell not applied: no failure either.
    "Owner not changed: an existing customer changes owner by transfer.",
    # A totals row at the bottom of the sheet (_Batch.run): no customer, nothing to fix.
    "Looks like a totals row; not imported.",
    # The contacts import: a second primary contact of a customer taken as an ordinary one.
    "Imported, but not as the primary contact: row %(row)d of this file is already this "
    "customer's primary contact.",
)
#: Of those, the notes on a row that was imported or updated all the same: no row "not
#: imported", so a page shows them apart (``split_report``).
_NOTE_MESSAGES = (
    "Owner not changed: an existing customer changes owner by transfer.",
    "Imported, but not as the primary contact: row %(row)d of this file is already this "
    "customer's primary contact.",
)
_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _pattern(messages: tuple[str, ...]) -> re.Pattern:
    """What these messages match (``fullmatch``), in any language, their numbers any."""
    if messages not in _PATTERNS:
        texts = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                texts.update(_(message) for message in messages)
        parts = [
            re.escape(t)
            .replace(re.escape("%(id)d"), r"\d+")
            .replace(re.escape("%(row)d"), r"\d+")
            .replace(re.escape("%(field)s"), ".+")
            for t in sorted(texts)
        ]
        _PATTERNS[messages] = re.compile("|".join(parts))
    return _PATTERNS[messages]


def skip_pattern() -> re.Pattern:
    """What the reason of a skipped row's line matches (``fullmatch``), in any language."""
    return _pattern(_SKIP_MESSAGES)


def split_report(lines: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """A report's lines (``read_report``) as (the rows not imported: failed or skipped, the
    notes on rows imported or updated all the same)."""
    notes = _pattern(_NOTE_MESSAGES)
    kept: list[list[str]] = []
    noted: list[list[str]] = []
    for line in lines:
        (noted if len(line) > 3 and notes.fullmatch(line[3]) else kept).append(line)
    return kept, noted


@dataclass
class ColumnProblems:
    """What a job's error report says about one column of the file ("" for the row as a
    whole): on how many rows (the report has one line per row and column), its most common
    reason and on how many rows, how many different reasons in all, and a value of the file
    that gave that reason. Reasons that differ only in their numbers are one reason ("Same
    mobile phone as row 47 of this file", "... as row 68 ..."), its numbers that differ shown
    as "…"."""

    column: str
    rows: int
    reason: str
    reason_rows: int
    reasons: int
    example: str


_NUMBER = re.compile(r"\d+")


@dataclass
class _Reason:
    """One reason of a column, its numbers set apart: the text between them, the first line's
    numbers and which of them another line gave otherwise."""

    parts: list[str]
    numbers: list[str]
    varies: list[bool]
    example: str
    rows: int = 0

    def add(self, numbers: list[str]) -> None:
        self.rows += 1
        if numbers != self.numbers:
            self.varies = [
                v or n != first
                for v, n, first in zip(self.varies, numbers, self.numbers, strict=True)
            ]

    def text(self) -> str:
        shown = ("…" if varies else n for n, varies in zip(self.numbers, self.varies, strict=True))
        return "".join(part + number for part, number in zip(self.parts, [*shown, ""], strict=True))


def report_by_column(job: ImportJob) -> list[ColumnProblems]:
    """The error report's failed rows summed up by column (a skipped duplicate is no problem
    of the file: the job counts them), the column with the most rows first: a
    column mapped to the wrong field, or a choice the file spells its own way, fails on most
    rows, and the report's first 50 lines show nothing but that. None yet while the job runs
    (its report is still being written)."""
    path = Path(job.report_path) if job.report_path else None
    running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    if running or path is None or not path.exists():
        return []
    by_column: dict[str, dict[str, _Reason]] = {}
    skipped = skip_pattern()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for _row, column, value, reason in reader:  # four cells a line, as _Report writes them
            if skipped.fullmatch(reason):  # counted as skipped; the summary is of failures
                continue
            reasons = by_column.setdefault(column, {})
            numbers = _NUMBER.findall(reason)
            kind = reasons.get(key := _NUMBER.sub("#", reason))
            if kind is None:
                kind = reasons[key] = _Reason(
                    _NUMBER.split(reason), numbers, [False] * len(numbers), _shown(value)
                )
            kind.add(numbers)
    summary = []
    for column, reasons in by_column.items():
        top = max(reasons.values(), key=lambda kind: kind.rows)  # the first seen of a tie
        summary.append(
            ColumnProblems(
                column=column,
                rows=sum(kind.rows for kind in reasons.values()),
                reason=top.text(),
                reason_rows=top.rows,
                reasons=len(reasons),
                example=top.example,
            )
        )
    summary.sort(key=lambda problems: (-problems.rows, problems.column))
    return summary


def mostly_failing(job: ImportJob, problems: list[ColumnProblems]) -> bool:
    """Do the failures of the column failing most (``problems`` as ``report_by_column`` gives
    them) reach half the rows checked? Such a column is likely matched to the wrong field; a
    few bad cells are not."""
    return bool(problems) and problems[0].rows * 2 >= job.total_rows


def jobs_for(user, kind: str = "customers"):
    """The import jobs of one kind a user may follow: their own (an admin: everyone's)."""
    jobs = ImportJob.objects.filter(kind=kind).select_related("created_by", "owner")
    if user.is_superuser or user.role == "admin":
        return jobs
    return jobs.filter(created_by=user)


MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES = {".csv", ".txt", *XLSX_SUFFIXES}


def save_upload(user, upload, *, open_job: Callable[..., ImportJob] | None = None) -> ImportJob:
    """Keep an uploaded file under the data directory and open a job for it with
    ``open_job(user, path, file_name=…)`` (default: a customer import, ``new_job``);
    ValidationError (on "file") when it is missing, too big, of another type or unreadable."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError({"file": _("Upload a CSV or Excel (.xlsx) file.")})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)d MB; split it or use `guanxi import`.")
                % {"mb": MAX_UPLOAD_BYTES // 2**20}
            }
        )
    folder = Path(settings.DATA_DIR) / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / (get_valid_filename(Path(upload.name).stem) + suffix)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        return (open_job or new_job)(user, path, file_name=upload.name)
    except ImportFileError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError({"file": str(exc)}) from None


def configure(user, job: ImportJob, mapping: dict, owner, on_duplicate: str) -> ImportJob:
    """Set a job's mapping, owner and duplicate rule after checking them (ValidationError)."""
    owner = owner or user
    if on_duplicate not in OnDuplicate.values:
        raise ValidationError({"on_duplicate": _("Choose skip, update or create.")})
    services.check_can_create_for(user, owner)
    try:
        # The table new_job read, in the same request: a large upload is not read twice.
        table = getattr(job, "_table", None) or read_table(job.file_path)
        mapping = check_mapping(mapping, table.headers)
    except ImportFileError as exc:
        raise ValidationError({"mapping": str(exc)}) from None
    job.mapping, job.owner, job.on_duplicate = mapping, owner, on_duplicate
    job.save(update_fields=["mapping", "owner", "on_duplicate"])
    return job
