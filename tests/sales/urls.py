"""A test-only URLconf mounting the sales router on an API built like guanxi.api's (same
authentication and error handlers), so these tests need no change to the project API."""

from django.urls import path
from ninja import NinjaAPI

from guanxi.accounts.services import user_for_token
from guanxi.core.api_auth import BearerTokenAuth, CsrfSessionAuth
from guanxi.core.api_errors import add_error, install_error_handlers
from guanxi.customers.services import StaleVersion
from guanxi.sales.api import register

api = NinjaAPI(
    urls_namespace="sales-test", auth=[BearerTokenAuth(user_for_token), CsrfSessionAuth()]
)
install_error_handlers(api)
add_error(api, StaleVersion, 412)
register(api)

urlpatterns = [path("api/v1/", api.urls)]
