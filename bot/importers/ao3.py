"""AO3 "Download -> HTML" files: preface with the tag list, chapters, afterword.

Chapter-level summaries and notes (the "Chapter Notes" / "Chapter End Notes" blocks around
each chapter) are dropped: they are not story text, would be posted as excerpts, and would
make our word count disagree with AO3's. Work-level notes and end notes are kept.

Read from lxml's tree (bot.importers.lxml_text): for a long work, BeautifulSoup's tree
alone cost more than reading the text out of it.
"""

from __future__ import annotations

import re

from bot.importers.base import ImportLimits, has_words
from bot.importers.lxml_text import (
    Element,
    classes,
    elements,
    first,
    next_sibling,
    parse_document,
    plain_text,
    remove,
    story_text,
    summary_text,
)
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


def _label(dt: Element) -> str:
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
        root = parse_document(data)
        preface = first(root, id="preface")
        if root is None or preface is None:
            raise ImportRejected("this does not look like an AO3 download (no preface)")
        found_meta = first(preface, class_="meta")
        meta = found_meta if found_meta is not None else preface
        draft = StoryDraft(
            title=plain_text(first(meta, "h1")) or plain_text(first(root, "title")),
            authors=_authors(meta),
            chapters=_chapters(root),
            format=self.name,
        )
        if not draft.title:
            raise ImportRejected("the AO3 file has no title")
        if not has_words(draft.chapters):
            raise ImportRejected("the AO3 file has no story text")
        tags = first(meta, "dl", class_="tags")
        if tags is not None:
            _apply_tag_list(draft, tags)
        draft.summary = summary_text(_labelled_block(meta, "Summary"))
        draft.notes = summary_text(_labelled_block(meta, "Notes"))
        endnotes = first(root, id="endnotes")
        if endnotes is not None:
            draft.end_notes = summary_text(first(endnotes, "blockquote"))
        draft.source = _work_url(preface)
        return draft


def _authors(meta: Element) -> list[str]:
    byline = first(meta, class_="byline")
    if byline is None:
        return []
    names = [plain_text(a) for a in elements(byline, "a")
             if "author" in (a.get("rel") or "").split()]
    if names:
        return [name for name in names if name]
    # Anonymous works and orphaned ones have no author link: keep what the byline says.
    text = re.sub(r"^by\s+", "", plain_text(byline))
    return [text] if text else []


def _apply_tag_list(draft: StoryDraft, tags: Element) -> None:
    for dt in elements(tags, "dt"):
        dd = next_sibling(dt, "dd")
        if dd is None:
            continue
        label = _label(dt)
        values = [plain_text(a) for a in elements(dd, "a")] or [plain_text(dd)]
        values = [value for value in values if value]
        if label == "rating" and values:
            draft.rating = rating_from_ao3(values[0])
        elif label in _TAG_FIELDS:
            getattr(draft, _TAG_FIELDS[label]).extend(values)
        elif label == "language":
            draft.language = plain_text(dd) or None
        elif label == "series":
            link = first(dd, "a")
            draft.series = plain_text(link) if link is not None else None
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


def _labelled_block(meta: Element, label: str) -> Element | None:
    """The blockquote after a <p>Summary</p> / <p>Notes</p> label, if there is one."""
    for paragraph in meta:
        if paragraph.tag != "p" or plain_text(paragraph) != label:
            continue
        following = next_sibling(paragraph)
        # "See the end of the work for notes" (div.endnote-link) is not a note.
        if following is not None and following.tag == "blockquote":
            return following
        return None
    return None


def _work_url(preface: Element) -> str | None:
    for link in elements(preface, "a"):
        href = link.get("href")
        match = _WORK_URL.search(href) if href is not None else None
        if match:
            return f"https://archiveofourown.org/works/{match.group(1)}"
    return None


def _chapters(root: Element) -> list[Chapter]:
    container = first(root, id="chapters")
    if container is None:
        raise ImportRejected("the AO3 file has no chapters")
    headers = [child for child in container
               if child.tag == "div" and "group" in classes(child)]
    if not headers:
        userstuff = first(container, "div", class_="userstuff", children_only=True)
        body = userstuff if userstuff is not None else container
        heading = first(container, class_="toc-heading")
        title = plain_text(heading) if heading is not None else ""
        if heading is not None and body is container:
            remove(heading)
        return [Chapter(1, title, story_text(body))]
    chapters: list[Chapter] = []
    for number, header in enumerate(headers, start=1):
        userstuff = next_sibling(header, "div", class_="userstuff")
        text = story_text(userstuff) if userstuff is not None else ""
        chapters.append(Chapter(number, plain_text(first(header, class_="heading")), text))
    return chapters
