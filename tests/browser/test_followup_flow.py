"""In a real browser: a rep logs a call on a customer's timeline with one click, schedules the
follow-up and finds it on My day."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.interactions.models import Interaction, Task
from tests.browser.helpers import no_problems, sign_in

pytestmark = pytest.mark.browser

FOLLOW_UP = "回访王伟：报价"


def test_a_rep_logs_a_call_schedules_a_follow_up_and_sees_it_on_my_day(
    open_page, alice, alices_customer
):
    page = open_page()
    sign_in(page, "alice")

    page.goto(reverse("customers:detail", args=[alices_customer.pk]))
    page.get_by_role("link", name="Timeline").click()
    expect(page).to_have_url(re.compile(r"\?tab=timeline$"))
    page.get_by_role("button", name="Called, talked").click()
    expect(page.get_by_role("status").filter(has_text="Logged.")).to_be_visible()
    call = Interaction.objects.get(customer=alices_customer)
    assert (call.kind, call.created_by) == ("call", alice)
    expect(page.locator("#timeline")).to_contain_text("Talked")

    page.get_by_role("link", name="Schedule a follow-up").click()
    page.get_by_label("Title").fill(FOLLOW_UP)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.get_by_label("Due").fill(f"{tomorrow:%Y-%m-%d}T10:00")
    page.get_by_role("button", name="Save").click()
    expect(page).not_to_have_url(re.compile(re.escape(reverse("interactions:task_new"))))
    task = Task.objects.get(title=FOLLOW_UP)
    assert task.customer == alices_customer

    page.goto(reverse("interactions:my_day"))
    row = page.get_by_role("listitem").filter(has_text=FOLLOW_UP)
    expect(row).to_be_visible()
    expect(row).to_contain_text(alices_customer.name)
    expect(row).to_contain_text(f"{tomorrow:%Y-%m-%d} 10:00")
    no_problems(page)
