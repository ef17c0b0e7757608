"""The workspace: where the reading list, settings, templates and state live, and how bip finds it.

The workspace is, first found: `--workspace` (`-w`, before or after the command), the
`BIP_WORKSPACE` variable, the nearest folder upwards holding reading_list.yaml or bip.toml, then
`workspace = "..."` in the user's config file (`<user config dir>/bip/config.toml`, e.g.
~/.config/bip/config.toml), so `bip run` and `bip checkin` work from any training repo.

Settings come, highest first, from: command-line flags (applied by the caller), environment
variables (`BIP_*`), the workspace `bip.toml`, the user config (`<user config dir>/bip/bip.toml`),
then defaults.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from toolkit.errors import BadInput, WorkspaceNotFound
from toolkit.fileio import create_exclusive
from toolkit.settings import SETTINGS, Settings, environ, key_line, load_settings

READING_LIST = "reading_list.yaml"
USER_CONFIG = "config.toml"  # in the user config folder: `workspace = "~/bip"`
STATE_DIR = ".bip"
MARKERS = (READING_LIST, SETTINGS)


@dataclass(frozen=True)
class Paths:
    """Every file bip touches in a workspace, in one place so tests can redirect them all."""

    root: Path

    @property
    def reading_list(self) -> Path:
        return self.root / READING_LIST

    @property
    def settings(self) -> Path:
        return self.root / SETTINGS

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def state_db(self) -> Path:
        return self.state / "state.sqlite"

    @property
    def http_cache(self) -> Path:
        return self.state / "http_cache.sqlite"

    @property
    def journal(self) -> Path:
        return self.root / "journal"


@dataclass(frozen=True)
class Workspace:
    paths: Paths
    settings: Settings

    @property
    def root(self) -> Path:
        return self.paths.root

    def now(self) -> datetime:
        """The current time in the user's time zone; `BIP_NOW` (ISO 8601) pins it for demos and
        back-filling."""
        pinned = environ("BIP_NOW")
        if pinned:
            try:
                moment = datetime.fromisoformat(pinned)
            except ValueError as exc:
                raise BadInput(
                    f"BIP_NOW={pinned!r} is not an ISO 8601 date-time",
                    hint="e.g. 2026-11-23T09:00:00+01:00",
                ) from exc
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.settings.tz())
            return moment.astimezone(self.settings.tz())
        return datetime.now(self.settings.tz())

    def ensure_state_dir(self) -> Path:
        from toolkit.state import private_dir

        state = self.paths.state
        private_dir(state)
        create_exclusive(
            state / ".gitignore", b"# bip's state and caches: not for version control\n*\n"
        )
        return state


def user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("bip")) / USER_CONFIG


def configured_workspace(path: Path | None = None) -> Path | None:
    """The `workspace` the user config names, or None (no file, no key); a file that does not
    parse, or a value that is not text, is an error with the file and line."""
    from toolkit.errors import InvalidFile, Problem

    path = path or user_config_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        config = tomllib.loads(data.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or 1
        column = getattr(exc, "colno", None) or 1
        message = str(exc).split(" (at line")[0]
        raise InvalidFile(
            [Problem(str(path), line, column, message, 'e.g. workspace = "~/bip"')]
        ) from None
    others = [key for key in config if key != "workspace"]
    if others:
        text = data.decode(errors="replace")
        line = key_line(text, others[0]) or 1
        raise InvalidFile(
            [
                Problem(
                    str(path),
                    line,
                    1,
                    f"config.toml holds only `workspace`, not {others[0]!r}",
                    f"settings go in bip.toml: the workspace's, or {path.with_name(SETTINGS)} "
                    "for every workspace",
                )
            ]
        )
    value = config.get("workspace")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        line = key_line(data.decode(errors="replace"), "workspace") or 1
        raise InvalidFile(
            [
                Problem(
                    str(path),
                    line,
                    1,
                    "`workspace` must be a folder, as text",
                    'e.g. workspace = "~/bip"',
                )
            ]
        )
    return Path(value).expanduser()


def find_root(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """--workspace, then BIP_WORKSPACE, then the nearest folder upwards holding a marker file,
    then the user config's `workspace`."""
    for value, origin in (
        (explicit, "--workspace"),
        (environ("BIP_WORKSPACE"), "BIP_WORKSPACE"),
    ):
        if value:
            root = Path(value).expanduser()
            if not root.is_dir():
                raise WorkspaceNotFound(
                    f"{origin} names {str(root)!r}, which is not a folder",
                    hint=f"create it with `bip init {root}`",
                )
            return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).is_file() for marker in MARKERS):
            return folder
    configured = configured_workspace()
    if configured is not None:
        if not configured.is_dir():
            raise WorkspaceNotFound(
                f"{user_config_path()} names {str(configured)!r} as the workspace, "
                "which is not a folder",
                hint=f"create it with `bip init {configured}`, or fix `workspace` there",
            )
        return configured.resolve()
    raise WorkspaceNotFound(
        f"no bip workspace in {here} or any folder above it",
        hint="run `bip init` here, pass --workspace DIR, set BIP_WORKSPACE, or name one in "
        f'{user_config_path()} (workspace = "~/bip")',
    )


