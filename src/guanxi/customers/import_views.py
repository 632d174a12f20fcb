"""Pages for importing customers from CSV/XLSX and exporting a filtered list.

Thin: parse, call customers.imports / customers.exports, render.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse

from guanxi.customers import exports


@login_required
def export(request):
    """The customer list, filtered as on the list page, as CSV (streamed) or XLSX."""
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404
    filters = exports.filters_from(request.GET)
    queryset, _count = exports.start_export(request.user, filters, fmt, request=request)
    name = exports.filename(fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(request.user, queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    exports.write_xlsx(request.user, queryset, spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
