"""Edits change only the lines they mean to change, atomically, without losing concurrent edits."""

import difflib
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import COMMENTED
from toolkit import readinglist as rl
from toolkit.errors import BadInput, ConcurrentEdit, InvalidFile

TODAY = date(2026, 11, 23)


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_done_changes_only_the_status_line_and_adds_dates(commented: Path):
    rl.edit_reading_list(commented, rl.plan_status("nanogpt", "done", TODAY))
    assert changed_lines(COMMENTED, commented.read_text()) == [
        "-    status: todo     # start soon",
        "+    status: done     # start soon",
        "+    started: 2026-11-23",
        "+    finished: 2026-11-23",
    ]
    after = commented.read_text().splitlines()
    # the new keys go after the entry's block-style tag list, inside the entry
    assert after[after.index("    - training") + 1] == "    started: 2026-11-23"


def test_note_appends_to_a_literal_block(commented: Path):
    rl.edit_reading_list(commented, rl.plan_note("attention", "third line"))
    assert changed_lines(COMMENTED, commented.read_text()) == ["+      third line"]
    assert rl.load_reading_list(commented).model.entry("attention").notes == (
        "first line\nsecond line\nthird line\n"
    )


def test_start_keeps_an_existing_start_date(commented: Path):
    rl.edit_reading_list(commented, rl.plan_status("attention", "done", TODAY))
    entry = rl.load_reading_list(commented).model.entry("attention")
    assert (entry.status, entry.started, entry.finished) == ("done", date(2026, 11, 1), TODAY)


def test_remove_keeps_the_comments_around_the_entry(commented: Path):
    rl.edit_reading_list(commented, rl.plan_remove("attention"))
    text = commented.read_text()
    assert "# --- Tri Dao ---" in text and "# --- Karpathy ---" in text
    removed = changed_lines(COMMENTED, text)
    assert all(line.startswith("-") for line in removed)
    assert "-  - id: attention" in removed
    assert "\n\n\n" not in text
    assert [e.id for e in rl.load_reading_list(commented).model.entries] == ["nanogpt", "flash"]


def test_add_appends_a_new_block_entry_and_leaves_the_rest(commented: Path):
    added = rl.edit_reading_list(
        commented, rl.plan_add("https://github.com/karpathy/micrograd", TODAY, figures=["karpathy"])
    )
    assert added.id == "micrograd"
    lines = changed_lines(COMMENTED, commented.read_text())
    assert all(line.startswith("+") for line in lines)
    assert "+  - id: micrograd" in lines
    assert "+    figures: [karpathy]" in lines
    assert commented.read_text().rstrip().endswith("# trailing comment about the list")


def test_add_refuses_duplicates_and_unknown_figures(commented: Path):
    before = commented.read_bytes()
    with pytest.raises(BadInput, match="already in the list as 'nanogpt'"):
        rl.edit_reading_list(commented, rl.plan_add("https://github.com/karpathy/nanogpt", TODAY))
    with pytest.raises(BadInput, match="no figure 'karpaty'") as info:
        rl.edit_reading_list(commented, rl.plan_add("2205.14135", TODAY, figures=["karpaty"]))
    assert info.value.hint.startswith("did you mean 'karpathy'? or add one with `bip figures add")
    assert commented.read_bytes() == before


def test_add_derives_unique_ids(commented: Path):
    first = rl.edit_reading_list(
        commented, rl.plan_add("https://github.com/someone/nanogpt", TODAY)
    )
    assert first.id == "someone-nanogpt"
    second = rl.edit_reading_list(commented, rl.plan_add("https://github.com/other/nanogpt", TODAY))
    assert second.id == "other-nanogpt"


def test_edit_of_a_flow_style_entry_falls_back_but_keeps_comments(commented: Path):
    rl.edit_reading_list(commented, rl.plan_status("flash", "reading", TODAY))
    text = commented.read_text()
    model = rl.load_reading_list(commented).model
    assert model.entry("flash").status == "reading"
    for comment in (
        "# the teacher",
        "# double-quoted on purpose",
        "# start soon",
        "# --- Tri Dao ---",
    ):
        assert comment in text


def test_a_change_that_would_make_the_file_invalid_is_refused(commented: Path):
    before = commented.read_bytes()
    with pytest.raises(InvalidFile, match="would make the file invalid"):
        rl.edit_reading_list(commented, rl.plan_set("nanogpt", "cite_key", "has spaces"))
    assert commented.read_bytes() == before


def test_an_edit_made_on_disk_meanwhile_is_kept(commented: Path):
    calls = []
    inner = rl.plan_status("nanogpt", "done", TODAY)

    def plan(model):
        calls.append(1)
        if len(calls) == 1:  # the user saves the file in their editor after bip read it
            commented.write_text(
                commented.read_text().replace("name: Andrej Karpathy", "name: A. Karpathy")
            )
        return inner(model)

    rl.edit_reading_list(commented, plan)
    model = rl.load_reading_list(commented).model
    assert len(calls) == 2
    assert model.figure("karpathy").name == "A. Karpathy"
    assert model.entry("nanogpt").status == "done"


def test_a_file_that_keeps_changing_is_not_overwritten(commented: Path):
    inner = rl.plan_status("nanogpt", "done", TODAY)
    counter = iter(range(100))

    def plan(model):
        commented.write_text(commented.read_text() + f"# edit {next(counter)}\n")
        return inner(model)

    with pytest.raises(ConcurrentEdit):
        rl.edit_reading_list(commented, plan)
    text = commented.read_text()
    assert "# edit 2" in text and "status: done" not in text


def test_write_is_atomic_and_leaves_no_temp_files(commented: Path):
    rl.edit_reading_list(commented, rl.plan_status("nanogpt", "reading", TODAY))
    assert sorted(p.name for p in commented.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_crlf_files_stay_crlf(ws: Path):
    path = ws / "reading_list.yaml"
    path.write_bytes(COMMENTED.replace("\n", "\r\n").encode())
    rl.edit_reading_list(path, rl.plan_status("nanogpt", "done", TODAY))
    data = path.read_bytes()
    assert b"status: done" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_a_flow_entry_marked_done_gets_its_dates_written_out_not_aliased(tmp_path: Path):
    """A flow-style entry goes through ruamel's dump; the same date in `started` and `finished`
    must not come out as an anchor and an alias (which would also send every later edit
    through the whole text)."""
    path = tmp_path / "reading_list.yaml"
    path.write_text("version: 1\nentries:\n  - {id: a, kind: book, title: T}\n")
    rl.edit_reading_list(path, rl.plan_status("a", "done", date(2026, 11, 23)))
    text = path.read_text()
    assert "&" not in text and "*" not in text
    assert "started: 2026-11-23" in text and "finished: 2026-11-23" in text
    entry = rl.load_reading_list(path).model.entry("a")
    assert (entry.status, entry.started, entry.finished) == (
        "done",
        date(2026, 11, 23),
        date(2026, 11, 23),
    )
