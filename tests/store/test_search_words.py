"""A story's search row holds each word of its text once (bot/store/search_words.py), and
SQLite's tokenizer finds in those words exactly the words it finds in the whole text; every
way a search row is written (a folder import, one story added, a story edited) writes it so."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog import Catalog
from bot.importers import read_story_file
from bot.library.visibility import ALL_GUILDS
from bot.store.search_words import distinct_words_in_python, search_words
from bot.store.sqlite.store import SqliteStore
from tests.conftest import DEMO_STORIES, FIXTURES
from tests.store.backends import RawDatabase

STORY_FILES = sorted(path for folder in (FIXTURES, DEMO_STORIES) for path in folder.rglob("*")
                     if path.suffix in (".html", ".epub", ".txt", ".md")
                     and path.name.lower() != "readme.md")

# What the tokenizer must cut, fold or keep whole as it would in running text: curly
# apostrophes and dashes, accents composed and not, capitals beyond ASCII (a German sharp
# s, a Greek final sigma, a Turkish dotted I), underscores, digits with points, scripts
# without spaces or with marks inside words, a letter in full width, an emoji, a NUL.
TRICKY = ("Don’t STOP—café naïve cafe\u0301 Straße STRASSE ΣΊΣΥΦΟΣ σίσυφος İstanbul istanbul "
          "foo_bar FOO_BAR x86-64 3.14 日本語の文章です 日本語 नमस्ते नमस्ते Ｄｒａｇｏｎ 🐉dragon "
          "Dragon dragon DRAGON dragon's dragons' a\x00b “quoted” «guillemets» semi;colon")


def texts() -> list[tuple[str, str]]:
    found = [(path.name, "\n\n".join(c.text for c in read_story_file(path).chapters))
             for path in STORY_FILES]
    return [*found, ("tricky", TRICKY)]


def story_search_schema(tmp_path: Path) -> str:
    """How the SQLite store's migrations make story_search, from a migrated library."""
    async def migrated() -> None:
        await (await SqliteStore.open(tmp_path / "schema.db")).close()
    asyncio.run(migrated())
    with closing(sqlite3.connect(tmp_path / "schema.db")) as conn:
        (sql,), = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'story_search'")
    return sql[sql.index("USING"):]


def words_found(schema: str, bodies: list[str]) -> set[tuple[str, int]]:
    """(word, story) for every word the table's tokenizer finds in each body."""
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(f"CREATE VIRTUAL TABLE searched {schema}")
        conn.execute("CREATE VIRTUAL TABLE found USING fts5vocab(searched, 'instance')")
        conn.executemany("INSERT INTO searched (rowid, body) VALUES (?, ?)",
                         list(enumerate(bodies, start=1)))
        return {(str(term), int(story)) for term, story in
                conn.execute("SELECT term, doc FROM found WHERE col = 'body'")}


def test_the_tokenizer_finds_the_same_words_in_the_search_words_as_in_the_text(
    tmp_path: Path,
) -> None:
    schema = story_search_schema(tmp_path)
    named = texts()
    assert len(named) > 10  # the fixtures and the demo stories were read
    whole = [text for _, text in named]
    distinct = [search_words([text]) for text in whole]
    assert words_found(schema, distinct) == words_found(schema, whole)
    for (name, text), words in zip(named, distinct, strict=True):
        pieces = words.split(" ")
        assert len(pieces) == len(set(pieces)), name  # each word once
        assert len(words) < len(text), name
    # Long works repeat most of their words: all the fixtures' words take a fraction
    # of their text.
    assert sum(map(len, distinct)) < 0.4 * sum(map(len, whole))


def test_words_are_kept_in_order_of_first_appearance_and_chapters_joined() -> None:
    assert search_words(["The dragon, the DRAGON", "and the lantern."]) == (
        "the dragon and lantern")
    assert search_words([]) == ""
    assert search_words(["", "  \n"]) == ""


try:
    from bot.store._words import distinct_words as compiled_words
except ImportError:  # built without a C compiler: the Python form is all there is
    compiled_words = None
needs_compiled = pytest.mark.skipif(compiled_words is None, reason="not compiled here")


@needs_compiled
def test_the_compiled_words_are_the_python_words_on_every_story() -> None:
    assert compiled_words is not None
    for name, text in texts():
        data = text.encode("utf-8", "surrogatepass")
        assert compiled_words(data) == distinct_words_in_python(data), name
    # Its table grows past its first size (256 words), keeping every word it held.
    many = " ".join(f"w{number} W{number % 700}" for number in range(5000)).encode()
    assert compiled_words(many) == distinct_words_in_python(many)
    assert compiled_words(b"") == compiled_words(b" ._-\n") == b""


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(st.one_of(
    # Words from a few letters (so they repeat), cut by every kind of ASCII byte, with
    # capitals and multi-byte characters among them.
    st.lists(st.sampled_from(["a", "A", "ab", "AB", "b_", "é", "É", "\u2019", "9", " ", ".",
                              "\n", "\t", "\x00", "\x7f", "日", "-"]), max_size=80).map("".join),
    st.text(max_size=200),
))
def test_the_compiled_words_are_the_python_words_on_any_text(text: str) -> None:
    assert compiled_words is not None
    data = text.encode("utf-8", "surrogatepass")
    assert compiled_words(data) == distinct_words_in_python(data)


@pytest.mark.parametrize("path", [p for p in STORY_FILES if p.parent.name == "ao3"][:2],
                         ids=lambda p: p.name)
async def test_every_way_a_search_row_is_written_holds_the_same_words(
    sqlite_store: SqliteStore, tmp_path: Path, path: Path,
) -> None:
    catalog = Catalog(sqlite_store)
    raw = RawDatabase(sqlite_store)
    expected = search_words(c.text for c in read_story_file(path).chapters)

    async def body_of(story_id: int) -> str:
        (row,) = await raw.fetch("SELECT body FROM story_search WHERE rowid = ?", story_id)
        return str(row[0])

    imported = (await catalog.import_paths([path], guild_id=1, workers=0)).imported
    assert len(imported) == 1
    assert await body_of(imported[0].id) == expected  # the bulk writer's
    added = await catalog.import_path(path, guild_id=2)
    assert await body_of(added.id) == expected  # one story added
    await sqlite_store.stories.update(added.id, title="Renamed")
    assert await body_of(added.id) == expected  # read back from its chapters
    last_word = expected.rsplit(" ", 1)[-1]
    hits = await catalog.search(last_word, ALL_GUILDS, limit=10)
    assert {imported[0].id, added.id} <= {story.id for story in hits}
