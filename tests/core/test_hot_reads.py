"""Each request's session, user and unread count, read with SQL built once, give what the ORM
gives; sessions from before the change stay signed in."""

import datetime as dt

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from guanxi.accounts.backends import UserBackend
from guanxi.accounts.models import User
from guanxi.accounts.services import _digest, issue_token
from guanxi.accounts.signed_in import live_token, user_with_team
from guanxi.core.hot_reads import cursor, fetch_one
from guanxi.core.notifications import mark_read, notify, unread_count
from guanxi.core.sessions import SessionStore

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _field_values(user: User) -> dict:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_user_of_a_session_has_every_field_as_the_orm_reads_it(alice):
    alice.last_login = timezone.now()
    alice.save()

    read = user_with_team(str(alice.pk))

    assert _field_values(read) == _field_values(User.objects.get(pk=alice.pk))
    assert read.last_login.tzinfo is not None
    assert read.is_active is True


def test_the_user_comes_with_their_team_in_one_statement(alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = UserBackend().get_user(alice.pk)
        assert user.team.name == "Guangzhou"


def test_a_user_without_a_team_reads_as_such(alice):
    User.objects.filter(pk=alice.pk).update(team=None)

    assert user_with_team(alice.pk).team is None


def test_an_unknown_or_malformed_user_id_finds_no_one(alice):
    assert user_with_team(alice.pk + 1000) is None
    assert user_with_team("not-a-number") is None


def test_a_deactivated_user_is_signed_out(alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert UserBackend().get_user(alice.pk) is None


def test_a_signed_in_browser_sees_its_own_pages(client, alice):
    client.force_login(alice)

    response = client.get("/my-day/")

    assert response.status_code == 200
    assert response.wsgi_request.user == alice


def _session_for(user, backend: str, *, expires_in: dt.timedelta) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def test_a_session_signed_in_through_djangos_own_backend_stays_signed_in(client, alice):
    key = _session_for(
        alice, "django.contrib.auth.backends.ModelBackend", expires_in=dt.timedelta(hours=1)
    )
    client.cookies["sessionid"] = key

    response = client.get("/my-day/")

    assert response.status_code == 200
    assert response.wsgi_request.user == alice


def test_an_expired_session_signs_no_one_in(client, alice):
    key = _session_for(
        alice, "guanxi.accounts.backends.UserBackend", expires_in=-dt.timedelta(seconds=1)
    )
    client.cookies["sessionid"] = key

    response = client.get("/my-day/")

    assert response.status_code == 302
    assert SessionStore(key).load() == {}


def test_a_token_brings_its_user_and_team_in_one_statement(alice, django_assert_num_queries):
    token = issue_token(alice, "script")

    with django_assert_num_queries(1):
        found = live_token(_digest(token))
        assert found.user.team.name == "Guangzhou"
    assert _field_values(found.user) == _field_values(User.objects.get(pk=alice.pk))


def test_a_deactivated_users_token_is_not_live(alice):
    token = issue_token(alice, "script")
    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert live_token(_digest(token)) is None


def test_the_unread_count_is_the_users_unread_notifications(alice, bob):
    for n in range(3):
        notify([alice], actor=bob, verb="mentioned", message=f"Note {n}")
    notify([bob], actor=alice, verb="mentioned", message="For Bob")
    mark_read(alice, [alice.notifications.order_by("pk").first().pk])

    assert unread_count(alice) == 2
    assert unread_count(bob) == 1


def _prepared(pattern: str) -> int:
    """How many of this connection's prepared statements match ``pattern`` (LIKE)."""
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [pattern])
        return c.fetchone()[0]


@postgres_only
def test_a_hot_read_is_a_prepared_statement_on_postgresql(db):
    for _ in range(2):
        with cursor() as c:
            c.execute("SELECT %s::int + 1", [41])
            assert c.fetchone() == (42,)
    assert _prepared("%$1::int + 1%") == 1


@postgres_only
def test_prepared_reads_can_be_turned_off(db, monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    with cursor() as c:
        c.execute("SELECT %s::int + 2", [40])
        assert c.fetchone() == (42,)
    assert _prepared("%$1::int + 2%") == 0


def test_hot_reads_are_in_the_query_log(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert fetch_one("SELECT 1 + %s", [1]) == (2,)


@postgres_only
def test_a_hot_read_is_planned_once_not_on_every_run(db):
    for _ in range(7):
        with cursor() as c:
            c.execute("SELECT count(*) FROM accounts_user WHERE id = %s", [7])
    with connection.cursor() as c:
        c.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%accounts_user WHERE id = $1%"],
        )
        assert c.fetchall() == [(7, 0)]
