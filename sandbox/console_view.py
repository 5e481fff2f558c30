"""What one console user sees of the server: the bot's messages they may see, drawn once,
reactions as one line, attachments saved to a folder, spoilers hidden until revealed.

Ephemeral messages belong to the user whose interaction they answer: Discord shows them to
nobody else, so neither does the console, and nobody else can click their buttons."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from rich.console import Console
from rich.markup import escape

from sandbox.console_images import image_protocol, inline_image
from sandbox.console_markup import MarkupContext
from sandbox.console_options import Directory, Named
from sandbox.console_render import message_card, reactions_text
from sandbox.control import Sandbox
from sandbox.entities import SandboxUser
from sandbox.messages import LOADING, MessageRecord

VIEW_CHANNEL = 1 << 10
ALIASES = ("owner", "curator", "reader", "reader2")
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def owner_of(message: MessageRecord) -> int | None:
    """The user an ephemeral message was shown to (None for public messages)."""
    if not message.ephemeral:
        return None
    user = ((message.interaction_metadata or {}).get("user") or {}).get("id")
    return int(user) if user else None


def card_title(message: MessageRecord) -> str:
    for embed in message.embeds:
        if embed.get("title"):
            return str(embed["title"])
    return (message.content.splitlines() or ["a message"])[0][:60]


@dataclass
class ServerView:
    """The sandbox server as the console's users know it, and what was already shown."""

    sandbox: Sandbox
    out: Console
    attachments_dir: Path
    context: MarkupContext = field(default_factory=MarkupContext)
    shown: dict[int, tuple[int | None, str]] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)  # the console's own look-ups
    saved: dict[int, dict[str, Path]] = field(default_factory=dict)
    last_with_spoilers: dict[int, MessageRecord] = field(default_factory=dict)  # per user
    images: dict[int, list[tuple[str, bytes]]] = field(default_factory=dict)  # to draw once

    def user(self, alias: str) -> SandboxUser:
        return getattr(self.sandbox.users, alias)  # type: ignore[no-any-return]

    def member_name(self, user: SandboxUser) -> str:
        member = self.sandbox.state.member(user.id)
        return (member.nick if member and member.nick else None) or user.global_name or \
            user.username

    def directory(self) -> Directory:
        users = []
        for alias in ALIASES + ("bot",):
            user = self.user(alias)
            member = self.sandbox.state.member(user.id)
            names = tuple(n for n in (user.username, alias, user.global_name,
                                      member.nick if member else None) if n)
            users.append(Named(user.id, names, label=f"{user.username} ({alias})"))
        roles = [Named(r.id, (r.name.removeprefix("@"), r.name))
                 for r in self.sandbox.state.guild.roles.values()]
        channels = [Named(c.id, (c.name,), kind=c.type) for c in self.sandbox.channels.values()]
        return Directory(users, channels, roles)

    def refresh_names(self) -> None:
        state = self.sandbox.state
        self.context.user_names = {u.id: self.member_name(u) for u in self.sandbox.users.all()}
        self.context.role_names = {r.id: r.name.removeprefix("@")
                                   for r in state.guild.roles.values()}
        self.context.channel_names = {c.id: c.name for c in state.guild.channels.values()}

    def can_see_channel(self, user: SandboxUser, channel_id: int) -> bool:
        channel = self.sandbox.state.guild.channels.get(channel_id)
        if channel is None:
            return False
        return bool(self.sandbox.state.permissions(user.id, channel) & VIEW_CHANNEL)

    def visible_to(self, message: MessageRecord, user: SandboxUser) -> bool:
        owner = owner_of(message)
        return (not message.deleted and (owner is None or owner == user.id)
                and self.can_see_channel(user, message.channel_id))

    def bot_messages(self) -> list[MessageRecord]:
        return [m for m in self.sandbox.bot_messages()
                if m.id not in self.hidden and not m.flags & LOADING]

    def mark_all_shown(self) -> None:
        for message in self.bot_messages():
            self.shown[message.id] = self._signature(message)

    @staticmethod
    def _signature(message: MessageRecord) -> tuple[int | None, str]:
        return message.edited_ms, reactions_text(message)

    def heading(self, message: MessageRecord, viewer: str) -> str:
        heading = f"#{self.context.channel_names.get(message.channel_id, '?')}"
        if message.ephemeral:
            heading += f" · only {viewer} can see this"
        if message.edited_ms:
            heading += " · edited"
        return heading

    def draw(self, message: MessageRecord, viewer: SandboxUser, *, reveal: bool = False) -> None:
        self.context.reveal_spoilers = reveal
        self.context.spoilers_seen = 0
        card = message_card(message, self.heading(message, self.member_name(viewer)),
                            self.context, self.saved.get(message.id))
        self.out.print(card)
        if self.context.spoilers_seen:
            self.last_with_spoilers[viewer.id] = message
        for name, path in self.saved.get(message.id, {}).items():
            # Outside the card and never wrapped, so the path can be copied and opened.
            self.out.print(f"📎 {name} saved to {path}", highlight=False, markup=False,
                           soft_wrap=True)
        self._draw_images(message)
        if message.thread_id:
            thread = self.context.channel_names.get(message.thread_id, "a thread")
            self.out.print(f"🧵 a discussion thread was opened: #{thread}", highlight=False,
                           markup=False)
        self.context.reveal_spoilers = False

    async def show_new(self, viewer: SandboxUser) -> None:
        """Draw what changed since last time and this viewer may see."""
        self.refresh_names()
        for message in self.bot_messages():
            signature = self._signature(message)
            before = self.shown.get(message.id)
            if before == signature or not self.visible_to(message, viewer):
                continue
            self.shown[message.id] = signature
            if before is not None and before[0] == signature[0]:
                # Only reactions changed: one line, not the whole card again.
                self.out.print(f"  {signature[1] or 'no reactions'} on “{card_title(message)}”"
                               f" in #{self.context.channel_names.get(message.channel_id)}",
                               highlight=False, markup=False)
                continue
            if message.attachments and message.id not in self.saved:
                await self.save_attachments(message)
            self.draw(message, viewer)

    def _draw_images(self, message: MessageRecord) -> None:
        """Images inline, where the terminal can draw them (never into a pipe or a file)."""
        protocol = image_protocol(os.environ) if self.out.is_terminal else None
        for name, data in self.images.pop(message.id, []):
            drawn = inline_image(data, name, protocol)
            if drawn is not None:
                self.out.file.write(drawn)
                self.out.file.flush()

    async def save_attachments(self, message: MessageRecord) -> None:
        """Fetch each attachment from its url, as a client would, into the folder."""
        saved: dict[str, Path] = {}
        try:
            self.attachments_dir.mkdir(parents=True, exist_ok=True)
            async with aiohttp.ClientSession() as http:
                for attachment in message.attachments:
                    name = str(attachment.get("filename") or "file")
                    safe = _UNSAFE_NAME.sub("_", Path(name).name) or "file"
                    target = self.attachments_dir / f"{message.id}-{safe}"
                    async with http.get(str(attachment["url"])) as response:
                        response.raise_for_status()
                        data = await response.read()
                    target.write_bytes(data)
                    saved[name] = target
                    self.images[message.id] = [*self.images.get(message.id, []), (name, data)]
        except (OSError, aiohttp.ClientError, KeyError) as problem:
            self.out.print(f"[red]✗[/red] could not save an attachment: {escape(str(problem))}",
                           highlight=False)
        self.saved[message.id] = saved
