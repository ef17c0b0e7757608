"""Every question bip asks git, in one module, answered by the `git` command itself.

One `git` process answers each question (no GitPython: a library that runs `git` anyway and adds
its own start-up and per-repo objects). The check-in asks one `git log` per repo: your commits
since a moment with their line counts, and, from the decorations of the same walk, the branches
whose tip moved since then; git stops walking once commits are older than needed, so a
20,000-commit history costs what the last day costs. Paths that are missing, unreadable or not
git repos are reported, never fatal.
"""

from __future__ import annotations

import glob
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from toolkit.errors import BipError

T = TypeVar("T")
R = TypeVar("R")
WORKERS = 4  # git processes at once in a scan: each mostly waits on its git, outside the GIL

FIELD = "\x1f"
RECORD = "\x1e"


class GitError(BipError):
    """git could not answer: not a repository, an unknown revision, git missing."""


@dataclass
class Commit:
    """One commit, as every part of bip records it."""

    sha: str
    date: str  # ISO 8601 with offset (author date)
    subject: str
    insertions: int = 0
    deletions: int = 0
    author_email: str = ""
    author_name: str = ""


@dataclass
class RepoActivity:
    name: str
    path: str
    commits: list[Commit] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def insertions(self) -> int:
        return sum(c.insertions for c in self.commits)

    @property
    def deletions(self) -> int:
        return sum(c.deletions for c in self.commits)


@dataclass
class DiffStat:
    files: int = 0
    insertions: int = 0
    deletions: int = 0


@dataclass
class CheckoutFacts:
    """What a checkout is at: enough to say later exactly which code ran."""

    path: str
    commit: str | None  # HEAD's full sha; None in a repository without commits
    branch: str | None  # None when HEAD is detached
    dirty: bool  # changes to tracked files, staged or not
    untracked: int  # files git does not track and does not ignore
    diffstat: DiffStat  # the working tree (tracked files) against HEAD
    upstream: str | None  # the branch's upstream, e.g. origin/main
    merge_base: str | None  # where HEAD and its upstream meet
    ahead: int = 0
    behind: int = 0


# -- running git -------------------------------------------------------------------------------


