"""查重 on create: the page and the API warn about customers with the same phone, e-mail or ID
number and create only once confirmed; what the user cannot see is named by its owner only."""

from guanxi.customers import pool
from guanxi.customers.models import Customer
from guanxi.customers.services import create_customer
from tests.conftest import login

JSON = "application/json"


def test_the_page_warns_and_creates_nothing_until_confirmed(client, bob, alices_customer):
    login(client, bob)

    response = client.post(
        "/customers/new/",
        {
            "kind": "person",
            "birthday_calendar": "solar",
            "name": "王先生",
            "phone": "138 0013 8000",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "A customer owned by Alice already has this phone number." in page
    assert "create it anyway" in page
    assert not Customer.objects.filter(name="王先生").exists()


def test_the_page_creates_once_confirmed(client, bob, alices_customer):
    login(client, bob)

    response = client.post(
        "/customers/new/",
        {
            "kind": "person",
            "birthday_calendar": "solar",
            "name": "王先生",
            "phone": "13800138000",
            "allow_duplicate": "1",
        },
    )

    assert response.status_code == 302
    assert Customer.objects.filter(name="王先生", owner=bob).exists()


def test_a_visible_match_is_named_and_a_pooled_one_offered_to_claim(
    client, mike, alice, teams, alices_customer
):
    pool.save_rule(mike, teams["east"], {"followup_days": 30})
    pool.release(alice, alices_customer.pk, "整理")
    login(client, alice)

    page = client.post(
        "/customers/new/",
        {
            "kind": "person",
            "birthday_calendar": "solar",
            "name": "王伟",
            "email": "WangWei@example.com",
        },
    ).content.decode()

    assert (
        f"王伟 (#{alices_customer.pk}) has this e-mail and is in the public pool: claim it instead."
        in page
    )


def test_the_api_answers_409_with_the_matches_then_creates_with_allow_duplicate(
    client, bob, alices_customer
):
    login(client, bob)

    refused = client.post(
        "/api/v1/customers",
        {"name": "王先生", "id_number": "11010519491231002X"},
        content_type=JSON,
    )
    created = client.post(
        "/api/v1/customers",
        {"name": "王先生", "id_number": "11010519491231002X", "allow_duplicate": True},
        content_type=JSON,
    )

    assert refused.status_code == 409
    assert refused.json()["errors"] == [
        {"field": "id_number", "message": "A customer owned by Alice already has this ID number."}
    ]
    assert created.status_code == 201


def test_no_match_creates_at_once(client, bob, alices_customer):
    login(client, bob)

    response = client.post(
        "/api/v1/customers", {"name": "新客户", "phone": "13912345678"}, content_type=JSON
    )

    assert response.status_code == 201


def _warnings(page: str) -> list[str]:
    """The lines of the page's duplicate warning."""
    box = page[page.index('id="duplicate-warning"') :]
    box = box[box.index("<ul") : box.index("</ul>")]
    return [li.split("</li>")[0] for li in box.split("<li>")[1:]]


def test_a_customer_matching_on_two_fields_is_one_line_naming_both(client, bob, alices_customer):
    login(client, bob)

    page = client.post(
        "/customers/new/",
        {
            "kind": "person",
            "birthday_calendar": "solar",
            "name": "王先生",
            "phone": "13800138000",
            "id_number": "11010519491231002X",
        },
    ).content.decode()

    assert _warnings(page) == [
        "A customer owned by Alice already has this phone number and ID number."
    ]


def test_the_api_names_each_field_a_customer_matches_on(client, bob, alices_customer):
    login(client, bob)

    refused = client.post(
        "/api/v1/customers",
        {"name": "王先生", "phone": "13800138000", "email": "wangwei@example.com"},
        content_type=JSON,
    )

    line = "A customer owned by Alice already has this phone number and e-mail."
    assert refused.json()["errors"] == [
        {"field": "phone", "message": line},
        {"field": "email", "message": line},
    ]


def test_each_matched_customer_is_a_line_of_its_own(client, bob, alice, alices_customer):
    other = create_customer(alice, {"name": "李娜", "email": "lina@example.com"})
    login(client, bob)

    page = client.post(
        "/customers/new/",
        {
            "kind": "person",
            "birthday_calendar": "solar",
            "name": "王先生",
            "phone": "13800138000",
            "email": other.email,
        },
    ).content.decode()

    assert _warnings(page) == [
        "A customer owned by Alice already has this phone number.",
        "A customer owned by Alice already has this e-mail.",
    ]
