"""A post's front matter: YAML that the static site generator the post is written for reads.

What the post says about itself (title, date, tags, citation keys, draft or not) is a `PostMeta`;
`site_for` names the generator it is written for; `front_matter` writes the block.

The generator is `[drafts] generator = "hugo" | "jekyll" | "both"` in bip.toml (or
`BIP_GENERATOR`); unset, the posts folder tells (a Hugo site has `hugo.toml`, or `config.toml`
beside `content/`; a Jekyll site has `_config.yml`), else "both". Its draft switch: Hugo reads
`draft: true`; Jekyll reads `published: false`. Hugo reads `published` as a date and stops the
build on `false`, so "both" writes Hugo's `draft` only (Jekyll keeps drafts out by folder,
`_drafts/`, or by `published: false` once the generator is "jekyll").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit import yamledit
from toolkit.errors import BadInput
from toolkit.settings import CHOICES, Settings


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


GENERATORS = CHOICES["drafts.generator"]
HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml")
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")
# How far above the posts folder a site's config may sit: `_posts`, `content/posts/2026`.
LEVELS = 4


@dataclass(frozen=True)
class Site:
    generator: str  # "hugo" | "jekyll" | "both"
    root: Path | None  # the folder holding the site's config file, when one was found
    source: str  # where the generator came from: "detected", "default" or the setting's source


def _has(place: Path, names: tuple[str, ...]) -> bool:
    try:
        return any((place / name).is_file() for name in names)
    except OSError:  # a name too long, a folder you may not read: no site config there
        return False


def detect_site(folder: Path) -> tuple[str, Path] | None:
    """(`hugo` or `jekyll`, the site's folder) for the posts folder: the first config file found
    in it or up to 3 levels above. A Hugo `config.toml`/`config.yaml` counts only beside a
    `content/` folder (other tools use those names too)."""
    try:
        here = folder.resolve()
    except OSError:
        return None
    for place in [here, *here.parents][:LEVELS]:
        if _has(place, JEKYLL_CONFIGS):
            return "jekyll", place
        if _has(place, HUGO_CONFIGS[:3]) or (
            _has(place, HUGO_CONFIGS[3:]) and (place / "content").is_dir()
        ):
            return "hugo", place
    return None


def site_for(folder: Path, settings: Settings) -> Site:
    """The site a post in `folder` is written for, by the settings, else by the folder."""
    return resolve_site(folder, settings.generator, settings.sources.get("generator", "settings"))


def resolve_site(folder: Path, generator: str | None, source: str = "settings") -> Site:
    """The generator `[drafts] generator` names (checked), else the one the folder shows, else
    "both". The site's root is found either way, for where a Jekyll post's images go."""
    found = detect_site(folder)
    if generator is not None:
        choice = generator.strip().lower()
        if choice not in GENERATORS:
            raise BadInput(
                f"generator {generator!r} (from {source}) is not a site generator bip knows",
                hint='use "hugo", "jekyll" or "both"',
            )
        root = found[1] if found is not None and found[0] == choice else None
        return Site(choice, root, source)
    if found is not None:
        return Site(found[0], found[1], "detected")
    return Site("both", None, "default")


def draft_switches(generator: str, draft: bool = True) -> dict[str, bool]:
    """The front matter keys that make a post a draft (or public) for the generator."""
    if generator == "jekyll":
        return {"published": not draft}
    return {"draft": draft}


def front_matter(meta: PostMeta, generator: str = "both") -> str:
    """YAML front matter the generator reads; its draft switch keeps a draft a draft."""
    rest: dict[str, Any] = draft_switches(generator, meta.draft)
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
