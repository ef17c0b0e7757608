"""Settings, highest first: flags, environment variables, workspace bip.toml, user config, defaults."""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput, InvalidFile, Problem

SETTINGS = "bip.toml"


# Every key bip.toml may hold, by table; "" is the top level.
SETTINGS_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {"timezone": str},
    "github": {"login": str, "api_url": str},
    "git": {"emails": list, "repos": list},
    "runs": {"dir": str, "patterns": list, "gpu_hour_usd": (int, float)},
    "drafts": {"posts_dir": str, "generator": str},
    "clones": {},  # free-form: "owner/name" = "path to a local clone"
    "papers": {"email": str, "arxiv_api_url": str, "crossref_api_url": str, "s2_api_url": str},
}
# Settings that take one of a few words ("table.key" -> the words).
CHOICES: dict[str, tuple[str, ...]] = {"drafts.generator": ("hugo", "jekyll", "both")}


@dataclass
class Settings:
    timezone: str | None = None
    github_login: str | None = None
    api_url: str | None = None
    git_emails: list[str] = field(default_factory=list)
    git_repos: list[str] = field(default_factory=list)
    runs_dir: str = "runs"  # where `bip run` records, relative to the workspace
    runs_patterns: list[str] = field(default_factory=list)  # regexes with named groups
    gpu_hour_usd: float | None = None  # price of one GPU-hour, for a run's cost
    posts_dir: str = "posts"
    generator: str | None = None  # hugo | jekyll | both; None: what the posts folder shows
    clones: dict[str, str] = field(default_factory=dict)
    papers_email: str | None = None  # Crossref's etiquette: a mailto in the User-Agent
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    crossref_api_url: str = "https://api.crossref.org"
    s2_api_url: str = "https://api.semanticscholar.org/graph/v1"
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


def user_settings_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("bip")) / SETTINGS


def load_settings_file(path: Path) -> dict[str, Any]:
    """Parse and validate one bip.toml; every problem is reported with its line."""
    if sys.version_info >= (3, 11):  # imported here: most workspaces have no bip.toml
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    from toolkit.fileio import read_regular

    raw = read_regular(path)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidFile(
            [Problem(str(path), 1, 1, "the file is saved as UTF-16, not UTF-8", "save it as UTF-8")]
        )
    try:
        # A BOM (Windows Notepad writes one) is not part of the TOML: tomllib rejects it.
        text = raw.decode("utf-8").removeprefix("\ufeff")
        too_deep = toml_too_deep(text)
        if too_deep is not None:  # tomllib recurses: thousands of levels are a RecursionError
            line, col = too_deep
            raise InvalidFile(
                [
                    Problem(
                        str(path),
                        line,
                        col,
                        f"arrays and tables nest more than {MAX_TOML_DEPTH} levels deep here",
                        "bip.toml settings are at most a list in a table",
                    )
                ]
            )
        data = tomllib.loads(text)
    except RecursionError:  # nesting the count above missed: still the file's, not a bug
        problem = f"arrays and tables nest too deep (over {MAX_TOML_DEPTH} levels)"
        raise InvalidFile([Problem(str(path), 1, 1, problem)]) from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InvalidFile(
            [Problem(str(path), line, 0, f"not UTF-8 text ({exc.reason})", "save it as UTF-8")]
        ) from exc
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
                elif not isinstance(subvalue, allowed[sub]) or (
                    isinstance(subvalue, bool) and allowed[sub] is not bool
                ):
                    problems.append(_typed(path, text, sub, _type_name(allowed[sub])))
                elif isinstance(subvalue, list) and not all(isinstance(x, str) for x in subvalue):
                    problems.append(_typed(path, text, sub, "a list of strings"))
                elif f"{key}.{sub}" in CHOICES and subvalue not in CHOICES[f"{key}.{sub}"]:
                    words = " or ".join(f'"{w}"' for w in CHOICES[f"{key}.{sub}"])
                    problems.append(_typed(path, text, sub, words))
        elif key in SETTINGS_SCHEMA[""]:
            if not isinstance(value, SETTINGS_SCHEMA[""][key]):
                problems.append(_typed(path, text, key, _type_name(SETTINGS_SCHEMA[""][key])))
        else:
            problems.append(_unknown(path, text, key, list(SETTINGS_SCHEMA[""]) + tables, key))
    return problems


def _type_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return "a number"
    return "a list of strings" if kind is list else "a string"


