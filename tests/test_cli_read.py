"""`bip read`, `bip figures` and `bip init` through the real CLI parser."""

import json
import re
from pathlib import Path


def test_list_shows_a_table_and_a_summary(bip, commented: Path):
    result = bip("-w", str(commented.parent), "read", "list")
    assert result.exit_code == 0
    assert "nanogpt" in result.stdout and "Attention Is All You Need" in result.stdout
    assert "3 of 3 entries (2 todo, 1 reading)" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when not a terminal


def test_list_filters_and_json(bip, commented: Path):
    result = bip("-w", str(commented.parent), "read", "list", "--status", "todo", "--json")
    data = json.loads(result.stdout)
    assert [e["id"] for e in data] == ["nanogpt", "flash"]
    result = bip("-w", str(commented.parent), "read", "list", "--figure", "tri-dao", "--json")
    assert [e["id"] for e in json.loads(result.stdout)] == ["flash"]
    result = bip(
        "-w", str(commented.parent), "read", "list", "--tag", "gpt", "--kind", "repo", "--json"
    )
    assert [e["id"] for e in json.loads(result.stdout)] == ["nanogpt"]


def test_bad_filters_are_errors_with_hints(bip, commented: Path):
    result = bip("-w", str(commented.parent), "read", "list", "--status", "doen", code=2)
    assert result.exit_code == 2
    assert "bip: error: unknown status 'doen'" in result.stderr
    assert "did you mean 'done'?" in result.stderr
    result = bip("-w", str(commented.parent), "read", "list", "--figure", "karpath", code=2)
    assert result.exit_code == 2 and "did you mean 'karpathy'?" in result.stderr


def test_show_and_unknown_id(bip, commented: Path):
    result = bip("-w", str(commented.parent), "read", "show", "attention")
    assert result.exit_code == 0
    assert "https://arxiv.org/abs/1706.03762" in result.stdout
    assert "reading_list.yaml:25" in result.stdout
    data = json.loads(
        bip("-w", str(commented.parent), "read", "show", "attention", "--json").stdout
    )
    assert data["started"] == "2026-11-01" and data["arxiv"] == "1706.03762"
    result = bip("-w", str(commented.parent), "read", "show", "atention", code=2)
    assert result.exit_code == 2
    assert "no entry 'atention'" in result.stderr and "did you mean 'attention'?" in result.stderr


def test_status_commands_set_dates_from_the_clock(bip, commented: Path):
    w = str(commented.parent)
    assert bip("-w", w, "read", "start", "nanogpt", "--note", "reading model.py").exit_code == 0
    shown = json.loads(bip("-w", w, "read", "show", "nanogpt", "--json").stdout)
    assert (shown["status"], shown["started"], shown["notes"]) == (
        "reading",
        "2026-11-23",
        "reading model.py",
    )
    result = bip("-w", w, "read", "done", "nanogpt")
    assert "status reading -> done" in result.stdout and "finished 2026-11-23" in result.stdout
    assert bip("-w", w, "read", "drop", "flash").exit_code == 0
    assert json.loads(bip("-w", w, "read", "show", "flash", "--json").stdout)["status"] == "dropped"


def test_note_and_rm(bip, commented: Path):
    w = str(commented.parent)
    assert bip("-w", w, "read", "note", "nanogpt", "val loss 3.28").exit_code == 0
    assert (
        json.loads(bip("-w", w, "read", "show", "nanogpt", "--json").stdout)["notes"]
        == "val loss 3.28"
    )
    result = bip("-w", w, "read", "rm", "attention")
    assert result.stdout.startswith("removed attention: Attention Is All You Need")
    assert bip("-w", w, "read", "show", "attention", code=2).exit_code == 2


