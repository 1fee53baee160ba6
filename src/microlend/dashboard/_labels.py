"""Names people read instead of the code's names: a feature's label from the catalog, a decline
reason's from its rule or feature (the pages' filters, legends and tables all use these)."""

from __future__ import annotations

from functools import cache

from microlend.features import CATALOG

__all__ = ["feature_label", "reason_label"]

#: A label longer than this is cut at its first clause (the catalog's meanings explain at
#: length what a column header cannot hold).
_LONG = 48


def _first_clause(text: str) -> str:
    """``text`` up to its first comma or semicolon outside brackets."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char in ",;":
            return text[:index]
    return text


def _own_words(meaning: str, plain: dict[str, str]) -> str:
    """``meaning`` with the names of other features in it (a peer percentile's "of
    gmv_growth_90d") replaced by their meanings: a label never shows a code's name."""
    return " ".join(plain.get(word, word) for word in meaning.split(" "))


@cache
def _labels() -> dict[str, str]:
    found = {}
    plain = {spec.name: _first_clause(spec.meaning.strip().rstrip(".")) for spec in CATALOG}
    for spec in CATALOG:
        meaning = _own_words(spec.meaning.strip().rstrip("."), plain)
        if len(meaning) > _LONG:
            meaning = _first_clause(meaning)
        if len(meaning) > _LONG and meaning.endswith(")") and " (" in meaning:
            meaning = meaning[: meaning.rindex(" (")]
        found[spec.name] = meaning[:1].upper() + meaning[1:]
    return found


def feature_label(name: str) -> str:
    """The catalog's meaning of feature ``name``, capitalised and cut to its first clause when
    long (``gmv_30d``: "Sales (GMV, not cancelled) over the last 30 days"); a name the catalog
    does not hold is shown as written, underscores as spaces."""
    return _labels().get(name) or name.replace("_", " ")


def reason_label(code: str) -> str:
    """A decision reason's code for people: a score reason's feature label, else its rule's
    code in words (``score_below_minimum``: "Score below minimum")."""
    if code in _labels():
        return _labels()[code]
    words = code.replace("_", " ")
    return words[:1].upper() + words[1:]
