"""Planned edits of the `figures` section: add, change and remove the people you follow.

Each plan is applied by the reading list's edit engine (`readinglist.edit_reading_list`): a
minimal diff of your file, comments kept, the result validated before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolkit import yamledit
from toolkit.errors import BadInput
from toolkit.readinglist.document import Plan
from toolkit.readinglist.model import ReadingList
from toolkit.text import ID_PATTERN, slug_id
from toolkit.yamledit.parse import DELETE


@dataclass
class FigureChange:
    """What an edit did, for printing and --json."""

    id: str
    changes: list[str]


@dataclass
class FigureFields:
    """The fields a command sets; None leaves a field as it is (an empty list clears tags)."""

    name: str | None = None
    github: str | None = None
    homepage: str | None = None
    tags: list[str] | None = None
    affiliations: list[str] | None = None
    notes: str | None = None

    def items(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _index(rl: ReadingList, figure_id: str) -> int:
    rl.figure(figure_id)  # the error for an unknown id, with its hint
    return next(i for i, f in enumerate(rl.figures) if f.id == figure_id)


def plan_add_figure(figure_id: str, fields: FigureFields) -> Plan[FigureChange]:
    if not ID_PATTERN.match(figure_id):
        raise BadInput(
            f"{figure_id!r} is not a valid id",
            hint=f"lowercase ASCII letters, digits, '.', '_', '-'; e.g. {slug_id(figure_id)!r}",
        )
    if not fields.name:
        raise BadInput("a figure needs a name", hint=f'bip figures add {figure_id} --name "..."')

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], FigureChange]:
        if any(f.id == figure_id for f in rl.figures):
            raise BadInput(
                f"figure {figure_id!r} is already in the list",
                hint=f"change it with `bip figures edit {figure_id} ...`",
            )
        item = {"id": figure_id, **{k: v for k, v in fields.items().items() if v != []}}
        shown = [f"{k} {', '.join(v) if isinstance(v, list) else v}" for k, v in item.items()]
        return [yamledit.AppendItem("figures", item)], FigureChange(figure_id, shown[1:])

    return plan


def plan_edit_figure(figure_id: str, fields: FigureFields) -> Plan[FigureChange]:
    if not fields.items():
        raise BadInput(
            "nothing to change",
            hint=f'e.g. bip figures edit {figure_id} --github LOGIN --tag inference --name "..."',
        )

    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], FigureChange]:
        index = _index(rl, figure_id)
        edits: list[yamledit.Edit] = []
        shown = []
        for key, value in fields.items().items():
            if key == "name" and not value:
                raise BadInput("a figure's name cannot be empty")
            cleared = value == [] or value == ""
            edits.append(yamledit.SetItemKey("figures", index, key, DELETE if cleared else value))
            text = ", ".join(value) if isinstance(value, list) else value
            shown.append(f"{key} removed" if cleared else f"{key} {text}")
        return edits, FigureChange(figure_id, shown)

    return plan


def plan_remove_figure(figure_id: str) -> Plan[FigureChange]:
    def plan(rl: ReadingList) -> tuple[list[yamledit.Edit], FigureChange]:
        index = _index(rl, figure_id)
        citing = [e.id for e in rl.entries if figure_id in e.figures]
        if citing:
            raise BadInput(
                f"{len(citing)} entr{'y names' if len(citing) == 1 else 'ies name'} "
                f"{figure_id!r}: {', '.join(citing[:5])}{', ...' if len(citing) > 5 else ''}",
                hint="remove the figure from those entries' `figures` first",
            )
        return [yamledit.RemoveItem("figures", index)], FigureChange(figure_id, ["removed"])

    return plan
