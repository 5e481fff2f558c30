"""/recommend, /tags and /me blocks through the sandbox, as readers and as a curator."""

from __future__ import annotations

import asyncio

from bot.library.models import TagKind
from bot.library.visibility import ALL_GUILDS
from sandbox.control import InteractionResult, Sandbox
from sandbox.session import RunningBot
from tests.e2e.test_story_commands import embed_text

SOULMATE_STORIES = {"Dead Reckoning", "Shore Leave", "The Ghost in Flat 4B"}
RESTRICTED_SOULMATE_STORIES = {"True North", "What the Lyre Remembers"}  # Explicit, Mature


def titles(result: InteractionResult) -> list[str]:
    """Result titles in rank order (field names are "1. Title")."""
    (embed,) = result.embeds
    return [field["name"].split(". ", 1)[1] for field in embed.get("fields", [])]


def one_line_error(result: InteractionResult) -> str:
    assert result.ephemeral, result.content
    assert "\n" not in result.content
    return result.content


async def story_id(storybot: RunningBot, title: str) -> int:
    titles_by_id = await storybot.bot.services.catalog.titles("all")
    return next(sid for sid, name in titles_by_id.items() if name == title)


async def test_tags_search_folds_spellings_and_shows_reasons(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    result = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "soulmate au"},
                                 channel="stories")
    assert not result.ephemeral
    assert set(titles(result)) == SOULMATE_STORIES
    assert embed_text(result.embeds[0]).count("**Why:** shares Soulmates") == 3
    buttons = [c["custom_id"] for row in result.components for c in row["components"]]
    assert len(buttons) == 3 and all(b.startswith("sb:rec-excerpt:") for b in buttons)


async def test_rating_ceiling_depends_on_the_channel(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    sfw = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "Soulmates"},
                              channel="stories")
    assert not RESTRICTED_SOULMATE_STORIES & set(titles(sfw))
    nsfw = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "Soulmates"},
                               channel="after-dark")
    assert set(titles(nsfw)) >= RESTRICTED_SOULMATE_STORIES


async def test_like_a_story_puts_its_sequel_first(sandbox: Sandbox, storybot: RunningBot) -> None:
    choices = await sandbox.autocomplete(sandbox.users.reader, "recommend",
                                         {"like": "dead reck"}, focused="like")
    result = await sandbox.slash(sandbox.users.reader, "recommend",
                                 {"like": choices[0]["value"]}, channel="stories")
    ranked = titles(result)
    assert ranked[0] == "Shore Leave" and "Dead Reckoning" not in ranked
    first_reason = result.embeds[0]["fields"][0]["value"]
    assert "Ruth Okafor/T'Sena" in first_reason


async def test_exclude_leaves_out_a_tag_and_its_synonyms(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    # "Pure Fluff" is a shipped synonym of Fluff: Shore Leave and the Ghost carry Fluff.
    result = await sandbox.slash(sandbox.users.reader, "recommend",
                                 {"tags": "Soulmates", "exclude": "Pure Fluff"})
    assert titles(result) == ["Dead Reckoning"]


async def test_a_readers_block_applies_to_that_reader_only(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    blocked = await sandbox.slash(sandbox.users.reader, "me block", {"tag": "fluff"})
    assert blocked.ephemeral and "Blocked “Fluff”" in blocked.content
    again = await sandbox.slash(sandbox.users.reader, "me block", {"tag": "Fluffy"})
    assert "already blocked" in again.content
    mine = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "Soulmates"})
    assert titles(mine) == ["Dead Reckoning"]
    theirs = await sandbox.slash(sandbox.users.reader2, "recommend", {"tags": "Soulmates"})
    assert set(titles(theirs)) == SOULMATE_STORIES
    listed = await sandbox.slash(sandbox.users.reader, "me blocks")
    assert listed.ephemeral and "Fluff (freeform)" in listed.content
    unblocked = await sandbox.slash(sandbox.users.reader, "me unblock", {"tag": "Fluff"})
    assert "Unblocked" in unblocked.content
    after = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "Soulmates"})
    assert set(titles(after)) == SOULMATE_STORIES
    empty = await sandbox.slash(sandbox.users.reader, "me blocks")
    assert "not blocked any tag" in empty.content


async def test_a_readers_blocks_are_read_again_after_they_change_or_are_deleted(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    """The reader's blocks are kept between commands: a block, and /me forget, must still
    show in the very next recommendation."""
    reader = sandbox.users.reader
    before = await sandbox.slash(reader, "recommend", {"tags": "Soulmates"})
    assert set(titles(before)) == SOULMATE_STORIES
    await sandbox.slash(reader, "me block", {"tag": "Fluff"})
    blocked = await sandbox.slash(reader, "recommend", {"tags": "Soulmates"})
    assert titles(blocked) == ["Dead Reckoning"]
    confirm = await (await sandbox.slash(reader, "me forget")).wait_until_done()
    forget = next(c for c in confirm.custom_ids() if c.startswith("sb:forget:"))
    gone = await sandbox.click(reader, confirm, forget)
    await gone.wait(lambda r: r.message and r.message.content.startswith("Done"), what="done")
    after = await sandbox.slash(reader, "recommend", {"tags": "Soulmates"})
    assert set(titles(after)) == SOULMATE_STORIES


async def test_server_blocked_tags_apply_to_everyone(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    services = storybot.bot.services
    ghosts = await services.store.tags.find(TagKind.FREEFORM, "Ghosts")
    assert ghosts is not None
    await services.guild_blocks.block(sandbox.guild_id, ghosts.id)
    result = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "Soulmates"})
    assert "The Ghost in Flat 4B" not in titles(result)
    assert titles(result)


