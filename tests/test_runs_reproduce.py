"""The Reproduce block, executed as a reader would: in a fresh folder, against real bare
repositories reached through file:// URLs (upstream, and the fork the branch tracks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.runs.reproduce import reader_command

GIT_ENV = {
    "GIT_AUTHOR_NAME": "me",
    "GIT_AUTHOR_EMAIL": "me@example.com",
    "GIT_COMMITTER_NAME": "me",
    "GIT_COMMITTER_EMAIL": "me@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path | str]:
    """upstream.git (nanoGPT's role), fork.git (mine on GitHub), and my clone of the fork with
    upstream as a second remote, on branch rocm-bf16 tracking origin/rocm-bf16."""
    upstream, fork, seed = tmp_path / "upstream.git", tmp_path / "fork.git", tmp_path / "seed"
    for bare in (upstream, fork):
        subprocess.run(["git", "init", "-q", "--bare", "-b", "master", str(bare)], check=True)
    seed.mkdir()
    git(seed, "init", "-q", "-b", "master")
    (seed / "model.py").write_text("# GPT\n")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "upstream model")
    base = git(seed, "rev-parse", "HEAD")
    git(seed, "push", "-q", upstream.as_uri(), "master")
    git(seed, "push", "-q", fork.as_uri(), "master")
    work = tmp_path / "nanogpt-rocm"
    subprocess.run(["git", "clone", "-q", fork.as_uri(), str(work)], check=True)
    git(work, "remote", "add", "upstream", upstream.as_uri())
    git(work, "fetch", "-q", "upstream")
    git(work, "checkout", "-q", "-b", "rocm-bf16")
    (work / "train").mkdir()
    (work / "train" / "run.sh").write_text(
        'echo "trained at $(git rev-parse HEAD) with $(cat ../model.py) $1"\n'
    )
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "train/run.sh: bf16 on ROCm")
    git(work, "push", "-q", "-u", "origin", "rocm-bf16")
    monkeypatch.chdir(work / "train")
    return {"base": base, "mine": git(work, "rev-parse", "HEAD"), "work": work,
            "fork": fork, "upstream": upstream}  # fmt: skip


def run_block(block: str, folder: Path, patch: Path | None = None) -> str:
    """Paste the block into bash in an empty folder (with the patch downloaded beside it)."""
    folder.mkdir()
    if patch is not None:
        (folder / patch.name).write_bytes(patch.read_bytes())
    env = {**os.environ, **GIT_ENV, "PATH": os.environ["PATH"]}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], cwd=folder, capture_output=True, text=True,
        env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_block_clones_the_fork_that_holds_the_commit_and_runs_the_command(
    bip, ws: Path, fork, tmp_path: Path
):
    bip("-w", str(ws), "run", "--name", "pushed", "--", "sh", "run.sh", "--lr=6e-4")
    shown = json.loads(bip("-w", str(ws), "runs", "reproduce", "pushed", "--json").stdout)
    assert shown["warnings"] == [] and shown["patch"] is None
    assert shown["lines"][0] == f"git clone {fork['fork'].as_uri()} fork"
    out = run_block("\n".join(shown["lines"]), tmp_path / "reader")
    assert out == f"trained at {fork['mine']} with # GPT --lr=6e-4\n"
    assert git(tmp_path / "reader" / "fork", "rev-parse", "HEAD") == fork["mine"]
    text = bip("-w", str(ws), "runs", "show", "pushed").stdout
    assert f"{fork['fork'].as_uri()} (origin)" in text


def test_an_unpushed_commit_is_rebuilt_from_upstream_at_the_merge_base_plus_its_patch(
    bip, ws: Path, fork, tmp_path: Path
):
    work = fork["work"]
    (work / "model.py").write_text("# GPT, bf16\n")
    git(work, "commit", "-q", "-am", "model.py: bf16")  # not pushed
    mine = git(work, "rev-parse", "HEAD")
    bip("-w", str(ws), "run", "--name", "local", "--based-on", "nanogpt", "--", "sh", "run.sh")
    [folder] = [p for p in (ws / "runs").iterdir() if p.name.endswith("local")]
    result = bip("-w", str(ws), "runs", "reproduce", "local", "--json")
    shown = json.loads(result.stdout)
    assert "bip: warning: the run's commit " + mine[:7] + " is on no remote" in result.stderr
    assert "git push -u origin rocm-bf16" in result.stderr
    assert shown["lines"][:3] == [
        f"git clone {fork['upstream'].as_uri()} upstream",
        "cd upstream",
        f"git checkout {fork['base']}",
    ]
    assert "not on any public remote yet" in shown["note"]
    assert shown["patch"] == str(folder / "changes.patch")
    # Pasted into an empty folder of this machine, as printed: the patch is applied from the
    # run's folder (no copy beside the reader's folder, unlike a post's reader).
    out = run_block("\n".join(shown["lines"]), tmp_path / "reader")
    # The reader's tree is the run's: upstream's commit with the run's changes on top.
    assert out == f"trained at {fork['base']} with # GPT, bf16 \n"
    rebuilt = tmp_path / "reader" / "upstream"
    assert (rebuilt / "model.py").read_text() == "# GPT, bf16\n"
    assert (rebuilt / "train" / "run.sh").read_text() == (work / "train" / "run.sh").read_text()


def test_a_commit_pushed_after_the_run_is_cloned_from_the_remote_that_now_holds_it(
    bip, ws: Path, fork, tmp_path: Path
):
    """The warning says: push, then draft again. After the push, the block names the commit
    (an untracked file makes the run dirty, but is in no patch: it does not stop that)."""
    work = fork["work"]
    (work / "model.py").write_text("# GPT, bf16\n")
    git(work, "commit", "-q", "-am", "model.py: bf16")
    (work / "notes.txt").write_text("scratch\n")
    mine = git(work, "rev-parse", "HEAD")
    bip("-w", str(ws), "run", "--name", "later", "--", "sh", "run.sh")
    before = bip("-w", str(ws), "runs", "reproduce", "later", "--json")
    assert "git push -u origin rocm-bf16, then draft again" in before.stderr
    git(work, "push", "-q", "origin", "rocm-bf16")
    after = bip("-w", str(ws), "runs", "reproduce", "later", "--json")
    shown = json.loads(after.stdout)
    assert after.stderr == "" and shown["patch"] is None and shown["note"] is None
    assert shown["lines"][:3] == [f"git clone {fork['fork'].as_uri()} fork", "cd fork",
                                  f"git checkout {mine}"]  # fmt: skip
    out = run_block("\n".join(shown["lines"]), tmp_path / "reader")
    assert out == f"trained at {mine} with # GPT, bf16 \n"


def test_a_run_started_in_an_empty_untracked_folder_reproduces_in_a_fresh_clone(
    bip, ws: Path, fork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """git keeps no empty folder: the clone lacks the one the run started in, so the block
    makes it before it goes there."""
    scratch = fork["work"] / "scratch"
    scratch.mkdir()
    monkeypatch.chdir(scratch)
    bip("-w", str(ws), "run", "--name", "scratch", "--", "sh", "../train/run.sh", "x")
    shown = json.loads(bip("-w", str(ws), "runs", "reproduce", "scratch", "--json").stdout)
    assert shown["lines"][-1] == "sh ../train/run.sh x"
    out = run_block("\n".join(shown["lines"]), tmp_path / "reader")
    assert out == f"trained at {fork['mine']} with # GPT x\n"
    assert (tmp_path / "reader" / "fork" / "scratch").is_dir()


def test_the_runs_interpreter_becomes_the_readers_python():
    assert reader_command(["/home/me/.venv/bin/python3.11", "train.py", "--lr", "6e-4"]) == (
        "python train.py --lr 6e-4"
    )
    assert reader_command([sys.executable, "-c", "print(1)"]) == "python -c 'print(1)'"
    assert reader_command(["torchrun", "--nproc_per_node=8", "train.py"]) == (
        "torchrun --nproc_per_node=8 train.py"
    )
