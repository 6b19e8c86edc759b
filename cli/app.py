"""The ``tracker`` command: the Click group, its options, and the one place where
errors become exit codes.

Exit status: 0 done; 2 bad input (a usage error or a domain ``InvalidInput``,
``NotFound``, ``Ambiguous``), one line on stderr; 1 an operational failure (the
database cannot be used, a file is missing), one line on stderr. No traceback unless
``--debug``.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import warnings
from typing import Any, NoReturn, TextIO

import click
from click.core import ParameterSource

from cli import messages
from cli.context import App
from tracker import __version__
from tracker.errors import InvalidInput, Terminated, TrackerError
from tracker.text import visible

COMPLETE_VAR = "_TRACKER_COMPLETE"
"""The variable Click's shell completion sets (``_{PROG}_COMPLETE``)."""

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# Each command, by the module that defines it and the summary `tracker --help` shows. A
# module is imported only when one of its commands runs, so start-up (and `--help`) does
# not load SQLAlchemy, the exporters or the importers. tests/test_docs.py checks that
# each summary is the first sentence of its command's help.
COMMANDS: dict[str, tuple[str, str]] = {
    "account": (
        "cli.account_commands",
        "Competing accounts of one fact, each with its sources: add, prefer, list, delete.",
    ),
    "counterparts": (
        "cli.read_commands",
        "Who met whom: per envoy and counterpart, the held meetings, hours of talks with "
        "their qualifiers, the first and the last, and the outcomes.",
    ),
    "db": (
        "cli.db_commands",
        "Schema and database care: upgrade, current, info, backup, prune-history.",
    ),
    "delete": (
        "cli.write_commands",
        "Delete a meeting (with its statements) or a visit (with its meetings); asks first.",
    ),
    "edit": ("cli.write_commands", "Change a meeting or a visit, and show it before and after."),
    "export": (
        "cli.export_commands",
        "Export the timeline, filtered as in 'tracker timeline', or the whole database.",
    ),
    "history": (
        "cli.history_commands",
        "Who changed what and when: the change sets, newest first; 'history show N': what "
        "change set N changed, field by field.",
    ),
    "import": (
        "cli.import_commands",
        "Import a tracker/1 document (json or yaml) or a table (csv): all or nothing.",
    ),
    "log": (
        "cli.write_commands",
        "Log a meeting, and its visit: a meeting in a city where the envoy has a visit on "
        "that date joins it; otherwise a new visit is made.",
    ),
    "people": (
        "cli.read_commands",
        "The people registry: name, country, aliases (with their language) and roles.",
    ),
    "places": (
        "cli.read_commands",
        "The places registry: name, kind, country, parent place and aliases.",
    ),
    "seed": (
        "cli.data_commands",
        "Load the bundled seed data: the 2025 Ukraine peace-process diplomacy, sourced.",
    ),
    "show": ("cli.read_commands", "Show one meeting or visit in full."),
    "statement": (
        "cli.statement_commands",
        "A statement with its own speaker, kind, language, date and sources: add, edit, delete.",
    ),
    "stats": (
        "cli.read_commands",
        "Per envoy: visits, meetings (of those visits, taken part in as an envoy), first "
        "and last visit, mean and longest gap between consecutive visits (days), hours of "
        "talks with their qualifiers (and how many meetings had no duration), and outcomes.",
    ),
    "timeline": (
        "cli.read_commands",
        "The meetings in chronological order (earliest day, then latest, then id), filtered.",
    ),
    "undo": (
        "cli.history_commands",
        "Revert change set N (default: your newest), as a new change set.",
    ),
    "visits": (
        "cli.read_commands",
        "List envoys (anyone who travelled on a recorded visit) with their visits, meetings "
        "(of those visits, taken part in as an envoy), first and last visit and "
        "destinations; or, given ENVOY (a name or any alias, in any script), that envoy's "
        "visits in order: date, destination, days, days since the previous visit began, "
        "meetings, counterparts and the outcome of the main meeting.",
    ),
}


def refuse_undecodable(ctx: click.Context) -> None:
    """Refuse an argument that is not UTF-8, naming its option.

    Python hands over the bytes of such an argument as lone surrogates (``\\udcff``),
    which no database, file or terminal takes. Only a file path may hold them: the file
    system gets the same bytes back.
    """
    for param in ctx.command.get_params(ctx):
        if param.name is None or isinstance(param.type, click.Path | click.File):
            continue
        if not _is_utf8(ctx.params.get(param.name)):
            name = _param_name(param)
            if ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT:
                name += f" (from {param.envvar})"
            raise InvalidInput(name, messages.NOT_UTF8)


def _is_utf8(value: object) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, tuple | list):
        return all(_is_utf8(item) for item in value)
    return True


def _param_name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=lambda opt: (opt.startswith("--"), len(opt)))
    return param.human_readable_name


class ReaderGone(Exception):
    """The reader of standard output closed it before the command finished writing."""


