"""A list filtered by owner, tag, city or kind, newest first, read the fast ways (each way the
user sees customers on its own, a tag's customers through its links, a manager's team member by
member) gives exactly the rows of the plain filtered query: for every kind of user, filter,
page size and cursor, with a search or without."""

import pytest
from django.db import connection  # noqa: F401 - read by the skipif conditions

from guanxi.customers import queries, search_index
from guanxi.customers.models import Customer, Tag
from guanxi.customers.queries import customer_rows, customers_for, list_columns, newest_among
from guanxi.customers.services import create_customer, share_customer

WHO = ["alice", "bob", "charlie", "mike", "newcomer", "ada"]
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'")
CITIES = ["广州市", "上海市", "宁波市"]


@pytest.fixture
def labelled(world):
    """The world's customers (those in the recycle bin too) with a city, a kind and tags,
    spread so that each filter keeps some of each way's customers and not the newest ones."""
    vip = Tag.objects.create(name="VIP")
    fair = Tag.objects.create(name="展会2026")
    Tag.objects.create(name="nobody")
    links = []
    for i, customer in enumerate(world):
        Customer.objects.filter(pk=customer.pk).update(
            city=CITIES[i % 3], kind="company" if i % 4 == 0 else "person"
        )
        if i % 5 in (0, 2) and i < len(world) - 6:  # not on the newest
            links.append(Customer.tags.through(customer_id=customer.pk, tag_id=vip.pk))
        if i % 7 == 3:
            links.append(Customer.tags.through(customer_id=customer.pk, tag_id=fair.pk))
    Customer.tags.through.objects.bulk_create(links)
    return world


FILTERS = [
    {"city": "上海市"},
    {"kind": "company"},
    {"city": "宁波市", "kind": "company"},
    {"tag": "VIP"},
    {"tag": "VIP", "city": "广州市"},
    {"tag": "展会2026", "kind": "person"},
    {"tag": "nobody"},
    {"tag": "no such tag"},
    {"owner": "alice"},
    {"owner": "charlie", "city": "上海市"},
]


def _filters(request, filters: dict) -> dict:
    owner = filters.get("owner")
    if owner:
        return {**filters, "owner": request.getfixturevalue(owner).pk}
    return filters


def _pages_are_the_walks(user, walked: list[int], pages, **filters) -> None:
    """Each (limit, before) page of ``customer_rows`` holds the walk's rows below ``before``."""
    for limit, before in pages:
        rows = customer_rows(user, limit=limit, before=before, **filters)
        expected = [pk for pk in walked if before is None or pk < before][:limit]
        assert [c.pk for c in rows] == expected


def _walked(user, **filters) -> list[int]:
    """The plain filtered query's ids newest first: what every faster read must give."""
    return [c.pk for c in list_columns(customers_for(user, **filters)).order_by("-id")]


