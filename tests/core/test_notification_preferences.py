"""Notification preferences: channels per event kind, honoured by notify(); the settings page,
the API, and the inbox's unread filter."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from guanxi.core.models import Notification, NotificationPreference
from guanxi.core.notifications import notify, preferences_for, set_preferences
from tests.conftest import login

JSON = "application/json"
PREFS = "/api/v1/notifications/preferences"


@pytest.fixture
def alice_with_email(alice):
    alice.email = "alice@example.com"
    alice.save()
    return alice


def _shared(recipient, actor, **kw):
    return notify([recipient], actor=actor, verb="shared", message="Bob shared 王伟", **kw)


def test_by_default_every_event_reaches_the_app_and_only_reminders_go_by_email(alice):
    prefs = {p["event"]: (p["in_app"], p["email"]) for p in preferences_for(alice)}
    assert prefs == {
        "assigned": (True, False),
        "shared": (True, False),
        "customer_changed": (True, False),
        "task_due": (True, True),
        "other": (True, False),
    }


def test_switching_the_in_app_channel_off_writes_no_notification(alice, bob):
    set_preferences(alice, {"shared": {"in_app": False}})
    assert _shared(alice, bob, event="shared") == 0
    assert not Notification.objects.filter(recipient=alice).exists()


def test_switching_one_event_off_leaves_the_others_on(alice, bob):
    set_preferences(alice, {"shared": {"in_app": False}})
    notify([alice], actor=bob, verb="assigned", event="assigned", message="yours now")
    assert list(Notification.objects.values_list("event", flat=True)) == ["assigned"]


def test_email_channel_on_sends_one_email_after_the_commit(
    alice_with_email, bob, django_capture_on_commit_callbacks
):
    set_preferences(alice_with_email, {"shared": {"email": True}})
    with django_capture_on_commit_callbacks(execute=True):
        _shared(alice_with_email, bob, event="shared")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert mail.outbox[0].subject == "Bob shared 王伟"


def test_email_channel_off_sends_no_email(
    alice_with_email, bob, django_capture_on_commit_callbacks
):
    set_preferences(alice_with_email, {"task_due": {"email": False}})
    with django_capture_on_commit_callbacks(execute=True):
        notify([alice_with_email], actor=None, verb="task_due", event="task_due", message="due")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=alice_with_email).count() == 1


def test_local_email_is_written_as_a_file_under_the_outbox(
    alice_with_email, bob, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox" / "email"
    set_preferences(alice_with_email, {"shared": {"email": True}})
    with django_capture_on_commit_callbacks(execute=True):
        _shared(alice_with_email, bob, event="shared")
    files = list((tmp_path / "outbox" / "email").iterdir())
    assert len(files) == 1
    assert "alice@example.com" in files[0].read_text()


def test_email_switched_off_writes_no_file_to_the_outbox(
    alice_with_email, bob, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox" / "email"
    set_preferences(alice_with_email, {"task_due": {"email": False}})
    with django_capture_on_commit_callbacks(execute=True):
        notify([alice_with_email], actor=None, verb="task_due", event="task_due", message="due")
    assert not (tmp_path / "outbox" / "email").exists()


def test_email_cannot_be_switched_on_without_an_address(alice):
    with pytest.raises(Exception) as exc:
        set_preferences(alice, {"shared": {"email": True}})
    assert "shared.email" in exc.value.message_dict
    assert not NotificationPreference.objects.exists()


def test_a_caller_without_an_event_is_filed_by_its_verb_or_under_everything_else(alice, bob):
    notify([alice], actor=bob, verb="changed", message="changed")
    notify([alice], actor=bob, verb="campaign_sent", message="sent")
    assert set(Notification.objects.values_list("verb", "event")) == {
        ("changed", "customer_changed"),
        ("campaign_sent", "other"),
    }


def test_the_catch_all_switch_silences_unknown_kinds(alice, bob):
    set_preferences(alice, {"other": {"in_app": False}})
    assert notify([alice], actor=bob, verb="campaign_sent", message="sent") == 0


def test_the_actor_is_never_notified(alice):
    assert _shared(alice, alice, event="shared") == 0


# --- the page ------------------------------------------------------------------------------


def test_settings_page_is_in_the_user_menu(client, alice):
    login(client, alice)
    page = client.get(reverse("notifications")).content.decode()
    assert reverse("notification_preferences") in page


def test_settings_page_saves_the_ticked_channels(client, alice_with_email):
    login(client, alice_with_email)
    form = {"assigned.in_app": "on", "shared.email": "on", "task_due.in_app": "on"}
    response = client.post(reverse("notification_preferences"), form)
    assert response.status_code == 302
    prefs = {p["event"]: (p["in_app"], p["email"]) for p in preferences_for(alice_with_email)}
    assert prefs["shared"] == (False, True)
    assert prefs["task_due"] == (True, False)
    assert prefs["customer_changed"] == (False, False)


def test_settings_page_disables_email_for_a_user_without_an_address(client, alice):
    login(client, alice)
    page = client.get(reverse("notification_preferences")).content.decode()
    assert "no e-mail address" in page
    assert re.search(r'name="shared\.email"[^>]*disabled', page)


def test_settings_page_keeps_the_stored_email_choice_when_email_cannot_be_shown(client, alice):
    login(client, alice)
    client.post(reverse("notification_preferences"), {"task_due.in_app": "on"})
    assert {p["event"]: p["email"] for p in preferences_for(alice)}["task_due"] is True


# --- the API -------------------------------------------------------------------------------


def test_api_lists_every_event_with_its_channels(client, alice):
    login(client, alice)
    body = client.get(PREFS).json()
    assert body["email_available"] is False
    assert [p["event"] for p in body["preferences"]] == [
        "assigned",
        "shared",
        "customer_changed",
        "task_due",
        "other",
    ]


def test_api_put_switches_a_channel_off(client, alice, bob):
    login(client, alice)
    payload = {"preferences": [{"event": "assigned", "in_app": False}]}
    response = client.put(PREFS, json.dumps(payload), content_type=JSON)
    assert response.status_code == 200
    assigned = next(p for p in response.json()["preferences"] if p["event"] == "assigned")
    assert assigned == {
        "event": "assigned",
        "label": "Assigned to you",
        "in_app": False,
        "email": False,
    }
    assert notify([alice], actor=bob, verb="assigned", message="x") == 0


def test_api_put_refuses_an_unknown_event_and_writes_nothing(client, alice):
    login(client, alice)
    payload = {"preferences": [{"event": "birthday", "in_app": False}]}
    response = client.put(PREFS, json.dumps(payload), content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "preferences.0.event"
    assert not NotificationPreference.objects.exists()


def test_api_put_refuses_email_without_an_address(client, alice):
    login(client, alice)
    payload = {"preferences": [{"event": "shared", "email": True}]}
    response = client.put(PREFS, json.dumps(payload), content_type=JSON)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shared.email"


def test_api_needs_a_signed_in_user(client):
    assert client.get(PREFS).status_code == 401


def test_api_lists_only_unread_notifications_when_asked(client, alice, bob):
    _shared(alice, bob)
    _shared(alice, bob)
    first = Notification.objects.filter(recipient=alice).earliest("pk")
    login(client, alice)
    client.post(f"/api/v1/notifications/{first.pk}/read")
    assert len(client.get("/api/v1/notifications").json()["items"]) == 2
    assert len(client.get("/api/v1/notifications?unread=true").json()["items"]) == 1


def test_api_cannot_mark_another_users_notification(client, alice, bob):
    _shared(bob, alice)
    login(client, alice)
    note = Notification.objects.get(recipient=bob)
    assert client.post(f"/api/v1/notifications/{note.pk}/read").status_code == 404


# --- the inbox filter ----------------------------------------------------------------------


def test_inbox_filter_shows_only_unread(client, alice, bob):
    notify([alice], actor=bob, verb="shared", message="old news")
    Notification.objects.update(read_at="2026-11-01T00:00:00Z")
    notify([alice], actor=bob, verb="shared", message="fresh")
    login(client, alice)
    response = client.get(reverse("notifications") + "?show=unread")
    assert [n.message for n in response.context["page"]] == ["fresh"]
    assert [n.message for n in client.get(reverse("notifications")).context["page"]] == [
        "fresh",
        "old news",
    ]


def test_inbox_unread_filter_has_its_own_empty_state(client, alice):
    login(client, alice)
    page = client.get(reverse("notifications") + "?show=unread").content.decode()
    assert "No unread notifications." in page


def test_mark_all_read_keeps_the_unread_filter_without_htmx(client, alice, bob):
    notify([alice], actor=bob, verb="shared", message="x")
    login(client, alice)
    response = client.post(reverse("notifications_read_all"), {"show": "unread"})
    assert response["Location"] == reverse("notifications") + "?show=unread"
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_a_task_reminder_is_filed_as_task_due_and_obeys_the_email_switch(
    alice_with_email, django_capture_on_commit_callbacks
):
    from guanxi.interactions import services as tasks

    tasks.create_task(
        alice_with_email,
        {"title": "回访", "due_at": "2026-11-23 15:00", "remind_at": "2026-11-23 14:30"},
    )
    set_preferences(alice_with_email, {"task_due": {"email": False}})
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            tasks.send_due_reminders(
                now=tasks.parse_when(
                    "2026-11-23 14:30", "now", alice_with_email, date_only_time=None
                )
            )
            == 1
        )
    assert list(Notification.objects.values_list("event", flat=True)) == ["task_due"]
    assert mail.outbox == []
