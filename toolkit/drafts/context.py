"""What a draft is asked for (`DraftRequest`) and what its template reads (`DraftContext`).

One function, `build_context`, turns the request into the context. The context has parts
owned by their own modules: the training run (`drafts.trainingrun.TrainingRun`: `metrics`,
`run`, `figure`, `comparison`) and the site the front matter is written for
(`drafts.frontmatter.site_for`); each grows without touching the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.drafts.buildlog import BuildLog
from toolkit.drafts.frontmatter import Site
from toolkit.drafts.pr import PRInfo
from toolkit.drafts.templates import NEEDS, RESERVED
from toolkit.drafts.trainingrun import TrainingRequest, TrainingRun
from toolkit.errors import BadInput, BipError
from toolkit.readinglist import Entry, ReadingList

if TYPE_CHECKING:
    from toolkit.github import GitHubClient
    from toolkit.workspace import Workspace


@dataclass
class DraftRequest:
    """Everything `bip draft TEMPLATE ...` was given."""

    template: str
    title: str | None = None
    cite: list[str] = field(default_factory=list)  # entry ids
    based_on: str | None = None  # entry id of the work built on
    repo: Path | None = None  # the user's clone, for build-log
    upstream: str | None = None  # the upstream commit or ref the work starts from
    pr: str | None = None  # owner/name#N
    variables: dict[str, str] = field(default_factory=dict)  # --var NAME=VALUE
    training: TrainingRequest = field(default_factory=TrainingRequest)
    out: Path | None = None  # the posts folder (default: [drafts] posts_dir)
    preview: bool = False  # render only: nothing written, no figure drawn
    force: bool = False  # replace a post of the same name


@dataclass
class DraftContext:
    """What the template reads, by name (see `template_values`), and where the post goes."""

    title: str
    date: datetime
    folder: Path  # the posts folder
    site: Site  # the generator the front matter is written for, and the site's folder
    vars: dict[str, str]
    entries: list[Entry]  # cited, in order (the based-on entry first)
    based_on: Entry | None = None
    build: BuildLog | None = None
    paper: Entry | None = None
    related: list[Entry] = field(default_factory=list)  # entries by the paper's figures
    pr: PRInfo | None = None
    project: Entry | None = None  # the reading-list entry of the PR's repository
    training: TrainingRun = field(default_factory=TrainingRun)
    warnings: list[str] = field(default_factory=list)  # for the person, not the post

    @property
    def base_commit(self) -> str | None:
        """The upstream commit the work starts from: the run's merge base, else the pin."""
        if self.based_on is None or self.training.run is None:
            return None
        return self.training.run.base_commit or self.based_on.commit

    def template_values(self) -> dict[str, Any]:
        """The names templates use; `--var` values first, so bip's own names win."""
        return {
            **{k: v for k, v in self.vars.items() if k not in RESERVED},
            "title": self.title,
            "date": self.date,
            "vars": self.vars,
            "entries": self.entries,
            "based_on": self.based_on,
            "build": self.build,
            "paper": self.paper,
            "related": self.related,
            "pr": self.pr,
            "project": self.project,
            "base_commit": self.base_commit,
            **self.training.template_values(),
        }


def parse_vars(pairs: list[str]) -> dict[str, str]:
    """`--var NAME=VALUE` pairs; a name bip sets itself is refused."""
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


# Makes the GitHub client PR details come from, when they are asked for.
GitHubFactory = Callable[[], "GitHubClient"]


def build_context(
    ws: Workspace, model: ReadingList, request: DraftRequest, github: GitHubFactory | None = None
) -> DraftContext:
    """The draft's context from its request: entries, run, build log, PR... all checked.
    Without `github`, PR details come from `--var` only (offline)."""
    from toolkit.drafts.frontmatter import site_for
    from toolkit.drafts.trainingrun import training_context

    entries = [model.entry(i) for i in request.cite]
    training = training_context(
        request.training,
        ws.root / ws.settings.runs_dir,
        ws.settings.gpu_hour_usd,
        no_figure=request.preview,
    )
    warnings: list[str] = []
    based_on_id = request.based_on or _known(model, training.based_on, warnings)
    title = request.title or training.title() or request.title
    if title is None:
        raise BadInput("--title is required", hint='e.g. --title "GPT-2 124M on one MI300X"')
    if not title.strip():
        raise BadInput("the title is empty", hint='e.g. --title "GPT-2 124M on one MI300X"')
    folder = request.out or (ws.root / ws.settings.posts_dir)
    context = DraftContext(
        title=" ".join(title.split()),  # one line: a title is not a paragraph
        date=ws.now(),
        folder=folder,
        site=site_for(folder, ws.settings),
        vars=request.variables,
        entries=entries,
        training=training,
        warnings=warnings,
    )
    if based_on_id:
        context.based_on = model.entry(based_on_id)
        if context.based_on not in entries:
            entries.insert(0, context.based_on)
    if request.repo is not None:
        if context.based_on is None:
            raise BadInput("--repo needs --based-on ENTRY (the upstream work)")
        from toolkit.drafts.buildlog import build_log

        context.build = build_log(request.repo, context.based_on, request.upstream)
    papers = [e for e in entries if e.kind == "paper"]
    if papers:
        context.paper = papers[0]
        context.related = paper_context(model, papers[0])
    if request.pr:
        context.pr, context.project = _pr(model, request, github, warnings)
    need = NEEDS.get(request.template)
    if need is not None and context.template_values()[need[0]] is None:
        raise BadInput(f"the {request.template} template needs {need[1]}")
    return context


def paper_context(model: ReadingList, paper: Entry) -> list[Entry]:
    """Other entries by the same figures: what a paper relates to in your own list."""
    return [e for e in model.entries if e.id != paper.id and set(e.figures) & set(paper.figures)]


def _known(model: ReadingList, entry_id: str | None, warnings: list[str]) -> str | None:
    """The run's based-on entry, if the reading list still has it."""
    if entry_id and not any(e.id == entry_id for e in model.entries):
        warnings.append(f"the run is based on {entry_id!r}, which the reading list no longer has")
        return None
    return entry_id


def _pr(
    model: ReadingList, request: DraftRequest, github: GitHubFactory | None, warnings: list[str]
) -> tuple[PRInfo, Entry | None]:
    from toolkit.drafts.pr import parse_pr, pr_from_flags, pr_from_github

    repo_name, number = parse_pr(request.pr or "")
    project = next(
        (e for e in model.entries if e.repo and e.repo.lower() == repo_name.lower()), None
    )
    if github is not None:
        try:
            return pr_from_github(github(), repo_name, number, model), project
        except BipError as exc:
            warnings.append(
                f"PR details not fetched ({exc.message}); using --var pr_title/reviewers"
            )
    return pr_from_flags(repo_name, number, request.variables, model), project
