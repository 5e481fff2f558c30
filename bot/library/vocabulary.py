"""The words every surface uses for the same fact: cards, lists and the command line.

One label for a story that names no fandom, and languages stored as a short code
("en", "pt-BR") but shown by name ("English", "Portuguese (Brazil)"). AO3 and FanFicFare
write the name, EPUB and HTML the code; both are stored the same way so a list or a
filter never sees "English" and "en" as two languages.
"""

from __future__ import annotations

# A file that names no fandom: we do not know it is original fiction, so we don't say so
# ("Original Work" is a real fandom tag that a story may carry).
NO_FANDOM = "No fandom given"

# The languages AO3 offers most, by ISO 639-1 code; names as AO3 shows them in English.
_NAMES: dict[str, str] = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fil": "Filipino", "fr": "French", "ga": "Irish",
    "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian", "ms": "Malay",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish",
    "ta": "Tamil", "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian",
    "vi": "Vietnamese", "zh": "Chinese",
}
_REGIONS: dict[str, str] = {
    "br": "Brazil", "pt": "Portugal", "gb": "UK", "us": "US", "mx": "Mexico",
    "es": "Spain", "cn": "Simplified", "tw": "Traditional", "hk": "Hong Kong",
}
# Names AO3 and FanFicFare write that are not simply the name above.
_NAME_ALIASES: dict[str, str] = {
    "english": "en", "deutsch": "de", "français": "fr", "español": "es",
    "italiano": "it", "português": "pt", "português brasileiro": "pt-BR",
    "português europeu": "pt-PT", "русский": "ru", "日本語": "ja", "中文": "zh",
    "中文-普通话 國語": "zh", "한국어": "ko", "polski": "pl", "nederlands": "nl",
    "svenska": "sv", "suomi": "fi", "türkçe": "tr", "українська": "uk",
    "bahasa indonesia": "id", "tiếng việt": "vi",
}
_CODE_BY_NAME = {name.lower(): code for code, name in _NAMES.items()} | _NAME_ALIASES


def language_code(language: str | None) -> str | None:
    """A language as stored: a code like "en" or "pt-BR"; text it cannot place is kept.

    Accepts a code in any case or with "_" ("EN", "en_gb") or a name ("English")."""
    if language is None or not language.strip():
        return None
    text = language.strip()
    known = _CODE_BY_NAME.get(text.lower())
    if known:
        return known
    base, _, region = text.replace("_", "-").partition("-")
    if base.lower() in _NAMES and (not region or region.isalnum()) and len(region) <= 4:
        return f"{base.lower()}-{region.upper()}" if region else base.lower()
    return text  # a language we have no code for is stored as written, never dropped


def language_name(language: str | None) -> str:
    """A stored language as a reader sees it: "en" -> "English", "pt-BR" ->
    "Portuguese (Brazil)"; anything else is shown as it was written."""
    if not language:
        return ""
    code = language_code(language) or ""
    base, _, region = code.partition("-")
    name = _NAMES.get(base)
    if name is None:
        return language
    if not region:
        return name
    return f"{name} ({_REGIONS.get(region.lower(), region)})"


def fandom_label(fandoms: list[str], limit: int | None = 1) -> str:
    """The fandom(s) shown in one line of a list: the first (or all), or NO_FANDOM."""
    shown = fandoms if limit is None else fandoms[:limit]
    return ", ".join(shown) or NO_FANDOM


def folded_note(more_by_author: int, more_in_series: int) -> str:
    """What the recommendation page left out beside one result, in words ("" for none)."""
    parts = []
    if more_by_author:
        parts.append(f"{more_by_author} more by the same author")
    if more_in_series:
        parts.append(f"{more_in_series} more in the same series")
    return "; ".join(parts)
