"""The terminal: how wide it is, whether it takes colour, the pager, and text made safe for it.

Rules (SPEC §11, README "Reading the picture"):

- Width: `COLUMNS` when set (an explicit request, honoured even in a pipe), else the tty's
  width; a pipe with no `COLUMNS` has no width, so scripts get whole cells. `--wide` prints
  whole cells whatever the width.
- Colour: `--color always|never`; `auto` (the default) colours a tty unless `NO_COLOR` is set.
- Pager: on a tty, output taller than the screen goes through `$PAGER`, else `less -FRX`;
  `--no-pager` (or an empty `PAGER`) prints it straight.
- Escaping: control characters and bidirectional overrides in data never reach a terminal
  raw. Tables and the CSV of views show them escaped (`\\x1b`), on a tty or not; JSON
  escapes them as JSON does (`\\u001b`, C1 controls too). Exports (`tracker export`) keep
  the exact text: they are data, for files and round trips.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from typing import Any

import click

# C0 controls but tab and newline handled by callers, DEL, C1 controls; bidi embeddings,
# overrides and isolates (they reorder what follows: a forged line).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_C1 = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """`text` with every control character written out (`\\x1b`, `\\n`-less: one line)."""
    return _UNSAFE.sub(_escape_char, text)


def escape_lines(text: str) -> str:
    """As `escape`, keeping the newlines that separate lines (and tabs)."""
    return "\n".join(
        _UNSAFE.sub(lambda m: "\t" if m.group() == "\t" else _escape_char(m), line)
        for line in text.split("\n")
    )


def safe_json(text: str) -> str:
    """JSON text with DEL, C1 controls and bidi overrides escaped too (json escapes only
    C0); the same value."""
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def char_width(char: str) -> int:
    """Columns a character takes: 2 for wide East Asian ones, 0 for combining marks."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    """Display width of one line of text (already escaped)."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def cut(text: str, room: int) -> str:
    """`text` in at most `room` columns, ending with `…` when cut."""
    if width(text) <= room:
        return text
    if room <= 0:
        return ""
    out, used = [], 0
    for char in text:
        w = char_width(char)
        if used + w > room - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def line(text: str) -> str:
    """One line of data-bearing text for a terminal: escaped, and cut to the width."""
    room = columns()
    safe = escape(text)
    return cut(safe, room) if room is not None else safe


def pad(text: str, room: int) -> str:
    """`text` padded with spaces to `room` columns (by display width)."""
    return text + " " * max(0, room - width(text))


@dataclass
class Settings:
    """What the options asked; read through `current()`."""

    wide: bool = False
    pager: bool = True
    color: str = "auto"


def settings(ctx: click.Context | None = None) -> Settings:
    """The settings of the running command (defaults outside one)."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return Settings()
    root = ctx.find_root()
    found = root.meta.get("tracker.terminal")
    if found is None:
        found = root.meta["tracker.terminal"] = Settings()
    return found


def stdout_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def columns() -> int | None:
    """The width to fit, or None for no limit (`--wide`, or a pipe with no `COLUMNS`)."""
    if settings().wide:
        return None
    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    if stdout_tty():
        return shutil.get_terminal_size().columns
    return None


def colour() -> bool:
    choice = settings().color
    if choice != "auto":
        return choice == "always"
    return stdout_tty() and not os.environ.get("NO_COLOR")


def style(text: str, fg: str | None) -> str:
    return click.style(text, fg=fg) if fg and colour() else text


def out(text: str, nl: bool = True) -> None:
    """Print a command's result: through the pager when it is long on a tty, coloured only
    when colour is on (styles are stripped otherwise)."""
    on = colour()
    body = text + ("\n" if nl else "")
    if stdout_tty() and settings().pager and _page(body, on):
        return
    click.echo(body, nl=False, color=on)


def _page(body: str, on: bool) -> bool:
    """Show `body` in the pager if it is taller than the screen; whether it did."""
    if body.count("\n") < shutil.get_terminal_size().lines - 1:
        return False
    command = os.environ.get("PAGER")
    if command is not None and not command.strip():
        return False
    argv = shlex.split(command) if command else ["less", "-FRX"]
    if not on:
        body = click.unstyle(body)
    import subprocess  # only a pager needs it: not paid by `--help` or a pipe

    try:
        pager = subprocess.Popen(argv, stdin=subprocess.PIPE)
    except OSError:
        return False  # no such pager: print straight
    assert pager.stdin is not None
    try:
        pager.stdin.write(body.encode(sys.stdout.encoding or "utf-8", "replace"))
        pager.stdin.close()
    except BrokenPipeError:
        pass  # the reader quit the pager early
    pager.wait()
    return True


def _set(name: str) -> Any:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is None or value is False:
            return
        current = settings(ctx)
        setattr(current, name, value if name != "pager" else False)

    return callback


def terminal_options(command: Any) -> Any:
    """`--wide`, `--no-pager` and `--color` on a command (the root group has them too)."""
    for option in reversed(
        (
            click.option(
                "--wide",
                is_flag=True,
                expose_value=False,
                callback=_set("wide"),
                help="Print table cells whole, whatever the terminal's width.",
            ),
            click.option(
                "--no-pager",
                is_flag=True,
                expose_value=False,
                callback=_set("pager"),
                help="Never page long output.",
            ),
            click.option(
                "--color",
                type=click.Choice(["auto", "always", "never"]),
                expose_value=False,
                callback=_set("color"),
                help="Colour: auto (a terminal without NO_COLOR), always or never.",
            ),
        )
    ):
        command = option(command)
    return command
