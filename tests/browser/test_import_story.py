"""Issue #6's "done when", walked in a real browser: a new user imports an Excel file of 3,000
customers with a few bad rows, fixes those rows from the report and imports them, merges a
duplicate the finder found (and undoes it), then finds a customer from the top bar by pinyin,
initials, Chinese and phone digits.

Screenshots of every step go to $STORY_SCREENSHOTS when it is set (e.g. /tmp/storyh)."""

import datetime as dt
import io
import os
import random
import re
from pathlib import Path

import pytest
import xlsxwriter
from django.urls import reverse
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook
from stdnum.cn import ric

from guanxi.customers.models import Customer
from guanxi.customers.services import add_contact, create_customer
from tests.browser.helpers import no_problems, overflow, sign_in

pytestmark = pytest.mark.browser

ROWS = 3000
HEADERS = ["姓名", "手机", "邮箱", "性别", "生日", "身份证号", "省份", "城市", "公司", "标签"]
PLACES = [
    ("浙江", "杭州"),
    ("江苏", "南京"),
    ("江苏", "苏州"),
    ("广东", "广州"),
    ("广东", "深圳"),
    ("四川", "成都"),
    ("湖北", "武汉"),
    ("陕西", "西安"),
    ("山东", "青岛"),
    ("福建", "福州"),
    ("湖南", "长沙"),
    ("河南", "郑州"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建文辉力鹏宇浩凯晨欣怡佳琪雪梅婷波斌宁飞鑫海峰亮东"
COMPANIES = ["", "", "", "杭州云栖科技有限公司", "深圳前海贸易有限公司", "成都天府物流有限公司"]

# The rows a careful test names (file row numbers: the header is row 1).
SEARCHED = ("欧阳娜娜", "13512345678")  # found from the top bar at the end
OLD_CHEN_PHONE_ALT = "13922223333"  # the existing 陈静's other phone
NEW_CHEN_PHONE = "19912340000"  # the imported 陈静's mobile: the same person, a new number
OLD_ZHOU_PHONE = "13600002222"  # the existing 周杰: the file's 周杰 is skipped as a duplicate


def phone_spelling(number: str, i: int):
    """Mobiles as people type them: plain, spaced, dashed, with +86, or a number cell."""
    return [
        number,
        f"{number[:3]} {number[3:7]} {number[7:]}",
        f"{number[:3]}-{number[3:7]}-{number[7:]}",
        f"+86 {number}",
        int(number),
    ][i % 5]


def id_number(birthday: dt.date, i: int) -> str:
    body = f"110105{birthday:%Y%m%d}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18


def wrong_check_digit(body: str) -> str:
    right = ric.calc_check_digit(body + "0")
    return body + ("1" if right == "0" else "0")


def story_rows() -> tuple[list[list], dict[str, int]]:
    """3,000 customers with a few bad rows and planted duplicates; also {what: file row}."""
    rng = random.Random(6)
    names: set[str] = set()
    rows: list[list] = []
    while len(rows) < ROWS:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if name in names or name in ("陈静", "周杰", "刘洋", "刘阳"):
            continue
        names.add(name)
        i = len(rows)
        province, city = PLACES[i % len(PLACES)]
        birthday = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        rows.append(
            [
                name,
                phone_spelling(f"1{rng.choice('3589')}{i + 10_000_000:09d}"[:11], i),
                f"user{i}@example.com" if i % 3 else "",
                rng.choice(["男", "女", ""]),
                birthday if i % 2 else birthday.isoformat(),
                id_number(birthday, i) if i % 40 == 0 else "",
                province,
                city,
                COMPANIES[i % len(COMPANIES)],
                "2026展会" if i % 10 == 0 else "",
            ]
        )
    at = {}

    def plant(what: str, index: int, **cells):
        for header, value in cells.items():
            rows[index][HEADERS.index(header)] = value
        at[what] = index + 2

    plant("short phone", 101, 手机="1380013")
    plant("broken e-mail", 502, 邮箱="li.na@@163")
    plant("wrong check digit", 903, 身份证号=wrong_check_digit("11010519800101001"))
    plant("impossible date", 1404, 生日="1990-02-30")
    plant("copied row", 2205, 手机=rows[2204][1], 姓名=rows[2204][0])
    plant("old 周杰", 2306, 姓名="周杰", 手机=OLD_ZHOU_PHONE, 邮箱="")
    plant(
        "new 陈静", 2407, 姓名="陈静", 手机=NEW_CHEN_PHONE, 邮箱="chenjing@example.com", 城市="杭州"
    )
    plant("searched", 2508, 姓名=SEARCHED[0], 手机=SEARCHED[1], 城市="厦门", 省份="福建")
    return rows, at


def write_xlsx(path: Path, headers: list[str], rows: list[list]) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, value)
    book.close()


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("STORY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def counts(page: Page) -> dict[str, int]:
    """The counters of the import page: {label: number}."""
    terms = page.locator("#import-progress dt").all_inner_texts()
    values = page.locator("#import-progress dd").all_inner_texts()
    return {t.strip(): int(v.replace(",", "")) for t, v in zip(terms, values, strict=True)}


def import_done(page: Page) -> None:
    """Wait for the import to end; fail with the page's own error if it stopped."""
    badge = page.locator("#import-progress .badge")
    expect(badge).to_have_text(re.compile("^(Done|Stopped by an error)$"))
    assert badge.inner_text() == "Done", page.locator("#import-progress .alert").all_inner_texts()


def upload(page: Page, path: Path) -> None:
    page.goto(reverse("customers:import"))
    page.locator("#import-file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and match columns").click()
    expect(page.get_by_role("heading", name=re.compile("Match the columns"))).to_be_visible()


@pytest.fixture
def old_customers(alice):
    chen = create_customer(
        alice,
        {"name": "陈静", "phone": "13800001111", "phone_alt": OLD_CHEN_PHONE_ALT, "city": "杭州"},
    )
    add_contact(alice, chen, {"name": "陈先生", "phone": "13700007777"})
    zhou = create_customer(alice, {"name": "周杰", "phone": OLD_ZHOU_PHONE, "city": "南京"})
    return chen, zhou


def test_a_new_user_imports_fixes_merges_and_finds(open_page, alice, old_customers, tmp_path):
    old_chen, old_zhou = old_customers
    rows, at = story_rows()
    path = tmp_path / "客户名单2026.xlsx"
    write_xlsx(path, HEADERS, rows)
    page = open_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "alice")

    # 1. Upload: the mapping page matched every column from its Chinese header.
    upload(page, path)
    expect(page.get_by_role("heading", name=re.compile(r"\(3,?000 rows\)"))).to_be_visible()
    for i, field in enumerate(
        ["name", "phone", "email", "gender", "birthday", "id_number", "province", "city"]
    ):
        expect(page.locator(f"#map-{i}")).to_have_value(field)
    expect(page.locator("tbody tr")).to_have_count(10)
    width, window = overflow(page)
    assert width <= window, "the wide preview scrolls in its box, not the page"
    shot(page, "01-mapping")

    # 2. Dry run: nothing saved, the bad rows listed with row, column, value and reason.
    page.get_by_role("button", name="Check every row (dry run)").click()
    expect(page.locator("#import-progress")).to_contain_text("Dry run")
    assert counts(page) == {"New customers": 2994, "Updated": 0, "Skipped": 2, "Failed": 4}
    assert Customer.objects.count() == 2
    report = page.locator("#import-report tbody tr")
    expect(report).to_have_count(6)
    # Above it, the failures by column, each bad column once (the old 周杰 and the copied row,
    # skipped, are counted as such).
    by_column = page.locator("#import-problems tbody tr").all_inner_texts()
    problems = [line.split("\t")[:2] for line in by_column]
    assert sorted(problems) == [["手机", "1"], ["生日", "1"], ["身份证号", "1"], ["邮箱", "1"]]
    lines = [r.split("\t") for r in report.all_inner_texts()]
    by_row = {int(line[0]): line for line in lines}
    assert by_row[at["short phone"]][1:3] == ["手机", "1380013"]
    assert by_row[at["broken e-mail"]][1:3] == ["邮箱", "li.na@@163"]
    assert by_row[at["wrong check digit"]][1] == "身份证号"
    assert by_row[at["impossible date"]][1:3] == ["生日", "1990-02-30"]
    assert f"row {at['copied row'] - 1}" in by_row[at["copied row"]][3]
    assert f"#{old_zhou.pk}" in by_row[at["old 周杰"]][3]
    shot(page, "02-dry-run-report")
    job_page = page.url
    page.goto(reverse("customers:import"))  # the recent imports: a dry run imported nothing yet
    expect(page.locator("table tbody tr").first).to_contain_text("2994 ready to import")
    page.goto(job_page)

    # 3. Import the good rows.
    page.get_by_role("button", name="Import now").click()
    import_done(page)
    assert counts(page) == {"New customers": 2994, "Updated": 0, "Skipped": 2, "Failed": 4}
    assert Customer.objects.count() == 2 + 2994
    shot(page, "03-import-done")

    # 4. The report as CSV, and the rows to fix as a workbook (whole rows, their row in the
    # file, what is wrong last).
    with page.expect_download() as report_download:
        page.get_by_role("link", name="Download the report (CSV)").click()
    report_csv = Path(report_download.value.path()).read_text(encoding="utf-8-sig")
    assert report_csv.splitlines()[0] == "row,column,value,reason"
    assert len(report_csv.splitlines()) == 7
    with page.expect_download() as fix_download:
        page.get_by_role("link", name="Download the rows to fix (Excel)").click()
    sheet = CalamineWorkbook.from_filelike(
        io.BytesIO(Path(fix_download.value.path()).read_bytes())
    ).get_sheet_by_index(0)
    table = sheet.to_python()
    assert table[0] == [*HEADERS, "Row in the original file", "What to fix"]
    assert {row[-2] for row in table[1:]} == {
        at[w] for w in at if w not in ("old 周杰", "new 陈静", "searched", "copied row")
    }
    fix = {row[0]: row for row in table[1:]}
    assert len(fix) == 4  # the skipped 周杰 and copied row are not there: nothing to fix
    assert rows[at["short phone"] - 2][0] in fix
    assert "手机" in fix[rows[at["short phone"] - 2][0]][-1]

    # 5. Fix them as a person would in Excel: correct the four.
    fixed = []
    for row in table[1:]:
        row = [str(v) if v != "" else "" for v in row[:-2]]
        problem = fix[row[0]][-1]
        if "手机" in problem:
            row[1] = "13800130013"
        if "邮箱" in problem:
            row[2] = "li.na@163.com"
        if "身份证号" in problem:
            row[5] = ""
        if "生日" in problem:
            row[4] = "1990-02-28"
        fixed.append(row)
    fixed_path = tmp_path / "客户名单2026.to-fix.xlsx"
    write_xlsx(fixed_path, HEADERS, fixed)
    upload(page, fixed_path)
    page.get_by_role("button", name="Import now").click()
    import_done(page)
    assert counts(page) == {"New customers": 4, "Updated": 0, "Skipped": 0, "Failed": 0}
    expect(page.locator("#import-progress")).to_contain_text("Every row passed")
    shot(page, "04-fixed-rows-imported")
    assert Customer.objects.count() == 2 + 2994 + 4

    # 6. Duplicates, from the finished import: the scan finds the imported 陈静 (the same name
    # in the same city as the old one), listed from its card's "Duplicates".
    page.get_by_role("button", name="Look for duplicates").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("customers:duplicates")) + "$"))
    new_chen = Customer.objects.get(name="陈静", email="chenjing@example.com")
    page.goto(reverse("customers:detail", args=[new_chen.pk]))
    page.get_by_role("link", name="Duplicates").click()
    pair = page.locator("tr", has=page.get_by_role("link", name="陈静"))
    expect(pair).to_have_count(1)
    expect(pair).to_contain_text("Similar name")
    shot(page, "05-duplicates")

    # 7. Side by side: keep the imported 陈静 (it has the e-mail) with the old one's phones; the
    # old one's contact moves over, and the old one goes to the recycle bin.
    pair.get_by_role("link", name="Compare").click()
    page.get_by_role("link", name="Keep the other one instead").click()
    expect(page).to_have_url(reverse("customers:merge", args=[new_chen.pk, old_chen.pk]))
    expect(page.locator("table").first).to_contain_text("chenjing@example.com")
    page.locator("#c-phone-o").check()
    page.locator("#c-phone_alt-o").check()
    # The imported mobile is now kept in no field: the page says so before the merge.
    expect(page.locator("#not-kept")).to_contain_text("+86 199 1234 0000")
    shot(page, "06-merge")
    page.get_by_role("button", name=f"Merge 陈静 #{old_chen.pk} into 陈静 #{new_chen.pk}").click()
    expect(page.locator(".alert-success")).to_contain_text(
        f"陈静 (#{old_chen.pk}) merged into 陈静 (#{new_chen.pk})"
    )
    expect(page.locator("#tab-card")).to_contain_text("陈先生")
    new_chen.refresh_from_db()
    assert (new_chen.phone, new_chen.phone_alt) == ("+8613800001111", "+8613922223333")
    assert (new_chen.email, new_chen.city) == ("chenjing@example.com", "杭州市")
    assert list(new_chen.contacts.values_list("name", flat=True)) == ["陈先生"]
    assert Customer.objects.get(pk=old_chen.pk).deleted_at is not None  # in the recycle bin
    shot(page, "07-merged")

    # 8. Undo puts the old 陈静 back with its contact.
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".alert-success")).to_contain_text("Merge undone")
    old_chen.refresh_from_db()
    assert old_chen.deleted_at is None
    assert list(old_chen.contacts.values_list("name", flat=True)) == ["陈先生"]
    assert not new_chen.contacts.exists()
    shot(page, "08-undone")

    # 9. The top bar finds 欧阳娜娜 by pinyin, initials, Chinese and phone digits.
    searched = Customer.objects.get(name=SEARCHED[0])
    timings: dict[str, float] = {}
    box = page.get_by_role("search").get_by_role("searchbox")
    for query in ("ouyangnana", "oynn", "欧阳娜娜", "1351234"):
        with page.expect_response(re.compile(r"/search/\?.*dropdown=1")) as answer:
            box.fill(query)
        assert answer.value.ok
        options = page.locator("#global-search-results").get_by_role("option")
        found = options.filter(has_text=SEARCHED[0]).first
        expect(found).to_have_attribute("href", reverse("customers:detail", args=[searched.pk]))
        timings[query] = answer.value.request.timing["responseEnd"]
        shot(page, f"09-search-{query}")
    print("top-bar search, ms from request to the last byte:", timings)
    found.click()
    expect(page.get_by_role("heading", name=SEARCHED[0])).to_be_visible()
    no_problems(page)
