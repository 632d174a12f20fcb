from django.urls import include, path

from guanxi.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("guanxi.accounts.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("customers/", include("guanxi.keyaccounts.urls")),
    path("", include("guanxi.interactions.urls")),
    path("sales/", include("guanxi.sales.urls")),
    path("search/", include("guanxi.ops.urls")),
    path("access-log/", include("guanxi.ops.access_log_urls")),
    path("public/", include("guanxi.sales.public_urls")),
    path("analytics/", include("guanxi.analytics.urls")),
    path("", include("guanxi.core.urls")),
]
