"""The workspace: where the reading list, settings, templates and state live, and how bip finds it.

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
from toolkit.settings import SETTINGS, Settings, environ, load_settings

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on 3.10 only
    pass

READING_LIST = "reading_list.yaml"
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


def find_root(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """--workspace, then BIP_WORKSPACE, then the nearest folder upwards holding a marker file."""
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
    raise WorkspaceNotFound(
        f"no bip workspace in {here} or any folder above it",
        hint="run `bip init` here, pass --workspace DIR, or set BIP_WORKSPACE",
    )


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
