"""Hostile files, crashes and concurrent writers (issue 9): bip refuses what it cannot read with
a located message, never hangs, never mangles a file, never loses another program's save.

Processes that may crash, hang or be killed run as real subprocesses (`python -m toolkit`, or
tests/hostile_bip.py, which pauses bip at a seam of toolkit/fileio.py on a pipe: no sleeps).
The timeouts below only keep a regression from hanging the suite; nothing is timed.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.yamledit.parse import MAX_ALIASED

HERE = Path(__file__).resolve().parent
GUARD = 60  # seconds: a regression must fail, not hang the suite


def run_bip(*args: str, cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GUARD,
        **kw,  # type: ignore[call-overload]
    )


def bomb(levels: int = 12) -> str:
    """A "billion laughs": each anchor holds nine aliases of the one before (9**12 values)."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def add_entries(ws: Path, n: int) -> None:
    path = ws / "reading_list.yaml"
    text = path.read_text(encoding="utf-8")
    for i in range(n):
        text += (
            f"\n  - id: e{i}\n    kind: paper\n    title: Paper {i}\n    arxiv: '2401.0000{i}'\n"
        )
    path.write_text(text, encoding="utf-8")


# --- bombs and deep nesting ------------------------------------------------------------------


def test_an_alias_bomb_in_the_reading_list_is_refused_at_once_and_left_untouched(ws: Path):
    path = ws / "reading_list.yaml"
    path.write_text("version: 1\n" + bomb() + "entries: []\n", encoding="utf-8")
    before = path.read_bytes()
    for args in (["read", "list"], ["read", "note", "x", "hello"]):
        result = run_bip(*args, cwd=ws)
        assert result.returncode == 2, result.stderr
        # Line 6 holds `e:`, the first anchor whose aliases pass the limit (9**5 > 10,000).
        assert f"{path}:6:1: aliases (*name) here expand to more than {MAX_ALIASED:,}" in (
            result.stderr
        )
        assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_aliases_within_the_limit_still_work(bip, ws: Path):
    path = ws / "reading_list.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("tags: [education, llm]", "tags: &t [education, llm]", 1)
    text = text.replace("tags: [attention, kernels]", "tags: *t", 1)
    path.write_text(text, encoding="utf-8")
    assert "&t" in text and "*t" in text
    bip("--workspace", str(ws), "read", "validate")


def test_a_self_referencing_alias_is_refused_with_its_line(bip, ws: Path):
    path = ws / "reading_list.yaml"
    path.write_text(
        "version: 1\nentries: &e\n  - id: x\n    kind: paper\n    title: t\n    notes: *e\n",
        encoding="utf-8",
    )
    result = bip("--workspace", str(ws), "read", "list", code=2)
    assert f"{path}:2:10: lists and mappings nest more than 100 levels deep" in result.stderr


@pytest.mark.parametrize(
    ("notes", "where"),
    [
        ("[" * 5000 + "]" * 5000, "6:109"),  # flow lists, 5,000 deep
        ("{a: " * 5000 + "}" * 5000, "6:400"),  # flow mappings
        ("\n" + "".join(" " * (6 + 2 * i) + "-\n" for i in range(150)), "105:203"),  # block lists
    ],
    ids=["flow-lists", "flow-maps", "block-lists"],
)
def test_deep_nesting_is_a_located_error(ws: Path, notes: str, where: str):
    path = ws / "reading_list.yaml"
    path.write_text(
        f"version: 1\nentries:\n  - id: x\n    kind: paper\n    title: t\n    notes: {notes}\n",
        encoding="utf-8",
    )
    result = run_bip("read", "list", cwd=ws)
    assert result.returncode == 2, result.stderr
    assert f"{path}:{where}" in result.stderr
    assert "nest more than 100 levels deep" in result.stderr


