import pytest

from microlend import errors
from microlend.errors import DataContractError, MicrolendError, Violation


def test_every_error_is_a_microlend_error_and_drawn_in_the_tree() -> None:
    tree = errors.__doc__ or ""
    for name in errors.__all__:
        cls = getattr(errors, name)
        if isinstance(cls, type) and issubclass(cls, Exception):
            assert issubclass(cls, MicrolendError)
            assert name in tree, f"{name} is missing from the error tree in errors.py"


def test_data_contract_error_shows_the_first_few_and_counts_the_rest() -> None:
    found = [Violation("reviews.csv", 1234 + i, "rating", "expected 1-5") for i in range(7)]
    exc = DataContractError(found, total=40)
    text = str(exc)
    assert "reviews.csv" in text
    assert "1234" in text
    assert "rating" in text
    assert "35 more violations" in text
    assert isinstance(exc, ValueError)
    assert exc.total == 40


def test_data_contract_error_needs_a_violation() -> None:
    with pytest.raises(ValueError, match="at least one"):
        DataContractError([])
