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
