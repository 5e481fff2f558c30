"""`storybot search` says when more stories matched than a search ranks."""

from __future__ import annotations

import json
from pathlib import Path

from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.records import SEARCH_RANKED
from tests.cli.test_cli_import import storybot
from tests.store.backends import open_library


async def test_a_search_matching_more_than_it_ranks_says_so(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    store = await open_library(str(db))
    try:
        await store.bulk.add_batch(
            [(StoryDraft(title=f"Harbour {n}", authors=["Wren"], rating=Rating.TEEN,
                         summary="A lantern.", chapters=[Chapter(1, "", f"Night {n}.")]), [])
             for n in range(SEARCH_RANKED + 1)], guild_id=None)
    finally:
        await store.close()

    broad = storybot(db, "search", "lantern")
    assert broad.returncode == 0, broad.stderr
    assert f"these are the best of the newest {SEARCH_RANKED:,}" in broad.stdout
    narrow = storybot(db, "search", "harbour 7")
    assert narrow.returncode == 0 and "Harbour 7" in narrow.stdout
    assert "newest" not in narrow.stdout
    # JSON stays a plain list of stories.
    assert len(json.loads(storybot(db, "search", "lantern", "--json").stdout)) == 25
