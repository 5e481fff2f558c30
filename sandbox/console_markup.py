"""Discord's message markup drawn in a terminal, as a Discord client would show it.

Timestamps (<t:1796236200:F>) in the viewer's own time zone, mentions (<#id> <@id> <@&id>)
as names, **bold**, *italic*, __underline__, ~~strike~~, `code`, ||spoilers|| hidden until
revealed, > quotes, headings, lists and [masked](links).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from rich.text import Text

_INLINE = re.compile(
    r"(?P<escape>\\[\\*_~`|<>#\[\]()-])"
    r"|(?P<code>`[^`\n]+`)"
    r"|\|\|(?P<spoiler>.+?)\|\|"
    r"|\*\*\*(?P<bolditalic>.+?)\*\*\*"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|__(?P<underline>.+?)__"
    r"|\*(?P<italic>[^\s*](?:.*?[^\s*])?)\*"
    r"|(?<![\w])_(?P<italic2>[^\s_](?:.*?[^\s_])?)_(?![\w])"
    r"|~~(?P<strike>.+?)~~"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url><?https?://[^)\s]+>?)\)"
    r"|<t:(?P<ts>-?\d+)(?::(?P<ts_style>[tTdDfFR]))?>"
    r"|<@!?(?P<user>\d+)>"
    r"|<@&(?P<role>\d+)>"
    r"|<#(?P<channel>\d+)>"
    r"|</(?P<slash>[\w -]+):\d+>"
    r"|<a?:(?P<emoji>\w+):\d+>",
    re.DOTALL,
)
SPOILER_STYLE = "grey50 on grey50"
REVEALED_STYLE = "on grey23"


@dataclass
class MarkupContext:
    """What the viewer's client knows: names for ids, the time and zone, spoilers shown."""

    user_names: dict[int, str] = field(default_factory=dict)
    role_names: dict[int, str] = field(default_factory=dict)
    channel_names: dict[int, str] = field(default_factory=dict)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    zone: tzinfo | None = None  # None: the machine's local zone
    reveal_spoilers: bool = False
    spoilers_seen: int = 0  # counted while drawing, so the caller can offer `reveal`


def format_timestamp(seconds: int, style: str, context: MarkupContext) -> str:
    """<t:…:style> as Discord's client shows it, in the viewer's zone."""
    try:
        moment = datetime.fromtimestamp(seconds, UTC).astimezone(context.zone)
    except (OverflowError, OSError, ValueError):
        return f"<t:{seconds}>"
    if style == "R":
        return relative_time(moment - context.now())
    formats = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%d/%m/%Y", "D": "%d %B %Y",
               "f": "%d %B %Y %H:%M", "F": "%A, %d %B %Y %H:%M"}
    return moment.strftime(formats.get(style, formats["f"]))


def relative_time(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    ahead, seconds = seconds > 0, abs(seconds)
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400),
                       ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            amount = f"{count} {unit}{'s' if count != 1 else ''}"
            break
    else:
        return "in a few seconds" if ahead else "a few seconds ago"
    return f"in {amount}" if ahead else f"{amount} ago"


def _inline(text: str, style: str, context: MarkupContext, out: Text) -> None:
    position = 0
    for match in _INLINE.finditer(text):
        out.append(text[position: match.start()], style=style)
        position = match.end()
        kind = match.lastgroup
        group = match.groupdict()
        if group["escape"]:
            out.append(group["escape"][1], style=style)
        elif group["code"]:
            out.append(group["code"][1:-1], style=f"{style} bold cyan on grey15".strip())
        elif group["spoiler"] is not None:
            context.spoilers_seen += 1
            if context.reveal_spoilers:
                _inline(group["spoiler"], f"{style} {REVEALED_STYLE}".strip(), context, out)
            else:
                hidden = Text()
                _inline(group["spoiler"], "", context, hidden)
                out.append("▒" * max(len(hidden.plain), 3), style=SPOILER_STYLE)
        elif group["bolditalic"] is not None:
            _inline(group["bolditalic"], f"{style} bold italic".strip(), context, out)
        elif group["bold"] is not None:
            _inline(group["bold"], f"{style} bold".strip(), context, out)
        elif group["underline"] is not None:
            _inline(group["underline"], f"{style} underline".strip(), context, out)
        elif group["italic"] is not None or group["italic2"] is not None:
            _inline(group["italic"] or group["italic2"], f"{style} italic".strip(), context, out)
        elif group["strike"] is not None:
            _inline(group["strike"], f"{style} strike".strip(), context, out)
        elif group["label"] is not None:
            _inline(group["label"], f"{style} underline cyan".strip(), context, out)
            out.append(f" ({group['url'].strip('<>')})", style="dim")
        elif group["ts"] is not None:
            shown = format_timestamp(int(group["ts"]), group["ts_style"] or "f", context)
            out.append(shown, style=f"{style} on grey19".strip())
        elif group["user"] is not None:
            name = context.user_names.get(int(group["user"]), "unknown-user")
            out.append(f"@{name}", style=f"{style} bold blue".strip())
        elif group["role"] is not None:
            name = context.role_names.get(int(group["role"]), "unknown-role")
            out.append(f"@{name}", style=f"{style} bold magenta".strip())
        elif group["channel"] is not None:
            name = context.channel_names.get(int(group["channel"]), "unknown-channel")
            out.append(f"#{name}", style=f"{style} bold blue".strip())
        elif group["slash"] is not None:
            out.append(f"/{group['slash']}", style=f"{style} bold blue".strip())
        elif kind == "emoji" or group["emoji"] is not None:
            out.append(f":{group['emoji']}:", style=style)
    out.append(text[position:], style=style)


def render_markup(text: str, context: MarkupContext) -> Text:
    """Discord markup as a rich Text (one per message part: content, description, field)."""
    out = Text()
    lines = text.split("\n")
    in_code = False
    quoting_rest = False
    for index, line in enumerate(lines):
        if index:
            out.append("\n")
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append(line, style="cyan on grey15")
            continue
        style = ""
        if quoting_rest or line.startswith((">>> ", "> ")) or line == ">":
            if line.startswith(">>> "):
                quoting_rest = True
                line = line[4:]
            elif not quoting_rest:
                line = line[2:]
            out.append("▌ ", style="grey50")
            style = "italic"
        heading = re.match(r"^(#{1,3}) (.*)$", line)
        if heading:
            line, style = heading.group(2), f"{style} bold".strip()
        elif line.startswith("-# "):
            line, style = line[3:], f"{style} dim".strip()
        bullet = re.match(r"^(\s*)[-*] (.*)$", line)
        if bullet:
            out.append(f"{bullet.group(1)}• ", style=style)
            line = bullet.group(2)
        _inline(line, style, context, out)
    return out
