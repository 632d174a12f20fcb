"""Who is signed in: the user of a session and the user of an API token, each read with their
team in one statement built once (``core.hot_reads``). Every request asks, and every page names
the team."""

from functools import cache

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections

from guanxi.accounts.models import ApiToken, Team, User
from guanxi.core.hot_reads import column, fetch_one, instance, select_list, table


@cache
def _user_sql(vendor: str, by: str) -> str:
    """A user with their team (outer join), found by id or, with ``by="token"``, by the digest
    of a live API token of an active user (the token's own columns first)."""
    team_join = f"LEFT JOIN {table(Team)} t ON t.{column(Team, 'id')} = u.{column(User, 'team')}"
    if by == "id":
        return (
            f"SELECT {select_list(User, 'u')}, {select_list(Team, 't')} "  # noqa: S608 - quoted model names
            f"FROM {table(User)} u {team_join} WHERE u.{column(User, 'id')} = %s"
        )
    return (
        f"SELECT {select_list(ApiToken, 'a')}, {select_list(User, 'u')}, "  # noqa: S608 - as above
        f"{select_list(Team, 't')} FROM {table(ApiToken)} a "
        f"JOIN {table(User)} u ON u.{column(User, 'id')} = a.{column(ApiToken, 'user')} "
        f"{team_join} WHERE a.{column(ApiToken, 'digest')} = %s "
        f"AND a.{column(ApiToken, 'revoked_at')} IS NULL AND u.{column(User, 'is_active')} = %s"
    )


def _with_team(row, start: int) -> User:
    user, after = instance(User, row, start)
    team, _end = instance(Team, row, after)
    User._meta.get_field("team").set_cached_value(user, team)
    return user


def user_with_team(user_id) -> User | None:
    """The user with this id (as a session stores it), their team already read; or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    row = fetch_one(_user_sql(connections[DEFAULT_DB_ALIAS].vendor, "id"), [pk])
    return None if row is None else _with_team(row, 0)


def live_token(digest: str) -> ApiToken | None:
    """The unrevoked API token with this digest whose user is active, with the user and the
    user's team already read; or None."""
    row = fetch_one(_user_sql(connections[DEFAULT_DB_ALIAS].vendor, "token"), [digest, True])
    if row is None:
        return None
    token, after = instance(ApiToken, row)
    ApiToken._meta.get_field("user").set_cached_value(token, _with_team(row, after))
    return token
