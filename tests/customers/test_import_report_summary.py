"""An import's error report summed up by column: on the job's page, in the API and the command."""

import io

import pytest
from django.core.management import call_command

from guanxi.customers import import_reports
from guanxi.customers.import_reports import ColumnProblems
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

#: What a phone number that is none is told (guanxi.core.phones.invalid_message).
PHONE_MESSAGE = (
    "Enter a valid phone number: a mobile such as 13800138000, a landline with its area code "
    "such as 020-87654321, or a number with its country code such as +852 9123 4567."
)

pytestmark = pytest.mark.django_db

# Four rows fail on the phone (three malformed, one repeating row 2's: a failure under
# "update", as ``_dry_run`` imports), one on the e-mail.
FILE = (
    "姓名,手机,邮箱\n"
    "王伟,13800138000,\n"
    "李娜,12345,\n"
    "张三,999,\n"
    "李四,13800138000,\n"
    "赵六,1,\n"
    "钱七,,not-an-email\n"
    "孙八,13912345678,\n"
)
PHONE = ColumnProblems(
    column="手机",
    rows=4,
    reason=PHONE_MESSAGE,
    reason_rows=3,
    reasons=2,
    example="12345",
)
EMAIL = ColumnProblems(
    column="邮箱",
    rows=1,
    reason="Enter a valid email address.",
    reason_rows=1,
    reasons=1,
    example="not-an-email",
)


def _dry_run(tmp_path, text: str = FILE, on_duplicate="update") -> tuple[ImportJob, str]:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    try:
        call_command(
            "import",
            "customers",
            str(path),
            "--owner",
            "alice",
            "--on-duplicate",
            on_duplicate,
            "--dry-run",
            stdout=out,
        )
    except SystemExit:
        pass  # nothing to import: the command's exit status, not this test's subject
    return ImportJob.objects.get(), out.getvalue()


def test_the_report_is_summed_up_by_column_most_rows_first(alice, tmp_path):
    job, _out = _dry_run(tmp_path)
    assert import_reports.report_by_column(job) == [PHONE, EMAIL]


def test_reasons_that_differ_in_their_numbers_are_one_reason_with_those_numbers_left_out(
    alice, tmp_path
):
    job, _out = _dry_run(
        tmp_path,
        "姓名,手机\n王伟,13800138000\n李娜,13912345678\n"
        "张三,13800138000\n李四,13912345678\n赵六,13800138000\n",
    )
    (phone,) = import_reports.report_by_column(job)
    assert (phone.rows, phone.reasons, phone.reason_rows) == (3, 1, 3)
    assert phone.reason == "Same mobile phone as row … of this file."
    assert phone.example == "13800138000"


def test_a_number_every_line_of_a_reason_gives_is_kept(alice, tmp_path):
    job, _out = _dry_run(
        tmp_path, "姓名,手机\n王伟,13800138000\n张三,13800138000\n李四,13800138000\n"
    )
    (phone,) = import_reports.report_by_column(job)
    assert (phone.rows, phone.reason) == (2, "Same mobile phone as row 2 of this file.")


def test_a_row_failing_as_a_whole_is_summed_up_under_no_column(alice, tmp_path):
    job, _out = _dry_run(tmp_path, "姓名,手机\n,13800138000\n")
    with open(job.report_path, "a", encoding="utf-8") as report:
        report.write("3,,,Matches a customer you may not change.\r\n")
    whole_row, name = import_reports.report_by_column(job)
    assert whole_row == ColumnProblems(
        column="",
        rows=1,
        reason="Matches a customer you may not change.",
        reason_rows=1,
        reasons=1,
        example="",
    )
    assert (name.column, name.rows) == ("姓名", 1)


def test_a_skipped_duplicate_is_no_problem_of_its_column(alice, alices_customer, tmp_path):
    job, _out = _dry_run(tmp_path, "姓名,手机\n王伟,13800138000\n李娜,12345\n")

    (phone,) = import_reports.report_by_column(job)

    assert (job.skipped, phone.rows, phone.reasons) == (1, 1, 1)
    assert phone.reason == PHONE_MESSAGE


