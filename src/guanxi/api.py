"""The JSON API under /api/v1: one NinjaAPI, one router per domain, one error shape.

This is the one place routers are registered. A domain adds its router with
``api.add_router("/sales", sales_router)``; it inherits the authentication (bearer token or
session with CSRF) and the error handling below, and paginates with guanxi.core.pagination.
"""

from django.conf import settings
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from guanxi.accounts.api import router as accounts_router
from guanxi.accounts.services import LoginLocked, user_for_token
from guanxi.analytics.api import router as analytics_router
from guanxi.core.api import router as notifications_router
from guanxi.core.api_auth import BearerTokenAuth, CsrfSessionAuth
from guanxi.core.api_errors import add_error, install_error_handlers
from guanxi.core.etags import etag
from guanxi.customers.api import router as customers_router
from guanxi.customers.contact_api import router as contact_router
from guanxi.customers.contact_import_api import router as contact_import_router
from guanxi.customers.contact_list_api import router as contact_list_router
from guanxi.customers.merge_api import router as merge_router
from guanxi.customers.pool_api import customer_router as pool_customer_router
from guanxi.customers.pool_api import install_errors as install_pool_errors
from guanxi.customers.pool_api import router as pool_router
from guanxi.customers.services import StaleVersion
from guanxi.interactions.api import router as interactions_router
from guanxi.keyaccounts.api import router as keyaccounts_router
from guanxi.ops.access_log_api import router as access_log_router
from guanxi.ops.search_api import router as search_router
from guanxi.sales.api import router as sales_router
from guanxi.sales.api_routing import router as lead_routing_router
from guanxi.sales.order_import_api import router as order_import_router
from guanxi.sales.services import DuplicateFound

api = NinjaAPI(
    title="Guanxi API",
    version="1",
    description=(
        "The Guanxi CRM API. Authenticate with `Authorization: Bearer <token>` "
        "(POST /api/v1/auth/token) or a signed-in session (send X-CSRFToken on writes). "
        'Every error answers `{"detail": ..., "errors": [{"field": ..., "message": ...}]}`.'
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(user_for_token), CsrfSessionAuth()],
    docs=Swagger(),  # served from ninja's bundled static files: no CDN
)

install_error_handlers(api)
add_error(api, StaleVersion, 412, headers=lambda exc: {"ETag": etag(exc.current_version)})
add_error(
    api, LoginLocked, 429, headers=lambda exc: {"Retry-After": str(settings.LOGIN_LOCKOUT_SECONDS)}
)

api.add_router("/", accounts_router)
api.add_router("/customers", customers_router)
api.add_router("/customers", merge_router)
api.add_router("/customers", pool_customer_router)
api.add_router("/customers", contact_router)
api.add_router("/contacts", contact_import_router)
api.add_router("/contacts", contact_list_router)
api.add_router("/pool", pool_router)
install_pool_errors(api)
api.add_router("/", interactions_router)
api.add_router("/orders", order_import_router)
api.add_router("/", sales_router)
api.add_router("/", search_router)
api.add_router("/", lead_routing_router)
add_error(api, DuplicateFound, 409)
api.add_router("/analytics", analytics_router)
api.add_router("/", notifications_router)
api.add_router("/", keyaccounts_router)
api.add_router("/", access_log_router)
