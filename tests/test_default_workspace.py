"""One default workspace (issue 22): the lookup order --workspace, BIP_WORKSPACE, walking up, then
`workspace` in the user config file; `-w` after the command too, in bip's own error style."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.workspace import find_root, hoist_workspace_option, user_config_path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = user_config_path()
    assert str(path).startswith(str(tmp_path))  # the test's own XDG_CONFIG_HOME
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_the_lookup_order_is_flag_variable_walking_up_then_config(
    ws: Path, tmp_path, config, monkeypatch
):
    other = tmp_path / "other"
    other.mkdir()
    elsewhere = tmp_path / "training-repo" / "src"
    elsewhere.mkdir(parents=True)
    with pytest.raises(Exception, match="no bip workspace"):
        find_root(None, elsewhere)
    config.write_text(f'# mine\nworkspace = "{ws}"\n')
    assert find_root(None, elsewhere) == ws.resolve()  # the config, from any training repo
    (tmp_path / "training-repo" / "bip.toml").write_text("")
    assert find_root(None, elsewhere) == (tmp_path / "training-repo").resolve()  # walking up wins
    monkeypatch.setenv("BIP_WORKSPACE", str(other))
    assert find_root(None, elsewhere) == other.resolve()
    assert find_root(ws, elsewhere) == ws.resolve()


def test_checkin_from_a_training_repo_uses_the_configured_workspace(
    bip, ws: Path, tmp_path, config, monkeypatch
):
    config.write_text(f'workspace = "{ws}"\n')
    repo = tmp_path / "nanogpt-fork"
    repo.mkdir()
    monkeypatch.chdir(repo)
    bip("checkin", "--note", "from the training repo")
    assert "from the training repo" in (ws / "journal" / "2026" / "2026-11-23.md").read_text()


def test_a_broken_config_is_located(bip, tmp_path, config, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config.write_text('workspace = "unclosed\n')
    result = bip("read", "list", code=2)
    assert f"{config}:1:" in result.stderr and "Traceback" not in result.stderr
    config.write_text("\n\nworkspace = 3\n")
    assert f"{config}:3:" in bip("read", "list", code=2).stderr
    config.write_text(f'workspace = "{tmp_path / "missing"}"\n')
    result = bip("read", "list", code=2)
    assert "not a folder" in result.stderr and "bip init" in result.stderr


def test_root_help_shows_the_lookup_order(bip):
    text = " ".join(bip("--help").stdout.split())
    assert "BIP_WORKSPACE" in text and "config.toml" in text and "after the command" in text
    order = [text.index(w) for w in ("BIP_WORKSPACE", "nearest folder upwards", "config.toml")]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["run", "-w", "/b", "--", "python", "-w", "x"],
            ["-w", "/b", "run", "--", "python", "-w", "x"],
        ),
        (["run", "python", "train.py", "-w", "3"], ["run", "python", "train.py", "-w", "3"]),
        (
            ["checkin", "--note", "n", "--workspace=/b"],
            ["--workspace=/b", "checkin", "--note", "n"],
        ),
        (["read", "list", "-w/b"], ["-w", "/b", "read", "list"]),
        (["-w", "/a", "log"], ["-w", "/a", "log"]),
    ],
)
def test_the_workspace_option_moves_before_the_command(argv, expected):
    assert hoist_workspace_option(argv) == expected


def test_w_after_the_command_works_and_errors_in_bips_style(bip, ws: Path, tmp_path):
    assert "nanogpt" in bip("read", "list", "-w", str(ws)).stdout
    bip("checkin", "--note", "after", "-w", str(ws))
    assert "after" in (ws / "journal" / "2026" / "2026-11-23.md").read_text()
    result = bip("checkin", "-w", code=2)
    assert result.stderr.startswith("bip: error: -w needs a folder")
    result = bip("log", "-w", str(tmp_path / "nope"), code=2)
    assert result.stderr.startswith("bip: error: --workspace names")


def test_bip_run_takes_w_after_the_command(ws: Path, tmp_path):
    env = {**os.environ, "BIP_NOW": "2026-11-23T10:00:00+00:00"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "run",
            "-w",
            str(ws),
            "--name",
            "t",
            "--",
            sys.executable,
            "-c",
            "print('step 1 loss 2.5')",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (ws / "runs").iterdir()] == ["2026-11-23-t"]


def test_a_setting_in_the_wrong_config_file_is_named_with_the_right_one(
    bip, ws: Path, tmp_path, config, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    config.write_text(f'workspace = "{ws}"\n\n[github]\nuser = "me"\n')  # belongs in bip.toml
    err = bip("read", "list", code=2).stderr
    assert f"{config}:3:" in err and "config.toml holds only `workspace`, not 'github'" in err
    assert str(config.with_name("bip.toml")) in err
    config.write_text("")
    config.with_name("bip.toml").write_text(f'workspace = "{ws}"\n')  # belongs in config.toml
    err = bip("-w", str(ws), "read", "list", code=2).stderr
    assert "unknown setting 'workspace'" in err and "config.toml" in err
