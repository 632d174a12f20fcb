from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations on the whole system: serve, demo data, users and tokens from the command line."""

    name = "guanxi.ops"
    label = "ops"
    verbose_name = "Operations"
