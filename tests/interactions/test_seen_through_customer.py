"""Interactions and tasks on a customer are visible exactly when the customer is, whichever way
the check is read: the customers' list (a user who sees few) or a probe per record (one who
sees many); a task of one's own (assigned or created) is visible without its customer."""

import pytest

from guanxi.customers.services import create_customer
from guanxi.interactions import services
from guanxi.interactions.models import Interaction, Task

WAYS = pytest.mark.parametrize(
    "few", [False, True], ids=["a probe per record", "the customers' list"]
)


@pytest.fixture
def records(alice, charlie, mike, alices_customer, charlies_customer):
    task = {"title": "回访", "due_at": "2026-11-30 10:00"}
    return {
        "alices call": services.log_interaction(alice, alices_customer.pk, {"kind": "call"}),
        "charlies call": services.log_interaction(charlie, charlies_customer.pk, {"kind": "call"}),
        "alices task": services.create_task(alice, {**task, "customer": alices_customer.pk}),
        "charlies task": services.create_task(charlie, {**task, "customer": charlies_customer.pk}),
        "mikes task for alice": services.create_task(mike, {**task, "assignee": alice.pk}),
    }


def _seen(records, user) -> list[str]:
    found = []
    for name, record in records.items():
        model = Interaction if isinstance(record, Interaction) else Task
        if model.objects.visible_to(user).filter(pk=record.pk).exists():
            found.append(name)
    return sorted(found)


@WAYS
def test_a_rep_sees_the_records_of_her_customers_and_her_own_tasks(request, alice, records, few):
    if few:
        request.getfixturevalue("small_reach")

    assert _seen(records, alice) == ["alices call", "alices task", "mikes task for alice"]


@WAYS
def test_another_rep_sees_none_of_them(request, charlie, records, few):
    if few:
        request.getfixturevalue("small_reach")

    assert _seen(records, charlie) == ["charlies call", "charlies task"]


def test_a_customer_created_later_brings_its_records_into_view(alice, bob, records):
    shared = create_customer(alice, {"name": "新客户"})
    call = services.log_interaction(alice, shared.pk, {"kind": "visit"})

    assert Interaction.objects.visible_to(alice).filter(pk=call.pk).exists()
    assert not Interaction.objects.visible_to(bob).filter(pk=call.pk).exists()
