"""A contact is found by its customer's name: the search text of every contact gets, after its
own words, its customer's name with its pinyin and initials (``search.contact_search_text``),
and the contacts' index its new layout (``contact_search_index``: the own words and the
customer's name apart, so that the contacts list lists the contacts whose own words match
first). "华为", "huawei" and "hw" now list the people at 华为.

Built fast for 300,000 contacts: the index is dropped first (no trigger runs per row) and
built again in one pass at the end, as 0027 built it; a contact's own words are kept as they
are (0027, 0033 and 0035 built them: no pinyin of them is computed again), and only the name
of each customer with contacts is spelt, once. The contacts are rewritten by customer, a chunk
of customers a transaction, with one statement on PostgreSQL and one prepared statement on
SQLite (``contact_search_index.write_customer_names``). The reverse takes the names out again
(one statement a range of ids) and builds the index again."""

from django.db import migrations, transaction

from guanxi.customers import contact_search_index
from guanxi.customers.search import CUSTOMER_MARK

CHUNK = 5000
#: The reverse's range of contact ids a statement.
ID_RANGE = 20000


def add_customer_names(apps, schema_editor):
    connection = schema_editor.connection
    contact_search_index.uninstall(connection)
    rebuild(apps, connection)
    contact_search_index.install(connection, concurrently=True)


def rebuild(apps, connection) -> None:
    """Every contact's search text with its customer's name: the customers with contacts read
    in id order a chunk at a time, each chunk's contacts rewritten in one transaction."""
    contacts = apps.get_model("customers", "Contact").objects.using(connection.alias)
    customers = apps.get_model("customers", "Customer").objects.using(connection.alias)
    customer_ids = contacts.order_by("customer_id").values_list("customer_id", flat=True)
    last = 0
    while True:
        chunk = list(customer_ids.filter(customer_id__gt=last).distinct()[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]
        names = dict(customers.filter(pk__in=chunk).values_list("pk", "name"))
        with transaction.atomic(using=connection.alias):
            contact_search_index.write_customer_names(names, connection)


def drop_customer_names(apps, schema_editor):
    connection = schema_editor.connection
    contact_search_index.uninstall(connection)
    unbuild(connection)
    contact_search_index.install(connection, concurrently=True)


def unbuild(connection) -> None:
    """Every contact's search text back to its own words (``search.own_words``)."""
    own = contact_search_index.own_sql("search_text", connection.vendor)
    find = "strpos" if connection.vendor == "postgresql" else "instr"
    marked = f"{find}(search_text, %s) > 0"
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM customers_contact")
        top = cursor.fetchone()[0]
    for low in range(0, top, ID_RANGE):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE customers_contact SET search_text = {own} "  # noqa: S608 - constant SQL, values bound
                f"WHERE id > %s AND id <= %s AND {marked}",
                [low, low + ID_RANGE, CUSTOMER_MARK],
            )


class Migration(migrations.Migration):
    # A chunk a transaction, and CREATE INDEX CONCURRENTLY cannot run inside one.
    atomic = False

    dependencies = [
        ("customers", "0035_phones_ascii_digits"),
    ]

    operations = [migrations.RunPython(add_customer_names, drop_customer_names)]
