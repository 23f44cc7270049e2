"""split_text: NFC, at most `limit` UTF-16 units per chunk, cut at the best boundary."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zalo_api import MAX_TEXT_CHARS, split_text
from zalo_api.text import utf16_len


def test_a_short_text_is_one_chunk_and_blank_is_none() -> None:
    assert split_text("  xin chào  ") == ["xin chào"]
    assert split_text(" \n\t ") == []


def test_the_limit_is_zalos_2000_characters() -> None:
    assert MAX_TEXT_CHARS == 2000
    assert split_text("a" * 2000) == ["a" * 2000]
    assert [len(chunk) for chunk in split_text("a" * 2001)] == [2000, 1]


def test_text_is_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "xác thực")
    assert decomposed != "xác thực"
    assert split_text(decomposed) == ["xác thực"]


def test_paragraphs_are_preferred_to_lines_and_sentences() -> None:
    first = "Dòng một.\nDòng hai. Câu ba."
    second = "Đoạn hai."
    assert split_text(f"{first}\n\n{second}", limit=len(first) + 5) == [first, second]


def test_then_lines_then_sentences_then_words() -> None:
    assert split_text("one two\nthree four", limit=12) == ["one two", "three four"]
    assert split_text("One two. Three four", limit=14) == ["One two.", "Three four"]
    assert split_text("alpha beta gamma", limit=12) == ["alpha beta", "gamma"]


def test_a_far_boundary_is_not_taken_when_it_leaves_a_tiny_chunk() -> None:
    # The only line break is near the start: cutting there would waste a whole message.
    text = "Hi\n" + "word " * 30
    chunks = split_text(text, limit=40)
    assert chunks[0] != "Hi" and all(len(chunk) <= 40 for chunk in chunks)


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    assert split_text("abcdefghij", limit=4) == ["abcd", "efgh", "ij"]


@given(st.text(alphabet=st.characters(exclude_categories=[])))
def test_utf16_length_is_one_unit_a_character_two_beyond_the_bmp(text: str) -> None:
    """Lone surrogates included (one unit each): what a Java String's length() says."""
    assert utf16_len(text) == sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def test_an_emoji_counts_as_two_and_is_never_split() -> None:
    text = "😀" * 3
    assert utf16_len(text) == 6
    assert split_text(text, limit=5) == ["😀😀", "😀"]


def test_combining_marks_flags_and_zwj_sequences_stay_whole() -> None:
    accent = unicodedata.normalize("NFC", "x\u0301\u0323")  # no precomposed form
    assert len(accent) == 3
    assert split_text("ab" + accent, limit=3) == ["ab", accent]
    flag = "🇻🇳"
    assert split_text("a" + flag + flag, limit=6) == ["a" + flag, flag]
    family = "👩\u200d👩\u200d👧"
    assert split_text("abc" + family, limit=10) == ["abc", family]


def test_a_limit_too_small_for_any_character_is_refused() -> None:
    with pytest.raises(ValueError):
        split_text("abc", limit=1)


@settings(max_examples=300)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8") | st.sampled_from([" ", "\n", ".", "\u0301", "😀"])
    ),
    st.integers(min_value=2, max_value=60),
)
def test_chunks_fit_are_not_empty_and_keep_every_visible_character(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(chunk and chunk == chunk.strip() and utf16_len(chunk) <= limit for chunk in chunks)
    visible = "".join(unicodedata.normalize("NFC", text).split())
    assert "".join("".join(chunk.split()) for chunk in chunks) == visible
