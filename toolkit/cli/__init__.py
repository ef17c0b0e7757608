"""The `bip` command: parse arguments, call the core, print. One error boundary for all commands."""

from __future__ import annotations

import copy
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from toolkit import __version__
from toolkit.errors import BipError, ExitCode, InvalidFile


def report(exc: BipError) -> None:
    from toolkit.cli.output import sanitize  # messages quote the user's files: never raw

    typer.echo(f"bip: error: {sanitize(exc.message)}", err=True)
    if isinstance(exc, InvalidFile) and len(exc.problems) > 1:
        for problem in exc.problems:
            typer.echo(f"  {sanitize(problem.render())}", err=True)
    if exc.hint:
        typer.echo(f"  hint: {sanitize(exc.hint)}", err=True)


# Command name -> (module in toolkit.cli, attribute): a sub-app (typer.Typer) or a function.
# Modules are imported when their command runs (or for --help), so `bip --version` and
# `bip read list` load only what they use.
COMMANDS: dict[str, tuple[str, str]] = {
    "cite": ("cite", "cite"),
    "checkin": ("checkin", "checkin"),
    "log": ("log", "log"),
    "streak": ("streak", "streak"),
    "init": ("init", "init"),
    "read": ("read", "app"),
    "figures": ("figures", "app"),
    "contrib": ("contrib", "app"),
    "draft": ("draft", "app"),
    "run": ("runs", "record"),
    "runs": ("runs", "app"),
    "site": ("site", "app"),
    "profile": ("profile", "app"),
    "post": ("post", "post"),
    "reach": ("reach", "app"),
}


class LazyCommands(TyperGroup):
    """The root group: knows the command names, imports a command's module on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            module, attribute = COMMANDS[cmd_name]
            loaded = import_module(f"toolkit.cli.{module}")
            target = getattr(loaded, attribute)
            # Built inside a throwaway root that has bip's settings, as add_typer would build it.
            holder = _holder()
            holder.callback()(_nothing)
            if isinstance(target, typer.Typer) and not target.registered_groups:
                # The group alone now; each of its commands is built when first looked up
                # (`bip read list` builds one command, not twenty).
                shell = copy.copy(target)
                shell.registered_commands = []
                holder.add_typer(shell, name=cmd_name, cls=_lazy_class(target))
            elif isinstance(target, typer.Typer):
                holder.add_typer(target, name=cmd_name)
            else:  # a module may give its command click context settings (`bip run -- CMD`)
                settings = getattr(loaded, "CONTEXTS", {})
                holder.command(cmd_name, context_settings=settings.get(cmd_name))(target)
            built = typer.main.get_command(holder).commands[cmd_name]  # type: ignore[attr-defined]
            if isinstance(built, LazyGroup):
                built.source, built.later = target, getattr(loaded, "LATER", {})
            self.commands[cmd_name] = _finish(built)
        return self.commands[cmd_name]


class LazyGroup(TyperGroup):
    """A sub-app's group whose commands Typer builds one at a time, when first looked up, each
    through Typer's public `typer.main.get_command` on a one-command app. `later` names commands
    whose module registers them on the app when imported (`bip read import` lives in
    read_papers): imported when asked for."""

    source: Any = None  # the typer.Typer the commands are registered on
    later: dict[str, str] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        names = list(self.registered())
        return names + [n for n in self.later if n not in names]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        infos = self.registered()
        if cmd_name not in infos and cmd_name in self.later:
            import_module(f"toolkit.cli.{self.later[cmd_name]}")
            infos = self.registered()
        if cmd_name not in infos:
            return None
        one = _holder()
        one.registered_commands = [infos[cmd_name]]
        built = _finish(typer.main.get_command(one))
        self.commands[cmd_name] = built
        return built

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        """The group's help ends with its commands' own `Example:` lines, so `bip read --help`
        teaches by example and stays true as the commands change."""
        from toolkit.cli.helptext import examples

        found = examples(self, ctx)
        if found:
            formatter.write_paragraph()
            formatter.write("Examples:\n")
            for line in found:
                formatter.write(f"  {line}\n")
        super().format_epilog(ctx, formatter)

    def registered(self) -> dict[str, Any]:
        infos = self.source.registered_commands if self.source is not None else []
        return {command_name(info): info for info in infos}


def _lazy_class(app: typer.Typer) -> type[LazyGroup]:
    """LazyGroup, over the app's own group class (`bip draft TEMPLATE` parses its way)."""
    own = app.info.cls
    if isinstance(own, type) and issubclass(own, TyperGroup) and own is not TyperGroup:
        return type(f"Lazy{own.__name__}", (LazyGroup, own), {})
    return LazyGroup


