"""`guanxi import customers|contacts FILE`: the job's number is printed when it starts; Ctrl-C
stops with the command that continues it (exit 130); `--resume JOB` continues only that job's
file, as its user; the progress line fits a terminal or a log file."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper

from guanxi.customers import import_commands
from guanxi.customers.models import Contact, Customer
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db

ROWS = "姓名,手机\n" + "".join(f"客户{i},\n" for i in range(5))


def write_csv(tmp_path, text: str = ROWS, name: str = "c.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(what, path, *args) -> str:
    out = io.StringIO()
    try:
        call_command("import", what, str(path), *args, stdout=out, stderr=io.StringIO())
    except SystemExit:
        pass
    return out.getvalue()


@pytest.fixture
def ctrl_c(monkeypatch):
    """Ctrl-C as the first batch has been written (the progress is reported after each)."""

    def interrupt(self, job):
        raise KeyboardInterrupt

    monkeypatch.setattr(import_commands.Progress, "__call__", interrupt)
    return monkeypatch


def test_the_jobs_number_is_printed_before_its_rows_are_imported(alice, tmp_path):
    out = run("customers", write_csv(tmp_path), "--owner", "alice")
    job = ImportJob.objects.get()
    assert out.splitlines()[0] == f"Job {job.pk}: importing 5 rows…"


def test_ctrl_c_stops_with_exit_130_and_the_command_that_continues(alice, tmp_path, ctrl_c):
    path = write_csv(tmp_path)
    with pytest.raises(CommandError) as stopped:
        run("customers", path, "--owner", "alice", "--batch-size", "2")
    job = ImportJob.objects.get()
    assert stopped.value.returncode == 130
    assert str(stopped.value) == (
        "Stopped (Ctrl-C) after 2 of 5 rows; the batch under way was not written. "
        f"Continue with: guanxi import customers {path} --resume {job.pk}"
    )


def test_a_job_stopped_by_ctrl_c_keeps_its_written_batches_and_resumes(alice, tmp_path, ctrl_c):
    path = write_csv(tmp_path)
    with pytest.raises(CommandError):
        run("customers", path, "--owner", "alice", "--batch-size", "2")
    job = ImportJob.objects.get()
    assert (job.status, job.next_row, Customer.objects.count()) == ("failed", 2, 2)
    ctrl_c.undo()

    out = run("customers", path, "--resume", str(job.pk), "--batch-size", "2")

    assert out.splitlines()[0] == f"Job {job.pk}: continuing after 2 of 5 rows…"
    assert f"imported 5, updated 0, skipped 0, failed 0  (job {job.pk})" in out
    assert Customer.objects.count() == 5


def test_ctrl_c_in_a_dry_run_says_nothing_was_written(alice, tmp_path, ctrl_c):
    with pytest.raises(CommandError, match=r"a dry run writes nothing\.$") as stopped:
        run("customers", write_csv(tmp_path), "--owner", "alice", "--dry-run", "--batch-size", "2")
    assert stopped.value.returncode == 130


def test_ctrl_c_stops_a_contacts_import_with_its_command(alice, tmp_path, ctrl_c):
    acme = create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})
    lines = "".join(f"{acme.pk},联系人{i}\n" for i in range(3))
    path = write_csv(tmp_path, "客户编号,联系人\n" + lines, "contacts.csv")
    with pytest.raises(CommandError) as stopped:
        run("contacts", path, "--user", "alice", "--batch-size", "2")
    job = ImportJob.objects.get()
    assert stopped.value.returncode == 130
    assert str(stopped.value).endswith(f"guanxi import contacts {path} --resume {job.pk}")
    assert Contact.objects.count() == 2


def test_resuming_with_another_file_is_refused_naming_the_jobs_file_and_user(alice, tmp_path):
    job = _stopped_job(alice, write_csv(tmp_path))
    other = write_csv(tmp_path, name="other.csv")
    with pytest.raises(CommandError) as refused:
        run("customers", other, "--resume", str(job.pk))
    assert str(refused.value).startswith(f"Job {job.pk} imports {job.file_path} as alice:")
    assert Customer.objects.count() == 0


def test_resuming_as_another_user_is_refused(alice, bob, tmp_path):
    path = write_csv(tmp_path)
    job = _stopped_job(alice, path)
    with pytest.raises(CommandError, match=f"Job {job.pk} imports .* as alice"):
        run("customers", path, "--resume", str(job.pk), "--user", "bob")


def test_a_finished_job_is_not_resumed(alice, tmp_path):
    path = write_csv(tmp_path)
    run("customers", path, "--owner", "alice")
    job = ImportJob.objects.get()
    with pytest.raises(CommandError, match=f"Job {job.pk} cannot be resumed: its status is “Done”"):
        run("customers", path, "--resume", str(job.pk))


def test_a_contacts_job_is_not_resumed_as_a_customer_import(alice, tmp_path):
    path = write_csv(tmp_path)
    job = _stopped_job(alice, path, kind="contacts")
    with pytest.raises(CommandError, match=f"There is no customer import job {job.pk}"):
        run("customers", path, "--resume", str(job.pk))


def _stopped_job(user, path, kind="customers") -> ImportJob:
    return ImportJob.objects.create(
        kind=kind,
        created_by=user,
        file_path=str(path),
        file_name=path.name,
        status=ImportJob.Status.FAILED,
        mapping={"姓名": "name"},
        total_rows=5,
    )


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def _progress(tty: bool) -> str:
    stream = _Stream(tty)
    progress = import_commands.Progress(OutputWrapper(stream), min_rows=10)
    job = ImportJob(total_rows=100)
    for done in range(5, 101, 5):
        job.next_row = done
        progress(job)
    return stream.getvalue()


def test_on_a_terminal_the_progress_is_one_line_rewritten():
    shown = _progress(tty=True)
    assert shown.startswith("\r5 of 100 rows\r10 of 100 rows")
    assert shown.endswith("\r100 of 100 rows\n")


def test_in_a_log_file_the_progress_is_a_line_each_tenth_without_carriage_returns():
    shown = _progress(tty=False)
    assert "\r" not in shown
    assert shown.splitlines() == [f"{n} of 100 rows" for n in range(10, 101, 10)]
