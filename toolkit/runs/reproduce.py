"""The Reproduce block of a run: shell lines a reader pastes into an empty folder to rebuild the
exact code and run the command.

The clone comes from where the run's commit actually lives: the remote whose branches hold it
(the fork the branch tracks, as a rule; see toolkit.git.remote_holding). When the commit is on
no remote bip knows (not pushed yet), the block clones upstream at the merge-base and applies
the run's patch (saved beside run.json when the run was recorded, published beside the post),
and the drafting command warns: push the branch, and the block can name the commit itself. Where
the commit lives is asked again each time (the run's clone is still there, as a rule), so a
commit pushed after the run is cloned from the remote that now holds it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from toolkit.runs.model import GitInfo
from toolkit.runs.store import PATCH_FILE, Run

PYTHON = re.compile(r"^python[\d.]*$")


@dataclass
class Reproduce:
    lines: list[str]
    note: str | None = None  # shown in the post, above the block
    warnings: list[str] = field(default_factory=list)  # said when drafting
    patch: Path | None = None  # published beside the post: the block applies it

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def clone_folder(url: str) -> str:
    name = PurePosixPath(url.rstrip("/").split(":")[-1]).name
    return name.removesuffix(".git") or "repo"


def reader_command(argv: list[str]) -> str:
    """The command as a reader types it: the run's own interpreter (`/home/me/.venv/bin/python3`)
    is the reader's `python`."""
    if argv and "/" in argv[0] and PYTHON.match(PurePosixPath(argv[0]).name):
        argv = ["python", *argv[1:]]
    return shlex.join(argv)


def located(git: GitInfo) -> GitInfo:
    """The run's git facts with the remote that holds its commit now: a commit on no remote
    when the run was recorded may have been pushed since (the run's warning says to). A run
    with uncommitted changes to tracked files (a diffstat; untracked files are in no patch)
    keeps its patch from the merge-base, so it is left as recorded."""
    from toolkit.git import remote_holding

    if git.commit_url or git.diffstat or not git.commit or not git.root:
        return git
    if not Path(git.root).is_dir():
        return git
    found = remote_holding(Path(git.root), git.commit, git.tracking)
    if found is None:
        return git
    return replace(git, commit_remote=found[0], commit_url=found[1], patch=None)


def reproduce(run: Run, patch_at: Path | None = None) -> Reproduce:
    """The block for a run. Its patch (when the commit is on no remote) is read from
    `../changes.patch`, beside the post that publishes it, or from `patch_at` when given (the
    run's own copy, for `bip runs reproduce` on this machine)."""
    record = run.record
    if not record.command:  # imported (`bip runs import`): bip never ran it
        kind = (record.source or "a tracker's files").split(":", 1)[0]
        return Reproduce(
            ["# the exact commands you ran"],
            note=f"Imported from {kind}: bip did not run it, so it knows no command or commit.",
        )
    command = reader_command(record.command)
    if record.git is None or not record.git.commit:
        return Reproduce(
            ["# the exact code is not known: the run did not start in a git repository", command]
        )
    git = located(record.git)
    commit = record.git.commit
    apply = f"git apply {shlex.quote(str(patch_at))}" if patch_at else f"git apply ../{PATCH_FILE}"
    where = f"saved in {patch_at}" if patch_at else "published beside this post"
    said = "" if patch_at else f", {where}"  # the path is in the line itself
    subdir = ""
    if record.cwd and git.root:
        try:
            relative = Path(record.cwd).relative_to(git.root)
        except ValueError:
            relative = Path()
        subdir = "" if str(relative) == "." else relative.as_posix()
    patch = run.path / PATCH_FILE if git.patch else None
    short = commit[:7]
    if git.commit_url:
        folder = clone_folder(git.commit_url)
        lines = [
            f"git clone {shlex.quote(git.commit_url)} {shlex.quote(folder)}",
            f"cd {shlex.quote(folder)}",
            f"git checkout {commit}",
        ]
        result = Reproduce(lines)
        if git.dirty and patch is not None:
            lines.append(f"{apply}  # the uncommitted changes{said}")
            result.patch = patch
            result.note = (
                f"The run had uncommitted changes on top of `{short}`: the block applies them "
                f"from {PATCH_FILE}, {where}."
            )
            result.warnings.append(
                f"the run had uncommitted changes: commit and push them, or publish {PATCH_FILE}"
            )
    elif git.upstream_url and git.merge_base and patch is not None:
        folder = clone_folder(git.upstream_url)
        lines = [
            f"git clone {shlex.quote(git.upstream_url)} {shlex.quote(folder)}",
            f"cd {shlex.quote(folder)}",
            f"git checkout {git.merge_base}",
            f"{apply}  # this run's changes{said}",
        ]
        branch = f" on `{git.branch}`" if git.branch else ""
        result = Reproduce(
            lines,
            note=(
                f"The run's commit (`{short}`{branch}) is not on any public remote yet: the block "
                f"rebuilds it from upstream at the merge-base `{git.merge_base[:7]}` plus the "
                f"run's changes ({PATCH_FILE}, {where})."
            ),
            patch=patch,
        )
        result.warnings.append(_unpushed(short, git))
    else:
        branch = f" on {git.branch}" if git.branch else ""
        lines = [f"# commit {commit}{branch}: not on any remote bip knows"]
        result = Reproduce(
            lines,
            note=f"The run's commit (`{short}`) is not on any public remote: push it to share it.",
        )
        result.warnings.append(_unpushed(short, git))
    if subdir:  # git keeps no empty folder: one the run started in may not be in the clone
        quoted = shlex.quote(subdir)
        result.lines.append(f"mkdir -p {quoted} && cd {quoted}")
    result.lines.append(command)
    return result


def _unpushed(short: str, git: GitInfo) -> str:
    remote = git.tracking.split("/", 1)[0] if git.tracking and "/" in git.tracking else "origin"
    push = f"git push -u {remote} {git.branch}" if git.branch else "push it"
    return (
        f"the run's commit {short} is on no remote bip knows: readers cannot check it out "
        f"({push}, then draft again)"
    )
