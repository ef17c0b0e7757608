"""`bip draft ...` and `bip cite`: posts that credit the work they build on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from toolkit.cli.context import JsonOpt, github_client, offline_env, workspace
from toolkit.cli.output import echo, print_json, table, warn


class DraftGroup(TyperGroup):
    """`bip draft TEMPLATE ...` is `bip draft new TEMPLATE ...`; `publish` and `templates` stay."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.list_commands(ctx):
            ctx.meta[TEMPLATE_KEY] = args[0]  # for `bip draft TEMPLATE --help`
            args = ["new", *args]
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The hidden `new` runs under the template's name, so its usage line and its errors
        say `bip draft thread`, as typed."""
        name, command, rest = super().resolve_command(ctx, args)
        if name == "new" and TEMPLATE_KEY in ctx.meta:
            name = ctx.meta[TEMPLATE_KEY]
        return name, command, rest


TEMPLATE_KEY = "bip.draft.template"
TITLE_FROM_RUN = " (with --run: the run's name)"


class TemplateCommand(TyperCommand):
    """`bip draft TEMPLATE --help`: that template's own example and the options that reach it,
    then its description and the variables it documents."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        super().format_help(ctx, formatter)
        if TEMPLATE_KEY in ctx.meta:
            formatter.write("\n" + template_help(ctx)[1])

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        """`Usage: bip draft thread [OPTIONS]`, as typed: not the hidden `new TEMPLATE`."""
        if TEMPLATE_KEY not in ctx.meta:
            super().format_usage(ctx, formatter)
            return
        pieces = [p for p in self.collect_usage_pieces(ctx) if p != "TEMPLATE"]
        formatter.write_usage(ctx.command_path, " ".join(pieces))

    def format_help_text(self, ctx: Any, formatter: Any) -> None:
        info = template_help(ctx)[0] if TEMPLATE_KEY in ctx.meta else None
        if info is None:
            super().format_help_text(ctx, formatter)
            return
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(
                f"Write a post from the {info.name} template into the posts folder as "
                f"YYYY-MM-DD-slug.md.\n\n\b\nExample: {info.example}"
            )

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The options this template reads (and --help); no TEMPLATE argument: it was typed."""
        info = template_help(ctx)[0] if TEMPLATE_KEY in ctx.meta else None
        if info is None:
            super().format_options(ctx, formatter)
            return
        shown = {*info.options, "--help"}
        rows = [
            p.get_help_record(ctx)
            for p in self.get_params(ctx)
            if p.param_type_name == "option" and shown & set(p.opts)
        ]
        if "--run" not in shown:  # the title's default from a run does not apply
            rows = [(r[0], r[1].replace(TITLE_FROM_RUN, "")) for r in rows if r is not None]
        with formatter.section("Options"):
            formatter.write_dl([row for row in rows if row is not None])


def template_help(ctx: Any) -> tuple[Any, str]:
    """The typed template (None if there is none) and its help after the options: asked once."""
    from toolkit.drafts import template_help as describe
    from toolkit.errors import BipError

    key = TEMPLATE_KEY + ".help"
    if key not in ctx.meta:
        try:
            folder = workspace(ctx).paths.templates
        except BipError:  # no workspace here: the built-in templates still have help
            folder = None
        ctx.meta[key] = describe(folder, ctx.meta[TEMPLATE_KEY])
    found: tuple[Any, str] = ctx.meta[key]
    return found


app = typer.Typer(
    cls=DraftGroup,
    help="Write a post from a template: bip draft TEMPLATE --title T [--cite ID]... "
    "(templates: bip draft templates).",
    no_args_is_help=True,
)


@app.command("new", hidden=True, cls=TemplateCommand)
def new(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(help="Template name (see `bip draft templates`).")],
    title: Annotated[
        str | None, typer.Option("--title", help=f"The post's title{TITLE_FROM_RUN}.")
    ] = None,
    cite: Annotated[
        list[str] | None, typer.Option("--cite", help="Entry id to cite (repeatable).")
    ] = None,
    based_on: Annotated[
        str | None, typer.Option("--based-on", help="Entry id of the work you built on.")
    ] = None,
    repo: Annotated[
        Path | None, typer.Option("--repo", help="Your local repo (for build-log).")
    ] = None,
    upstream: Annotated[
        str | None, typer.Option("--upstream", help="Upstream commit or ref your work starts from.")
    ] = None,
    metrics: Annotated[
        Path | None, typer.Option("--metrics", help="Metrics file: JSON, YAML or CSV.")
    ] = None,
    run: Annotated[
        str | None,
        typer.Option("--run", metavar="RUN_ID|PATH", help="A run recorded by `bip run`."),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", metavar="RUN|FILE", help="Compare with a run or metrics file."),
    ] = None,
    pr: Annotated[str | None, typer.Option("--pr", help="Your pull request: owner/name#N.")] = None,
    var: Annotated[
        list[str] | None, typer.Option("--var", help="Template variable key=value (repeatable).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the post (default: [drafts] posts_dir)."),
    ] = None,
    stdout: Annotated[
        bool, typer.Option("--stdout", help="Print the post instead of writing it.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing post of the same name.")
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not ask GitHub (PR details from --var).")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help='Print what was written as JSON (a thread: {"posts": [...]}).'),
    ] = False,
) -> None:
    """Write a post from TEMPLATE into the posts folder as YYYY-MM-DD-slug.md.

    Example: bip draft training-run --run gpt2-124m --baseline upstream.json
    """
    from toolkit.drafts import DraftRequest, TrainingRequest, make_draft, parse_vars

    ws = workspace(ctx)
    request = DraftRequest(
        template=template,
        title=title,
        cite=cite or [],
        based_on=based_on,
        repo=repo,
        upstream=upstream,
        pr=pr,
        variables=parse_vars(var or []),
        training=TrainingRequest(run=run, baseline=baseline, metrics=metrics),
        out=out,
        preview=stdout,
        force=force,
    )
    online = not (offline or offline_env())
    done = make_draft(
        ws, request, (lambda: github_client(ws, None, False, max_wait=10)) if online else None
    )
    for warning in done.warnings:
        warn(warning)
    if stdout and not as_json:
        echo(done.text, nl=False)
    elif as_json:
        shown: dict[str, Any] = {"posts": done.posts, "path": done.path, "cited": done.cited}
        if not stdout:
            shown["pinned"] = done.pinned
        print_json(shown)
    else:
        if done.pinned:
            echo(f"pinned citation keys: {', '.join(done.pinned.values())}")
        echo(f"wrote {done.path}")


@app.command()
def publish(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The post to publish: its .md file, or its page bundle's folder.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Make a draft public (Hugo's `draft`, Jekyll's `published`) with today's date and name.

    Example: bip draft publish posts/2026-11-23-gpt-2-124m-on-one-mi300x.md
    """
    from toolkit.drafts import publish as do_publish

    ws = workspace(ctx)
    now = ws.now()
    done = do_publish(file, now, ws.settings)
    if as_json:
        changed: dict[str, Any] = {"published": done.path, "date": done.date}
        if done.republished:
            changed["lastmod"] = now.isoformat(timespec="seconds")
        if done.renamed_from:
            changed["renamed_from"] = done.renamed_from
        if done.placeholders:
            changed["placeholders"] = done.placeholders
        print_json(changed)
        return
    if done.renamed_from:
        echo(f"published {done.path} (renamed from {done.renamed_from.name}: the date is today)")
    elif done.republished:
        echo(f"published {done.path} again (lastmod set; the date stays)")
    else:
        echo(f"published {done.path}")
    if done.placeholders:
        shown = "; ".join(done.placeholders[:3])
        more = f" and {len(done.placeholders) - 3} more" if len(done.placeholders) > 3 else ""
        warn(f"{len(done.placeholders)} unfilled placeholders in {done.path.name}: {shown}{more}")


@app.command()
def templates(
    ctx: typer.Context,
    as_json: JsonOpt = False,
) -> None:
    """List the templates (workspace ones first) and the variables each one uses.

    Example: bip draft templates
    """
    from toolkit.drafts import list_templates

    ws = workspace(ctx)
    found = list_templates(ws.paths.templates)
    if as_json:
        print_json(found)
        return
    rows = [
        [t.name, t.source, f"broken: {t.error}" if t.error else t.description, ", ".join(t.uses)]
        for t in found
    ]
    table(["template", "from", "what", "uses"], rows)
