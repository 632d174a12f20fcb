"""A company is found by its brand (字号): a query of one or two characters matches the start of
a word only, so 润东 had found neither 广州润东信息技术有限公司 nor the people it employs, whose
name starts with its city. The search text of a company's name, and of a person's employer,
now ends with the brand's words (``search.brand_words``: each pair of characters of the name
after its places, 润东 东信 信息 息技 技术, and the brand's start spelt, ru rd). Every company and every
customer with an employer is rebuilt here, as the services build it; those whose names start
with no place are left as they are.

As 0033: the rows are read in id order a chunk at a time and each chunk's changed texts written
in one statement on PostgreSQL (from arrays) and one prepared statement on SQLite; the search
indexes' triggers (SQLite: the customers' and the deals' FTS5 tables) and GIN indexes
(PostgreSQL) follow the writes. The reverse takes the brand words off the end of the texts
again (they come last, ``search.build_search_text``)."""

from django.db import migrations, transaction
from django.db.models import Q

from guanxi.customers.search import company_words
from guanxi.customers.services import search_text_for

CHUNK = 5000
_COLUMNS = ("pk", "kind", "name", "phone", "phone_alt", "email", "company_name", "wechat_id")


def _brands(values) -> list[str]:
    return company_words(values["name"], values["company_name"], person=values["kind"] == "person")


def with_brands(values, text: str) -> str:
    """The search text of a customer with these ``values`` (``_COLUMNS``), brand words and
    all (``search_text_for``)."""
    return search_text_for(values)


def without_brands(values, text: str) -> str:
    """``text`` without the brand words at its end that ``values`` give: as it was before.
    (A brand word the text held already stays where it was, and so is kept.)"""
    brands = set(_brands(values))
    words = text.split()
    while words and words[-1] in brands:
        words.pop()
    return " ".join(words)


def add_brands(apps, schema_editor):
    rebuild(apps, schema_editor.connection, with_brands)


def drop_brands(apps, schema_editor):
    rebuild(apps, schema_editor.connection, without_brands)


def rebuild(apps, connection, build) -> None:
    """Every company's and employed customer's search text as ``build`` makes it from its
    values and its text, if it has brand words; in id order, a chunk a transaction."""
    customers = apps.get_model("customers", "Customer").objects.using(connection.alias)
    rows = customers.filter(Q(kind="company") | ~Q(company_name=""))
    rows = rows.order_by("pk").values_list(*_COLUMNS, "search_text")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1][0]
        changed = []
        for row in chunk:
            values = dict(zip(_COLUMNS, row, strict=False))
            if not _brands(values):
                continue
            text = build(values, row[-1])
            if text != row[-1]:
                changed.append((text, row[0]))
        if changed:
            _write(connection, changed)


def _write(connection, changed: list[tuple[str, int]]) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE customers_customer t SET search_text = v.text "
                "FROM unnest(%s::text[], %s::bigint[]) AS v(text, id) WHERE t.id = v.id",
                [[text for text, _id in changed], [pk for _text, pk in changed]],
            )
        else:
            cursor.executemany(
                "UPDATE customers_customer SET search_text = %s WHERE id = %s", changed
            )


class Migration(migrations.Migration):
    # A chunk a transaction: a million customers are not rewritten in one.
    atomic = False

    dependencies = [
        ("customers", "0036_contact_search_customer_name"),
    ]

    operations = [migrations.RunPython(add_brands, drop_brands)]
