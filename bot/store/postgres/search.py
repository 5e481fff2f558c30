"""Full-text search documents and queries, built from words the store normalises itself,
and a search's walk.

SQLite's FTS5 (unicode61, remove_diacritics 2) splits text at every character that is not a
letter or digit, folds case and strips accents. PostgreSQL's parser would instead keep
"Keeper/Sea" as a file path and "soulmate-au" as a compound, and its `unaccent` is an extension
a plain server may lack; so both the documents and the queries are reduced here to plain,
accent-free, lower-case words and PostgreSQL only ever sees those (the 'simple' config).
Every query word must match as a prefix, as in the SQLite store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import asyncpg

from bot.library.models import PARAGRAPH_SEPARATOR
from bot.library.records import SEARCH_RANKED, SHORTEST_PREFIX, SearchHits, StoryFilter
from bot.library.search_order import Scored, best_first
from bot.library.search_rank import plain_words as words_of
from bot.library.visibility import Visibility
from bot.store.postgres.story_sql import Params, filter_clauses, visibility_clause

# ts_rank takes one weight per label in the order {D, C, B, A}: text 0.1, summary 0.4, tags
# 0.6, title 1.0; the SQLite store scores with the same weights (bot/library/search_rank.py).
RANK_WEIGHTS = "{0.1, 0.4, 0.6, 1.0}"

# PostgreSQL drops lexemes longer than this (with a notice); so do we, quietly.
_LONGEST_WORD = 500


def plain_words(text: str) -> list[str]:
    """The text's words (bot/library/search_rank.py), those PostgreSQL keeps."""
    return [word for word in words_of(text) if len(word) <= _LONGEST_WORD]


def document_parts(title: str, summary: str, tags: Iterable[str],
                   chapters: Sequence[str]) -> tuple[str, str, str, str]:
    """The four weighted fields (title, tags, summary, text) as space-separated words."""
    return (
        " ".join(plain_words(title)),
        " ".join(plain_words(" · ".join(tags))),
        " ".join(plain_words(summary)),
        " ".join(plain_words(PARAGRAPH_SEPARATOR.join(chapters))),
    )


DOCUMENT_SQL = ("setweight(to_tsvector('simple', $2), 'A') || "
                "setweight(to_tsvector('simple', $3), 'B') || "
                "setweight(to_tsvector('simple', $4), 'C') || "
                "setweight(to_tsvector('simple', $5), 'D')")
# The title's words alone (story_search.title_document), weighted as in the document.
TITLE_DOCUMENT_SQL = "setweight(to_tsvector('simple', $2), 'A')"


def prefix_query(query: str) -> str | None:
    """A tsquery text in which every word of `query` must match, as a prefix when it is
    SHORTEST_PREFIX long; None when the query has no words (it then finds nothing, as in
    the SQLite store)."""
    terms = [t for t in re.findall(r"\w+", query) if t]
    words = [word for term in terms for word in plain_words(term)]
    if not words:
        return None
    return " & ".join(f"'{word}':*" if len(word) >= SHORTEST_PREFIX else f"'{word}'"
                      for word in dict.fromkeys(words))


def tsquery_sql(text: str) -> str:
    """`prefix_query`'s text as an SQL expression, the text written into the statement
    rather than passed as a parameter. asyncpg prepares each statement once per connection,
    and PostgreSQL soon plans a prepared statement for any parameter: for "light", in
    nearly every story, that generic plan gathered every match through the GIN index (3.2
    ms at 10k stories) where walking the newest stories finds 200 in 0.3 ms; for a rare
    word the opposite holds, and a plan for any LIMIT walked every title looking for a
    word in none (2.2 ms). Written in, with the count, each query's words are planned as
    they are. The text holds only plain words (`plain_words`) and the quotes and
    operators `prefix_query` adds."""
    return "to_tsquery('simple', '" + text.replace("'", "''") + "')"


def rank_sql(document: str, query: str) -> str:
    """An SQL expression ranking `document` against `query` (both SQL expressions)."""
    return f"ts_rank('{RANK_WEIGHTS}', {document}, {query})"


async def search_ids(pool: asyncpg.Pool, visibility: Visibility, query: str, *,
                     limit: int = 25, shown: StoryFilter | None = None) -> SearchHits[int]:
    """Full-text search; every word of the query must match (as a prefix when it is
    SHORTEST_PREFIX long), best first among the newest SEARCH_RANKED matches; when more
    matched, the newest with every word in their titles first (search_order)."""
    text = prefix_query(query)
    if text is None:
        return SearchHits[int]()

    async def newest(document: str, count: int) -> list[Scored]:
        """The newest stories in view whose `document` matches, each with its rank
        negated (lower better, as in SQLite), stopping after `count` of them; ranked
        after the walk, not before."""
        params = Params()
        where = " AND ".join([visibility_clause(visibility, params),
                              *filter_clauses(shown, params)])
        # The words and the count written in, not passed: see `tsquery_sql`.
        tsquery = tsquery_sql(text)
        rows = await pool.fetch(
            f"""SELECT n.id, {rank_sql(f"ss.{document}", tsquery)}
                  FROM (SELECT s.id FROM story_search ss JOIN stories s ON s.id = ss.story_id
                         WHERE ss.{document} @@ {tsquery} AND {where}
                         ORDER BY s.id DESC LIMIT {int(count)}) n
                  JOIN story_search ss ON ss.story_id = n.id""",
            *params.values,
        )
        return [(int(row[0]), -float(row[1])) for row in rows]

    ranked = await newest("document", SEARCH_RANKED + 1)
    ranked.sort(key=lambda row: -row[0])  # the newest first, to cut at SEARCH_RANKED
    more = len(ranked) > SEARCH_RANKED
    titled = await newest("title_document", SEARCH_RANKED) if more else []
    return SearchHits[int](best_first(ranked[:SEARCH_RANKED], titled, limit),
                           newest_only=more)
