"""The timeline tab, quick log, attachments, my day and the calendar feed over real HTTP."""

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from guanxi.interactions import services
from guanxi.interactions.models import Attachment, Interaction, Task, TaskStatus
from tests.conftest import login
from tests.interactions.conftest import at

PDF = b"%PDF-1.7\n%test\n"


@pytest.fixture
def many_calls(alice, alices_customer):
    start = at("2026-11-01 09:00")
    Interaction.objects.bulk_create(
        Interaction(
            customer=alices_customer,
            kind="call" if i % 2 else "visit",
            subject=f"Contact {i:02d}",
            occurred_at=start + dt.timedelta(hours=i),
            created_by=alice,
        )
        for i in range(45)
    )


@pytest.fixture
def task(alice, alices_customer):
    return services.create_task(
        alice, {"title": "回访王伟", "customer": alices_customer.pk, "due_at": "2026-11-23 15:00"}
    )


def test_timeline_tab_shows_newest_first_and_a_scroll_trigger(
    client, alice, alices_customer, many_calls, django_assert_max_num_queries
):
    login(client, alice)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("interactions:customer_tab", args=[alices_customer.pk]))
    html = response.content.decode()
    assert html.index("Contact 44") < html.index("Contact 43")
    assert "Contact 24" not in html
    assert 'hx-trigger="revealed"' in html


def test_scrolling_loads_the_next_page_without_repeats(
    client, alice, alices_customer, many_calls, django_assert_max_num_queries
):
    login(client, alice)
    url = reverse("interactions:timeline_items", args=[alices_customer.pk])
    seen, cursor = [], ""
    for _page in range(3):
        with django_assert_max_num_queries(9):
            response = client.get(url, {"cursor": cursor} if cursor else {})
        items = response.context["items"]
        seen += [i.subject for i in items]
        cursor = response.context["next_cursor"]
    assert len(seen) == 45 == len(set(seen))
    assert cursor is None


def test_timeline_filters_by_kind(client, alice, alices_customer, many_calls):
    login(client, alice)
    response = client.get(
        reverse("interactions:customer_tab", args=[alices_customer.pk]), {"kind": "visit"}
    )
    assert {i.kind for i in response.context["items"]} == {"visit"}


def test_the_card_opens_on_the_timeline_tab(client, alice, alices_customer):
    login(client, alice)
    response = client.get(
        reverse("customers:detail", args=[alices_customer.pk]), {"tab": "timeline"}
    )
    assert response.status_code == 200
    assert reverse("interactions:customer_tab", args=[alices_customer.pk]) in (
        response.content.decode()
    )


