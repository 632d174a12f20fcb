"""The columns of an order import's file that nothing is imported from: its headers naming no
order column, in the file's order (``customers.import_columns`` for customers and contacts,
whose jobs keep their mapping; an order import matches its columns from the headers)."""

from guanxi.customers import import_columns
from guanxi.customers.models_import import ImportJob
from guanxi.sales import order_imports


def ignored_columns(job: ImportJob) -> list[str]:
    """The order file's headers that ``order_imports.map_columns`` matches to no column."""
    headers = import_columns.file_headers(job, order_imports.read_orders_table)
    try:
        matched = order_imports.map_columns(headers)
    except order_imports.OrderImportError:  # the job was checked to have them: a changed file
        return []
    return import_columns.unmatched(headers, [headers[i] for i in matched.values()])
