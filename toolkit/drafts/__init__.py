"""Drafts that cite: templates, rendering, PR facts, metrics, build logs and threads."""

from __future__ import annotations

from toolkit.drafts.pr import (
    PRInfo,
    Reviewer,
    parse_pr,
    pr_from_flags,
    pr_from_github,
)
from toolkit.drafts.render import (
    BUILTIN,
    NEEDS,
    RESERVED,
    SUFFIX,
    Citer,
    Rendered,
    TemplateInfo,
    environment,
    front_matter,
    list_templates,
    paper_context,
    post_path,
    publish,
    render,
    site_kind,
    slugify,
    write_post,
)

__all__ = [
    "Reviewer",
    "PRInfo",
    "parse_pr",
    "pr_from_flags",
    "pr_from_github",
    "SUFFIX",
    "BUILTIN",
    "NEEDS",
    "RESERVED",
    "TemplateInfo",
    "environment",
    "list_templates",
    "Citer",
    "slugify",
    "post_path",
    "front_matter",
    "Rendered",
    "render",
    "site_kind",
    "write_post",
    "publish",
    "paper_context",
]
