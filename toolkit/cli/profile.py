"""`bip profile card|readme`: an SVG card for your GitHub profile, and the README block."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.context import JsonOpt, workspace
from toolkit.cli.output import echo, print_json, warn

app = typer.Typer(
    help="Your GitHub profile: bip profile card, bip profile readme.", no_args_is_help=True
)


@app.command("card")
def card(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the SVG to FILE (default: print it).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make an SVG card: streak and calendar in your time zone, merged PRs, latest run.

    Readable in GitHub's light and dark themes.
    Example: bip profile card --out card.svg
    """
    from toolkit.fileio import atomic_write_text
    from toolkit.profile import card_facts, render_card

    facts = card_facts(workspace(ctx))
    for problem in facts.warnings:
        warn(problem)
    svg = render_card(facts)
    if out is not None:
        atomic_write_text(out, svg)
    if as_json:
        print_json({"card": str(out) if out else None, "summary": facts.summary()})
    elif out is None:
        typer.echo(svg, nl=False)
    else:
        echo(f"wrote {out}")
        for line in facts.summary():
            echo(f"  {line}")


@app.command("readme")
def readme(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The profile README to update (default: README.md here).")
    ] = Path("README.md"),
    card_path: Annotated[
        Path,
        typer.Option("--card", help="Where to write the card, relative to the README."),
    ] = Path("bip-card.svg"),
    as_json: JsonOpt = False,
) -> None:
    """Update the block between <!-- bip:profile:start --> and <!-- bip:profile:end -->.

    Writes the card beside the README and puts it, with its facts as text, between the
    markers; the rest of the file keeps every byte.
    Example: bip profile readme ~/src/you/README.md
    """
    from toolkit.profile import write_profile_readme

    result, facts = write_profile_readme(workspace(ctx), file, card_path)
    for problem in facts.warnings:
        warn(problem)
    if as_json:
        print_json({"readme": str(result.path), "changed": result.changed, "block": result.block})
        return
    echo(f"{'updated' if result.changed else 'unchanged'}: {result.path}")