def test_add_from_urls_and_ids(bip, commented: Path):
    w = str(commented.parent)
    result = bip(
        "-w",
        w,
        "read",
        "add",
        "https://arxiv.org/abs/2205.14135",
        "--figure",
        "tri-dao",
        "--tag",
        "attention",
        "--id",
        "flash-paper",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "added flash-paper (paper): arXiv:2205.14135"
    entry = json.loads(bip("-w", w, "read", "show", "flash-paper", "--json").stdout)
    assert (entry["arxiv"], entry["figures"], entry["tags"], entry["added"]) == (
        "2205.14135",
        ["tri-dao"],
        ["attention"],
        "2026-11-23",
    )
    result = bip("-w", w, "read", "add", "2205.14135", code=2)
    assert result.exit_code == 2 and "already in the list as 'flash-paper'" in result.stderr
    result = bip("-w", w, "read", "add", "not-a-thing", code=2)
    assert result.exit_code == 2 and "not a URL, an arXiv id or a DOI" in result.stderr
    result = bip(
        "-w",
        w,
        "read",
        "add",
        "https://karpathy.ai/zero-to-hero.html",
        "--kind",
        "course",
        "--title",
        "Zero to Hero",
    )
    assert result.stdout.strip() == "added zero-to-hero (course): Zero to Hero"


def test_validate_reports_ok_and_problems(bip, commented: Path):
    w = str(commented.parent)
    result = bip("-w", w, "read", "validate")
    assert result.exit_code == 0 and "valid (2 figures, 3 entries)" in result.stdout
    commented.write_text(commented.read_text().replace("status: todo", "stauts: todo"))
    result = bip("-w", w, "read", "validate", code=2)
    assert result.exit_code == 2
    assert "reading_list.yaml:20:5: unknown key 'stauts' (did you mean 'status'?)" in result.stderr


def test_figures_list_and_show(bip, commented: Path):
    w = str(commented.parent)
    result = bip("-w", w, "figures", "list")
    assert "karpathy" in result.stdout and "0/1" in result.stdout and "2 figures" in result.stdout
    data = json.loads(bip("-w", w, "figures", "show", "tri-dao", "--json").stdout)
    assert data["figure"]["channels"] == {"x": "https://x.com/tri_dao"}
    assert [e["id"] for e in data["entries"]] == ["flash"]
    assert "\nx     https://x.com/tri_dao\n" in bip("-w", w, "figures", "show", "tri-dao").stdout
    result = bip("-w", w, "figures", "show", "tridao", code=2)
    assert result.exit_code == 2 and "did you mean 'tri-dao'?" in result.stderr


def test_init_creates_and_never_overwrites(bip, tmp_path: Path):
    target = tmp_path / "new"
    result = bip("init", str(target))
    assert result.exit_code == 0
    for name in ("reading_list.yaml", "bip.toml", ".bip/.gitignore"):
        assert (target / name).is_file()
    (target / "reading_list.yaml").write_text("version: 1\n# mine\n")
    result = bip("init", str(target))
    assert "kept" in result.stdout
    assert (target / "reading_list.yaml").read_text() == "version: 1\n# mine\n"
    assert bip("-w", str(target), "read", "validate").exit_code == 0


def test_the_example_workspace_validates(bip, ws: Path):
    result = bip("-w", str(ws), "read", "list")
    assert result.exit_code == 0 and "nanogpt" in result.stdout


def test_workspace_is_found_by_walking_up_and_from_the_environment(
    bip, commented: Path, monkeypatch
):
    sub = commented.parent / "notes" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert "nanogpt" in bip("read", "list").stdout
    monkeypatch.chdir(commented.parent.parent)
    assert bip("read", "list", code=2).exit_code == 2  # tmp_path itself is no workspace
    monkeypatch.setenv("BIP_WORKSPACE", str(commented.parent))
    assert "nanogpt" in bip("read", "list").stdout


def test_missing_workspace_is_a_clear_error(bip, tmp_path: Path):
    result = bip("read", "list", code=2)
    assert result.exit_code == 2
    assert "no bip workspace in" in result.stderr and "bip init" in result.stderr
    result = bip("-w", str(tmp_path / "nope"), "read", "list", code=2)
    assert result.exit_code == 2 and "--workspace names" in result.stderr


def test_version_and_module_entry(bip):
    from toolkit import __version__

    assert bip("--version").stdout.strip() == f"bip {__version__}"


def test_every_command_has_help_with_an_example(bip):
    import typer
    from typer.main import get_command

    from toolkit.cli import app

    def walk(command, path):
        if hasattr(command, "list_commands"):  # the root loads its commands lazily: ask it
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), [*path, name])
        else:
            yield path, command

    leaves = list(walk(get_command(app), []))
    assert len(leaves) >= 11
    for path, command in leaves:
        assert command.help and "Example: bip" in command.help, path
        result = bip(*path, "--help")
        assert result.exit_code == 0 and "Example: bip" in result.stdout, path
        # Each example is a line of its own, whole, to copy: never glued to the sentence
        # before it or to the next example, never cut in the middle of the command.
        written = [
            " ".join(e.split())
            for e in re.split(r"(?:^|\s)Example: ", command.help.replace("\b", ""))[1:]
        ]
        shown = [line.strip() for line in result.stdout.splitlines() if "Example: " in line]
        assert shown == [f"Example: {e}" for e in written], path


def test_plain_table_aligns_wide_text_and_escapes_only_unsafe_cells():
    from toolkit.cli.output import plain_table

    rows = [["a", "图灵", "x"], ["bb", "ok\x1b[2J", "y"], ["c", "", ""]]
    assert plain_table(["id", "title", "n"], rows).split("\n") == [
        "id  title      n",
        "a   图灵       x",
        "bb  ok\\x1b[2J  y",
        "c",
    ]
    clean = [["a", "图灵"], ["bb", "ok"]]
    assert plain_table(["id", "t"], clean).split("\n") == ["id  t", "a   图灵", "bb  ok"]
