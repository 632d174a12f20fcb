"""The Key account tab's address opened outside the card (a new browser tab) shows the whole card
on that tab, not the bare fragment."""

from django.urls import reverse

from tests.conftest import login


def test_the_tab_opened_directly_redirects_to_the_card_on_that_tab(client, alice, alices_company):
    login(client, alice)
    response = client.get(reverse("keyaccounts:customer_tab", args=[alices_company.pk]))
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("customers:detail", args=[alices_company.pk]) + "?tab=keyaccount"
    )


def test_another_reps_customer_is_still_404_when_opened_directly(client, charlie, alices_company):
    login(client, charlie)
    response = client.get(reverse("keyaccounts:customer_tab", args=[alices_company.pk]))
    assert response.status_code == 404
