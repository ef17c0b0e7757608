"""Habits people bring from gh, jrnl and git-standup: editors, completion, git's email, --json,
help that names values."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.gitrepos import make_repo

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real editor program: it records the file it was given and writes $FAKE_TEXT into it."""
    script = tmp_path / "fake-editor"
    log = tmp_path / "editor.log"
    script.write_text(
        "#!/bin/sh\n"
        f'cat "$1" >> "{log}"\n'
        'printf "%s\\n" "$FAKE_TEXT" > "$1"\n'
        f'echo opened >> "{log}"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    return log


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CliRunner has no terminal; this says there is one (a pty test below checks the real
    detection)."""
    monkeypatch.setattr("toolkit.cli.editor.has_terminal", lambda: True)


def _show(bip, w: str, entry_id: str) -> dict:
    return json.loads(bip("-w", w, "read", "show", entry_id, "--json").stdout)


def test_read_note_without_text_opens_the_editor(
    bip, commented: Path, editor: Path, terminal, monkeypatch
):
    monkeypatch.setenv("FAKE_TEXT", "loss 3.28 at 5k steps\n# a comment line\n#bf16 stays")
    w = str(commented.parent)
    bip("-w", w, "read", "note", "nanogpt")
    assert _show(bip, w, "nanogpt")["notes"] == "loss 3.28 at 5k steps\n#bf16 stays"
    assert "# Your note on nanoGPT (nanogpt)" in editor.read_text()


def test_visual_wins_over_editor(bip, commented: Path, editor: Path, terminal, monkeypatch):
    monkeypatch.setenv("VISUAL", os.environ["EDITOR"])
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    monkeypatch.setenv("FAKE_TEXT", "from VISUAL")
    w = str(commented.parent)
    bip("-w", w, "read", "note", "nanogpt")
    assert _show(bip, w, "nanogpt")["notes"] == "from VISUAL"


def test_text_on_the_command_line_never_opens_the_editor(
    bip, commented: Path, editor: Path, terminal
):
    w = str(commented.parent)
    bip("-w", w, "read", "note", "nanogpt", "given inline")
    assert not editor.exists()
    assert _show(bip, w, "nanogpt")["notes"] == "given inline"


def test_an_empty_note_from_the_editor_changes_nothing(
    bip, commented: Path, editor: Path, terminal, monkeypatch
):
    monkeypatch.setenv("FAKE_TEXT", "# only a comment")
    before = commented.read_bytes()
    result = bip("-w", str(commented.parent), "read", "note", "nanogpt", code=2)
    assert "the note is empty" in result.stderr and commented.read_bytes() == before


def test_no_terminal_no_editor_but_a_clear_error(bip, commented: Path, editor: Path):
    before = commented.read_bytes()
    result = bip("-w", str(commented.parent), "read", "note", "nanogpt", code=2)
    assert "no terminal to open an editor for the note" in result.stderr
    assert 'bip read note nanogpt "..."' in result.stderr
    assert not editor.exists() and commented.read_bytes() == before


def test_no_editor_set_says_how_to_set_one(bip, commented: Path, terminal, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    result = bip("-w", str(commented.parent), "read", "note", "nanogpt", code=2)
    assert "VISUAL and EDITOR are not set" in result.stderr and "export EDITOR=" in result.stderr


def test_checkin_edit_writes_notes_and_next_from_the_editor(
    bip, ws: Path, editor: Path, terminal, monkeypatch
):
    monkeypatch.setenv("FAKE_TEXT", "Notes:\n- tiling keeps Q, K, V in SRAM\nNext:\nread FA2")
    bip("-w", str(ws), "checkin", "--edit")
    day = (ws / "journal" / "2026" / "2026-11-23.md").read_text()
    assert "## Notes\n- tiling keeps Q, K, V in SRAM" in day and "## Next\n- read FA2" in day
    assert "# The day so far:" in editor.read_text()


def test_checkin_edit_without_a_terminal_writes_nothing(bip, ws: Path, editor: Path):
    result = bip("-w", str(ws), "checkin", "--edit", code=2)
    assert "no terminal to open an editor for the check-in" in result.stderr
    assert not (ws / "journal").exists() or not list((ws / "journal").rglob("*.md"))
    result = bip("-w", str(ws), "checkin", "--edit", "--note", "x", code=2)
    assert "--note/--next already give them" in result.stderr


def test_the_editor_opens_on_a_real_terminal(ws: Path, tmp_path: Path):
    """A real pseudo-terminal, a real editor program: `bip read note ID` with no text."""
    from tests.terminal import bip_on_terminal
    from tests.test_journal import bip_env

    script = tmp_path / "ed"
    script.write_text('#!/bin/sh\nprintf "written in a real editor\\n" > "$1"\n')
    script.chmod(0o755)
    env = {**bip_env(ws), "TERM": "dumb", "EDITOR": str(script)}
    env.pop("VISUAL", None)
    code, text = bip_on_terminal("read", "note", "nanogpt", env=env)
    assert code == 0, text
    assert "written in a real editor" in (ws / "reading_list.yaml").read_text()


def test_shell_completion_is_typers_own(bip, tmp_path: Path):
    assert "_BIP_COMPLETE=complete_" in bip("--show-completion").stdout
    assert "--install-completion" in bip("--help").stdout
    home = tmp_path / "bash-home"
    home.mkdir()
    installed = subprocess.run(  # from bash, so Typer detects bash as the shell
        ["bash", "-c", f'"{sys.executable}" -m toolkit --install-completion'],
        env={**os.environ, "HOME": str(home), "SHELL": "/bin/bash"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert installed.returncode == 0, installed.stderr
    assert "bash completion installed" in installed.stdout
    assert "_BIP_COMPLETE=complete_bash" in (home / ".bash_completions" / "bip.sh").read_text()
    env = {**os.environ, "_BIP_COMPLETE": "complete_bash", "COMP_WORDS": "bip read li"}
    env["COMP_CWORD"] = "2"
    done = subprocess.run(
        [sys.executable, "-m", "toolkit"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["list"]


def test_author_emails_default_to_git_config_user_email(bip, ws: Path, tmp_path: Path):
    make_repo(
        ws / "code" / "nanogpt",
        [
            ("me@x.org", "bf16 on MI300X", NOW - timedelta(hours=3), 12),
            ("friend@x.org", "review fixups", NOW - timedelta(hours=2), 1),
        ],
    )
    (ws / "bip.toml").write_text('[git]\nrepos = ["code/*"]\n')
    home = Path(os.environ["HOME"])
    (home / ".gitconfig").write_text("[user]\n\temail = me@x.org\n\tname = Me\n")
    result = bip("-w", str(ws), "checkin", "--dry-run")
    assert "bf16 on MI300X" in result.stdout and "review fixups" not in result.stdout
    assert "counting every author" not in result.stderr


def test_without_git_repos_the_checkin_says_how_to_add_them(bip, ws: Path):
    result = bip("-w", str(ws), "checkin", "--dry-run")
    assert "no [git] repos in bip.toml" in result.stderr
    assert 'repos = ["~/code/*"]' in result.stderr


def test_every_command_that_changes_something_takes_json(bip, commented: Path, ws: Path):
    w = str(commented.parent)

    def data(*args: str, code: int = 0):
        return json.loads(bip("-w", w, *args, "--json", code=code).stdout)

    added = data("read", "add", "https://github.com/karpathy/micrograd")
    assert added == {
        "id": "micrograd",
        "kind": "repo",
        "title": "karpathy/micrograd",
        "link": "https://github.com/karpathy/micrograd",
    }
    assert data("read", "start", "micrograd") == {
        "id": "micrograd",
        "changes": ["status todo -> reading", "started 2026-11-23"],
    }
    assert data("read", "done", "micrograd")["changes"] == [
        "status reading -> done",
        "finished 2026-11-23",
    ]
    assert data("read", "drop", "micrograd", "--note", "done enough")["changes"] == [
        "status done -> dropped",
        "note added",
    ]
    assert data("read", "note", "micrograd", "tiny autograd") == {
        "id": "micrograd",
        "changes": ["note added"],
    }
    assert data("read", "rm", "micrograd")["removed"]["id"] == "micrograd"
    assert data("read", "validate") == {
        "file": str(commented),
        "valid": True,
        "problems": [],
        "figures": 2,
        "entries": 3,
    }
    commented.write_text(commented.read_text().replace("status: todo", "stauts: todo"))
    broken = data("read", "validate", code=2)
    assert broken["valid"] is False and "unknown key 'stauts'" in broken["problems"][0]["message"]
    assert broken["problems"][0]["line"] == 20
    commented.write_text(commented.read_text().replace("stauts: todo", "status: todo"))
    cited = data("cite", "attention", "--format", "bibtex")
    assert cited[0]["id"] == "attention" and cited[0]["bibtex"].startswith("@")
    post = ws / "posts" / "p.md"
    post.parent.mkdir()
    post.write_text("---\ntitle: P\ndraft: true\n---\nbody\n")
    assert data("draft", "publish", str(post)) == {
        "published": str(post),
        "date": "2026-11-23T10:00:00+00:00",
    }


def _commands(command, path=()):
    """Every command under `command`, loading lazily registered ones as `bip` itself does."""
    import typer

    yield path, command
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in sorted(command.list_commands(ctx)):
            yield from _commands(command.get_command(ctx, name), (*path, name))


def test_help_names_values_and_never_cuts_a_summary(bip):
    import typer

    from toolkit.cli import app
    from toolkit.cli.helptext import readable

    root = readable(typer.main.get_command(app))
    walked = 0
    for path, command in _commands(root):
        text = bip(*path, "--help").stdout
        walked += 1
        usage = text.splitlines()[0]
        assert "{" not in usage, (path, usage)
        assert not re.search(r"<(str|int|float|path|list\[|bool|date)", text), (path, text)
        for name, sub in getattr(command, "commands", {}).items():
            if sub.hidden:
                continue
            first = " ".join(re.split(r"\n\s*\n", sub.help.strip())[0].split())
            listed = " ".join(text.split("Commands:", 1)[1].split())
            assert f"{name} {first}" in listed, (path, name)
    assert walked > 20
    note = bip("read", "note", "--help").stdout
    assert note.startswith("Usage: bip read note [OPTIONS] ID [TEXT]")
    assert "--figure ID" in bip("read", "list", "--help").stdout
    assert "--note TEXT" in bip("checkin", "--help").stdout
    assert "--since WHEN" in bip("log", "--help").stdout
