"""A person's given name becomes a word of its search text (``search.given_name``): a query
of one or two characters matches the start of a word, so 娜娜 had found neither 欧阳娜娜 nor
李娜娜. The search text of every person customer and every contact whose name has one is
rebuilt here, as the services build it; the rest are left as they are.

The rows are read in id order a chunk at a time and each chunk's changed texts written in one
statement on PostgreSQL (from arrays) and one prepared statement on SQLite, as 0027 did; the
search indexes' triggers (SQLite) and GIN indexes (PostgreSQL) follow the writes."""

from django.db import migrations, transaction
from django.db.models.functions import Length

from guanxi.customers.search import contact_search_text, given_name
from guanxi.customers.services import search_text_for

CHUNK = 5000
_CUSTOMER = ("pk", "kind", "name", "phone", "phone_alt", "email", "company_name", "wechat_id")
_CONTACT = ("pk", "name", "phone", "email", "wechat_id")


def rebuild(apps, schema_editor):
    connection = schema_editor.connection
    customers = apps.get_model("customers", "Customer").objects.using(connection.alias)
    contacts = apps.get_model("customers", "Contact").objects.using(connection.alias)
    # A given name needs a name of three or four characters (with spaces at most a few more).
    people = customers.filter(kind="person").annotate(n=Length("name")).filter(n__gte=3, n__lte=8)
    _rebuild(connection, "customers_customer", people, _CUSTOMER, search_text_for)
    named = contacts.annotate(n=Length("name")).filter(n__gte=3, n__lte=8)
    _rebuild(connection, "customers_contact", named, _CONTACT, contact_search_text)


def _rebuild(connection, table, rows, columns, build) -> None:
    rows = rows.order_by("pk").values_list(*columns, "search_text")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1][0]
        changed = []
        for row in chunk:
            values = dict(zip(columns, row, strict=False))
            if not given_name(values["name"]):
                continue
            text = build(values)
            if text != row[-1]:
                changed.append((text, row[0]))
        if changed:
            _write(connection, table, changed)


def _write(connection, table: str, changed: list[tuple[str, int]]) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} t SET search_text = v.text "  # noqa: S608 - constant names
                "FROM unnest(%s::text[], %s::bigint[]) AS v(text, id) WHERE t.id = v.id",
                [[text for text, _id in changed], [pk for _text, pk in changed]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET search_text = %s WHERE id = %s",  # noqa: S608 - constant names
                changed,
            )


class Migration(migrations.Migration):
    # A chunk a transaction: a million customers are not rewritten in one.
    atomic = False

    dependencies = [
        ("customers", "0032_removed_contact"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
