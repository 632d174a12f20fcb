"""The timeline and tasks through the JSON API: visibility, filters, bad input, pagination."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.interactions import services
from guanxi.interactions.models import Attachment, Interaction, Task
from tests.conftest import login
from tests.interactions.conftest import at

JSON = "application/json"


def _url(customer):
    return f"/api/v1/customers/{customer.pk}/interactions"


@pytest.fixture
def call(alice, alices_customer):
    return services.log_interaction(
        alice, alices_customer.pk, {"kind": "call", "subject": "First call"}
    )


@pytest.fixture
def task(alice, alices_customer):
    return services.create_task(
        alice, {"title": "回访", "customer": alices_customer.pk, "due_at": "2026-11-23 15:00"}
    )


def test_rep_logs_a_call_through_the_api(client, alice, alices_customer):
    login(client, alice)
    response = client.post(
        _url(alices_customer),
        {
            "kind": "call",
            "subject": "Price question",
            "duration_minutes": 4,
            "occurred_at": "2026-11-01T10:00:00+08:00",
            "outcome": "Send a quote",
        },
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["occurred_at"].startswith("2026-11-01T")
    assert response["Location"] == f"/api/v1/interactions/{body['id']}"


def test_an_unknown_field_is_refused_and_nothing_logged(client, alice, alices_customer):
    login(client, alice)
    response = client.post(
        _url(alices_customer), {"kind": "call", "mood": "happy"}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "mood", "message": "Unknown field."}]
    assert not Interaction.objects.exists()


def test_timeline_pages_by_cursor_and_filters_by_kind(
    client, alice, alices_customer, django_assert_max_num_queries
):
    start = at("2026-11-01 09:00")
    Interaction.objects.bulk_create(
        Interaction(
            customer=alices_customer,
            kind="call" if i % 3 else "email",
            occurred_at=start + dt.timedelta(hours=i),
        )
        for i in range(30)
    )
    login(client, alice)
    with django_assert_max_num_queries(8):
        first = client.get(_url(alices_customer), {"limit": 20}).json()
    second = client.get(_url(alices_customer), {"limit": 20, "cursor": first["next_cursor"]}).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == 30 == len(set(ids))
    assert second["next_cursor"] is None
    emails = client.get(_url(alices_customer), {"kind": "email"}).json()["items"]
    assert len(emails) == 10 and {i["kind"] for i in emails} == {"email"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_reps_customer_timeline_is_404(client, charlie, alices_customer, method):
    login(client, charlie)
    response = getattr(client, method)(
        _url(alices_customer), *([{"kind": "call"}] if method == "post" else []), content_type=JSON
    )
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_another_reps_interaction_is_404(client, charlie, call):
    login(client, charlie)
    assert client.get(f"/api/v1/interactions/{call.pk}").status_code == 404


def test_attachment_upload_and_download(client, alice, call):
    login(client, alice)
    response = client.post(
        f"/api/v1/interactions/{call.pk}/attachments",
        {"file": SimpleUploadedFile("quote.pdf", b"%PDF-1.4 test")},
    )
    assert response.status_code == 201
    download = client.get(response.json()["url"])
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_attachment_of_a_forbidden_type_is_a_field_error(client, alice, call):
    login(client, alice)
    response = client.post(
        f"/api/v1/interactions/{call.pk}/attachments",
        {"file": SimpleUploadedFile("x.html", b"<script>")},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert not Attachment.objects.exists()


def test_attachment_too_big_is_a_field_error(client, alice, call, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 10)
    login(client, alice)
    response = client.post(
        f"/api/v1/interactions/{call.pk}/attachments",
        {"file": SimpleUploadedFile("q.pdf", b"%PDF-1.4 " + b"x" * 50)},
    )
    assert response.status_code == 422
    assert "larger" in response.json()["errors"][0]["message"]
    assert not Attachment.objects.exists()


def test_create_task_with_a_bad_due_date_names_the_format(client, alice):
    login(client, alice)
    response = client.post(
        "/api/v1/tasks", {"title": "x", "due_at": "23.11.2026"}, content_type=JSON
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "due_at" and "YYYY-MM-DD" in error["message"]
    assert not Task.objects.exists()


def test_create_task_refuses_unknown_fields(client, alice):
    login(client, alice)
    response = client.post(
        "/api/v1/tasks", {"title": "x", "due_at": "2026-11-30", "colour": "red"}, content_type=JSON
    )
    assert response.status_code == 422
    assert not Task.objects.exists()


def test_create_then_patch_complete_and_reopen_a_task(client, alice, alices_customer):
    login(client, alice)
    created = client.post(
        "/api/v1/tasks",
        {
            "title": "Check in",
            "due_at": "2026-11-30T10:00:00+08:00",
            "recurrence_days": 30,
            "customer": alices_customer.pk,
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    task_id = created.json()["id"]
    patched = client.patch(f"/api/v1/tasks/{task_id}", {"priority": "high"}, content_type=JSON)
    assert patched.json()["priority"] == "high"
    done = client.post(f"/api/v1/tasks/{task_id}/complete")
    assert done.json()["status"] == "done"
    following = Task.objects.get(previous_id=task_id)
    assert following.due_at == at("2026-12-30 10:00")
    assert client.post(f"/api/v1/tasks/{task_id}/reopen").json()["status"] == "open"


def test_list_tasks_filters_by_status_due_and_assignee(
    client, alice, bob, alices_customer, django_assert_max_num_queries
):
    services.create_task(alice, {"title": "mine early", "due_at": "2026-11-20 10:00"})
    services.create_task(alice, {"title": "mine late", "due_at": "2026-12-20 10:00"})
    services.create_task(alice, {"title": "bobs", "due_at": "2026-11-20 10:00", "assignee": bob.pk})
    login(client, alice)
    with django_assert_max_num_queries(4):
        body = client.get(
            "/api/v1/tasks", {"assignee": "me", "status": "open", "due_before": "2026-12-01"}
        ).json()
    assert [t["title"] for t in body["items"]] == ["mine early"]
    later = client.get("/api/v1/tasks", {"due_after": "2026-12-01"}).json()
    assert [t["title"] for t in later["items"]] == ["mine late"]


def test_list_tasks_with_a_bad_due_filter_is_a_field_error(client, alice):
    login(client, alice)
    response = client.get("/api/v1/tasks", {"due_before": "tomorrow"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "due_before"


@pytest.mark.parametrize("action", ["get", "patch", "complete", "reopen"])
def test_another_reps_task_is_404(client, charlie, task, action):
    login(client, charlie)
    url = f"/api/v1/tasks/{task.pk}"
    if action == "get":
        response = client.get(url)
    elif action == "patch":
        response = client.patch(url, {"title": "mine now"}, content_type=JSON)
    else:
        response = client.post(f"{url}/{action}")
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.title == "回访" and task.status == "open"


def test_another_reps_tasks_are_not_listed(client, charlie, task):
    login(client, charlie)
    assert client.get("/api/v1/tasks").json()["items"] == []


def test_analyst_cannot_create_tasks(client, nina):
    login(client, nina)
    response = client.post(
        "/api/v1/tasks", {"title": "x", "due_at": "2026-11-30"}, content_type=JSON
    )
    assert response.status_code == 403
