"""The workspace: where the reading list, settings, templates and state live, and how bip finds it.

Settings come, highest first, from: command-line flags (applied by the caller), environment
variables (`BIP_*`), the workspace `bip.toml`, the user config (`<user config dir>/bip/bip.toml`),
then defaults.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput, InvalidFile, Problem, WorkspaceNotFound
from toolkit.fileio import create_exclusive

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

READING_LIST = "reading_list.yaml"
SETTINGS = "bip.toml"
STATE_DIR = ".bip"
MARKERS = (READING_LIST, SETTINGS)

# Every key bip.toml may hold, by table; "" is the top level.
SETTINGS_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {"timezone": str},
    "github": {"login": str, "api_url": str},
    "git": {"emails": list, "repos": list},
    "drafts": {"posts_dir": str},
    "clones": {},  # free-form: "owner/name" = "path to a local clone"
}


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


@dataclass
class Settings:
    timezone: str | None = None
    github_login: str | None = None
    api_url: str | None = None
    git_emails: list[str] = field(default_factory=list)
    git_repos: list[str] = field(default_factory=list)
    posts_dir: str = "posts"
    clones: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # setting -> where its value came from

    def tz(self) -> tzinfo:
        if not self.timezone:
            local = datetime.now().astimezone().tzinfo
            assert local is not None
            return local
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            where = self.sources.get("timezone", "settings")
            raise BadInput(
                f"unknown time zone {self.timezone!r} (from {where})",
                hint="use an IANA name such as 'Europe/Berlin' or 'Asia/Shanghai'",
            ) from exc


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
        pinned = os.environ.get("BIP_NOW")
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
        state = self.paths.state
        state.mkdir(exist_ok=True)
        create_exclusive(
            state / ".gitignore", b"# bip's state and caches: not for version control\n*\n"
        )
        return state


def find_root(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """--workspace, then BIP_WORKSPACE, then the nearest folder upwards holding a marker file."""
    for value, origin in (
        (explicit, "--workspace"),
        (os.environ.get("BIP_WORKSPACE"), "BIP_WORKSPACE"),
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


def user_settings_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("bip")) / SETTINGS


def load_workspace(
    explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None
) -> Workspace:
    root = find_root(explicit, cwd)
    paths = Paths(root)
    settings = Settings()
    user = user_settings_path()
    for path in (user, paths.settings):
        if path.is_file():
            _merge(settings, load_settings_file(path), str(path))
    _apply_env(settings)
    return Workspace(paths, settings)


def load_settings_file(path: Path) -> dict[str, Any]:
    """Parse and validate one bip.toml; every problem is reported with its line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise InvalidFile([Problem(str(path), 0, 0, f"not UTF-8 text ({exc.reason})")]) from exc
    except tomllib.TOMLDecodeError as exc:
        line, col = _toml_position(str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise InvalidFile([Problem(str(path), line, col, f"TOML syntax error: {msg}")]) from exc
    problems = validate_settings(data, text, str(path))
    if problems:
        raise InvalidFile(problems)
    return data


def validate_settings(data: dict[str, Any], text: str, path: str) -> list[Problem]:
    problems: list[Problem] = []
    tables = [t for t in SETTINGS_SCHEMA if t]
    for key, value in data.items():
        if isinstance(value, dict) and key not in SETTINGS_SCHEMA[""]:
            if key not in SETTINGS_SCHEMA:
                problems.append(_unknown(path, text, key, tables, f"[{key}]"))
                continue
            allowed = SETTINGS_SCHEMA[key]
            for sub, subvalue in value.items():
                if key == "clones":
                    if not isinstance(subvalue, str):
                        problems.append(_typed(path, text, sub, "a path (string)"))
                    continue
                if sub not in allowed:
                    problems.append(_unknown(path, text, sub, list(allowed), f"{key}.{sub}"))
                elif not isinstance(subvalue, allowed[sub]):
                    problems.append(_typed(path, text, sub, _type_name(allowed[sub])))
                elif isinstance(subvalue, list) and not all(isinstance(x, str) for x in subvalue):
                    problems.append(_typed(path, text, sub, "a list of strings"))
        elif key in SETTINGS_SCHEMA[""]:
            if not isinstance(value, SETTINGS_SCHEMA[""][key]):
                problems.append(_typed(path, text, key, _type_name(SETTINGS_SCHEMA[""][key])))
        else:
            problems.append(_unknown(path, text, key, list(SETTINGS_SCHEMA[""]) + tables, key))
    return problems


def _type_name(kind: type | tuple[type, ...]) -> str:
    return "a list of strings" if kind is list else "a string"


def _key_line(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*(\[\s*{re.escape(key)}\s*\]|\"?{re.escape(key)}\"?\s*=)", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _unknown(path: str, text: str, key: str, allowed: list[str], shown: str) -> Problem:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(sorted(allowed))}"
    return Problem(path, _key_line(text, key), 0, f"unknown setting {shown!r}", hint)


def _typed(path: str, text: str, key: str, expected: str) -> Problem:
    return Problem(path, _key_line(text, key), 0, f"setting {key!r} must be {expected}")


def _toml_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _merge(settings: Settings, data: dict[str, Any], origin: str) -> None:
    def put(name: str, value: Any) -> None:
        setattr(settings, name, value)
        settings.sources[name] = origin

    if "timezone" in data:
        put("timezone", data["timezone"])
    github = data.get("github", {})
    if "login" in github:
        put("github_login", github["login"])
    if "api_url" in github:
        put("api_url", github["api_url"])
    git = data.get("git", {})
    if "emails" in git:
        put("git_emails", list(git["emails"]))
    if "repos" in git:
        put("git_repos", list(git["repos"]))
    drafts = data.get("drafts", {})
    if "posts_dir" in drafts:
        put("posts_dir", drafts["posts_dir"])
    if "clones" in data:
        merged = dict(settings.clones)
        merged.update(data["clones"])
        put("clones", merged)


ENV_SETTINGS = {
    "BIP_TIMEZONE": "timezone",
    "BIP_GITHUB_LOGIN": "github_login",
    "BIP_POSTS_DIR": "posts_dir",
}


def _apply_env(settings: Settings) -> None:
    for var, name in ENV_SETTINGS.items():
        value = os.environ.get(var)
        if value:
            setattr(settings, name, value)
            settings.sources[name] = var
    emails = os.environ.get("BIP_GIT_EMAILS")
    if emails:
        settings.git_emails = [e.strip() for e in emails.split(",") if e.strip()]
        settings.sources["git_emails"] = "BIP_GIT_EMAILS"


@dataclass
class InitReport:
    root: Path
    created: list[str]
    kept: list[str]


def init_workspace(root: Path) -> InitReport:
    """Create a workspace with the example reading list; never overwrite an existing file."""
    if root.exists() and not root.is_dir():
        raise BadInput(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    data = resources.files("toolkit") / "data"
    files = {
        READING_LIST: (data / "reading_list.example.yaml").read_bytes(),
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
