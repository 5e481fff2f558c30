"""Discussion threads under excerpt cards: opened once per post, reused afterwards."""

from __future__ import annotations

import discord

from bot.library.errors import InvalidInput
from bot.render.excerpt_card import spoiler_line, thread_name
from bot.services.excerpts import Excerpt
from bot.store.protocol import DailyStore, PostStore

# Used in turn when the curator set no prompt for the story (/daily prompt).
DEFAULT_PROMPTS: tuple[str, ...] = (
    "Which line stayed with you, and why?",
    "What do you think this character wants most right now?",
    "What do you expect to happen next?",
    "How does the setting shape this scene?",
    "If you could ask the author one question about this passage, what would it be?",
    "Whose point of view would you like to read this scene from?",
    "What did this passage make you feel?",
)

THREAD_EXISTS = 160004  # Discord: a thread has already been created for this message
UNKNOWN_MESSAGE = 10008  # Discord: the message was deleted


def default_prompt(passage_id: int) -> str:
    """A rotating prompt: consecutive passages get different ones."""
    return DEFAULT_PROMPTS[passage_id % len(DEFAULT_PROMPTS)]


async def discussion_prompt(daily: DailyStore, guild_id: int, excerpt: Excerpt) -> str:
    return await daily.prompt(guild_id, excerpt.story.id) or default_prompt(excerpt.passage.id)


async def open_discussion(
    message: discord.Message, excerpt: Excerpt, posts: PostStore, daily: DailyStore
) -> tuple[discord.Thread | discord.abc.Snowflake, bool]:
    """The post's thread, created (with its spoiler line and prompt) when it has none yet.

    Returns (thread, created). The thread is recorded on the post, so a second click, a
    restart or another instance finds it instead of trying to create another.
    """
    record = await posts.get(message.id)
    if record is not None and record.thread_id is not None:
        return discord.Object(record.thread_id), False
    try:
        thread = await message.create_thread(name=thread_name(excerpt.story, excerpt.passage),
                                             auto_archive_duration=1440)
    except discord.HTTPException as error:
        if error.code == UNKNOWN_MESSAGE:
            raise InvalidInput("That post was deleted, so it can't have a discussion.") from None
        if error.code != THREAD_EXISTS:
            raise
        # Opened in the meantime (a double click): Discord gives a message's thread its id.
        await posts.set_thread(message.id, message.id)
        return discord.Object(message.id), False
    await posts.set_thread(message.id, thread.id)
    guild_id = message.guild.id if message.guild else 0
    prompt = await discussion_prompt(daily, guild_id, excerpt)
    await thread.send(f"{spoiler_line(excerpt.passage)}\n\n**To talk about:** {prompt}")
    return thread, True
