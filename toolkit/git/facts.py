"""What a checkout is at and where it came from: HEAD, branch, dirt, remotes, merge-bases,
the commits and files between two revisions (runs and build-log posts record them)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.git.activity import FIELD, RECORD, Commit, GitError, count_of, first_line, run_git


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
                diffstat.insertions += count_of(parts[0])
                diffstat.deletions += count_of(parts[1])
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
        raise GitError(first_line(done.stderr) or "cannot read the remotes")
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
    raise GitError(first_line(done.stderr) or f"{a!r} or {b!r} is not a commit")


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
        rows.append((name, count_of(added), count_of(removed)))
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