class TrackerCommand(click.Command):
    """A command whose arguments are checked to be UTF-8 once parsed."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        refuse_undecodable(ctx)
        return rest


class TrackerSubgroup(click.Group):
    """A group of subcommands (``tracker db``), checked like every command."""

    command_class = TrackerCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        refuse_undecodable(ctx)
        return rest


class LazySubgroup(TrackerSubgroup):
    """A group of subcommands some of which live in another module, imported only when
    one of them runs (``tracker people add`` loads the registry's writes; ``tracker
    people`` alone does not)."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            importlib.import_module(self.lazy[cmd_name])  # registers it on this group
        return self.commands.get(cmd_name)


class TrackerGroup(click.Group):
    """A group that loads its commands on first use, and reports every failure as one
    line and a meaningful exit status."""

    command_class = TrackerCommand
    group_class = TrackerSubgroup

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        refuse_undecodable(ctx)
        return rest

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name][0])  # registers it on ``main``
        return self.commands.get(cmd_name)

    def _summary(self, name: str) -> click.Command:
        """The command, or a stand-in carrying its summary if it is not loaded yet."""
        if name in self.commands:
            return self.commands[name]
        return click.Command(name, help=COMMANDS[name][1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._summary(name).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:  # --help and --version print while the arguments are parsed
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            raise ReaderGone from None

    def invoke(self, ctx: click.Context) -> Any:
        # Click would turn a broken pipe into status 1 on its own: catch it first.
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()
        except BrokenPipeError:
            raise ReaderGone from None
        return result

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
        if os.environ.get(COMPLETE_VAR):
            import cli.completion  # noqa: F401  (bash completions that quote names)
        argv = list(sys.argv[1:] if args is None else args)
        COMMAND_LINE[:] = argv
        debug = "--debug" in argv
        shown = warnings.showwarning
        if not debug:
            warnings.showwarning = _keep_warning_quiet
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
            as_flags(exc)
            _fail(messages.ERROR.format(message=one_line(str(exc))), exc.exit_code)
        except ReaderGone:
            _reader_went_away()
        except Terminated as exc:
            _end_by(exc.signum)
        except Exception as exc:
            if debug:
                raise
            _fail(
                messages.UNEXPECTED.format(
                    kind=type(exc).__name__, message=one_line(_safe_text(exc))
                ),
                1,
            )
        finally:
            warnings.showwarning = shown
        sys.exit(result if isinstance(result, int) else 0)


def _keep_warning_quiet(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Where Python would print a warning: a library's warnings are for developers
    (``--debug`` shows them), never on the user's stderr. A warning filter set to
    ``error`` (as the test suite sets for SQLAlchemy's) still raises."""


COMMAND_LINE: list[str] = []
"""The arguments of the running command, as given (the history records them masked)."""

FLAGS: dict[str, str] = {}
"""The running command's fields and the options that fill them (``envoy`` ->
``--envoy``), as the command declared them with :func:`fields_are`."""


def fields_are(flags: dict[str, str]) -> None:
    """Declare which option fills each field the domain may name in an error."""
    FLAGS.clear()
    FLAGS.update(flags)


def as_flags(exc: TrackerError) -> None:
    """Name the option instead of the field (``--with role`` for ``counterpart role``)."""
    field = exc.field
    if not field:
        return
    if field in FLAGS:
        exc.field = FLAGS[field]
        return
    first, _, rest = field.partition(" ")
    if first in FLAGS:
        exc.field = f"{FLAGS[first]} {rest}".strip()


def one_line(text: str) -> str:
    return " ".join(text.split())


def _safe_text(exc: Exception) -> str:
    text = str(exc)
    return repr(text)[1:-1] if not text.isprintable() else text


def _fail(line: str, code: int) -> None:
    # Paths and values in a message are shown with escapes, as data is: a file name
    # holding an escape sequence must not retitle the window or clear the screen.
    click.echo(visible(line), err=True)
    sys.exit(code)


def _reader_went_away() -> NoReturn:
    """The reader of standard output closed it early (``tracker timeline | head -1``):
    stop quietly with status 0, as ``git log | head -1`` does. Standard output then
    points at the null device, so that Python's own flush at exit does not fail again."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)
    sys.exit(0)


def _end_by(signum: int) -> NoReturn:
    """End the process by ``signum`` (SIGTERM, SIGHUP) once its temporary files are gone,
    so that whoever sent it sees the process ended by that signal."""
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    sys.exit(128 + signum)


@click.group(cls=TrackerGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    "target",
    envvar="TRACKER_DB",
    metavar="URL|PATH",
    help="Database: a SQLite file path or a postgresql+psycopg:// URL "
    "(default: tracker.db in the user data folder; env TRACKER_DB).",
)
@click.option(
    "--as",
    "author",
    envvar="TRACKER_USER",
    metavar="NAME",
    help="Who is writing, as the history names it (env TRACKER_USER; default: your "
    "system user name).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
@click.version_option(__version__, "--version", "-V", prog_name="tracker")
@click.pass_context
def main(ctx: click.Context, target: str | None, author: str | None, debug: bool) -> None:
    """Track diplomatic visits and meetings: who flew where, met whom, for how long,
    what came of it, and who said so.

    Example: tracker --db team.db db upgrade
    """
    app = App(
        target=target,
        debug=debug,
        author=author.strip() or None if author else None,
        command_line=list(COMMAND_LINE),
    )
    ctx.obj = app
    ctx.call_on_close(app.close)
