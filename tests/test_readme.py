"""The README is the user's manual: every `$ bip` line in it runs as written."""

import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


def readme_commands() -> list[str]:
    lines, inside = [], False
    for line in (REPO_ROOT / "README.md").read_text().splitlines():
        if line.startswith("```"):
            inside = line == "```console"
            continue
        if inside and line.startswith("$ "):
            lines.append(line[2:])
    return lines


def test_the_readme_has_a_walk_through():
    commands = readme_commands()
    assert len(commands) >= 15
    assert commands[0] == "bip init bip-demo"


def test_every_readme_command_runs(bip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for command in readme_commands():
        argv = shlex.split(command)
        if argv[0] == "cd":
            monkeypatch.chdir(Path.cwd() / argv[1])
            continue
        assert argv[0] == "bip", command
        result = bip(*argv[1:])
        assert result.exit_code == 0, f"{command}\n{result.stdout}\n{result.stderr}"


def sh_commands() -> list[str]:
    lines, inside = [], False
    for line in (REPO_ROOT / "README.md").read_text().splitlines():
        if line.startswith("```"):
            inside = line == "```sh"
            continue
        if inside and line.startswith("bip "):
            lines.append(line.split("  #")[0].split(" > ")[0].strip())
    return lines


def test_every_network_command_in_the_readme_parses(bip):
    commands = sh_commands()
    assert any(c.startswith("bip contrib status") for c in commands)
    for command in commands:
        result = bip(*shlex.split(command)[1:], "--help")
        assert result.exit_code == 0, f"{command}\n{result.stdout}\n{result.stderr}"
