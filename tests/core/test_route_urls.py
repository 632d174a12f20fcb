"""{% url %} keeps what a route without arguments reverses to, and still follows what it
depends on."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from guanxi.core.templatetags import route_urls


@pytest.fixture(autouse=True)
def _kept_urls(settings):
    """As in production: URLs are kept (they are not while DEBUG)."""
    settings.DEBUG = False
    route_urls._reversed.clear()
    yield
    route_urls._reversed.clear()
    set_script_prefix("/")


def _render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_a_route_without_arguments_renders_as_django_reverses_it():
    assert _render("{% url 'customers:list' %}") == reverse("customers:list")


def test_a_route_without_arguments_is_kept_after_its_first_render():
    _render("{% url 'customers:list' %}")

    assert reverse("customers:list") in route_urls._reversed.values()


def test_a_kept_url_follows_the_script_prefix():
    at_root = _render("{% url 'customers:list' %}")
    set_script_prefix("/crm/")
    under_prefix = _render("{% url 'customers:list' %}")

    assert at_root == "/customers/"
    assert under_prefix == "/crm/customers/"


def test_a_route_named_by_a_variable_is_kept_per_name():
    rendered = [_render("{% url name %}", name=name) for name in ("customers:list", "home")]

    assert rendered == [reverse("customers:list"), reverse("home")]


def test_a_route_with_arguments_is_reversed_each_time_and_not_kept():
    first = _render("{% url 'customers:detail' pk %}", pk=5)
    second = _render("{% url 'customers:detail' pk %}", pk=6)

    assert (first, second) == (
        reverse("customers:detail", args=[5]),
        reverse("customers:detail", args=[6]),
    )
    assert route_urls._reversed == {}


def test_url_as_a_variable_still_sets_the_variable():
    assert (
        _render("{% url 'customers:list' as link %}[{{ link }}]")
        == f"[{reverse('customers:list')}]"
    )


def test_nothing_is_kept_while_developing(settings):
    settings.DEBUG = True

    _render("{% url 'customers:list' %}")

    assert route_urls._reversed == {}
