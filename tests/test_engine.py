"""The conversation engine with a toy flow: entry, states, fallbacks, re-prompts, crashes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.context import Context
from bot.keys import UserRef
from handlers import basics
from tests.helpers import follow_event, image_event, text_event
from tests.toyflow import toy_engine
from zalo_api.events import parse_event
from zalo_api.messages import Text

ENGINE = toy_engine()


def run(event: dict[str, Any], state: str | None = None, lang: str = "vi", **data: Any) -> Context:
    """Handle one event in the given state; the context shows the outcome."""
    ctx = Context(user=UserRef("oa", "u1"), lang=lang, state=state, data=dict(data))
    ctx.state = ENGINE.handle(parse_event(event), ctx)
    return ctx


def texts(ctx: Context) -> list[str]:
    """The texts a context recorded."""
    return [reply.text if isinstance(reply, Text) else "" for reply in ctx.replies]


def test_entry_starts_the_flow() -> None:
    ctx = run(text_event(text="Toy!"))
    assert ctx.state == "toy:counting"
    assert texts(ctx) == ["started"]
    assert ctx.data == {"n": 0}


def test_button_payload_equals_the_typed_word() -> None:
    assert run(text_event(text="#toy")).state == "toy:counting"


def test_state_routes_see_the_flow_data() -> None:
    ctx = run(text_event(text="more a"), state="toy:counting", n=4)
    assert texts(ctx) == ["n=5 tag=a"]
    assert ctx.state == "toy:counting"


def test_otherwise_reprompts_and_keeps_the_state() -> None:
    ctx = run(text_event(text="what?"), state="toy:counting", n=1)
    assert texts(ctx) == ["say more"]
    assert ctx.state == "toy:counting"


@pytest.mark.parametrize("word", ["hủy", "HUY", "cancel", "  Huỷ! "])
def test_cancel_works_in_any_state(word: str) -> None:
    ctx = run(text_event(text=word), state="toy:counting", n=3)
    assert ctx.state is None
    assert texts(ctx) == ["Đã hủy. Bạn cần gì thêm thì bấm một nút bên dưới nhé."]


def test_cancel_when_idle_says_there_is_nothing_to_cancel() -> None:
    ctx = run(text_event(text="cancel"), lang="en")
    assert texts(ctx) == ["Nothing is in progress. Tap a button if you need anything."]


def test_help_in_a_state_keeps_the_state() -> None:
    ctx = run(text_event(text="help"), state="toy:counting", n=2)
    assert ctx.state == "toy:counting"
    assert texts(ctx)[0].startswith("Bạn đang ở bước")


def test_language_switch_applies_to_its_own_reply() -> None:
    ctx = run(text_event(text="/lang en"), state="toy:counting", n=2)
    assert ctx.lang == "en" and ctx.language_changed
    assert texts(ctx)[0] == "Language set to English."
    assert texts(ctx)[1].startswith("You are still at the step")
    assert ctx.state == "toy:counting"


def test_unknown_language_explains_usage() -> None:
    assert texts(run(text_event(text="/lang fr")))[0].startswith('Gõ "/lang vi"')


def test_unknown_text_when_idle_is_not_understood_and_shows_the_menu() -> None:
    ctx = run(text_event(text="bonjour"), lang="en")
    assert texts(ctx)[0].startswith("Sorry, I did not understand that.\nHere is what I can do")
    assert len(ctx.replies) == 1 and ctx.state is None


def test_entry_mid_flow_restarts() -> None:
    ctx = run(text_event(text="toy"), state="toy:counting", n=9)
    assert ctx.data == {"n": 0}


def test_images_get_a_please_type_and_keep_the_state() -> None:
    ctx = run(image_event(), state="toy:counting", n=1)
    assert texts(ctx) == ["Xin lỗi, mình chỉ đọc được tin nhắn chữ. Bạn gõ giúp mình nhé."]
    assert ctx.state == "toy:counting"


def test_follow_gets_welcome_and_menu() -> None:
    ctx = run(follow_event())
    assert len(ctx.replies) == 2 and texts(ctx)[0].startswith("Chào mừng")


def test_unfollow_ends_the_dialogue_silently() -> None:
    ctx = run(follow_event(name="unfollow"), state="toy:counting", n=1)
    assert ctx.state is None and ctx.replies == []


def test_an_unknown_button_payload_is_a_stale_choice() -> None:
    engine = toy_engine()
    engine.stale = basics.stale_choice
    ctx = Context(user=UserRef("oa", "u1"), lang="vi", state=None)
    ctx.state = engine.handle(parse_event(text_event(text="#zalo")), ctx)
    assert texts(ctx)[0].startswith("Lựa chọn đó thuộc một tin nhắn cũ")
    assert texts(ctx)[1].startswith("Mình có thể giúp bạn")  # and what can be done now


def test_state_from_an_older_release_starts_afresh() -> None:
    ctx = run(text_event(text="bonjour"), state="gone:away", x=1)
    assert ctx.state is None and ctx.data == {}


def test_a_crash_costs_one_apology_and_nothing_else() -> None:
    ctx = run(text_event(text="boom"), state="toy:counting", n=1)
    assert texts(ctx) == ["Xin lỗi, bên mình vừa gặp sự cố. Bạn thử lại sau ít phút nhé."]
    assert ctx.state is None
    assert ctx.jobs == []


def test_whoami_tells_the_user_their_oa_scoped_id() -> None:
    assert texts(run(text_event(text="/whoami"))) == ["Mã người dùng Zalo của bạn với OA này: u1"]


def test_the_flow_of_a_state_is_the_first_flow_that_owns_it() -> None:
    """flow_of() looks the flow up by name: the same answer as asking each flow in order."""
    from bot.wiring import build_engine

    engine = build_engine()
    states = [None, "", "nobody:step", "verify", "verify:", "admin_unlink"]
    states += [state for flow in engine.flows for state in (*flow.states, *flow.steps)]
    for state in states:
        owner = next((flow for flow in engine.flows if flow.owns(state)), None)
        assert engine.flow_of(state) is owner, state
