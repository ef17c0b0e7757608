"""The journal merges, never duplicates or drops, refuses broken files, survives concurrency."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from toolkit.errors import InvalidFile
from toolkit.journal.days import Day, day_path, load_day, merge, parse_day, render_day, write_day

DAY = date(2026, 11, 23)


def sample(notes: list[str], minutes: int = 0, tags: list[str] | None = None) -> Day:
    day = Day(DAY)
    day.sections["Notes"] = [[f"- {n}"] for n in notes]
    day.sections["Built"] = [["- **nanogpt**: 1 commit, +3/-0", "  - `abc1234` port (+3/-0)"]]
    if minutes:
        day.meta["minutes"] = minutes
    if tags:
        day.meta["tags"] = tags
    return day


def bip_env(ws: Path) -> dict[str, str]:
    """The environment for a bip subprocess on `ws`: offline, with a pinned clock and zone."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(
        BIP_WORKSPACE=str(ws),
        BIP_OFFLINE="1",
        BIP_TIMEZONE="UTC",
        BIP_NOW="2026-11-23T10:00:00+00:00",
    )
    return env


def test_render_then_parse_is_stable():
    text = render_day(sample(["learned a"], 30, ["vllm"]))
    assert text.startswith("---\ndate: 2026-11-23\nminutes: 30\ntags: [vllm]\n")
    assert "counts: {built: 1, read: 0, landed: 0, notes: 1}" in text
    again = parse_day(text, Path("x.md"), DAY)
    assert render_day(again) == text


def test_merge_adds_without_duplicating_and_sums_minutes():
    first, second = (
        sample(["learned a"], 30, ["vllm"]),
        sample(["learned a", "learned b"], 15, ["amd"]),
    )
    merged = merge(first, second)
    assert [b[0] for b in merged.sections["Notes"]] == ["- learned a", "- learned b"]
    assert len(merged.sections["Built"]) == 1
    assert merged.meta["minutes"] == 45 and merged.meta["tags"] == ["vllm", "amd"]


def test_hand_edits_between_check_ins_are_kept(tmp_path: Path):
    path, _ = write_day(tmp_path, sample(["learned a"]), None)
    text = path.read_text().replace("- learned a", "- learned a (and wrote it up properly)")
    text += "\n## Links\n- https://example.org/my-notes\n"
    path.write_text(text)
    _, merged = write_day(tmp_path, sample(["learned b"]), None)
    final = path.read_text()
    assert "- learned a (and wrote it up properly)" in final
    assert "- learned b" in final
    assert "## Links\n- https://example.org/my-notes" in final
    assert final.count("**nanogpt**") == 1


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        ("# no front matter\n", 1, "no front matter"),
        ("---\ndate: 2026-11-23\ntags: [unclosed\n---\n", 4, "front matter: YAML syntax error"),
        ("---\ndate: 2026-11-23\n", 1, "never closed"),
        ("---\n- a list\n---\n", 2, "must be a mapping"),
    ],
)
def test_a_broken_file_is_reported_with_its_line_and_not_overwritten(
    tmp_path: Path, broken, line, message
):
    path = day_path(tmp_path, DAY)
    path.parent.mkdir(parents=True)
    path.write_text(broken)
    with pytest.raises(InvalidFile) as info:
        write_day(tmp_path, sample(["x"]), None)
    problem = info.value.problems[0]
    assert problem.path == str(path) and problem.line == line and message in problem.message
    assert path.read_text() == broken


def test_concurrent_check_ins_both_keep_their_notes(ws: Path):
    env = bip_env(ws)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "toolkit", "checkin", "--note", f"note from terminal {n}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    text = day_path(ws / "journal", DAY).read_text()
    for n in range(4):
        assert text.count(f"- note from terminal {n}") == 1
    assert load_day(ws / "journal", DAY) is not None


def test_on_a_terminal_checkin_asks_and_keeps_the_answers(ws: Path):
    """A real pseudo-terminal: the two questions are asked and the answers land in the journal."""
    from tests.terminal import bip_on_terminal

    env = {**bip_env(ws), "TERM": "dumb", "COLUMNS": "120"}
    answers = [b"paged attention is a page table\n", b"\n"]
    code, text = bip_on_terminal("checkin", env=env, answers=answers, prompt=b"? (Enter to skip)")
    assert code == 0, text
    assert "What did you learn?" in text and "What's next?" in text
    text = day_path(ws / "journal", DAY).read_text()
    assert "## Notes\n- paged attention is a page table" in text
    assert "## Next" not in text  # skipped with Enter