def _holder() -> typer.Typer:
    return typer.Typer(rich_markup_mode=None, add_completion=False)


def command_name(info: Any) -> str:
    """A registered command's name: the one given, else the function's with dashes (Typer's
    rule)."""
    return str(info.name or info.callback.__name__.lower().replace("_", "-"))


def _finish(command: Any) -> Any:
    """bip's touches on a command Typer built: plain values without pydantic, readable help."""
    from toolkit.cli.helptext import readable

    return readable(_plain_values_fast(command))


def _nothing() -> None:
    pass


class _PlainValue:
    """Typer coerces every parameter through a pydantic TypeAdapter built on first use, which
    imports pydantic (~0.1 s) even for an option left out or a plain text value. Those two
    cases need no adapter: a missing value is None (or () for repeatable options), exactly as
    typer's own coerce says, text annotated `str` is that text, and a `Path` asked for no
    checks (`-w DIR`, a file to import) is `Path(text)` when it does not exist or is readable
    (typer's one check then). Anything else builds typer's adapter as before."""

    def __init__(self, param: Any) -> None:
        self.param = param
        descriptor = param.type_descriptor
        self.text = descriptor.annotation in (str, str | None)
        info = descriptor.parameter_info
        self.path = (
            descriptor.annotation in (Path, Path | None)
            and descriptor.file_annotation is None
            and not (info.exists or info.writable or info.resolve_path or info.allow_dash)
            and info.file_okay
            and info.dir_okay
            and info.path_type is None
        )

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multiple = param.multiple or param.nargs == -1
        if value is None:
            return () if multiple else None
        if self.text and not multiple and type(value) is str:
            return value
        if self.path and not multiple and type(value) is str and _readable_or_absent(value):
            return Path(value)
        param._runtime_param = None
        return param.get_runtime_param().coerce(value, param=param, ctx=ctx)


def _readable_or_absent(path: str) -> bool:
    import os

    return not os.path.exists(path) or os.access(path, os.R_OK)


def _plain_values_fast(command: Any) -> Any:
    for param in getattr(command, "params", []):
        _shortcut(param)
    help_option = getattr(command, "get_help_option", None)
    if help_option is not None:  # made per command when a context is; it is a parameter too

        def get_help_option(ctx: Any, _made: Any = help_option) -> Any:
            return _shortcut(_made(ctx))

        command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        _plain_values_fast(sub)
    return command


def _shortcut(param: Any) -> Any:
    if getattr(param, "_runtime_param", False) is None and hasattr(param, "type_descriptor"):
        param._runtime_param = _PlainValue(param)
    return param


