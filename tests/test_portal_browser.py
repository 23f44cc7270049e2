"""The sandbox portal demo in headless Chromium: verify a number, then link my Zalo, end to end.

The page uses only the public API; the code is read off the phone panel, the link code is
sent from the chat simulator as a test user, and the portal then shows the linked user.
"""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.leakcheck import remember
from tests.portalkit import KEY
from tests.test_simulator_browser import Page, browser, live_bot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """The sandbox bot, with a portal API key for the page."""
    return {**config, "PORTAL_API_KEY": KEY}


def text_of(driver: WebDriver, element_id: str) -> str:
    """The visible text of an element."""
    return str(driver.find_element(By.ID, element_id).text)


def test_verify_then_link_through_the_portal_page(live_bot: str, browser: WebDriver) -> None:  # noqa: F811
    browser.get(f"{live_bot}/simulator/portal")
    page = Page(browser)
    page.type_into("portal-phone", "0912 345 678")  # Enter submits: SMS is the default
    page.wait(lambda d: "Đã gửi mã" in text_of(d, "verify-result"), "code sent")
    code = page.code_on_phone_panel("+84912345678")
    page.type_into("portal-code", code)
    page.wait(lambda d: "thành công" in text_of(d, "verify-result"), "verified")
    page.wait(lambda d: '"sms_verified": true' in text_of(d, "account-view"), "account view")

    browser.find_element(By.ID, "link-zalo").click()
    page.wait(lambda d: len(text_of(d, "link-code")) == 8, "link code")
    link_code = text_of(browser, "link-code")
    remember(link_code)
    page.wait(
        lambda d: d.execute_script("return document.getElementById('link-qr').naturalWidth") > 0,
        "QR code drawn",
    )
    assert text_of(browser, "chat-url").startswith("https://zalo.me/")

    browser.get(f"{live_bot}/simulator")
    page.type_into("new-user", "u1")
    page.wait_for_bot("Chào mừng")
    page.type_into("message", link_code)
    assert "cz-…123" in page.wait_for_bot("Đã liên kết")

    browser.get(f"{live_bot}/simulator/portal")
    page.wait(lambda d: '"zalo_user_id": "u1"' in text_of(d, "account-view"), "linked user")
