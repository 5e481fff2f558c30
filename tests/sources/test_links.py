"""Which links are stories: found in a message, judged by FanFicFare's adapters, no network."""

from __future__ import annotations

import pytest

from bot.sources import NotAStoryLink, UnsupportedSite, find_links, parse_link, supported_sites


def test_links_are_found_in_a_message_once_each_without_wrapping_punctuation() -> None:
    message = (
        "read this!! <https://archiveofourown.org/works/123/chapters/456> and "
        "[that one](https://www.fanfiction.net/s/99/1/Title). Also "
        "https://archiveofourown.org/works/123/chapters/456, again; and example.com"
    )
    assert find_links(message) == [
        "https://archiveofourown.org/works/123/chapters/456",
        "https://www.fanfiction.net/s/99/1/Title",
    ]


def test_a_chapter_link_names_the_whole_work() -> None:
    link = parse_link("https://archiveofourown.org/works/123/chapters/456?view_adult=true")
    assert link.url == "https://archiveofourown.org/works/123"
    assert link.site == "archiveofourown.org"


def test_a_chapter_range_suffix_is_ignored() -> None:
    assert parse_link("http://test1.com?sid=2[2-3]").url == "http://test1.com?sid=2"


def test_an_unsupported_site_is_named_with_sites_that_are() -> None:
    with pytest.raises(UnsupportedSite) as caught:
        parse_link("https://www.example.com/my-story")
    message = str(caught.value)
    assert message.startswith("storybot cannot read links from example.com;")
    assert "archiveofourown.org" in message and "fanfiction.net" in message
    assert f"{len(supported_sites())} sites" in message
    assert "\n" not in message


def test_a_supported_site_page_that_is_not_a_story_says_what_one_looks_like() -> None:
    with pytest.raises(NotAStoryLink) as caught:
        parse_link("https://archiveofourown.org/users/someone")
    assert "archiveofourown.org link is not a story page" in str(caught.value)
    assert "https://archiveofourown.org/works/" in str(caught.value)


def test_the_site_list_is_fanficfares_without_its_test_sites() -> None:
    sites = supported_sites()
    assert "archiveofourown.org" in sites and "www.royalroad.com" in sites
    assert not any(site.startswith("test") and site.endswith(".com") for site in sites)
