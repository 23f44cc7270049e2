"""Every user-facing string, in Vietnamese (default) and English, looked up by key.

Plain data and one render function: imports nothing of the bot.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.texts import admin, audit, common, links, verify

LANGUAGES = ("vi", "en")
Catalogue = Mapping[str, Mapping[str, str]]

_CATALOGUE: dict[str, Mapping[str, str]] = {}


def register(texts: Catalogue) -> None:
    """Add a conversation's texts; a key may be defined once only."""
    clash = set(texts) & set(_CATALOGUE)
    if clash:
        raise ValueError(f"text keys defined twice: {sorted(clash)}")
    _CATALOGUE.update(texts)


def catalogue() -> Mapping[str, Mapping[str, str]]:
    """All registered texts (read-only view for tests and tools)."""
    return _CATALOGUE


def has_text(key: str) -> bool:
    """Whether the catalogue has key (audit words fall back to what was stored)."""
    return key in _CATALOGUE


def render(key: str, lang: str, **params: object) -> str:
    """The text for key in lang (Vietnamese when lang is unknown), with params filled in."""
    entry = _CATALOGUE[key]
    template = entry.get(lang) or entry["vi"]
    return template.format(**params) if params else template


register(common.TEXTS)
register(verify.TEXTS)
register(admin.TEXTS)
register(links.TEXTS)
register(audit.TEXTS)
