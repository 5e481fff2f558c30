"""A small but real discord.py bot used to prove the sandbox speaks Discord well enough."""

from __future__ import annotations

import asyncio
import hashlib

import discord
from discord import app_commands
from discord.ext import commands

STORIES = ["The Long Winter", "Winter Roses", "Summer of Ink", "A Study in Tea"]


class PingView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Again", custom_id="ping:again", style=discord.ButtonStyle.primary)
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"pong again for {interaction.user.id}")


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    stars = discord.ui.TextInput(label="Stars (1-5)", custom_id="stars", max_length=1)
    comment = discord.ui.TextInput(label="Comment", custom_id="comment",
                                   style=discord.TextStyle.paragraph, required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"thanks: {self.stars.value} stars, {self.comment.value}", ephemeral=True
        )


class SampleBot(commands.Bot):
    """Records what it saw so tests can assert on the bot side too."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05,
                         allowed_mentions=None)
        self.raw_reactions: list[discord.RawReactionActionEvent] = []
        self.forbidden: list[discord.Forbidden] = []
        self.deleted_channels: list[int] = []
        self.reaction_seen = asyncio.Event()
        self.add_commands()

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.raw_reactions.append(payload)
        self.reaction_seen.set()

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        self.deleted_channels.append(channel.id)

    def add_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Check the bot is alive")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong", ephemeral=True, view=PingView())

        @tree.command(description="Repeat some text with an embed")
        async def echo(interaction: discord.Interaction, text: str) -> None:
            embed = discord.Embed(title="Echo", description=text)
            await interaction.response.send_message(
                text, embed=embed, allowed_mentions=discord.AllowedMentions.none()
            )

        @tree.command(description="Think, then answer")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await asyncio.sleep(0.05)
            await interaction.followup.send("done thinking")
            await interaction.followup.send("and one more", ephemeral=True)

        @tree.command(description="Pick a story")
        async def pick(interaction: discord.Interaction, story: str) -> None:
            await interaction.response.send_message(f"picked {story}")

        @pick.autocomplete("story")
        async def pick_story(interaction: discord.Interaction, current: str
                             ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=s, value=s) for s in STORIES
                    if current.lower() in s.lower()][:25]

        @tree.command(description="Leave feedback")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

        @tree.command(description="Upload a file")
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            digest = hashlib.sha256(data).hexdigest()[:12]
            await interaction.response.send_message(f"{file.filename}:{len(data)}:{digest}")

        @tree.command(description="Try to post in #announcements")
        async def announce(interaction: discord.Interaction) -> None:
            channel = discord.utils.get(interaction.guild.text_channels, name="announcements")
            try:
                await channel.send("hello")
            except discord.Forbidden as exc:
                self.forbidden.append(exc)
                await interaction.response.send_message(f"forbidden {exc.code}", ephemeral=True)
            else:
                await interaction.response.send_message("posted", ephemeral=True)

        @tree.command(description="Post an excerpt with a thread")
        async def excerpt(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            channel = discord.utils.get(interaction.guild.text_channels, name="stories")
            message = await channel.send("Once upon a time...", file=discord.File(
                __import__("io").BytesIO(b"chapter one"), filename="excerpt.txt"))
            thread = await message.create_thread(name="Discuss: Once")
            await message.add_reaction("\N{BOOK}")
            await interaction.followup.send(f"posted {message.id} thread {thread.id}")

        library = app_commands.Group(name="library", description="Library tools")
        tags = app_commands.Group(name="tags", description="Tag tools", parent=library)

        @tags.command(name="merge", description="Merge two tags")
        async def merge(interaction: discord.Interaction, from_tag: str, into: str,
                        times: int = 1) -> None:
            await interaction.response.send_message(f"merged {from_tag} into {into} x{times}",
                                                    ephemeral=True)

        @library.command(name="who", description="Who is this member")
        async def who(interaction: discord.Interaction, member: discord.Member) -> None:
            perms = interaction.permissions
            await interaction.response.send_message(
                f"{member.display_name}|manage_guild={perms.manage_guild}"
                f"|nsfw={getattr(interaction.channel, 'nsfw', None)}", ephemeral=True)

        tree.add_command(library)
