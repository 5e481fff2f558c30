"""Random stories through every renderer: whatever a story carries, every embed the bot
builds fits Discord's limits (per part, 25 fields, 6,000 in all)."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.library.feedback import StoryStats
from bot.library.guild_settings import GuildSettings, WarningStyle
from bot.library.models import ListedStory, Passage, Rating, Story, Tag, TagKind
from bot.library.recommend import RecommendationPage, RecommendedStory, TagUse
from bot.library.records import FeedbackEntry, StoryTotals
from bot.render.excerpt_card import excerpt_embed
from bot.render.guild_settings_card import settings_embed
from bot.render.limits import embed_problems, fit_embed
from bot.render.recommend_card import recommendation_embed, tag_list_embed
from bot.render.stats import story_stats_embed
from bot.render.story_cards import story_embed, story_list_embed

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
LONG = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=7000)
NAMES = st.lists(st.text(min_size=1, max_size=100), max_size=60)


@st.composite
def stories(draw: st.DrawFn) -> Story:
    tags = [Tag(kind, name) for kind in TagKind if kind is not TagKind.RATING
            for name in draw(NAMES)]
    return Story(
        id=draw(st.integers(1, 10**6)), guild_id=None, title=draw(st.text(min_size=1,
                                                                          max_size=300)),
        authors=draw(NAMES), rating=draw(st.sampled_from(list(Rating))), tags=tags,
        language=draw(st.none() | st.text(max_size=40)), summary=draw(LONG),
        notes=draw(LONG), end_notes=draw(TEXT), words=draw(st.integers(0, 10**7)),
        chapter_count=draw(st.integers(0, 10**4)), complete=draw(st.none() | st.booleans()),
        series=draw(st.none() | st.text(max_size=300)), source=draw(st.none() | TEXT),
        format="", added_by=None, added_at=datetime(2026, 1, 1, tzinfo=UTC))


def fits(embed: discord.Embed) -> None:
    assert embed_problems([embed]) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(story=stories(), style=st.sampled_from(list(WarningStyle)), text=LONG)
def test_story_and_excerpt_cards_fit(story: Story, style: WarningStyle, text: str) -> None:
    fits(story_embed(story, style))
    passage = Passage(1, story.id, 0, 1, text or "x", 1, story_passage_count=3)
    fits(excerpt_embed(story, passage, style))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(found=st.lists(stories(), max_size=30), heading=st.text(max_size=400))
def test_lists_and_recommendations_fit(found: list[Story], heading: str) -> None:
    fits(story_list_embed(found, heading, "nothing"))
    page = RecommendationPage(heading, [RecommendedStory(s, 1.0, s.authors[:5]) for s in found])
    fits(recommendation_embed(page))
    uses = [TagUse(s.title, TagKind.FREEFORM, 3, tuple(s.authors)) for s in found]
    fits(tag_list_embed(uses, None))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(found=st.lists(stories(), max_size=30), note=st.text(max_size=400))
def test_a_list_cut_at_its_read_limit_fits_with_its_closing_note(found: list[Story],
                                                                 note: str) -> None:
    fits(story_list_embed(found, "The library", "nothing", more_note=note))


def lines(count: int, title_length: int) -> list[ListedStory]:
    return [ListedStory(number, None, f"{number:03d} " + "t" * title_length, ["An Author"],
                        Rating.GENERAL, 1000, ["A Fandom"], []) for number in range(count)]


def test_a_list_says_how_many_more_only_when_it_knows() -> None:
    # 50 long lines: about 15 fit. A complete read knows how many it leaves out; a read cut
    # at its limit does not (a 100k library is not "35 more"), and says what narrows it.
    complete = (story_list_embed(lines(50, 200), "The library", "nothing").description
                or "").split("\n")
    assert complete[-1] == f"… and {50 - (len(complete) - 1)} more"
    cut = (story_list_embed(lines(50, 200), "The library", "nothing",
                            more_note="… and more: narrow it").description or "").split("\n")
    assert cut[-1] == "… and more: narrow it" and len(cut) == len(complete)
    # Short lines all fit: a complete list ends with its last story, a cut one with the note.
    short = lines(50, 5)
    assert (story_list_embed(short, "T", "nothing").description or "").split("\n")[-1] == (
        "`  49` **049 ttttt** by An Author · A Fandom · General Audiences · 1,000 words")
    assert (story_list_embed(short, "T", "nothing", more_note="… and more").description
            or "").split("\n")[-1] == "… and more"


@settings(max_examples=30, deadline=None)
@given(title=st.text(max_size=400), comments=st.lists(LONG, max_size=12),
       blocked=st.lists(st.text(max_size=100), max_size=80))
def test_stats_and_settings_fit(title: str, comments: list[str], blocked: list[str]) -> None:
    entries = [FeedbackEntry(1, 1, None, 5, 4, c, "2026-01-01") for c in comments]
    totals = StoryTotals(1, 2, {"❤️": 3}, 4.5, 2, len(comments))
    fits(story_stats_embed(title, StoryStats(1, totals, [], entries, []), is_author=True))
    fits(settings_embed(GuildSettings(1), blocked))


def test_fit_embed_cuts_the_least_important_parts_first() -> None:
    embed = discord.Embed(title="T" * 300, description="word " * 2000)
    for number in range(30):
        embed.add_field(name=f"field {number}", value="v " * 600)
    fitted = fit_embed(embed)
    assert embed_problems([fitted]) == []
    assert fitted.title is not None and fitted.title.endswith("…")
    assert fitted.fields[0].name == "field 0"  # the first fields stay
    assert "more not shown" in (fitted.fields[-1].value or "")
    assert len(fitted.description or "") > 1000  # the story text gives way last


def test_the_limits_check_itself_catches_an_oversized_embed() -> None:
    embed = discord.Embed(title="x" * 257, description="y" * 4097)
    problems = embed_problems([embed])
    assert any("title" in p for p in problems) and any("description" in p for p in problems)
    assert any("total" in p for p in embed_problems([discord.Embed(description="z" * 4000),
                                                     discord.Embed(description="z" * 2001)]))
