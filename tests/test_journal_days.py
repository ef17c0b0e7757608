"""The journal says each thing once, on its day: reading events, repos, landed numbers,
back-filled days, and no hints for you on the published page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import git
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakegithub import FakeGitHub
from tests.gitrepos import commit_file, make_repo
from tests.test_contrib import READING_LIST, rest_world
from toolkit.journal.days import Day, merge, parse_day, render_day
from toolkit.state import Store

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def page(ws: Path, day: str) -> str:
    return (ws / "journal" / day[:4] / f"{day}.md").read_text()


def read_lines(text: str) -> list[str]:
    section = text.split("## Read\n", 1)[1] if "## Read\n" in text else ""
    return [line for line in section.split("\n\n")[0].splitlines() if line.startswith("- ")]


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("BIP_NOW", moment)


def test_a_reading_event_appears_on_its_day_and_never_again(bip, ws: Path, monkeypatch):
    w = ["-w", str(ws)]
    at(monkeypatch, "2026-11-22T09:00:00+00:00")
    bip(*w, "read", "start", "nanogpt")
    bip(*w, "checkin", "--note", "day one")
    assert read_lines(page(ws, "2026-11-22")) == ["- started: nanoGPT (`nanogpt`)"]
    at(monkeypatch, "2026-11-22T15:00:00+00:00")  # after that check-in, the same day
    bip(*w, "read", "start", "zero-to-hero")
    at(monkeypatch, "2026-11-23T10:00:00+00:00")
    bip(*w, "checkin", "--note", "day two")
    assert read_lines(page(ws, "2026-11-23")) == [
        "- started: Neural Networks: Zero to Hero (`zero-to-hero`)",  # not yet on any page
    ]  # nanoGPT, started yesterday and still in progress, is not news: not listed again
    at(monkeypatch, "2026-11-24T10:00:00+00:00")
    bip(*w, "checkin", "--note", "day three")
    assert read_lines(page(ws, "2026-11-24")) == []


def test_one_line_per_entry_a_day_even_across_check_ins(bip, ws: Path, monkeypatch):
    w = ["-w", str(ws)]
    bip(*w, "checkin", "--read", "nanogpt", "--note", "morning")  # a todo entry: started
    assert read_lines(page(ws, "2026-11-23")) == ["- started: nanoGPT (`nanogpt`)"]
    at(monkeypatch, "2026-11-23T18:00:00+00:00")
    bip(*w, "read", "done", "nanogpt")
    bip(*w, "checkin", "--read", "nanogpt", "--note", "evening")
    text = page(ws, "2026-11-23")
    assert read_lines(text) == ["- started and finished: nanoGPT (`nanogpt`)"]
    assert "counts: {built: 0, read: 1, landed: 0, notes: 2}" in text


def test_a_drop_is_told_once(bip, ws: Path, monkeypatch):
    w = ["-w", str(ws)]
    bip(*w, "checkin", "--note", "x")
    bip(*w, "read", "drop", "nanogpt")
    at(monkeypatch, "2026-11-24T10:00:00+00:00")
    bip(*w, "checkin", "--note", "y")
    assert "- dropped: nanoGPT (`nanogpt`)" in read_lines(page(ws, "2026-11-24"))
    at(monkeypatch, "2026-11-25T10:00:00+00:00")
    bip(*w, "checkin", "--note", "z")
    assert "dropped" not in page(ws, "2026-11-25")


@pytest.fixture
def repos(ws: Path) -> Path:
    make_repo(
        ws / "code" / "vllm",
        [
            ("me@x.org", "three days ago", NOW - timedelta(days=3), 5),
            ("me@x.org", "two days ago", NOW - timedelta(days=2), 2),
            ("me@x.org", "this morning", NOW - timedelta(hours=2), 1),
        ],
    )
    (ws / "bip.toml").write_text('[git]\nemails = ["me@x.org"]\nrepos = ["code/*"]\n')
    return ws


def test_a_second_check_in_merges_per_repo(bip, repos: Path, monkeypatch):
    w = ["-w", str(repos)]
    bip(*w, "checkin", "--note", "first")
    at(monkeypatch, "2026-11-23T18:00:00+00:00")
    vllm = git.Repo(repos / "code" / "vllm")
    when = datetime(2026, 11, 23, 17, tzinfo=timezone.utc)
    commit_file(vllm, "a.txt", "a\nb\nc\n", "me@x.org", when, "evening work")
    vllm.git.checkout("-b", "evening")
    commit_file(vllm, "b.txt", "x\n", "me@x.org", when + timedelta(minutes=5), "on a branch")
    bip(*w, "checkin", "--note", "second")
    text = page(repos, "2026-11-23")
    built = text.split("## Built\n")[1].split("\n\n")[0].splitlines()
    assert built[0] == "- **vllm**: 3 commits, +5/-0 (branches: master, evening)"
    assert [line.split("` ", 1)[1] for line in built[1:]] == [
        "on a branch (+1/-0)",
        "evening work (+3/-0)",
        "this morning (+1/-0)",
    ]
    assert text.count("**vllm**") == 1 and "built: 1," in text


def test_merging_keeps_a_line_you_edited():
    day = NOW.date()
    mine = Day(day, sections={"Built": [["- **vllm**: my words", "  - `aaaaaaa` x (+1/-0)"]]})
    mine.sections["Read"] = [["- reading: nanoGPT (`nanogpt`) -- loved model.py"]]
    new = Day(
        day,
        sections={
            "Built": [["- **vllm**: 1 commit, +2/-0", "  - `bbbbbbb` y (+2/-0)"]],
            "Read": [["- reading: nanoGPT (`nanogpt`)"]],
        },
    )
    merged = merge(mine, new)
    assert merged.sections["Built"] == [
        ["- **vllm**: my words", "  - `bbbbbbb` y (+2/-0)", "  - `aaaaaaa` x (+1/-0)"]
    ]
    assert merged.sections["Read"] == [["- reading: nanoGPT (`nanogpt`) -- loved model.py"]]
    again = parse_day(render_day(merged), Path("x.md"), day)
    assert again.counts()["built"] == 1 and again.counts()["read"] == 1


def test_back_filling_records_that_day_only(bip, repos: Path, monkeypatch):
    w = ["-w", str(repos)]
    (repos / ".bip").mkdir(exist_ok=True)
    store = Store(repos / ".bip" / "state.sqlite")
    for day, merged in ((19, 1), (21, 2), (23, 3)):
        store.save_snapshots(
            datetime(2026, 11, day, 9, tzinfo=timezone.utc),
            "me",
            {"Dao-AILab/flash-attention": {"merged_prs": merged, "commits": merged}},
        )
    store.close()
    monkeypatch.setenv("BIP_GITHUB_LOGIN", "me")
    at(monkeypatch, "2026-11-21T09:00:00+00:00")
    bip(*w, "read", "start", "zero-to-hero")
    at(monkeypatch, "2026-11-23T10:00:00+00:00")
    bip(*w, "read", "start", "nanogpt")
    bip(*w, "checkin", "--note", "today")
    at(monkeypatch, "2026-11-21T22:00:00+00:00")  # fill in a day you missed
    result = bip(*w, "checkin", "--note", "back then")
    text = page(repos, "2026-11-21")
    assert "two days ago" in text and "this morning" not in text and "three days" not in text
    assert read_lines(text) == [
        "- started: Neural Networks: Zero to Hero (`zero-to-hero`)",
    ]  # nanogpt was started only on the 23rd
    assert (
        "- Dao-AILab/flash-attention: 2 merged PRs, 2 commits (+1 merged PR, +1 commit since 2026-11-19)"
        in text
    )
    assert "last snapshot from 2026-11-21 09:00" in text
    assert "filling in 2026-11-21" in result.stderr
    store = Store(repos / ".bip" / "state.sqlite")
    assert store.get("checkin.last") == "2026-11-23T10:00:00+00:00"  # never moved back


def test_online_landed_says_totals_and_changes_and_hints_stay_in_the_terminal(
    bip, tmp_path: Path, httpserver, monkeypatch
):
    ws = tmp_path / "online"
    ws.mkdir()
    (ws / "reading_list.yaml").write_text(READING_LIST)
    gh = FakeGitHub(httpserver)
    rest_world(gh)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    monkeypatch.setenv("BIP_GITHUB_LOGIN", "me")
    first = bip("-w", str(ws), "checkin", "--offline", "--note", "no numbers yet")
    assert "bip contrib status" in first.stderr  # the hint is for you ...
    assert "contrib" not in page(ws, "2026-11-23") and "## Landed" not in page(ws, "2026-11-23")
    (ws / ".bip").mkdir(exist_ok=True)
    store = Store(ws / ".bip" / "state.sqlite")
    store.save_snapshots(
        datetime(2026, 11, 20, 9, tzinfo=timezone.utc),
        "me",
        {"vllm-project/vllm": {"merged_prs": 0, "open_prs": 2, "commits": 3, "rank": 150}},
    )
    store.close()
    bip("-w", str(ws), "checkin", "--note", "online")
    landed = page(ws, "2026-11-23").split("## Landed\n")[1].split("\n\n")[0].splitlines()
    assert landed == [
        "- Dao-AILab/flash-attention: 0 merged PRs, 0 commits",
        "- vllm-project/vllm: 1 merged PR, 3 commits, rank #142 "
        "(+1 merged PR, -1 open PR, +1 issue, rank was #150 since 2026-11-20)",
    ]


TRICKY = ["yes", "No", "on", "OFF", "y", "null", "True", "nan", "inf", "1.0", "0x1f", "1_0", "a b"]
TRICKY += [
    "x:y",
    "a: b",
    "k: v",
    "a:",
    "x #y",
    "w -",
    "#x",
    "-",
    "~",
    "",
    "é",
    "2026-01-01",
    "A-b_c",
    "e1",
    "a" * 70,
    "1e3",
]
WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True)
TAG = st.one_of(
    st.sampled_from(TRICKY), st.from_regex(r"[\w.:# -]{1,8}", fullmatch=True), st.text(max_size=4)
)
COUNTS = st.fixed_dictionaries({k: st.integers() for k in ("built", "read", "landed", "notes")})
ODD = {  # values a check-in never writes (from a day's file edited by hand, say)
    "minutes": st.one_of(st.booleans(), st.text(max_size=5), st.floats()),
    "tags": st.one_of(st.lists(TAG, min_size=33, max_size=40), st.text(max_size=8)),
    "counts": st.dictionaries(
        st.sampled_from(["built", "read", "other"]), st.one_of(st.integers(), st.booleans())
    ),
    "extra": st.one_of(st.integers(), st.text(max_size=5), st.lists(st.integers())),
}


def same_as_the_emitter(meta: dict[str, object]) -> bool:
    """The emitter (ruamel, which also reads the file back) is the oracle: where the quick
    path answers at all, its lines are the emitter's, byte for byte."""
    from toolkit import yamledit
    from toolkit.journal.days import plain_front_matter

    quick = plain_front_matter(meta)
    return quick is None or quick == yamledit.render_block(meta)


