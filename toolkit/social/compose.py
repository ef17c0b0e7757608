"""What a post says, from a published post (PATH), a recorded run (--run ID) or a thread file
(--thread FILE): the texts, and for a run its loss curve as a PNG with alt text."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import BadInput, BipError
from toolkit.social.networks import Image
from toolkit.social.thread import Limit, check_posts, split_text
from toolkit.workspace import Workspace

SEPARATOR = re.compile(r"^\s*---\s*$", re.M)


@dataclass
class Draft:
    """What will be sent: the posts in order, an image on the first one, where it came from."""

    source: str  # shown in messages and kept in the progress record
    posts: list[str]
    image: Image | None = None
    post_file: Path | None = None  # a blog post whose front matter gets the thread's URL


def markdown_text(body: str) -> str:
    """A Markdown body as the plain text of a thread: links as `text (url)`, no images, HTML,
    emphasis marks or heading hashes; code blocks left out (they read badly as posts)."""
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", body, flags=re.S | re.M)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1\s*>", "", text, flags=re.S | re.I)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"\1 (\2)", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>\n]+>", "", text)
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    text = re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)
    return text.strip()


def from_post(path: Path, limit: Limit) -> Draft:
    from toolkit.site.collect import is_published, split_front_matter

    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    meta, body = split_front_matter(raw, str(path))
    if not is_published(meta):
        raise BadInput(
            f"{path} is a draft (or marked private): bip posts published posts only",
            hint=f"publish it first: bip draft publish {path}",
        )
    title = str(meta.get("title") or path.stem)
    posts = split_text(f"{title}\n\n{markdown_text(body)}", limit)
    return Draft(str(path), posts, None, path)


def from_thread_file(path: Path, limit: Limit) -> Draft:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    parts = [p.strip() for p in SEPARATOR.split(raw) if p.strip()]
    if len(parts) > 1:  # the user's own cut: sent as written, or refused
        check_posts(parts, limit, str(path))
        return Draft(str(path), parts)
    posts = split_text(raw, limit)
    check_posts(posts, limit, str(path))
    return Draft(str(path), posts)


def from_run(ws: Workspace, ref: str, limit: Limit) -> Draft:
    from toolkit.runs.plot import loss_curve
    from toolkit.runs.store import resolve_run
    from toolkit.site.collect import load_model, run_facts

    run = resolve_run(ws.root / ws.settings.runs_dir, ref)
    facts = run_facts(run, load_model(ws, []))
    words = [f"{facts.name}: {facts.headline}."]
    if facts.hardware:
        words.append(f"On {facts.hardware}.")
    if facts.built_on:
        credit = f"Built on {facts.built_on.title}"
        if facts.built_on.figures:
            from toolkit.drafts.render import and_list

            credit += f" by {and_list(facts.built_on.figures)}"
        if facts.built_on.url:
            credit += f" {facts.built_on.url}"
        words.append(credit + ("" if credit.endswith(".") or facts.built_on.url else "."))
    posts = split_text(" ".join(words), limit)
    rows = run.series()
    image = None
    if rows:
        with tempfile.TemporaryDirectory() as tmp:
            png = Path(tmp) / "loss.png"
            try:
                loss_curve(rows, png, facts.name, facts.tokens_per_step)
            except BipError:
                png = None  # type: ignore[assignment]
            if png is not None:
                image = Image(png.read_bytes(), loss_alt(facts.name, rows), 1080, 630)
    return Draft(f"run {run.id}", posts, image)


def loss_alt(name: str, rows: list[dict[str, float]]) -> str:
    """Alt text that says what the curve shows, in numbers."""
    parts = [f"Loss curve of the training run {name}, loss against step."]
    for column, label in (("train_loss", "Train loss"), ("val_loss", "Validation loss")):
        values = [(r["step"], r[column]) for r in rows if column in r and "step" in r]
        if values:
            (s0, v0), (s1, v1) = values[0], values[-1]
            low = min(v for _, v in values)
            parts.append(
                f"{label} goes from {v0:.2f} at step {s0:.0f} to {v1:.2f} at step {s1:.0f} "
                f"(lowest {low:.2f})."
            )
    return " ".join(parts)[:1000]
