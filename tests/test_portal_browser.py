"""The sandbox portal demo in headless Chromium: verify a number, then link my Zalo, end to end.

The page uses only the public API; the code is read off the phone panel, the link code is
sent from the chat simulator as a test user, and the portal then shows the linked user.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.leakcheck import remember
from tests.portalkit import KEY
from tests.test_simulator_browser import (  # noqa: F401  (fixtures)
    PHONE_SIZE,
    SCREENSHOT_ENV,
    Page,
    browser,
    live_bot,
)

pytestmark = pytest.mark.browser
# Words of the English page or of the API's developer messages, never on the Vietnamese page.
ENGLISH = re.compile(r"tries left|\bverified\b|verify your|No message|Phones|link my|retry in")


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """The sandbox bot, with a portal API key for the page."""
    return {**config, "PORTAL_API_KEY": KEY}


def radios_beside_their_labels(driver: WebDriver) -> bool:
    """Whether each channel radio sits just left of its own label, on the same line."""
    script = """
      return [...document.querySelectorAll('label.choice')].map((label) => {
        const radio = label.querySelector('input').getBoundingClientRect();
        const text = label.querySelector('span').getBoundingClientRect();
        const gap = text.left - radio.right;
        const middle = Math.abs((radio.top + radio.bottom) / 2 - (text.top + text.bottom) / 2);
        return gap >= 0 && gap <= 16 && middle <= 4;
      });
    """
    placed = driver.execute_script(script)
    return bool(placed) and all(placed)


def text_of(driver: WebDriver, element_id: str) -> str:
    """The visible text of an element."""
    return str(driver.find_element(By.ID, element_id).text)


def test_verify_then_link_through_the_portal_page(live_bot: str, browser: WebDriver) -> None:  # noqa: F811
    browser.get(f"{live_bot}/simulator/portal")
    page = Page(browser)
    for width, height in (PHONE_SIZE, (1100, 760)):
        browser.set_window_size(width, height)
        assert radios_beside_their_labels(browser), f"a radio apart from its label at {width}px"
    page.type_into("portal-phone", "0912 345 678")  # Enter submits: SMS is the default
    page.wait(lambda d: "Đã gửi mã qua SMS tới +84912345678" in text_of(d, "verify-result"), "sent")
    code = page.code_on_phone_panel("+84912345678")
    page.type_into("portal-code", "000000" if code != "000000" else "111111")
    page.wait(lambda d: text_of(d, "verify-result") == "Mã chưa đúng (còn 4 lần thử).", "wrong")
    page.type_into("portal-code", code)
    page.wait(lambda d: "thành công" in text_of(d, "verify-result"), "verified")
    page.wait(lambda d: '"sms_verified": true' in text_of(d, "account-view"), "account view")
    shown = browser.find_element(By.TAG_NAME, "body").text
    assert not ENGLISH.search(shown.replace("OpenAPI", "")), "English on the Vietnamese page"
    target = os.environ.get(SCREENSHOT_ENV)
    if target:
        assert browser.save_screenshot(str(Path(target).with_name("portal.png")))

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
