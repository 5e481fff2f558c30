"""Images shown inside the terminal, where the terminal can draw them.

Two widespread protocols: iTerm2's inline files (iTerm2, WezTerm, and others that copy it)
and kitty's graphics protocol (kitty, Ghostty). Elsewhere nothing is drawn; the saved
file's path is printed either way."""

from __future__ import annotations

import base64
from collections.abc import Mapping

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KITTY_CHUNK = 4096


def image_protocol(env: Mapping[str, str]) -> str | None:
    """'iterm', 'kitty' or None, from the terminal's own environment variables."""
    program = env.get("TERM_PROGRAM", "")
    if program in ("iTerm.app", "WezTerm"):
        return "iterm"
    if env.get("TERM") in ("xterm-kitty", "xterm-ghostty") or "KITTY_WINDOW_ID" in env \
            or program == "ghostty":
        return "kitty"
    return None


def inline_image(data: bytes, name: str, protocol: str | None) -> str | None:
    """The escape sequence that draws a PNG inline, or None where it cannot be drawn."""
    if protocol is None or not data.startswith(PNG_SIGNATURE):
        return None
    encoded = base64.b64encode(data).decode("ascii")
    if protocol == "iterm":
        label = base64.b64encode(name.encode()).decode("ascii")
        return f"\x1b]1337;File=name={label};size={len(data)};inline=1:{encoded}\x07\n"
    chunks = [encoded[i: i + _KITTY_CHUNK] for i in range(0, len(encoded), _KITTY_CHUNK)]
    parts = []
    for index, chunk in enumerate(chunks):
        more = 1 if index < len(chunks) - 1 else 0
        keys = f"a=T,f=100,m={more}" if index == 0 else f"m={more}"
        parts.append(f"\x1b_G{keys};{chunk}\x1b\\")
    return "".join(parts) + "\n"
