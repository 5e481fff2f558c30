"""Every persistent button answers privately in one line, whatever happened since it was
posted: its story removed, its message deleted. And the registry knows every button."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import discord
import pytest

import bot.ui
from bot.config import Settings
from bot.errors import GENERIC_FAILURE
from bot.library.visibility import ALL_GUILDS
from bot.services.recommendations import RecommendationService
from bot.ui.persistent import (
    ACTIONS,
    CUSTOM_ID_PREFIX,
    PersistentButton,
    expired_pattern,
    sent_view,
)
from sandbox.control import Sandbox
from sandbox.session import RunningBot, start_bot

# One value for each field a registered action's id carries, by field name.
FIELD_VALUES = {"passage_id": "passage", "story_id": "story", "user_id": "owner", "page": 0,
                "card_id": "card", "kind": 0}


def every_registered_button(passage_id: int, story_id: int, owner_id: int
                            ) -> list[PersistentButton]:
    values = {"passage": passage_id, "story": story_id, "owner": owner_id}
    buttons = []
    for cls in ACTIONS.values():
        args = [values.get(str(FIELD_VALUES[name]), 0) if name != "page" else 0
                for name in cls.fields]
        buttons.append(cls(*args))
    return buttons


async def post_every_button(storybot: RunningBot, sandbox: Sandbox,
                            buttons: list[PersistentButton]) -> discord.Message:
    """The bot posts one message carrying a button of every registered kind."""
    channel = storybot.bot.get_channel(sandbox.channel("stories").id)
    assert isinstance(channel, discord.TextChannel)
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(button)
    message = await channel.send("every button", view=view)
    view.stop()
    return message


def test_every_dynamic_item_is_a_registered_action() -> None:
    """A DynamicItem outside the registry would have its own id spelling and no guard."""
    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub, *subclasses(sub)]
        return found

    ours = [cls for cls in subclasses(discord.ui.DynamicItem)
            if cls.__module__.startswith(("bot.", "cogs."))]
    unregistered = [cls.__qualname__ for cls in ours
                    if cls not in ACTIONS.values() and cls is not PersistentButton
                    and cls.__name__ != "ExpiredButton"]
    assert unregistered == []
    assert set(ACTIONS) >= {"kudos", "bookmark", "feedback", "next", "discuss",
                            "rec-excerpt", "forget", "bookmarks", "notes", "remove-story",
                            "tags"}
    items = bot.ui.persistent_items()
    assert set(ACTIONS.values()) < set(items) and len(items) == len(ACTIONS) + 1


def test_the_expired_pattern_spares_every_registered_action_and_nothing_else() -> None:
    import re

    expired = re.compile(expired_pattern())
    for action, cls in ACTIONS.items():
        custom_id = cls.custom_id_for(*range(1, len(cls.fields) + 1))
        assert custom_id.startswith(f"{CUSTOM_ID_PREFIX}:{action}:")
        assert not expired.fullmatch(custom_id), custom_id
        assert cls.__discord_ui_compiled_template__.fullmatch(custom_id)  # type: ignore[attr-defined]
    for old in ("sb:retired:1", "v0:kudos:1", "sb:kudos:x", "sb:kudos"):
        assert expired.fullmatch(old), old


async def test_a_sent_button_is_what_the_registered_action_would_send() -> None:
    """Cards send plain buttons (sent_view) and a click comes back by custom id to the
    registered class: on the wire they must be the DynamicItem's buttons exactly. The view
    is stopped already, so discord.py neither keeps it nor times it out (a view can only
    be stopped on a running loop, where the bot builds every one: hence async)."""
    for cls in ACTIONS.values():
        values = range(1, len(cls.fields) + 1)
        registered = discord.ui.View(timeout=None)
        registered.add_item(cls(*values, label="Page 2", disabled=True))
        sent = sent_view(cls.button(*values, label="Page 2", disabled=True))
        assert sent.to_components() == registered.to_components(), cls.action
        assert sent.is_finished()
    with pytest.raises(TypeError, match="takes"):
        ACTIONS["kudos"].button(1, 2)


def test_a_second_button_for_one_action_is_refused() -> None:
    with pytest.raises(TypeError, match="two persistent buttons"):
        class AnotherKudos(PersistentButton, action="kudos", fields=("passage_id",)):
            pass


async def click_all(sandbox: Sandbox, message_id: int, buttons: list[PersistentButton]
                    ) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for button in buttons:
        custom_id = button.item.custom_id
        assert custom_id is not None
        result = await sandbox.click(sandbox.users.reader, message_id, custom_id)
        answers[button.action] = result
    return answers


def assert_one_private_line(action: str, result: Any) -> None:
    assert result.callback is not None, f"{action}: no answer (the user sees a failure)"
    assert result.ephemeral, f"{action}: answered in public"
    assert result.content and "\n" not in result.content.strip(), (action, result.content)
    assert GENERIC_FAILURE not in result.content, f"{action}: a bug, not an expected error"
    assert not result.embeds and result.modal is None, action


async def test_every_button_on_a_removed_story_answers_in_one_private_line(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    services = storybot.bot.services
    story = await services.catalog.resolve("Dead Reckoning", sandbox.guild_id)
    passage = (await services.catalog.passages(story.id, sandbox.guild_id))[0]
    buttons = every_registered_button(passage.id, story.id, sandbox.users.curator.id)
    message = await post_every_button(storybot, sandbox, buttons)
    await services.catalog.remove(story.id, ALL_GUILDS)
    answers = await click_all(sandbox, message.id, buttons)
    for action, result in answers.items():
        if action == "tags":  # the tag list has nothing to do with the story: a private page
            assert result.ephemeral and result.embeds, action
            continue
        assert_one_private_line(action, result)
    assert "removed" in answers["kudos"].content or "no longer" in answers["kudos"].content


async def test_every_button_on_a_deleted_message_answers_in_one_private_line(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    services = storybot.bot.services
    story = await services.catalog.resolve("Dead Reckoning", sandbox.guild_id)
    passage = (await services.catalog.passages(story.id, sandbox.guild_id))[0]
    buttons = every_registered_button(passage.id, story.id, sandbox.users.curator.id)
    message = await post_every_button(storybot, sandbox, buttons)
    await message.delete()
    answers = await click_all(sandbox, message.id, buttons)
    for action, result in answers.items():
        if action == "feedback":  # the story is still there: the form opens, as it should
            assert result.modal is not None
            continue
        if action in ("kudos", "bookmark", "next", "rec-excerpt", "read-new", "notes", "tags"):
            assert result.callback is not None and result.ephemeral or result.message, action
            continue
        assert_one_private_line(action, result)


async def test_for_me_learns_from_kudos_when_the_index_is_ready_after_on_ready(
    sandbox: Sandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index of a big library is built after the bot is online; "for me" must still
    know the reader's taste (services are wired when built, not when a cog loads)."""
    original = RecommendationService.rebuild
    # A library big enough to index after on_ready: the build waits for the test's word
    # (a fixed delay would be outrun by a slow start on a loaded machine).
    release = asyncio.Event()

    async def slow_rebuild(self: RecommendationService) -> None:
        await release.wait()
        await original(self)

    monkeypatch.setattr(RecommendationService, "rebuild", slow_rebuild)
    running = await start_bot(sandbox, settings)
    try:
        await sandbox.wait_for_commands("recommend")
        assert not running.bot.services.recommendations.is_ready  # ready came first
        reader = sandbox.users.reader
        story = await running.bot.services.catalog.resolve("Dead Reckoning", sandbox.guild_id)
        excerpt = await sandbox.slash(reader, "excerpt", {"story": str(story.id)},
                                      channel="stories")
        card = await excerpt.wait_until_done()
        kudos = next(c for c in card.custom_ids() if c.startswith("sb:kudos:"))
        clicked = await sandbox.click(reader, card, kudos)
        assert "kudos" in (await clicked.wait_until_done()).content.lower()
        await running.bot.services.store.feedback_writes.flush()
        assert not running.bot.services.recommendations.is_ready
        release.set()
        mine = await sandbox.slash(reader, "recommend", {"for_me": True}, channel="stories",
                                   timeout=15)
        await mine.wait(lambda r: r.followups or r.embeds, timeout=15)
        embeds = mine.embeds or mine.followups[0].embeds
        titles = [field["name"] for field in embeds[0]["fields"]]
        assert "Shore Leave" in titles[0] and not any("Dead Reckoning" in t for t in titles)
    finally:
        await running.stop()


def test_buttons_are_built_only_through_the_registry() -> None:
    """No module spells a custom id by hand: "sb:<action>:" appears only in the registry."""
    import bot as package

    root = inspect.getfile(package).rsplit("/", 1)[0]
    from pathlib import Path

    offenders = []
    for path in [*Path(root).rglob("*.py"), *Path(root).parent.joinpath("cogs").rglob("*.py")]:
        text = path.read_text("utf-8")
        for action in ACTIONS:
            if f'"sb:{action}:' in text or f"f\"sb:{action}" in text:
                offenders.append(f"{path.name}: sb:{action}")
    assert offenders == []
