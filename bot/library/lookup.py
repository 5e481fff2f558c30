"""Finding a story or tag from what a person typed: ids, exact names, fuzzy matches."""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import fuzz, process, utils

AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 choices


def fuzzy_matches(
    query: str, names: Mapping[int, str], limit: int = AUTOCOMPLETE_LIMIT
) -> list[tuple[int, str]]:
    """The best (id, name) pairs for `query`; with an empty query, the first names A–Z."""
    if not query.strip():
        ordered = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
        return ordered[:limit]
    found = process.extract(
        query,
        names,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=60,
    )
    return [(key, name) for name, _score, key in found]


def exact_title(query: str, names: Mapping[int, str]) -> int | None:
    """The id whose name is exactly what was typed (case and spacing aside), else None.

    An id typed as text counts too (autocomplete sends the id). Never a fuzzy guess: a
    near miss must say "no story called …", not open another story."""
    text = query.strip()
    if text.isdigit() and int(text) in names:
        return int(text)
    folded = " ".join(text.split()).casefold()
    exact = [key for key, name in names.items() if " ".join(name.split()).casefold() == folded]
    return min(exact) if exact else None


def suggestions(query: str, names: Mapping[int, str], limit: int = 3) -> list[str]:
    """Up to `limit` nearest names, for "did you mean …?" lines."""
    found = process.extract(query, names, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=limit, score_cutoff=50)
    return list(dict.fromkeys(str(name) for name, _score, _key in found))


def suggestion(query: str, names: Mapping[int, str]) -> str | None:
    """The nearest name, for "did you mean …?" lines."""
    best = process.extractOne(
        query, names, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=50
    )
    return None if best is None else str(best[0])
