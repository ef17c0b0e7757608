"""The reading list: model, schema, the edit engine and planned edits; links and sync beside them.

Each name is imported from its module on first use (`rl.plan_note` loads the planned edits,
`rl.load_reading_list` does not), so a read loads no edit code.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolkit.readinglist.builder import build
    from toolkit.readinglist.document import (
        ONE_ENTRY,
        WHOLE_TEXT,
        Loaded,
        Plan,
        ReadingListStore,
        StoreWatch,
        edit_reading_list,
        load_reading_list,
        lock_path_for,
        parse_text,
    )
    from toolkit.readinglist.edits import (
        Added,
        Change,
        plan_add,
        plan_note,
        plan_pin_keys,
        plan_remove,
        plan_set,
        plan_status,
    )
    from toolkit.readinglist.model import (
        CITE_KEY_PATTERN,
        GOAL_FIELDS,
        KINDS,
        SCHEMA_VERSION,
        STATUSES,
        TOP_KEYS,
        Entry,
        Figure,
        Goal,
        ReadingList,
        filter_entries,
    )
    from toolkit.readinglist.schema import validate

# Where each name lives: imported from there on first use.
_MODULES: dict[str, tuple[str, ...]] = {
    "document": (
        "ReadingListStore",
        "StoreWatch",
        "ONE_ENTRY",
        "WHOLE_TEXT",
        "Loaded",
        "parse_text",
        "load_reading_list",
        "Plan",
        "edit_reading_list",
        "lock_path_for",
    ),
    "edits": (
        "Change",
        "plan_status",
        "plan_note",
        "plan_set",
        "plan_remove",
        "Added",
        "plan_add",
        "plan_pin_keys",
    ),
    "model": (
        "SCHEMA_VERSION",
        "KINDS",
        "STATUSES",
        "TOP_KEYS",
        "GOAL_FIELDS",
        "CITE_KEY_PATTERN",
        "Goal",
        "Figure",
        "Entry",
        "ReadingList",
        "filter_entries",
    ),
    "schema": ("validate",),
    "builder": ("build",),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "ReadingListStore",
    "StoreWatch",
    "ONE_ENTRY",
    "WHOLE_TEXT",
    "Loaded",
    "parse_text",
    "load_reading_list",
    "Plan",
    "edit_reading_list",
    "lock_path_for",
    "Change",
    "plan_status",
    "plan_note",
    "plan_set",
    "plan_remove",
    "Added",
    "plan_add",
    "plan_pin_keys",
    "SCHEMA_VERSION",
    "KINDS",
    "STATUSES",
    "TOP_KEYS",
    "GOAL_FIELDS",
    "CITE_KEY_PATTERN",
    "Goal",
    "Figure",
    "Entry",
    "ReadingList",
    "filter_entries",
    "validate",
    "build",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
