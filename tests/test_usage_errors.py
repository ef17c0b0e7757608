"""Usage errors said bip's way, and a closed pipe ended quietly (README: exit codes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.listgen import write as write_list


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            ["runs", "compar"],
            "bip runs: no such command 'compar'",
            "did you mean `bip runs compare`?",
        ),
        (["read", "lst"], "bip read: no such command 'lst'", "did you mean `bip read list`?"),
        (["frobnicate"], "bip: no such command 'frobnicate'", "`bip --help` shows what it takes"),
        (
            ["read", "list", "--figur", "x"],
            "bip read list: no such option: --figur",
            "did you mean `--figure`?",
        ),
        (
            ["cite", "--format", "xml"],
            "bip cite: invalid value for '--format': 'xml' is not one of 'markdown', 'bibtex', "
            "'bibtex-plain', 'text'",
            "`bip cite --help` shows what it takes",
        ),
        (
            ["contrib", "goal", "--merged-prs", "-1", "karpathy/nanoGPT"],
            "bip contrib goal: invalid value for '--merged-prs': Input should be greater than or equal to 1",
            "`bip contrib goal --help` shows what it takes",
        ),
    ],
)
def test_usage_errors_name_the_command_and_the_fix(bip, ws: Path, args, message, hint) -> None:
    result = bip("-w", str(ws), *args, code=2)
    assert result.stderr == f"bip: error: {message}\n  hint: {hint}\n"
    assert result.stdout == ""


def test_a_closed_pipe_ends_bip_quietly_with_141(tmp_path: Path) -> None:
    write_list(tmp_path / "reading_list.yaml", 2000)  # far more than a pipe holds
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(BIP_WORKSPACE=str(tmp_path), BIP_OFFLINE="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "read", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # what `head -1` reads, then it goes away
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait() == 141
    assert first.startswith(b"id ") and err == b""


@pytest.mark.parametrize("url", ["https://github.com/karpathy", "github.com/orgs/deepseek-ai"])
def test_a_github_profile_is_someone_to_follow_not_something_to_read(
    bip, ws: Path, url, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIP_OFFLINE", "1")
    before = (ws / "reading_list.yaml").read_bytes()
    result = bip("-w", str(ws), "read", "add", url, code=2)
    login = url.rsplit("/", 1)[1]
    assert f"is the GitHub profile of {login}" in result.stderr
    assert f"bip figures add {login} --github {login}" in result.stderr
    assert (ws / "reading_list.yaml").read_bytes() == before
    # asked for in so many words, the page is kept; a page of GitHub itself is no profile
    bip("-w", str(ws), "read", "add", url, "--kind", "post")
    bip("-w", str(ws), "read", "add", "https://github.com/topics")
    assert "kind: post" in (ws / "reading_list.yaml").read_text()


@pytest.mark.parametrize(
    "group", ["read", "figures", "contrib", "reach", "draft", "runs", "site", "profile"]
)
def test_every_group_help_ends_with_examples_of_its_own_commands(bip, group: str) -> None:
    text = bip(group, "--help").stdout
    assert "\nExamples:\n" in text, text
    listed = text.split("Commands:", 1)[1].split("Examples:", 1)[0]
    names = {
        line.split()[0] for line in listed.splitlines() if line.startswith("  ") and line[2] != " "
    }
    shown = text.split("\nExamples:\n", 1)[1].splitlines()
    assert shown and all(line.startswith(f"  bip {group} ") for line in shown), shown
    for line in shown:
        sub = line.split()[2]
        assert sub in names or group == "draft", (sub, names)  # `bip draft TEMPLATE` too
        if sub in names:
            assert " ".join(line.split()) in " ".join(bip(group, sub, "--help").stdout.split())
