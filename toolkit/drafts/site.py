"""The static site generator a post is written for, and what that generator reads.

`[drafts] generator = "hugo" | "jekyll" | "both"` in bip.toml says it; unset, the posts folder
tells (a Hugo site has `hugo.toml` or `config.toml` beside `content/`, a Jekyll site has
`_config.yml`), else "both". From it follow:

- the draft switch: Hugo reads `draft: true`; Jekyll reads `published: false` (Hugo reads
  `published` as a date and stops the build, so "both" writes Hugo's `draft` only: Jekyll keeps
  drafts out of the site by folder, `_drafts/`);
- where a post's image goes: a Hugo page bundle (`YYYY-MM-DD-slug/index.md`, the image beside it,
  linked relatively) for Hugo and "both"; for Jekyll, a post `_posts/YYYY-MM-DD-slug.md` and its
  image under the site's `assets/posts/YYYY-MM-DD-slug/`, linked through Jekyll's `relative_url`
  filter so a `baseurl` is honoured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import BadInput
from toolkit.settings import CHOICES

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


@dataclass(frozen=True)
class Placement:
    post: Path  # the Markdown file
    image: Path  # where the image file goes
    src: str  # what the post writes in `![alt](src)`


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


def place_with_image(site: Site, post: Path, image_name: str) -> Placement:
    """Where a post with one image is written, and how the post links the image.
    `post` is the `YYYY-MM-DD-slug.md` path in the posts folder."""
    if site.generator != "jekyll":
        bundle = post.with_suffix("")
        return Placement(bundle / "index.md", bundle / image_name, image_name)
    # Jekyll serves what sits outside `_`-folders as it is: the image goes under the site's
    # assets/ (the posts folder's parent when no _config.yml was found: `_posts` sits in the root).
    root = site.root or post.parent.parent
    folder = root / "assets" / "posts" / post.stem
    url = "/" + (folder / image_name).relative_to(root).as_posix()
    return Placement(post, folder / image_name, "{{ '" + url + "' | relative_url }}")
