"""Issue 16, item 4 through the stand-in: one vocabulary on cards and lists, /story add's
new options and rating notice, notes behind a button, /tags list pages, /story remove's
confirmation and "N more by the same author" on /recommend."""

from __future__ import annotations

from sandbox.control import Sandbox
from sandbox.session import RunningBot
from tests.conftest import FIXTURES
from tests.e2e.test_story_commands import embed_text

SEED = FIXTURES / "seed" / "000_243aa131780b4f07.txt"
AO3 = FIXTURES / "ao3"


def fields_of(embed: dict[str, object]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}  # type: ignore[union-attr]


async def test_add_takes_relationships_and_characters_and_warns_when_not_rated(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    upload = sandbox.upload("seed.txt", SEED.read_bytes(), channel="stories")
    result = await sandbox.slash(
        sandbox.users.curator, "story add",
        {"file": upload, "title": "Plain Paste", "relationships": "Jack/Ianto, Gwen & Rhys",
         "characters": "Ianto Jones, Jack Harkness"}, channel="stories")
    (message,) = await result.wait_for_followups(1, timeout=15)
    assert "Not Rated" in message.content and "age-restricted" in message.content
    fields = fields_of(message.embeds[0])
    assert fields["Relationships"] == "Jack/Ianto, Gwen & Rhys"
    assert fields["Characters"] == "Ianto Jones, Jack Harkness"
    assert fields["Fandoms"] == "No fandom given"
    listed = await sandbox.slash(sandbox.users.curator, "story list", {"sort": "newest"},
                                 channel="after-dark")
    assert "Plain Paste** by unknown · No fandom given · Not Rated" in embed_text(
        listed.embeds[0])


async def test_a_general_story_gets_no_warning_and_the_option_only_fills(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    # The file says General Audiences: rating:Explicit alone must not change it.
    upload = sandbox.upload("shroud.html", (AO3 / "a-funeral-shroud-for.html").read_bytes())
    result = await sandbox.slash(sandbox.users.curator, "story add",
                                 {"file": upload, "rating": "Explicit"})
    (message,) = await result.wait_for_followups(1, timeout=15)
    assert "⚠️" not in message.content
    assert fields_of(message.embeds[0])["Rating"] == "General Audiences"
    assert "English" in message.embeds[0]["footer"]["text"]  # type: ignore[index]
    added = message.content.split(":", 1)[0].removeprefix("Added story ")
    story = await storybot.bot.services.catalog.resolve(added, sandbox.guild_id)
    assert story.language == "en"  # stored as a code, shown by name


async def test_rating_change_overrides_and_warns(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    upload = sandbox.upload("shroud.html", (AO3 / "a-funeral-shroud-for.html").read_bytes())
    result = await sandbox.slash(
        sandbox.users.curator, "story add",
        {"file": upload, "rating": "Mature",
         "rating_change": "override"})
    (message,) = await result.wait_for_followups(1, timeout=15)
    assert fields_of(message.embeds[0])["Rating"] == "Mature"
    assert "shown only in age-restricted channels" in message.content
    assert "Not Rated" not in message.content


async def test_lowering_a_files_rating_needs_its_own_choice(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    upload = sandbox.upload("wheel.html", (AO3 / "and-the-big-wheel-keep.html").read_bytes())
    refused = await sandbox.slash(
        sandbox.users.curator, "story add",
        {"file": upload, "rating": "General Audiences",
         "rating_change": "override"})
    (line,) = await refused.wait_for_followups(1, timeout=15)
    assert "rated Explicit" in line.content and "\n" not in line.content.strip()
    lowered = await sandbox.slash(
        sandbox.users.curator, "story add",
        {"file": upload, "rating": "General Audiences",
         "rating_change": "lower"})
    (message,) = await lowered.wait_for_followups(1, timeout=15)
    assert fields_of(message.embeds[0])["Rating"] == "General Audiences"


async def test_info_collapses_long_notes_behind_a_notes_button(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    story = await storybot.bot.services.catalog.import_path(AO3 / "first-as-farce.html",
                                                            guild_id=sandbox.guild_id)
    info = await sandbox.slash(sandbox.users.reader, "story info", {"story": str(story.id)})
    notes = fields_of(info.embeds[0])["Notes"]
    assert notes.count("\n") == 1 and "Notes button" in notes
    assert info.message is not None
    (button,) = info.message.custom_ids()
    opened = await sandbox.click(sandbox.users.reader2, info.message, button)
    full = (await opened.wait_until_done()).embeds[0]["description"]
    assert opened.ephemeral and len(full) > 1000 and full.startswith("End notes:")


async def test_short_notes_are_shown_on_the_card(sandbox: Sandbox, storybot: RunningBot) -> None:
    story = await storybot.bot.services.catalog.import_path(AO3 / "keep-the-home-fires.html",
                                                            guild_id=sandbox.guild_id)
    assert 0 < len(story.notes) < 300
    info = await sandbox.slash(sandbox.users.reader, "story info", {"story": str(story.id)})
    assert story.notes.strip()[:40] in fields_of(info.embeds[0])["Notes"]


async def test_tags_list_pages_with_buttons(sandbox: Sandbox, storybot: RunningBot) -> None:
    listed = await sandbox.slash(sandbox.users.reader, "tags list")
    first = listed.embeds[0]
    assert "… and" not in first["description"]
    footer = first["footer"]["text"]  # type: ignore[index]
    assert footer.startswith("Page 1 of ")
    pages = int(footer.split(" of ")[1].split(" ")[0])
    assert pages >= 2 and listed.message is not None
    previous, following = listed.message.custom_ids()
    seen = set(first["description"].splitlines())
    for number in range(2, pages + 1):
        turned = await sandbox.click(sandbox.users.reader, listed.message, following)
        page = (await turned.wait_until_done()).embeds[0]
        assert page["footer"]["text"].startswith(f"Page {number} of ")  # type: ignore[index]
        lines = set(page["description"].splitlines())
        assert not lines & seen  # every tag on exactly one page
        seen |= lines
        previous, following = sandbox.message(listed.message.id).custom_ids()
    # Someone else's click shows them the page privately; the list stays where it is.
    other = await sandbox.click(sandbox.users.reader2, listed.message, previous)
    assert other.ephemeral and other.embeds[0]["footer"]["text"].startswith(
        f"Page {pages - 1} of ")


async def test_remove_asks_first_and_only_its_curator_confirms(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    story = await storybot.bot.services.catalog.import_path(AO3 / "first-as-farce.html",
                                                            guild_id=sandbox.guild_id)
    asked = await sandbox.slash(sandbox.users.curator, "story remove", {"story": str(story.id)})
    assert asked.ephemeral and "Remove story" in asked.content and asked.message is not None
    still = await sandbox.slash(sandbox.users.reader, "story info", {"story": str(story.id)})
    assert still.embeds and still.embeds[0]["title"] == story.title
    (confirm,) = asked.message.custom_ids()
    stranger = await sandbox.click(sandbox.users.reader, asked.message, confirm)
    assert stranger.ephemeral and "someone else" in stranger.content
    done = await sandbox.click(sandbox.users.curator, asked.message, confirm)
    assert "Removed story" in (await done.wait_until_done()).content
    gone = await sandbox.slash(sandbox.users.reader, "story info", {"story": str(story.id)})
    assert gone.ephemeral and "no story" in gone.content.lower()


async def test_recommend_says_what_the_author_cap_left_out(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    catalog = storybot.bot.services.catalog
    for path in sorted(AO3.glob("*.html")):  # five stories by one author, one fandom
        await catalog.import_path(path, guild_id=sandbox.guild_id)
    result = await sandbox.slash(
        sandbox.users.reader, "recommend",
        {"tags": "Ginga Eiyuu Densetsu | Legend of the Galactic Heroes"},
        channel="after-dark", timeout=15)
    embed = result.embeds[0] if result.embeds else (await result.wait_until_done()).embeds[0]
    by_author = [f for f in embed["fields"] if "by natsinator" in f["value"]]
    assert len(by_author) == 2
    assert "3 more by the same author" in by_author[-1]["value"]
