"""FanFicFare's single-file HTML: <h1> title/authors, a label table, then one anchored
`<a name="sectionNNNN"><h2>title</h2></a><div>text</div>` per chapter.

Read from lxml's tree (bot.importers.lxml_text): a folder of thousands of these is the
common bulk import, and BeautifulSoup's tree costs more than everything else here."""

from __future__ import annotations

import re

from bot.importers.base import ImportLimits, has_words
from bot.importers.fanficfare import apply_fields
from bot.importers.lxml_text import (
    Element,
    classes,
    elements,
    parse_document,
    plain_text,
    story_text,
    summary_text,
)
from bot.library.errors import ImportRejected
from bot.library.models import Chapter, StoryDraft

_SNIFF_WINDOW = 64 * 1024
_SECTION = re.compile(r"^section\d+$")


def looks_like_fanficfare_html(head: bytes) -> bool:
    if b'id="preface"' in head:
        return False  # AO3's own download
    anchors = b'name="TOCTOP"' in head or b'name="section0001"' in head
    return anchors and (b"authorlink" in head or b'<table class="full">' in head)


class FanFicFareHtmlImporter:
    name = "fanficfare-html"

    def sniff(self, data: bytes, filename: str) -> bool:
        return looks_like_fanficfare_html(data[:_SNIFF_WINDOW])

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft:
        if len(data) > limits.max_bytes:
            raise ImportRejected("the file is larger than the import limit")
        root = parse_document(data)
        heading = next(elements(root, "h1"), None) if root is not None else None
        if root is None or heading is None:
            raise ImportRejected("this FanFicFare file has no title heading")
        title, authors, url = _title_line(heading)
        draft = StoryDraft(title=title, authors=authors, chapters=_chapters(root), format=self.name)
        if not draft.title:
            raise ImportRejected("this FanFicFare file has no title")
        if not has_words(draft.chapters):
            raise ImportRejected("this FanFicFare file has no story text")
        draft.source = url
        fields, summary = _label_table(root)
        apply_fields(draft, fields, summary)
        return draft


def _title_line(heading: Element) -> tuple[str, list[str], str | None]:
    """`<h1><a href=story>Title</a> by <a class=authorlink>A</a>, ...</h1>`."""
    links = list(elements(heading, "a"))
    authors = [plain_text(a) for a in links if "authorlink" in classes(a)]
    title_link = next((a for a in links if "authorlink" not in classes(a)), None)
    text = plain_text(heading)
    if title_link is not None:
        title = plain_text(title_link)
    else:
        title = text.rsplit(" by ", 1)[0] if " by " in text else text
    if not authors and " by " in text:
        authors = [name.strip() for name in text.rsplit(" by ", 1)[1].split(",") if name.strip()]
    url = str(title_link.get("href")) if title_link is not None and title_link.get("href") else None
    return title, authors, url


def _label_table(root: Element) -> tuple[dict[str, str], str]:
    fields: dict[str, str] = {}
    summary = ""
    table = next(elements(root, "table"), None)
    if table is None:
        return fields, summary
    for row in elements(table, "tr"):
        cells = list(elements(row, "td"))
        if len(cells) < 2:
            continue
        label = plain_text(cells[0]).rstrip(":").strip().lower()
        if label == "summary":
            summary = summary_text(cells[1])
        else:
            fields[label] = plain_text(cells[1])
    return fields, summary


def _chapters(root: Element) -> list[Chapter]:
    chapters: list[Chapter] = []
    for anchor in elements(root, "a"):
        if not _SECTION.search(anchor.get("name") or ""):
            continue
        body = next((s for s in anchor.itersiblings() if s.tag == "div"), None)
        text = story_text(body) if body is not None else ""
        chapters.append(Chapter(len(chapters) + 1, plain_text(anchor), text))
    if not chapters:
        raise ImportRejected("this FanFicFare file has no chapters")
    return chapters
