"""pk_url makes the same links as reverse()."""

import pytest
from django.urls import reverse

from guanxi.core.links import pk_url


@pytest.mark.parametrize("name", ["customers:detail", "sales:opportunity"])
def test_each_link_is_what_reverse_gives(name):
    link = pk_url(name)

    for pk in (1, 42, 987654321, 10**12):
        assert link(pk) == reverse(name, args=[pk])
