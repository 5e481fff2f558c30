"""Finding a story or tag from what a person typed: ids, exact names, fuzzy matches."""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import fuzz, process, utils

AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 choices
CONFIDENT_SCORE = 85.0


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


def resolve_name(query: str, names: Mapping[int, str]) -> int | None:
    """An id from what was typed: the id itself (autocomplete sends it), or a confident match."""
    text = query.strip()
    if text.isdigit() and int(text) in names:
        return int(text)
    folded = text.casefold()
    for key, name in names.items():
        if name.casefold() == folded:
            return key
    best = process.extractOne(
        text,
        names,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=CONFIDENT_SCORE,
    )
    return None if best is None else int(best[2])


def suggestion(query: str, names: Mapping[int, str]) -> str | None:
    """The nearest name, for "did you mean …?" lines."""
    best = process.extractOne(
        query, names, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=50
    )
    return None if best is None else str(best[0])
