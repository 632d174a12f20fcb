"""A Chinese name typed with spaces between its characters ("王 伟", as office sheets pad a
two-character name) is stored as one word, on every path: the form's and the API's model
checks and the import's bulk cleaner."""

import pytest

from guanxi.core.fields import closed_up
from guanxi.customers import imports
from guanxi.customers.models import Contact, Customer
from guanxi.customers.services import add_contact, create_customer


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("王 伟", "王伟"),
        ("王\u3000伟", "王伟"),
        ("欧阳  娜娜", "欧阳娜娜"),
        ("阿卜杜拉·艾 山", "阿卜杜拉·艾山"),
        ("Wang Wei", "Wang Wei"),
        ("John  Smith", "John Smith"),
        ("John\u3000Smith", "John Smith"),
        ("王 Wei", "王 Wei"),
        ("广州润东 Ltd", "广州润东 Ltd"),
        ("王伟", "王伟"),
    ],
)
def test_only_an_all_chinese_name_is_closed_up(typed, stored):
    assert closed_up(typed) == stored


@pytest.mark.django_db
def test_a_customer_created_with_a_spaced_name_is_stored_closed_up(alice):
    customer = create_customer(alice, {"name": "王　伟"})

    assert Customer.objects.get(pk=customer.pk).name == "王伟"


@pytest.mark.django_db
def test_a_contact_with_a_spaced_name_is_stored_closed_up(alice, alices_customer):
    add_contact(alice, alices_customer.pk, {"name": "李 娜"})

    assert Contact.objects.get().name == "李娜"


@pytest.mark.django_db
def test_an_imported_spaced_name_is_closed_up_and_a_duplicate_of_the_same_name(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,公司\n王 伟,华信\n王伟,华信\n", encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice)

    imports.process(job)

    assert list(Customer.objects.values_list("name", flat=True)) == ["王伟"]
    assert (job.imported, job.skipped) == (1, 1)
