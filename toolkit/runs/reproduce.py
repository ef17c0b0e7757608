"""The Reproduce block of a run: shell lines a reader pastes into an empty folder to rebuild the
exact code and run the command.

The clone comes from where the run's commit actually lives: the remote whose branches hold it
(the fork the branch tracks, as a rule; see toolkit.git.remote_holding). When the commit is on
no remote bip knows (not pushed yet), the block clones upstream at the merge-base and applies
the run's patch (saved beside run.json when the run was recorded, published beside the post),
and the drafting command warns: push the branch, and the block can name the commit itself.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

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


def reproduce(run: Run) -> Reproduce:
    record = run.record
    git = record.git
    command = reader_command(record.command)
    if git is None or not git.commit:
        return Reproduce(
            ["# the exact code is not known: the run did not start in a git repository", command]
        )
    subdir = ""
    if record.cwd and git.root:
        try:
            relative = Path(record.cwd).relative_to(git.root)
        except ValueError:
            relative = Path()
        subdir = "" if str(relative) == "." else relative.as_posix()
    patch = run.path / PATCH_FILE if git.patch else None
    short = git.commit[:7]
    if git.commit_url:
        folder = clone_folder(git.commit_url)
        lines = [
            f"git clone {shlex.quote(git.commit_url)} {shlex.quote(folder)}",
            f"cd {shlex.quote(folder)}",
            f"git checkout {git.commit}",
        ]
        result = Reproduce(lines)
        if git.dirty and patch is not None:
            lines.append(f"git apply ../{PATCH_FILE}  # the uncommitted changes, beside this post")
            result.patch = patch
            result.note = (
                f"The run had uncommitted changes on top of `{short}`: the block applies them "
                f"from {PATCH_FILE}, published beside this post."
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
            f"git apply ../{PATCH_FILE}  # this run's changes, published beside this post",
        ]
        branch = f" on `{git.branch}`" if git.branch else ""
        result = Reproduce(
            lines,
            note=(
                f"The run's commit (`{short}`{branch}) is not on any public remote yet: the block "
                f"rebuilds it from upstream at the merge-base `{git.merge_base[:7]}` plus the "
                f"run's changes ({PATCH_FILE}, published beside this post)."
            ),
            patch=patch,
        )
        result.warnings.append(_unpushed(short, git.branch))
    else:
        branch = f" on {git.branch}" if git.branch else ""
        lines = [f"# commit {git.commit}{branch}: not on any remote bip knows"]
        result = Reproduce(
            lines,
            note=f"The run's commit (`{short}`) is not on any public remote: push it to share it.",
        )
        result.warnings.append(_unpushed(short, git.branch))
    if subdir:
        result.lines.append(f"cd {shlex.quote(subdir)}")
    result.lines.append(command)
    return result


def _unpushed(short: str, branch: str | None) -> str:
    push = f"git push -u origin {branch}" if branch else "push it"
    return (
        f"the run's commit {short} is on no remote bip knows: readers cannot check it out "
        f"({push}, then draft again)"
    )
