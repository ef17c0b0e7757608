"""The one `--since` parser shared by every command that takes it."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from toolkit.errors import BadInput

SINCE_HELP = "7d, 2w, 24h, today, yesterday or YYYY-MM-DD."
_DURATION = re.compile(r"^(\d{1,5})([hdw])$")


def parse_since(text: str, now: datetime) -> datetime:
    """The moment `--since TEXT` starts at, in `now`'s time zone.

    `Nh` is N hours before now; `Nd` the last N days with today included (`1d` and `0d` are both
    today, `7d` today and the 6 days before); `Nw` likewise in weeks; `today`, `yesterday` and
    `YYYY-MM-DD` the start of that day.
    """
    value = text.strip().lower()
    match = _DURATION.match(value)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if unit == "h":
            return now - timedelta(hours=count)
        days = count * (7 if unit == "w" else 1)
        return _start_of(now.date() - timedelta(days=max(days - 1, 0)), now)
    if value in ("today", "yesterday"):
        return _start_of(now.date() - timedelta(days=value == "yesterday"), now)
    try:
        return _start_of(date.fromisoformat(value), now)
    except ValueError:
        raise BadInput(
            f"--since {text!r} is neither a duration nor a date",
            hint="e.g. --since 7d, --since 24h, --since yesterday or --since 2026-11-01",
        ) from None


def _start_of(day: date, now: datetime) -> datetime:
    return datetime.combine(day, time.min, now.tzinfo)
