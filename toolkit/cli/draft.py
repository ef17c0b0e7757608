"""`bip draft ...` and `bip cite`: posts that credit the work they build on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from toolkit import readinglist as rl
from toolkit.cli._context import JsonOpt, github_client, offline_env, workspace
from toolkit.cli.output import echo, print_json, table, warn


class DraftGroup(TyperGroup):
    """`bip draft TEMPLATE ...` is `bip draft new TEMPLATE ...`; `publish` and `templates` stay."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            ctx.meta[TEMPLATE_KEY] = args[0]  # for `bip draft TEMPLATE --help`
            args = ["new", *args]
        return super().parse_args(ctx, args)


TEMPLATE_KEY = "bip.draft.template"


class TemplateCommand(TyperCommand):
    """`bip draft TEMPLATE --help`: the usual help, then that template's own description and
    the variables it documents."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        super().format_help(ctx, formatter)
        name = ctx.meta.get(TEMPLATE_KEY)
        if name:
            formatter.write("\n" + template_help(ctx, name))


def template_help(ctx: Any, name: str) -> str:
    from toolkit.drafts import NEEDS, RESERVED, list_templates
    from toolkit.errors import BipError
    from toolkit.text import did_you_mean

    try:
        folder = workspace(ctx).paths.templates
    except BipError:  # no workspace here: the built-in templates still have help
        folder = None
    found = {t.name: t for t in list_templates(folder)}
    if name not in found:
        hint = did_you_mean(name, found) or "see `bip draft templates`"
        return f"No template {name!r} ({hint}).\n"
    info = found[name]
    out = [f"Template {name} ({info.source}): {info.description or 'no description'}"]
    if name in NEEDS and info.source == "built-in":
        out.append(f"  needs: {NEEDS[name][1]}")
    own = {v: info.documented.get(v, "") for v in info.variables if v not in RESERVED}
    own.update(info.documented)
    out.append("")
    out.append("Any --var NAME=VALUE is {{ NAME }} in the template.")
    if own:
        out.append("Variables:")
        width = max(len(k) for k in own)
        out += [f"  {k.ljust(width)}  {v}".rstrip() for k, v in sorted(own.items())]
    return "\n".join(out) + "\n"


app = typer.Typer(
    cls=DraftGroup,
    help="Write a post from a template: bip draft TEMPLATE --title T [--cite ID]... "
    "(templates: bip draft templates).",
    no_args_is_help=True,
)


def _vars(pairs: list[str]) -> dict[str, str]:
    from toolkit.drafts import RESERVED
    from toolkit.errors import BadInput

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BadInput(f"--var {pair!r} is not key=value", hint='e.g. --var text="my thread"')
        if key in RESERVED:
            raise BadInput(
                f"--var {key}: `{key}` is set by bip in every template",
                hint="use another name, or the option for it (--title, --cite, --pr, ...)",
            )
        if not key.isidentifier():
            raise BadInput(
                f"--var {key}: a name is letters, digits and _ (to be {{{{ NAME }}}})",
                hint="e.g. --var pr_title=...",
            )
        out[key] = value
    return out


@app.command("new", hidden=True, cls=TemplateCommand)
def new(
    ctx: typer.Context,
    template: Annotated[str, typer.Argument(help="Template name (see `bip draft templates`).")],
    title: Annotated[
        str | None, typer.Option("--title", help="The post's title (with --run: the run's name).")
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

    Example: bip draft training-run --run 2026-11-23-gpt2-124m --baseline upstream.json
    """
    from toolkit.drafts import (
        NEEDS,
        Citer,
        environment,
        paper_context,
        post_path,
        render,
        site_kind,
        write_post,
    )
    from toolkit.errors import BadInput

    ws = workspace(ctx)
    model = rl.load_reading_list(ws.paths.reading_list).model
    variables = _vars(var or [])
    entries = [model.entry(i) for i in cite or []]
    context: dict[str, Any] = {"vars": variables, "entries": entries}
    if metrics is not None:
        from toolkit.drafts.metrics import load_metrics

        context["metrics"] = load_metrics(metrics)
    recorded = None
    if run is not None or baseline is not None:
        from toolkit.drafts.trainingrun import training_context

        recorded = training_context(
            ws.root / ws.settings.runs_dir, ws.settings.gpu_hour_usd, run, baseline, context, stdout
        )
        if recorded is not None:
            based_on = based_on or _known(model, recorded.data.get("based_on"))
            title = title or _run_title(recorded, context)
    if title is None:
        raise BadInput("--title is required", hint='e.g. --title "GPT-2 124M on one MI300X"')
    if based_on:
        context["based_on"] = model.entry(based_on)
        if context["based_on"] not in entries:
            entries.insert(0, context["based_on"])
    if repo is not None:
        if not based_on:
            raise BadInput("--repo needs --based-on ENTRY (the upstream work)")
        from toolkit.drafts.buildlog import build_log

        context["build"] = build_log(repo, context["based_on"], upstream)
    if context.get("based_on") is not None and context.get("run") is not None:
        context["base_commit"] = context["run"].base_commit or context["based_on"].commit
    papers = [e for e in entries if e.kind == "paper"]
    if papers:
        context["paper"] = papers[0]
        context["related"] = paper_context(model, papers[0])
    if pr:
        context["pr"], context["project"] = _pr(ws, model, pr, variables, offline)
    if template in NEEDS and context.get(NEEDS[template][0]) is None:
        raise BadInput(f"the {template} template needs {NEEDS[template][1]}")
    from toolkit.readinglist.sync import citation_files

    cff = citation_files(ws, entries)
    now = ws.now()
    folder = out or (ws.root / ws.settings.posts_dir)
    rendered = render(
        environment(ws.paths.templates),
        template,
        title,
        now,
        Citer(model, cff),
        context,
        site_kind(folder),
    )
    if stdout and not as_json:
        echo(rendered.text, nl=False)
        return
    if stdout:
        print_json({"posts": rendered.posts, "path": None, "cited": rendered.cited})
        return
    path = post_path(folder, now, title)
    if recorded is not None and context.get("figure") is not None:
        from toolkit.drafts.trainingrun import write_with_figure

        path = write_with_figure(path, rendered.text, recorded, context, force)
    else:
        write_post(path, rendered.text, force)
    if rendered.keys:
        pinned = rl.edit_reading_list(
            ws.paths.reading_list,
            rl.plan_pin_keys(rendered.keys),
            lock=rl.lock_path_for(ws.paths.reading_list),
        )
    else:
        pinned = []
    if as_json:
        print_json(
            {
                "posts": rendered.posts,
                "path": path,
                "cited": rendered.cited,
                "pinned": {i: rendered.keys[i] for i in pinned},
            }
        )
        return
    if pinned:
        echo(f"pinned citation keys: {', '.join(rendered.keys[i] for i in pinned)}")
    echo(f"wrote {path}")


