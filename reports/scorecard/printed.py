"""The scorecard on paper: the print page as HTML, and as a PDF through the return's own
WeasyPrint path (same A4 styles, same fetcher that reads nothing but our static folder)."""

from django.template.loader import render_to_string

from reports.exports.printed import _static_base, _static_only_fetcher


def scorecard_print_html(*, context: dict, request=None) -> str:
    return render_to_string("reports/scorecard/print.html", context, request=request)


def scorecard_pdf(*, context: dict) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which no other page needs.
    from weasyprint import HTML

    html = scorecard_print_html(context=context)
    base_url = _static_base().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_static_only_fetcher()).write_pdf()
