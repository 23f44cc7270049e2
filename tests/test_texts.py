"""The message catalogue: every text in Vietnamese and English, with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from bot.texts import catalogue, render

HANDLERS = Path(__file__).parents[1] / "handlers"


def placeholders(template: str) -> set[str]:
    """The {names} a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_has_both_languages_and_the_same_placeholders() -> None:
    for key, entry in catalogue().items():
        assert set(entry) == {"vi", "en"}, key
        assert placeholders(entry["vi"]) == placeholders(entry["en"]), key
        assert entry["vi"].strip() and entry["en"].strip(), key


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert render("cancelled", "fr") == render("cancelled", "vi")


def test_handlers_reply_only_with_catalogue_keys() -> None:
    """ctx.reply(...) takes a key; the key must exist (no user text inside handlers)."""
    for path in HANDLERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("reply", "text")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                assert node.args[0].value in catalogue(), f"{path.name}: {node.args[0].value}"
