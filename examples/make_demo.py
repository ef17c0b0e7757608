"""Build the example workspace: `python examples/make_demo.py DIR`.

Copies examples/demo/ to DIR (replacing a previous demo there) and adds what cannot be
committed or must be dated relative to today: two git repos with your commits from the last
day among older upstream ones, nine days of past journal, and a contributor snapshot.
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import git

HERE = Path(__file__).resolve().parent
ME = git.Actor("You", "you@example.com")
UPSTREAM = git.Actor("Upstream Dev", "upstream@example.org")


def commit(
    repo: git.Repo, who: git.Actor, when: datetime, subject: str, name: str, lines: int
) -> None:
    path = Path(repo.working_tree_dir or ".") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write("".join(f"# {subject} {i}\n" for i in range(lines)))
    repo.index.add([name])
    stamp = f"{int(when.timestamp())} +0000"
    repo.index.commit(subject, author=who, committer=who, author_date=stamp, commit_date=stamp)


def build(target: Path) -> None:
    if (target / ".bip-demo").exists():
        shutil.rmtree(target)
    elif target.exists() and any(target.iterdir()):
        raise SystemExit(f"{target} exists and is not a demo workspace; choose another folder")
    shutil.copytree(HERE / "demo", target)
    (target / ".bip-demo").write_text("made by examples/make_demo.py\n")
    now = datetime.now(timezone.utc)

    nano = git.Repo.init(target / ".repos" / "nanogpt-rocm")
    commit(nano, UPSTREAM, now - timedelta(days=400), "initial nanoGPT", "model.py", 300)
    commit(
        nano, UPSTREAM, now - timedelta(days=90), "flash attention when available", "model.py", 20
    )
    nano.git.checkout("-b", "rocm-bf16")
    commit(nano, ME, now - timedelta(hours=20), "train.py: bf16 autocast on ROCm", "train.py", 14)
    commit(
        nano, ME, now - timedelta(hours=6), "bench: 124M tokens/s on MI300X", "bench/mi300x.md", 31
    )
    commit(nano, ME, now - timedelta(hours=2), "fix: grad clipping under bf16", "train.py", 3)

    vllm = git.Repo.init(target / ".repos" / "vllm")
    commit(vllm, UPSTREAM, now - timedelta(days=30), "upstream work", "vllm/core.py", 50)
    commit(
        vllm, ME, now - timedelta(hours=4), "docs: clarify ROCm install steps", "docs/rocm.md", 8
    )

    sys.path.insert(0, str(HERE.parent))
    from toolkit.state import Store

    (target / ".bip").mkdir(exist_ok=True)
    store = Store(target / ".bip" / "state.sqlite")
    store.save_snapshots(
        now - timedelta(days=1),
        "you",
        {
            "vllm-project/vllm": {
                "merged_prs": 1,
                "open_prs": 1,
                "closed_prs": 0,
                "issues": 2,
                "commits": 1,
                "rank": None,
                "contributors": None,
            }
        },
    )
    store.close()

    notes = [
        "read model.py end to end",
        "profiled the attention kernel",
        "wrote up the ROCm setup",
        "first full 124M run",
        "compared bf16 and fp32 loss curves",
        "read the FlashAttention paper",
        "opened a docs PR on vLLM",
        "answered review comments",
        "tuned the learning-rate schedule",
    ]
    for n, note in enumerate(notes, start=1):
        day = (now - timedelta(days=n)).date()
        if n == 5:
            continue  # one missed day: the longest streak and the current one differ
        path = target / "journal" / f"{day:%Y}" / f"{day.isoformat()}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\ndate: {day.isoformat()}\ntags: [nanogpt]\nminutes: {30 + 10 * n}\n---\n\n"
            f"# {day.isoformat()}\n\n## Notes\n- {note}\n"
        )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python examples/make_demo.py DIR")
    build(Path(sys.argv[1]))
    print(f"example workspace ready: {sys.argv[1]}")