@pytest.fixture(params=["sees many", "sees few"])
def reach(request):
    """Each search test twice: the users seeing many customers (the index's ways) and seeing
    few (their own ways, ``queries.sees_few``)."""
    if request.param == "sees few":
        request.getfixturevalue("small_reach")
    return request.param


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "+".join(map(str, f.values())))
def test_a_filtered_page_holds_the_plain_querys_newest_rows(request, labelled, reach, who, filters):
    user = request.getfixturevalue(who)
    filters = _filters(request, filters)
    walked = _walked(user, **filters)

    _pages_are_the_walks(
        user, walked, ((2, None), (50, None), (3, labelled[25].pk), (50, labelled[9].pk)), **filters
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("filters", FILTERS[:7], ids=lambda f: "+".join(map(str, f.values())))
def test_a_filtered_page_by_number_holds_the_same_rows(request, labelled, who, filters):
    user = request.getfixturevalue(who)
    walked = _walked(user, **filters)

    rows = customer_rows(user, offset=3, limit=4, **filters)

    assert [c.pk for c in rows] == walked[3:7]


def test_the_filters_are_not_empty_for_the_tests_to_mean_something(labelled, alice, mike):
    assert len(_walked(alice, tag="VIP")) >= 5
    assert len(_walked(alice, city="上海市")) >= 5
    assert len(_walked(mike, kind="company")) >= 3
    assert _walked(alice, tag="nobody") == []
    assert all(_walked(alice, q=q, **filters) for filters, q in TAGGED_SEARCHES)


@pytest.fixture
def common(monkeypatch):
    """Every query is "common": too many match to pick them by id, with a filter or without,
    and the index's newest matches are not read."""
    monkeypatch.setattr(search_index, "MATCH_CAP", 1)
    monkeypatch.setattr(queries, "FILTERED_MATCH_CAP", 1)
    monkeypatch.setattr(search_index, "newest_matches", lambda *args, **kwargs: None)
    monkeypatch.setattr(queries, "COMMON_WINDOW", 5)  # PostgreSQL: past the newest too
    search_index.forget_common()


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("q", ["pool", "sh", "alice 2"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"city": "上海市"},
        {"kind": "person", "city": "广州市"},
        {"tag": "VIP"},
        {"owner": "alice"},
        {"owner": "charlie", "kind": "person"},
    ],
    ids=lambda f: "+".join(map(str, f.values())) or "none",
)
def test_a_common_query_in_a_filtered_list_finds_what_the_walk_finds(
    request, labelled, monkeypatch, common, reach, who, q, filters
):
    monkeypatch.setattr(queries, "SMALL_CITY", 0)  # a city is read way by way
    user = request.getfixturevalue(who)
    filters = _filters(request, filters)
    walked = _walked(user, q=q, **filters)

    _pages_are_the_walks(
        user, walked, ((3, None), (50, None), (4, labelled[30].pk)), q=q, **filters
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("q", ["pool", "alice", "al", "nobody at all"])
@pytest.mark.parametrize(
    "filters", [{}, {"city": "上海市"}, {"tag": "VIP"}, {"kind": "company"}, {"kind": "person"}]
)
def test_a_query_in_a_list_finds_what_the_walk_finds(request, labelled, reach, who, q, filters):
    user = request.getfixturevalue(who)
    walked = _walked(user, q=q, **filters)

    _pages_are_the_walks(
        user, walked, ((2, None), (50, None), (3, labelled[30].pk)), q=q, **filters
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("q", ["pool", "alice", "al", "nobody at all"])
def test_a_query_in_a_large_citys_list_finds_what_the_walk_finds(
    request, labelled, monkeypatch, reach, who, q
):
    monkeypatch.setattr(queries, "SMALL_CITY", 0)  # read from the index's side
    user = request.getfixturevalue(who)
    walked = _walked(user, q=q, city="上海市", kind="person")

    _pages_are_the_walks(
        user,
        walked,
        ((2, None), (50, None), (3, labelled[30].pk)),
        q=q,
        city="上海市",
        kind="person",
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("q", ["pool", "sh"])
def test_a_query_too_common_for_the_index_but_not_within_a_filter_is_picked_by_its_ids(
    request, labelled, monkeypatch, who, q
):
    monkeypatch.setattr(search_index, "MATCH_CAP", 1)  # common for the list without a filter
    monkeypatch.setattr(search_index, "newest_matches", lambda *args, **kwargs: None)
    monkeypatch.setattr(queries, "SMALL_CITY", 0)  # not read through the city's index

    def not_way_by_way(*args, **kwargs):
        raise AssertionError("read way by way")

    monkeypatch.setattr(queries, "_common_rows", not_way_by_way)
    user = request.getfixturevalue(who)
    walked = _walked(user, q=q, city="上海市")

    _pages_are_the_walks(
        user, walked, ((2, None), (50, None), (3, labelled[30].pk)), q=q, city="上海市"
    )


TAGS = [{"tag": "VIP"}, {"tag": "VIP", "city": "广州市"}, {"tag": "展会2026", "kind": "person"}]


@pytest.fixture
def common_unfiltered(monkeypatch):
    """Every query is too common to pick its matches by id in a list without a filter (and
    the index's newest matches are not read), not within a filter."""
    monkeypatch.setattr(search_index, "MATCH_CAP", 1)
    monkeypatch.setattr(search_index, "newest_matches", lambda *args, **kwargs: None)
    search_index.forget_common()


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("q", ["pool", "sh", "nobody at all"])
@pytest.mark.parametrize("filters", TAGS, ids=lambda f: "+".join(f.values()))
def test_a_query_in_a_tags_list_finds_what_the_walk_finds(
    request, labelled, common_unfiltered, who, q, filters
):
    user = request.getfixturevalue(who)
    walked = _walked(user, q=q, **filters)

    _pages_are_the_walks(
        user, walked, ((2, None), (50, None), (3, labelled[30].pk)), q=q, **filters
    )


#: A query that finds some of Alice's customers in each tag's list (checked by
#: test_the_filters_are_not_empty_for_the_tests_to_mean_something).
TAGGED_SEARCHES = [
    ({"tag": "VIP"}, "sh"),
    ({"tag": "VIP", "city": "广州市"}, "sh"),
    ({"tag": "展会2026", "kind": "person"}, "pool"),
]


@sqlite_only
@pytest.mark.parametrize(
    ("filters", "q"),
    TAGGED_SEARCHES,
    ids=lambda v: "+".join(v.values()) if isinstance(v, dict) else v,
)
def test_a_query_in_a_tags_list_is_picked_by_its_ids_not_tested_row_by_row(
    labelled, monkeypatch, common_unfiltered, alice, filters, q
):
    walked = _walked(alice, q=q, **filters)
    monkeypatch.setattr(queries, "_matching", _text_tested)

    assert [c.pk for c in customer_rows(alice, q=q, limit=50, **filters)] == walked


def _text_tested(*args, **kwargs):
    raise AssertionError("each row's text tested")


def _not_way_by_way(*args, **kwargs):
    raise AssertionError("read way by way")


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("q", ["pool", "sh"])
@pytest.mark.parametrize("filters", [{"city": "上海市"}, {"city": "宁波市", "kind": "company"}])
def test_a_common_query_in_a_small_citys_list_reads_the_citys_customers(
    request, labelled, monkeypatch, common, who, q, filters
):
    monkeypatch.setattr(queries, "_common_rows", _not_way_by_way)
    user = request.getfixturevalue(who)
    walked = _walked(user, q=q, **filters)

    _pages_are_the_walks(
        user, walked, ((2, None), (50, None), (3, labelled[30].pk)), q=q, **filters
    )


def test_a_city_of_at_most_the_small_city_customers_is_small(labelled, monkeypatch):
    in_shanghai = Customer.objects.filter(city="上海市").count()  # the bin's too
    monkeypatch.setattr(queries, "SMALL_CITY", in_shanghai)

    assert queries.small_city("上海市")
    queries.forget_reach()
    monkeypatch.setattr(queries, "SMALL_CITY", in_shanghai - 1)
    assert not queries.small_city("上海市")
    assert not queries.small_city("")  # no city filter


def test_whether_a_city_is_small_is_counted_once_a_minute(labelled, django_assert_num_queries):
    queries.small_city("上海市")

    with django_assert_num_queries(0):
        assert queries.small_city("上海市")


def test_a_list_of_another_teams_rep_reads_only_the_shares(labelled, mike, alice, charlie):
    reach = Customer.objects.all()
    assert reach.ways_seen(mike, shares=False, apart=True, owner=charlie.pk) == []
    assert reach.ways_seen(alice, shares=False, owner=charlie.pk) == []


def test_a_list_of_a_team_members_customers_reads_only_that_member(labelled, mike, alice):
    ways = Customer.objects.all().ways_seen(mike, shares=False, apart=True, owner=alice.pk)

    assert [way.children for way in ways] == [[("owner_id", alice.pk)]]


def test_a_reps_list_of_her_own_customers_reads_only_them(labelled, alice):
    ways = Customer.objects.all().ways_seen(alice, shares=False, owner=alice.pk)

    assert [way.children for way in ways] == [[("owner_id", alice.pk)]]


def test_a_user_who_sees_many_may_see_few_of_one_owner(labelled, monkeypatch, alice, charlie):
    monkeypatch.setattr(queries, "SMALL_REACH", 20)

    assert not queries.sees_few(alice)  # 24 customers
    assert queries.sees_few(alice, owner=charlie.pk)  # what charlie shared with her


def test_a_user_who_sees_few_customers_is_known_by_them(labelled, small_reach, alice, ada):
    assert queries.sees_few(alice)
    assert not queries.sees_few(ada)  # sees every customer: the index's ways


def test_a_user_who_sees_more_than_the_small_reach_does_not_see_few(
    labelled, monkeypatch, alice, newcomer
):
    monkeypatch.setattr(queries, "SMALL_REACH", 20)

    assert not queries.sees_few(alice)  # 24 customers
    assert queries.sees_few(newcomer)  # 16


def test_whether_a_user_sees_few_is_counted_once_a_minute(
    labelled, small_reach, alice, django_assert_num_queries
):
    queries.sees_few(alice)

    with django_assert_num_queries(0):
        assert queries.sees_few(alice)


@pytest.mark.parametrize("filters", [{"city": "上海市"}, {"tag": "VIP"}, {"kind": "company"}])
def test_a_large_team_is_read_as_one_way_with_the_same_rows(labelled, monkeypatch, mike, filters):
    walked = _walked(mike, **filters)
    monkeypatch.setattr("guanxi.customers.models.MEMBERS_APART", 1)

    assert [c.pk for c in customer_rows(mike, limit=50, **filters)] == walked


def test_a_managers_team_read_apart_is_one_way_per_member_but_himself(
    labelled, mike, alice, bob, newcomer
):
    ways = Customer.objects.all()._team_ways(mike, apart=True)

    assert {way.children[0] for way in ways} == {
        ("owner_id", alice.pk),
        ("owner_id", bob.pk),
        ("owner_id", newcomer.pk),
    }
    assert len(Customer.objects.all()._team_ways(mike)) == 1  # as one condition otherwise


def _tagged(tag: Tag):
    links = Customer.tags.through.objects.filter(tag=tag).order_by("-customer_id")
    return links.values_list("customer_id", flat=True)


def test_a_tags_newest_customers_are_found_past_many_newer_untagged_ones(alice, ada):
    old = [create_customer(alice, {"name": f"old {i}"}) for i in range(3)]
    for i in range(150):
        create_customer(alice, {"name": f"newer {i}"})
    vip = Tag.objects.create(name="VIP")
    for customer in old:
        customer.tags.add(vip)
    among = search_index.ids_among(Customer.objects.visible_to(ada))
    tagged = _tagged(vip)

    assert newest_among(tagged, "customer_id", among, 2) == [old[2].pk, old[1].pk]
    assert newest_among(tagged, "customer_id", among, 10) == [c.pk for c in reversed(old)]
    assert newest_among(tagged, "customer_id", among, 10, before=old[1].pk) == [old[0].pk]


def test_a_filters_customers_are_read_in_growing_batches_until_enough_are_seen(
    alice, bob, django_assert_max_num_queries
):
    vip = Tag.objects.create(name="VIP")
    mine = create_customer(alice, {"name": "mine"})
    mine.tags.add(vip)
    for i in range(300):  # newer, tagged, and not Alice's
        create_customer(bob, {"name": f"bob {i}"}).tags.add(vip)
    among = search_index.ids_among(Customer.objects.visible_to(alice))

    with django_assert_max_num_queries(8):  # batches of 64, 128, 256: not one per customer
        assert newest_among(_tagged(vip), "customer_id", among, 5) == [mine.pk]


def test_a_citys_newest_customers_are_read_through_its_index(alice, ada):
    mine = [create_customer(alice, {"name": f"宁波 {i}", "city": "宁波市"}) for i in range(3)]
    for i in range(100):
        create_customer(alice, {"name": f"上海 {i}", "city": "上海市"})
    in_city = Customer.objects.filter(city="宁波市").order_by("-id").values_list("id", flat=True)
    among = search_index.ids_among(Customer.objects.visible_to(ada))

    assert newest_among(in_city, "id", among, 2) == [mine[2].pk, mine[1].pk]


def test_a_customer_in_the_recycle_bin_is_not_in_a_tags_list(labelled, alice):
    deleted = Customer.objects.get(name="alice deleted")  # her own, the newest of hers
    deleted.tags.add(Tag.objects.get(name="VIP"))

    rows = customer_rows(alice, tag="VIP", limit=100)

    assert rows
    assert deleted.pk not in {c.pk for c in rows}


def test_the_api_filtered_by_tag_never_shows_another_reps_customers(client, alice, charlie):
    vip = Tag.objects.create(name="VIP")
    mine = create_customer(alice, {"name": "mine"})
    mine.tags.add(vip)
    for i in range(20):
        create_customer(charlie, {"name": f"charlie {i}"}).tags.add(vip)
    client.force_login(alice)

    page = client.get("/api/v1/customers?tag=VIP&limit=10").json()

    assert [row["id"] for row in page["items"]] == [mine.pk]


def test_filtering_by_another_reps_name_shows_only_what_he_shared(client, alice, charlie):
    hidden = create_customer(charlie, {"name": "hidden", "city": "上海市"})
    shared = create_customer(charlie, {"name": "shared", "city": "上海市"})
    share_customer(charlie, shared.pk, to_user=alice, level="read")
    client.force_login(alice)

    page = client.get(f"/api/v1/customers?owner={charlie.pk}&city=上海市").json()

    assert [row["id"] for row in page["items"]] == [shared.pk]
    assert client.get(f"/api/v1/customers/{hidden.pk}").status_code == 404


def test_the_list_page_filtered_by_tag_shows_only_what_the_rep_may_see(client, alice, charlie):
    vip = Tag.objects.create(name="VIP")
    create_customer(alice, {"name": "我的客户"}).tags.add(vip)
    create_customer(charlie, {"name": "别人的客户"}).tags.add(vip)
    client.force_login(alice)

    page = client.get("/customers/", {"tag": "VIP"}).content.decode()

    assert "我的客户" in page and "别人的客户" not in page
