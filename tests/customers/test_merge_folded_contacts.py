"""A merge folds a contact of the other customer that is one of the survivor's into it: the
same name (whitespace and case aside) and the same phone or e-mail, or neither with either.
The survivor's contact keeps its values and gains those it had empty, what pointed at the
other's points at it, and an undo gives both back exactly as they were."""

import pytest
from django.urls import reverse

from guanxi.customers import merge
from guanxi.customers.models import Contact
from guanxi.customers.services import add_contact, create_customer, update_contact
from guanxi.interactions.models import Interaction
from guanxi.interactions.services import log_interaction
from guanxi.keyaccounts.models import Relationship
from guanxi.keyaccounts.services import add_relationship, save_plan
from tests.conftest import login

API = "/api/v1/customers"
JSON = "application/json"
#: Columns an undo may rewrite: ``updated_at`` is the time it was written back.
_LEFT_OUT = {"updated_at"}


@pytest.fixture
def survivor(alice):
    return create_customer(
        alice, {"kind": "company", "name": "深圳鹏程电子有限公司", "phone": "075587654321"}
    )


@pytest.fixture
def other(alice):
    return create_customer(
        alice, {"kind": "company", "name": "深圳鹏程电子公司", "phone": "075587654322"}
    )


@pytest.fixture
def two_li_meis(alice, survivor, other):
    """The tester's case: 李梅 on both, the same mobile; 采购 on one, 采购经理 and an e-mail
    on the other."""
    mine = add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333", "title": "采购"})
    theirs = add_contact(
        alice,
        other,
        {
            "name": "李梅",
            "phone": "13922223333",
            "title": "采购经理",
            "email": "limei@pengcheng.cn",
        },
    )
    return mine, theirs


