"""EPUB 2/3 read into a StoryDraft: metadata from the OPF package, chapters from the spine,
read with ebooklib (EpubImporter.parse, in epub.py, imports this module when it parses).

epub_safety checks the archive (zip bombs, falsified sizes) before and while ebooklib reads
it; this module turns the loaded book into a StoryDraft. The spine's documents are read
with BeautifulSoup (html_text), which is why this is not imported with the importers.

FanFicFare EPUBs carry a title page with the same labelled list as its HTML and TXT; for
those the list is used (so the three formats agree) and FanFicFare's default dc:language
"en" is ignored unless the title page names a language.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote

from bs4 import BeautifulSoup, Tag
from ebooklib import epub

from bot.importers.base import ImportLimits
from bot.importers.epub_safety import load_epub
from bot.importers.fanficfare import apply_fields
from bot.importers.html_rules import plain_text_to_markdown as plain_summary
from bot.importers.html_text import html_summary, html_to_markdown, parse_html, plain_text
from bot.library.errors import ImportRejected
from bot.library.models import Chapter, StoryDraft

# Spine documents that are not story text, recognised by their manifest id or file name.
_FRONT_MATTER = ("title_page", "titlepage", "title-page", "toc", "nav", "cover", "contents")


def read_epub(data: bytes, limits: ImportLimits, format_name: str) -> StoryDraft:
    """The StoryDraft of an EPUB file (EpubImporter.parse; format_name is its name)."""
    if len(data) > limits.max_bytes:
        raise ImportRejected("the file is larger than the import limit")
    loaded = load_epub(data, limits)
    book = loaded.book
    draft = StoryDraft(
        title=next(iter(_dc(book, "title")), ""),
        authors=_authors(book),
        chapters=[],
        freeform=_dc(book, "subject"),
        language=next(iter(_dc(book, "language")), None),
        format=format_name,
    )
    description = next(iter(_dc(book, "description")), "")
    draft.summary = html_summary(description) if "<" in description else plain_summary(
        description)
    draft.source = _source_url(book)
    titles = _toc_titles(book)
    title_page: Tag | None = None
    for item in _spine_documents(book):
        if loaded.path_of(item) in loaded.missing:
            raise ImportRejected(
                f"the EPUB lists a file it does not contain ({loaded.path_of(item)})")
        soup = parse_html(item.content or b"")
        body = soup.body or soup
        if "fff_titlepage" in (body.get("class") or []):
            title_page = body
            continue
        if _is_front_matter(item):
            continue
        toc_title = titles.get(posixpath.normpath(item.get_name()))
        chapter = _chapter(body, soup, toc_title, len(draft.chapters) + 1)
        if chapter is not None:
            draft.chapters.append(chapter)
    if not draft.chapters:
        raise ImportRejected("the EPUB has no story text")
    if title_page is not None:
        _apply_fanficfare_title_page(draft, title_page)
    if not draft.title:
        raise ImportRejected("the EPUB has no title")
    return draft


def _dc_entries(book: epub.EpubBook, name: str) -> list[tuple[str, dict[str, str]]]:
    """(text, attributes) of each dc:<name>, text whitespace-collapsed, empty ones dropped."""
    try:
        entries = book.get_metadata("DC", name)
    except KeyError:  # a package without the Dublin Core namespace
        return []
    collapsed = ((" ".join((value or "").split()), attrs or {}) for value, attrs in entries)
    return [(text, attrs) for text, attrs in collapsed if text]


def _dc(book: epub.EpubBook, name: str) -> list[str]:
    return [text for text, _ in _dc_entries(book, name)]


def _authors(book: epub.EpubBook) -> list[str]:
    """dc:creator entries, except those whose opf:role says they are not the author."""
    return [text for text, attrs in _dc_entries(book, "creator") if _role(attrs) in ("", "aut")]


def _role(attrs: dict[str, str]) -> str:
    for key, value in attrs.items():
        if key.rsplit("}", 1)[-1] == "role":  # opf:role, whatever the prefix
            return value.strip().lower()
    return ""


def _source_url(book: epub.EpubBook) -> str | None:
    for value in _dc(book, "source") + _dc(book, "identifier"):
        if value.lower().startswith(("http://", "https://")):
            return value
    return None


def _spine_documents(book: epub.EpubBook) -> list[epub.EpubItem]:
    """The linear spine's (X)HTML documents, in reading order."""
    by_id = {item.get_id(): item for item in book.get_items()}
    documents = []
    for idref, linear in book.spine:
        item = by_id.get(idref)
        if item is None or linear == "no":
            continue
        media_type = item.media_type or ""
        if "html" in media_type or media_type == "":
            documents.append(item)
    return documents


