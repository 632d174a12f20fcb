"""The city a list's city filter asks for, as customers' records spell it.

Cities are stored as they were written (a form, the API, an import): most as the full name of
the prefecture-level city ("广州市", "上海市"), some without its "市". People filtering type the
short name ("广州", as the filter's placeholder suggests), sometimes with spaces. The filter stays
an exact match, which the index of (city, -id) answers for a city of any size; this module only
turns what was typed into the spelling the records use.
"""

from guanxi.customers.models import Customer

#: The suffix of a city's full name (广州 → 广州市).
CITY_SUFFIX = "市"
#: Customer.city's length: a longer filter matches no record.
_MAX_LENGTH = Customer._meta.get_field("city").max_length


def spellings(text: str) -> tuple[str, ...]:
    """The ways ``text`` (spaces already removed) may be stored, the full name first:
    "广州" → ("广州市", "广州"), "广州市" → ("广州市", "广州"). A lone "市" is only itself."""
    if text.endswith(CITY_SUFFIX):
        short = text[: -len(CITY_SUFFIX)]
        return (text, short) if short else (text,)
    return (text + CITY_SUFFIX, text)


def stored_city(raw: str | None) -> str:
    """The city the filter ``raw`` names, as records spell it: spaces dropped (inside too,
    full-width ones included), then the first of ``spellings`` that some customer (in the
    recycle bin too) has, probed through the index of (city, -id): one lookup when the full
    name is stored, two when only the short one is. A city no customer has comes back as its
    full name, which matches nothing (the list's empty state). Every reader of the filter
    (list page, API, export, export jobs, the pool) goes through this, via
    ``queries.customers_for`` / ``queries.customer_rows`` and ``pool.pool_for``."""
    text = "".join((raw or "").split())
    if not text:
        return ""
    forms = [form for form in spellings(text) if len(form) <= _MAX_LENGTH] or [text]
    if len(forms) == 1:
        return forms[0]
    for form in forms:
        if Customer.objects.filter(city=form).order_by().exists():
            return form
    return forms[0]