def _row(contact_id) -> dict:
    values = Contact.objects.filter(pk=contact_id).values().get()
    # A row a merge deletes is kept as JSON, whose times (DjangoJSONEncoder's, in
    # ``related.as_json``) have milliseconds: its ``created_at`` comes back to the millisecond.
    created = values["created_at"]
    values["created_at"] = created.replace(microsecond=created.microsecond // 1000 * 1000)
    return {k: v for k, v in values.items() if k not in _LEFT_OUT}


def _contacts(customer) -> list[tuple]:
    return list(
        Contact.objects.filter(customer=customer)
        .order_by("pk")
        .values_list("name", "phone", "email", "title", "notes", "is_primary")
    )


# --- who is the same person ----------------------------------------------------------------


def test_the_testers_two_li_meis_become_one_with_the_survivors_title_and_the_others_e_mail(
    alice, survivor, other, two_li_meis
):
    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _contacts(survivor) == [
        (
            "李梅",
            "+8613922223333",
            "limei@pengcheng.cn",
            "采购",
            f"Title: 采购经理 (#{other.pk})",
            False,
        )
    ]


def test_namesakes_with_the_same_e_mail_in_another_case_are_one(alice, survivor, other):
    add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333", "email": "LM@pc.cn"})
    add_contact(alice, other, {"name": "李梅", "email": "lm@pc.cn"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _contacts(survivor) == [("李梅", "+8613922223333", "lm@pc.cn", "", "", False)]


def test_namesakes_with_the_same_e_mail_and_two_phones_stay_two(alice, survivor, other):
    add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333", "email": "LM@pc.cn"})
    add_contact(alice, other, {"name": "李梅", "phone": "13822223333", "email": "lm@pc.cn"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert len(_contacts(survivor)) == 2


def test_a_name_written_with_other_spaces_and_case_is_the_same_name(alice, survivor, other):
    add_contact(alice, survivor, {"name": "Anna Li", "phone": "13922223333"})
    add_contact(alice, other, {"name": "anna  li", "phone": "13922223333", "title": "CFO"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _contacts(survivor) == [("Anna Li", "+8613922223333", "", "CFO", "", False)]


def test_namesakes_with_no_phone_or_e_mail_on_either_are_one(alice, survivor, other):
    add_contact(alice, survivor, {"name": "李梅"})
    add_contact(alice, other, {"name": "李梅", "title": "采购", "wechat_id": "limei_pc"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert list(survivor.contacts.values_list("name", "title", "wechat_id")) == [
        ("李梅", "采购", "limei_pc")
    ]


def test_namesakes_with_different_phones_are_both_kept(alice, survivor, other):
    add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333"})
    add_contact(alice, other, {"name": "李梅", "phone": "13922224444"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert sorted(survivor.contacts.values_list("phone", flat=True)) == [
        "+8613922223333",
        "+8613922224444",
    ]


def test_namesakes_one_with_a_phone_and_one_with_none_are_both_kept(alice, survivor, other):
    add_contact(alice, survivor, {"name": "李梅"})
    add_contact(alice, other, {"name": "李梅", "phone": "13922223333"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert survivor.contacts.count() == 2


def test_namesakes_known_by_name_alone_with_different_wechat_ids_are_both_kept(
    alice, survivor, other
):
    add_contact(alice, survivor, {"name": "李梅", "wechat_id": "limei_a"})
    add_contact(alice, other, {"name": "李梅", "wechat_id": "limei_b"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert survivor.contacts.count() == 2


# --- what the survivor's contact gets ------------------------------------------------------


def test_the_notes_of_both_are_kept_the_others_after_the_survivors(alice, survivor, other):
    add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333", "notes": "周三在"})
    add_contact(alice, other, {"name": "李梅", "phone": "13922223333", "notes": "喜欢喝茶"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert survivor.contacts.get().notes == "周三在\n喜欢喝茶"


def test_notes_too_long_to_add_leave_the_survivors_as_they_are(alice, survivor, other):
    add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333", "notes": "甲" * 300})
    add_contact(alice, other, {"name": "李梅", "phone": "13922223333", "notes": "乙" * 300})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert survivor.contacts.get().notes == "甲" * 300


def test_the_survivors_primary_contact_stays_the_only_primary(alice, survivor, other):
    add_contact(alice, survivor, {"name": "张总", "is_primary": True})
    add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333"})
    add_contact(alice, other, {"name": "李梅", "phone": "13922223333", "is_primary": True})

    merge.merge_customers(alice, survivor.pk, other.pk)

    primaries = survivor.contacts.filter(is_primary=True)
    assert list(primaries.values_list("name", flat=True)) == ["张总"]
    assert survivor.contacts.count() == 2


def test_two_contacts_of_the_other_that_are_one_person_both_fold_into_the_survivors(
    alice, survivor, other
):
    add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333", "notes": "周三在"})
    add_contact(alice, other, {"name": "李梅", "phone": "13922223333", "title": "采购"})
    add_contact(alice, other, {"name": "李梅", "phone": "13922223333", "notes": "喜欢喝茶"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _contacts(survivor) == [
        ("李梅", "+8613922223333", "", "采购", "周三在\n喜欢喝茶", False)
    ]


# --- what pointed at the other's contact ---------------------------------------------------


def test_the_interactions_and_relationship_map_of_the_folded_contact_point_at_the_kept_one(
    alice, survivor, other, two_li_meis
):
    mine, theirs = two_li_meis
    call = log_interaction(
        alice, other.pk, {"kind": "call", "subject": "报价"}, contacts=[theirs.pk]
    )
    save_plan(alice, other.pk, {"strategy": "深耕"})
    rel = add_relationship(alice, other.pk, {"contact": theirs.pk, "role": "decision_maker"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert list(Interaction.objects.get(pk=call.pk).contacts.all()) == [mine]
    assert Relationship.objects.get(pk=rel.pk).contact_id == mine.pk
    assert not Contact.objects.filter(pk=theirs.pk).exists()


# --- undo ----------------------------------------------------------------------------------


def test_an_undo_gives_back_both_contacts_exactly_with_what_pointed_at_each(
    alice, survivor, other, two_li_meis
):
    mine, theirs = two_li_meis
    update_contact(alice, other.pk, theirs.pk, {"is_primary": True, "notes": "喜欢喝茶"})
    call = log_interaction(
        alice, other.pk, {"kind": "call", "subject": "报价"}, contacts=[theirs.pk]
    )
    visit = log_interaction(
        alice, survivor.pk, {"kind": "visit", "subject": "拜访"}, contacts=[mine.pk]
    )
    save_plan(alice, other.pk, {"strategy": "深耕"})
    rel = add_relationship(alice, other.pk, {"contact": theirs.pk, "role": "decision_maker"})
    before = {mine.pk: _row(mine.pk), theirs.pk: _row(theirs.pk)}
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    merge.undo_merge(alice, record.pk)

    assert {mine.pk: _row(mine.pk), theirs.pk: _row(theirs.pk)} == before
    assert list(Interaction.objects.get(pk=call.pk).contacts.all()) == [theirs]
    assert list(Interaction.objects.get(pk=visit.pk).contacts.all()) == [mine]
    assert Relationship.objects.get(pk=rel.pk).contact_id == theirs.pk


def test_an_undo_of_two_contacts_folded_into_one_gives_back_all_three_exactly(
    alice, survivor, other
):
    mine = add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333", "notes": "周三在"})
    first = add_contact(alice, other, {"name": "李梅", "phone": "13922223333", "notes": "采购"})
    second = add_contact(alice, other, {"name": "李梅", "phone": "13922223333", "notes": "喝茶"})
    ids = (mine.pk, first.pk, second.pk)
    before = [_row(pk) for pk in ids]
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    merge.undo_merge(alice, record.pk)

    assert [_row(pk) for pk in ids] == before


def test_an_undo_keeps_notes_edited_since_on_the_kept_contact(alice, survivor, other):
    mine = add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333", "notes": "周三在"})
    add_contact(alice, other, {"name": "李梅", "phone": "13922223333", "notes": "喜欢喝茶"})
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    update_contact(alice, survivor.pk, mine.pk, {"notes": "周三、周五在"})

    merge.undo_merge(alice, record.pk)

    assert Contact.objects.get(pk=mine.pk).notes == "周三、周五在"
    assert other.contacts.get().notes == "喜欢喝茶"


def test_the_merge_and_its_undo_write_a_history_row_for_each_contact_change(
    alice, survivor, other, two_li_meis
):
    mine, theirs = two_li_meis
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    merge.undo_merge(alice, record.pk)

    def reasons(pk):
        rows = Contact.history.filter(id=pk).order_by("history_date", "history_id")
        return [(h.history_type, h.history_change_reason, h.history_user_id) for h in rows]

    assert reasons(mine.pk)[1:] == [
        ("~", f"merged #{other.pk} into this customer", alice.pk),
        ("~", f"merge with #{other.pk} undone", alice.pk),
    ]
    assert reasons(theirs.pk)[1:] == [
        ("-", f"merged into #{survivor.pk}", alice.pk),
        ("+", f"merge into #{survivor.pk} undone", alice.pk),
    ]


# --- the page and the API ------------------------------------------------------------------


def test_the_comparison_page_lists_the_folded_contacts_and_what_each_gets(
    client, alice, survivor, other, two_li_meis
):
    body = login(client, alice).get(reverse("customers:merge", args=[survivor.pk, other.pk]))

    html = body.content.decode()
    assert "A contact of both is kept once: 李梅 (+86 139 2222 3333)" in html
    assert f"李梅: empty fields filled from #{other.pk}: e-mail" in html
    assert f"李梅: written in its notes from #{other.pk}: title 采购经理" in html


def test_the_comparison_page_says_nothing_of_namesakes_it_keeps_apart(
    client, alice, survivor, other
):
    add_contact(alice, survivor, {"name": "李梅", "phone": "13922223333"})
    add_contact(alice, other, {"name": "李梅", "phone": "13922224444"})

    body = login(client, alice).get(reverse("customers:merge", args=[survivor.pk, other.pk]))

    assert "kept once" not in body.content.decode()


def test_the_merge_message_says_how_many_contacts_were_kept_once(
    client, alice, survivor, other, two_li_meis
):
    response = login(client, alice).post(
        reverse("customers:merge", args=[survivor.pk, other.pk]),
        {"survivor_version": survivor.version, "other_version": other.version},
        follow=True,
    )

    assert "A contact of both was kept once." in response.content.decode()


def test_the_api_merge_says_how_many_contacts_were_kept_once(
    client, alice, survivor, other, two_li_meis
):
    response = login(client, alice).post(
        f"{API}/merge", {"survivor": survivor.pk, "other": other.pk}, content_type=JSON
    )

    assert response.status_code == 201
    assert response.json()["contacts_kept_once"] == 1


def test_the_api_preview_names_the_others_values_the_kept_contact_does_not_take(
    client, alice, survivor, other, two_li_meis
):
    mine, theirs = two_li_meis

    response = login(client, alice).post(
        f"{API}/merge/preview", {"survivor": survivor.pk, "other": other.pk}, content_type=JSON
    )

    assert response.json()["contacts_kept_once"] == [
        {"survivor_contact": mine.pk, "other_contact": theirs.pk, "name": "李梅"}
    ]
    assert response.json()["contact_details_not_kept"] == []  # written in the notes


def test_a_value_that_no_longer_fits_in_the_notes_is_named_as_not_kept(
    client, alice, survivor, other
):
    add_contact(
        alice,
        survivor,
        {"name": "李梅", "phone": "13922223333", "title": "采购", "notes": "备" * 495},
    )
    theirs = add_contact(
        alice, other, {"name": "李梅", "phone": "13922223333", "title": "采购经理"}
    )

    response = login(client, alice).post(
        f"{API}/merge/preview", {"survivor": survivor.pk, "other": other.pk}, content_type=JSON
    )

    assert response.json()["contact_details_not_kept"] == [
        {"other_contact": theirs.pk, "field": "title", "value": "采购经理"}
    ]
