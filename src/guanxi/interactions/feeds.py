"""The iCalendar (RFC 5545) feed of a user's open tasks, one event per task at its due time."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from guanxi.interactions.models import Task

EVENT_LENGTH = dt.timedelta(minutes=30)


def tasks_calendar(user, tasks: list[Task], *, now: dt.datetime | None = None) -> bytes:
    """Events rather than to-dos: most calendar apps ignore VTODO."""
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//Guanxi CRM//tasks//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Guanxi · {user}")
    cal.add("x-wr-timezone", user.time_zone or settings.TIME_ZONE)
    for task in tasks:
        event = Event()
        event.add("uid", f"task-{task.pk}@guanxi")
        event.add("dtstamp", now)
        event.add("dtstart", task.due_at)
        event.add("dtend", task.due_at + EVENT_LENGTH)
        event.add(
            "summary", f"{task.title} · {task.customer.name}" if task.customer_id else task.title
        )
        if task.notes:
            event.add("description", task.notes)
        event.add("priority", {"high": 1, "normal": 5, "low": 9}.get(task.priority, 5))
        if task.remind_at:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", task.title)
            alarm.add("trigger", task.remind_at - task.due_at)
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
