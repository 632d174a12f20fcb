"""The notifications inbox, marking read (plain and HTMX), opening a link, and the badge."""

from django.urls import reverse

from guanxi.core.models import Notification
from guanxi.core.notifications import notify
from tests.conftest import login


def tell(recipient, actor, message="Bob shared 王伟 with you", url="/customers/1/"):
    notify([recipient], actor=actor, verb="shared", message=message, url=url)
    return Notification.objects.filter(recipient=recipient).latest("pk")


def test_inbox_lists_the_users_notifications_newest_first(client, alice, bob):
    tell(alice, bob, "first")
    tell(alice, bob, "second")
    login(client, alice)
    response = client.get(reverse("notifications"))
    assert [n.message for n in response.context["page"]] == ["second", "first"]


def test_inbox_shows_only_the_users_own_notifications(client, alice, bob):
    tell(bob, alice, "for bob only")
    login(client, alice)
    response = client.get(reverse("notifications"))
    assert "for bob only" not in response.content.decode()


def test_inbox_has_an_empty_state(client, alice):
    login(client, alice)
    response = client.get(reverse("notifications"))
    assert "No notifications yet" in response.content.decode()


def test_inbox_highlights_unread_notifications(client, alice, bob):
    tell(alice, bob)
    login(client, alice)
    assert "notification-unread" in client.get(reverse("notifications")).content.decode()


def test_inbox_is_paginated_with_a_fixed_number_of_queries(
    client, alice, bob, django_assert_max_num_queries
):
    for i in range(30):
        tell(alice, bob, f"message {i}")
    login(client, alice)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("notifications"))
    assert len(response.context["page"]) == 25
    assert response.context["page"].paginator.num_pages == 2


def test_marking_one_read_over_htmx_returns_the_row_and_refreshes_the_badge(client, alice, bob):
    n = tell(alice, bob)
    login(client, alice)
    response = client.post(reverse("notification_read", args=[n.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notificationsChanged"
    assert f'id="notification-{n.pk}"' in response.content.decode()
    n.refresh_from_db()
    assert n.read_at is not None


def test_marking_one_read_without_htmx_redirects_back(client, alice, bob):
    n = tell(alice, bob)
    login(client, alice)
    response = client.post(reverse("notification_read", args=[n.pk]))
    assert response["Location"] == reverse("notifications")


def test_user_cannot_mark_someone_elses_notification(client, alice, bob):
    n = tell(bob, alice)
    login(client, alice)
    assert client.post(reverse("notification_read", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read(client, alice, bob, charlie):
    tell(alice, bob)
    tell(alice, charlie)
    tell(bob, alice)
    login(client, alice)
    response = client.post(reverse("notifications_read_all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, alice, bob):
    n = tell(alice, bob, url="/customers/42/")
    login(client, alice)
    response = client.get(reverse("notification_open", args=[n.pk]))
    assert response["Location"] == "/customers/42/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_opening_a_notification_never_leaves_the_site(client, alice, bob):
    n = tell(alice, bob, url="https://evil.example/")
    login(client, alice)
    response = client.get(reverse("notification_open", args=[n.pk]))
    assert response["Location"] == reverse("notifications")


def test_badge_shows_the_unread_count(client, alice, bob, charlie):
    tell(alice, bob)
    tell(alice, charlie)
    login(client, alice)
    response = client.get(reverse("notifications_badge"))
    assert response.status_code == 200
    assert ">2<" in response.content.decode()


def test_badge_count_drops_after_marking_read(client, alice, bob):
    n = tell(alice, bob)
    login(client, alice)
    client.post(reverse("notification_read", args=[n.pk]))
    response = client.get(reverse("notifications_badge"))
    assert "badge rounded-pill" not in response.content.decode()


def test_badge_is_empty_for_a_stranger(client, db):
    assert client.get(reverse("notifications_badge")).status_code == 204


def test_inbox_needs_sign_in(client, db):
    response = client.get(reverse("notifications"))
    assert response["Location"].startswith(reverse("login"))
