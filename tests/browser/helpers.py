"""Shared steps of the browser flows: sign in, watch for server and script errors, measure
sideways overflow."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def sign_in(page: Page, username: str) -> None:
    """Sign in through the form; the test fails on any uncaught script error or 5xx after."""
    watch(page)
    page.goto(reverse("login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(Sign in|登录)$")).click()
    expect(page).not_to_have_url(re.compile(re.escape(reverse("login"))))


def watch(page: Page) -> None:
    """Collect script errors and server errors on ``page.problems``; check with no_problems."""
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(f"script error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            page.problems.append(f"console error: {msg.text} at {msg.location['url']}")
            if msg.type == "error" and "favicon.ico" not in (msg.location["url"] or "")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: page.problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None,
    )


def no_problems(page: Page) -> None:
    assert page.problems == [], page.problems


def overflow(page: Page) -> tuple[int, int]:
    """(scroll width, window width) of the page: a phone must not scroll sideways."""
    return tuple(page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]"))


@pytest.fixture
def pipeline(live_server):
    """The default pipeline of the sales migration: a live server's test empties every table
    after it ran, so a later test puts it back."""
    migration = importlib.import_module("guanxi.sales.migrations.0002_default_pipeline")
    migration.create_default_pipeline(apps, None)
