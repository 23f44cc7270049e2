"""The portal demo page speaks one language, BOT_LANGUAGE's, and says every API answer in it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot import create_app
from bot.ops.localrun import SANDBOX_PORTAL_API_KEY, portal_key_lines
from bot.web.simulator.portal_texts import PAGE, SCRIPT

OPENAPI = Path(__file__).resolve().parents[1] / "bot" / "portal" / "openapi.json"


@pytest.mark.parametrize(
    ("lang", "present", "absent"),
    [
        ("vi", ["Xác thực số điện thoại", "Nhận mã qua", "Gửi mã"], ["Verify your", "Send code"]),
        ("en", ["Verify your phone number", "Get the code by", "Send code"], ["Gửi mã", "Xác"]),
    ],
)
def test_the_page_is_in_bot_language(
    config: dict[str, Any], lang: str, present: list[str], absent: list[str]
) -> None:
    app = create_app({**config, "BOT_LANGUAGE": lang, "PORTAL_API_KEY": "k"})
    html = app.test_client().get("/simulator/portal").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert all(words in html for words in present)
    assert not any(words in html for words in absent)
    words = json.loads(re.search(r'<script id="words"[^>]*>(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    assert words == {**SCRIPT[lang], "link_send": PAGE[lang]["link_send"]}


def documented_errors() -> set[str]:
    """Every `error` code the OpenAPI document names (in its enums), and the wrong API key."""
    codes: set[str] = {"unauthorized"}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            error = node.get("properties", {}).get("error", {})
            codes.update(error.get("enum", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(OPENAPI.read_text()))
    return codes


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_refusal_the_api_documents_has_words(lang: str) -> None:
    errors = documented_errors()
    assert {"phone_in_use", "unknown_oa", "unavailable"} <= errors  # the enums were found
    assert errors <= set(SCRIPT[lang]), errors - set(SCRIPT[lang])
    assert set(SCRIPT[lang]) == set(SCRIPT["en"]) and set(PAGE[lang]) == set(PAGE["en"])


def test_make_run_prints_the_export_line_the_readmes_curl_block_uses() -> None:
    printed = portal_key_lines(SANDBOX_PORTAL_API_KEY).splitlines()[-1].strip()
    assert printed == "export PORTAL_API_KEY=sandbox-portal-key"
    readme = (OPENAPI.parents[2] / "README.md").read_text()
    assert f"`{printed}`" in readme
    assert 'K="Authorization: Bearer $PORTAL_API_KEY"' in readme
