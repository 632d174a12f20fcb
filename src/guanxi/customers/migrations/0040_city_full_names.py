"""Customers' cities stored in their one form: a prefecture-level city or a municipality typed
without its 市 gets it (广州 → 广州市, 北京 → 北京市), a value typed with spaces around it is
trimmed (``place_names.city_name``, which the model's clean and the import's cleaner now
apply). Stored as typed, "广州" was found neither by the city filter "广州" nor by "广州市"
once some customer had "广州市" (the filter is an exact match on one spelling), and the
duplicate finder, which compares names within a city, never put it beside 广州市's.

One value at a time: the distinct cities are read once (the index of (city, -id) holds them),
and each that is not in its one form has its customers rewritten a chunk at a time, found
through that index, a chunk a transaction. Half of a million customers typed short (the
worst case measured: 300,000 广州, 100,000 上海, 100,000 "杭州 "): 22 s on SQLite, 30 s on
PostgreSQL, most of it the indexes' own updates; with nothing to rewrite, one read of the
distinct cities (0.2 s).
The search index follows by itself (SQLite's FTS table by its update trigger on city,
PostgreSQL's trigram index, which holds the column).

As 0035 did for phones, each customer changed gets a history row saying why, since the stored
value changed (the history shows 广州 → 广州市, "city name normalised"); unlike 0035 neither
its version nor its updated_at moves: a form open on the old value saves it back normalised
anyway, so refusing it as stale would only cost someone their edit, and a few hundred thousand
customers "updated" at once would bury the list sorted by last update. There is no reverse to
run: the short form was never a value anyone chose over the full one.
"""

from django.db import migrations, transaction
from django.utils import timezone

from guanxi.customers.place_names import city_name

REASON = "city name normalised"
CHUNK = 5000


def normalise_cities(apps, schema_editor) -> None:
    connection = schema_editor.connection
    customers = apps.get_model("customers", "Customer").objects.using(connection.alias)
    history = apps.get_model("customers", "HistoricalCustomer")
    record = _HistoryRows(connection, customers.model, history)
    now = timezone.now()
    stored = set(customers.order_by().values_list("city", flat=True).distinct())
    for city in sorted(stored):
        normal = city_name(city)
        if normal != city:
            _rewrite(connection, customers, record, city, normal, now)


def _rewrite(connection, customers, record, city: str, normal: str, now) -> None:
    """The customers in ``city`` moved to ``normal``, each with its history row, newest first
    (the index's order), a chunk a transaction. Each chunk is read from below the last one's
    ids: read from the start again, the index's entries of the rows already moved, dead until
    a vacuum, were walked again by every chunk (7 of 21 s for 300,000 on PostgreSQL); a last
    read from the start finds any written meanwhile by a process not yet updated."""
    in_city = customers.filter(city=city).order_by("-pk").values_list("pk", flat=True)
    bound = {"city": normal, "history_date": now, "history_change_reason": REASON}
    below = None
    while True:
        with transaction.atomic(using=connection.alias):
            chunk = in_city if below is None else in_city.filter(pk__lt=below)
            ids = list(chunk[:CHUNK])
            if not ids and below is None:
                return
            if not ids:
                below = None
                continue
            record.insert(ids, bound)
            customers.filter(pk__in=ids).update(city=normal)
            below = ids[-1]


class _HistoryRows:
    """One INSERT … SELECT of some customers' history rows ("~", no user), as they are but for
    the values ``insert`` is given (their new city, the history's date and reason)."""

    BOUND = ("city", "history_date", "history_change_reason")
    FIXED = {"history_type": "'~'", "history_user_id": "NULL"}

    def __init__(self, connection, customer, history):
        self.connection = connection
        quote = connection.ops.quote_name
        columns, values, self.order = [], [], []
        for field in history._meta.concrete_fields:
            if field.attname == "history_id":
                continue
            columns.append(quote(field.column))
            if field.attname in self.BOUND:
                values.append("%s")
                self.order.append(field.attname)
            elif field.attname in self.FIXED:
                values.append(self.FIXED[field.attname])
            else:
                values.append(quote(customer._meta.get_field(field.name).column))
        self.sql = (
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names from the models, values bound
            f"SELECT {', '.join(values)} FROM {quote(customer._meta.db_table)} "
            f"WHERE {quote(customer._meta.pk.column)} IN "
        )

    def insert(self, ids: list[int], bound: dict) -> None:
        marks = ", ".join(["%s"] * len(ids))
        with self.connection.cursor() as cursor:
            cursor.execute(f"{self.sql}({marks})", [*(bound[n] for n in self.order), *ids])


class Migration(migrations.Migration):
    # A chunk a transaction: a million customers are not rewritten in one.
    atomic = False

    dependencies = [
        ("customers", "0039_search_modern_readings"),
    ]

    operations = [migrations.RunPython(normalise_cities, migrations.RunPython.noop)]
