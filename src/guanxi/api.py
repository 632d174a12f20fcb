"""The JSON API under /api/v1: one NinjaAPI, one router per domain, one error shape."""

from ninja import NinjaAPI

api = NinjaAPI(title="Guanxi API", version="1", urls_namespace="api")
