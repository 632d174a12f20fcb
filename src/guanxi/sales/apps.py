from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(using, **kwargs):
    """A later migration that rebuilds the opportunity or customer table on SQLite drops the
    opportunity search index's triggers with it: put them back (and refill the index)."""
    from django.db import connections

    from guanxi.sales import search_index

    search_index.install(connections[using])


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self):
        post_migrate.connect(_ensure_search_index, sender=self)
