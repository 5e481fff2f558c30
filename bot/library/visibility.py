"""Which stories a reader, a server or the operator may see.

Every read of stories names one: a server's id (its own stories plus the bundled demo
library), `DEMO_LIBRARY` (the bundled stories alone), or `ALL_GUILDS`, the operator's view
of every server's stories (the command line). There is no default: a read that forgot its
server must not see every server's stories.
"""

from __future__ import annotations

from typing import Literal

Visibility = int | None | Literal["all"]
ALL_GUILDS: Literal["all"] = "all"
DEMO_LIBRARY: None = None


def can_see(visibility: Visibility, story_guild_id: int | None) -> bool:
    """Whether a story added in `story_guild_id` (None: the demo library) is visible."""
    return visibility == ALL_GUILDS or story_guild_id is None or story_guild_id == visibility