def _is_front_matter(item: epub.EpubItem) -> bool:
    if isinstance(item, epub.EpubNav) or "nav" in getattr(item, "properties", []):
        return True
    stem = posixpath.splitext(posixpath.basename(item.get_name()))[0].lower()
    return (item.get_id() or "").lower() in _FRONT_MATTER or stem in _FRONT_MATTER


def _toc_titles(book: epub.EpubBook) -> dict[str, str]:
    """Chapter titles by document path (relative to the package), from ebooklib's book.toc.

    ebooklib reads the EPUB 3 nav document when there is one (its hrefs already relative
    to the package), else the EPUB 2 NCX (hrefs relative to the NCX file).
    """
    items = list(book.get_items())
    if any(isinstance(item, epub.EpubNav) for item in items):
        base = ""
    else:
        ncx = next((item for item in items if isinstance(item, epub.EpubNcx)), None)
        base = posixpath.dirname(ncx.get_name()) if ncx is not None else ""
    titles: dict[str, str] = {}
    for link in _toc_links(book.toc):
        path = posixpath.normpath(posixpath.join(base, unquote(link.href.split("#", 1)[0])))
        label = " ".join((link.title or "").split())
        if label:
            titles.setdefault(path, label)
    return titles


def _toc_links(entries: Iterable[Any]) -> Iterator[epub.Link | epub.Section]:
    """Flatten ebooklib's toc: Links, Sections, and (Section, [children]) pairs."""
    for entry in entries:
        if isinstance(entry, tuple):
            section, children = entry
            yield from _toc_links([section])
            yield from _toc_links(children)
        elif isinstance(entry, (epub.Link, epub.Section)) and entry.href:
            yield entry


def _chapter(body: Tag, soup: BeautifulSoup, toc_title: str | None, number: int) -> Chapter | None:
    heading = body.find(class_="fff_chapter_title") or body.find(["h1", "h2", "h3"])
    title = toc_title or (plain_text(heading) if isinstance(heading, Tag) else "")
    title = title or plain_text(soup.find("title")) or f"Chapter {number}"
    if isinstance(heading, Tag) and plain_text(heading) == title:
        heading.decompose()  # the title is kept as the chapter title, not as text
    text = html_to_markdown(body)
    if not text.strip():
        return None  # a cover image or an empty separator page
    return Chapter(number, title, text)


def _apply_fanficfare_title_page(draft: StoryDraft, page: Tag) -> None:
    """`<b>Label:</b> value<br/>` pairs; the summary value is a <div> of HTML."""
    fields: dict[str, str] = {}
    summary = ""
    for label_tag in page.find_all("b"):
        label = plain_text(label_tag).rstrip(":").strip().lower()
        if not label:
            continue
        parts: list[str] = []
        for sibling in label_tag.next_siblings:
            if isinstance(sibling, Tag) and sibling.name in ("br", "b"):
                break
            if isinstance(sibling, Tag) and label == "summary":
                summary = html_summary(sibling)
            parts.append(sibling.get_text(" ") if isinstance(sibling, Tag) else str(sibling))
        fields[label] = " ".join(" ".join(parts).split())
    draft.freeform = []  # dc:subject mixes every kind of tag; the labelled list is exact
    draft.language = None
    apply_fields(draft, fields, summary or draft.summary)