async def test_tags_list_counts_and_merge_by_a_curator(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    listed = await sandbox.slash(sandbox.users.reader, "tags list", {"kind": "freeform"})
    text = embed_text(listed.embeds[0])
    assert "**5** Soulmates" in text  # five demo stories, four spellings
    assert "**4** Fluff" in text

    refused = await sandbox.slash(sandbox.users.reader, "tags merge",
                                  {"from": "Red String of Fate", "into": "Soulmates"})
    assert "Only curators" in one_line_error(refused)

    merged = await sandbox.slash(sandbox.users.curator, "tags merge",
                                 {"from": "Banter", "into": "Soulmates"})
    assert merged.ephemeral and "Merged “Banter” into “Soulmates”" in merged.content
    # The synonym folds: searching the old name now finds every Soulmates story too.
    folded = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "Banter"})
    assert "A Most Unreasonable Blend" in titles(folded)
    assert set(titles(folded)) >= SOULMATE_STORIES
    relisted = await sandbox.slash(sandbox.users.reader, "tags list", {"kind": "freeform"})
    assert "**6** Soulmates" in embed_text(relisted.embeds[0])
    assert "Banter" in embed_text(relisted.embeds[0])  # kept, as a synonym

    renamed = await sandbox.slash(sandbox.users.curator, "tags rename",
                                  {"tag": "Soulmates", "new_name": "Soulmates AU"})
    assert "Soulmates AU" in renamed.content
    clash = await sandbox.slash(sandbox.users.curator, "tags rename",
                                {"tag": "Fluff", "new_name": "Angst"})
    assert "/tags merge" in one_line_error(clash)
    shown = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "soulmates au"})
    assert "**Why:** shares Soulmates AU" in embed_text(shown.embeds[0])


async def test_tag_autocomplete_is_fuzzy_capped_and_keeps_earlier_tags(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    everything = await sandbox.autocomplete(sandbox.users.reader, "recommend", {"tags": ""},
                                            focused="tags")
    assert 1 <= len(everything) <= 25
    choices = await sandbox.autocomplete(sandbox.users.reader, "recommend",
                                         {"tags": "Fluff, soulmat"}, focused="tags")
    assert 1 <= len(choices) <= 25
    assert all(choice["value"].startswith("Fluff, ") for choice in choices)
    assert any(choice["value"] == "Fluff, Soulmates" for choice in choices)


async def test_the_excerpt_button_posts_a_passage(sandbox: Sandbox, storybot: RunningBot) -> None:
    result = await sandbox.slash(sandbox.users.reader, "recommend", {"like": "Dead Reckoning"},
                                 channel="stories")
    shore_leave = await story_id(storybot, "Shore Leave")
    assert result.message is not None
    clicked = await sandbox.click(sandbox.users.reader2, result.message,
                                  f"sb:rec-excerpt:{shore_leave}")
    assert not clicked.ephemeral, clicked.content
    assert "Shore Leave" in embed_text(clicked.embeds[0])


async def test_bad_input_gets_one_clear_line(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader
    cases: list[tuple[dict[str, object], str]] = [
        ({"tags": "soulmtes"}, "unknown tag 'soulmtes' — did you mean 'Soulmates'?"),
        ({"tags": "Fluff", "exclude": "fluffy"}, "'Fluff' is both included and excluded"),
        ({"tags": ", ".join(f"tag {n}" for n in range(26))}, "at most 25 tags"),
        ({"for_me": True}, "I don't know your taste yet"),
        ({}, "say what to look for"),
    ]
    for options, expected in cases:
        result = await sandbox.slash(reader, "recommend", options, channel="stories")
        assert expected in one_line_error(result), options


async def test_removed_story_and_empty_library(sandbox: Sandbox, storybot: RunningBot) -> None:
    catalog = storybot.bot.services.catalog
    removed = await story_id(storybot, "Shore Leave")
    await catalog.remove(removed, ALL_GUILDS)
    gone = await sandbox.slash(sandbox.users.reader, "recommend", {"like": str(removed)})
    assert "was it removed?" in one_line_error(gone)
    after = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "Soulmates"})
    assert "Shore Leave" not in titles(after)
    for sid in list(await catalog.titles("all")):
        await catalog.remove(sid, ALL_GUILDS)
    empty = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": "Soulmates"})
    assert "the library is empty" in one_line_error(empty)


async def test_for_me_learns_from_kudos(sandbox: Sandbox, storybot: RunningBot) -> None:
    """Integration with the feedback feature: kudos on an excerpt of Dead Reckoning make
    its sequel the first pick "for me", and the kudos'd story itself is left out."""
    reader = sandbox.users.reader
    dead_reckoning = await story_id(storybot, "Dead Reckoning")
    excerpt = await sandbox.slash(reader, "excerpt", {"story": str(dead_reckoning)},
                                  channel="stories")
    card = await excerpt.wait_until_done()
    kudos = next(c for c in card.custom_ids() if c.startswith("sb:kudos:"))
    for _ in range(100):  # the card is recorded as a post just after it is sent
        clicked = await sandbox.click(reader, card, kudos)
        if "kudos" in (await clicked.wait_until_done()).content.lower():
            break
        await asyncio.sleep(0.02)
    for _ in range(100):  # kudos are written by a background writer
        mine = await sandbox.slash(reader, "recommend", {"for_me": True}, channel="stories")
        if mine.embeds:
            break
        await asyncio.sleep(0.05)
    assert mine.ephemeral
    assert titles(mine)[0] == "Shore Leave"
    assert "Dead Reckoning" not in titles(mine)
