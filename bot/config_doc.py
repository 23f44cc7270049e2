"""Print the configuration table of the README from the Settings declaration."""

from __future__ import annotations

import dataclasses

from bot.config import REQUIRED_OUTSIDE_SANDBOX, Settings, env_name


def default_text(value: object) -> str:
    """How a default is shown in the table."""
    if isinstance(value, tuple):
        value = ",".join(value)
    if isinstance(value, bool):
        value = int(value)
    return f"`{value}`" if value != "" else "—"


def markdown_table() -> str:
    """One row per environment variable: name, meaning, default."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    for field in dataclasses.fields(Settings):
        name = env_name(field)
        meaning = field.metadata["doc"]
        if name in REQUIRED_OUTSIDE_SANDBOX:
            meaning += " — **required outside sandbox**"
        rows.append(f"| `{name}` | {meaning} | {default_text(field.default)} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