def test_fifty_thousand_dashes_on_one_line_do_not_crash_the_process(ws: Path):
    # libyaml's composer recursed on this and died of a stack overflow (SIGSEGV).
    path = ws / "reading_list.yaml"
    path.write_text("- " * 50_000 + "x\n", encoding="utf-8")
    result = run_bip("read", "list", cwd=ws)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert f"{path}:1:201: lists and mappings nest more than 100 levels deep" in result.stderr


def test_an_alias_bomb_in_a_journal_day_blocks_nothing(ws: Path):
    day = ws / "journal" / "2026" / "2026-11-20.md"
    day.parent.mkdir(parents=True)
    day.write_text("---\n" + bomb() + "---\n\n# 2026-11-20\n", encoding="utf-8")
    before = day.read_bytes()
    checkin = run_bip("checkin", "--note", "still here", cwd=ws)
    assert checkin.returncode == 0, checkin.stderr
    assert (ws / "journal" / "2026" / "2026-11-23.md").is_file()
    for args in (["log"], ["streak"]):
        result = run_bip(*args, cwd=ws)
        assert result.returncode == 0, result.stderr
        assert f"skipped: {day}:6:1: front matter: aliases (*name) here expand" in result.stderr
    assert "2026-11-23" in run_bip("log", cwd=ws).stdout
    assert day.read_bytes() == before


# --- files that are not what they seem ----------------------------------------------------------


def test_a_utf16_reading_list_is_refused_with_what_to_do(bip, ws: Path):
    path = ws / "reading_list.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16"))  # with its BOM, as Windows tools save it
    result = bip("--workspace", str(ws), "read", "list", code=2)
    assert f"{path}:1:1: the file is saved as UTF-16, not UTF-8" in result.stderr
    path.write_bytes(text.encode("utf-16-le"))  # no BOM: NUL bytes everywhere
    result = bip("--workspace", str(ws), "read", "list", code=2)
    assert f"{path}:1:2: binary data (NUL byte)" in result.stderr
    assert "UTF-16" in result.stderr


def test_bip_toml_with_a_bom_is_read(bip, ws: Path, monkeypatch):
    monkeypatch.delenv("BIP_TIMEZONE")
    settings = ws / "bip.toml"
    settings.write_bytes(b'\xef\xbb\xbftimezone = "Asia/Tokyo"\n')
    result = bip("--workspace", str(ws), "checkin", "--dry-run", "--json")
    assert '"now": "2026-11-23T19:00:00+09:00"' in result.stdout  # BIP_NOW seen from Tokyo
    settings.write_bytes('timezone = "Asia/Tokyo"\n'.encode("utf-16"))
    result = bip("--workspace", str(ws), "read", "list", code=2)
    assert f"{settings}:1:1: the file is saved as UTF-16, not UTF-8" in result.stderr


def test_a_folder_where_the_reading_list_should_be_is_a_clear_error(bip, ws: Path):
    path = ws / "reading_list.yaml"
    path.unlink()
    path.mkdir()
    result = bip("--workspace", str(ws), "read", "list", code=2)
    assert f"bip: error: {path} is a folder, not a file" in result.stderr


def test_a_fifo_where_a_file_should_be_never_hangs(ws: Path):
    (ws / "reading_list.yaml").unlink()
    os.mkfifo(ws / "reading_list.yaml")  # opening it for reading would wait for a writer
    day = ws / "journal" / "2026" / "2026-11-20.md"
    day.parent.mkdir(parents=True)
    os.mkfifo(day)
    result = run_bip("read", "list", cwd=ws)
    assert result.returncode == 2
    assert "reading_list.yaml is not a regular file (a pipe or a device)" in result.stderr
    result = run_bip("log", cwd=ws)
    assert result.returncode == 0
    assert f"skipped: {day} is not a regular file" in result.stderr


