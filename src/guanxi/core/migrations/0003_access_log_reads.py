"""The access log becomes readable (a page, the API, ``guanxi access-log``): an index for each
way it is read newest first — one user's entries (a manager's team is read member by member),
an action's, one user's of an action — and labels for the actions written since (merge,
unmerge) and for ``via``.

The single-column index of ``user_id`` goes: (user, at) answers every read it did (and the
user's deletion setting it to NULL), and each index is paid for by every view written.

Only the indexes change: the table, tens of millions of rows in a large company, is not rebuilt
(Django copies a table on SQLite to alter a field's ``db_index``). On PostgreSQL the indexes are
built concurrently, so the log keeps being written while they are."""

from django.conf import settings
from django.db import migrations, models

TABLE = "core_accesslog"
INDEXES = {
    "accesslog_user_at": ("user_id", "at", "id"),
    "accesslog_action_at": ("action", "at", "id"),
    "accesslog_user_action_at": ("user_id", "action", "at", "id"),
}


def _user_id_indexes(schema_editor) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == ["user_id"]
    ]


def _mode(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def forward(apps, schema_editor):
    quote, mode = schema_editor.quote_name, _mode(schema_editor)
    for name, columns in INDEXES.items():
        # A concurrent build that was interrupted leaves an invalid index of that name behind.
        schema_editor.execute(f"DROP INDEX {mode}IF EXISTS {quote(name)}")
        schema_editor.execute(
            f"CREATE INDEX {mode}{quote(name)} ON {quote(TABLE)} "
            f"({', '.join(quote(c) for c in columns)})"
        )
    for name in _user_id_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {mode}IF EXISTS {quote(name)}")


def backward(apps, schema_editor):
    """Django's own index of ``user_id`` again, named as ``db_index`` names it."""
    quote, mode = schema_editor.quote_name, _mode(schema_editor)
    name = schema_editor._create_index_name(TABLE, ["user_id"], suffix="")
    schema_editor.execute(
        f"CREATE INDEX {mode}IF NOT EXISTS {quote(name)} ON {quote(TABLE)} ({quote('user_id')})"
    )
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {mode}IF EXISTS {quote(name)}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("core", "0002_notification_preferences"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="action",
                    field=models.CharField(
                        choices=[
                            ("view", "viewed"),
                            ("reveal", "revealed"),
                            ("export", "exported"),
                            ("merge", "merged"),
                            ("unmerge", "undid a merge"),
                        ],
                        max_length=16,
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="via",
                    field=models.CharField(
                        choices=[("web", "web"), ("api", "API"), ("cli", "command line")],
                        default="web",
                        max_length=8,
                    ),
                ),
                migrations.AddIndex(
                    model_name="accesslog",
                    index=models.Index(fields=["user", "at", "id"], name="accesslog_user_at"),
                ),
                migrations.AddIndex(
                    model_name="accesslog",
                    index=models.Index(fields=["action", "at", "id"], name="accesslog_action_at"),
                ),
                migrations.AddIndex(
                    model_name="accesslog",
                    index=models.Index(
                        fields=["user", "action", "at", "id"], name="accesslog_user_action_at"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
