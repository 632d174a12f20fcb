import datetime as dt
import zoneinfo

import pytest

from guanxi.customers.services import add_contact, create_customer

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """A moment in Shanghai time, e.g. at("2026-11-23 09:00")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def alices_company(alice):
    """广州华南电子有限公司, a company owned by Alice, with three contacts."""
    company = create_customer(alice, {"kind": "company", "name": "广州华南电子有限公司"})
    for name, title in (("张总", "总经理"), ("李工", "采购经理"), ("王秘书", "总经理秘书")):
        add_contact(alice, company, {"name": name, "title": title})
    return company


@pytest.fixture
def contacts(alices_company):
    return {c.name: c for c in alices_company.contacts.all()}
