"""Bot messages as readable cards in a terminal (rich): title, fields, text, buttons, files."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sandbox.messages import MessageRecord

BUTTON_STYLES = {1: "bold white on blue", 2: "white on grey30", 3: "white on green4",
                 4: "white on red3", 5: "underline cyan"}


def discord_markdown(text: str) -> Markdown:
    """Discord keeps single line breaks; Markdown joins them unless marked as hard breaks."""
    return Markdown(text.replace("\n", "  \n"))


def _embed(embed: dict[str, Any]) -> RenderableType:
    parts: list[RenderableType] = []
    if embed.get("author", {}).get("name"):
        parts.append(Text(embed["author"]["name"], style="dim"))
    if embed.get("title"):
        title = Text(embed["title"], style="bold")
        if embed.get("url"):
            title.append(f"  {embed['url']}", style="dim underline")
        parts.append(title)
    if embed.get("description"):
        parts.append(discord_markdown(embed["description"]))
    fields = embed.get("fields") or []
    if fields:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for field in fields:
            table.add_row(field["name"], field["value"])
        parts.append(table)
    if embed.get("image", {}).get("url"):
        parts.append(Text(f"[image] {embed['image']['url']}", style="magenta"))
    if embed.get("footer", {}).get("text"):
        parts.append(Text(embed["footer"]["text"], style="dim italic"))
    colour = embed.get("color")
    return Panel(Group(*parts), border_style=f"#{colour:06x}" if colour else "grey50")


def _buttons(components: list[dict[str, Any]]) -> RenderableType | None:
    line = Text()
    for row in components:
        for item in row.get("components", []):
            if item.get("type") == 2:
                style = BUTTON_STYLES.get(item.get("style", 2), "")
                label = item.get("label") or item.get("emoji", {}).get("name") or "?"
                if item.get("disabled"):
                    style = "strike dim"
                line.append(f" {label} ", style=style)
                line.append("  ")
            elif item.get("type") == 3:
                line.append(f" [{item.get('placeholder') or 'choose…'} ▾] ", style="reverse")
    return line if line.plain else None


def message_card(message: MessageRecord, channel_name: str, viewer: str | None) -> Panel:
    parts: list[RenderableType] = []
    if message.content:
        parts.append(discord_markdown(message.content))
    parts.extend(_embed(embed) for embed in message.embeds)
    buttons = _buttons(message.components)
    if buttons is not None:
        parts.append(buttons)
    for attachment in message.attachments:
        parts.append(Text(f"📎 {attachment.get('filename')} "
                          f"({attachment.get('size', 0):,} bytes)", style="magenta"))
    if message.thread_id:
        parts.append(Text("🧵 a discussion thread was opened", style="dim"))
    if message.reactions:
        parts.append(Text("  ".join(f"{key} {len(users)}"
                                    for key, (_, users) in message.reactions.items())))
    heading = f"#{channel_name}"
    if message.ephemeral:
        heading += f" · only {viewer or 'you'} can see this"
    if message.edited_ms:
        heading += " · edited"
    return Panel(Group(*parts) if parts else Text("(empty)", style="dim"),
                 title=f"storybot → {heading}", title_align="left", border_style="blue")
