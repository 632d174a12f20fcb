"""The navigation menu, rendered once per language, role and section, still differs by each."""

import pytest
from django.urls import reverse

from guanxi.core.templatetags import navigation


@pytest.fixture(autouse=True)
def _kept_menus(settings):
    """As in production: menus are kept (they are not while DEBUG)."""
    settings.DEBUG = False
    navigation._rendered.clear()
    yield
    navigation._rendered.clear()


def _menu(html: str) -> str:
    return html[html.index('<ul class="navbar-nav me-auto">') : html.index('id="global-search"')]


def test_only_an_admin_sees_users_and_teams_in_the_menu(client, ada, alice):
    client.force_login(ada)
    as_admin = client.get(reverse("customers:list")).content.decode()
    client.force_login(alice)
    as_rep = client.get(reverse("customers:list")).content.decode()

    assert reverse("accounts:users") in as_admin
    assert reverse("accounts:users") not in as_rep


def test_the_menu_marks_the_section_of_each_page(client, alice):
    client.force_login(alice)

    customers = client.get(reverse("customers:list")).content.decode()
    my_day = client.get(reverse("interactions:my_day")).content.decode()

    assert f'nav-link active" href="{reverse("customers:list")}"' in customers
    assert f'nav-link" href="{reverse("interactions:my_day")}"' in customers
    assert f'nav-link active" href="{reverse("interactions:my_day")}"' in my_day
    assert f'nav-link" href="{reverse("customers:list")}"' in my_day


def test_the_menu_speaks_the_language_of_the_request(client, alice):
    client.force_login(alice)

    english = client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english_again = client.get(
        reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Recycle bin" in _menu(english)
    assert "回收站" in _menu(chinese)
    assert "Recycle bin" not in _menu(chinese)
    assert _menu(english_again) == _menu(english)
