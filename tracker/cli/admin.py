"""Operating commands: `tracker types`, `info`, `verify`, `db upgrade`, `db rebuild`."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.groups import Group
from tracker.cli.render import FORMATS, dump_csv, emit, table
from tracker.cli.terminal import line, out, terminal_options
from tracker.domain.errors import TrackerError


def register(cli: click.Group) -> None:
    for command in (types, info, verify, db):
        cli.add_command(command)


@click.group(cls=Group, invoke_without_command=True)
@terminal_options
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def types(ctx: click.Context, fmt: str) -> None:
    """List the type codes a claim can have, with their shape; `types add` adds one.

    An observation type gives a value of SUBJECT / ATTRIBUTE (a force level); an occurrence
    type says something happened (a visit). The shipped codes and those added to this
    database's log are listed together.

    \b
    Examples:
      tracker types
      tracker types --format json
      tracker types add military.battle --shape occurrence --description "A battle fought"
    """
    if ctx.invoked_subcommand is not None:
        return
    from tracker.adapters.files import load_catalogue
    from tracker.domain.errors import NoDatabase

    try:
        catalogue = ctx.obj.tracker().catalogue
    except NoDatabase:  # nothing recorded yet: the shipped catalogue, and nothing created
        catalogue = load_catalogue()
    rows = [[code, catalogue.shapes.get(code, ""), text] for code, text in catalogue.types.items()]
    columns = ["type", "shape", "description"]
    emit(
        fmt,
        [dict(zip(columns, r, strict=True)) for r in rows],
        lambda: dump_csv(columns, rows),
        lambda: table(columns, rows),
    )


@types.command("add")
@click.argument("code")
@click.option(
    "--shape",
    type=click.Choice(["observation", "occurrence"]),
    required=True,
    help="observation: claims give a value of SUBJECT / ATTRIBUTE; occurrence: something happened.",
)
@click.option("--description", required=True, metavar="TEXT", help="What the type means.")
@click.pass_obj
def types_add(app: Any, code: str, shape: str, description: str) -> None:
    """Add a type code to the catalogue (a type.defined in the log; it travels with exports).

    Codes are words joined by dots and compare case-insensitively.

    \b
    Examples:
      tracker types add military.battle --shape occurrence --description "A battle fought"
      tracker types add military.casualties --shape observation \\
        --description "Casualties counted (value: count)"
    """
    entry = app.tracker().define_type(code, shape, description)
    folded = code.strip().casefold()
    if entry is None:
        click.echo(f"type {folded} is already in the catalogue as given; nothing appended")
    else:
        click.echo(f"type {folded} defined at log position {entry.position}")


@click.command()
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: one object, with the anchor `position`/`head_hash` for `verify --anchor`.",
)
@click.pass_obj
def info(app: Any, output: str) -> None:
    """Database location, schema revision, counts, chain head.

    \b
    Examples:
      tracker info
      tracker --db ~/libya.db info --format json
    """
    from tracker.adapters.tables import SCHEMA_REVISION
    from tracker.domain.events import format_instant

    tracker = app.tracker()
    summary = tracker.info()
    when = summary.last_recorded_at
    if output == "json":
        emit(
            output,
            {
                "database": _safe_url(app.url),
                "revision": SCHEMA_REVISION,
                "events": summary.events,
                "claims": summary.claims,
                "sources": summary.sources,
                "position": summary.events,
                "head_hash": summary.head_hash,
                "last_recorded_at": format_instant(when) if when else None,
            },
            str,
            str,
        )
        return
    last = format_instant(when) if when else "never"
    facts = [
        ("database", _safe_url(app.url)),
        ("revision", SCHEMA_REVISION),
        ("events", str(summary.events)),
        ("claims", str(summary.claims)),
        ("sources", str(summary.sources)),
        ("chain head", summary.head_hash),
        ("last recorded", last),
    ]
    # Not a fitted table: the chain head is copied and compared, so it is never cut (its line
    # is 79 columns); only a long database path may be.
    rows = [f"{name:<13}  {value}" for name, value in facts]
    out("\n".join([line(rows[0]), *rows[1:]]))


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class Anchor(click.ParamType[tuple[int, str]]):
    """POSITION:HASH, as `info --format json` prints them (`position`, `head_hash`)."""

    name = "POSITION:HASH"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[int, str]:
        if isinstance(value, tuple):
            return value
        position, _, digest = str(value).strip().partition(":")
        digest = digest.lower()
        if not (position.isascii() and position.isdigit() and int(position) > 0) or not (
            len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
        ):
            self.fail(f"{value!r} is not POSITION:HASH (a position from 1, 64 hex digits)")
        return int(position), digest


@click.command()
@click.option(
    "--anchor",
    "anchors",
    type=Anchor(),
    multiple=True,
    help="POSITION:HASH noted earlier (`info --format json`): exit 1 if the log no longer "
    "holds that hash at that position. Repeatable.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def verify(app: Any, anchors: tuple[tuple[int, str], ...], fmt: str) -> None:
    """Recompute the hash chain and check positions; exit 1 at the first broken position.

    Then check each --anchor, and the claims projection against a replay of the log (exit 1
    if they differ). With --format json, stdout gets {"ok", "events", "error"} either way
    (for monitoring), and a failure still says `Error: …` on stderr and exits 1.

    \b
    Examples:
      tracker verify
      tracker verify --format json
      tracker verify --anchor 17:5f0c…  (a POSITION:HASH from `tracker info --format json`)
      tracker verify --db postgresql://analyst@db.example/tracker
    """
    try:
        count = app.tracker().verify(anchors)
    except TrackerError as error:
        if fmt == "json":
            emit(fmt, {"ok": False, "events": None, "error": str(error)}, str, str)
        raise
    if fmt == "json":
        emit(fmt, {"ok": True, "events": count, "error": None}, str, str)
        return
    click.echo(f"ok: {count} events, positions gapless, hash chain intact, projection matches")


@click.group(cls=Group)
def db() -> None:
    """Database schema commands: upgrade, rebuild.

    \b
    Examples:
      tracker db upgrade
      tracker db rebuild
    """


@db.command()
@click.pass_obj
def upgrade(app: Any) -> None:
    """Migrate the database to this tracker's schema (creating it if blank).

    \b
    Examples:
      tracker db upgrade
      tracker --db postgresql://analyst@db.example/tracker db upgrade
    """
    from tracker.adapters.tables import SCHEMA_REVISION
    from tracker.db import make_engine
    from tracker.db import upgrade as run_upgrade

    run_upgrade(make_engine(app.url))
    click.echo(f"database at schema revision {SCHEMA_REVISION}")


@db.command()
@click.pass_obj
def rebuild(app: Any) -> None:
    """Recreate the claims projection from the log (derived data; the log is not touched).

    \b
    Examples:
      tracker db rebuild
      tracker db rebuild && tracker verify
    """
    position = app.tracker().rebuild()
    click.echo(f"rebuilt the claims projection from the log: {position} events")