def _known(model: Any, entry_id: Any) -> str | None:
    """The run's based-on entry, if the reading list still has it."""
    if not entry_id or not any(e.id == entry_id for e in model.entries):
        if entry_id:
            warn(f"the run is based on {entry_id!r}, which the reading list no longer has")
        return None
    return str(entry_id)


def _run_title(recorded: Any, context: dict[str, Any]) -> str:
    facts = context["run"]
    return f"{recorded.name} on {facts.gpu_summary}" if facts.gpu_summary else recorded.name


def _pr(
    ws: Any, model: Any, text: str, variables: dict[str, str], offline: bool
) -> tuple[Any, Any]:
    from toolkit.drafts import parse_pr, pr_from_flags, pr_from_github
    from toolkit.errors import BipError

    repo_name, number = parse_pr(text)
    project = next(
        (e for e in model.entries if e.repo and e.repo.lower() == repo_name.lower()), None
    )
    if not (offline or offline_env()):
        try:
            return pr_from_github(
                github_client(ws, None, False, max_wait=10), repo_name, number, model
            ), project
        except BipError as exc:
            warn(f"PR details not fetched ({exc.message}); using --var pr_title/reviewers")
    return pr_from_flags(repo_name, number, variables, model), project


@app.command()
def publish(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The post to publish.")],
    as_json: JsonOpt = False,
) -> None:
    """Make a draft public (Hugo's `draft`, Jekyll's `published`) with today's date.

    Example: bip draft publish posts/2026-11-23-gpt-2-124m-on-one-mi300x.md
    """
    from toolkit.drafts import publish as do_publish

    ws = workspace(ctx)
    now = ws.now()
    done = do_publish(file, now)
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
    builtin_vars = {"cite", "references", "thread", "chinese", "title", "date"}
    rows = [
        [
            t.name,
            t.source,
            t.description,
            ", ".join(v for v in t.variables if v not in builtin_vars),
        ]
        for t in found
    ]
    table(["template", "from", "what", "uses"], rows)