WORKSPACE_FLAGS = ("-w", "--workspace")


def hoist_workspace_option(args: list[str]) -> list[str]:
    """`bip run -w ~/bip -- ...` as `bip -w ~/bip run -- ...`: the workspace option given after
    the command moves before it, where the root command reads it. Nothing after `--` moves (it
    belongs to the command `bip run` runs), and for `bip run` nothing unless `--` is given."""
    command = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
    if command is None:
        return args
    if command > 0 and args[command - 1] in WORKSPACE_FLAGS:  # `-w DIR` before: DIR is no command
        rest = args[command + 1 :]
        after = next((i for i, a in enumerate(rest) if not a.startswith("-")), None)
        if after is None:
            return args
        command = command + 1 + after
    end = args.index("--") if "--" in args else len(args)
    if args[command] == "run" and "--" not in args:
        return args
    moved: list[str] = []
    kept = args[: command + 1]
    i = command + 1
    while i < end:
        arg = args[i]
        if arg in WORKSPACE_FLAGS:
            if i + 1 >= end:
                raise BadInput(
                    f"{arg} needs a folder", hint=f"e.g. bip {args[command]} {arg} ~/bip ..."
                )
            moved += [arg, args[i + 1]]
            i += 2
            continue
        if arg.startswith("--workspace="):
            moved.append(arg)
        elif arg.startswith("-w") and not arg.startswith("--") and len(arg) > 2:
            moved += ["-w", arg[2:]]
        else:
            kept.append(arg)
        i += 1
    if not moved:
        return args
    return kept[:command] + moved + kept[command:] + args[end:]


def load_workspace(
    explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None
) -> Workspace:
    root = find_root(explicit, cwd)
    paths = Paths(root)
    return Workspace(paths, load_settings(paths.settings))


@dataclass
class InitReport:
    root: Path
    created: list[str]
    kept: list[str]


EMPTY_READING_LIST = b"""\
# Your reading list. bip edits it in place and keeps your comments, order and quoting.
# Add entries with `bip read add URL`, people with `bip figures add ID --name NAME`, goals with
# `bip contrib goal OWNER/NAME --merged-prs N`; check with `bip read validate`.
version: 1

figures: []

entries: []
"""


def init_workspace(root: Path, empty: bool = False) -> InitReport:
    """Create a workspace with the example reading list (`empty`: with none of its people,
    entries or goals); never overwrite an existing file."""
    if root.exists() and not root.is_dir():
        raise BadInput(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    from importlib import resources

    data = resources.files("toolkit") / "data"
    files = {
        READING_LIST: EMPTY_READING_LIST
        if empty
        else (data / "reading_list.example.yaml").read_bytes(),
        SETTINGS: (data / "bip.example.toml").read_bytes(),
        f"{STATE_DIR}/.gitignore": b"# bip's state and caches: not for version control\n*\n",
    }
    report = InitReport(root.resolve(), [], [])
    (root / STATE_DIR).mkdir(exist_ok=True)
    for name, content in files.items():
        target = root / name
        if create_exclusive(target, content):
            report.created.append(name)
        else:
            report.kept.append(name)
    return report
