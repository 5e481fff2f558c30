"""AO3 "Download -> HTML" files: preface with the tag list, chapters, afterword.

Chapter-level summaries and notes (the "Chapter Notes" / "Chapter End Notes" blocks around
each chapter) are dropped: they are not story text, would be posted as excerpts, and would
make our word count disagree with AO3's. Work-level notes and end notes are kept.
"""

from __future__ import annotations

import re

from bs4 import Tag

from bot.importers.base import ImportLimits, has_words
from bot.importers.html_text import html_summary, html_to_markdown, parse_html, plain_text
from bot.library.errors import ImportRejected
from bot.library.models import Chapter, Rating, StoryDraft

_SNIFF_WINDOW = 64 * 1024
_WORK_URL = re.compile(r"archiveofourown\.org/works/(\d+)")
_CHAPTERS_STAT = re.compile(r"Chapters:\s*(\d+)\s*/\s*(\d+|\?)")

# dt label (lower case, no colon, singular) -> StoryDraft list field
_TAG_FIELDS = {
    "archive warning": "warnings",
    "category": "categories",
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "additional tag": "freeform",
}


def _label(dt: Tag) -> str:
    text = plain_text(dt).rstrip(":").strip().lower()
    if text == "series":
        return text
    if text.endswith("categories"):
        return text[: -len("categories")] + "category"
    return text[:-1] if text.endswith("s") else text


def rating_from_ao3(name: str) -> Rating:
    for rating in Rating:
        if rating.value.lower() == name.strip().lower():
            return rating
    return Rating.NOT_RATED


class AO3HtmlImporter:
    name = "ao3-html"

    def sniff(self, data: bytes, filename: str) -> bool:
        head = data[:_SNIFF_WINDOW]
        if b'id="preface"' not in head:
            return False
        return b'class="tags"' in head or b"Archive of Our Own" in head

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft:
        if len(data) > limits.max_bytes:
            raise ImportRejected("the file is larger than the import limit")
        soup = parse_html(data)
        preface = soup.find(id="preface")
        if not isinstance(preface, Tag):
            raise ImportRejected("this does not look like an AO3 download (no preface)")
        meta = preface.find(class_="meta") or preface
        draft = StoryDraft(
            title=plain_text(meta.find("h1")) or plain_text(soup.find("title")),
            authors=_authors(meta),
            chapters=_chapters(soup),
            format=self.name,
        )
        if not draft.title:
            raise ImportRejected("the AO3 file has no title")
        if not has_words(draft.chapters):
            raise ImportRejected("the AO3 file has no story text")
        tags = meta.find("dl", class_="tags")
        if isinstance(tags, Tag):
            _apply_tag_list(draft, tags)
        draft.summary = html_summary(_labelled_block(meta, "Summary"))
        draft.notes = html_summary(_labelled_block(meta, "Notes"))
        endnotes = soup.find(id="endnotes")
        if isinstance(endnotes, Tag):
            draft.end_notes = html_summary(endnotes.find("blockquote"))
        draft.source = _work_url(preface)
        return draft


def _authors(meta: Tag) -> list[str]:
    byline = meta.find(class_="byline")
    if not isinstance(byline, Tag):
        return []
    names = [plain_text(a) for a in byline.find_all("a", rel="author")]
    if names:
        return [name for name in names if name]
    # Anonymous works and orphaned ones have no author link: keep what the byline says.
    text = re.sub(r"^by\s+", "", plain_text(byline))
    return [text] if text else []


def _apply_tag_list(draft: StoryDraft, tags: Tag) -> None:
    for dt in tags.find_all("dt"):
        dd = dt.find_next_sibling("dd")
        if not isinstance(dd, Tag):
            continue
        label = _label(dt)
        values = [plain_text(a) for a in dd.find_all("a")] or [plain_text(dd)]
        values = [value for value in values if value]
        if label == "rating" and values:
            draft.rating = rating_from_ao3(values[0])
        elif label in _TAG_FIELDS:
            getattr(draft, _TAG_FIELDS[label]).extend(values)
        elif label == "language":
            draft.language = plain_text(dd) or None
        elif label == "series":
            link = dd.find("a")
            draft.series = plain_text(link) if isinstance(link, Tag) else None
        elif label == "stat":
            _apply_stats(draft, plain_text(dd))


def _apply_stats(draft: StoryDraft, stats: str) -> None:
    match = _CHAPTERS_STAT.search(stats)
    if match is None:
        return
    posted, planned = int(match.group(1)), match.group(2)
    draft.expected_chapters = None if planned == "?" else int(planned)
    finished = draft.expected_chapters is not None and posted >= draft.expected_chapters
    draft.complete = finished or "Completed:" in stats


def _labelled_block(meta: Tag, label: str) -> Tag | None:
    """The blockquote after a <p>Summary</p> / <p>Notes</p> label, if there is one."""
    for paragraph in meta.find_all("p", recursive=False):
        if plain_text(paragraph) != label:
            continue
        following = paragraph.find_next_sibling()
        # "See the end of the work for notes" (div.endnote-link) is not a note.
        if isinstance(following, Tag) and following.name == "blockquote":
            return following
        return None
    return None


def _work_url(preface: Tag) -> str | None:
    for link in preface.find_all("a", href=True):
        match = _WORK_URL.search(str(link["href"]))
        if match:
            return f"https://archiveofourown.org/works/{match.group(1)}"
    return None


def _chapters(soup: Tag) -> list[Chapter]:
    container = soup.find(id="chapters")
    if not isinstance(container, Tag):
        raise ImportRejected("the AO3 file has no chapters")
    headers = container.find_all("div", class_="group", recursive=False)
    if not headers:
        body = container.find("div", class_="userstuff", recursive=False) or container
        heading = container.find(class_="toc-heading")
        title = plain_text(heading) if isinstance(heading, Tag) else ""
        if isinstance(heading, Tag) and body is container:
            heading.decompose()
        return [Chapter(1, title, html_to_markdown(body))]
    chapters: list[Chapter] = []
    for number, header in enumerate(headers, start=1):
        userstuff = header.find_next_sibling("div", class_="userstuff")
        text = html_to_markdown(userstuff) if isinstance(userstuff, Tag) else ""
        chapters.append(Chapter(number, plain_text(header.find(class_="heading")), text))
    return chapters
