"""Pinyin as Chinese is read today: pypinyin's table also held old or rare readings (方 wǎng,
fēng and páng; 王 yù), so "wang" found every 方 and "yu" every 王. The search text now spells a
character only in its modern readings (``core.pinyin_modern``: 1,870 characters), heteronyms
and surnames kept (曾 zeng / ceng, 单 shan). The customers and contacts whose name (or
employer, or customer's name) holds one of those characters are rebuilt here, as the services
build them; the others' texts are the same.

As 0033 and 0037: the rows are read in id order a chunk at a time and each chunk's changed texts
written in one statement on PostgreSQL (from arrays) and one prepared statement on SQLite; the
search indexes' triggers (SQLite's FTS5 tables: customers', contacts' and deals') and GIN
indexes (PostgreSQL) follow the writes. There is no reverse to run: the old readings are no
longer in the code that would spell them, and a text with fewer readings finds what it should.
"""

from django.db import migrations, transaction

from guanxi.core.pinyin_modern import READINGS
from guanxi.customers.search import contact_search_text
from guanxi.customers.services import search_text_for

CHUNK = 5000
_CHANGED = frozenset(READINGS)
_CUSTOMER_COLUMNS = ("pk", "kind", "name", "phone", "phone_alt", "email", "company_name")
_CONTACT_COLUMNS = ("pk", "name", "phone", "email", "wechat_id", "customer__name")


def _spelt_anew(*texts: str) -> bool:
    """Whether any of ``texts`` holds a character whose readings changed."""
    return any(not _CHANGED.isdisjoint(text) for text in texts if text)


def rebuild(apps, schema_editor) -> None:
    connection = schema_editor.connection
    rebuild_customers(apps, connection)
    rebuild_contacts(apps, connection)


def rebuild_customers(apps, connection) -> None:
    customers = apps.get_model("customers", "Customer").objects.using(connection.alias)
    rows = customers.order_by("pk").values_list(*_CUSTOMER_COLUMNS, "wechat_id", "search_text")
    _rewrite(connection, "customers_customer", rows, _customer_text)


def _customer_text(row) -> str | None:
    values = dict(zip((*_CUSTOMER_COLUMNS, "wechat_id"), row, strict=False))
    if not _spelt_anew(values["name"], values["company_name"]):
        return None
    return search_text_for(values)


def rebuild_contacts(apps, connection) -> None:
    contacts = apps.get_model("customers", "Contact").objects.using(connection.alias)
    rows = contacts.order_by("pk").values_list(*_CONTACT_COLUMNS, "search_text")
    _rewrite(connection, "customers_contact", rows, _contact_text)


def _contact_text(row) -> str | None:
    values = dict(zip(_CONTACT_COLUMNS, row, strict=False))
    customer_name = values.pop("customer__name") or ""
    if not _spelt_anew(values["name"], customer_name):
        return None
    return contact_search_text(values, customer_name)


def _rewrite(connection, table: str, rows, build) -> None:
    """Each row's text as ``build`` makes it (None: unchanged), written when it differs; in id
    order, a chunk a transaction."""
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1][0]
        changed = []
        for row in chunk:
            text = build(row)
            if text is not None and text != row[-1]:
                changed.append((text, row[0]))
        if changed:
            _write(connection, table, changed)


def _write(connection, table: str, changed: list[tuple[str, int]]) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} t SET search_text = v.text "  # noqa: S608 - constant table names
                "FROM unnest(%s::text[], %s::bigint[]) AS v(text, id) WHERE t.id = v.id",
                [[text for text, _id in changed], [pk for _text, pk in changed]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET search_text = %s WHERE id = %s",  # noqa: S608 - constant table names
                changed,
            )


class Migration(migrations.Migration):
    # A chunk a transaction: a million customers are not rewritten in one.
    atomic = False

    dependencies = [
        ("customers", "0038_source_social_media"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
