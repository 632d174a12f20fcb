"""Money arithmetic for quote and order lines: Decimal, rounded half-up to cents.

Prices are tax-exclusive: a line's net amount is quantity × unit price less its discount, and
tax is charged on the net. Each amount is rounded once, where it is first computed, so the
document totals are exact sums of what the lines show.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to two decimals (0.005 → 0.01)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal  # quantity × unit price
    discount: Decimal
    tax: Decimal
    total: Decimal  # subtotal − discount + tax


def line_amounts(
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal = Decimal(0),
    tax_rate: Decimal = Decimal(0),
) -> LineAmounts:
    """The amounts of one line, each rounded to cents."""
    subtotal = cents(Decimal(quantity) * Decimal(unit_price))
    discount = cents(subtotal * Decimal(discount_percent) / HUNDRED)
    tax = cents((subtotal - discount) * Decimal(tax_rate) / HUNDRED)
    return LineAmounts(subtotal, discount, tax, subtotal - discount + tax)


def document_totals(lines: list[LineAmounts]) -> LineAmounts:
    """The totals of a quote or order: the sums of its lines."""
    zero = Decimal("0.00")
    return LineAmounts(
        sum((line.subtotal for line in lines), zero),
        sum((line.discount for line in lines), zero),
        sum((line.tax for line in lines), zero),
        sum((line.total for line in lines), zero),
    )
