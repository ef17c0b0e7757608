"""The bundled example community: a small made-up world to try `bip reach` offline.

`bip reach sync --example` loads it into the reach store in the shape a real sync writes; the
tests' fake GitHub answers GraphQL from the same file, so the two must agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from toolkit.reach.model import NEWCOMER_ASSOCIATIONS, Issue, Pull, Review, folders, is_bot

EXAMPLE_FILE = "reach_example.json"


@dataclass(frozen=True)
class Example:
    as_of: str
    you: str
    pulls: list[Pull]
    issues: list[Issue]


def example_data() -> dict[str, Any]:
    text = resources.files("toolkit").joinpath("data", EXAMPLE_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_example() -> Example:
    data = example_data()
    bots: dict[str, str] = data.get("bots", {})

    def bot(login: str | None) -> bool:
        return bool(login) and (bots.get(str(login)) == "Bot" or is_bot(login))

    pulls = []
    for p in data["pulls"]:
        repo = p["repo"]
        merged = p.get("merged")
        pulls.append(
            Pull(
                repo=repo,
                number=p["number"],
                title=p["title"],
                url=f"https://github.com/{repo}/pull/{p['number']}",
                author=p["author"],
                author_bot=bot(p["author"]),
                created_at=p["created"],
                ready_at=p.get("ready"),
                updated_at=merged or p["created"],
                state="merged" if merged else "open",
                merged_by=p.get("merged_by"),
                merged_by_bot=bot(p.get("merged_by")),
                merged_at=merged,
                labels=tuple(p.get("labels", [])),
                paths=folders(p.get("files", [])),
                newcomer=p.get("association") in NEWCOMER_ASSOCIATIONS,
                reviews=tuple(
                    Review(
                        login,
                        state,
                        at,
                        f"https://github.com/{repo}/pull/{p['number']}#pullrequestreview-{i}",
                        bot(login),
                    )
                    for i, (login, state, at) in enumerate(p.get("reviews", []), start=1)
                ),
                coauthors=tuple(p.get("coauthors", [])),
            )
        )
    issues = [
        Issue(
            repo=i["repo"],
            number=i["number"],
            title=i["title"],
            url=f"https://github.com/{i['repo']}/issues/{i['number']}",
            labels=tuple(i.get("labels", [])),
            assigned=bool(i.get("assignees")),
            created_at=i["created"],
            text=(i["title"] + "\n" + i.get("body", ""))[:2000],
        )
        for i in data["issues"]
    ]
    return Example(data["as_of"], data["you"], pulls, issues)
