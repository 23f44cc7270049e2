"""The admin page in a real headless Chromium: sign in by the chat's link, the charts draw from
the live funnel, a dead letter is replayed by its button, another removed once confirmed.

Skipped where Chromium is missing, as the simulator's browser test is (a failure in CI).
`ADMIN_SCREENSHOT=docs/admin.png` refreshes the README's screenshot.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from bot.keys import UserRef
from bot.worker.dead_letters import DeadLetters
from tests.adminkit import ADMIN, OTHER_OA, admin_app
from tests.helpers import OA_ID, Dialogue, bot_messages, encode_event, last_code, text_event
from tests.leakcheck import remember
from tests.test_simulator_browser import browser, live_bot  # noqa: F401  (fixtures)
from tests.test_verify_flow import verify_by_sms

pytestmark = pytest.mark.browser
DESKTOP_SIZE = (1280, 1800)
SCREENSHOT_ENV = "ADMIN_SCREENSHOT"


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    """The admins' sandbox bot, with prices for the estimated spend."""
    return admin_app({**config, "SMS_PRICE_VND": 750, "ZNS_PRICE_VND": 300})


@pytest.fixture
def seeded(app: Flask, rdb: redis.Redis) -> str:
    """A morning's traffic through real dialogues, a dead letter, a refusal; the sign-in link
    the bot sent the admin."""
    verify_by_sms(Dialogue(app, "u1"))
    zalo = Dialogue(app, "u2")
    zalo.say("xác thực zalo")
    zalo.say("0912345679")
    zalo.say(last_code(app, "+84912345679", "zalo"))
    wrong = Dialogue(app, "u3")
    wrong.say("xác thực")
    wrong.say("0912345670")
    wrong.say("1")
    guess = f"{(int(last_code(app, '+84912345670', 'sms')) + 1) % 1_000_000:06d}"
    for _ in range(5):  # the fifth locks
        wrong.say(guess)
    Dialogue(app, "u4").say("/assets")  # a refusal, for the audit
    for user, error in (("u8", "not worth replaying"), ("u9", "since fixed")):
        with rdb.pipeline(transaction=True) as pipe:
            raw = encode_event(text_event(user, "menu"))
            DeadLetters(rdb).set_aside(pipe, UserRef(OA_ID, user), raw, RuntimeError(error))
            pipe.execute()
    found = re.search(r"/admin/login#token=\S+", Dialogue(app, ADMIN).say("/admin"))
    assert found
    remember(found.group(0).rsplit("=", 1)[1])
    return found.group(0)


def wait(driver: WebDriver, condition: object, what: str) -> None:
    """Wait (the bound only ends a hung test) with a clear message."""
    try:
        # An element read while the page is drawn again is stale: look again at the next poll.
        stale = (StaleElementReferenceException,)
        waiting = WebDriverWait(driver, 30, poll_frequency=0.1, ignored_exceptions=stale)
        waiting.until(condition)  # type: ignore[arg-type]
    except Exception as exc:
        raise AssertionError(f"no {what}; page: {driver.page_source[:2000]}") from exc


def drawn(driver: WebDriver, chart: str) -> bool:
    """The chart has a canvas and its data holds counts."""
    box = driver.find_element(By.ID, chart)
    canvases = box.find_elements(By.TAG_NAME, "canvas")
    return bool(canvases) and int(box.get_attribute("data-total") or 0) > 0


def test_the_page_charts_the_live_funnel_and_acts_on_dead_letters(
    app: Flask,
    rdb: redis.Redis,
    seeded: str,
    live_bot: str,  # noqa: F811
    browser: WebDriver,  # noqa: F811
    tmp_path: Path,
) -> None:
    browser.set_window_size(*DESKTOP_SIZE)
    browser.get(live_bot + seeded)
    button = browser.find_element(By.ID, "use-link")
    assert button.is_displayed()
    assert "token" not in browser.current_url  # out of the address bar and its history
    button.click()
    wait(browser, lambda d: d.find_elements(By.ID, "chart-week"), "admin page")
    assert f"signed in as {ADMIN}" in browser.find_element(By.TAG_NAME, "header").text
    for chart in ("chart-day", "chart-week"):
        wait(browser, lambda d, c=chart: drawn(d, c), f"{chart} drawn with data")
    week = browser.find_element(By.ID, "chart-week")
    assert int(week.get_attribute("data-points") or 0) == 7
    table = browser.find_element(By.ID, "funnel-table").text
    assert "sms" in table and "zalo" in table and "1,500" in table  # two SMS at 750
    assert "/assets" in browser.find_element(By.ID, "refused").text
    oas = browser.find_element(By.ID, "oas").text
    assert OA_ID in oas and OTHER_OA in oas  # the sandbox OA and the extra app's, both served
    severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []  # no script error, nothing the Content-Security-Policy refused
    target = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "admin.png")
    assert browser.save_screenshot(str(target)), "no screenshot"

    before = len(bot_messages(app, "u9"))
    browser.find_element(By.CSS_SELECTOR, ".dead-letter button.replay").click()  # newest: u9
    wait(browser, lambda d: d.find_elements(By.ID, "note"), "a note after the replay")
    assert "Replayed" in browser.find_element(By.ID, "note").text
    assert len(browser.find_elements(By.CSS_SELECTOR, ".dead-letter")) == 1
    wait(browser, lambda d: len(bot_messages(app, "u9")) > before, "the bot answering u9")

    browser.find_element(By.CSS_SELECTOR, ".dead-letter button.remove").click()
    browser.switch_to.alert.dismiss()  # "Delete this dead letter for good?" No: kept
    assert len(browser.find_elements(By.CSS_SELECTOR, ".dead-letter")) == 1
    browser.find_element(By.CSS_SELECTOR, ".dead-letter button.remove").click()
    browser.switch_to.alert.accept()
    wait(browser, lambda d: "Removed" in d.find_element(By.ID, "note").text, "a removal note")
    assert not browser.find_elements(By.CSS_SELECTOR, ".dead-letter")
    assert bot_messages(app, "u8") == [] and DeadLetters(rdb).latest() == []
