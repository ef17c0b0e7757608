"""`bip streak`: current and longest streaks, a terminal heatmap and an SVG calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

LEVELS = " ░▒▓█"
SVG_COLOURS = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")


@dataclass
class Streak:
    current: int
    longest: int
    longest_end: str | None
    days: int
    today_done: bool


def streaks(days: set[date], today: date) -> Streak:
    """Current streak counts back from today, or from yesterday while today is still open."""
    start = today if today in days else today - timedelta(days=1)
    current = 0
    while start - timedelta(days=current) in days:
        current += 1
    longest, run, end = 0, 0, None
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        if run > longest:
            longest, end = run, day
        previous = day
    return Streak(current, longest, end.isoformat() if end else None, len(days), today in days)


def level(activity: int) -> int:
    if activity <= 0:
        return 0
    return 1 if activity <= 2 else 2 if activity <= 5 else 3 if activity <= 9 else 4


def calendar(activity: dict[date, int], today: date, weeks: int = 52) -> list[list[date | None]]:
    """Columns of weeks (Monday first), ending with the week that holds `today`."""
    last_monday = today - timedelta(days=today.weekday())
    first = last_monday - timedelta(weeks=weeks - 1)
    columns = []
    for w in range(weeks):
        monday = first + timedelta(weeks=w)
        columns.append(
            [
                monday + timedelta(days=d) if monday + timedelta(days=d) <= today else None
                for d in range(7)
            ]
        )
    return columns


def heatmap(activity: dict[date, int], today: date, weeks: int = 52) -> str:
    """A GitHub-style calendar in text: one cell a day, shaded by activity."""
    columns = calendar(activity, today, weeks)
    months = [" "] * len(columns)
    for i, col in enumerate(columns):
        first = col[0]
        if first is not None and (i == 0 or first.day <= 7):
            label = first.strftime("%b")
            if i + len(label) <= len(columns) and all(m == " " for m in months[i : i + len(label)]):
                months[i : i + len(label)] = list(label)
    lines = ["    " + "".join(months).rstrip()]
    for d, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        cells = "".join(_cell(activity, col[d]) for col in columns)
        lines.append(f"{name:<4}{cells}".rstrip())
    lines.append("    less · ░ ▒ ▓ █ more")
    return "\n".join(lines)


def _cell(activity: dict[date, int], day: date | None) -> str:
    if day is None:
        return " "
    count = activity.get(day, 0)
    return "·" if count == 0 else LEVELS[level(count)]


def svg(activity: dict[date, int], today: date, title: str, weeks: int = 52) -> str:
    """The same calendar as an SVG image (GitHub's colours) to put on a blog."""
    cell, gap, left, top = 11, 3, 30, 34
    columns = calendar(activity, today, weeks)
    width = left + len(columns) * (cell + gap) + 10
    height = top + 7 * (cell + gap) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="-apple-system, Segoe UI, sans-serif" font-size="10">',
        f"<title>{_escape(title)}</title>",
        f'<text x="{left}" y="14" font-size="12" fill="#24292f">{_escape(title)}</text>',
    ]
    for d, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        out.append(f'<text x="0" y="{top + d * (cell + gap) + 9}" fill="#57606a">{name}</text>')
    for w, col in enumerate(columns):
        x = left + w * (cell + gap)
        first = col[0]
        if first is not None and first.day <= 7:
            out.append(f'<text x="{x}" y="{top - 6}" fill="#57606a">{first:%b}</text>')
        for d, day in enumerate(col):
            if day is None:
                continue
            count = activity.get(day, 0)
            out.append(
                f'<rect x="{x}" y="{top + d * (cell + gap)}" width="{cell}" height="{cell}" rx="2" '
                f'fill="{SVG_COLOURS[level(count)]}" data-date="{day.isoformat()}" data-count="{count}">'
                f"<title>{day.isoformat()}: {count}</title></rect>"
            )
    legend_y = top + 7 * (cell + gap) + 12
    out.append(f'<text x="{left}" y="{legend_y + 9}" fill="#57606a">less</text>')
    for n, colour in enumerate(SVG_COLOURS):
        out.append(
            f'<rect x="{left + 28 + n * (cell + gap)}" y="{legend_y}" width="{cell}" '
            f'height="{cell}" rx="2" fill="{colour}"/>'
        )
    out.append(
        f'<text x="{left + 32 + 5 * (cell + gap)}" y="{legend_y + 9}" fill="#57606a">more</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
