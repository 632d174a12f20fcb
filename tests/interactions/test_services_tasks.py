"""Tasks under a controlled clock: reminders, recurrence, my day, edits."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404

from guanxi.core.models import Notification
from guanxi.interactions import services
from guanxi.interactions.models import Task, TaskStatus
from guanxi.interactions.queries import my_day
from tests.interactions.conftest import at


@pytest.fixture
def follow_up(alice, alices_customer):
    return services.create_task(
        alice,
        {
            "title": "回访王伟",
            "customer": alices_customer.pk,
            "due_at": "2026-11-23 15:00",
            "remind_at": "2026-11-23 14:30",
        },
    )


def test_reminder_does_not_fire_before_its_minute(follow_up):
    assert services.send_due_reminders(now=at("2026-11-23 14:29:59")) == 0
    assert not Notification.objects.filter(verb="task_due").exists()


def test_reminder_fires_at_its_minute_as_a_notification_and_an_email(
    alice, follow_up, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=at("2026-11-23 14:30")) == 1
    note = Notification.objects.get(verb="task_due")
    assert note.recipient == alice
    assert "回访王伟" in note.message
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    follow_up.refresh_from_db()
    assert follow_up.reminded_at == at("2026-11-23 14:30")


def test_reminder_fires_only_once_when_the_job_runs_again(follow_up):
    services.send_due_reminders(now=at("2026-11-23 14:30"))
    assert services.send_due_reminders(now=at("2026-11-23 14:31")) == 0
    assert Notification.objects.filter(verb="task_due").count() == 1


def test_reminder_of_a_done_task_is_not_sent(alice, follow_up):
    services.complete_task(alice, follow_up.pk, now=at("2026-11-23 10:00"))
    assert services.send_due_reminders(now=at("2026-11-23 14:30")) == 0


def test_reminder_job_delivers_through_the_periodic_task(follow_up):
    from guanxi.interactions.tasks import send_due_reminders

    assert send_due_reminders.call_local(now=at("2026-11-23 14:45")) == 1


def test_moving_the_reminder_rearms_it(alice, follow_up):
    services.send_due_reminders(now=at("2026-11-23 14:30"))
    services.update_task(alice, follow_up.pk, {"remind_at": "2026-11-23 14:50"})
    assert services.send_due_reminders(now=at("2026-11-23 14:49")) == 0
    assert services.send_due_reminders(now=at("2026-11-23 14:50")) == 1


def test_completing_a_recurring_task_creates_the_next_due_n_days_later(alice, alices_customer):
    task = services.create_task(
        alice,
        {
            "title": "Key account check-in",
            "customer": alices_customer.pk,
            "due_at": "2026-11-23 10:00",
            "remind_at": "2026-11-23 09:00",
            "recurrence_days": 30,
        },
    )
    services.complete_task(alice, task.pk, now=at("2026-11-23 11:00"))
    following = Task.objects.get(previous=task)
    assert following.status == TaskStatus.OPEN
    assert following.due_at == at("2026-12-23 10:00")
    assert following.remind_at == at("2026-12-23 09:00")
    assert following.recurrence_days == 30


def test_completing_twice_or_after_reopening_makes_only_one_next_occurrence(alice):
    task = services.create_task(
        alice, {"title": "Monthly", "due_at": "2026-11-23", "recurrence_days": 30}
    )
    services.complete_task(alice, task.pk)
    services.complete_task(alice, task.pk)
    services.reopen_task(alice, task.pk)
    services.complete_task(alice, task.pk)
    assert Task.objects.filter(previous=task).count() == 1


def test_reopening_clears_done(alice, follow_up):
    services.complete_task(alice, follow_up.pk)
    task = services.reopen_task(alice, follow_up.pk)
    assert task.status == TaskStatus.OPEN and task.done_at is None


def test_a_date_only_due_means_the_end_of_that_day(alice):
    task = services.create_task(alice, {"title": "Call back", "due_at": "2026-11-30"})
    assert task.due_at == at("2026-11-30 23:59")


def test_due_date_in_an_unknown_format_is_refused_and_nothing_written(alice):
    with pytest.raises(ValidationError) as exc:
        services.create_task(alice, {"title": "Call back", "due_at": "30/11/2026"})
    assert "due_at" in exc.value.message_dict
    assert not Task.objects.exists()


def test_a_reminder_after_the_due_time_is_refused(alice):
    with pytest.raises(ValidationError) as exc:
        services.create_task(
            alice, {"title": "x", "due_at": "2026-11-30 10:00", "remind_at": "2026-11-30 11:00"}
        )
    assert "remind_at" in exc.value.message_dict


def test_unknown_field_is_refused(alice):
    with pytest.raises(ValidationError) as exc:
        services.create_task(alice, {"title": "x", "due_at": "2026-11-30", "colour": "red"})
    assert "colour" in exc.value.message_dict


def test_assigning_a_task_notifies_the_assignee(alice, bob, alices_customer):
    services.create_task(alice, {"title": "Help me", "due_at": "2026-11-30", "assignee": bob.pk})
    assert Notification.objects.get(recipient=bob).verb == "task_assigned"


def test_a_task_on_a_customer_needs_an_assignee_who_can_see_it(alice, charlie, alices_customer):
    with pytest.raises(ValidationError) as exc:
        services.create_task(
            alice,
            {
                "title": "x",
                "due_at": "2026-11-30",
                "customer": alices_customer.pk,
                "assignee": charlie.pk,
            },
        )
    assert "assignee" in exc.value.message_dict


def test_a_task_on_another_reps_customer_cannot_be_created(charlie, alices_customer):
    with pytest.raises(ValidationError) as exc:
        services.create_task(
            charlie, {"title": "x", "due_at": "2026-11-30", "customer": alices_customer.pk}
        )
    assert "customer" in exc.value.message_dict


def test_another_rep_cannot_reach_the_task(charlie, follow_up):
    with pytest.raises(Http404):
        services.access_task(charlie, follow_up.pk)


def test_manager_sees_the_teams_customer_task(mike, follow_up):
    assert services.access_task(mike, follow_up.pk) == follow_up


def test_my_day_buckets_by_the_users_time_zone(alice):
    alice.time_zone = "America/New_York"
    alice.save()
    # 2026-11-24 03:00 in Shanghai is still the 23rd (14:00) in New York.
    now = at("2026-11-24 03:00")
    for title, due in [
        ("late", "2026-11-22T12:00-05:00"),
        ("today", "2026-11-23T18:00-05:00"),
        ("tomorrow", "2026-11-24T09:00-05:00"),
    ]:
        services.create_task(alice, {"title": title, "due_at": due})
    day = my_day(alice, now=now)
    assert day.today == dt.date(2026, 11, 23)
    assert [t.title for t in day.overdue] == ["late"]
    assert [t.title for t in day.due_today] == ["today"]
    assert [t.title for t in day.upcoming] == ["tomorrow"]


def test_naive_times_are_read_in_the_users_zone(alice):
    alice.time_zone = "Europe/Berlin"
    alice.save()
    task = services.create_task(alice, {"title": "x", "due_at": "2026-11-30 10:00"})
    assert task.due_at == dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def test_reminders_beyond_one_batch_are_all_sent_in_one_run(alice):
    for i in range(5):
        services.create_task(
            alice, {"title": f"t{i}", "due_at": "2026-11-23 15:00", "remind_at": "2026-11-23 14:00"}
        )
    assert services.send_due_reminders(now=at("2026-11-23 14:00"), batch=2) == 5
    assert services.send_due_reminders(now=at("2026-11-23 14:01"), batch=2) == 0


def test_reminder_is_written_in_the_assignees_language(alice):
    alice.language = "en"
    alice.save()
    services.create_task(
        alice, {"title": "x", "due_at": "2026-11-23 15:00", "remind_at": "2026-11-23 14:00"}
    )
    services.send_due_reminders(now=at("2026-11-23 14:00"))
    assert Notification.objects.get(verb="task_due").message.startswith("Reminder:")
