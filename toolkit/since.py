"""The one `--since` parser shared by every command that takes it."""

from __future__ import annotations

from datetime import date, timedelta

from toolkit.errors import BadInput


def parse_since(text: str, today: date) -> date:
    """`7d`, `2w`, or a date YYYY-MM-DD."""
    value = text.strip().lower()
    if value[:-1].isdigit() and value[-1:] in ("d", "w"):
        days = int(value[:-1]) * (7 if value.endswith("w") else 1)
        return today - timedelta(days=days - 1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(
            f"--since {text!r} is neither a duration nor a date",
            hint="e.g. --since 7d, --since 2w or --since 2026-11-01",
        ) from None