def test_a_job_without_failures_has_no_summary(alice, tmp_path):
    job, _out = _dry_run(tmp_path, "姓名,手机\n王伟,13800138000\n")
    assert import_reports.report_by_column(job) == []


def test_a_running_job_has_no_summary_yet(alice, tmp_path):
    job, _out = _dry_run(tmp_path)
    job.status = ImportJob.Status.RUNNING
    assert import_reports.report_by_column(job) == []


def test_the_command_prints_the_summary_under_the_reports_path(alice, tmp_path):
    _job, out = _dry_run(tmp_path)
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("report: "))
    assert lines[start + 1 : start + 3] == [
        f"  手机: 4 rows: {PHONE_MESSAGE} (and 1 other reason)",
        "  邮箱: 1 row: Enter a valid email address.",
    ]


def test_the_jobs_page_shows_the_summary_and_how_to_remap(client, alice, tmp_path):
    job, _out = _dry_run(tmp_path)
    page = login(client, alice).get(f"/customers/import/{job.pk}/status/").text
    table = page[page.index("Why rows failed, by column") : page.index("Rows not imported")]
    assert ">手机</td>" in table
    assert '<td class="text-end">4</td>' in table
    assert "(rows with this reason: 3; and 1 other reason)" in table
    assert 'title="12345">12345</span></td>' in table  # cut when long, whole in its title
    assert "change the mapping" in table


def test_the_api_gives_the_summary_with_the_jobs_status(client, alice, tmp_path):
    job, _out = _dry_run(tmp_path)
    body = login(client, alice).get(f"/api/v1/customers/import/{job.pk}").json()
    assert body["problems"][0] == {
        "column": "手机",
        "rows": 4,
        "reason": PHONE_MESSAGE,
        "reason_rows": 3,
        "reasons": 2,
        "example": "12345",
    }
    assert [p["column"] for p in body["problems"]] == ["手机", "邮箱"]


REMAP_HINT = "A column that fails on most rows may be matched to the wrong field"


def test_the_hint_to_match_a_column_again_is_not_given_when_few_rows_fail(client, alice, tmp_path):
    job, _out = _dry_run(
        tmp_path, "姓名,手机\n王伟,13800138000\n李娜,12345\n张三,13912345678\n"
    )  # the phone fails on 1 row of 3
    page = login(client, alice).get(f"/customers/import/{job.pk}/status/").text
    assert "Why rows failed, by column" in page
    assert REMAP_HINT not in page


def test_the_hint_to_match_a_column_again_is_given_when_it_fails_on_half_the_rows(
    client, alice, tmp_path
):
    job, _out = _dry_run(tmp_path, "姓名,手机\n王伟,13800138000\n李娜,12345\n")
    page = login(client, alice).get(f"/customers/import/{job.pk}/status/").text
    assert REMAP_HINT in page


def test_a_long_value_in_the_rows_not_imported_is_cut_and_whole_in_its_title(
    client, alice, tmp_path
):
    job, _out = _dry_run(tmp_path, f"姓名,手机\n王伟,13800138000\n李娜,{'1' * 300}\n")
    ((_row, _column, value, _reason),) = import_reports.read_report(job)
    page = login(client, alice).get(f"/customers/import/{job.pk}/status/").text
    report = page[page.index('id="import-report"') :]
    cell = report[report.index("<td>3</td>") :]
    assert cell.index("text-truncate") < cell.index(f'title="{value}">{value}</span>')


def test_the_report_lists_its_rows_in_order(alice, alices_customer, tmp_path):
    job, _out = _dry_run(tmp_path, "姓名,手机\n王伟,13800138000\n李娜,12345\n", "skip")

    assert [line[0] for line in import_reports.read_report(job)] == ["2", "3"]
