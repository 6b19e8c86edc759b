"""The ``tracker`` command: the Click group, its options, and the one place where
errors become exit codes.

Exit status: 0 done; 2 bad input (a usage error or a domain ``InvalidInput``,
``NotFound``, ``Ambiguous``), one line on stderr; 1 an operational failure (the
database cannot be used, a file is missing), one line on stderr. No traceback unless
``--debug``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from cli import messages
from cli.context import App
from tracker import __version__
from tracker.errors import TrackerError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class TrackerGroup(click.Group):
    """A group that reports every failure as one line and a meaningful exit status."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        try:
            result = super().main(argv, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            path = exc.ctx.command_path.split()[1:] if exc.ctx is not None else []
            command = " ".join(["tracker", *path])
            _fail(messages.USAGE_ERROR.format(message=exc.format_message(), command=command), 2)
        except click.ClickException as exc:
            _fail(messages.ERROR.format(message=exc.format_message()), exc.exit_code)
        except click.Abort:
            _fail(messages.INTERRUPTED, 1)
        except TrackerError as exc:
            if debug:
                raise
            _fail(messages.ERROR.format(message=one_line(str(exc))), exc.exit_code)
        except BrokenPipeError:
            sys.exit(1)
        except Exception as exc:
            if debug:
                raise
            _fail(
                messages.UNEXPECTED.format(
                    kind=type(exc).__name__, message=one_line(_safe_text(exc))
                ),
                1,
            )
        sys.exit(result if isinstance(result, int) else 0)


def one_line(text: str) -> str:
    return " ".join(text.split())


def _safe_text(exc: Exception) -> str:
    text = str(exc)
    return repr(text)[1:-1] if not text.isprintable() else text


def _fail(line: str, code: int) -> None:
    click.echo(line, err=True)
    sys.exit(code)


@click.group(cls=TrackerGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    "target",
    envvar="TRACKER_DB",
    metavar="URL|PATH",
    help="Database: a SQLite file path or a postgresql+psycopg:// URL "
    "(default: tracker.db in the user data folder; env TRACKER_DB).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
@click.version_option(__version__, "--version", "-V", prog_name="tracker")
@click.pass_context
def main(ctx: click.Context, target: str | None, debug: bool) -> None:
    """Track diplomatic visits and meetings: who flew where, met whom, for how long,
    what came of it, and who said so.

    Example: tracker --db team.db db upgrade
    """
    app = App(target=target, debug=debug)
    ctx.obj = app
    ctx.call_on_close(app.close)


# Importing the command modules registers their commands on ``main``.
from cli import (  # noqa: E402
    data_commands,
    db_commands,
    export_commands,
    import_commands,
    read_commands,
    write_commands,
)

__all__ = [
    "data_commands",
    "db_commands",
    "export_commands",
    "import_commands",
    "main",
    "read_commands",
    "write_commands",
]
