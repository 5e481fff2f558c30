"""Discord markup drawn as a client draws it: names, zones, styles, hidden spoilers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sandbox.console_markup import MarkupContext, format_timestamp, relative_time, render_markup

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def context(**extra: object) -> MarkupContext:
    made = MarkupContext(user_names={1: "Tom"}, role_names={2: "Readers"},
                         channel_names={3: "stories"}, now=lambda: NOW,
                         zone=timezone(timedelta(hours=2)))
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def styles_of(text: str, markup: str, ctx: MarkupContext | None = None) -> set[str]:
    drawn = render_markup(markup, ctx or context())
    start = drawn.plain.index(text)
    return {str(span.style) for span in drawn.spans if span.start <= start < span.end}


def test_mentions_become_names() -> None:
    drawn = render_markup("<@1> and <@!1> in <#3> ping <@&2>, run </story info:99> <:wave:5>",
                          context())
    assert drawn.plain == "@Tom and @Tom in #stories ping @Readers, run /story info :wave:"
    assert render_markup("<@404>", context()).plain == "@unknown-user"


def test_timestamps_in_the_viewers_zone() -> None:
    moment = int(datetime(2026, 12, 2, 18, 0, tzinfo=UTC).timestamp())
    drawn = render_markup(f"Next: <t:{moment}:F> (<t:{moment}:R>) at <t:{moment}:t>", context())
    assert drawn.plain == "Next: Wednesday, 02 December 2026 20:00 (in 2 days) at 20:00"
    assert format_timestamp(moment, "d", context()) == "02/12/2026"
    assert relative_time(timedelta(hours=-3)) == "3 hours ago"
    assert relative_time(timedelta(seconds=5)) == "in a few seconds"


def test_bold_italic_underline_strike_code_and_links() -> None:
    drawn = render_markup("**Why:** *soft* _also_ __under__ ~~gone~~ `code` "
                          "[site](https://example.org) snake_case_name", context())
    assert drawn.plain == ("Why: soft also under gone code site (https://example.org) "
                           "snake_case_name")
    assert "bold" in styles_of("Why", "**Why:** text")
    assert "italic" in styles_of("soft", "*soft*")
    assert "bold italic" in styles_of("both", "***both***") or \
        "italic bold" in styles_of("both", "***both***")
    assert render_markup(r"\*not italic\*", context()).plain == "*not italic*"


def test_spoilers_hidden_until_revealed() -> None:
    ctx = context()
    hidden = render_markup("The twist: ||Edmund is the ghost||.", ctx)
    assert "Edmund" not in hidden.plain and "▒" in hidden.plain
    assert ctx.spoilers_seen == 1
    shown = render_markup("The twist: ||Edmund is the ghost||.", context(reveal_spoilers=True))
    assert shown.plain == "The twist: Edmund is the ghost."


def test_quotes_headings_and_lists() -> None:
    drawn = render_markup("> quoted line\nplain\n# Title\n- item\n>>> all\nthe rest", context())
    assert drawn.plain.splitlines() == ["▌ quoted line", "plain", "Title", "• item",
                                        "▌ all", "▌ the rest"]
    assert "italic" in styles_of("quoted", "> quoted line")


def test_brackets_from_the_bot_are_text_not_terminal_markup() -> None:
    import io

    from rich.console import Console

    from sandbox.console_render import message_card
    from sandbox.entities import SandboxUser
    from sandbox.messages import MessageRecord

    message = MessageRecord(1, 2, 3, SandboxUser(4, "storybot", bot=True),
                            content="[/red] [bold]not bold[/x]",
                            embeds=[{"title": "[Podfic] [/i]", "fields": [
                                {"name": "[/b]", "value": "[link](https://example.org)"}]}])
    screen = io.StringIO()
    Console(file=screen, width=80, color_system=None).print(
        message_card(message, "#[/weird] thread", context()))
    drawn = screen.getvalue()
    assert "[/red] [bold]not bold[/x]" in drawn and "[Podfic] [/i]" in drawn
    assert "#[/weird] thread" in drawn and "link (https://example.org)" in drawn
