"""The import's ID and owner columns: an exported list, edited, comes back onto its own
customers by their ID (never as copies); a new customer's owner comes from its row, under the
rule for the import's owner; both looked up once per batch, not per row."""

import csv
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from guanxi.accounts.services import create_user
from guanxi.customers import (
    exports,
    import_checker,
    import_mapping,
    import_reports,
    import_tables,
    imports,
    merge,
)
from guanxi.customers.import_fixes import failed_rows
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob
from guanxi.customers.queries import customers_for
from guanxi.customers.services import create_customer, delete_customer
from tests.conftest import PASSWORD, login


def _import(tmp_path, user, text: str, *, on_duplicate="update", owner=None, dry_run=False):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=owner, on_duplicate=on_duplicate)
    imports.process(job, dry_run=dry_run)
    return job, _report(job)


def _report(job) -> list[list[str]]:
    with open(job.report_path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def _counts(job) -> tuple[int, int, int, int]:
    return job.imported, job.updated, job.skipped, job.failed


def _write_xlsx(path, headers: list[str], rows: list[list]) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if text := import_tables.cell_text(value):
                sheet.write_string(r, col, text)
    book.close()


# --- the ID ----------------------------------------------------------------------------------


def test_an_exported_list_edited_and_imported_again_updates_its_customers_and_adds_none(
    alice, tmp_path
):
    create_customer(alice, {"name": "王伟"})  # no phone, e-mail or ID number to match by
    create_customer(alice, {"name": "李娜", "phone": "13800138000", "city": "广州"})
    exported = tmp_path / "customers.xlsx"
    with translation.override("zh-hans"):
        exports.write_file(alice, customers_for(alice), "xlsx", exported)
    table = imports.read_table(exported)
    city = table.headers.index("城市")
    for row in table.rows:
        row[city] = "深圳"  # what she fixed in Excel
    edited = tmp_path / "edited.xlsx"
    _write_xlsx(edited, table.headers, table.rows)

    job = imports.new_job(alice, edited, on_duplicate="update")
    imports.process(job)

    assert _counts(job) == (0, 2, 0, 0)
    assert sorted(Customer.objects.values_list("name", "city")) == [
        ("李娜", "深圳市"),
        ("王伟", "深圳市"),
    ]
    assert _report(job) == []  # the owner column names their owner: nothing to say


def test_a_list_exported_from_the_page_comes_back_through_the_import_page(client, alice):
    customer = create_customer(alice, {"name": "王伟", "city": "广州"})
    client = login(client, alice)
    body = b"".join(client.get("/customers/export/", {"format": "csv"}).streaming_content)
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    table[1][table[0].index("City")] = "深圳"
    edited = io.StringIO()
    csv.writer(edited).writerows(table)

    client.post(
        "/customers/import/",
        {"file": SimpleUploadedFile("customers.csv", edited.getvalue().encode(), "text/csv")},
    )
    job = ImportJob.objects.get()
    page = client.get(f"/customers/import/{job.pk}/").text
    mapping = import_mapping.auto_mapping(table[0])
    client.post(
        f"/customers/import/{job.pk}/",
        {
            **{f"map-{i}": mapping.get(h, "") for i, h in enumerate(table[0])},
            "on_duplicate": "update",
            "action": "import",
        },
    )

    assert '<option value="id" selected>' in page and '<option value="owner" selected>' in page
    job.refresh_from_db()
    assert (job.status, *_counts(job)) == ("done", 0, 1, 0, 0)
    assert list(Customer.objects.values_list("pk", "city")) == [(customer.pk, "深圳市")]


def test_the_exports_id_and_owner_headers_are_mapped_in_both_languages(db):
    for language, owner in (("en", "Owner"), ("zh-hans", "负责人")):
        with translation.override(language):
            headers = exports.headers([])
        mapping = import_mapping.auto_mapping(headers)
        assert (mapping["ID"], mapping[owner]) == ("id", "owner")


def test_another_systems_number_column_is_not_taken_for_the_id(db):
    mapping = import_mapping.auto_mapping(["编号", "客户编号", "身份证号", "客户ID"])

    assert mapping == {"身份证号": "id_number", "客户ID": "id"}


def test_two_customers_sharing_a_phone_come_back_by_their_ids(alice, tmp_path):
    first = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    second = create_customer(alice, {"name": "王伟", "phone": "13800138000", "city": "广州"})

    job, report = _import(
        tmp_path,
        alice,
        f"ID,姓名,手机,城市\n{first.pk},王伟,13800138000,深圳\n{second.pk},王伟,13800138000,上海\n",
    )

    assert _counts(job) == (0, 2, 0, 0), report
    assert Customer.objects.get(pk=first.pk).city == "深圳市"
    assert Customer.objects.get(pk=second.pk).city == "上海市"


def test_an_id_matches_before_the_phone(alice, tmp_path):
    by_phone = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    by_id = create_customer(alice, {"name": "王伟"})

    job, _report_lines = _import(
        tmp_path, alice, f"ID,姓名,手机,城市\n{by_id.pk},王伟,13800138000,深圳\n"
    )

    assert _counts(job) == (0, 1, 0, 0)
    assert Customer.objects.get(pk=by_id.pk).city == "深圳市"
    assert Customer.objects.get(pk=by_phone.pk).city == ""


def test_a_row_without_an_id_in_an_id_column_is_matched_as_before(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000"})

    job, _report_lines = _import(
        tmp_path, alice, "ID,姓名,手机,城市\n,王伟,13800138000,深圳\n,李娜,13800138001,广州\n"
    )

    assert _counts(job) == (1, 1, 0, 0)
    assert Customer.objects.get(pk=known.pk).city == "深圳市"


def test_the_same_id_twice_in_the_file_is_a_row_error(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟"})

    job, report = _import(
        tmp_path, alice, f"ID,姓名,城市\n{known.pk},王伟,深圳\n{known.pk},王伟二,广州\n"
    )

    assert _counts(job) == (0, 1, 0, 1)
    assert report == [["3", "ID", str(known.pk), "Same ID as row 2 of this file."]]


def test_an_id_no_customer_has_is_a_row_error_and_creates_nothing(alice, tmp_path):
    job, report = _import(tmp_path, alice, "ID,姓名\n999999,王伟\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report == [
        ["2", "ID", "999999", "No customer #999999: leave the ID empty to add a new customer."]
    ]
    assert not Customer.objects.exists()


def test_the_id_of_a_customer_in_the_recycle_bin_is_no_customer(alice, tmp_path):
    gone = create_customer(alice, {"name": "王伟"})
    delete_customer(alice, gone.pk)

    job, report = _import(tmp_path, alice, f"ID,姓名\n{gone.pk},王伟\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report[0][3].startswith(f"No customer #{gone.pk}:")


def test_an_id_that_is_no_number_is_a_row_error(alice, tmp_path):
    job, report = _import(tmp_path, alice, "ID,姓名\nC-0001,王伟\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report == [
        ["2", "ID", "C-0001", "An ID is the number of a customer, as the export gives it."]
    ]


def test_a_reps_id_of_another_reps_customer_is_refused_without_revealing_it(
    alice, charlies_customer, tmp_path
):
    job, report = _import(tmp_path, alice, f"ID,姓名\n{charlies_customer.pk},新名字\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report == [
        ["2", "ID", str(charlies_customer.pk), "Matches a customer you may not change."]
    ]
    assert Customer.objects.get(pk=charlies_customer.pk).name == "成都锦城贸易有限公司"


def test_skipping_a_customer_she_cannot_see_does_not_say_which(alice, charlies_customer, tmp_path):
    job, report = _import(
        tmp_path, alice, f"ID,姓名\n{charlies_customer.pk},新名字\n", on_duplicate="skip"
    )

    assert _counts(job) == (0, 0, 1, 0)
    assert report[0][3] == "A customer with the same ID exists; skipped."


def test_skipping_her_own_customer_names_it(alice, alices_customer, tmp_path):
    job, report = _import(
        tmp_path, alice, f"ID,姓名\n{alices_customer.pk},王伟\n", on_duplicate="skip"
    )

    assert _counts(job) == (0, 0, 1, 0)
    assert report[0][3] == f"Already exists as customer #{alices_customer.pk}; skipped."
    assert Customer.objects.get(pk=alices_customer.pk).name == "王伟"


def test_with_create_the_id_column_is_ignored(alice, alices_customer, tmp_path):
    job, report = _import(
        tmp_path, alice, f"ID,姓名\n{alices_customer.pk},王伟\n999999,李娜\n", on_duplicate="create"
    )

    assert _counts(job) == (2, 0, 0, 0), report
    assert Customer.objects.count() == 3


def test_a_dry_run_reports_an_unknown_id_and_writes_nothing(alice, alices_customer, tmp_path):
    job, report = _import(
        tmp_path,
        alice,
        f"ID,姓名,城市\n{alices_customer.pk},王伟,深圳\n999999,李娜,广州\n",
        dry_run=True,
    )

    assert (job.status, *_counts(job)) == ("checked", 0, 1, 0, 1)
    assert [line[:3] for line in report] == [["3", "ID", "999999"]]
    assert Customer.objects.get(pk=alices_customer.pk).city == "广州市"


def test_a_row_with_an_unknown_id_is_a_row_to_fix(alice, tmp_path):
    job, _report_lines = _import(tmp_path, alice, "ID,姓名\n999999,王伟\n")

    assert list(failed_rows(job)) == [2]


# --- the owner -------------------------------------------------------------------------------


def test_a_new_customer_is_owned_by_the_username_its_row_names_in_any_case(ada, bob, tmp_path):
    job, report = _import(tmp_path, ada, "姓名,负责人\n王伟,BOB\n")

    assert _counts(job) == (1, 0, 0, 0), report
    customer = Customer.objects.get()
    assert (customer.owner, customer.created_by) == (bob, ada)
    assert customer.history.get().owner_id == bob.pk


def test_a_new_customer_is_owned_by_the_user_its_row_names_by_display_name(ada, bob, tmp_path):
    bob.display_name = "鲍勃"
    bob.save()

    job, _report_lines = _import(tmp_path, ada, "姓名,负责人\n王伟,鲍勃\n李娜,\n")

    assert _counts(job) == (2, 0, 0, 0)
    assert dict(Customer.objects.values_list("name", "owner__username")) == {
        "王伟": "bob",
        "李娜": "ada",
    }


def test_a_rep_naming_another_owner_is_a_row_error(alice, bob, tmp_path):
    job, report = _import(tmp_path, alice, "姓名,负责人\n王伟,bob\n李娜,alice\n")

    assert _counts(job) == (1, 0, 0, 1)
    assert report[0][:3] == ["2", "负责人", "bob"]
    assert report[0][3].startswith("You can only assign customers to yourself")
    assert Customer.objects.get().owner == alice


def test_a_manager_may_name_her_team_but_not_another_team(mike, alice, charlie, tmp_path):
    job, report = _import(tmp_path, mike, "姓名,负责人\n王伟,alice\n李娜,charlie\n")

    assert _counts(job) == (1, 0, 0, 1)
    assert report[0][:3] == ["3", "负责人", "charlie"]
    assert Customer.objects.get().owner == alice


def test_an_analyst_cannot_be_named_owner(ada, nina, tmp_path):
    job, report = _import(tmp_path, ada, "姓名,负责人\n王伟,nina\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report[0][3] == "The owner must be an active user who can sell."


def test_an_ambiguous_display_name_is_a_row_error_naming_the_usernames(ada, teams, tmp_path):
    for username in ("wangfang1", "wangfang2"):
        create_user(
            username,
            PASSWORD,
            role="rep",
            team=teams["guangzhou"],
            display_name="王芳",
            validate_password=False,
        )

    job, report = _import(tmp_path, ada, "姓名,负责人\n王伟,王芳\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report[0][3] == (
        "'王芳' is the name of several users (wangfang1, wangfang2): write the username."
    )


def test_an_unknown_owner_is_a_row_error(ada, tmp_path):
    job, report = _import(tmp_path, ada, "姓名,负责人\n王伟,nobody\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report == [["2", "负责人", "nobody", "No user is called 'nobody'."]]


def test_pool_or_an_empty_owner_means_the_imports_owner(ada, bob, tmp_path):
    job, report = _import(
        tmp_path, ada, "姓名,负责人\n王伟,(pool)\n李娜,（公海）\n赵六,\n", owner=bob
    )

    assert _counts(job) == (3, 0, 0, 0), report
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"bob"}


@pytest.mark.parametrize("cell", ["(公海)", "公海", "Pool", " （ 公海 ） "])
def test_the_pool_is_known_in_any_bracket_width_or_case(ada, bob, tmp_path, cell):
    job, report = _import(tmp_path, ada, f"姓名,负责人\n王伟,{cell}\n", owner=bob)

    assert _counts(job) == (1, 0, 0, 0), report


def test_an_update_leaves_the_owner_and_says_so_without_failing_the_row(
    ada, alice, bob, alices_customer, tmp_path
):
    job, report = _import(
        tmp_path, ada, f"ID,姓名,城市,负责人\n{alices_customer.pk},王伟,深圳,bob\n"
    )

    assert _counts(job) == (0, 1, 0, 0)
    assert report == [
        [
            "2",
            "负责人",
            "bob",
            "Owner not changed: an existing customer changes owner by transfer.",
        ]
    ]
    customer = Customer.objects.get(pk=alices_customer.pk)
    assert (customer.city, customer.owner) == ("深圳市", alice)
    assert failed_rows(job) == {}  # nothing to fix
    assert import_reports.report_by_column(job) == []


def test_a_new_owner_alone_is_skipped_with_the_same_note(
    ada, alice, bob, alices_customer, tmp_path
):
    text = f"ID,姓名,负责人\n{alices_customer.pk},{alices_customer.name},bob\n"

    job, report = _import(tmp_path, ada, text)

    assert _counts(job) == (0, 0, 1, 0)
    assert report == [
        [
            "2",
            "负责人",
            "bob",
            "Owner not changed: an existing customer changes owner by transfer.",
        ]
    ]
    assert Customer.objects.get(pk=alices_customer.pk).owner == alice
    assert failed_rows(job) == {}


def test_an_unchanged_row_naming_its_own_owner_is_skipped_without_a_note(
    ada, alice, alices_customer, tmp_path
):
    text = f"ID,姓名,负责人\n{alices_customer.pk},{alices_customer.name},alice\n"

    job, report = _import(tmp_path, ada, text)

    assert (_counts(job), report) == ((0, 0, 1, 0), [])


def test_the_command_takes_the_owner_column(ada, bob, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,负责人\n王伟,bob\n李娜,nobody\n", encoding="utf-8")
    out = io.StringIO()

    call_command(
        "import", "customers", str(path), "--user", "ada", stdout=out, stderr=io.StringIO()
    )

    assert "imported 1, updated 0, skipped 0, failed 1" in out.getvalue()
    assert "负责人: 1 row: No user is called 'nobody'." in out.getvalue()
    assert Customer.objects.get().owner == bob


# --- one lookup per batch --------------------------------------------------------------------


def _queries(tmp_path, ada, known: list[Customer], new: int, name: str) -> int:
    lines = [f"{c.pk},{c.name},深圳,alice\n" for c in known]
    lines += [f",新客户{name}{i},广州,{('alice', 'Bob', 'mike')[i % 3]}\n" for i in range(new)]
    path = tmp_path / f"{name}.csv"
    path.write_text("ID,姓名,城市,负责人\n" + "".join(lines), encoding="utf-8")
    with CaptureQueriesContext(connection) as queries:
        call_command(
            "import",
            "customers",
            str(path),
            "--user",
            "ada",
            "--on-duplicate",
            "skip",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    return len(queries)


def test_ids_and_owners_are_looked_up_once_per_batch_not_per_row(ada, alice, bob, mike, tmp_path):
    known = [create_customer(alice, {"name": f"客户{i}"}) for i in range(150)]

    few = _queries(tmp_path, ada, known[:3], 3, "few")
    many = _queries(tmp_path, ada, known[3:], 150, "many")

    assert Customer.objects.filter(name__startswith="新客户").count() == 153
    assert many <= few + 2  # SQLite splits a long multi-row INSERT; nothing per row


@pytest.mark.django_db(transaction=True)
def test_a_long_import_checked_in_a_second_process_reads_the_ids_and_owners_here(
    ada, alice, bob, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "PROCESS_MIN_ROWS", 10)
    monkeypatch.setattr(import_checker, "CHECK_HERE_WHILE_STARTING", False)
    known = [create_customer(alice, {"name": f"客户{i}"}) for i in range(30)]
    lines = [f"{c.pk},{c.name},深圳,\n" for c in known]
    lines += [f",新客户{i},广州,bob\n" for i in range(30)]
    lines.insert(40, "999999,没有的客户,广州,\n")
    path = tmp_path / "long.csv"
    path.write_text("ID,姓名,城市,负责人\n" + "".join(lines), encoding="utf-8")

    job = imports.new_job(ada, path, on_duplicate="update")
    imports.process(job, batch_size=25)

    assert _counts(job) == (30, 30, 0, 1)
    assert [line[:3] for line in _report(job)] == [["42", "ID", "999999"]]
    assert set(
        Customer.objects.filter(pk__in=[c.pk for c in known]).values_list("city", flat=True)
    ) == {"深圳市"}
    assert set(
        Customer.objects.filter(name__startswith="新客户").values_list("owner__username", flat=True)
    ) == {"bob"}


def test_an_id_of_a_customer_the_row_shares_nothing_with_is_refused(
    alice, alices_customer, tmp_path
):
    job, report = _import(tmp_path, alice, f"ID,姓名,手机\n{alices_customer.pk},李娜,13912345678\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report[0][:2] == ["2", "ID"]
    assert "another system's numbers" in report[0][3]
    assert Customer.objects.get(pk=alices_customer.pk).name == "王伟"


def test_a_customer_renamed_by_id_is_updated_when_its_phone_agrees(
    alice, alices_customer, tmp_path
):
    job, _report = _import(
        tmp_path, alice, f"ID,姓名,手机\n{alices_customer.pk},王伟伟,13800138000\n"
    )

    assert _counts(job) == (0, 1, 0, 0)
    assert Customer.objects.get(pk=alices_customer.pk).name == "王伟伟"


def test_the_id_column_under_a_title_row_updates_its_customer(alice, alices_customer, tmp_path):
    text = f"客户明细表 2026年11月\nID,姓名,城市\n{alices_customer.pk},王伟,深圳\n"

    job, report = _import(tmp_path, alice, text)

    assert (_counts(job), report) == ((0, 1, 0, 0), [])
    assert Customer.objects.get(pk=alices_customer.pk).city == "深圳市"


# --- an update that changes nothing ------------------------------------------------------------


def test_a_row_that_changes_nothing_is_skipped_without_a_new_version(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000", "city": "广州"})
    history = known.history.count()

    job, report = _import(tmp_path, alice, "姓名,手机,城市\n王伟,138 0013 8000,广州\n")

    assert (_counts(job), report) == ((0, 0, 1, 0), [])
    known.refresh_from_db()
    assert (known.version, known.history.count()) == (1, history)


def test_a_row_adding_a_tag_is_an_update(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000"}, tags=["VIP"])

    job, _report_lines = _import(tmp_path, alice, "姓名,手机,标签\n王伟,13800138000,VIP;展会\n")

    assert _counts(job) == (0, 1, 0, 0)
    assert sorted(known.tags.values_list("name", flat=True)) == ["VIP", "展会"]


# --- masked values, as a rep's export gives a shared customer's ---------------------------------


def test_a_masked_phone_updates_nothing_of_the_customer_named_by_id(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000", "city": "广州"})

    job, report = _import(
        tmp_path, alice, f"ID,姓名,手机,城市\n{known.pk},王伟,+86138****8000,深圳\n"
    )

    assert (_counts(job), report) == ((0, 1, 0, 0), [])
    known.refresh_from_db()
    assert (known.phone, known.city) == ("+8613800138000", "深圳市")


def test_a_masked_phone_is_no_phone_for_a_new_customer(alice, tmp_path):
    job, report = _import(tmp_path, alice, "姓名,手机\n李娜,+86139****9000\n")

    assert _counts(job) == (0, 0, 0, 1)
    assert report[0][:3] == ["2", "手机", "'+86139****9000"]  # as Excel shows it
    assert "masked" in report[0][3]


def test_the_id_of_a_customer_merged_away_names_the_one_it_was_merged_into(alice, tmp_path):
    kept = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    gone = create_customer(alice, {"name": "王 伟", "phone": "13900139000"})
    merge.merge_customers(alice, kept.pk, gone.pk)

    job, report = _import(tmp_path, alice, f"ID,姓名,城市\n{gone.pk},王伟,广州\n")

    assert (job.updated, job.failed) == (0, 1)
    assert report[0][3] == (
        f"Customer #{gone.pk} was merged into customer #{kept.pk}: write {kept.pk} as the ID "
        "to change that one, or leave the ID empty to add a new customer."
    )


def test_a_customer_merged_into_one_she_cannot_see_is_not_named(alice, mike, bob, tmp_path):
    bobs = create_customer(bob, {"name": "王伟", "phone": "13800138000"})
    mine = create_customer(alice, {"name": "王伟", "phone": "13900139000"})
    merge.merge_customers(mike, bobs.pk, mine.pk)

    _job, report = _import(tmp_path, alice, f"ID,姓名,城市\n{mine.pk},王伟,广州\n")

    assert report[0][3] == (
        f"Customer #{mine.pk} was merged into another customer: leave the ID empty to add a "
        "new customer."
    )
