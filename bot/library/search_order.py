"""The order of a search's answer, the same on every store backend.

A search ranks the newest SEARCH_RANKED stories matching it (bot/library/records.py). When
more matched, an older story whose title carries every word would be left out however well
it matches, and a title is what most people search for; so a search that had more matches
than it ranks also walks the newest stories matching in their titles, and those come first.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.library.records import SEARCH_RANKED

# What a search that had more matches than it ranks says of its answer (bot, command line).
NEWEST_ONLY_NOTE = (f"over {SEARCH_RANKED:,} stories match, so these are the best of the "
                    f"newest {SEARCH_RANKED:,}; another word narrows the search")

# A story's id and its score against the query, lower better (SQLite's bm25 is negative
# and lower for a better match; PostgreSQL's ts_rank is negated to agree).
Scored = tuple[int, float]


def best_first(ranked: Sequence[Scored], titled: Sequence[Scored] = (),
               limit: int = 25) -> list[int]:
    """Story ids best first: the title matches, then the other ranked stories, each part
    by score, the older of a tie first."""
    first = [story_id for story_id, _ in sorted(titled, key=_by_score)]
    seen = set(first)
    rest = [story_id for story_id, _ in sorted(ranked, key=_by_score) if story_id not in seen]
    return [*first, *rest][:limit]


def _by_score(row: Scored) -> tuple[float, int]:
    return row[1], row[0]
