"""`bip checkin`, `bip log`, `bip streak` end to end on real repos and real journal files."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import git
import pytest

from tests.gitrepos import commit_file, make_repo
from toolkit.errors import BadInput
from toolkit.journal.streak import heatmap, streaks
from toolkit.since import parse_since
from toolkit.state import Store

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


@pytest.fixture
def cws(ws: Path) -> Path:
    """A workspace with two repos of mine and one of someone else."""
    make_repo(
        ws / "code" / "nanogpt",
        [
            ("me@x.org", "yesterday's old work", NOW - timedelta(days=2), 4),
            ("me@x.org", "bf16 on MI300X", NOW - timedelta(hours=3), 12),
            ("friend@x.org", "review fixups", NOW - timedelta(hours=2), 1),
        ],
    )
    make_repo(ws / "code" / "vllm", [("me@x.org", "docs: fix a typo", NOW - timedelta(hours=1), 1)])
    (ws / "code" / "scratch").mkdir()
    (ws / "bip.toml").write_text('[git]\nemails = ["me@x.org"]\nrepos = ["code/*"]\n')
    return ws


def journal(ws: Path, day: str = "2026-11-23") -> str:
    return (ws / "journal" / day[:4] / f"{day}.md").read_text()


def test_checkin_counts_built_read_and_writes_the_day(bip, cws: Path):
    result = bip(
        "-w",
        str(cws),
        "checkin",
        "--note",
        "bf16 halves memory",
        "--next",
        "try FA2",
        "--minutes",
        "90",
        "--tag",
        "amd",
        "--read",
        "nanogpt",
    )
    assert result.exit_code == 0, result.stderr
    text = journal(cws)
    assert "- **nanogpt**: 1 commit, +12/-0" in text and "bf16 on MI300X" in text
    assert "- **vllm**: 1 commit, +1/-0" in text
    assert "review fixups" not in text and "yesterday's old work" not in text
    assert text.count("(`nanogpt`)") == 1  # one entry, one line: not started + worked on + reading
    assert "- started: nanoGPT (`nanogpt`)" in text
    assert "## Notes\n- bf16 halves memory" in text and "## Next\n- try FA2" in text
    assert "minutes: 90" in text and "tags: [amd]" in text
    assert "counts: {built: 2, read: 1, landed: 0, notes: 1}" in text
    assert "skipped" in result.stderr and "scratch: not a git repository" in result.stderr
    assert "(streak: 1 day)" in result.stdout
    assert (
        json.loads(bip("-w", str(cws), "read", "show", "nanogpt", "--json").stdout)["status"]
        == "reading"
    )


def test_a_second_check_in_the_same_day_adds_only_what_is_new(bip, cws: Path, monkeypatch):
    bip("-w", str(cws), "checkin", "--note", "first", "--minutes", "30")
    monkeypatch.setenv("BIP_NOW", "2026-11-23T18:00:00+00:00")
    commit_file(
        git.Repo(cws / "code" / "vllm"),
        "new.txt",
        "x\n",
        "me@x.org",
        datetime(2026, 11, 23, 17, tzinfo=timezone.utc),
        "evening commit",
    )
    assert bip("-w", str(cws), "checkin", "--note", "second", "--minutes", "20").exit_code == 0
    text = journal(cws)
    assert text.count("bf16 on MI300X") == 1 and "evening commit" in text
    assert "- first" in text and "- second" in text and "minutes: 50" in text


def test_no_tty_never_prompts_and_dry_run_writes_nothing(bip, cws: Path):
    result = bip("-w", str(cws), "checkin", "--dry-run")  # CliRunner's stdin is not a terminal
    assert result.exit_code == 0 and "What did you learn" not in result.stdout
    assert "## Built" in result.stdout
    assert not (cws / "journal").exists()
    data = json.loads(bip("-w", str(cws), "checkin", "--dry-run", "--json").stdout)
    assert [r["name"] for r in data["built"]] == ["nanogpt", "vllm"]
    assert not (cws / "journal").exists()


def test_no_login_says_how_to_set_one_without_a_flag_the_checkin_lacks(bip, cws: Path, monkeypatch):
    monkeypatch.delenv("BIP_OFFLINE")  # GitHub is a closed port; no token, no login
    result = bip("-w", str(cws), "checkin", "--dry-run")
    (line,) = [x for x in result.stderr.splitlines() if "progress not refreshed" in x]
    assert "does not know your GitHub login" in line and "[github] login" in line
    assert "--user" not in line  # `bip checkin --user` does not exist
    bip("-w", str(cws), "checkin", "--dry-run", "--user", "me", code=2)


def test_unknown_read_id_fails_before_writing(bip, cws: Path):
    result = bip("-w", str(cws), "checkin", "--read", "nanogtp", code=2)
    assert result.exit_code == 2 and "did you mean 'nanogpt'?" in result.stderr
    assert not (cws / "journal").exists()


def test_a_broken_journal_file_is_refused(bip, cws: Path):
    bip("-w", str(cws), "checkin", "--note", "a")
    path = cws / "journal" / "2026" / "2026-11-23.md"
    path.write_text(
        path.read_text().replace("minutes", "minutes: [", 1)
        if "minutes" in path.read_text()
        else path.read_text().replace("date:", "date: [", 1)
    )
    broken = path.read_bytes()
    result = bip("-w", str(cws), "checkin", "--note", "b", code=2)
    assert (
        result.exit_code == 2
        and "2026-11-23.md:" in result.stderr
        and "front matter" in result.stderr
    )
    assert path.read_bytes() == broken


def test_landed_offline_uses_the_last_snapshot(bip, cws: Path):
    (cws / "reading_list.yaml").write_text((cws / "reading_list.yaml").read_text())
    (cws / ".bip").mkdir(exist_ok=True)
    store = Store(cws / ".bip" / "state.sqlite")
    store.save_snapshots(
        datetime(2026, 11, 20, 9, tzinfo=timezone.utc),
        "me",
        {"Dao-AILab/flash-attention": {"merged_prs": 1, "commits": 2, "rank": 321}},
    )
    store.close()
    result = bip("-w", str(cws), "checkin", "--offline", "--dry-run")
    assert "- Dao-AILab/flash-attention: 1 merged PR, 2 commits, rank #321" in result.stdout
    assert "_offline: last snapshot from 2026-11-20 09:00_" in result.stdout


def test_an_offline_dry_run_loads_no_github_runs_or_index_code(bip, cws: Path):
    """What an offline `--dry-run` does not use, it does not import: the GitHub and HTTP
    clients (Landed comes from the snapshot), the runs store (no runs folder), the journal
    index and streaks (nothing is written)."""
    store = Store(cws / ".bip" / "state.sqlite")
    store.save_snapshots(
        datetime(2026, 11, 20, 9, tzinfo=timezone.utc),
        "me",
        {"Dao-AILab/flash-attention": {"merged_prs": 1, "commits": 2, "rank": 321}},
    )
    store.close()
    code = (
        "import sys, io, contextlib; from toolkit.cli import run\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = run(['-w', {str(cws)!r}, 'checkin', '--offline', '--dry-run'])\n"
        "print(code, out.getvalue().count('rank #321'), *sorted(sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    exit_code, landed, *modules = done.stdout.split()
    assert (exit_code, landed) == ("0", "1"), done.stderr
    assert "toolkit.journal.checkin" in modules and "toolkit.git" in modules
    unused = ("toolkit.contrib", "toolkit.github", "toolkit.http", "requests", "toolkit.runs")
    assert [m for m in modules if m.startswith(unused)] == []
    assert "toolkit.journal.index" not in modules and "toolkit.journal.streak" not in modules


@pytest.mark.parametrize("text", ["init", "commented", "contrib", "frozen"])
def test_has_targets_answers_as_targets_from_does(text: str, ws: Path, tmp_path: Path):
    from tests.conftest import COMMENTED, FROZEN_LIST
    from tests.test_contrib import READING_LIST
    from toolkit import contrib
    from toolkit.journal.gather import has_targets
    from toolkit.readinglist import load_reading_list

    path = ws / "reading_list.yaml"
    sources = {"commented": COMMENTED, "contrib": READING_LIST, "frozen": FROZEN_LIST.read_text()}
    if text in sources:
        path.write_text(sources[text])
    model = load_reading_list(path).model
    assert has_targets(model) == bool(contrib.targets_from(model))
    assert has_targets(model) == (text != "commented")  # init's list has a goal, as do the others


def test_time_zone_decides_the_day(bip, cws: Path, monkeypatch):
    monkeypatch.setenv("BIP_TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("BIP_NOW", "2026-11-23T20:00:00+00:00")  # already the 24th in Shanghai
    bip("-w", str(cws), "checkin", "--note", "late")
    assert (cws / "journal" / "2026" / "2026-11-24.md").exists()


def write_days(ws: Path, days: list[str], tags: dict[str, str] | None = None) -> None:
    for day in days:
        path = ws / "journal" / day[:4] / f"{day}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        tag = (tags or {}).get(day)
        front = f"date: {day}\n" + (f"tags: [{tag}]\n" if tag else "")
        path.write_text(f"---\n{front}---\n\n# {day}\n\n## Notes\n- worked\n- more\n- and more\n")


def test_streaks_count_back_from_today_or_yesterday():
    d = date(2026, 11, 23)
    days = {d - timedelta(days=n) for n in (1, 2, 3)} | {
        d - timedelta(days=n) for n in range(10, 15)
    }
    result = streaks(days, d)
    assert (result.current, result.longest, result.longest_end, result.today_done) == (
        3,
        5,
        "2026-11-13",
        False,
    )
    assert streaks(days | {d}, d).current == 4
    assert streaks({d - timedelta(days=2)}, d).current == 0


def test_log_filters_and_formats(bip, ws: Path):
    write_days(ws, ["2026-11-10", "2026-11-20", "2026-11-22", "2026-11-23"], {"2026-11-22": "vllm"})
    data = json.loads(bip("-w", str(ws), "log", "--since", "7d", "--json").stdout)
    assert [d["day"] for d in data] == ["2026-11-23", "2026-11-22", "2026-11-20"]
    assert [
        d["day"] for d in json.loads(bip("-w", str(ws), "log", "--tag", "vllm", "--json").stdout)
    ] == ["2026-11-22"]
    markdown = bip("-w", str(ws), "log", "--since", "2026-11-22", "--format", "markdown").stdout
    assert markdown.count("# 2026-11-2") == 2
    assert bip("-w", str(ws), "log", "--since", "last week", code=2).exit_code == 2


def test_the_index_follows_hand_edits_and_can_be_rebuilt(bip, ws: Path):
    write_days(ws, ["2026-11-22"])
    assert json.loads(bip("-w", str(ws), "log", "--json").stdout)[0]["counts"]["notes"] == 3
    path = ws / "journal" / "2026" / "2026-11-22.md"
    path.write_text(path.read_text() + "- a fourth note\n")
    import os

    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert json.loads(bip("-w", str(ws), "log", "--json").stdout)[0]["counts"]["notes"] == 4
    result = bip("-w", str(ws), "log", "--reindex")
    assert "reindexed 1 day\n" in result.stdout
    path.unlink()
    assert json.loads(bip("-w", str(ws), "log", "--json").stdout) == []


def test_streak_svg_to_a_folder_or_a_missing_folder_is_bad_input(bip, ws: Path, tmp_path: Path):
    write_days(ws, ["2026-11-23"])
    folder = bip("-w", str(ws), "streak", "--svg", str(tmp_path), code=2).stderr
    assert "it is a folder" in folder and "hint: give a file name" in folder
    missing = bip("-w", str(ws), "streak", "--svg", str(tmp_path / "no" / "s.svg"), code=2).stderr
    assert f"the folder {tmp_path / 'no'} does not exist" in missing and "mkdir -p" in missing
    bip("-w", str(ws), "streak", "--svg", str(tmp_path / "s.svg"))
    title = ET.fromstring((tmp_path / "s.svg").read_text()).find(
        "{http://www.w3.org/2000/svg}title"
    )
    assert title is not None and (title.text or "").startswith("1 journal day;")


def test_streak_heatmap_and_svg_reflect_the_journal(bip, ws: Path, tmp_path: Path):
    write_days(ws, ["2026-11-21", "2026-11-22", "2026-11-23", "2026-10-01"])
    out = tmp_path / "streak.svg"
    result = bip("-w", str(ws), "streak", "--svg", str(out))
    assert result.exit_code == 0, result.stderr
    assert "current streak: 3 days" in result.stdout and "longest streak: 3 days" in result.stdout
    root = ET.fromstring(out.read_text())
    rects = {
        r.get("data-date"): int(r.get("data-count"))
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("data-date")
    }
    assert len(rects) == 51 * 7 + 1  # 52 weeks, the last one ending today (a Monday)
    assert {d for d, n in rects.items() if n} == {
        "2026-11-21",
        "2026-11-22",
        "2026-11-23",
        "2026-10-01",
    }
    assert rects["2026-11-23"] == 3 and rects["2026-11-20"] == 0


def test_heatmap_places_days_in_weekday_rows():
    today = date(2026, 11, 23)  # a Monday
    text = heatmap({today: 12, today - timedelta(days=1): 1}, today, weeks=2)
    rows = text.splitlines()
    assert rows[1] == "Mon ·█"  # last week's Monday had nothing; today is full
    assert rows[7] == "Sun ░"  # yesterday, a Sunday, one step of activity


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("0d", "2026-11-23T00:00:00+01:00"),  # today, not tomorrow
        ("1d", "2026-11-23T00:00:00+01:00"),
        ("7d", "2026-11-17T00:00:00+01:00"),  # today and the 6 days before
        ("2w", "2026-11-10T00:00:00+01:00"),
        ("24h", "2026-11-22T15:30:00+01:00"),
        ("today", "2026-11-23T00:00:00+01:00"),
        (" Yesterday ", "2026-11-22T00:00:00+01:00"),
        ("2026-11-01", "2026-11-01T00:00:00+01:00"),
    ],
)
def test_parse_since(text: str, start: str):
    now = datetime.fromisoformat("2026-11-23T15:30:00+01:00")
    assert parse_since(text, now) == datetime.fromisoformat(start)


@pytest.mark.parametrize("text", ["last week", "7", "d", "-1d", "2026-13-01", "1y", ""])
def test_parse_since_refuses_what_it_cannot_read(text: str):
    with pytest.raises(BadInput, match="neither a duration nor a date"):
        parse_since(text, datetime(2026, 11, 23, tzinfo=timezone.utc))
