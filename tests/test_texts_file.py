"""BOT_TEXTS_FILE: an operator's texts take the built-ins' place, and a bad file stops start-up
with one line naming the problem."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import create_app
from bot.config import ConfigError
from bot.ops import texts_doc
from bot.texts import catalogue, render, use_overrides
from bot.texts.overrides import load_texts_file
from tests.helpers import Dialogue, last_buttons

ROOT = Path(__file__).parents[1]
FORMAL = """
[menu]
vi = \"\"\"Kính chào Quý khách. Chúng tôi có thể hỗ trợ Quý khách:
1. Xác thực số điện thoại\"\"\"

[btn_verify]
vi = "Xác thực ngay"
en = "Verify now"

[ask_phone_or_share]
en = "Kindly type the phone number you wish to verify, or share it with the card below."

[ask_method]
vi = "Quý khách muốn nhận mã cho số {phone} qua kênh nào? \
SMS ({sms_minutes} phút) hay Zalo ({zalo_minutes} phút)?"
"""


@pytest.fixture(autouse=True)
def builtin_texts_after() -> Iterator[None]:
    """Texts are process-wide: the next test starts from the built-ins."""
    yield
    use_overrides({})


def write(tmp_path: Path, text: str) -> str:
    """A texts file with this TOML."""
    path = tmp_path / "texts.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_operators_texts_replace_the_built_ins_by_key_and_language(
    config: dict[str, Any], tmp_path: Path
) -> None:
    app = create_app({**config, "BOT_TEXTS_FILE": write(tmp_path, FORMAL)})
    d = Dialogue(app, "u1")
    assert d.say("menu").startswith("Kính chào Quý khách. Chúng tôi có thể hỗ trợ Quý khách:")
    assert last_buttons(app)[0] == {"title": "Xác thực ngay", "payload": "#verify"}
    assert d.say("xác thực").startswith("Bạn nhập số điện thoại")  # vi left out: built-in
    assert d.say("0912345678").startswith("Quý khách muốn nhận mã cho số 09xx xxx 678 qua kênh")
    d.say("/lang en")
    assert d.say("verify").startswith("Kindly type the phone number")
    assert render("menu", "en").startswith("Here is what I can do")  # en left out: built-in


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('[menuu]\nvi = "x"', "unknown text key 'menuu' (did you mean 'menu'?)"),
        ("menu = 'x'", "[menu] must be a table of languages"),
        ('[menu]\nfr = "Bonjour"', "menu.fr: unknown language (use vi or en)"),
        ('[menu]\nvi = "  "', "menu.vi: must be a text, not empty"),
        ('[ask_method]\nvi = "Qua kênh nào?"', "ask_method.vi: placeholder {phone} is missing"),
        (
            '[menu]\nvi = "Chào {name}"',
            "menu.vi: unknown placeholder {name} (allowed: none)",
        ),
        (
            '[code_wrong]\nvi = "Sai. Còn {left} lần, {left.__class__}"',
            "code_wrong.vi: unknown placeholder {left.__class__} (allowed: {left})",
        ),
        ('[code_wrong]\nvi = "Sai {}"', "code_wrong.vi: placeholder {left} is missing"),
        ('[code_wrong]\nvi = "Còn {left} lần {"', "code_wrong.vi: Single '{' encountered"),
        ('[btn_verify]\nvi = "Xác thực số điện thoại ngay"', "btn_verify.vi: 27 characters"),
        (f'[menu]\nvi = "{"x" * 1999}😀"', "menu.vi: 2001 characters, over the limit of 2000"),
        ('[menu\nvi = "x"', "is not valid TOML"),
        (
            f'[sms_code_text]\nvi = "Ma {{code}}, {{minutes}} phut. {"x" * 150}"',
            "sms_code_text.vi: 177 characters, over the limit of 160",
        ),
        ('[code_wrong]\nvi = "Còn {left:{width}} lần"', "code_wrong.vi: cannot be filled in"),
    ],
)
def test_a_bad_file_is_named_in_one_line(tmp_path: Path, toml: str, problem: str) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        load_texts_file(path)
    message = str(caught.value)
    assert message.startswith(f"BOT_TEXTS_FILE {path}") and problem in message
    assert "\n" not in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_texts_file(str(tmp_path / "nowhere.toml"))


def test_start_up_stops_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[btn_verify]\nvi = "{phone}"')
    env = {"PATH": "/usr/bin:/bin", "BOT_SANDBOX": "1", "REDIS_URL": "redis://127.0.0.1:9"}
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env={**env, "BOT_TEXTS_FILE": path},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    expected = f"configuration error: BOT_TEXTS_FILE {path}: btn_verify.vi: unknown placeholder"
    assert done.stderr.startswith(expected) and done.stderr.count("\n") == 1


def test_the_built_in_texts_keep_the_same_rules(tmp_path: Path) -> None:
    """Every built-in text, written out as a starter file, passes the start-up check."""
    path = write(tmp_path, texts_doc.starter_toml())
    assert load_texts_file(path) == {key: dict(entry) for key, entry in catalogue().items()}


def test_the_readme_example_is_a_valid_file(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S)
    assert example is not None
    overrides = load_texts_file(write(tmp_path, example.group(1)))
    assert "Quý khách" in overrides["menu"]["vi"]


def test_the_readme_lists_every_text_key() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.partition(texts_doc.BEGIN)[2].partition(texts_doc.END)[0].strip()
    assert block == texts_doc.markdown_table(), "run: python -m bot.ops.texts_doc README.md"


def test_the_check_command_says_whether_a_file_is_usable(tmp_path: Path) -> None:
    good = write(tmp_path, FORMAL)
    assert texts_doc.main(["--check", good]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[menuu]\nvi = "x"', encoding="utf-8")
    assert texts_doc.main(["--check", str(bad)]) == 2
