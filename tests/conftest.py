"""Named personas shared by the whole suite.

The company: HQ ▸ Sales East ▸ Guangzhou, and HQ ▸ Sales West.
- ada: admin at HQ
- mike: manager of Sales East (so also of Guangzhou)
- alice, bob: reps in Guangzhou (mike's team)
- charlie: rep in Sales West (no access to East's customers)
- nina: read-only analyst
"""

import pytest
from django.utils import translation

from guanxi.accounts.services import create_team, create_user
from guanxi.customers import queries, search_index
from guanxi.customers.services import create_customer

PASSWORD = "Guanxi-test-2026"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language: a request in Chinese activates it
    for the thread (LocaleMiddleware), and it must not leak into the next test."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_remembered_search_verdicts():
    """Each test starts with no query remembered as common (customers.search_index) and no
    user as seeing few customers, no city as small (customers.queries)."""
    search_index.forget_common()
    queries.forget_reach()


@pytest.fixture(autouse=True)
def _nobody_sees_few(monkeypatch):
    """A test's users see a handful of customers, fewer than SMALL_REACH: each of their
    searches would read their ways (``queries.sees_few``) and no test would reach the search
    index's paths. Tests of that path ask for it (``small_reach``)."""
    monkeypatch.setattr(queries, "SMALL_REACH", 0)


@pytest.fixture
def small_reach(monkeypatch):
    """Users who see up to 5,000 customers see few (the default SMALL_REACH)."""
    monkeypatch.setattr(queries, "SMALL_REACH", 5_000)


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings):
    """Each test process keeps its own cache in memory: the file cache under the data directory
    is shared by the two test processes, and one test's cache.clear() emptied the rate-limit
    counts another was in the middle of (a 429 test answered 200)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }


@pytest.fixture
def teams(db):
    hq = create_team("HQ")
    east = create_team("Sales East", hq)
    guangzhou = create_team("Guangzhou", east)
    west = create_team("Sales West", hq)
    return {"hq": hq, "east": east, "guangzhou": guangzhou, "west": west}


def _user(name, role, team, manager=None):
    return create_user(
        name,
        PASSWORD,
        role=role,
        team=team,
        manager=manager,
        display_name=name.capitalize(),
        validate_password=False,
    )


@pytest.fixture
def ada(teams):
    return _user("ada", "admin", teams["hq"])


@pytest.fixture
def mike(teams):
    return _user("mike", "manager", teams["east"])


@pytest.fixture
def alice(teams, mike):
    return _user("alice", "rep", teams["guangzhou"], mike)


@pytest.fixture
def bob(teams, mike):
    return _user("bob", "rep", teams["guangzhou"], mike)


@pytest.fixture
def charlie(teams):
    return _user("charlie", "rep", teams["west"])


@pytest.fixture
def nina(teams):
    return _user("nina", "analyst", teams["hq"])


@pytest.fixture
def alices_customer(alice):
    """王伟, a person owned by Alice."""
    return create_customer(
        alice,
        {
            "name": "王伟",
            "phone": "13800138000",
            "email": "wangwei@example.com",
            "id_number": "11010519491231002X",
            "city": "广州",
            "province": "广东",
        },
        tags=["VIP"],
    )


@pytest.fixture
def charlies_customer(charlie):
    """成都锦城贸易有限公司, a company owned by Charlie."""
    return create_customer(
        charlie,
        {
            "kind": "company",
            "name": "成都锦城贸易有限公司",
            "phone": "02887654321",
            "id_number": "91110000600037341L",
            "city": "成都",
            "province": "四川",
        },
    )


def login(client, user):
    client.force_login(user)
    return client
