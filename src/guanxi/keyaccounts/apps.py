from django.apps import AppConfig


class KeyAccountsConfig(AppConfig):
    name = "guanxi.keyaccounts"
    label = "keyaccounts"
    verbose_name = "Key accounts"
