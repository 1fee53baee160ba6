"""Terms to and from a JSON object (the data contract's ``loans.terms`` column).

Amounts and rates are written as strings so they stay exact; on reading, JSON numbers are taken
as decimals too. Every problem raises ``ConfigError`` naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from microlend.errors import ConfigError
from microlend.ledger._terms import (
    DEFAULT_WATERFALL,
    Covenant,
    FixedInstalmentTerms,
    Frequency,
    Product,
    ShareOfSalesTerms,
    Terms,
    Waterfall,
    as_waterfall,
)

__all__ = ["terms_from_json", "terms_to_dict", "terms_to_json"]

_FIELDS = {
    Product.FIXED_INSTALMENT: {
        "product",
        "annual_rate",
        "count",
        "frequency",
        "fee_rate",
        "waterfall",
    },
    Product.SHARE_OF_SALES: {"product", "fee_rate", "holdback_rate", "covenant", "waterfall"},
}


def terms_to_json(terms: Terms) -> str:
    """The JSON object of ``terms``, with sorted keys (equal terms give equal text)."""
    return json.dumps(terms_to_dict(terms), sort_keys=True)


def terms_to_dict(terms: Terms) -> dict[str, Any]:
    """``terms`` as the JSON-ready object ``terms_to_json`` writes."""
    body: dict[str, Any] = {"product": terms.product.value, "fee_rate": str(terms.fee_rate)}
    body["waterfall"] = [c.value for c in terms.waterfall]
    if isinstance(terms, FixedInstalmentTerms):
        body |= {
            "annual_rate": str(terms.annual_rate),
            "count": terms.count,
            "frequency": terms.frequency.value,
        }
    else:
        body["holdback_rate"] = str(terms.holdback_rate)
        body["covenant"] = {
            "periods": terms.covenant.periods,
            "period_days": terms.covenant.period_days,
        }
    return body


# Terms are frozen values and a book holds many loans on the same few terms: parse each text once.
@lru_cache(maxsize=4096)
def terms_from_json(text: str, product: str | None = None) -> Terms:
    """Parse terms; ``product`` (the ``loans.product`` column), if given, must agree with the
    object's own ``product`` field, which may then be left out."""
    try:
        body = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ConfigError(f"terms: not JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(body, dict):
        raise ConfigError(f"terms: expected a JSON object, got {type(body).__name__}")
    try:
        return _terms(body, product)
    except ConfigError as error:
        # Every message starts with the field it concerns; the prefix says where that field is.
        raise ConfigError(f"terms.{error}") from None


def _terms(body: Mapping[str, Any], product: str | None) -> Terms:
    kind = _product(body, product)
    unknown = sorted(set(body) - _FIELDS[kind])
    if unknown:
        raise ConfigError(f"{unknown[0]}: not a field of {kind.value} terms")
    if kind is Product.FIXED_INSTALMENT:
        return FixedInstalmentTerms(
            annual_rate=_decimal(body, "annual_rate"),
            count=_integer(body, "count"),
            frequency=_frequency(body.get("frequency", Frequency.MONTHLY.value)),
            fee_rate=_decimal(body, "fee_rate", Decimal(0)),
            waterfall=_waterfall(body),
        )
    return ShareOfSalesTerms(
        fee_rate=_decimal(body, "fee_rate"),
        holdback_rate=_decimal(body, "holdback_rate"),
        covenant=_covenant(body.get("covenant", {})),
        waterfall=_waterfall(body),
    )


def _product(body: Mapping[str, Any], product: str | None) -> Product:
    named = body.get("product", product)
    if named is None:
        raise ConfigError("product: missing (and no product given)")
    if product is not None and named != product:
        raise ConfigError(f"product: {named!r} disagrees with the loan's product {product!r}")
    try:
        return Product(named)
    except ValueError:
        known = ", ".join(p.value for p in Product)
        raise ConfigError(f"product: {named!r} is not one of {known}") from None


def _decimal(body: Mapping[str, Any], field: str, default: Decimal | None = None) -> Decimal:
    value = body.get(field, default)
    if value is None:
        raise ConfigError(f"{field}: missing")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ConfigError(f"{field}: expected a decimal, got {value!r}")
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise ConfigError(f"{field}: not a decimal: {value!r}") from None
    if not number.is_finite():
        raise ConfigError(f"{field}: not a finite decimal: {value!r}")
    return number


def _integer(body: Mapping[str, Any], field: str, default: int | None = None) -> int:
    value = body.get(field, default)
    if value is None:
        raise ConfigError(f"{field}: missing")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{field}: expected a whole number, got {value!r}")
    return value


def _frequency(value: Any) -> Frequency:
    try:
        return Frequency(value)
    except ValueError:
        known = ", ".join(f.value for f in Frequency)
        raise ConfigError(f"frequency: {value!r} is not one of {known}") from None


def _covenant(value: Any) -> Covenant:
    if not isinstance(value, dict):
        raise ConfigError(f"covenant: expected an object, got {value!r}")
    unknown = sorted(set(value) - {"periods", "period_days"})
    if unknown:
        raise ConfigError(f"covenant.{unknown[0]}: not a field of a covenant")
    default = Covenant()
    try:
        return Covenant(
            periods=_integer(value, "periods", default.periods),
            period_days=_integer(value, "period_days", default.period_days),
        )
    except ConfigError as error:
        raise ConfigError(f"covenant.{error}") from None


def _waterfall(body: Mapping[str, Any]) -> Waterfall:
    order = body.get("waterfall", [c.value for c in DEFAULT_WATERFALL])
    if not isinstance(order, list) or not all(isinstance(name, str) for name in order):
        raise ConfigError(f"waterfall: expected a list of component names, got {order!r}")
    return as_waterfall(order)
