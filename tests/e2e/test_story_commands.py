"""Every /story command through the sandbox, as a curator and as a reader."""

from __future__ import annotations

from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.records import SEARCH_RANKED
from sandbox.control import Sandbox
from sandbox.session import RunningBot
from tests.conftest import FIXTURES

SEED = FIXTURES / "seed" / "000_243aa131780b4f07.txt"


def embed_text(embed: dict[str, object]) -> str:
    parts = [str(embed.get("title", "")), str(embed.get("description", ""))]
    for field in embed.get("fields", []):  # type: ignore[union-attr]
        parts += [str(field["name"]), str(field["value"])]
    return "\n".join(parts)


async def test_list_shows_the_demo_library(sandbox: Sandbox, storybot: RunningBot) -> None:
    result = await sandbox.slash(sandbox.users.reader, "story list", channel="stories")
    assert not result.ephemeral
    text = embed_text(result.embeds[0])
    for title in ("Baker Street Lanterns", "Dead Reckoning", "What the Lyre Remembers"):
        assert title in text


async def test_list_by_tag_folds_synonyms(sandbox: Sandbox, storybot: RunningBot) -> None:
    result = await sandbox.slash(sandbox.users.reader, "story list", {"tag": "soulmate au"})
    text = embed_text(result.embeds[0])
    # Demo stories spell it "Soulmates", "soulmates", "Soul Mates" and "Soulmate AU".
    assert text.count("\n") >= 2, text


