"""A resident ID number's district code is where it was issued, possibly years after the birth
date it carries: any code that ever existed is accepted, one that never did is not."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from stdnum.cn import ric

from guanxi.core.identity import normalize_resident_id

# 440106 天河区 exists from 1985; this person was born 1982-02-07.
ISSUED_AFTER_BIRTH = "440106198202074828"


def test_a_number_issued_by_a_district_created_after_the_birth_year_is_valid():
    assert normalize_resident_id(ISSUED_AFTER_BIRTH) == ISSUED_AFTER_BIRTH


@pytest.mark.parametrize("number", ["440199198202074821", "999999198202074820"])
def test_a_district_code_that_never_existed_is_rejected(number):
    with pytest.raises(ValidationError, match="unknown district code"):
        normalize_resident_id(number)


@pytest.mark.django_db
def test_the_import_accepts_a_number_issued_after_the_birth_year(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(f"姓名,身份证号\n王芳,{ISSUED_AFTER_BIRTH}\n", encoding="utf-8")
    out = io.StringIO()

    call_command(
        "import", "customers", str(path), "--owner", "alice", stdout=out, stderr=io.StringIO()
    )

    assert "imported 1, updated 0, skipped 0, failed 0" in out.getvalue()


@pytest.mark.parametrize("born", ["20300101", "18000101"])
def test_a_birth_date_no_birthday_may_have_is_refused(born):
    body = f"440106{born}123"
    number = body + ric.calc_check_digit(body + "0")

    with pytest.raises(ValidationError) as caught:
        normalize_resident_id(number)

    assert "impossible birth date" in caught.value.messages[0]
