"""EPUB 2/3: recognised here, read by epub_read when a file is parsed.

epub_read parses the spine's XHTML with BeautifulSoup, whose import costs 0.1-0.2 s of
CPU. Every folder import's workers load the importers (to pick one for each file), and a
folder without EPUBs never needs it: so parse imports epub_read, not this module's top.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from bot.importers.base import ImportLimits
from bot.importers.epub_safety import EPUB_MIMETYPE
from bot.library.models import StoryDraft


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
        # Here, not at the top: it imports BeautifulSoup (module docstring).
        from bot.importers.epub_read import read_epub

        return read_epub(data, limits, self.name)
