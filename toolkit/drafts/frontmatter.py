"""A post's front matter: YAML that the static site generator the posts folder belongs to reads.

What the post says about itself (title, date, tags, citation keys, draft or not) is a `PostMeta`;
`site_for` names the generator it is written for; `front_matter` writes the block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.settings import Settings

HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml")
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")


@dataclass
class PostMeta:
    """What a post's front matter says."""

    title: str
    date: datetime
    tags: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)  # citation keys, in citation order
    draft: bool = True


def yaml_string(value: str) -> Any:
    """A string that stays a string for every YAML reader: `yes`, `No`, `on`, `null`, `2026`,
    `1e3`, `2026-11-23` are booleans, nulls, numbers or dates to YAML 1.1 (Hugo, Jekyll) or
    1.2, so those are double-quoted."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    for version in ((1, 1), (1, 2)):
        tag = VersionedResolver(version=version).resolve(ScalarNode, value, (True, False))
        if str(tag) != "tag:yaml.org,2002:str":
            return DoubleQuotedScalarString(value)
    return value


def site_kind(folder: Path) -> str | None:
    """`hugo` or `jekyll`: the static site the posts folder belongs to (its config file in the
    folder or up to 3 levels above: `content/posts/2026`, `_posts`), or None."""

    def has(place: Path, names: tuple[str, ...]) -> bool:
        try:
            return any((place / name).is_file() for name in names)
        except OSError:  # a name too long, a folder you may not read: no site config there
            return False

    for place in [folder.resolve(), *folder.resolve().parents][:4]:
        if has(place, JEKYLL_CONFIGS):
            return "jekyll"
        if has(place, HUGO_CONFIGS):
            return "hugo"
    return None


def site_for(folder: Path, settings: Settings) -> str | None:
    """The generator a post in `folder` is written for (None: unknown, write for both)."""
    del settings  # the workspace's choice, once bip.toml can state one
    return site_kind(folder)


def front_matter(meta: PostMeta, site: str | None = None) -> str:
    """YAML front matter that keeps a draft a draft: `draft` for Hugo, `published` for Jekyll.
    Both when the site is unknown; never `published` in a Hugo site, which reads it as a date
    and stops the build."""
    rest: dict[str, Any] = {"draft": meta.draft}
    if site != "hugo":
        rest["published"] = not meta.draft
    if meta.tags:
        rest["tags"] = [yaml_string(str(t)) for t in meta.tags]
    if meta.citations:
        rest["citations"] = [yaml_string(k) for k in meta.citations]
    # The date as a bare ISO 8601 timestamp: what Hugo and Jekyll both parse as a date.
    lines = [
        *yamledit.render_block({"title": yaml_string(meta.title)}),
        f"date: {meta.date.isoformat(timespec='seconds')}",
        *yamledit.render_block(rest),
    ]
    return "---\n" + "\n".join(lines) + "\n---\n"
