"""Opening an untrusted EPUB: zip-bomb checks on the raw bytes, then ebooklib under a budget.

ebooklib inflates every manifest entry as soon as a book is loaded, so nothing may reach it
before the archive has passed the checks made here with zipfile: the entry count, the
declared uncompressed sizes against the expansion cap, and the `mimetype` entry. Declared
sizes can lie, so ebooklib's one door into the archive, `EpubReader.read_file`, is replaced
by a streamed read that counts the bytes actually inflated against the same budget.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from urllib.parse import unquote

from ebooklib import epub
from lxml import etree

from bot.importers.base import ImportLimits
from bot.library.errors import ImportRejected

EPUB_MIMETYPE = b"application/epub+zip"
MAX_ENTRIES = 10_000
CONTAINER_PATH = "META-INF/container.xml"
DAMAGED = "the EPUB is damaged or incomplete"
TOO_BIG = "the EPUB unpacks to more than the size limit allows"
NO_PACKAGE = "the EPUB has no package document (OPF)"
_CHUNK = 64 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
               NotImplementedError)
# What ebooklib lets escape when a container, package or table of contents is malformed:
# it parses with recover=True and then walks whatever tree it got.
_PARSE_ERRORS = (epub.EpubException, etree.LxmlError, AssertionError, AttributeError, IndexError,
                 TypeError, ValueError, KeyError)


class CheckedArchive:
    """A zip whose size and layout passed the checks; reads count against the budget."""

    def __init__(self, data: bytes, limits: ImportLimits) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            raise ImportRejected(DAMAGED) from None
        if len(infos) > MAX_ENTRIES:
            raise ImportRejected("the EPUB holds too many files")
        self.budget = limits.max_expanded_bytes
        if sum(info.file_size for info in infos) > self.budget:
            raise ImportRejected(TOO_BIG)
        self.names = {info.filename for info in infos}
        if "mimetype" in self.names and self.read("mimetype").strip() != EPUB_MIMETYPE:
            raise ImportRejected("the file is a zip archive but not an EPUB")

    def read(self, name: str) -> bytes:
        """An entry's bytes, inflated in chunks so a falsified declared size cannot
        take more than the budget. KeyError when the archive has no such entry."""
        if name not in self.names:
            raise KeyError(name)
        chunks: list[bytes] = []
        try:
            with self._zip.open(name) as entry:
                while chunk := entry.read(_CHUNK):
                    self.budget -= len(chunk)
                    if self.budget < 0:
                        raise ImportRejected(TOO_BIG)
                    chunks.append(chunk)
        except _ZIP_ERRORS:
            raise ImportRejected(DAMAGED) from None
        return b"".join(chunks)


class _BudgetedEpubReader(epub.EpubReader):
    """ebooklib's reader with every archive read going through CheckedArchive.

    A manifest entry missing from the archive is read as empty and remembered instead of
    failing the whole book (an unused font or image often is); a missing spine document is
    reported by the importer when it needs it. `_load_container`, `_parse_ncx` and
    `_parse_nav` are ebooklib internals made forgiving here; should a later ebooklib rename
    them, these overrides go unused and its stricter reading applies (still one-line
    rejections, through load_epub).
    """

    opf_file: str  # set by ebooklib's container step: the package document's path
    opf_dir: str

    def __init__(self, data: bytes, archive: CheckedArchive) -> None:
        super().__init__(io.BytesIO(data), {"ignore_ncx": True})
        self.archive = archive
        self.missing: set[str] = set()

    def read_file(self, name: str) -> bytes:
        path = posixpath.normpath(name)
        if path not in self.archive.names and unquote(path) in self.archive.names:
            path = unquote(path)  # ebooklib leaves the nav document's href %-encoded
        required = (CONTAINER_PATH, posixpath.normpath(self.opf_file or "."))
        if path not in self.archive.names and path not in required:
            self.missing.add(path)
            return b""
        return self.archive.read(path)  # KeyError for container/package: ebooklib's contract

    def _load_container(self) -> None:
        # ebooklib's container step, made as forgiving as readers are: without a usable
        # META-INF/container.xml the archive's (first) package document is used.
        with contextlib.suppress(*_PARSE_ERRORS):
            super()._load_container()
        if posixpath.normpath(unquote(self.opf_file or ".")) in self.archive.names:
            self.opf_file = posixpath.normpath(unquote(self.opf_file))
        else:
            packages = sorted(name for name in self.archive.names if name.lower().endswith(".opf"))
            self.opf_file = packages[0] if packages else ""
        self.opf_dir = posixpath.dirname(self.opf_file)

    # A table of contents ebooklib cannot read (missing, malformed, no toc <nav>) costs only
    # the chapter titles, which then come from the chapters' own headings.
    def _parse_ncx(self, data: bytes) -> None:
        try:
            super()._parse_ncx(data)
        except _PARSE_ERRORS:
            self.book.toc = []

    def _parse_nav(self, data: bytes, base_path: str, navtype: str = "toc") -> None:
        try:
            super()._parse_nav(data, base_path, navtype)
        except _PARSE_ERRORS:
            if navtype == "toc":
                self.book.toc = []


@dataclass
class LoadedEpub:
    book: epub.EpubBook
    package_dir: str  # where the OPF lives; manifest hrefs are relative to it
    missing: set[str] = field(default_factory=set)  # manifest entries not in the archive

    def path_of(self, item: epub.EpubItem) -> str:
        return posixpath.normpath(posixpath.join(self.package_dir, item.get_name()))


def load_epub(data: bytes, limits: ImportLimits) -> LoadedEpub:
    """Check the archive, then let ebooklib read it. Raises ImportRejected with one line."""
    archive = CheckedArchive(data, limits)
    reader = _BudgetedEpubReader(data, archive)
    try:
        book = reader.load()
        reader.process()
    except ImportRejected:
        raise
    except _ZIP_ERRORS:
        raise ImportRejected(DAMAGED) from None
    except _PARSE_ERRORS:
        raise ImportRejected(_parse_failure(reader)) from None
    return LoadedEpub(book, reader.opf_dir, reader.missing)


def _parse_failure(reader: _BudgetedEpubReader) -> str:
    if not reader.opf_file:
        return NO_PACKAGE
    package = getattr(reader, "container", None)  # ebooklib's parsed OPF, once it has one
    if package is not None and package.getroot() is None:
        return f"the EPUB's {posixpath.basename(reader.opf_file)} is not readable XML"
    return DAMAGED
