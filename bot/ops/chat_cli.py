"""`flask chat --user u1`: talk to the sandbox bot from a terminal, as the simulator page does."""

from __future__ import annotations

import sys
import time
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from bot.services import services_of
from bot.web.simulator.playground import Playground, PlaygroundError, Posted
from bot.worker.crew import work_until_idle

HELP = (
    "Type to the bot; under a message with buttons, type a button's number ([1]) or its "
    "payload to tap it. Also: ':share <phone>' shares your number with the OA, "
    "':admin on|off', ':reset', ':quit' (or Ctrl-D)."
)
# Without an in-process worker, replies come from `make run`'s worker: wait this long for them.
REPLY_WAIT_SECONDS = 5.0
QUIET_SECONDS = 0.6


class Terminal:
    """One user's chat in the terminal: what they type goes to the webhook; new lines print."""

    def __init__(self, app: Flask, user: str, run_worker: bool) -> None:
        self.app = app
        self.place = Playground(app)
        self.user = user
        self.run_worker = run_worker
        self.seen = len(self.place.chat(user))
        self.inbox = self.inbox_sizes()
        self.buttons: list[dict[str, str]] = []  # under the bot's newest message

    def inbox_sizes(self) -> dict[str, int]:
        """How many messages each sandbox phone holds."""
        return {phone: len(items) for phone, items in self.place.phones().items()}

    def command(self, line: str) -> bool:
        """Act on one typed line; False to stop."""
        word, _, rest = line.partition(" ")
        if word in (":quit", ":q", ":exit"):
            return False
        if word == ":share":
            self.report(self.place.share_phone(self.user, rest))
        elif word == ":admin":
            on = self.place.set_admin(self.user, rest.strip().lower() in ("on", "1", "yes"))
            click.echo(f"({self.user} is {'now' if on else 'not'} an admin)")
        elif word == ":reset":
            self.seen = 0
            self.report(self.place.reset(self.user))
        elif word in (":help", ":h"):
            click.echo(HELP)
        elif line.isascii() and line.isdigit() and 1 <= int(line) <= len(self.buttons):
            button = self.buttons[int(line) - 1]  # '1' taps [1]
            self.report(self.place.tap(self.user, button["title"], button["payload"]))
        else:
            self.report(self.place.say(self.user, line))
        return True

    def report(self, posted: Posted) -> None:
        """Show what the bot answered, or why the webhook did not take the event."""
        if not posted.ok:
            click.echo(f"(webhook answered {posted.status}: {posted.body})", err=True)
            return
        self.deliver()

    def deliver(self) -> None:
        """Run the jobs here (or wait for the worker), then print the new lines."""
        if self.run_worker:
            work_until_idle(self.app)
            self.show_new()
            return
        deadline, last_news = time.monotonic() + REPLY_WAIT_SECONDS, 0.0
        while time.monotonic() < deadline:
            if self.show_new():
                last_news = time.monotonic()
            elif last_news and time.monotonic() - last_news > QUIET_SECONDS:
                return
            time.sleep(0.1)

    def show_new(self) -> bool:
        """Print bot lines and phone messages that arrived since last time."""
        lines = self.place.chat(self.user, self.seen)
        self.seen += len(lines)
        for line in lines:
            if line["from"] == "bot":
                click.echo(format_bot_line(line))
                self.buttons = list(line["payload"].get("buttons", []))
        phones = self.place.phones()
        fresh = 0
        for phone, items in phones.items():
            for item in items[self.inbox.get(phone, 0) :]:
                click.echo(f"  [{phone} {item['channel'].upper()}] {item['text']}")
                fresh += 1
            self.inbox[phone] = len(items)
        return bool(lines) or bool(fresh)


def format_bot_line(line: dict[str, Any]) -> str:
    """A bot message for the terminal (the share-phone card as a hint)."""
    payload = line["payload"]
    if line["kind"] == "request_user_info":
        body = f"[{payload['title']}] {payload['subtitle']}\n(type ':share <phone>' to answer)"
    else:
        body = payload["text"]
    buttons = payload.get("buttons") or []
    if buttons:
        body += "\n" + "  ".join(f"[{n}] {b['title']}" for n, b in enumerate(buttons, start=1))
    return "bot> " + body.replace("\n", "\n     ")


@click.command("chat")
@click.option("--user", default="u1", show_default=True, help="The test user to be.")
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Run reply jobs in this process (--no-worker: leave them to make run's worker).",
)
@with_appcontext
def chat_command(user: str, worker: bool) -> None:
    """Chat with the sandbox bot as a Zalo user, from the terminal."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not services_of(app).settings.bot_sandbox:
        raise click.UsageError("flask chat talks to the sandbox bot only (BOT_SANDBOX=1)")
    try:
        terminal = Terminal(app, user, worker)
        click.echo(f"Chatting as {user} with the sandbox bot. {HELP}")
        if user not in terminal.place.users():
            terminal.report(terminal.place.create_user(user))
    except PlaygroundError as exc:
        raise click.UsageError(str(exc)) from None
    converse(terminal)


def converse(terminal: Terminal) -> None:
    """Read lines until ':quit' or the end of input."""
    while True:
        click.echo("you> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            click.echo()
            return
        if not line.strip():
            continue
        try:
            if not terminal.command(line.strip()):
                return
        except PlaygroundError as exc:
            click.echo(f"({exc})", err=True)
