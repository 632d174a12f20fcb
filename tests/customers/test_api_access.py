"""Who may do what to which customer through the API: persona × record × endpoint.

Records, as seen from Alice (a rep in Guangzhou):
- own: Alice's customer
- teammate: Bob's, not shared (reps see only their own and what is shared)
- other_team: Charlie's (Sales West), not shared
- shared_read: Bob's, shared with Alice to read
- shared_edit: Charlie's, shared with Alice to edit
A record someone may not see is a 404 on every route; seen but not changeable is a 403.
"""

import pytest

from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

RECORDS = ["own", "teammate", "other_team", "shared_read", "shared_edit"]
ENDPOINTS = ["get", "history", "reveal", "follow", "patch", "delete", "share", "transfer"]
HIDDEN = dict.fromkeys(ENDPOINTS, 404)
ALL_OK = dict.fromkeys(ENDPOINTS, 200)
READ_ONLY = {
    "get": 200,
    "history": 200,
    "reveal": 200,
    "follow": 200,
    "patch": 403,
    "delete": 403,
    "share": 403,
    "transfer": 403,
}

EXPECTED = {
    "alice": {
        "own": ALL_OK,
        "teammate": HIDDEN,
        "other_team": HIDDEN,
        "shared_read": READ_ONLY,
        "shared_edit": {**READ_ONLY, "patch": 200},
    },
    "mike": {  # manager of Sales East ⊃ Guangzhou
        "own": ALL_OK,
        "teammate": ALL_OK,
        "other_team": HIDDEN,
        "shared_read": ALL_OK,
        "shared_edit": HIDDEN,
    },
    # The analyst reads everything and changes nothing; following only subscribes her to
    # notifications (customers.services.follow_customer allows every reader), and revealing
    # masked values is not for her role.
    "nina": dict.fromkeys(RECORDS, {**READ_ONLY, "reveal": 403}),
    "ada": dict.fromkeys(RECORDS, ALL_OK),
}

CASES = [
    (persona, record, endpoint, EXPECTED[persona][record][endpoint])
    for persona in EXPECTED
    for record in RECORDS
    for endpoint in ENDPOINTS
]


@pytest.fixture
def records(alice, bob, charlie):
    def make(owner, name):
        return create_customer(owner, {"name": name, "phone": "13800138000"})

    shared_read = make(bob, "共享只读")
    share_customer(bob, shared_read.pk, to_user=alice, level="read")
    shared_edit = make(charlie, "共享可改")
    share_customer(charlie, shared_edit.pk, to_user=alice, level="edit")
    return {
        "own": make(alice, "自己的"),
        "teammate": make(bob, "同事的"),
        "other_team": make(charlie, "别组的"),
        "shared_read": shared_read,
        "shared_edit": shared_edit,
    }


def _call(client, endpoint, customer, *, alice, bob, nina):
    url = f"/api/v1/customers/{customer.pk}"
    json = "application/json"
    if endpoint == "get":
        return client.get(url)
    if endpoint == "history":
        return client.get(f"{url}/history")
    if endpoint == "reveal":
        return client.post(f"{url}/reveal", {"field": "phone"}, content_type=json)
    if endpoint == "follow":
        return client.post(f"{url}/follow")
    if endpoint == "patch":
        return client.patch(url, {"city": "佛山"}, content_type=json)
    if endpoint == "delete":
        response = client.delete(url)
        response.status_code = 200 if response.status_code == 204 else response.status_code
        return response
    if endpoint == "share":
        response = client.post(
            f"{url}/share", {"user": nina.pk, "level": "read"}, content_type=json
        )
        response.status_code = 200 if response.status_code == 201 else response.status_code
        return response
    if endpoint == "transfer":
        to_user = alice if customer.owner_id == bob.pk else bob
        return client.post(f"{url}/transfer", {"to_user": to_user.pk}, content_type=json)
    raise AssertionError(endpoint)


@pytest.mark.parametrize(
    ("persona", "record", "endpoint", "status"),
    CASES,
    ids=[f"{p}-{r}-{e}" for p, r, e, _s in CASES],
)
def test_access_matrix(
    request, client, records, persona, record, endpoint, status, alice, bob, nina, mike, ada
):
    login(client, request.getfixturevalue(persona))

    response = _call(client, endpoint, records[record], alice=alice, bob=bob, nina=nina)

    assert response.status_code == status, response.content
    if status >= 400:
        assert set(response.json()) == {"detail", "errors"}


def test_rep_cannot_open_another_reps_customer(client, alice, records):
    login(client, alice)

    response = client.get(f"/api/v1/customers/{records['teammate'].pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_analyst_cannot_create_customers(client, nina):
    login(client, nina)

    response = client.post("/api/v1/customers", {"name": "李娜"}, content_type="application/json")

    assert response.status_code == 403


def test_analyst_cannot_transfer_in_bulk(client, nina, alice, bob, records):
    login(client, nina)

    response = client.post(
        "/api/v1/customers/transfer",
        {"from_user": alice.pk, "to_user": bob.pk},
        content_type="application/json",
    )

    assert response.status_code == 403


def test_rep_cannot_unshare_a_customer_shared_with_her(client, alice, bob, records):
    share_id = records["shared_read"].shares.get().pk
    login(client, alice)

    response = client.delete(f"/api/v1/customers/{records['shared_read'].pk}/share/{share_id}")

    assert response.status_code == 403
