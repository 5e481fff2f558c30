"""/stats and /me bookmarks as embeds, and the reactions-over-time chart as a PNG.

The chart is drawn with matplotlib's Agg backend (no display needed); `render_chart` is
blocking and holds the GIL while it draws, so the bot runs it in a worker process
(bot.services.charts).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date

import discord

from bot.library.feedback import GuildStats, StoryStats, emoji_label
from bot.library.records import BookmarkRow
from bot.render.limits import fit_embed
from bot.render.text import EMBED_FIELD_VALUE_LIMIT, join_limited, truncate

CHART_FILENAME = "reactions.png"
COMMENT_PREVIEW = 200


def _stars(average: float | None, ratings: int) -> str:
    if average is None:
        return "no ratings yet"
    return f"{average:.1f} ★ from {ratings} rating{'s' if ratings != 1 else ''}"


def story_stats_embed(title: str, stats: StoryStats, *, is_author: bool) -> discord.Embed:
    totals = stats.totals
    embed = discord.Embed(title=truncate(f"Stats: {title}", 256))
    embed.add_field(name="Kudos", value=str(totals.kudos))
    embed.add_field(name="Bookmarks", value=str(totals.bookmarks))
    embed.add_field(name="Stars", value=_stars(totals.stars_average, totals.ratings))
    reactions = [f"{emoji_label(e)} {n}" for e, n in totals.reactions.items()]
    embed.add_field(name="Reactions", value=join_limited(reactions, EMBED_FIELD_VALUE_LIMIT)
                    or "none yet", inline=False)
    best = [f"passage {seq + 1} (score {score:g})" for _, seq, score in stats.best_passages]
    embed.add_field(name="Best-loved passages", value="\n".join(best) or "none yet",
                    inline=False)
    embed.add_field(name="Comments", value=str(totals.comments))
    if is_author and stats.comments:
        lines = [f"{e.stars}★ {truncate(e.comment, COMMENT_PREVIEW)}" for e in stats.comments]
        embed.add_field(name="Latest comments (visible to you as the author)",
                        value=join_limited(lines, EMBED_FIELD_VALUE_LIMIT, "\n"), inline=False)
    if stats.days:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    return fit_embed(embed)


def guild_stats_embed(stats: GuildStats, titles: Mapping[int, str]) -> discord.Embed:
    embed = discord.Embed(title="Most-loved in this server")
    stories = [f"{truncate(titles.get(sid, f'story {sid}'), 80)} (score {score:g})"
               for sid, score in stats.stories]
    passages = [f"{truncate(titles.get(sid, f'story {sid}'), 60)}, passage {seq + 1} "
                f"(score {score:g})" for _, sid, seq, score in stats.passages]
    embed.add_field(name="Stories", value=join_limited(stories, EMBED_FIELD_VALUE_LIMIT, "\n")
                    or "no feedback yet", inline=False)
    embed.add_field(name="Passages", value=join_limited(passages, EMBED_FIELD_VALUE_LIMIT, "\n")
                    or "no feedback yet", inline=False)
    if stats.days:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    return fit_embed(embed)


def bookmarks_embed(rows: list[BookmarkRow], page: int, pages: int) -> discord.Embed:
    embed = discord.Embed(title="Your bookmarks")
    lines = [f"**{truncate(r.title, 80)}**, chapter {r.chapter}, passage {r.seq + 1}"
             for r in rows]
    embed.description = "\n".join(lines) or "No bookmarks yet: use Bookmark under an excerpt."
    embed.set_footer(text=f"page {page + 1} of {pages}")
    return fit_embed(embed)


def render_chart(days: list[tuple[str, int]], title: str) -> bytes:
    """A bar chart of reactions per day, as PNG bytes (blocking: run it in another process)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure  # no pyplot: no global state, safe in a thread
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6, 3), dpi=100)
    FigureCanvasAgg(figure)  # the Agg backend: renders without a display
    axes = figure.subplots()
    when = [float(date2num(date.fromisoformat(day))) for day, _ in days]
    axes.bar(when, [count for _, count in days], color="#5865F2", width=0.8)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # reactions come whole
    axes.set_ylabel("reactions")
    axes.set_title(truncate(title, 60))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


FORGET_WARNING = ("This deletes everything storybot keeps about you in every server: reactions, "
                  "kudos, bookmarks, feedback and tag blocks; stories and posts you added stay, "
                  "without your name. It cannot be undone.")


def forget_summary(touched: dict[str, int]) -> str:
    if not touched:
        return "Done: there was nothing about you to delete."
    total = sum(touched.values())
    parts = ", ".join(f"{table} {count}" for table, count in sorted(touched.items()))
    return f"Done: deleted or cleared {total} row{'s' if total != 1 else ''} ({parts})."
