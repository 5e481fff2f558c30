"""Hostile-input tests run against the same real bot and stand-in as the end-to-end suite."""

from tests.e2e.conftest import demo_library_template, sandbox, settings, storybot

__all__ = ["demo_library_template", "sandbox", "settings", "storybot"]
