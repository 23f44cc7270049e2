"""The one place where HTTP answers become zalo_api errors."""

from __future__ import annotations

from typing import Any

import requests

from zalo_api.errors import ZaloAPIError, ZaloHTTPError, ZaloNetworkError

DEFAULT_TIMEOUT_SECONDS = 10.0


class Transport:
    """A requests.Session with a timeout on every call and Zalo's error conventions."""

    def __init__(
        self, timeout: float = DEFAULT_TIMEOUT_SECONDS, session: requests.Session | None = None
    ) -> None:
        self.timeout = timeout
        self.session = session or requests.Session()

    def request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """The JSON body of a successful call; raises ZaloNetworkError / HTTP / API errors."""
        try:
            answer = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            # The message names the failure, never the URL (it may carry a token).
            raise ZaloNetworkError(type(exc).__name__) from None
        if not 200 <= answer.status_code < 300:
            raise ZaloHTTPError(answer.status_code, answer.text)
        try:
            body = answer.json()
        except ValueError:
            raise ZaloHTTPError(answer.status_code, answer.text) from None
        if not isinstance(body, dict):
            raise ZaloHTTPError(answer.status_code, answer.text)
        code = body.get("error", 0)
        if isinstance(code, str) and code.lstrip("-").isdigit():
            code = int(code)
        if code not in (0, None):
            raise ZaloAPIError(
                int(code) if isinstance(code, int) else -1, str(body.get("message", ""))
            )
        return body
