"""One way to build a button that keeps working across restarts.

A persistent button is a discord.py DynamicItem whose custom id is `sb:<action>:<n>:<n>…`.
Subclassing `PersistentButton` with `action=` and `fields=` registers the action: the
template, the id builder and the pattern of ids this version no longer understands all
come from this one registry, so an id is spelled in exactly one place. Every click runs
`act` under one guard: any error becomes the same private line as a command's error.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from bot.errors import handle_interaction_error

if TYPE_CHECKING:
    from bot.app import StoryBot

CUSTOM_ID_PREFIX = "sb"
# action -> the class that answers its clicks; filled by PersistentButton subclasses.
ACTIONS: dict[str, type[PersistentButton]] = {}


def id_template(action: str, fields: tuple[str, ...]) -> str:
    parts = [re.escape(CUSTOM_ID_PREFIX), re.escape(action)]
    parts += [rf"(?P<{name}>\d+)" for name in fields]
    return ":".join(parts)


class PersistentButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    action: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]
    id_pattern: ClassVar[str]
    label: ClassVar[str] = ""
    emoji: ClassVar[str | None] = None
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary

    def __init_subclass__(cls, *, action: str | None = None, fields: tuple[str, ...] = (),
                          **kwargs: Any) -> None:
        if action is None:  # an intermediate base: no action of its own
            super().__init_subclass__(template=r"(?!)", **kwargs)
            return
        if action in ACTIONS:
            raise TypeError(f"two persistent buttons answer '{action}'")
        cls.action, cls.fields = action, fields
        cls.id_pattern = id_template(action, fields)
        super().__init_subclass__(template=cls.id_pattern, **kwargs)
        ACTIONS[action] = cls

    def __init__(self, *values: int, label: str | None = None, disabled: bool = False,
                 style: discord.ButtonStyle | None = None) -> None:
        super().__init__(self.button(*values, label=label, disabled=disabled, style=style))
        self.values = dict(zip(self.fields, values, strict=True))

    @classmethod
    def button(cls, *values: int, label: str | None = None, disabled: bool = False,
               style: discord.ButtonStyle | None = None) -> discord.ui.Button[Any]:
        """This action's button as a message carries it, to send (`sent_view`): a plain
        button with the action's custom id. Its clicks come back by that id to this class."""
        if len(values) != len(cls.fields):
            raise TypeError(f"{cls.__name__} takes {cls.fields}, got {values}")
        return discord.ui.Button(label=label or cls.label, emoji=cls.emoji,
                                 style=style or cls.style, disabled=disabled,
                                 custom_id=cls.custom_id_for(*values))

    @classmethod
    def page_turns(cls, *fields: int, page: int, pages: int) -> list[discord.ui.Button[Any]]:
        """Previous and Next for a paged message whose last field is the page to turn to
        (none when there is one page)."""
        if pages <= 1:
            return []
        return [cls.button(*fields, max(0, page - 1), label="Previous", disabled=page == 0),
                cls.button(*fields, min(pages - 1, page + 1), label="Next",
                           disabled=page >= pages - 1)]

    @classmethod
    def custom_id_for(cls, *values: int) -> str:
        return ":".join([CUSTOM_ID_PREFIX, cls.action, *(str(int(v)) for v in values)])

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /
                             ) -> PersistentButton:
        label = getattr(item, "label", None)
        return cls(*(int(match[name]) for name in cls.fields), label=label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # discord.py only logs an exception raised here, so the guard is ours.
        try:
            await self.act(interaction)
        except Exception as error:  # noqa: BLE001 - one private line; bugs are logged
            await handle_interaction_error(interaction, error)

    async def act(self, interaction: discord.Interaction[StoryBot]) -> None:
        raise NotImplementedError


def sent_view(*buttons: discord.ui.Button[Any]) -> discord.ui.View:
    """The buttons of a message about to be sent or edited (PersistentButton.button each).

    Stopped already: the registered actions answer its clicks by custom id, before a restart
    and after, so discord.py need neither keep it nor time it out (it gives an ephemeral
    message's view a 15-minute timer). Plain buttons rather than the DynamicItems that answer
    the clicks: built, serialized and let go, a card of ten took 58 µs in process against 95
    as DynamicItems kept by discord.py until stopped after sending."""
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(button)
    view.stop()
    return view


def expired_pattern() -> str:
    """Any custom id no registered action answers: an older version's, or a foreign one."""
    # The templates without their group names (two actions may both name a passage_id).
    known = "|".join(re.sub(r"\(\?P<\w+>", "(?:", cls.id_pattern) for cls in ACTIONS.values())
    return rf"(?!(?:{known})$).*" if known else r".*"


def expired_button_class() -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
    """Built after every action is registered, so its pattern excludes all of them."""

    class ExpiredButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                        template=expired_pattern()):
        def __init__(self, custom_id: str) -> None:
            super().__init__(discord.ui.Button(label="expired", custom_id=custom_id))

        @classmethod
        async def from_custom_id(cls, interaction: discord.Interaction[Any],
                                 item: discord.ui.Item[Any], match: re.Match[str], /
                                 ) -> ExpiredButton:
            return cls(getattr(item, "custom_id", None) or "")

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await interaction.response.send_message(
                "This button no longer works (it is from an older post). "
                "Run the command again for a fresh one.", ephemeral=True)

    return ExpiredButton