def test_one_click_logs_called_no_answer(client, alice, alices_customer):
    login(client, alice)
    response = client.post(
        reverse("interactions:log", args=[alices_customer.pk]),
        {"preset": "call_no_answer"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    logged = Interaction.objects.get()
    assert (logged.kind, logged.outcome, logged.created_by) == ("call", "No answer", alice)
    assert "No answer" in response.content.decode()


def test_a_bad_duration_is_shown_on_the_form_and_nothing_logged(client, alice, alices_customer):
    login(client, alice)
    response = client.post(
        reverse("interactions:log", args=[alices_customer.pk]),
        {"kind": "call", "direction": "out", "duration_minutes": "-3"},
        HTTP_HX_REQUEST="true",
    )
    assert response.context["form"].errors["duration_minutes"]
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("name", ["interactions:customer_tab", "interactions:timeline_items"])
def test_rep_cannot_open_another_reps_timeline(client, charlie, alices_customer, name):
    login(client, charlie)
    assert client.get(reverse(name, args=[alices_customer.pk])).status_code == 404


def test_rep_cannot_log_on_another_reps_customer(client, charlie, alices_customer):
    login(client, charlie)
    response = client.post(
        reverse("interactions:log", args=[alices_customer.pk]), {"preset": "call_no_answer"}
    )
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_attachment_is_downloaded_only_by_who_sees_the_customer(
    client, alice, charlie, alices_customer
):
    call = services.log_interaction(alice, alices_customer.pk, {"kind": "call"})
    login(client, alice)
    client.post(
        reverse("interactions:attachment_upload", args=[call.pk]),
        {"file": SimpleUploadedFile("quote.pdf", PDF)},
    )
    attachment = Attachment.objects.get()
    url = reverse("interactions:attachment", args=[attachment.pk])
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF
    login(client, charlie)
    assert client.get(url).status_code == 404


def test_a_forbidden_upload_is_explained_on_the_page(client, alice, alices_customer):
    call = services.log_interaction(alice, alices_customer.pk, {"kind": "call"})
    login(client, alice)
    response = client.post(
        reverse("interactions:attachment_upload", args=[call.pk]),
        {"file": SimpleUploadedFile("virus.exe", b"MZ\x90")},
    )
    assert response.status_code == 422
    assert "not allowed" in response.content.decode()
    assert not Attachment.objects.exists()


def test_rep_cannot_open_another_reps_interaction(client, alice, charlie, alices_customer):
    call = services.log_interaction(alice, alices_customer.pk, {"kind": "call"})
    login(client, charlie)
    assert client.get(reverse("interactions:detail", args=[call.pk])).status_code == 404


def test_my_day_lists_overdue_today_and_upcoming(client, alice, django_assert_max_num_queries):
    for title, due in [
        ("late", "2026-11-22 10:00"),
        ("now", "2026-11-23 16:00"),
        ("soon", "2026-11-25 10:00"),
    ]:
        services.create_task(alice, {"title": title, "due_at": due})
    login(client, alice)
    with (
        mock.patch.object(timezone, "now", return_value=at("2026-11-23 12:00")),
        django_assert_max_num_queries(9),
    ):
        response = client.get(reverse("interactions:my_day"))
    day = response.context["day"]
    assert (
        [t.title for t in day.overdue],
        [t.title for t in day.due_today],
        [t.title for t in day.upcoming],
    ) == (["late"], ["now"], ["soon"])


def test_my_day_query_count_does_not_grow_with_tasks(
    client, alice, alices_customer, django_assert_max_num_queries
):
    for i in range(30):
        services.create_task(
            alice, {"title": f"t{i}", "due_at": "2026-11-23 16:00", "customer": alices_customer.pk}
        )
    login(client, alice)
    with (
        mock.patch.object(timezone, "now", return_value=at("2026-11-23 12:00")),
        django_assert_max_num_queries(9),
    ):
        client.get(reverse("interactions:my_day"))


def test_completing_from_my_day_in_one_click(client, alice, task):
    login(client, alice)
    response = client.post(
        reverse("interactions:task_complete", args=[task.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_rep_cannot_complete_another_reps_task(client, charlie, task):
    login(client, charlie)
    response = client.post(reverse("interactions:task_complete", args=[task.pk]))
    assert response.status_code == 404


def test_new_task_with_a_due_date_in_an_unknown_format_shows_the_format(client, alice):
    login(client, alice)
    response = client.post(
        reverse("interactions:task_new"),
        {"title": "Call back", "due_at": "next tuesday", "priority": "normal"},
    )
    assert response.status_code == 422
    assert "YYYY-MM-DD" in str(response.context["form"].errors["due_at"])
    assert not Task.objects.exists()


def test_new_task_from_the_customer_card(client, alice, alices_customer):
    login(client, alice)
    response = client.post(
        reverse("interactions:task_new"),
        {
            "title": "Send the quote",
            "due_at": "2026-11-30T10:00",
            "priority": "high",
            "customer": alices_customer.pk,
        },
    )
    assert response.status_code == 302
    assert Task.objects.get().customer == alices_customer


def test_calendar_feed_lists_the_users_open_tasks(client, alice, task):
    services.create_task(alice, {"title": "Finished", "due_at": "2026-11-20"})
    services.complete_task(alice, Task.objects.get(title="Finished").pk)
    token = services.feed_token_for(alice).token
    response = client.get(reverse("interactions:feed", args=[token]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and "回访王伟" in body
    assert "Finished" not in body


def test_calendar_feed_with_a_wrong_token_is_404(client, alice, task):
    services.feed_token_for(alice)
    assert client.get(reverse("interactions:feed", args=["not-the-token"])).status_code == 404


def test_regenerating_the_feed_link_kills_the_old_one(client, alice, task):
    old = services.feed_token_for(alice).token
    login(client, alice)
    client.post(reverse("interactions:feed_settings"))
    client.logout()
    assert client.get(reverse("interactions:feed", args=[old])).status_code == 404
