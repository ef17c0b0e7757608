"""Every question bip asks git, in one package, answered by the `git` command itself.

One `git` process answers each question (no GitPython: a library that runs `git` anyway and adds
its own start-up and per-repo objects). The check-in asks one `git log` per repo: your commits
since a moment with their line counts, and, from the decorations of the same walk, the branches
whose tip moved since then; git stops walking once commits are older than needed, so a
20,000-commit history costs what the last day costs. Paths that are missing, unreadable or not
git repos are reported, never fatal.
"""

from toolkit.git.activity import (
    FIELD,
    RECORD,
    WORKERS,
    Commit,
    GitError,
    RepoActivity,
    author_emails,
    configured_email,
    count_of,
    expand_repo_paths,
    first_line,
    in_order,
    is_repository,
    run_git,
    scan,
    scan_repo,
)
from toolkit.git.facts import (
    CheckoutFacts,
    DiffStat,
    GitFacts,
    author_counts,
    checkout_facts,
    commit_info,
    commits_between,
    diff_numstat,
    git_facts,
    merge_base,
    remote_default_branch,
    remote_holding,
    remote_ref_for,
    remotes,
    save_patch,
)

__all__ = [
    "CheckoutFacts",
    "Commit",
    "DiffStat",
    "FIELD",
    "GitError",
    "GitFacts",
    "RECORD",
    "RepoActivity",
    "WORKERS",
    "author_counts",
    "author_emails",
    "checkout_facts",
    "commit_info",
    "commits_between",
    "configured_email",
    "diff_numstat",
    "expand_repo_paths",
    "first_line",
    "git_facts",
    "in_order",
    "is_repository",
    "merge_base",
    "count_of",
    "remote_default_branch",
    "remote_holding",
    "remote_ref_for",
    "remotes",
    "run_git",
    "save_patch",
    "scan",
    "scan_repo",
]