@settings(max_examples=100, deadline=None)
@given(
    day=st.dates(),
    minutes=st.integers(),
    words=st.lists(WORD, max_size=3),
    odd=st.one_of(st.none(), st.sampled_from(TRICKY), TAG),
    at=st.integers(0, 3),
    counts=COUNTS,
)
def test_a_check_ins_front_matter_is_written_as_the_yaml_emitter_writes_it(
    day, minutes, words, odd, at, counts
):
    """Tags are words, with at most one odd one (quoted, or not a word at all) among them."""
    tags = [*words[:at], *([] if odd is None else [odd]), *words[at:]]
    assert same_as_the_emitter({"date": day, "tags": tags, "minutes": minutes, "counts": counts})


@settings(max_examples=100, deadline=None)
@given(
    odd=st.sampled_from(sorted(ODD)).flatmap(lambda key: st.tuples(st.just(key), ODD[key])),
    order=st.permutations(["date", "minutes", "tags", "counts", "extra"]),
)
def test_any_front_matter_is_written_as_the_yaml_emitter_writes_it(odd, order):
    """One value a check-in never writes among plain ones, in any order."""
    values = {"date": NOW.date(), "minutes": 90, "tags": ["amd"], "counts": {"built": 1}}
    values[odd[0]] = odd[1]
    assert same_as_the_emitter({k: values[k] for k in order if k in values})


@pytest.mark.parametrize("tag", TRICKY)
def test_tags_the_emitter_would_quote_are_left_to_it(tag):
    meta = {"date": NOW.date(), "tags": ["amd", tag], "counts": {"built": 1}}
    assert same_as_the_emitter(meta)


def test_a_check_ins_own_front_matter_takes_the_quick_path():
    from toolkit.journal.days import plain_front_matter

    day = Day(NOW.date(), {"tags": ["vllm", "amd-gpu", "fp8"], "minutes": 90})
    day.sections["Built"] = [["- **nanogpt**: 1 commit, +12/-0"]]
    meta = {"date": day.day, **day.meta, "counts": day.counts()}
    assert plain_front_matter(meta) == [
        "date: 2026-11-23",
        "tags: [vllm, amd-gpu, fp8]",
        "minutes: 90",
        "counts: {built: 1, read: 0, landed: 0, notes: 0}",
    ]
    assert render_day(day).startswith("---\ndate: 2026-11-23\ntags: [vllm, amd-gpu, fp8]\n")
    assert plain_front_matter({**meta, "tags": ["true"]}) is None  # the emitter quotes it
