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


# Every `error` the OpenAPI document names (and the wrong API key), as the page must say them.
ERRORS = (
    "bad_request", "channel_unavailable", "cooldown", "idempotency_in_progress",
    "idempotency_key_reused", "invalid_phone", "locked", "no_pending_verification", "not_mobile",
    "old_prefix", "phone_in_use", "rate_limited", "region_not_allowed", "unauthorized",
    "unknown_account",
)  # fmt: skip


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_refusal_the_api_documents_has_words(lang: str) -> None:
    spec = OPENAPI.read_text()
    assert all(f'"{code}"' in spec or f"`{code}`" in spec for code in ERRORS)
    assert set(ERRORS) <= set(SCRIPT[lang]) | {"locked"}
    assert set(SCRIPT[lang]) == set(SCRIPT["en"]) and set(PAGE[lang]) == set(PAGE["en"])


def test_make_run_prints_the_export_line_the_readmes_curl_block_uses() -> None:
    printed = portal_key_lines(SANDBOX_PORTAL_API_KEY).splitlines()[-1].strip()
    assert printed == "export PORTAL_API_KEY=sandbox-portal-key"
    readme = (OPENAPI.parents[2] / "README.md").read_text()
    assert f"`{printed}`" in readme
    assert 'K="Authorization: Bearer $PORTAL_API_KEY"' in readme
