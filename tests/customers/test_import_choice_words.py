"""Choice columns take the words spreadsheets use: a gender kept secret (保密, 不详, 未知) is
unknown, an income written as a number is placed in its monthly band, and the usual words for
a paid search advert or a WeChat group find their source."""

import pytest

from guanxi.customers import import_reports, imports
from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db


def _run(user, tmp_path, text: str):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=user)
    imports.process(job)
    return job, import_reports.read_report(job)


@pytest.mark.parametrize("word", ["保密", "不详", "未知", "不明"])
def test_a_gender_kept_secret_imports_as_unknown(alice, tmp_path, word):
    job, report = _run(alice, tmp_path, f"姓名,性别\n王伟,{word}\n")

    assert (job.imported, report) == (1, [])
    assert Customer.objects.get().gender == ""


@pytest.mark.parametrize(
    ("cell", "band"),
    [
        ("4999", "lt5k"),
        ("5000", "5k-10k"),
        ("12345.6", "10k-20k"),
        ('"¥12,000"', "10k-20k"),
        ("1.5万", "10k-20k"),
        ("20k", "20k-50k"),
        ("50000", "20k-50k"),
        ("50001", "gt50k"),
    ],
)
def test_an_income_as_a_number_is_placed_in_its_band(alice, tmp_path, cell, band):
    job, report = _run(alice, tmp_path, f"姓名,月收入\n王伟,{cell}\n")

    assert (job.imported, report) == (1, [])
    assert Customer.objects.get().income_band == band


def test_an_income_that_is_no_number_is_still_reported(alice, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,月收入\n王伟,很多\n")

    assert job.failed == 1
    assert report[0][3].startswith("'很多' is not one of: ")


@pytest.mark.parametrize(
    ("word", "source"),
    [("百度推广", "campaign"), ("微信群", "wechat"), ("自然进店", "walk_in")],
)
def test_the_usual_source_words_find_their_source(alice, tmp_path, word, source):
    job, report = _run(alice, tmp_path, f"姓名,来源\n王伟,{word}\n")

    assert (job.imported, report) == (1, [])
    assert Customer.objects.get().source_channel == source


def test_a_source_with_no_obvious_choice_is_reported_with_the_choices(alice, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,来源\n王伟,路过\n")

    assert job.failed == 1
    assert "'路过' is not one of: Walk-in, Referral" in report[0][3]


@pytest.mark.parametrize("word", ["抖音", "小红书", "B站", "视频号", "微博"])
def test_a_social_media_platform_is_the_social_media_source(alice, tmp_path, word):
    job, _report = _run(alice, tmp_path, f"姓名,来源\n王伟,{word}\n")

    assert (job.imported, Customer.objects.get().source_channel) == (1, "social")


@pytest.mark.parametrize(("word", "gender"), [("男士", "male"), ("小姐", "female")])
def test_the_polite_words_for_a_man_or_a_woman_are_a_gender(alice, tmp_path, word, gender):
    job, _report = _run(alice, tmp_path, f"姓名,性别\n王伟,{word}\n")

    assert Customer.objects.get().gender == gender
