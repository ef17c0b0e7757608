"""The GitHub profile: an SVG card (card) and the README block that shows it (readme)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from toolkit.profile.card import CardFacts, render_card
from toolkit.profile.readme import END, START, ReadmeResult, splice_block, update_readme
from toolkit.workspace import Workspace

__all__ = [
    "CardFacts",
    "render_card",
    "START",
    "END",
    "ReadmeResult",
    "splice_block",
    "update_readme",
    "card_facts",
    "readme_block",
    "write_profile_readme",
]


def card_facts(ws: Workspace) -> CardFacts:
    """What the card shows, read as the site reads it (the same public facts)."""
    from toolkit.site.collect import collect
    from toolkit.state import Store

    ws.ensure_state_dir()
    store = Store(ws.paths.state_db)
    try:
        data = collect(ws, store, with_posts=False)
    finally:
        store.close()
    return CardFacts(
        name=data.owner.name,
        streak=data.streak,
        contributions=data.contributions,
        latest_run=data.runs[0] if data.runs else None,
        warnings=data.warnings,
    )


def readme_block(facts: CardFacts, card: str) -> str:
    """The Markdown that goes between the markers: the card, and its facts as text."""
    alt = f"{facts.name}: {facts.streak.current}-day streak"
    lines = [f'<img src="{_attr(card)}" alt="{_attr(alt)}">', ""]
    lines += [f"- {_markdown_text(line)}" for line in facts.summary()]
    return "\n".join(lines) + "\n"


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _markdown_text(text: str) -> str:
    """Text that GitHub's Markdown shows as typed: HTML and Markdown punctuation escaped."""
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]#|!":
        out = out.replace(ch, "\\" + ch)
    return out


def write_profile_readme(
    ws: Workspace, readme: Path, card: Path, say: Callable[[str], None] | None = None
) -> tuple[ReadmeResult, CardFacts]:
    """`bip profile readme`: write the card beside the README and update its bip block."""
    from toolkit.fileio import atomic_write_text, read_regular

    facts = card_facts(ws)
    target = card if card.is_absolute() else readme.parent / card
    try:
        shown = target.relative_to(readme.parent).as_posix()
    except ValueError:
        shown = target.as_posix()
    block = readme_block(facts, shown)
    splice_block(read_regular(readme), block, str(readme))  # no markers: nothing is written
    if say:
        say(f"writing {target}")
    atomic_write_text(target, render_card(facts))
    return update_readme(readme, block), facts
