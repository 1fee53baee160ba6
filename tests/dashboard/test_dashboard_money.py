"""Every amount a page shows goes through one formatter: the currency's places, thousands
separated, the currency's code (a JPY amount once showed two places, a KWD one lost its third)."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

from microlend.dashboard._context import _ENV


def test_pages_format_money_with_the_currencys_places() -> None:
    page = _ENV.from_string(
        "{{ a | money('JPY') }}; {{ b | money('KWD') }}; {{ c | money('USD', code=False) }}"
    )
    shown = page.render(a=Decimal(1234567), b=Decimal("1234.5"), c=Decimal("-0.5"))
    assert shown == "1,234,567 JPY; 1,234.500 KWD; -0.50"


def test_no_template_formats_money_by_itself() -> None:
    folder = resources.files("microlend.dashboard").joinpath("templates")
    for template in folder.iterdir():
        text = template.read_text("utf-8")
        # Percentages have their own "%.2f"; money had "{:,.2f}".format(...).
        assert '"{:' not in text, template.name