def run_git(
    path: Path, *args: str, check: bool = True, exact: bool = True
) -> subprocess.CompletedProcess[str]:
    """`git -C path args...`; GitError (git's own first line) if it fails and `check`.

    With `exact`, the repository must be `path` itself, not a folder above it (a folder
    inside a repository is not that repository)."""
    if exact and not is_repository(Path(path)):
        raise GitError(f"{path} is not a git repository")
    try:
        done = subprocess.run(
            ["git", "-C", str(path), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    if check and done.returncode != 0:
        raise GitError(_first_line(done.stderr) or f"git {args[0]} failed ({done.returncode})")
    return done


def is_repository(path: Path) -> bool:
    """A work tree's top folder (it holds .git) or a bare repository."""
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


def _numstat(value: str) -> int:
    return int(value) if value.isdigit() else 0  # "-" for binary files


def in_order(work: Callable[[T], R], items: list[T], workers: int = WORKERS) -> list[R]:
    """`[work(item) for item in items]`, by up to `workers` threads at once: each mostly waits
    on a git process, which runs outside the GIL. The results keep `items`' order, and an error
    is the one the plain loop would raise (the first failing item's, in that order)."""
    if workers <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    import threading

    results: list[R | None] = [None] * len(items)
    failed: dict[int, BaseException] = {}
    todo = iter(range(len(items)))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:  # items are taken in order: every item before a failure is finished
                n = -1 if failed else next(todo, -1)
            if n < 0:
                return
            try:
                results[n] = work(items[n])
            except BaseException as exc:  # noqa: BLE001 -- raised again in the caller's thread
                with lock:
                    failed[n] = exc
                return

    threads = [
        threading.Thread(target=worker, daemon=True) for _ in range(min(workers, len(items)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise failed[min(failed)]
    return results  # type: ignore[return-value]  # every slot is filled when nothing failed


# -- what you built: the check-in's scan ------------------------------------------------------


def expand_repo_paths(patterns: list[str], root: Path) -> tuple[list[Path], list[str]]:
    """Folders named by `[git] repos` (globs, ~, relative to the workspace), and the patterns
    that matched nothing."""
    found: dict[str, Path] = {}
    missing = []
    for pattern in patterns:
        expanded = os.path.expanduser(pattern)
        if not os.path.isabs(expanded):
            expanded = str(root / expanded)
        matches = sorted(glob.glob(expanded)) if glob.has_magic(expanded) else [expanded]
        dirs = [Path(m) for m in matches if Path(m).is_dir()]
        if not dirs:
            missing.append(pattern)
        for folder in dirs:
            found.setdefault(str(folder.resolve()), folder)
    return list(found.values()), missing


def scan_repo(
    path: Path, emails: list[str], since: datetime, until: datetime | None = None
) -> RepoActivity:
    """Your non-merge commits on any branch since `since` (and up to `until`, for a day filled
    in afterwards), with +/- lines, and the branches with commits in that window: one `git log`
    (merges are walked for their branch names only)."""
    activity = RepoActivity(path.name, str(path))
    if not path.exists():
        activity.error = "does not exist"
        return activity
    if not os.access(path, os.R_OK | os.X_OK):
        activity.error = "permission denied"
        return activity
    if not is_repository(path):
        activity.error = "not a git repository"
        return activity
    done = run_git(
        path,
        "log",
        "--all",
        f"--since={since.isoformat()}",
        *([f"--until={until.isoformat()}"] if until else []),
        "--numstat",
        "--decorate-refs=refs/heads/",
        f"--format={RECORD}%H{FIELD}%P{FIELD}%D{FIELD}%aI{FIELD}%ae{FIELD}%an{FIELD}%s",
        check=False,
    )
    if done.returncode != 0:
        activity.error = _why_unreadable(done.stderr)
        return activity
    wanted = {e.lower() for e in emails}
    seen: set[str] = set()
    branches: list[str] = []
    for chunk in done.stdout.split(RECORD)[1:]:
        head, _, numstat = chunk.partition("\n")
        sha, parents, refs, date, email, name, subject = head.split(FIELD, 6)
        branches += [r.strip() for r in refs.split(",") if r.strip()]
        if sha in seen or " " in parents.strip() or (wanted and email.lower() not in wanted):
            continue
        seen.add(sha)
        commit = Commit(sha[:12], date, subject, author_email=email, author_name=name)
        for line in numstat.splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                commit.insertions += _numstat(parts[0])
                commit.deletions += _numstat(parts[1])
        activity.commits.append(commit)
    activity.branches = sorted(set(branches), key=branches.index)
    return activity


def _why_unreadable(stderr: str) -> str:
    first = _first_line(stderr)
    if "not a git repository" in first:
        return "not a git repository"
    if "Permission denied" in stderr:
        return "permission denied"
    return f"unreadable ({first or 'git failed'})"


def scan(
    patterns: list[str],
    root: Path,
    emails: list[str],
    since: datetime,
    until: datetime | None = None,
) -> list[RepoActivity]:
    paths, missing = expand_repo_paths(patterns, root)
    results = in_order(lambda p: scan_repo(p, emails, since, until), paths)
    results += [RepoActivity(p, p, error="matches no folder") for p in missing]
    return results


def configured_email(cwd: Path) -> str | None:
    """`git config user.email` as git resolves it from `cwd` (repo, then global), or None."""
    import subprocess

    try:
        found = subprocess.run(
            ["git", "config", "user.email"],
            cwd=cwd if cwd.is_dir() else None,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    email = found.stdout.strip()
    return email if found.returncode == 0 and email else None


def author_emails(configured: list[str], cwd: Path) -> list[str]:
    """Your commit emails: `[git] emails`, else `git config user.email`, else [] (everyone)."""
    if configured:
        return configured
    email = configured_email(cwd)
    return [email] if email else []


# -- what a checkout is at --------------------------------------------------------------------


def checkout_facts(path: Path, untracked_paths: list[str] | None = None) -> CheckoutFacts:
    """Commit, branch, dirty or not (with a diffstat), upstream and merge-base of a checkout.

    `path` may be any folder inside the checkout. One `git status` answers most of it;
    `git diff` runs only when something changed and `git merge-base` only when there is an
    upstream. The untracked files' paths, as git prints them, are appended to
    `untracked_paths` when it is given. GitError if `path` is in no repository."""
    status = run_git(
        path, "status", "--porcelain=v2", "--branch", "--untracked-files=normal", exact=False
    )
    commit = branch = upstream = None
    ahead = behind = untracked = 0
    dirty = False
    for line in status.stdout.splitlines():
        if line.startswith("# branch.oid "):
            oid = line.split(" ", 2)[2]
            commit = None if oid == "(initial)" else oid
        elif line.startswith("# branch.head "):
            head = line.split(" ", 2)[2]
            branch = None if head == "(detached)" else head
        elif line.startswith("# branch.upstream "):
            upstream = line.split(" ", 2)[2]
        elif line.startswith("# branch.ab "):
            plus, minus = line.split(" ")[2:4]
            ahead, behind = int(plus), -int(minus)
        elif line.startswith("? "):
            untracked += 1
            if untracked_paths is not None:
                untracked_paths.append(line[2:])
        elif line and not line.startswith("#"):
            dirty = True
    diffstat = DiffStat()
    if dirty and commit:
        for row in run_git(path, "diff", "--numstat", "HEAD", exact=False).stdout.splitlines():
            parts = row.split("\t")
            if len(parts) == 3:
                diffstat.files += 1
                diffstat.insertions += _numstat(parts[0])
                diffstat.deletions += _numstat(parts[1])
    merge_base = None
    if upstream and commit:
        found = run_git(path, "merge-base", "HEAD", "@{upstream}", check=False, exact=False)
        merge_base = found.stdout.strip() or None if found.returncode == 0 else None
    return CheckoutFacts(
        str(path),
        commit,
        branch,
        dirty,
        untracked,
        diffstat,
        upstream,
        merge_base,
        ahead,
        behind,
    )


# -- remotes, ranks and build logs ------------------------------------------------------------


def remotes(path: Path) -> dict[str, list[str]]:
    """Remote name -> its URLs (fetch and push), in git's order."""
    done = run_git(path, "config", "--get-regexp", r"^remote\..*\.(url|pushurl)$", check=False)
    if done.returncode not in (0, 1):  # 1: no remote at all
        raise GitError(_first_line(done.stderr) or "cannot read the remotes")
    found: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        key, _, url = line.partition(" ")
        name = key[len("remote.") : key.rfind(".")]
        found.setdefault(name, []).append(url)
    return found


def remote_default_branch(path: Path, remote: str) -> str | None:
    """The remote's default branch as a local ref name (`origin/main`): its HEAD if known, else
    main or master, else its only branch."""
    head = run_git(path, "symbolic-ref", "--short", f"refs/remotes/{remote}/HEAD", check=False)
    if head.returncode == 0 and head.stdout.strip():
        return head.stdout.strip()
    refs = run_git(
        path, "for-each-ref", "--format=%(refname:short)", f"refs/remotes/{remote}/"
    ).stdout.split()
    for branch in ("main", "master"):
        if f"{remote}/{branch}" in refs:
            return f"{remote}/{branch}"
    refs = [r for r in refs if r != f"{remote}/HEAD"]
    return refs[0] if refs else None


def author_counts(path: Path, rev: str) -> dict[str, int]:
    """Non-merge commits reachable from `rev`, by lowercased author email."""
    out = run_git(path, "shortlog", "-sne", "--no-merges", rev, "--").stdout
    counts: dict[str, int] = {}
    for line in out.splitlines():
        number, _, who = line.strip().partition("\t")
        email = who[who.rfind("<") + 1 : who.rfind(">")].lower()
        counts[email] = counts.get(email, 0) + int(number)
    return counts


def merge_base(path: Path, a: str, b: str) -> str | None:
    """The best common ancestor of two revisions, None if they share no history; GitError if
    either is not a commit here."""
    done = run_git(path, "merge-base", a, b, check=False)
    if done.returncode == 0:
        return done.stdout.strip()
    if done.returncode == 1 and not done.stderr.strip():
        return None
    raise GitError(_first_line(done.stderr) or f"{a!r} or {b!r} is not a commit")


def commit_info(path: Path, rev: str) -> Commit:
    """One commit: full sha, author date, first line of the message, author; `date` here is the
    committer date (ISO 8601), which is what a base commit is dated by."""
    out = run_git(path, "log", "-1", f"--format=%H{FIELD}%cI{FIELD}%ae{FIELD}%an{FIELD}%B", rev)
    sha, date, email, name, message = out.stdout.split(FIELD, 4)
    return Commit(sha, date, message.split("\n", 1)[0], author_email=email, author_name=name)


def commits_between(path: Path, base: str, head: str = "HEAD") -> list[Commit]:
    """Non-merge commits in `base..head`, newest first, with full shas."""
    out = run_git(
        path,
        "log",
        "--no-merges",
        f"--format={RECORD}%H{FIELD}%aI{FIELD}%ae{FIELD}%an{FIELD}%B",
        f"{base}..{head}",
        "--",
    ).stdout
    commits = []
    for chunk in out.split(RECORD)[1:]:
        sha, date, email, name, message = chunk.split(FIELD, 4)
        first = message.split("\n", 1)[0]
        commits.append(Commit(sha, date, first, author_email=email, author_name=name))
    return commits


def diff_numstat(path: Path, base: str, head: str = "HEAD") -> list[tuple[str, int, int]]:
    """(file, lines added, lines removed) between two revisions."""
    out = run_git(path, "diff", "--numstat", base, head, "--").stdout
    rows = []
    for line in out.splitlines():
        added, removed, name = line.split("\t", 2)
        rows.append((name, _numstat(added), _numstat(removed)))
    return rows


@dataclass
class GitFacts:
    """Where a run's code came from: the facts `bip run` records and `build-log` reports."""

    root: str
    commit: str | None  # None in a repository without commits
    branch: str | None  # None on a detached HEAD
    dirty: bool
    diffstat: str  # `git diff --stat HEAD`: uncommitted changes to tracked files
    untracked: list[str] = field(default_factory=list)
    upstream_remote: str | None = None
    upstream_url: str | None = None
    upstream_ref: str | None = None  # e.g. upstream/master
    merge_base: str | None = None
    tracking: str | None = None  # the branch's own upstream (@{u}), where its commits are pushed
    tracking_url: str | None = None


def remote_ref_for(
    path: Path, upstream_repo: str, known: dict[str, list[str]] | None = None
) -> str | None:
    """The default-branch ref (`remote/HEAD`'s target, else main/master) of the first remote
    whose URL points at github.com/`upstream_repo`; `known` is `remotes(path)` if already
    asked."""
    from toolkit.readinglist.links import github_repo

    for name, urls in (remotes(path) if known is None else known).items():
        if any((github_repo(u) or "").lower() == upstream_repo.lower() for u in urls):
            return remote_default_branch(path, name)
    return None


def git_facts(path: Path, upstream_repo: str | None = None) -> GitFacts | None:
    """The commit, branch, uncommitted changes, upstream remote and merge-base of the repository
    holding `path`; None when `path` is not in a git repository (or git is missing).

    The upstream is the remote pointing at github.com/`upstream_repo` when given (as build-log
    chooses it), else the remote named `upstream`, else the current branch's tracking remote,
    else `origin`; the merge-base is taken with that remote's default branch.
    """
    try:
        top = run_git(path, "rev-parse", "--show-toplevel", exact=False).stdout.strip()
    except (GitError, OSError):
        return None
    root = Path(top)
    facts = GitFacts(top, None, None, False, "")
    try:
        untracked: list[str] = []
        checkout = checkout_facts(root, untracked)
        facts.commit, facts.branch = checkout.commit, checkout.branch
        facts.dirty = checkout.dirty or bool(untracked)
        facts.untracked = untracked[:50]
        if facts.commit:
            facts.diffstat = run_git(root, "diff", "HEAD", "--stat").stdout.rstrip()
        known = remotes(root)
        if checkout.upstream:
            facts.tracking = checkout.upstream
            tracking_remote = checkout.upstream.split("/", 1)[0]
            facts.tracking_url = next(iter(known.get(tracking_remote, [])), None)
        ref = remote_ref_for(root, upstream_repo, known) if upstream_repo else None
        name = ref.split("/", 1)[0] if ref else None
        if name is None:
            tracked = (checkout.upstream or "").split("/", 1)[0]
            name = next((n for n in ("upstream", tracked, "origin") if n and n in known), None)
            ref = remote_default_branch(root, name) if name else None
        if name is not None:
            facts.upstream_remote = name
            facts.upstream_url = next(iter(known.get(name, [])), None)
            facts.upstream_ref = ref
        if ref and facts.commit:
            facts.merge_base = merge_base(root, "HEAD", ref)
    except (GitError, OSError):  # a half-readable repository still gives what it gave so far
        pass
    return facts


def remote_holding(path: Path, commit: str, tracking: str | None = None) -> tuple[str, str] | None:
    """(remote name, its URL) of a remote whose branches hold `commit`, as of the last fetch:
    the remote the branch tracks first (a fork, as a rule), then `origin`, then any; None when
    the commit is on no remote this clone knows (not pushed yet)."""
    done = run_git(
        path, "branch", "-r", "--contains", commit, "--format=%(refname:short)", check=False
    )
    if done.returncode != 0:
        return None
    holding = {ref.split("/", 1)[0] for ref in done.stdout.split() if "/" in ref}
    if not holding:
        return None
    known = remotes(path)
    preferred = [(tracking or "").split("/", 1)[0], "origin", *sorted(holding)]
    for name in preferred:
        if name in holding and known.get(name):
            return name, known[name][0]
    return None


def save_patch(path: Path, base: str, target: Path, working_tree: bool = False) -> bool:
    """The changes from `base` to HEAD (to the working tree with `working_tree`: uncommitted
    changes to tracked files too) as a patch `git apply` takes; False when there are none."""
    from toolkit.fileio import atomic_write_bytes

    args = ["diff", "--binary", "--full-index", base] + ([] if working_tree else ["HEAD"])
    try:
        done = subprocess.run(["git", "-C", str(path), *args], capture_output=True, check=False)
    except OSError:
        return False
    if done.returncode != 0 or not done.stdout:
        return False
    atomic_write_bytes(target, done.stdout)
    return True
