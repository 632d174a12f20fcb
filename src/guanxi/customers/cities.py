"""The city a list's city filter asks for, as customers' records spell it.

A customer's city is stored in one form (``place_names.city_name``: the model's ``clean``, the
import's cleaner and migration 0040 give it): a prefecture-level city or a municipality in full
("广州市", "上海市") however it was typed, anything else as typed, trimmed. People filtering
type the short name ("广州", as the filter's placeholder suggests), sometimes with spaces: the
filter reads it the same way, so "广州" and "广州市" ask for the same customers. The filter
stays an exact match, which the index of (city, -id) answers for a city of any size.
"""

from guanxi.customers.models import Customer
from guanxi.customers.place_names import CITY_SUFFIX, city_name, known_city

#: Customer.city's length: a longer filter matches no record.
_MAX_LENGTH = Customer._meta.get_field("city").max_length


def spellings(text: str) -> tuple[str, ...]:
    """The ways ``text`` (trimmed) may be stored, the full name first:
    "昆山" → ("昆山市", "昆山"), "昆山市" → ("昆山市", "昆山"). A lone "市" is only itself."""
    if text.endswith(CITY_SUFFIX):
        short = text[: -len(CITY_SUFFIX)]
        return (text, short) if short else (text,)
    return (text + CITY_SUFFIX, text)


def stored_city(raw: str | None) -> str:
    """The city the filter ``raw`` names, as records spell it: a prefecture-level city or a
    municipality in its one stored form, read without a query ("广州", " 广州市 " → "广州市").
    Any other name is stored as typed, which the suffix may not agree with (昆山 and 昆山市,
    both county-level): the first of its ``spellings`` that some customer (in the recycle bin
    too) has, probed through the index of (city, -id), else its full name, which matches
    nothing (the list's empty state). Every reader of the filter (list page, API, export,
    export jobs, the pool) goes through this, via ``queries.customers_for`` /
    ``queries.customer_rows`` and ``pool.pool_for``."""
    text = city_name(raw or "")
    if not text or known_city(text):
        return text
    forms = [form for form in spellings(text) if len(form) <= _MAX_LENGTH] or [text]
    if len(forms) == 1:
        return forms[0]
    for form in forms:
        if Customer.objects.filter(city=form).order_by().exists():
            return form
    return forms[0]
