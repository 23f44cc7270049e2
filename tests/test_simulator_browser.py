"""The simulator page in a real headless Chromium: verify a phone end to end through the page.

Needs Debian's chromium and chromium-driver (`.ci/run` installs them). Where they are missing
the test is skipped with the reason, except in CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from werkzeug.serving import make_server

from bot.admin.sandbox_oauth import SANDBOX_NEW_OA_ID, SANDBOX_NEW_OA_NAME
from bot.admin.seeding import SANDBOX_SECOND_APP_ID, SANDBOX_SECOND_OA_ID, SANDBOX_SECOND_OA_NAME
from tests.helpers import APP_ID, background_worker
from tests.leakcheck import remember
from tests.processes import kill_family

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# Without the background-networking flags Chromium keeps dialling Google from a closed network.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PHONE_SIZE = (390, 844)
SCREENSHOT_ENV = "SIMULATOR_SCREENSHOT"  # e.g. docs/simulator.png to refresh the README's


def need_browser() -> tuple[str, str]:
    """The Chromium and ChromeDriver paths, or skip (fail in CI) saying what is missing."""
    if CHROMIUM and CHROMEDRIVER:
        return CHROMIUM, CHROMEDRIVER
    reason = "no chromium/chromedriver on PATH (apt-get install chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def live_bot(app: Flask) -> Iterator[str]:
    """The bot on a loopback port, with a worker thread sending replies as they are queued."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    with background_worker(app):
        yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    serving.join(10)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Headless Chromium on a fresh profile, phone-sized."""
    chromium, chromedriver = need_browser()
    with tempfile.TemporaryDirectory(prefix="bot-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        # ChromeDriver and the Chromium it starts in a process group of their own.
        service = Service(chromedriver, popen_kw={"start_new_session": True})
        driver = webdriver.Chrome(options=options, service=service)
        chromedriver_process = service.process
        try:
            driver.set_window_size(*PHONE_SIZE)
            yield driver
        finally:
            try:
                driver.quit()
            finally:
                if chromedriver_process is not None:
                    kill_family(chromedriver_process)  # a renderer that outlived quit()


class Page:
    """The simulator as a person uses it: fields, buttons, and what appears."""

    def __init__(self, driver: WebDriver) -> None:
        self.driver = driver

    def type_into(self, element_id: str, text: str) -> None:
        """Type text into a field and press Enter (submits its form)."""
        field = self.driver.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text + "\n")

    def wait_for_bot(self, words: str) -> str:
        """Wait until a bot bubble contains words; return that bubble's text."""
        found: list[str] = []

        def seen(driver: WebDriver) -> bool:
            bubbles = driver.find_elements(By.CSS_SELECTOR, "#chat .msg.bot")
            found[:] = [b.text for b in bubbles if words in b.text]
            return bool(found)

        self.wait(seen, f"bot saying {words!r}")
        return found[-1]

    def bot_saying(self, words: str) -> int:
        """How many bot bubbles contain words (read in one script: none can go stale)."""
        script = (
            "return [...document.querySelectorAll('#chat .msg.bot')]"
            ".filter(b => b.innerText.includes(arguments[0])).length;"
        )
        return int(self.driver.execute_script(script, words))

    def wait(self, condition: object, what: str) -> None:
        """Wait (not a timing assertion: the bound only ends a hung test) with a clear message."""
        status = self.driver.find_element(By.ID, "status")
        try:
            # A bubble read while the chat is drawn again (another OA, another user) is stale:
            # look again at the next poll rather than fail.
            WebDriverWait(
                self.driver, 30, poll_frequency=0.1,
                ignored_exceptions=(StaleElementReferenceException,),
            ).until(condition)  # type: ignore[arg-type]  # fmt: skip
        except Exception as exc:
            chat = self.driver.find_element(By.ID, "chat").text
            raise AssertionError(f"no {what}; status={status.text!r}; chat={chat!r}") from exc

    def tap(self, payload: str) -> None:
        """Tap the newest button with this payload under a bot message (no typing)."""
        selector = f'#chat .msg.bot .taps button[data-payload="{payload}"]'
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, selector), f"a {payload} button")
        self.driver.find_elements(By.CSS_SELECTOR, selector)[-1].click()

    def code_on_phone_panel(self, phone: str) -> str:
        """Wait for an SMS to phone on a phone panel (the portal page's); its code."""
        codes: list[str] = []

        def arrived(driver: WebDriver) -> bool:
            selector = f'#phones .phone[data-phone="{phone}"] .sms'
            texts = [e.text for e in driver.find_elements(By.CSS_SELECTOR, selector)]
            codes[:] = re.findall(r"\d{6}", " ".join(texts))
            return bool(codes)

        self.wait(arrived, f"SMS on the phone panel for {phone}")
        remember(*codes)
        return codes[0]  # newest first on the panel

    def newest_code(self, channel: str) -> str:
        """The code in the newest phone message, pinned above the chat."""
        codes: list[str] = []

        def arrived(driver: WebDriver) -> bool:
            text = driver.find_element(By.ID, "latest-phone").text
            codes[:] = re.findall(r"\d{6}", text) if f"{channel}:" in text else []
            return bool(codes)

        self.wait(arrived, f"a {channel} code above the chat")
        remember(*codes)
        return codes[-1]

    def in_view(self, element_id: str) -> bool:
        """Whether the element is wholly on screen (no scrolling needed)."""
        script = (
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
            "return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;"
        )
        return bool(self.driver.execute_script(script, element_id))