app = typer.Typer(
    name="bip",
    cls=LazyCommands,
    help="Build in public: a reading list that cites, drafts that credit, contributor-graph "
    "progress and a daily check-in.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion, Typer's own
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bip {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder, before or after the command (default: BIP_WORKSPACE, "
            "then the nearest folder upwards with reading_list.yaml or bip.toml, then "
            '`workspace = "..."` in the user config, ~/.config/bip/config.toml).',
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of short errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """bip: build in public."""
    ctx.obj = {"workspace": workspace, "debug": debug}


def run(argv: Sequence[str] | None = None) -> int:
    """Run bip with `argv` (default: the process's arguments) and return its exit code.

    The one error boundary, shared by `main()` and the tests: a BipError prints
    `bip: error: ...` and maps to its documented code, Ctrl-C is 130 with one line, usage errors
    are click's (2), and anything else is a bug, said as such (`--debug` shows the traceback).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if not debug:
        _quiet_libraries()
    try:
        if any(a.startswith(("-w", "--workspace")) for a in args[1:]):
            from toolkit.workspace import hoist_workspace_option  # `bip run -w DIR -- ...`

            args = hoist_workspace_option(args)
        command = _plain_values_fast(typer.main.get_command(app))
        if not args or "--help" in args:  # the root's own help; commands get theirs when built
            from toolkit.cli.helptext import readable

            command = readable(command)
        result = command.main(args=args, prog_name="bip", standalone_mode=False)
        code = result if isinstance(result, int) else int(ExitCode.OK)
    except typer.Exit as exc:
        code = exc.exit_code
    except SystemExit as exc:  # Typer's --show-completion / --install-completion end this way
        if isinstance(exc.__context__, BrokenPipeError):  # click's own exit(1) on a closed pipe
            _silence_stdout()
            return int(ExitCode.CLOSED_PIPE)
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except typer.TyperException as exc:  # usage errors: said bip's way, code 2
        from toolkit.cli.helptext import usage_error

        message, hint = usage_error(exc)
        typer.echo(f"bip: error: {message}", err=True)
        if hint:
            typer.echo(f"  hint: {hint}", err=True)
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        code = int(ExitCode.INTERRUPTED)
    except BipError as exc:
        if debug:
            raise
        report(exc)
        return int(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the boundary: anything else is a bug, said so
        if debug:
            raise
        if isinstance(exc, OSError) and exc.filename is not None:
            # A file or folder the system refused: the user's to fix, not a bug in bip.
            typer.echo(f"bip: error: {exc.filename}: {exc.strerror or exc}", err=True)
            return int(ExitCode.ERROR)
        from toolkit.cli.output import sanitize

        typer.echo(f"bip: internal error: {type(exc).__name__}: {sanitize(str(exc))}", err=True)
        typer.echo(
            "  this is a bug in bip; run again with --debug and report the traceback", err=True
        )
        return int(ExitCode.ERROR)
    if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into Exit(130): say it, once
        typer.echo("\nbip: interrupted", err=True)
    return code


def _silence_stdout() -> None:
    """After a closed pipe, Python's own flush of stdout at exit would fail again (and print
    `Exception ignored ... BrokenPipeError`): point stdout at /dev/null, as Python's signal
    documentation advises."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _quiet_libraries() -> None:
    """Libraries log to stderr when nobody listens (requests-cache's "using cached response"
    with a traceback): bip says what happened itself, so their records go nowhere. bip's own
    warnings from deep inside (a broken cache moved aside) are said as `bip: warning: ...`."""
    import logging

    root = logging.getLogger()
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())
    own = logging.getLogger("toolkit")
    if not any(getattr(h, "bip_warnings", False) for h in own.handlers):

        class Warnings(logging.Handler):
            bip_warnings = True

            def emit(self, record: logging.LogRecord) -> None:
                from toolkit.cli.output import warn

                warn(record.getMessage())

        own.addHandler(Warnings(logging.WARNING))


def main() -> None:
    """Console entry point."""
    code = run()
    try:
        sys.stdout.flush()  # what is still buffered, while a closed pipe can still be said so
    except BrokenPipeError:
        _silence_stdout()
        code = int(ExitCode.CLOSED_PIPE)
    # The command is done and its output flushed: Python's exit would now walk every object
    # still tracked by the collector (a large import leaves ~100,000, pinned by a reference
    # cycle pylatexenc makes through the frames above it): 0.1 s of `read import`. Frozen,
    # they are left to the operating system. bip closes every file, lock and connection it
    # opens in a with-block, so no finalizer is owed at exit; atexit handlers still run.
    import gc

    gc.freeze()
    sys.exit(code)
