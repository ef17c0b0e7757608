"""`bip profile card`: an SVG card for a GitHub profile README: the streak and a calendar in the
user's own time zone, merged PRs toward each goal, and the latest run's headline.

Built as an XML tree (ElementTree), so every string from the user's data is escaped by the
serializer and the card is well-formed by construction. Colours come from a <style> with a
`prefers-color-scheme: dark` block: GitHub shows an <img> SVG in the page's colour scheme, so
the card is readable in its light and dark themes alike.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from toolkit.site.collect import Contribution, Day, RunFacts, StreakFacts

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 495
CARD_WEEKS = 20
CELL, GAP = 10, 3
STYLE = """
.bg { fill: #ffffff; stroke: #d0d7de; }
.title { fill: #1f2328; font: 600 15px -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; }
.big { fill: #1f2328; font: 700 28px -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; }
.text { fill: #1f2328; font: 400 12px -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; }
.muted { fill: #59636e; font: 400 11px -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; }
.l0 { fill: #ebedf0; } .l1 { fill: #9be9a8; } .l2 { fill: #40c463; }
.l3 { fill: #30a14e; } .l4 { fill: #216e39; }
@media (prefers-color-scheme: dark) {
  .bg { fill: #0d1117; stroke: #30363d; }
  .title, .big, .text { fill: #e6edf3; }
  .muted { fill: #9198a1; }
  .l0 { fill: #161b22; } .l1 { fill: #0e4429; } .l2 { fill: #006d32; }
  .l3 { fill: #26a641; } .l4 { fill: #39d353; }
}
"""


@dataclass
class CardFacts:
    name: str
    streak: StreakFacts
    contributions: list[Contribution]
    latest_run: RunFacts | None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """The card's facts as lines of text (its <desc>, and the README block's words)."""
        s = self.streak
        lines = [
            f"Current streak: {s.current} day{'s' if s.current != 1 else ''} "
            f"(longest {s.longest}), as of {s.today} in {s.timezone}"
        ]
        for c in self.contributions:
            lines.append(f"{c.repo}: {pr_progress(c)}")
        if self.latest_run is not None:
            lines.append(f"Latest run: {self.latest_run.name}: {self.latest_run.headline}")
        return lines


def pr_progress(c: Contribution) -> str:
    by = f" by {c.goal_by}" if c.goal_by else ""
    if c.merged_prs is None:
        goal = f"goal {c.goal_merged_prs} merged PRs{by}" if c.goal_merged_prs else "no goal"
        return f"{goal} (not counted yet)"
    goal = f" of {c.goal_merged_prs}" if c.goal_merged_prs is not None else ""
    return f"{c.merged_prs}{goal} merged PRs{by}"


def fit(text: str, limit: int = 72) -> str:
    """One line of the card: at most `limit` characters, cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    node = ET.SubElement(
        parent, f"{{{SVG_NS}}}{tag}", {k.rstrip("_"): str(v) for k, v in attrs.items()}
    )
    if text is not None:
        node.text = text
    return node


def render_card(facts: CardFacts) -> str:
    """The card as SVG text."""
    ET.register_namespace("", SVG_NS)
    rows = facts.contributions[:3]
    height = 150 + 18 * len(rows) + (18 if facts.latest_run else 0)
    svg = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "width": str(WIDTH),
            "height": str(height),
            "viewBox": f"0 0 {WIDTH} {height}",
            "role": "img",
            "aria-labelledby": "title desc",
        },
    )
    s = facts.streak
    _el(svg, "title", f"{facts.name}: {s.current}-day streak", id="title")
    _el(svg, "desc", "; ".join(facts.summary()), id="desc")
    _el(svg, "style", STYLE)
    _el(svg, "rect", class_="bg", x=0.5, y=0.5, width=WIDTH - 1, height=height - 1, rx=6)
    _el(svg, "text", fit(f"{facts.name} · building in public", 60), class_="title", x=20, y=30)
    _el(svg, "text", f"{s.current}", class_="big", x=20, y=72)
    _el(svg, "text", f"day{'s' if s.current != 1 else ''} streak", class_="text", x=20, y=90)
    _el(svg, "text", f"longest {s.longest} · {s.days} days", class_="muted", x=20, y=106)
    _el(svg, "text", f"as of {s.today} ({s.timezone})", class_="muted", x=20, y=121)
    _calendar(svg, s.weeks[-CARD_WEEKS:], x=WIDTH - 20 - CARD_WEEKS * (CELL + GAP) + GAP, y=44)
    y = 146
    for c in rows:
        _el(svg, "text", fit(f"{c.repo}: {pr_progress(c)}"), class_="text", x=20, y=y)
        y += 18
    if facts.latest_run is not None:
        run = facts.latest_run
        _el(svg, "text", fit(f"Latest run {run.name}: {run.headline}"), class_="text", x=20, y=y)
    return ET.tostring(svg, encoding="unicode", xml_declaration=False) + "\n"


def _calendar(svg: ET.Element, weeks: list[list[Day | None]], x: int, y: int) -> None:
    group = _el(svg, "g", transform=f"translate({x},{y})")
    for w, week in enumerate(weeks):
        for d, day in enumerate(week):
            if day is None:
                continue
            cell = _el(
                group,
                "rect",
                class_=f"l{day.level}",
                x=w * (CELL + GAP),
                y=d * (CELL + GAP),
                width=CELL,
                height=CELL,
                rx=2,
            )
            _el(cell, "title", f"{day.date}: {day.count}")
