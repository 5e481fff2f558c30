"""Which stories a reader, a server or the operator may see.

Every read of stories names one: a server's id (its own stories plus the bundled demo
library), `OwnLibrary(guild_id)` (a server that turned the demo library off: its own stories
alone), `DEMO_LIBRARY` (the bundled stories alone), or `ALL_GUILDS`, the operator's view of
every server's stories (the command line). There is no default: a read that forgot its
server must not see every server's stories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class OwnLibrary:
    """A server's own stories, without the demo library."""

    guild_id: int


Visibility = int | None | Literal["all"] | OwnLibrary
ALL_GUILDS: Literal["all"] = "all"
DEMO_LIBRARY: None = None


def server_view(guild_id: int, *, demo_library: bool) -> Visibility:
    """What a server's library is: its own stories, plus the demo ones unless turned off."""
    return guild_id if demo_library else OwnLibrary(guild_id)


def can_see(visibility: Visibility, story_guild_id: int | None) -> bool:
    """Whether a story added in `story_guild_id` (None: the demo library) is visible."""
    if isinstance(visibility, OwnLibrary):
        return story_guild_id is not None and story_guild_id == visibility.guild_id
    return visibility == ALL_GUILDS or story_guild_id is None or story_guild_id == visibility


def guild_of(visibility: Visibility) -> int | None:
    """The server a view belongs to (None for the demo-only and operator views)."""
    if isinstance(visibility, OwnLibrary):
        return visibility.guild_id
    return visibility if isinstance(visibility, int) else None