async def test_story_autocomplete_is_fuzzy_and_capped(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    choices = await sandbox.autocomplete(sandbox.users.reader, "story info", {"story": "bakr st"},
                                         focused="story")
    assert 1 <= len(choices) <= 25
    assert choices[0]["name"] == "Baker Street Lanterns"
    everything = await sandbox.autocomplete(sandbox.users.reader, "story info", {"story": ""},
                                            focused="story")
    assert len(everything) == 12


async def test_info_shows_the_card(sandbox: Sandbox, storybot: RunningBot) -> None:
    choices = await sandbox.autocomplete(sandbox.users.reader, "story info",
                                         {"story": "lyre"}, focused="story")
    result = await sandbox.slash(sandbox.users.reader, "story info",
                                 {"story": choices[0]["value"]})
    (embed,) = result.embeds
    assert embed["title"] == "What the Lyre Remembers"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Rating"] == "Mature"
    assert "Major Character Death" in fields["Archive warnings"]


async def test_search_finds_text(sandbox: Sandbox, storybot: RunningBot) -> None:
    result = await sandbox.slash(sandbox.users.reader, "story search", {"query": "Baker Street"})
    assert "Baker Street Lanterns" in embed_text(result.embeds[0])


async def test_a_search_matching_more_than_it_ranks_says_so(
        sandbox: Sandbox, storybot: RunningBot) -> None:
    drafts = [StoryDraft(title=f"Harbour {n}", authors=["Wren"], rating=Rating.GENERAL,
                         summary="A lantern.", chapters=[Chapter(1, "", f"Night {n}.")])
              for n in range(SEARCH_RANKED + 1)]
    await storybot.bot.services.store.bulk.add_batch([(d, []) for d in drafts], guild_id=None)
    broad = await sandbox.slash(sandbox.users.reader, "story search", {"query": "lantern"})
    text = embed_text(broad.embeds[0])
    # A demo story, older than every one of these, has the word in its title: it is first.
    assert text.split("\n")[1].find("Baker Street Lanterns") > 0
    assert "Harbour" in text
    assert f"over {SEARCH_RANKED:,} stories match, so these are the best of the newest" in text
    narrow = await sandbox.slash(sandbox.users.reader, "story search",
                                 {"query": "lantern harbour 7"})
    assert "Harbour 7" in embed_text(narrow.embeds[0])
    assert "newest" not in embed_text(narrow.embeds[0])


async def test_curator_adds_a_pasted_story(sandbox: Sandbox, storybot: RunningBot) -> None:
    upload = sandbox.upload("seed.txt", SEED.read_bytes(), channel="stories")
    result = await sandbox.slash(
        sandbox.users.curator, "story add",
        {"file": upload, "title": "Soulmates Reborn", "author": "A Reader",
         "fandom": "Torchwood", "tags": "Soulmates, Reincarnation"},
        channel="stories",
    )
    (message,) = await result.wait_for_followups(1, timeout=15)
    assert message.ephemeral
    assert "Added story" in message.content
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    assert fields["Fandoms"] == "Torchwood" and "Reincarnation" in fields["Tags"]
    # Not Rated: its text is searched only where it may be shown (an age-restricted channel)
    found = await sandbox.slash(sandbox.users.reader, "story search", {"query": "Ianto"},
                                channel="after-dark")
    assert "Soulmates Reborn" in embed_text(found.embeds[0])
    elsewhere = await sandbox.slash(sandbox.users.reader, "story search", {"query": "Ianto"},
                                    channel="stories")
    assert "Soulmates Reborn" not in embed_text(elsewhere.embeds[0])


async def test_a_reader_cannot_add_edit_or_remove(sandbox: Sandbox, storybot: RunningBot) -> None:
    upload = sandbox.upload("seed.txt", SEED.read_bytes())
    for command, options in (
        ("story add", {"file": upload, "title": "Nope"}),
        ("story remove", {"story": "1"}),
        ("story edit", {"story": "1", "title": "Mine now"}),
    ):
        result = await sandbox.slash(sandbox.users.reader, command, options)
        assert result.ephemeral, command
        assert "Only curators" in result.content, command
    assert await storybot.bot.services.store.stories.count("all") == 12


async def test_importer_errors_reach_the_curator_privately(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    noise = sandbox.upload("story.txt", bytes(range(256)) * 64)
    result = await sandbox.slash(sandbox.users.curator, "story add", {"file": noise})
    (message,) = await result.wait_for_followups(1, timeout=15)
    assert message.ephemeral and "binary" in message.content
    pdf = sandbox.upload("story.pdf", b"%PDF-1.4 ...")
    refused = await sandbox.slash(sandbox.users.curator, "story add", {"file": pdf})
    assert refused.ephemeral and ".pdf" in refused.content
    assert await storybot.bot.services.store.stories.count("all") == 12


async def test_an_upload_over_the_cap_is_refused_before_download(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    catalog = storybot.bot.services.catalog
    catalog.limits = type(catalog.limits)(max_bytes=1000)
    upload = sandbox.upload("seed.txt", SEED.read_bytes())
    result = await sandbox.slash(sandbox.users.curator, "story add",
                                 {"file": upload, "title": "Too big"})
    assert result.ephemeral and "the limit is" in result.content
    downloads = [r for r in sandbox.requests if "/attachments/" in r.path]
    assert downloads == []


async def test_curator_edits_then_removes_a_story(sandbox: Sandbox, storybot: RunningBot) -> None:
    upload = sandbox.upload("seed.txt", SEED.read_bytes())
    added = await sandbox.slash(sandbox.users.curator, "story add",
                                {"file": upload, "title": "Draft Title"})
    await added.wait_for_followups(1, timeout=15)
    titles = await storybot.bot.services.catalog.titles("all")
    (story_id, _), = [(sid, t) for sid, t in titles.items() if t == "Draft Title"]
    edited = await sandbox.slash(
        sandbox.users.curator, "story edit",
        {"story": str(story_id), "title": "Final Title", "add_tags": "Fix-It, Soulmates"},
    )
    assert edited.ephemeral and "Updated" in edited.content
    assert edited.embeds[0]["title"] == "Final Title"
    too_long = await sandbox.slash(sandbox.users.curator, "story edit",
                                   {"story": str(story_id), "add_tags": "x" * 150})
    assert too_long.ephemeral and "over 100 characters" in too_long.content
    asked = await sandbox.slash(sandbox.users.curator, "story remove", {"story": str(story_id)})
    assert asked.ephemeral and "Remove story" in asked.content and asked.message is not None
    (confirm,) = asked.message.custom_ids()
    removed = await sandbox.click(sandbox.users.curator, asked.message, confirm)
    assert "Removed" in (await removed.wait_until_done()).content
    gone = await sandbox.slash(sandbox.users.reader, "story info", {"story": str(story_id)})
    assert gone.ephemeral and "no story" in gone.content.lower()


async def test_demo_stories_cannot_be_removed_by_a_server(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    result = await sandbox.slash(sandbox.users.curator, "story remove", {"story": "1"})
    assert result.ephemeral and "demo stories" in result.content
