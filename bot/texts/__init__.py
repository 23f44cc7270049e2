"""Every user-facing string, in Vietnamese (default) and English, looked up by key.

Plain data and one render function; an operator's overrides (BOT_TEXTS_FILE, read and checked
by bot.texts.overrides) take precedence over the built-in texts. May import the core modules
(bot.config) and zalo_api only.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.texts import admin, audit_lines, common, connecting, linking, verify

LANGUAGES = ("vi", "en")
Catalogue = Mapping[str, Mapping[str, str]]

_CATALOGUE: dict[str, Mapping[str, str]] = {}
# The operator's texts by key and language (BOT_TEXTS_FILE), set once at start-up.
_OVERRIDES: dict[str, dict[str, str]] = {}


def register(texts: Catalogue) -> None:
    """Add a conversation's texts; a key may be defined once only."""
    clash = set(texts) & set(_CATALOGUE)
    if clash:
        raise ValueError(f"text keys defined twice: {sorted(clash)}")
    _CATALOGUE.update(texts)


def catalogue() -> Mapping[str, Mapping[str, str]]:
    """All built-in texts (read-only view for tests and tools)."""
    return _CATALOGUE


def use_overrides(overrides: Mapping[str, Mapping[str, str]]) -> None:
    """Replace the operator's texts with these (already checked); {} restores the built-ins."""
    _OVERRIDES.clear()
    _OVERRIDES.update({key: dict(entry) for key, entry in overrides.items()})


def has_text(key: str) -> bool:
    """Whether the catalogue has key (audit words fall back to what was stored)."""
    return key in _CATALOGUE


def render(key: str, lang: str, **params: object) -> str:
    """The text for key in lang (the operator's first; Vietnamese when lang is unknown), with
    params filled in."""
    entry, own = _CATALOGUE[key], _OVERRIDES.get(key, {})
    template = own.get(lang) or entry.get(lang) or own.get("vi") or entry["vi"]
    return template.format(**params) if params else template


register(common.TEXTS)
register(verify.TEXTS)
register(admin.TEXTS)
register(linking.TEXTS)
register(audit_lines.TEXTS)
register(connecting.TEXTS)
