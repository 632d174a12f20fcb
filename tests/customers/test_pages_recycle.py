"""Delete to the recycle bin, undo/restore, and purge (admins only)."""

from django.urls import reverse

from guanxi.customers.models import Customer
from guanxi.customers.services import create_customer, delete_customer, share_customer
from tests.conftest import login

BIN = reverse("customers:recycle_bin")


def test_delete_moves_the_customer_to_the_recycle_bin_with_an_undo_button(client, alices_customer):
    login(client, alices_customer.owner)
    response = client.post(reverse("customers:delete", args=[alices_customer.pk]), follow=True)
    body = response.content.decode()
    assert "moved to the recycle bin" in body
    assert f'hx-post="{reverse("customers:restore", args=[alices_customer.pk])}"' in body
    assert "Undo" in body
    assert Customer.objects.get(pk=alices_customer.pk).deleted_at is not None
    assert "王伟" in client.get(BIN).content.decode()
    assert client.get(reverse("customers:detail", args=[alices_customer.pk])).status_code == 404


def test_undo_restores_the_customer(client, alices_customer):
    login(client, alices_customer.owner)
    client.post(reverse("customers:delete", args=[alices_customer.pk]))
    response = client.post(
        reverse("customers:restore", args=[alices_customer.pk]),
        {"next": reverse("customers:detail", args=[alices_customer.pk])},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == reverse("customers:detail", args=[alices_customer.pk])
    assert Customer.objects.get(pk=alices_customer.pk).deleted_at is None


def test_recycle_bin_shows_only_customers_the_user_may_edit(
    client, alices_customer, charlies_customer, charlie
):
    delete_customer(alices_customer.owner, alices_customer.pk)
    delete_customer(charlie, charlies_customer.pk)
    body = login(client, alices_customer.owner).get(BIN).content.decode()
    assert "王伟" in body and "成都锦城贸易有限公司" not in body


def test_empty_recycle_bin_says_so(client, alice):
    assert "The recycle bin is empty" in login(client, alice).get(BIN).content.decode()


def test_rep_gets_no_purge_button_and_403_on_purge(client, alices_customer):
    delete_customer(alices_customer.owner, alices_customer.pk)
    login(client, alices_customer.owner)
    assert (
        reverse("customers:purge", args=[alices_customer.pk])
        not in client.get(BIN).content.decode()
    )
    response = client.post(reverse("customers:purge", args=[alices_customer.pk]))
    assert response.status_code == 403
    assert Customer.objects.filter(pk=alices_customer.pk).exists()


def test_admin_purges_a_deleted_customer_for_good(client, ada, alices_customer):
    delete_customer(alices_customer.owner, alices_customer.pk)
    login(client, ada)
    assert reverse("customers:purge", args=[alices_customer.pk]) in client.get(BIN).content.decode()
    client.post(reverse("customers:purge", args=[alices_customer.pk]))
    assert not Customer.objects.filter(pk=alices_customer.pk).exists()


def test_admin_cannot_purge_a_customer_that_is_not_deleted(client, ada, alices_customer):
    response = login(client, ada).post(
        reverse("customers:purge", args=[alices_customer.pk]), follow=True
    )
    assert "Move the customer to the recycle bin first" in response.content.decode()
    assert Customer.objects.filter(pk=alices_customer.pk).exists()


def test_recycle_bin_lists_a_colleagues_customer_shared_to_edit_not_one_shared_to_read(
    client, alice, bob
):
    editable = create_customer(bob, {"name": "共享可编辑"})
    readable = create_customer(bob, {"name": "共享只读"})
    share_customer(bob, editable.pk, to_user=alice, level="edit")
    share_customer(bob, readable.pk, to_user=alice, level="read")
    for customer in (editable, readable):
        delete_customer(bob, customer.pk)

    body = login(client, alice).get(BIN).content.decode()

    assert "共享可编辑" in body and "共享只读" not in body


def test_the_api_recycle_bin_holds_what_the_user_sees_and_nothing_of_another_rep(
    client, alice, bob, charlie
):
    readable = create_customer(bob, {"name": "共享只读"})
    share_customer(bob, readable.pk, to_user=alice, level="read")
    theirs = create_customer(charlie, {"name": "别人的"})
    for owner, customer in ((bob, readable), (charlie, theirs)):
        delete_customer(owner, customer.pk)

    body = login(client, alice).get("/api/v1/customers/deleted").json()

    assert [item["name"] for item in body["items"]] == ["共享只读"]
