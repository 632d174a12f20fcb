"""API tokens are stored hashed; repeated failed sign-ins lock the account for a while."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from guanxi.accounts.models import ApiToken
from guanxi.accounts.services import LoginLocked, issue_token, sign_in, user_for_token
from tests.conftest import PASSWORD


def test_a_token_authenticates_its_user_and_only_its_digest_is_stored(alice):
    token = issue_token(alice)
    assert user_for_token(token) == alice
    assert not ApiToken.objects.filter(digest=token).exists()
    assert token not in ApiToken.objects.get().digest


def test_an_unknown_token_authenticates_no_one(alice):
    issue_token(alice)
    assert user_for_token("gx_not-a-real-token") is None


def test_a_deactivated_users_token_stops_working(alice):
    token = issue_token(alice)
    alice.is_active = False
    alice.save()
    assert user_for_token(token) is None


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(alice, settings):
    request = RequestFactory().post("/login/")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        with pytest.raises(ValidationError):
            sign_in(request, "alice", "wrong")
    with pytest.raises(LoginLocked):
        sign_in(request, "alice", PASSWORD)


def test_a_successful_sign_in_clears_earlier_failures(alice):
    request = RequestFactory().post("/login/")
    for _ in range(3):
        with pytest.raises(ValidationError):
            sign_in(request, "alice", "wrong")
    assert sign_in(request, "alice", PASSWORD) == alice
    for _ in range(3):
        with pytest.raises(ValidationError):
            sign_in(request, "alice", "wrong")
    assert sign_in(request, "alice", PASSWORD) == alice
