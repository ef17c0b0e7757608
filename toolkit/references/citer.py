"""`cite(id)` for posts and `bip cite`: entries numbered in order of first citation, each made a
`Reference` that credits people by name (`credit`) under a key that is never a placeholder's."""

from __future__ import annotations

from datetime import date

from toolkit.readinglist import ReadingList
from toolkit.references.credit import RepoFacts, credit
from toolkit.references.formats import references_markdown
from toolkit.references.keys import cite_keys, provisional
from toolkit.references.reference import Reference, reference


class Citer:
    def __init__(
        self,
        model: ReadingList,
        facts: dict[str, RepoFacts] | None = None,
        today: date | None = None,
    ) -> None:
        self.model = model
        self.facts = facts or {}
        self.today = today
        self.keys = cite_keys(model, self.facts)
        self.order: list[str] = []

    def cite(self, entry_id: str) -> str:
        self.model.entry(entry_id)  # unknown ids: an error with did-you-mean
        if entry_id not in self.order:
            self.order.append(entry_id)
        return f"[{self.order.index(entry_id) + 1}]"

    def references(self) -> list[Reference]:
        refs = []
        for entry_id in self.order:
            entry = self.model.entry(entry_id)
            facts = self.facts.get(entry.repo.lower()) if entry.repo else None
            refs.append(
                reference(
                    entry,
                    self.keys[entry_id],
                    facts.cff if facts else None,
                    today=self.today,
                    credited=credit(entry, self.model, facts),
                    provisional=entry.cite_key is None and provisional(entry),
                )
            )
        return refs

    def references_markdown(self) -> str:
        return references_markdown(self.references())

    def pinnable(self) -> dict[str, str]:
        """The keys of the cited entries worth pinning: not those cited by their id until
        their metadata is known."""
        return {
            i: self.keys[i]
            for i in self.order
            if self.model.entry(i).cite_key is None and not provisional(self.model.entry(i))
        }
