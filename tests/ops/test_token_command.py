"""`guanxi token USERNAME` prints a new API token that authenticates the user."""

import io

import pytest
from django.core.management import CommandError, call_command

from guanxi.accounts.services import user_for_token

pytestmark = pytest.mark.django_db


def test_token_prints_a_token_that_authenticates_the_user(alice):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "alice", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert user_for_token(token) == alice
    assert "shown only this once" in err.getvalue()


def test_token_works_as_a_bearer_token_on_the_api(alice, client):
    out = io.StringIO()
    call_command("token", "alice", stdout=out)
    response = client.get(
        "/api/v1/customers", headers={"Authorization": f"Bearer {out.getvalue().strip()}"}
    )
    assert response.status_code == 200


def test_token_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("token", "nobody", stdout=io.StringIO())
