"""The history tab lists what each change did: tags too, and times as readers read them."""

from django.urls import reverse
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.customers.queries import history_for
from guanxi.customers.services import (
    create_customer,
    delete_customer,
    restore_customer,
    set_tags,
)
from tests.conftest import login


def test_a_change_of_tags_is_listed_with_the_tags_before_and_after(alice):
    customer = create_customer(alice, {"name": "王伟"})

    set_tags(alice, customer.pk, ["VIP", "老客户"])

    assert history_for(customer)[0]["changes"] == [("tag_names", "", "VIP, 老客户")]


def test_the_deletion_time_is_shown_in_local_time_to_the_minute(client, alice):
    customer = create_customer(alice, {"name": "王伟"})
    delete_customer(alice, customer.pk)
    restore_customer(alice, customer.pk)
    deleted = Customer.history.filter(id=customer.pk, deleted_at__isnull=False).get().deleted_at

    html = (
        login(client, alice)
        .get(reverse("customers:tab", args=[customer.pk, "history"]))
        .content.decode()
    )

    assert timezone.localtime(deleted).strftime("%Y-%m-%d %H:%M") in html
    assert str(deleted) not in html  # "2026-11-25 19:33:35.040685+00:00" as it was


def test_an_admin_is_pointed_from_the_history_to_the_customers_access_log(client, ada, alice):
    customer = create_customer(alice, {"name": "王伟"})

    html = (
        login(client, ada)
        .get(reverse("customers:tab", args=[customer.pk, "history"]))
        .content.decode()
    )

    assert f"{reverse('access_log')}?customer={customer.pk}" in html


def test_a_rep_is_not_pointed_to_the_access_log(client, alice):
    customer = create_customer(alice, {"name": "王伟"})

    html = (
        login(client, alice)
        .get(reverse("customers:tab", args=[customer.pk, "history"]))
        .content.decode()
    )

    assert reverse("access_log") not in html