def shot(target: Path, suffix: str) -> str:
    """Where a screenshot goes: docs/simulator.png, docs/simulator-phone.png..."""
    return str(target.with_stem(target.stem + suffix))


def test_the_readme_walkthrough_by_taps_only(
    app: Flask,
    live_bot: str,
    browser: WebDriver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "simulator.png")
    browser.get(f"{live_bot}/simulator")
    page = Page(browser)
    page.type_into("new-user", "u1")
    page.wait_for_bot("Chào mừng bạn đến với Sandbox OA!")
    assert browser.execute_script("return document.body.dataset.transport") == "push"
    page.tap("#verify")  # step 2: verify by SMS
    page.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#chat .card"), "share-phone card")
    card = browser.find_element(By.CSS_SELECTOR, "#chat .card").text
    assert "\n\n" not in card and "Chia sẻ" in card
    page.type_into("message", "0912 345 678")
    page.wait_for_bot("1. SMS")
    page.tap("#sms")
    page.wait_for_bot("Đã gửi mã 6 chữ số qua SMS")
    code = page.newest_code("SMS")
    assert page.in_view("latest-phone") and page.in_view("message"), "code or composer off screen"
    page.type_into("message", code)
    assert "09xx xxx 678" in page.wait_for_bot("Xác thực thành công")
    assert browser.execute_script("return document.activeElement.id") == "message"
    page.tap("#verify_zalo")  # step 3: add Zalo
    page.wait_for_bot("Mình sẽ gửi mã qua tin nhắn Zalo")
    page.tap("#yes")
    page.wait_for_bot("Đã gửi mã 6 chữ số qua tin nhắn Zalo")
    page.type_into("message", page.newest_code("Zalo"))
    page.wait_for_bot("đã được xác thực qua Zalo")
    page.tap("#status")
    page.wait_for_bot("Zalo: đã xác thực")
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, "the page scrolls sideways on a phone-sized screen"
    assert browser.save_screenshot(shot(target, "-phone"))
    browser.set_window_size(1100, 760)
    assert browser.save_screenshot(str(target)), "no screenshot"
    unlink_and_relink(page, browser, target)
    monkeypatch.setenv("PORT", live_bot.rsplit(":", 1)[1])  # where `oa connect` sends Zalo back
    two_oas_and_a_third(page, browser, app)


def two_oas_and_a_third(page: Page, browser: WebDriver, app: Flask) -> None:
    """Step 7: the App's second OA has its own users and numbers; then `flask oa connect`, the
    stand-in of Zalo's permission page, the callback, and back to the simulator on the new OA."""
    options = Select(browser.find_element(By.ID, "oa-select"))
    options.select_by_value(SANDBOX_SECOND_OA_ID)  # the page reloads on the other OA
    page.wait(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-oa-id")
              == SANDBOX_SECOND_OA_ID, "the second OA's page")  # fmt: skip
    page.type_into("new-user", "u1")  # the same id, another OA: another user
    page.wait_for_bot(f"Chào mừng bạn đến với {SANDBOX_SECOND_OA_NAME}!")
    page.tap("#verify")
    page.type_into("message", "0912 345 678")  # verified in the first OA, free in this one
    page.wait_for_bot("1. SMS")
    page.tap("#sms")
    page.type_into("message", page.newest_code("SMS"))
    page.wait_for_bot("Xác thực thành công")
    printed = app.test_cli_runner().invoke(args=["oa", "connect"])
    assert printed.exit_code == 0, printed.output
    browser.get(next(w for w in printed.output.split() if "/v4/oa/permission?" in w))
    browser.find_element(By.CSS_SELECTOR, f"input[value='{SANDBOX_NEW_OA_ID}']").click()
    browser.find_element(By.CSS_SELECTOR, "button[value='allow']").click()
    # Not the simulator (no #status). The h1 is read in one script: an element handle goes stale
    # as the callback's page loads, and Chromium may say so as an "unhandled inspector error"
    # rather than as a stale element.
    connected = WebDriverWait(browser, 30, poll_frequency=0.1)
    heading = "const h = document.querySelector('h1'); return h ? h.textContent : ''"
    connected.until(lambda d: "Đã kết nối OA" in d.execute_script(heading))
    browser.find_element(By.ID, "back").click()  # no dead end: back to the simulator
    page.wait(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-oa-id")
              == SANDBOX_NEW_OA_ID, "the new OA's page")  # fmt: skip
    listed = [o.text for o in Select(browser.find_element(By.ID, "oa-select")).options]
    assert any(SANDBOX_NEW_OA_NAME in name for name in listed) and len(listed) == 3
    page.type_into("new-user", "u1")
    page.wait_for_bot(f"Chào mừng bạn đến với {SANDBOX_NEW_OA_NAME}!")  # served at once


