from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_search_index(using, **kwargs):
    """A later migration that rebuilds the customer (or contact) table on SQLite drops the
    search index's triggers with it: put them back (and refill the index) after every
    migrate."""
    from django.db import connections

    from guanxi.customers import contact_search_index, search_index

    search_index.install(connections[using])
    contact_search_index.install(connections[using])


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self):
        post_migrate.connect(_ensure_search_index, sender=self)
