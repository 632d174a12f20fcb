"""pk_url makes the same links as reverse()."""

import pytest
from django.urls import reverse

from guanxi.core.links import local_url, next_url, pk_url


@pytest.mark.parametrize("name", ["customers:detail", "sales:opportunity"])
def test_each_link_is_what_reverse_gives(name):
    link = pk_url(name)

    for pk in (1, 42, 987654321, 10**12):
        assert link(pk) == reverse(name, args=[pk])


@pytest.mark.parametrize("url", ["/customers/?page=2", "http://testserver/customers/"])
def test_local_url_lets_a_path_or_this_host_through(rf, url):
    assert local_url(rf.get("/"), url) == url


@pytest.mark.parametrize(
    "url", ["-1", "home", "../customers/", "//evil.example/", "https://evil.example/", ""]
)
def test_local_url_refuses_a_bare_word_a_relative_path_or_another_host(rf, url):
    assert local_url(rf.get("/"), url) is None


def test_next_url_falls_back_to_the_default(rf):
    assert next_url(rf.post("/", {"next": "1e3"}), "/customers/") == "/customers/"
