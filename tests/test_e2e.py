"""A few true end-to-end runs of the installed `bip` in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_installed_bip_runs_the_quickstart(tmp_path: Path):
    bip = str(BIN / "bip")
    assert run(bip, "--version", cwd=tmp_path).stdout.startswith("bip ")
    assert run(bip, "init", "ws", cwd=tmp_path).returncode == 0
    listing = run(bip, "read", "list", cwd=tmp_path / "ws")
    assert listing.returncode == 0 and "nanogpt" in listing.stdout
    done = run(bip, "read", "done", "nanogpt", cwd=tmp_path / "ws")
    assert done.returncode == 0 and "status todo -> done" in done.stdout


def test_python_dash_m_and_errors_without_tracebacks(tmp_path: Path):
    result = run(sys.executable, "-m", "toolkit", "read", "list", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("bip: error: no bip workspace")
    assert "Traceback" not in result.stderr
    (tmp_path / "reading_list.yaml").write_bytes(b"version: 1\nentries: [\x00\n")
    result = run(sys.executable, "-m", "toolkit", "read", "validate", cwd=tmp_path)
    assert result.returncode == 2 and "reading_list.yaml:2:11: binary data" in result.stderr
    debug = run(sys.executable, "-m", "toolkit", "--debug", "read", "validate", cwd=tmp_path)
    assert "Traceback" in debug.stderr and "InvalidFile" in debug.stderr


def test_help_imports_no_heavy_library():
    """`bip --help` stays light: YAML, HTTP, git and templates load only in the commands using them."""
    code = (
        "import sys, toolkit.cli; "
        "print(','.join(m for m in ('requests', 'requests_cache', 'git', 'jinja2', 'ruamel.yaml', "
        "'twitter_text') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == ""


def loaded_by(argv: list[str], cwd: Path) -> set[str]:
    """The modules a fresh interpreter holds after running bip with `argv`."""
    code = (
        "import sys, io, contextlib; from toolkit.cli import run; "
        f"out = io.StringIO(); code = contextlib.redirect_stdout(out).__enter__() and run({argv!r}); "
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    return set(result.stderr.split())


def test_commands_import_only_what_they_use(tmp_path: Path):
    """--version loads no command; a plain `read list` loads its own command and no table,
    HTTP, git or template library (rich only draws tables on a terminal)."""
    (tmp_path / "reading_list.yaml").write_text(
        "version: 1\nentries:\n  - {id: a, kind: book, title: A}\n"
    )
    version = loaded_by(["--version"], tmp_path)
    assert "toolkit.cli" in version
    assert not {m for m in version if m.startswith(("toolkit.cli.", "toolkit.readinglist"))}
    assert not {"rich", "ruamel", "requests"} & version
    listing = loaded_by(["read", "list"], tmp_path)
    assert "toolkit.cli.read" in listing and "ruamel.yaml" in listing
    unused = {"toolkit.cli.contrib", "toolkit.cli.draft", "rich", "requests", "jinja2", "git"}
    unused |= {"pydantic"}  # typer's coercion, not needed for options left out or plain text
    # nor the other `read` commands, the edit planner, JSON, TOML (no bip.toml here) or secrets
    unused |= {"toolkit.cli.read_papers", "toolkit.readinglist.edits", "json", "tomllib"}
    unused |= {"secrets", "importlib.resources"}
    assert not unused & listing
    warm = loaded_by(["read", "list"], tmp_path)  # the parse cache answers: no YAML library
    assert (
        "toolkit.cli.read" in warm
        and not ({"ruamel.yaml", "toolkit.yamledit.events"} | unused) & warm
    )


def test_ctrl_c_at_a_prompt_exits_130_with_one_line(ws: Path):
    """A real pseudo-terminal: SIGINT while the check-in asks its first question."""
    from tests.terminal import INTERRUPT, bip_on_terminal
    from tests.test_journal import bip_env

    env = {**bip_env(ws), "TERM": "dumb", "COLUMNS": "120"}
    code, text = bip_on_terminal("checkin", env=env, answers=[INTERRUPT])
    assert code == 130, text
    assert "Traceback" not in text
    assert text.rstrip().endswith("bip: interrupted")
    assert not list((ws / "journal").rglob("*.md"))  # nothing half-written


def test_an_internal_error_says_it_is_a_bug(bip, ws: Path, monkeypatch):
    """Anything that is not a BipError escaping a command is reported as a bug, exit 1."""
    from toolkit.readinglist import document

    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("division by zero")

    # the package first: it hands out document's function lazily, so patched second it would
    # remember the broken one as the value to restore
    monkeypatch.setattr("toolkit.readinglist.load_reading_list", broken)
    monkeypatch.setattr(document, "load_reading_list", broken)
    result = bip("-w", str(ws), "read", "list", code=1)
    assert result.stderr.splitlines() == [
        "bip: internal error: ZeroDivisionError: division by zero",
        "  this is a bug in bip; run again with --debug and report the traceback",
    ]