def key_line(text: str, key: str) -> int:
    """The line of a TOML text where `key =` or `[key]` is, 0 when it is not there."""
    pattern = re.compile(
        rf"^[ \t]*(\[[ \t]*{re.escape(key)}[ \t]*\]|\"?{re.escape(key)}\"?[ \t]*=)", re.M
    )
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _unknown(path: str, text: str, key: str, allowed: list[str], shown: str) -> Problem:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(sorted(allowed))}"
    if shown == "workspace":
        hint = (
            "the workspace is named in config.toml, in the same folder as the user's bip.toml "
            '(e.g. ~/.config/bip/config.toml: workspace = "~/bip")'
        )
    return Problem(path, key_line(text, key), 0, f"unknown setting {shown!r}", hint)


def _typed(path: str, text: str, key: str, expected: str) -> Problem:
    return Problem(path, key_line(text, key), 0, f"setting {key!r} must be {expected}")


MAX_TOML_DEPTH = 100
_TOML_MARKS = re.compile(r"[\n#\"'\[\]{}]")


def toml_too_deep(text: str) -> tuple[int, int] | None:
    """Where (line, column) arrays and inline tables first nest past MAX_TOML_DEPTH, if they
    do. Strings and comments are skipped; brackets are counted, not matched (tomllib does that)."""
    depth = 0
    line, start = 1, 0
    i, end = 0, len(text)
    while i < end:
        found = _TOML_MARKS.search(text, i)
        if found is None:
            break
        i = found.start()
        ch = text[i]
        if ch == "\n":
            line, start = line + 1, i + 1
        elif ch == "#":
            newline = text.find("\n", i)
            i = end if newline < 0 else newline
            continue
        elif ch in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            j = i + len(quote)
            while j < end and not text.startswith(quote, j):
                if ch == '"' and text[j] == "\\":
                    j += 1
                elif len(quote) == 1 and text[j] == "\n":
                    break  # a one-line string ends at the line's end, closed or not
                j += 1
            line += text.count("\n", i, j)
            if "\n" in text[i:j]:
                start = text.rfind("\n", i, j) + 1
            i = j + len(quote) if text.startswith(quote, j) else j
            continue
        elif ch in "[{":
            depth += 1
            if depth > MAX_TOML_DEPTH:
                return line, i - start + 1
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def _toml_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


@dataclass(frozen=True)
class Setting:
    """One setting: its attribute, its bip.toml key ("table.key"), its environment variable."""

    name: str
    key: str
    env: str | None = None
    is_list: bool = False
    is_number: bool = False


# The whole precedence table, highest first: a flag (the caller's), `env`, the workspace
# bip.toml, the user config, the default in `Settings`. Lists in variables are comma-separated.
TABLE: tuple[Setting, ...] = (
    Setting("timezone", "timezone", "BIP_TIMEZONE"),
    Setting("runs_dir", "runs.dir", "BIP_RUNS_DIR"),
    Setting("gpu_hour_usd", "runs.gpu_hour_usd", "BIP_GPU_HOUR_USD", is_number=True),
    Setting("github_login", "github.login", "BIP_GITHUB_LOGIN"),
    Setting("api_url", "github.api_url", "GITHUB_API_URL"),
    Setting("git_emails", "git.emails", "BIP_GIT_EMAILS", is_list=True),
    Setting("git_repos", "git.repos", "BIP_GIT_REPOS", is_list=True),
    Setting("posts_dir", "drafts.posts_dir", "BIP_POSTS_DIR"),
    Setting("generator", "drafts.generator", "BIP_GENERATOR"),
    Setting("papers_email", "papers.email", "BIP_PAPERS_EMAIL"),
    Setting("arxiv_api_url", "papers.arxiv_api_url", "BIP_ARXIV_API_URL"),
    Setting("crossref_api_url", "papers.crossref_api_url", "BIP_CROSSREF_API_URL"),
    Setting("s2_api_url", "papers.s2_api_url", "BIP_S2_API_URL"),
)

