"""Access on every customer URL: not visible → 404; the read-only analyst → 403 on writes."""

import pytest
from django.urls import reverse

from guanxi.customers.models import Contact, Customer, CustomerShare
from guanxi.customers.services import add_contact
from tests.conftest import login

# (url name, extra args after pk, method)
CUSTOMER_URLS = [
    ("customers:detail", [], "get"),
    ("customers:edit", [], "get"),
    ("customers:edit", [], "post"),
    ("customers:tab", ["contacts"], "get"),
    ("customers:tab", ["history"], "get"),
    ("customers:tab", ["tags"], "get"),
    ("customers:tab", ["sharing"], "get"),
    ("customers:tab", ["followers"], "get"),
    ("customers:reveal", ["phone"], "post"),
    ("customers:transfer", [], "get"),
    ("customers:transfer", [], "post"),
    ("customers:delete", [], "post"),
    ("customers:restore", [], "post"),
    ("customers:purge", [], "post"),
    ("customers:follow", [], "post"),
    ("customers:tags", [], "post"),
    ("customers:contact_add", [], "post"),
    ("customers:contact_edit", ["contact"], "get"),
    ("customers:contact_edit", ["contact"], "post"),
    ("customers:contact_remove", ["contact"], "post"),
    ("customers:share_add", [], "post"),
    ("customers:share_remove", ["share"], "post"),
]

WRITE_URLS = [
    (name, extra)
    for name, extra, method in CUSTOMER_URLS
    if method == "post" and name not in ("customers:reveal", "customers:follow")
]


def url_for(customer, name, extra):
    contact = Contact.objects.filter(customer=customer).first()
    share = CustomerShare.objects.filter(customer=customer).first()
    args = [customer.pk] + [
        {"contact": getattr(contact, "pk", 1), "share": getattr(share, "pk", 1)}.get(a, a)
        for a in extra
    ]
    return reverse(name, args=args)


@pytest.fixture
def alices_full_customer(alices_customer, mike):
    add_contact(alices_customer.owner, alices_customer, {"name": "王太太"})
    CustomerShare.objects.create(customer=alices_customer, user=mike, level="read")
    return alices_customer


@pytest.mark.parametrize(("name", "extra", "method"), CUSTOMER_URLS)
def test_rep_gets_404_on_every_url_of_another_reps_customer(
    client, charlie, alices_full_customer, name, extra, method
):
    url = url_for(alices_full_customer, name, extra)
    response = getattr(login(client, charlie), method)(url)
    assert response.status_code == 404
    assert Customer.objects.filter(pk=alices_full_customer.pk, deleted_at__isnull=True).exists()


@pytest.mark.parametrize(("name", "extra"), WRITE_URLS)
def test_analyst_gets_403_on_every_write_url(client, nina, alices_full_customer, name, extra):
    response = login(client, nina).post(url_for(alices_full_customer, name, extra))
    assert response.status_code == 403


def test_analyst_sees_the_card_without_edit_buttons(client, nina, alices_customer):
    body = (
        login(client, nina)
        .get(reverse("customers:detail", args=[alices_customer.pk]))
        .content.decode()
    )
    assert "王伟" in body
    for name in ("customers:edit", "customers:transfer", "customers:delete"):
        assert reverse(name, args=[alices_customer.pk]) not in body
    assert reverse("customers:contact_add", args=[alices_customer.pk]) not in body


def test_analyst_may_not_open_the_create_form(client, nina):
    assert login(client, nina).get(reverse("customers:create")).status_code == 403


def test_analyst_bulk_action_is_refused(client, nina, alices_customer, bob):
    response = login(client, nina).post(
        reverse("customers:bulk"),
        {"action": "transfer", "to_user": bob.pk, "ids": [alices_customer.pk]},
    )
    assert response.status_code == 403


def test_read_share_colleague_cannot_edit(client, bob, alices_customer):
    CustomerShare.objects.create(customer=alices_customer, user=bob, level="read")
    login(client, bob)
    assert client.get(reverse("customers:edit", args=[alices_customer.pk])).status_code == 403
    body = client.get(reverse("customers:detail", args=[alices_customer.pk])).content.decode()
    assert reverse("customers:edit", args=[alices_customer.pk]) not in body


def test_anonymous_visitor_is_sent_to_login(client, alices_customer):
    response = client.get(reverse("customers:detail", args=[alices_customer.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
