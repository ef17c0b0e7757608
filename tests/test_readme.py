"""The README is the user's manual and docs/ holds the detail: every `$ bip` line in them runs.

README.md's ```console blocks are one walk-through, run in order from `bip init bip-demo`. Each
page under docs/ is run on its own, in a fresh workspace made by `bip init bip-demo` unless the
page begins with its own `bip init`.
"""

import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))
MANUAL = [README, *DOCS]
MAX_README_LINES = 400


def block_lines(path: Path, language: str) -> list[str]:
    lines, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line == "```" + language
            continue
        if inside:
            lines.append(line)
    return lines


def console_commands(path: Path) -> list[str]:
    return [line[2:] for line in block_lines(path, "console") if line.startswith("$ ")]


def sh_commands(path: Path) -> list[str]:
    return [
        line.split("  #")[0].split(" > ")[0].strip()
        for line in block_lines(path, "sh")
        if line.startswith("bip ")
    ]


def run_commands(bip, commands: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for command in commands:
        argv = shlex.split(command)
        if argv[0] == "cd":
            monkeypatch.chdir(Path.cwd() / argv[1])
            continue
        assert argv[0] == "bip", command
        result = bip(*argv[1:])
        assert result.exit_code == 0, f"{command}\n{result.stdout}\n{result.stderr}"


def test_the_readme_has_a_walk_through():
    commands = console_commands(README)
    assert len(commands) >= 15
    assert commands[0] == "bip init bip-demo"


def test_the_readme_is_a_manual_not_a_book():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, (
        f"README.md has {lines} lines (at most {MAX_README_LINES}): move detail to docs/<topic>.md"
    )


def test_the_readme_links_only_to_docs_that_exist():
    text = README.read_text(encoding="utf-8")
    for page in DOCS:
        assert f"docs/{page.name}" in text, f"README.md does not point to docs/{page.name}"
    for target in {part.split(")")[0] for part in text.split("](docs/")[1:]}:
        assert (REPO_ROOT / "docs" / target.split("#")[0]).is_file(), target


def test_every_readme_command_runs(bip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    run_commands(bip, console_commands(README), monkeypatch)


DOCS_WITH_COMMANDS = [page for page in DOCS if console_commands(page)]


@pytest.mark.parametrize("page", DOCS_WITH_COMMANDS, ids=[p.name for p in DOCS_WITH_COMMANDS])
def test_every_docs_command_runs(page: Path, bip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    commands = console_commands(page)
    if not commands[0].startswith("bip init"):
        commands = ["bip init bip-demo", "cd bip-demo", *commands]
    run_commands(bip, commands, monkeypatch)


def test_the_network_commands_are_shown():
    assert any(c.startswith("bip contrib status") for c in sh_commands(README))
    assert any(c.startswith("bip read import") for page in DOCS for c in sh_commands(page))


@pytest.mark.parametrize("page", MANUAL, ids=[p.name for p in MANUAL])
def test_every_network_command_parses(page: Path, bip):
    for command in sh_commands(page):
        result = bip(*shlex.split(command)[1:], "--help")
        assert result.exit_code == 0, f"{page.name}: {command}\n{result.stdout}\n{result.stderr}"
