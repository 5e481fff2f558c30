"""Two servers on one database, each through its own sandbox (the stand-in has one guild,
each run a new id): curator A renames and merges tags; B's /tags list, /story info,
/recommend and autocomplete are unchanged, and A's changes survive a restart."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from sandbox.control import Sandbox
from sandbox.session import start_bot
from tests.e2e.test_story_commands import embed_text


async def views(sandbox: Sandbox) -> dict[str, Any]:
    """What a reader of this server sees of the tags and of one story."""
    reader = sandbox.users.reader
    tags = await sandbox.slash(reader, "tags list", {"kind": "freeform"}, channel="stories")
    info = await sandbox.slash(reader, "story info", {"story": "Shore Leave"}, channel="stories")
    like = await sandbox.slash(reader, "recommend", {"like": "Shore Leave"}, channel="stories")
    by_tag = await sandbox.slash(reader, "recommend", {"tags": "Enemies to Lovers"},
                                 channel="after-dark")
    tag_choices = await sandbox.autocomplete(reader, "story list", {"tag": "flo"},
                                             focused="tag")
    story_choices = await sandbox.autocomplete(reader, "story info", {"story": "shore"},
                                               focused="story")
    return {
        "tags": embed_text(tags.embeds[0]),
        "info": embed_text(info.embeds[0]),
        "like": embed_text(like.embeds[0]),
        "by_tag": embed_text(by_tag.embeds[0]),
        "tag_choices": [choice["name"] for choice in tag_choices],
        "story_choices": [choice["name"] for choice in story_choices],
    }


async def test_each_server_wrangles_only_its_own_view(settings: Settings) -> None:
    async with Sandbox.start() as server_a:
        with server_a.pointed_at():
            bot_a = await start_bot(server_a, settings)
            try:
                await server_a.wait_for_commands("tags", "story", "recommend")
                before = await views(server_a)
                curator = server_a.users.curator
                renamed = await server_a.slash(curator, "tags rename",
                                               {"tag": "Fluff", "new_name": "Floof"})
                assert renamed.ephemeral and "“Floof” in this server" in renamed.content
                merged = await server_a.slash(curator, "tags merge",
                                              {"from": "Established Relationship",
                                               "into": "Enemies to Lovers"})
                assert "Other servers are not affected" in merged.content, merged.content
                after = await views(server_a)
            finally:
                await bot_a.stop()
        assert "Floof" in after["tags"] and "Floof" not in before["tags"]
        assert "Floof" in after["info"] and "Fluff" in before["info"]
        assert "Floof" in after["tag_choices"]
        # Established Relationship counts as Enemies to Lovers here now
        assert "Shore Leave" in after["by_tag"] and "Shore Leave" not in before["by_tag"]

        async with Sandbox.start() as server_b:
            assert server_b.guild_id != server_a.guild_id
            with server_b.pointed_at():
                bot_b = await start_bot(server_b, settings)
                try:
                    await server_b.wait_for_commands("tags", "story", "recommend")
                    assert await views(server_b) == before
                finally:
                    await bot_b.stop()

        with server_a.pointed_at():  # A again, after a restart: its changes are still there
            bot_a = await start_bot(server_a, settings)
            try:
                await server_a.wait_for_commands("tags", "story", "recommend")
                assert await views(server_a) == after
            finally:
                await bot_a.stop()
