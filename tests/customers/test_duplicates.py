"""The duplicate finder: exact keys grouped in SQL, similar names within a city or an employer,
only what the user can see, and dismissals remembered."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from guanxi.customers.duplicates import (
    find_candidates,
    levenshtein,
    name_syllables,
    pairs_for,
    scan_duplicates,
    similarity,
)
from guanxi.customers.models import Customer
from guanxi.customers.services import add_contact, create_customer


def _pair(candidates, a, b):
    key = tuple(sorted((a.pk, b.pk)))
    return next((c for c in candidates if (c.a, c.b) == key), None)


def _all():
    return Customer.objects.alive()


def test_same_phone_in_any_phone_field_or_contact_is_a_candidate(alice):
    first = create_customer(alice, {"name": "甲", "phone": "13800138001"})
    second = create_customer(alice, {"name": "乙", "phone_alt": "138 0013 8001"})
    company = create_customer(alice, {"kind": "company", "name": "丙公司"})
    add_contact(alice, company, {"name": "丙", "phone": "+86 13800138001"})

    candidates = find_candidates(_all())

    for a, b in ((first, second), (first, company), (second, company)):
        pair = _pair(candidates, a, b)
        assert pair is not None and pair.reason == "phone" and pair.score == 98


def test_same_email_ignoring_case_is_a_candidate(alice):
    first = create_customer(alice, {"name": "甲", "email": "Same@Example.com"})
    second = create_customer(alice, {"name": "乙"})
    add_contact(alice, second, {"name": "乙", "email": "same@example.COM"})

    pair = _pair(find_candidates(_all()), first, second)

    assert pair.reason == "email"


def test_same_id_number_is_the_strongest_candidate(alice):
    first = create_customer(alice, {"name": "甲", "id_number": "11010519491231002X"})
    second = create_customer(
        alice, {"name": "乙", "id_number": "11010519491231002x", "phone": "13800138001"}
    )
    create_customer(alice, {"name": "丙", "phone": "13800138001"})

    candidates = find_candidates(_all())

    assert (candidates[0].a, candidates[0].b) == (first.pk, second.pk)
    assert candidates[0].reason == "id_number" and candidates[0].score == 100


def test_homophone_names_in_the_same_city_are_candidates(alice):
    first = create_customer(alice, {"name": "王伟", "city": "广州"})
    second = create_customer(alice, {"name": "王玮", "city": "广州"})
    latin = create_customer(alice, {"name": "Wang Wei", "city": "广州"})

    candidates = find_candidates(_all())

    assert _pair(candidates, first, second).reason == "name"
    assert _pair(candidates, first, latin).reason == "name"


def test_the_same_name_written_the_same_ranks_above_a_homophone(alice):
    first = create_customer(alice, {"name": "王伟", "city": "广州"})
    same = create_customer(alice, {"name": "王伟", "city": "广州"})
    homophone = create_customer(alice, {"name": "汪伟", "city": "广州"})

    candidates = find_candidates(_all())

    assert _pair(candidates, first, same).score == 90
    assert _pair(candidates, first, homophone).score == 88
    assert _pair(candidates, first, same).details == ["王伟 = 王伟 · 广州"]


def test_a_typo_in_a_company_name_pairs_within_the_city(alice):
    first = create_customer(
        alice, {"kind": "company", "name": "广州天河锦城贸易有限公司", "city": "广州"}
    )
    second = create_customer(alice, {"kind": "company", "name": "广州天河锦程贸易", "city": "广州"})

    pair = _pair(find_candidates(_all()), first, second)

    assert pair is not None and 79 < pair.score <= 90


def test_namesakes_at_the_same_employer_are_candidates_without_a_city(alice):
    first = create_customer(alice, {"name": "李娜", "company_name": "锦城贸易"})
    second = create_customer(alice, {"name": "李娜", "company_name": "锦城贸易"})

    assert _pair(find_candidates(_all()), first, second) is not None


def test_namesakes_in_different_cities_are_not_candidates(alice):
    first = create_customer(alice, {"name": "王伟", "city": "广州"})
    second = create_customer(alice, {"name": "王伟", "city": "成都"})

    assert _pair(find_candidates(_all()), first, second) is None


def test_different_names_in_the_same_city_are_not_candidates(alice):
    first = create_customer(alice, {"name": "王伟", "city": "广州"})
    second = create_customer(alice, {"name": "王芳", "city": "广州"})

    assert _pair(find_candidates(_all()), first, second) is None


def test_a_person_and_a_company_of_the_same_name_are_not_candidates(alice):
    first = create_customer(alice, {"name": "锦城", "city": "广州"})
    second = create_customer(alice, {"kind": "company", "name": "锦城", "city": "广州"})

    assert _pair(find_candidates(_all()), first, second) is None


def test_deleted_customers_are_not_candidates(alice):
    from guanxi.customers.services import delete_customer

    first = create_customer(alice, {"name": "甲", "phone": "13800138001"})
    second = create_customer(alice, {"name": "乙", "phone": "13800138001"})
    delete_customer(alice, second.pk)

    assert _pair(find_candidates(_all()), first, second) is None


def test_the_finder_only_looks_at_what_it_is_given(alice, charlie):
    mine = create_customer(alice, {"name": "甲", "phone": "13800138001"})
    create_customer(charlie, {"name": "乙", "phone": "13800138001"})

    assert find_candidates(Customer.objects.visible_to(alice)) == []
    assert _pair(find_candidates(_all()), mine, mine) is None


def test_stored_pairs_are_shown_only_when_the_user_sees_both(alice, bob, mike):
    mine = create_customer(alice, {"name": "甲", "phone": "13800138001"})
    bobs = create_customer(bob, {"name": "乙", "phone": "13800138001"})

    result = scan_duplicates()

    assert result.pairs == 1 and result.by_reason == {"phone": 1}
    assert list(pairs_for(alice)) == []
    pair = pairs_for(mike).get()
    assert (pair.customer_a_id, pair.customer_b_id) == (mine.pk, bobs.pk)
    assert pair.reasons == "phone" and "+8613800138001" in pair.detail


def test_pairs_filter_by_reason(alice):
    create_customer(alice, {"name": "甲", "phone": "13800138001", "city": "广州"})
    create_customer(alice, {"name": "甲", "phone": "13800138002", "city": "广州"})
    scan_duplicates()

    assert pairs_for(alice, reason="name").count() == 1
    assert pairs_for(alice, reason="phone").count() == 0


def test_a_dismissed_pair_does_not_come_back(alice):
    from guanxi.customers.duplicates import dismiss_duplicate

    first = create_customer(alice, {"name": "甲", "phone": "13800138001"})
    second = create_customer(alice, {"name": "乙", "phone": "13800138001"})
    scan_duplicates()

    dismiss_duplicate(alice, second.pk, first.pk)

    assert pairs_for(alice).count() == 0
    assert scan_duplicates().pairs == 0


def test_dismissing_needs_edit_rights_on_both(alice, charlie):
    from guanxi.customers.duplicates import dismiss_duplicate

    mine = create_customer(alice, {"name": "甲"})
    theirs = create_customer(charlie, {"name": "乙"})

    with pytest.raises(Http404):
        dismiss_duplicate(alice, mine.pk, theirs.pk)
    with pytest.raises(ValidationError):
        dismiss_duplicate(alice, mine.pk, mine.pk)


def test_a_switchboard_number_pairs_everyone_with_the_oldest_only(alice):
    customers = [
        create_customer(alice, {"name": f"客户{i}", "phone": "02087654321"}) for i in range(12)
    ]

    candidates = find_candidates(_all())

    assert len(candidates) == 11
    assert {c.a for c in candidates} == {customers[0].pk}


def test_pinyin_helpers():
    assert name_syllables("王伟") == ("wang", "wei")
    assert name_syllables("Wang Wei") == ("wang", "wei")
    assert name_syllables("王伟 3号") == ("wang", "wei", "3", "hao")
    assert levenshtein("kitten", "sitting", 5) == 3
    assert levenshtein("kitten", "sitting", 1) == 2
    assert similarity("wangwei", "wangwei") == 1.0
    assert similarity("wangwei", "zhangsan") == 0.0


def test_command_scans_and_lists_the_pairs(alice):
    from io import StringIO

    from django.core.management import call_command

    create_customer(alice, {"name": "甲", "phone": "13800138001"})
    create_customer(alice, {"name": "乙", "phone": "13800138001"})
    out = StringIO()

    call_command("customers", "duplicates", "--scan", "--limit", "5", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("scanned 2 customers") and "1 candidate pairs (phone 1)" in lines[0]
    assert "甲" in lines[1] and "乙" in lines[1] and "(phone)" in lines[1]


def _reference_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j - 1] + (ca != cb), previous[j] + 1, current[j - 1] + 1))
        previous = current
    return previous[-1]


@given(
    a=st.text(alphabet="abc", max_size=9),
    b=st.text(alphabet="abc", max_size=9),
    limit=st.integers(1, 3),
)
def test_bounded_levenshtein_agrees_with_the_full_table(a, b, limit):
    distance = _reference_distance(a, b)

    assert levenshtein(a, b, limit) == (distance if distance <= limit else limit + 1)
