"""Keyset pagination: each row exactly once, cursors tied to their ordering and tamper-proof."""

import pytest
from django.core.exceptions import ValidationError

from guanxi.accounts.models import Team
from guanxi.accounts.services import create_team
from guanxi.core.pagination import encode_cursor, keyset_page


@pytest.fixture
def many_teams(db):
    # Duplicate-looking names test the tie-break on the primary key.
    return [create_team(f"Team {i % 4}-{i:02d}") for i in range(11)]


@pytest.mark.parametrize("order", ["name", "-name", "id", "-id", "created_at", "-created_at"])
def test_walking_the_pages_returns_every_row_once(many_teams, order):
    seen, cursor = [], None
    while True:
        rows, cursor = keyset_page(Team.objects.all(), order, cursor=cursor, limit=3)
        seen += [t.pk for t in rows]
        if cursor is None:
            break

    assert sorted(seen) == sorted(t.pk for t in many_teams)
    assert len(seen) == len(set(seen))


def test_last_page_has_no_next_cursor(many_teams):
    rows, cursor = keyset_page(Team.objects.all(), "id", cursor=None, limit=11)

    assert len(rows) == 11
    assert cursor is None


def test_cursor_from_another_ordering_is_refused(many_teams):
    cursor = encode_cursor("name", many_teams[0])

    with pytest.raises(ValidationError) as info:
        keyset_page(Team.objects.all(), "-id", cursor=cursor, limit=3)

    assert "cursor" in info.value.message_dict


def test_tampered_cursor_is_refused(many_teams):
    cursor = encode_cursor("id", many_teams[0])

    with pytest.raises(ValidationError):
        keyset_page(Team.objects.all(), "id", cursor=cursor[:-2] + "xx", limit=3)
