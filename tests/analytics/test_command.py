"""`guanxi analytics refresh`: what it prints, and a bad date refused."""

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.analytics.models import RefreshRun
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db


def _refresh(*args) -> str:
    out = io.StringIO()
    call_command("analytics", "refresh", *args, stdout=out)
    return out.getvalue()


def test_refresh_says_how_many_customers_it_computed(alice):
    create_customer(alice, {"name": "王芳"})
    out = _refresh("--as-of", "2026-07-01")
    assert out.startswith("Refreshed 1 customer over 0 orders as of 2026-07-01")
    assert RefreshRun.objects.get().customers == 1


def test_refresh_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="is not a date"):
        _refresh("--as-of", "1 July")


def test_refresh_says_when_a_lifetime_value_fit_did_not_converge():
    run = RefreshRun(
        customers=300,
        orders=900,
        seconds=1.0,
        params={
            "bgnbd": {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43},
            "converged": {"bgnbd": True, "gamma_gamma": False},
        },
    )
    with mock.patch(
        "guanxi.analytics.management.commands.analytics.refresh_metrics", return_value=run
    ):
        out = _refresh()
    assert "  Gamma-Gamma fit did not converge: its estimates are uncertain" in out
    assert "BG/NBD fit did not converge" not in out
