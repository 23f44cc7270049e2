"""Typed text as real users type it."""

from __future__ import annotations

import pytest

from bot.conversation.textnorm import digits_only, fold, normalize, to_ascii_digits


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Xác thực", "xac thuc"),
        ("XAC THUC", "xac thuc"),
        ("  xác   thực!! ", "xac thuc"),
        ("#verify", "verify"),
        ("Verify.", "verify"),
        ("Hủy", "huy"),
        ("huỷ", "huy"),
        ("Đổi số", "doi so"),
        ("XÁC NHẬN", "xac nhan"),
        ("/unlink app 123", "/unlink app 123"),
        ("gửi lại?", "gui lai"),
    ],
)
def test_normalize(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_fold_handles_composed_and_decomposed_forms() -> None:
    composed = "Trạng thái"
    decomposed = "Tra\u0323ng tha\u0301i"
    assert fold(composed) == fold(decomposed) == "trang thai"


def test_full_width_digits_become_ascii() -> None:
    assert to_ascii_digits("１２３４５６") == "123456"
    assert digits_only("12 34-56") == "123456"


def test_kept_forms_are_the_forms_and_the_cache_is_bounded() -> None:
    """normalize() and canonical() keep recent answers: the same as computing them again,
    and never more than CACHED_TEXTS of them."""
    from bot.conversation import textnorm
    from bot.conversation.intent_matching import canonical, core_of

    texts = ["Xác thực ạ 🙏", "#verify", "mình muốn xác thực sđt nhé", "?", "cảm ơn shop"]
    for text in texts * 2:
        assert normalize(text) == textnorm.normal_form(text)
        assert canonical(text) == core_of(text)
    for n in range(textnorm.CACHED_TEXTS + 10):
        canonical("text " + "".join(chr(0x61 + int(d)) for d in str(n)))
    assert canonical.kept.cache_info().currsize == textnorm.CACHED_TEXTS


def test_a_number_or_a_code_is_never_kept() -> None:
    """Texts with a digit (a phone number, a code, in any script) are computed each time:
    the worker's memory keeps no code a user typed."""
    from bot.conversation import intent_matching, textnorm
    from bot.conversation.intent_matching import canonical

    canonical.kept.cache_clear()
    normalize.kept.cache_clear()
    for text in ["483920", "０９１２ ３４５ ６７８", "sđt 0912345678 ạ", "mã 4839 20"]:
        assert canonical(text) == intent_matching.core_of(text)
        assert normalize(text) == textnorm.normal_form(text)
    assert canonical.kept.cache_info().currsize == 0
    assert normalize.kept.cache_info().currsize == 0
    assert canonical("０９１２ ３４５") == "0912 345"
    assert canonical("Mình muốn xác thực sđt 0912") == "xac thuc sdt 0912"
