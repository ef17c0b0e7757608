"""The reading list: model, schema, the edit engine and planned edits; links and sync beside them."""

from __future__ import annotations

from toolkit.readinglist.document import (
    Loaded,
    Plan,
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
from toolkit.readinglist.schema import (
    build,
    validate,
)

__all__ = [
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
