from django.urls import path

from guanxi.sales import (
    views,
    views_documents,
    views_leads,
    views_order_import,
    views_prices,
    views_reports,
    views_routing,
)

app_name = "sales"
urlpatterns = [
    # opportunities
    path("", views.board, name="home"),
    path("opportunities/board/", views.board, name="board"),
    path("opportunities/board/column/<int:stage_id>/", views.board_column, name="board_column"),
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("customer-options/", views.customer_options, name="customer_options"),
    path("customers/<int:pk>/value/", views.customer_value_panel, name="customer_value"),
    path("customers/<int:pk>/tab/<slug:tab>/", views.customer_tab, name="customer_tab"),
    # leads
    path("leads/", views_leads.lead_list, name="leads"),
    path("leads/new/", views_leads.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views_leads.lead_detail, name="lead"),
    path("leads/<int:pk>/status/", views_leads.lead_status, name="lead_status"),
    path("leads/<int:pk>/convert/", views_leads.lead_convert, name="lead_convert"),
    path("leads/<int:pk>/reveal/<slug:field>/", views_routing.lead_reveal, name="lead_reveal"),
    path("leads/rules/", views_routing.rule_list, name="lead_rules"),
    path("leads/rules/new/", views_routing.rule_create, name="lead_rule_create"),
    path("leads/rules/<int:pk>/", views_routing.rule_edit, name="lead_rule_edit"),
    path("leads/rules/<int:pk>/delete/", views_routing.rule_delete, name="lead_rule_delete"),
    path("leads/forms/", views_routing.form_list, name="lead_forms"),
    path("leads/forms/new/", views_routing.form_create, name="lead_form_create"),
    path("leads/forms/<int:pk>/", views_routing.form_edit, name="lead_form_edit"),
    path("leads/forms/<int:pk>/rotate/", views_routing.form_rotate, name="lead_form_rotate"),
    # reports
    path("funnel/", views_reports.funnel_page, name="funnel"),
    path("forecast/", views_reports.forecast_page, name="forecast"),
    # products, orders, quotes
    path("products/", views_documents.product_list, name="products"),
    path("products/new/", views_documents.product_create, name="product_create"),
    path("products/<int:pk>/edit/", views_documents.product_edit, name="product_edit"),
    path("price/", views_documents.price, name="price"),
    path("price-lists/", views_prices.price_list_list, name="price_lists"),
    path("price-lists/new/", views_prices.price_list_create, name="price_list_create"),
    path("price-lists/<int:pk>/edit/", views_prices.price_list_edit, name="price_list_edit"),
    path("orders/", views_documents.order_list, name="orders"),
    path("orders/new/", views_documents.order_create, name="order_create"),
    path("orders/import/", views_order_import.order_import, name="order_import"),
    path("orders/import/<int:pk>/", views_order_import.order_import_job, name="order_import_job"),
    path(
        "orders/import/<int:pk>/run/", views_order_import.order_import_run, name="order_import_run"
    ),
    path(
        "orders/import/<int:pk>/discard/",
        views_order_import.order_import_discard,
        name="order_import_discard",
    ),
    path(
        "orders/import/<int:pk>/report.csv",
        views_order_import.order_import_report,
        name="order_import_report",
    ),
    path("orders/<int:pk>/", views_documents.order_detail, name="order"),
    path("orders/<int:pk>/edit/", views_documents.order_edit, name="order_edit"),
    path("orders/<int:pk>/status/", views_documents.order_status, name="order_status"),
    path("quotes/", views_documents.quote_list, name="quotes"),
    path("quotes/new/", views_documents.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", views_documents.quote_detail, name="quote"),
    path("quotes/<int:pk>/print/", views_documents.quote_print, name="quote_print"),
    path("quotes/<int:pk>/status/", views_documents.quote_status, name="quote_status"),
    path("quotes/<int:pk>/convert/", views_documents.quote_convert, name="quote_convert"),
]
