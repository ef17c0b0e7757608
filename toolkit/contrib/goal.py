"""`bip contrib goal`: set or remove the contribution target of a repo, without editing YAML.

A goal lives on the repo's reading-list entry (`goal: {merged_prs: 3, by: 2027-06-30}`); a repo
not yet in the list gets an entry. The edit is the reading list's own: a minimal diff, comments
kept, validated before it is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from toolkit import yamledit
from toolkit.errors import BadInput
from toolkit.readinglist.document import Plan
from toolkit.readinglist.edits import plan_add
from toolkit.readinglist.links import REPO_PATTERN
from toolkit.readinglist.model import ReadingList
from toolkit.yamledit.parse import DELETE


@dataclass
class GoalChange:
    repo: str
    entry_id: str
    goal: dict[str, Any] | None  # None: removed
    added_entry: bool  # the repo was not in the reading list: an entry was added for it


def plan_goal(
    repo: str,
    today: date,
    merged_prs: int | None = None,
    commits: int | None = None,
    by: date | None = None,
    remove: bool = False,
) -> Plan[GoalChange]:
    """Set (the given fields of) the goal of `repo`, or remove it."""
    repo = repo.strip().removeprefix("https://github.com/").strip("/")
    if not REPO_PATTERN.match(repo):
        raise BadInput(f"{repo!r} is not owner/name", hint="e.g. vllm-project/vllm")
    wanted = {
        k: v
        for k, v in (("merged_prs", merged_prs), ("commits", commits), ("by", by))
        if v is not None
    }
    if remove and wanted:
        raise BadInput("--rm removes the goal; it takes no numbers", hint="use one or the other")
    if not remove and merged_prs is None and commits is None:
        raise BadInput(
            "a goal needs a number to reach",
            hint=f"e.g. bip contrib goal {repo} --merged-prs 3 --by 2027-06-30",
        )

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], GoalChange]:
        index = next(
            (
                i
                for i, e in enumerate(rl.entries)
                if e.kind == "repo" and e.repo and e.repo.lower() == repo.lower()
            ),
            None,
        )
        if index is None:
            if remove:
                raise BadInput(f"{repo} is not in the reading list", hint="nothing to remove")
            add = plan_add(f"https://github.com/{repo}", today, fields={"goal": wanted})
            edits, added = add(rl)
            return edits, GoalChange(repo, added.id, wanted, True)
        entry = rl.entries[index]
        if remove:
            if entry.goal is None:
                raise BadInput(f"{repo} ({entry.id}) has no goal", hint="nothing to remove")
            edit = yamledit.SetItemKey("entries", index, "goal", DELETE)
            return [edit], GoalChange(repo, entry.id, None, False)
        old = entry.goal
        goal = {
            k: v
            for k, v in (
                ("merged_prs", old.merged_prs if old else None),
                ("commits", old.commits if old else None),
                ("by", old.by if old else None),
            )
            if v is not None
        }
        goal.update(wanted)
        edit = yamledit.SetItemKey("entries", index, "goal", goal)
        return [edit], GoalChange(repo, entry.id, goal, False)

    return plan
