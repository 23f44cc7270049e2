"""Zalo's domain verification file, served by the bot itself."""

from __future__ import annotations

from typing import Any

from bot import create_app

CODE = "MeVd6DceSpupfjWIxOznI1I4v7FuyZOgD3Gp"


def test_the_file_zalo_asks_for_is_served(config: dict[str, Any]) -> None:
    client = create_app({**config, "ZALO_SITE_VERIFICATION": CODE}).test_client()
    answer = client.get(f"/zalo_verifier{CODE}.html")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert f'<meta property="zalo-platform-site-verification" content="{CODE}" />' in answer.text
    assert client.get("/zalo_verifierOTHER.html").status_code == 404


def test_nothing_is_served_when_unset(config: dict[str, Any]) -> None:
    assert create_app(config).test_client().get(f"/zalo_verifier{CODE}.html").status_code == 404