def test_an_unreadable_reading_list_is_a_located_error(bip, tmp_path: Path, monkeypatch):
    import tempfile

    # Root reads anything: as root, bip runs (in this process) with the effective user
    # `nobody`, for whom mode 000 is real. Its folder must be reachable by nobody.
    top = Path(tempfile.mkdtemp(prefix="bip-unreadable-"))
    try:
        top.chmod(0o755)
        monkeypatch.setenv("XDG_CONFIG_HOME", str(top / "config"))
        root = top / "ws"
        bip("init", str(root))
        path = root / "reading_list.yaml"
        bip("--workspace", str(root), "read", "list")  # as ourselves: loads every library
        path.chmod(0)
        if os.geteuid() == 0:
            os.setegid(65534)
            os.seteuid(65534)
        try:
            result = bip("--workspace", str(root), "read", "list", code=1)
        finally:
            if os.getuid() == 0:
                os.seteuid(0)
                os.setegid(0)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    assert f"bip: error: cannot read {path}: permission denied" in result.stderr
    assert "internal error" not in result.stderr


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """A folder nobody may add files to or rename files in, root included (`chattr +i`)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)]).returncode != 0:
        pytest.skip("running as root without chattr +i: no way to make a folder read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_a_read_only_workspace_folder_is_a_located_error(bip, ws: Path):
    path = ws / "reading_list.yaml"
    before = path.read_bytes()
    bip("--workspace", str(ws), "read", "list")  # creates nothing: fine
    with read_only(ws):
        result = bip("--workspace", str(ws), "read", "note", "nanogpt", "x", code=1)
        assert f"bip: error: cannot write {path}: permission denied" in result.stderr
        result = bip("--workspace", str(ws), "checkin", "--note", "x", code=1)
        assert f"cannot create {ws / 'journal' / '2026'}" in result.stderr
        assert "internal error" not in result.stderr
    assert path.read_bytes() == before
    assert [p.name for p in (ws / ".bip" / "tmp").iterdir()] == [".gitignore"]


def test_a_title_too_long_for_a_file_name_still_makes_a_post(bip, ws: Path):
    title = "\U00020000" * 80  # 4 bytes each in UTF-8: 320 bytes, past the 255-byte limit
    result = bip("--workspace", str(ws), "draft", "new", "post", "--title", title)
    posts = list((ws / "posts").iterdir())
    assert len(posts) == 1 and len(posts[0].name.encode()) <= 255
    assert f"title: {title}" in posts[0].read_text(encoding="utf-8")
    assert str(posts[0]) in result.stdout
    deep = ws / ("a" * 300)
    result = bip(
        "--workspace", str(ws), "draft", "new", "post", "--title", "x", "--out", str(deep), code=2
    )
    assert "cannot create the posts folder" in result.stderr
    assert "File name too long" in result.stderr


# --- journal front matter of unexpected types ------------------------------------------------


def _day(ws: Path, front: str, name: str = "2026-11-23") -> Path:
    path = ws / "journal" / "2026" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ndate: {name}\n{front}---\n\n# {name}\n\n## Notes\n- by hand\n")
    return path


def test_a_single_word_tag_is_kept_as_written(bip, ws: Path):
    path = _day(ws, "tags: attention\nminutes: 30\n")
    bip("--workspace", str(ws), "checkin", "--note", "more")
    text = path.read_text()
    assert "tags: attention\n" in text and "minutes: 30\n" in text
    assert "[a, t, t" not in text
    bip("--workspace", str(ws), "checkin", "--tag", "vllm", "--minutes", "15")
    text = path.read_text()
    assert "tags: [attention, vllm]\n" in text and "minutes: 45\n" in text
    result = bip("--workspace", str(ws), "log", "--json")
    assert '"attention"' in result.stdout and '"a",' not in result.stdout


def test_a_number_tag_is_kept(bip, ws: Path):
    path = _day(ws, "tags: 5\n")
    bip("--workspace", str(ws), "checkin", "--note", "more")
    assert "tags: 5\n" in path.read_text()


@pytest.mark.parametrize(
    ("front", "where", "message"),
    [
        ("tags: {a: b}\n", "3:7", "`tags` must be a word or a list of words, not a mapping"),
        ("tags: [a, [b]]\n", "3:7", "`tags` must be a word or a list of words"),
        ("minutes: 1.5\n", "3:10", "`minutes` must be a whole number of minutes, not 1.5"),
    ],
)
def test_front_matter_bip_cannot_update_is_refused_where_it_stands(
    bip, ws: Path, front: str, where: str, message: str
):
    path = _day(ws, front)
    before = path.read_bytes()
    result = bip("--workspace", str(ws), "checkin", "--note", "more", code=2)
    assert f"{path}:{where}: {message}" in result.stderr
    assert path.read_bytes() == before
    other = _day(ws, front, "2026-11-20")  # another day: reported and skipped
    (ws / "journal" / "2026" / "2026-11-23.md").unlink()
    result = bip("--workspace", str(ws), "checkin", "--note", "today")
    assert f"skipped: {other}:{where}: {message}" in result.stderr
    result = bip("--workspace", str(ws), "streak")
    assert f"skipped: {other}:{where}" in result.stderr


# --- BOM, line endings, symlinks, modes ------------------------------------------------------


def test_edits_keep_the_bom_and_crlf(bip, ws: Path):
    path = ws / "reading_list.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    bip("--workspace", str(ws), "read", "note", "nanogpt", "kept CRLF")
    bip("--workspace", str(ws), "read", "rm", "zero-to-hero")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data[3:4] != b"\xef"
    assert data.count(b"\n") == data.count(b"\r\n") > 40
    assert b"notes: kept CRLF\r\n" in data and b"zero-to-hero" not in data


def test_the_roundtrip_fallback_keeps_crlf_too(bip, ws: Path):
    path = ws / "reading_list.yaml"
    # Flow style is not spliced line by line: the edit dumps the file whole.
    flow = "version: 1\r\nentries: [{id: a, kind: paper, title: A, arxiv: '2401.00001'}]\r\n"
    path.write_bytes(flow.encode())
    bip("--workspace", str(ws), "read", "note", "a", "n")
    data = path.read_bytes()
    assert b"notes: n" in data and data.count(b"\n") == data.count(b"\r\n")


def test_a_journal_day_keeps_its_bom_and_crlf(bip, ws: Path):
    path = _day(ws, "tags: [x]\n")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    bip("--workspace", str(ws), "checkin", "--note", "second")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"- by hand\r\n" in data and b"- second\r\n" in data


def test_a_symlinked_reading_list_stays_a_symlink(bip, ws: Path, tmp_path: Path):
    elsewhere = tmp_path / "dotfiles"
    elsewhere.mkdir()
    target = elsewhere / "reading.yaml"
    shutil.move(ws / "reading_list.yaml", target)
    (ws / "reading_list.yaml").symlink_to(target)
    bip("--workspace", str(ws), "read", "note", "nanogpt", "through the link")
    assert (ws / "reading_list.yaml").is_symlink()
    assert "notes: through the link" in target.read_text()
    assert [p.name for p in elsewhere.iterdir()] == ["reading.yaml"]  # no temp left beside it


def test_a_symlinked_journal_day_stays_a_symlink(bip, ws: Path, tmp_path: Path):
    real = tmp_path / "real-day.md"
    link = _day(ws, "")
    shutil.move(link, real)
    link.symlink_to(real)
    bip("--workspace", str(ws), "checkin", "--note", "via link")
    assert link.is_symlink()
    assert "- via link" in real.read_text() and "- by hand" in real.read_text()


def test_new_files_get_the_users_mode_and_replaced_ones_keep_theirs(bip, ws: Path):
    old = os.umask(0o022)
    try:
        bip("--workspace", str(ws), "checkin", "--note", "x")
        day = ws / "journal" / "2026" / "2026-11-23.md"
        bip("--workspace", str(ws), "streak", "--svg", str(ws / "streak.svg"))
        bip("--workspace", str(ws), "draft", "new", "post", "--title", "Modes")
        post = next((ws / "posts").iterdir())
        for path in (day, ws / "streak.svg", post):
            assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
        day.chmod(0o640)
        bip("--workspace", str(ws), "checkin", "--note", "y")
        assert stat.S_IMODE(day.stat().st_mode) == 0o640
    finally:
        os.umask(old)


# --- killed writers, other programs' saves, concurrent writers --------------------------------


class Paused:
    """bip (tests/hostile_bip.py) stopped at a seam of toolkit.fileio, on a pipe."""

    def __init__(self, seam: str, args: list[str], cwd: Path) -> None:
        self.ready_r, ready_w = os.pipe()
        go_r, self.go_w = os.pipe()
        env = {**os.environ, "HOSTILE_PAUSE": f"{seam}:{ready_w}:{go_r}"}
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "hostile_bip.py"), *args],
            cwd=cwd,
            env=env,
            pass_fds=(ready_w, go_r),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(ready_w)
        os.close(go_r)
        readable, _, _ = select.select([self.ready_r], [], [], GUARD)
        if not readable or os.read(self.ready_r, 1) != b"r":
            self.proc.kill()
            _, err = self.proc.communicate()
            pytest.fail(f"bip never reached {seam}:\n{err}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(GUARD) == -signal.SIGKILL
        self._close()

    def resume(self) -> subprocess.CompletedProcess[str]:
        os.write(self.go_w, b"g")
        out, err = self.proc.communicate(timeout=GUARD)
        self._close()
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)

    def _close(self) -> None:
        for fd in (self.ready_r, self.go_w):
            with contextlib.suppress(OSError):
                os.close(fd)


def _git(ws: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(
        ["git", *args], cwd=ws, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize("seam", ["_write_all", "_before_swap"], ids=["mid-write", "before-rename"])
def test_a_killed_writer_leaves_the_old_file_and_nothing_for_git_to_show(bip, ws: Path, seam: str):
    _git(ws, "init", "-q")
    _git(ws, "add", "-A")
    _git(ws, "commit", "-qm", "start")
    path = ws / "reading_list.yaml"
    before = path.read_bytes()
    paused = Paused(seam, ["read", "note", "nanogpt", "never written"], ws)
    leftovers = [p for p in (ws / ".bip" / "tmp").iterdir() if p.name != ".gitignore"]
    assert len(leftovers) == 1  # the temporary file exists, half or wholly written
    paused.kill()
    assert path.read_bytes() == before
    assert _git(ws, "status", "--porcelain", "--untracked-files=all") == ""
    bip("--workspace", str(ws), "read", "note", "nanogpt", "the next run")
    assert not leftovers[0].exists()  # the dead process's temporary file is cleaned up
    assert "the next run" in path.read_text() and "never written" not in path.read_text()


def test_a_killed_writer_outside_a_workspace_is_cleaned_up_by_the_next_run(
    bip, ws: Path, tmp_path: Path
):
    elsewhere = tmp_path / "dotfiles"
    elsewhere.mkdir()
    shutil.move(ws / "reading_list.yaml", elsewhere / "reading.yaml")
    (ws / "reading_list.yaml").symlink_to(elsewhere / "reading.yaml")
    paused = Paused("_before_swap", ["read", "note", "nanogpt", "never"], ws)
    hidden = [p.name for p in elsewhere.iterdir() if p.name != "reading.yaml"]
    assert len(hidden) == 1 and hidden[0].startswith(".reading.yaml.")  # hidden beside it
    paused.kill()
    bip("--workspace", str(ws), "read", "note", "nanogpt", "next")
    assert [p.name for p in elsewhere.iterdir()] == ["reading.yaml"]


def test_a_save_by_another_program_during_the_write_is_kept_and_the_change_reapplied(ws: Path):
    path = ws / "reading_list.yaml"
    paused = Paused("_before_swap", ["read", "note", "nanogpt", "bip's note"], ws)
    # bip has read, planned and checked the file; now an editor saves it (sed -i renames).
    subprocess.run(
        ["sed", "-i", "s/title: nanoGPT/title: nanoGPT (edited)/", str(path)], check=True
    )
    result = paused.resume()
    assert result.returncode == 0, result.stderr
    text = path.read_text()
    assert "title: nanoGPT (edited)" in text  # the editor's save survived
    assert "notes: bip's note" in text  # and bip's change is in it


def test_an_in_place_save_during_a_journal_write_is_kept(ws: Path):
    path = _day(ws, "")
    paused = Paused("_before_swap", ["checkin", "--note", "from bip"], ws)
    with path.open("a") as fh:  # an editor that writes the file in place
        fh.write("- typed in the editor\n")
    result = paused.resume()
    assert result.returncode == 0, result.stderr
    text = path.read_text()
    assert "- typed in the editor" in text and "- from bip" in text and "- by hand" in text


def test_without_an_atomic_swap_the_checked_write_still_works(bip, ws: Path, monkeypatch):
    import toolkit.fileio as fileio

    swaps: list[Path] = []
    monkeypatch.setattr(fileio, "exchange", lambda a, b: swaps.append(b))  # returns None
    bip("--workspace", str(ws), "read", "note", "nanogpt", "plain rename")
    bip("--workspace", str(ws), "checkin", "--note", "x")
    assert len(swaps) == 1  # the reading list was replaced (the new journal day was created)
    assert "notes: plain rename" in (ws / "reading_list.yaml").read_text()
    assert [p.name for p in (ws / ".bip" / "tmp").iterdir()] == [".gitignore"]


def test_ten_concurrent_writers_all_succeed(ws: Path):
    from filelock import FileLock

    add_entries(ws, 10)
    arrived_r, arrived_w = os.pipe()
    env = {**os.environ, "HOSTILE_SIGNAL": f"locked:{arrived_w}"}
    with FileLock(str(ws / ".bip" / "reading_list.lock")):
        procs = [
            subprocess.Popen(
                [sys.executable, str(HERE / "hostile_bip.py"), "read", "note", f"e{i}", f"n {i}"],
                cwd=ws,
                env=env,
                pass_fds=(arrived_w,),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(10)
        ]
        os.close(arrived_w)
        # Let go only when all ten have come to the lock: they are truly simultaneous.
        arrived = b""
        while len(arrived) < 10:
            readable, _, _ = select.select([arrived_r], [], [], GUARD)
            chunk = os.read(arrived_r, 10) if readable else b""
            assert chunk, f"only {len(arrived)} writers came to the lock"
            arrived += chunk
    os.close(arrived_r)
    results = [(p.wait(GUARD), p.stderr.read() if p.stderr else "") for p in procs]
    assert [code for code, _ in results] == [0] * 10, results
    text = (ws / "reading_list.yaml").read_text()
    assert all(f"notes: n {i}\n" in text for i in range(10))


# --- templates ------------------------------------------------------------------------------


def _template(ws: Path, body: str, name: str = "mine") -> None:
    folder = ws / "templates"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.md.j2").write_text(body, encoding="utf-8")


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ title.__class__.__base__.__subclasses__() }}",
    ],
)
def test_a_template_cannot_escape_the_sandbox(bip, ws: Path, escape: str):
    _template(ws, "{# from the internet #}\nhello\n" + escape + "\n")
    result = bip("--workspace", str(ws), "draft", "new", "mine", "--title", "x", "--stdout", code=2)
    assert f"template {ws / 'templates' / 'mine.md.j2'}:3: refused by the sandbox" in result.stderr
    assert "uid=" not in result.stdout + result.stderr
    assert "subclasses" not in result.stdout


def test_a_template_cannot_read_files(bip, ws: Path):
    for name in ("/etc/passwd", "../../../../../../etc/passwd"):
        _template(ws, "a\n{% include '" + name + "' %}\n")
        result = bip(
            "--workspace", str(ws), "draft", "new", "mine", "--title", "x", "--stdout", code=2
        )
        assert f"includes {name!r}, which is not among the templates" in result.stderr
        assert "root:" not in result.stdout


@pytest.mark.parametrize(
    ("body", "included", "where", "message"),
    [
        ("a\nb\n{{ 1/0 }}\n", None, "mine.md.j2:3", "ZeroDivisionError: division by zero"),
        ("a\n{% include 'gone.j2' %}\n", None, "mine.md.j2:2", "includes 'gone.j2'"),
        ("a\n{% include 'part.j2' %}\n", "x\n\n{% if %}\n", "part.j2:3", "syntax error"),
        ("a\n{% include 'part.j2' %}\n", "x\n{{ [] + 1 }}\n", "part.j2:2", "TypeError"),
        ("{% for x in %}\n", None, "mine.md.j2:1", "syntax error"),
    ],
    ids=[
        "divide-by-zero",
        "missing-include",
        "syntax-in-include",
        "type-error-in-include",
        "syntax",
    ],
)
def test_a_templates_own_mistakes_are_located_errors(
    bip, ws: Path, body: str, included: str | None, where: str, message: str
):
    _template(ws, body)
    if included is not None:
        (ws / "templates" / "part.j2").write_text(included)
    result = bip("--workspace", str(ws), "draft", "new", "mine", "--title", "x", code=2)
    assert f"bip: error: template {ws / 'templates' / where}: " in result.stderr
    assert message in result.stderr
    assert "bug" not in result.stderr
    assert not (ws / "posts").exists()


def test_a_broken_workspace_template_is_listed_with_its_error_and_the_others_as_usual(
    bip, ws: Path
):
    _template(ws, "ok\n\n{% endif %}\n")
    (ws / "templates" / "latin1.md.j2").write_bytes(b"caf\xe9 {{ title }}\n")
    where = f"template {ws / 'templates' / 'mine.md.j2'}:3: syntax error"
    table = bip("--workspace", str(ws), "draft", "templates").stdout
    assert "broken: " + where in " ".join(table.split())
    listed = json.loads(bip("--workspace", str(ws), "draft", "templates", "--json").stdout)
    by_name = {t["name"]: t for t in listed}
    assert by_name["mine"]["error"].startswith(where)
    assert "cannot be read" in by_name["latin1"]["error"]
    assert by_name["training-run"]["error"] is None
    assert "metrics" in by_name["training-run"]["variables"]
    assert {"post", "thread", "paper-notes"} <= set(by_name)
    assert where in bip("--workspace", str(ws), "draft", "mine", "--help").stdout


# --- control characters never reach the terminal raw ---------------------------------------


def test_escape_sequences_in_the_reading_list_are_shown_not_obeyed(bip, ws: Path):
    path = ws / "reading_list.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "title: nanoGPT", 'title: "nano\\e[2J\\e]0;owned\\aGPT\\u009b31m\\u202e"', 1
    )
    path.write_text(text, encoding="utf-8")
    bip("--workspace", str(ws), "read", "note", "nanogpt", "bell\x07 and \x1b[31mred")
    outputs = [
        bip("--workspace", str(ws), "read", "list").stdout,
        bip("--workspace", str(ws), "read", "show", "nanogpt").stdout,
        bip("--workspace", str(ws), "read", "show", "nanogpt", "--json").stdout,
    ]
    for out in outputs:
        for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert raw not in out, (raw, out)
    # How they show (escaped, or replaced) is output.py's choice; what matters is what is kept.
    assert "nano" in outputs[0] and "GPT" in outputs[0]
    assert "red" in outputs[1] and "bell" in outputs[1]
