"""EPUB 2/3: metadata from the OPF package, chapters from the spine.

Read with zipfile + lxml rather than ebooklib: ebooklib inflates every entry up front, and
we must check a zip bomb before anything is inflated (declared sizes) and while reading
(actual sizes, since declared ones can lie).

FanFicFare EPUBs carry a title page with the same labelled list as its HTML and TXT; for
those the list is used (so the three formats agree) and FanFicFare's default dc:language
"en" is ignored unless the title page names a language.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import unquote

from bs4 import BeautifulSoup, Tag
from lxml import etree

from bot.importers.base import ImportLimits
from bot.importers.fanficfare import apply_fields
from bot.importers.html_text import html_summary, html_to_markdown, parse_html, plain_text
from bot.importers.html_text import plain_text_to_markdown as plain_summary
from bot.library.errors import ImportRejected
from bot.library.models import Chapter, StoryDraft

EPUB_MIMETYPE = b"application/epub+zip"
MAX_ENTRIES = 10_000
_DAMAGED = "the EPUB is damaged or incomplete"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                              huge_tree=False)
# Spine documents that are not story text, recognised by their manifest id or file name.
_FRONT_MATTER = ("title_page", "titlepage", "title-page", "toc", "nav", "cover", "contents")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


class _GuardedZip:
    """Reads entries while counting inflated bytes against the expansion budget."""

    def __init__(self, data: bytes, limits: ImportLimits) -> None:
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            raise ImportRejected(_DAMAGED) from None
        if len(infos) > MAX_ENTRIES:
            raise ImportRejected("the EPUB holds too many files")
        self.budget = limits.max_expanded_bytes
        if sum(info.file_size for info in infos) > self.budget:
            raise ImportRejected("the EPUB unpacks to more than the size limit allows")
        self.names = {info.filename for info in infos}

    def read(self, name: str) -> bytes:
        if name not in self.names:
            raise ImportRejected(f"the EPUB lists a file it does not contain ({name})")
        chunks: list[bytes] = []
        try:
            with self.archive.open(name) as entry:
                while chunk := entry.read(64 * 1024):
                    self.budget -= len(chunk)
                    if self.budget < 0:
                        raise ImportRejected("the EPUB unpacks to more than the size limit allows")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
            raise ImportRejected(_DAMAGED) from None
        return b"".join(chunks)

    def xml(self, name: str) -> etree._Element:
        try:
            root = etree.fromstring(self.read(name), _XML_PARSER)
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise ImportRejected(f"the EPUB's {posixpath.basename(name)} is not readable XML")
        return root


@dataclass
class _SpineItem:
    path: str
    item_id: str
    properties: str
    media_type: str


class EpubImporter:
    name = "epub"

    def sniff(self, data: bytes, filename: str) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        # The spec puts an uncompressed "mimetype" entry first: readable even when truncated.
        if data[30:38] == b"mimetype" and EPUB_MIMETYPE in data[38:120]:
            return True
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                info = archive.getinfo("mimetype")
                return info.file_size < 100 and archive.read(info).strip() == EPUB_MIMETYPE
        except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
            return False

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft:
        if len(data) > limits.max_bytes:
            raise ImportRejected("the file is larger than the import limit")
        archive = _GuardedZip(data, limits)
        if "mimetype" in archive.names and archive.read("mimetype").strip() != EPUB_MIMETYPE:
            raise ImportRejected("the file is a zip archive but not an EPUB")
        opf_path = _package_path(archive)
        package = archive.xml(opf_path)
        metadata = _metadata(package)
        spine = _spine(package, posixpath.dirname(opf_path))
        titles = _toc_titles(archive, package, posixpath.dirname(opf_path))
        draft = StoryDraft(
            title=(metadata.get("title") or [""])[0],
            authors=metadata.get("creator", []),
            chapters=[],
            freeform=metadata.get("subject", []),
            language=next(iter(metadata.get("language", [])), None),
            format=self.name,
        )
        description = (metadata.get("description") or [""])[0]
        draft.summary = html_summary(description) if "<" in description else plain_summary(
            description)
        draft.source = _source_url(metadata)
        title_page: Tag | None = None
        for item in spine:
            soup = parse_html(archive.read(item.path))
            body = soup.body or soup
            if "fff_titlepage" in (body.get("class") or []):
                title_page = body
                continue
            if _is_front_matter(item):
                continue
            chapter = _chapter(body, soup, titles.get(item.path), len(draft.chapters) + 1)
            if chapter is not None:
                draft.chapters.append(chapter)
        if not draft.chapters:
            raise ImportRejected("the EPUB has no story text")
        if title_page is not None:
            _apply_fanficfare_title_page(draft, title_page)
        if not draft.title:
            raise ImportRejected("the EPUB has no title")
        return draft


def _package_path(archive: _GuardedZip) -> str:
    if "META-INF/container.xml" in archive.names:
        container = archive.xml("META-INF/container.xml")
        for element in container.iter():
            if _local(element) == "rootfile" and element.get("full-path"):
                path = unquote(element.get("full-path", ""))
                if path in archive.names:
                    return path
    candidates = sorted(name for name in archive.names if name.lower().endswith(".opf"))
    if not candidates:
        raise ImportRejected("the EPUB has no package document (OPF)")
    return candidates[0]


def _metadata(package: etree._Element) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for block in package:
        if _local(block) != "metadata":
            continue
        for element in block.iter():
            name = _local(element)
            text = " ".join("".join(element.itertext()).split())
            if not text or element is block:
                continue
            if name == "creator" and _role(element) not in ("", "aut"):
                continue
            if name == "identifier" and not text.lower().startswith("http"):
                continue
            values.setdefault(name, []).append(text)
    return values


def _role(element: etree._Element) -> str:
    for key, value in element.attrib.items():
        if etree.QName(key).localname == "role":
            return value.strip().lower()
    return ""


def _source_url(metadata: dict[str, list[str]]) -> str | None:
    for value in metadata.get("source", []) + metadata.get("identifier", []):
        if value.lower().startswith(("http://", "https://")):
            return value
    return None


def _manifest(package: etree._Element, base: str) -> dict[str, _SpineItem]:
    items: dict[str, _SpineItem] = {}
    for element in package.iter():
        if _local(element) == "item" and element.get("id") and element.get("href"):
            path = posixpath.normpath(posixpath.join(base, unquote(element.get("href", ""))))
            items[element.get("id", "")] = _SpineItem(
                path, element.get("id", ""), element.get("properties", ""),
                element.get("media-type", ""),
            )
    return items


def _spine(package: etree._Element, base: str) -> list[_SpineItem]:
    manifest = _manifest(package, base)
    spine = [
        manifest[ref.get("idref", "")]
        for ref in package.iter()
        if _local(ref) == "itemref" and ref.get("idref") in manifest and ref.get("linear") != "no"
    ]
    return [item for item in spine if "html" in item.media_type or item.media_type == ""]


def _is_front_matter(item: _SpineItem) -> bool:
    if "nav" in item.properties.split():
        return True
    stem = posixpath.splitext(posixpath.basename(item.path))[0].lower()
    return item.item_id.lower() in _FRONT_MATTER or stem in _FRONT_MATTER


def _toc_titles(archive: _GuardedZip, package: etree._Element, base: str) -> dict[str, str]:
    """Chapter titles by document path, from the EPUB 2 NCX (or the EPUB 3 nav document)."""
    titles: dict[str, str] = {}
    for item in _manifest(package, base).values():
        if item.media_type == "application/x-dtbncx+xml":
            ncx = archive.xml(item.path)
            for point in ncx.iter():
                if _local(point) != "navPoint":
                    continue
                label = next((e for e in point.iter() if _local(e) == "text"), None)
                content = next((e for e in point.iter() if _local(e) == "content"), None)
                if label is not None and content is not None:
                    _add_title(titles, posixpath.dirname(item.path), content.get("src", ""),
                               "".join(label.itertext()))
        elif "nav" in item.properties.split():
            nav = parse_html(archive.read(item.path))
            for link in nav.find_all("a", href=True):
                _add_title(titles, posixpath.dirname(item.path), str(link["href"]),
                           plain_text(link))
    return titles


def _add_title(titles: dict[str, str], base: str, href: str, label: str) -> None:
    path = posixpath.normpath(posixpath.join(base, unquote(href.split("#", 1)[0])))
    label = " ".join(label.split())
    if label:
        titles.setdefault(path, label)


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