# Every environment variable bip reads, and what for. Only this module reads the environment
# (`environ()`); tests/test_settings.py checks that no other module does.
ENVIRONMENT: dict[str, str] = {
    **{s.env: f"overrides {s.key} in bip.toml" for s in TABLE if s.env},
    "BIP_WORKSPACE": "the workspace folder (below --workspace, above the nearest marker upwards)",
    "BIP_NOW": "pins bip's clock (ISO 8601), for demos, tests and back-filling",
    "BIP_OFFLINE": "1/true/yes keeps every command off the network, like --offline",
    "GH_TOKEN": "the GitHub token (first choice)",
    "GITHUB_TOKEN": "the GitHub token (second choice)",
    "GH_HOST": "a GitHub Enterprise host, when GITHUB_API_URL is not set",
    "VISUAL": "the editor for `bip read note ID` and `bip checkin --edit` (first choice)",
    "EDITOR": "the editor, when VISUAL is not set",
    "S2_API_KEY": "a Semantic Scholar API key, sent as x-api-key (never stored)",
    "BIP_SITE_URL": "where `bip site build` publishes, for the feed and sitemap (like --base-url)",
    "BIP_BLUESKY_HANDLE": "your Bluesky handle, for `bip post --to bluesky`",
    "BIP_BLUESKY_APP_PASSWORD": "a Bluesky app password (never stored; or the keyring's bip entry)",
    "BIP_BLUESKY_PDS": "your Bluesky server (default https://bsky.social)",
    "BIP_MASTODON_URL": "your Mastodon server, for `bip post --to mastodon`",
    "BIP_MASTODON_TOKEN": "a Mastodon access token (never stored; or the keyring's bip entry)",
    "BIP_GHARCHIVE_URL": "where `bip reach ingest` downloads GH Archive hour files from",
    "BIP_CLICKHOUSE_URL": "the ClickHouse server of `bip reach path --engine clickhouse`",
    "CUDA_VISIBLE_DEVICES": "the GPUs a recorded run can see (NVIDIA), as `bip run` reports them",
    "HIP_VISIBLE_DEVICES": "the GPUs a recorded run can see (AMD), as `bip run` reports them",
    "ROCR_VISIBLE_DEVICES": "the GPUs a recorded run can see (AMD), when HIP_VISIBLE_DEVICES is not set",
}


def environ(name: str) -> str | None:
    """The value of a variable bip knows (empty counts as unset); unknown names are a bug."""
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is not in settings.ENVIRONMENT")
    value = os.environ.get(name, "")
    return value if value.strip() else None


def env_flag(name: str) -> bool:
    return (environ(name) or "").strip().lower() in ("1", "true", "yes")


def _lookup(data: dict[str, Any], key: str) -> tuple[bool, Any]:
    table, _, name = key.rpartition(".")
    section = data.get(table, {}) if table else data
    return (name in section, section.get(name))


def _merge(settings: Settings, data: dict[str, Any], origin: str) -> None:
    for setting in TABLE:
        present, value = _lookup(data, setting.key)
        if present:
            setattr(settings, setting.name, list(value) if setting.is_list else value)
            settings.sources[setting.name] = origin
    if "patterns" in data.get("runs", {}):  # regexes hold commas: bip.toml only, no variable
        settings.runs_patterns = list(data["runs"]["patterns"])
        settings.sources["runs_patterns"] = origin
    if "clones" in data:  # a table of its own: the user config's and the workspace's both count
        settings.clones = {**settings.clones, **data["clones"]}
        settings.sources["clones"] = origin


def _apply_env(settings: Settings) -> None:
    for setting in TABLE:
        value = environ(setting.env) if setting.env else None
        if value is None:
            continue
        parsed: Any = value.strip()
        if setting.is_list:
            parsed = [part.strip() for part in value.split(",") if part.strip()]
        elif setting.is_number:
            try:
                parsed = float(value)
            except ValueError:
                raise BadInput(f"{setting.env}={value!r} is not a number") from None
        setattr(settings, setting.name, parsed)
        settings.sources[setting.name] = setting.env or ""


def load_settings(workspace_file: Path) -> Settings:
    """Defaults, then the user config, then the workspace bip.toml, then the variables.

    Flags are the caller's: a flag given on the command line wins over everything here."""
    settings = Settings()
    for path in (user_settings_path(), workspace_file):
        if path.is_file():
            _merge(settings, load_settings_file(path), str(path))
    _apply_env(settings)
    return settings


def github_environment() -> dict[str, str]:
    """The variables the GitHub client reads (token, host), for resolve_auth and resolve_api."""
    names = ("GH_TOKEN", "GITHUB_TOKEN", "GH_HOST")
    return {name: value for name in names if (value := environ(name)) is not None}
