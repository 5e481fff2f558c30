"""Any other HTML story file, including the project's own demo stories: recognised here,
read by generic_html_read when a file is parsed.

generic_html_read walks BeautifulSoup's tree, whose import costs 0.1-0.2 s of CPU. Every
folder import's workers load the importers (to pick one for each file), and a folder of
AO3 and FanFicFare files (read with lxml alone) never needs it: so parse imports
generic_html_read, not this module's top.
"""

from __future__ import annotations

import re

from bot.importers.ao3 import AO3HtmlImporter
from bot.importers.base import ImportLimits, looks_binary
from bot.importers.fanficfare_html import looks_like_fanficfare_html
from bot.library.models import StoryDraft

_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]", re.I)


class GenericHtmlImporter:
    name = "html"

    def sniff(self, data: bytes, filename: str) -> bool:
        head = data[:4096]
        if looks_binary(head) or not _HTML_START.search(head):
            return False
        if AO3HtmlImporter().sniff(data, filename):
            return False
        return not looks_like_fanficfare_html(data[:64 * 1024])

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft:
        # Here, not at the top: it imports BeautifulSoup (module docstring).
        from bot.importers.generic_html_read import read_generic_html

        return read_generic_html(data, limits, self.name)