def unlink_and_relink(page: Page, browser: WebDriver, target: Path) -> None:
    """Step 5: an admin unlinks the demo App and records the console step; then the App this
    chat runs through, which the sandbox relinks. Every tap gets an answer."""
    browser.find_element(By.ID, "admin-toggle").click()
    chip = "[data-say='/unlink']"
    page.wait(lambda d: d.find_element(By.CSS_SELECTOR, chip).is_displayed(), "admin chips")
    browser.find_element(By.CSS_SELECTOR, chip).click()
    page.tap("#app")
    page.wait_for_bot("Chọn App ID cần hủy liên kết")
    page.tap(f"#{SANDBOX_SECOND_APP_ID}")
    assert "chưa hủy liên kết trong Zalo Cloud Account" in page.wait_for_bot("Bot sẽ ngừng dùng")
    page.tap("#confirm")  # once: the chat does not go through this App
    assert "account.zalo.cloud" in page.wait_for_bot(
        f"Bot đã ngừng dùng App ID {SANDBOX_SECOND_APP_ID}"
    )
    page.tap(f"#/unlink done app {SANDBOX_SECOND_APP_ID}")  # Đã hủy trên Zalo
    page.wait_for_bot("Đã ghi nhận")
    warning = (By.ID, "asset-warning")
    assert not browser.find_element(*warning).is_displayed()  # the bot still answers
    asked = page.bot_saying("Bạn muốn hủy liên kết loại nào")
    browser.find_element(By.CSS_SELECTOR, chip).click()  # now the App this chat runs through
    # The first question's buttons are still on screen: tap only those of the new one.
    page.wait(lambda d: page.bot_saying("Bạn muốn hủy liên kết loại nào") > asked, "the question")
    page.tap("#app")
    page.wait_for_bot("1. Sandbox app")
    page.tap(f"#{APP_ID}")
    page.wait_for_bot(f"Bot sẽ ngừng dùng App ID Sandbox app ({APP_ID})")
    page.tap("#confirm")
    page.wait_for_bot("CẢNH BÁO")
    page.tap("#confirm")
    report = page.wait_for_bot("bot không nhận được tin nhắn ở đây nữa")
    assert f"flask assets console-done app {APP_ID}" in report  # no button it could not hear
    done = f'#chat .msg.bot .taps button[data-payload="#/unlink done app {APP_ID}"]'
    assert not browser.find_elements(By.CSS_SELECTOR, done)
    page.wait(lambda d: d.find_element(*warning).is_displayed(), "the unlinked-asset notice")
    assert browser.save_screenshot(shot(target, "-admin"))
    browser.find_element(By.CSS_SELECTOR, "#asset-warning .relink").click()
    page.wait(lambda d: not d.find_element(*warning).is_displayed(), "the relink")
    page.type_into("message", f"/unlink done app {APP_ID}")  # as the report said, after a relink
    page.wait_for_bot(f"Bot đang dùng App ID {APP_ID} (liên kết từ ")
    browser.find_element(By.CSS_SELECTOR, "[data-say='/audit']").click()
    audit = page.wait_for_bot("Thao tác quản trị gần đây")
    assert "bấm nút “Đã hủy trên Zalo”" in audit and "#" not in audit
    assert "worker (lệnh của u1)" in audit


def test_a_stopped_server_gets_a_friendly_notice(live_bot: str, browser: WebDriver) -> None:
    browser.get(f"{live_bot}/simulator")
    page = Page(browser)
    page.type_into("new-user", "u2")
    page.wait_for_bot("Chào mừng")
    browser.execute_script("window.fetch = () => Promise.reject(new TypeError('Failed to fetch'))")
    page.type_into("message", "menu")
    page.wait(lambda d: d.find_element(By.ID, "offline").is_displayed(), "offline notice")
    notice = browser.find_element(By.ID, "offline").text
    assert "make run" in notice and "Failed to fetch" not in browser.page_source
