"""Bot messages as readable cards in a terminal (rich): title, fields, text, buttons, files.
Markup inside them (timestamps, mentions, bold, spoilers, quotes) is drawn by
`console_markup`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sandbox.console_markup import MarkupContext, render_markup
from sandbox.messages import MessageRecord

BUTTON_STYLES = {1: "bold white on blue", 2: "white on grey30", 3: "white on green4",
                 4: "white on red3", 5: "underline cyan"}


def _embed(embed: dict[str, Any], context: MarkupContext,
           saved: dict[str, Path]) -> RenderableType:
    parts: list[RenderableType] = []
    if (embed.get("author") or {}).get("name"):
        parts.append(Text(embed["author"]["name"], style="dim"))
    if embed.get("title"):
        title = render_markup(embed["title"], context)
        title.stylize("bold")
        if embed.get("url"):
            title.append(f"  {embed['url']}", style="dim underline")
        parts.append(title)
    if embed.get("description"):
        parts.append(render_markup(embed["description"], context))
    fields = embed.get("fields") or []
    if fields:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for field in fields:
            table.add_row(render_markup(str(field.get("name", "")), context),
                          render_markup(str(field.get("value", "")), context))
        parts.append(table)
    for key in ("image", "thumbnail"):
        url = (embed.get(key) or {}).get("url")
        if url:
            name = url.removeprefix("attachment://")
            where = " (attached, saved below)" if name in saved else ""
            parts.append(Text(f"[{key}] {name}{where}", style="magenta"))
    if (embed.get("footer") or {}).get("text"):
        footer = render_markup(embed["footer"]["text"], context)
        footer.stylize("dim italic")
        parts.append(footer)
    colour = embed.get("color")
    return Panel(Group(*parts), border_style=f"#{colour:06x}" if colour else "grey50")


def buttons_line(components: list[dict[str, Any]]) -> Text | None:
    line = Text()
    for row in components:
        for item in row.get("components", []):
            if item.get("type") == 2:
                style = BUTTON_STYLES.get(item.get("style", 2), "")
                emoji = (item.get("emoji") or {}).get("name")
                label = item.get("label") or ""
                shown = f"{emoji} {label}".strip() if emoji else label or "?"
                if item.get("disabled"):
                    style = "strike dim"
                line.append(f" {shown} ", style=style)
                line.append("  ")
            elif item.get("type") == 3:
                line.append(f" [{item.get('placeholder') or 'choose…'} ▾] ", style="reverse")
    return line if line.plain else None


def reactions_text(message: MessageRecord) -> str:
    return "  ".join(f"{key.split(':')[0]} {len(users)}"
                     for key, (_, users) in message.reactions.items() if users)


def message_card(message: MessageRecord, heading: str, context: MarkupContext,
                 saved: dict[str, Path] | None = None) -> Panel:
    """One message as a panel; `saved` maps attachment names to where they were saved."""
    saved = saved or {}
    parts: list[RenderableType] = []
    if message.content:
        parts.append(render_markup(message.content, context))
    parts.extend(_embed(embed, context, saved) for embed in message.embeds)
    buttons = buttons_line(message.components)
    if buttons is not None:
        parts.append(buttons)
    for attachment in message.attachments:
        name = str(attachment.get("filename"))
        parts.append(Text(f"📎 {name} ({attachment.get('size', 0):,} bytes)", style="magenta"))
    if message.reactions and reactions_text(message):
        parts.append(Text(reactions_text(message)))
    if context.spoilers_seen and not context.reveal_spoilers:
        parts.append(Text("(spoilers hidden: type reveal to show them)", style="dim"))
    return Panel(Group(*parts) if parts else Text("(empty)", style="dim"),
                 title=Text(f"storybot → {heading}"), title_align="left",
                 border_style="blue")


def buttons_of(message: MessageRecord) -> list[dict[str, Any]]:
    return [item for row in message.components for item in row.get("components", [])
            if item.get("type") == 2]


def button_labels(message: MessageRecord) -> list[str]:
    return [str(b.get("label") or (b.get("emoji") or {}).get("name") or "?")
            for b in buttons_of(message)]


def find_button(message: MessageRecord, target: str) -> str | None:
    key = target.casefold().strip()
    for item in buttons_of(message):
        names = {(item.get("label") or "").casefold(), (item.get("custom_id") or "").casefold(),
                 ((item.get("emoji") or {}).get("name") or "").casefold()}
        if key in names and item.get("custom_id") and not item.get("disabled"):
            return str(item["custom_id"])
    return None
