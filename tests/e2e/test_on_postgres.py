"""End-to-end tests again, with the bot's library on PostgreSQL.

The tests below are imported from their own modules and run here a second time: this
module's `settings` fixture (overriding the suite's) points the real bot at a fresh
PostgreSQL schema holding a copy of the demo library (made by `storybot db copy`'s code).
The server is the store suite's: a throwaway `pgserver`, or STORYBOT_TEST_PG.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from sandbox.session import RunningBot
from tests.conftest import DEMO_STORIES
from tests.e2e.conftest import demo_library_on_postgres
from tests.e2e.test_daily import (  # noqa: F401
    test_a_daily_post_is_made_once_with_its_thread_even_across_a_restart,
    test_serial_mode_reads_one_story_in_order_and_now_posts_at_once,
)
from tests.e2e.test_excerpts import (  # noqa: F401
    test_excerpt_posts_a_spoiler_safe_card_with_its_buttons,
    test_old_cards_keep_working_after_a_restart,
    test_ratings_and_blocked_tags_keep_stories_out,
)
from tests.e2e.test_gate_surfaces import (  # noqa: F401
    test_autocomplete,
    test_story_list,
    test_story_search,
)
from tests.e2e.test_recommend_commands import (  # noqa: F401
    test_a_readers_block_applies_to_that_reader_only,
    test_for_me_learns_from_kudos,
    test_tags_list_counts_and_merge_by_a_curator,
)
from tests.e2e.test_server_removal import (  # noqa: F401
    test_removal_schedules_deletion_and_an_outage_does_not,
)
from tests.e2e.test_story_commands import (  # noqa: F401
    test_curator_adds_a_pasted_story,
    test_curator_edits_then_removes_a_story,
    test_list_by_tag_folds_synonyms,
    test_search_finds_text,
)
from tests.e2e.test_two_servers import (  # noqa: F401
    test_each_server_wrangles_only_its_own_view,
)


@pytest.fixture
async def settings(pg_server: str, demo_library_template: Path) -> AsyncIterator[Settings]:
    async for dsn in demo_library_on_postgres(pg_server, demo_library_template):
        yield Settings(storybot_db=dsn, demo_stories_dir=DEMO_STORIES,
                       _env_file=None)  # type: ignore[call-arg]


async def test_the_bot_here_really_runs_on_postgres(storybot: RunningBot) -> None:
    from bot.store.postgres.store import PostgresStore

    store = storybot.bot.services.store
    assert isinstance(store, PostgresStore)
    assert await store.stories.count(None) >= 10  # the demo library, copied in
