"""A workspace with a public face to build: a year of journal, published posts, recorded runs
with loss series, a reading list with figures and a contribution goal; plus what must never be
published (a draft, a post marked private, reading-list notes, journal text, a token in .bip/),
each carrying a marker string a test can grep the built site for.

Used by tests/test_site*.py and bench/site_build.py (a year, 50 posts, 20 runs).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

from toolkit.contrib import PullRequest, RepoProgress, save_merged_prs
from toolkit.literal import liquid_raw
from toolkit.runs.model import RunRecord
from toolkit.runs.store import write_run, write_series
from toolkit.state import Store

SECRETS = (
    "PRIVATE-NOTE-7f3a",  # a reading-list entry's notes
    "JOURNAL-TEXT-91bc",  # a journal day's notes
    "DRAFT-POST-55e1",  # a draft post
    "PRIVATE-POST-c0de",  # a post with `private: true`
    "ghp_SECRETTOKEN0123456789abcdef012345",  # a token left in .bip/
    "FIGURE-NOTE-a11e",  # a figure's notes
    "RUN-ARGV-3d3d",  # a run's command line
)
HOSTILE_TITLE = "<script>alert('owned')</script> & <b>bold</b>"
NOW = datetime(2026, 11, 23, 21, 30, tzinfo=timezone(timedelta(hours=8)))  # Asia/Shanghai
TZ = "Asia/Shanghai"

READING_LIST = """\
version: 1
figures:
  - id: karpathy
    name: Andrej Karpathy
    github: karpathy
    homepage: https://karpathy.ai
    notes: FIGURE-NOTE-a11e
  - id: tri-dao
    name: Tri Dao
    github: tridao
entries:
  - id: nanogpt
    kind: repo
    title: nanoGPT
    repo: karpathy/nanoGPT
    figures: [karpathy]
    status: reading
    started: 2026-01-01
    notes: PRIVATE-NOTE-7f3a
  - id: flash
    kind: paper
    title: "FlashAttention: Fast and Memory-Efficient Exact Attention"
    arxiv: '2205.14135'
    figures: [tri-dao]
    status: done
  - id: hostile
    kind: post
    title: "<script>alert('owned')</script> & <b>bold</b>"
    url: https://example.org/hostile
    status: todo
  - id: vllm
    kind: repo
    title: vLLM
    repo: vllm-project/vllm
    status: reading
    goal:
      merged_prs: 3
      by: 2027-03-31
"""


# A post written for Jekyll about Hugo: shortcode calls in its text (the site has no `note`).
SHORTCODE_TEXT = "Hugo example: {{% note %}}SHORTCODE-d00d{{% /note %}} and {{< figure src=x >}}"


# A post bip wrote for Jekyll: Liquid-like text inside raw blocks (toolkit.literal.liquid_raw).
RAW_SHOWN = "Liquid: {{ x }} and {% endraw %}"
RAW_TEXT = liquid_raw(RAW_SHOWN, "jekyll")


def make_public_workspace(
    root: Path, days: int = 30, posts: int = 3, runs: int = 2, steps: int = 200
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "bip.toml").write_text(f'timezone = "{TZ}"\n\n[github]\nlogin = "ada"\n')
    (root / "reading_list.yaml").write_text(READING_LIST)
    today = NOW.date()
    for n in range(days):
        day = today - timedelta(days=n)
        if n in (5, 40):  # missed days: the current streak is 5 days
            continue
        path = root / "journal" / f"{day:%Y}" / f"{day.isoformat()}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\ndate: {day.isoformat()}\nminutes: 60\n---\n\n# {day}\n\n"
            f"## Notes\n- JOURNAL-TEXT-91bc day {n}\n- tuned lr\n"
        )
    folder = root / "posts"
    folder.mkdir(exist_ok=True)
    for n in range(posts):
        day = today - timedelta(days=n)
        title = HOSTILE_TITLE if n == 0 else f"Post number {n}: what the loss said"
        slug = "hostile" if n == 0 else f"post-{n}"
        (folder / f"{day.isoformat()}-{slug}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {day.isoformat()}T09:00:00+08:00\ndraft: false\n'
            f"tags: [nanogpt]\n---\n\nBody of post {n}, citing [1].\n\n<script>alert(1)</script>\n"
            f"\n{SHORTCODE_TEXT if n == 1 else ''}\n\n{RAW_TEXT if n == 2 else ''}\n"
            f"\n## References\n\n1. Karpathy, nanoGPT.\n"
        )
    (folder / "2026-11-20-draft.md").write_text(
        "---\ntitle: A draft\ndate: 2026-11-20T09:00:00+08:00\ndraft: true\n---\n\nDRAFT-POST-55e1\n"
    )
    (folder / "2026-11-21-secret.md").write_text(
        "---\ntitle: Secret\ndate: 2026-11-21T09:00:00+08:00\ndraft: false\nprivate: true\n---\n\n"
        "PRIVATE-POST-c0de\n"
    )
    for n in range(runs):
        add_run(root, n, steps)
    state = root / ".bip"
    state.mkdir(exist_ok=True)
    (state / "token").write_text("ghp_SECRETTOKEN0123456789abcdef012345\n")
    store = Store(state / "state.sqlite")
    store.save_snapshots(
        NOW - timedelta(days=1),
        "ada",
        {"vllm-project/vllm": {"merged_prs": 2, "open_prs": 1, "closed_prs": 0, "issues": 0}},
    )
    vllm = RepoProgress("vllm-project/vllm", "vllm", merged_prs=2, open_prs=1)
    vllm.prs = [  # as `bip contrib status` fetched them: a hostile title from GitHub among them
        PullRequest(101, "Fix bf16 grad clipping on ROCm", "https://github.com/vllm-project/vllm/pull/101",
                    "merged", "2026-10-01T10:00:00Z", "2026-10-05T08:00:00Z"),
        PullRequest(202, HOSTILE_TITLE, "https://github.com/vllm-project/vllm/pull/202", "merged",
                    "2026-11-02T10:00:00Z", "2026-11-21T08:00:00Z"),
        PullRequest(303, "Still open", "https://github.com/vllm-project/vllm/pull/303", "open",
                    "2026-11-20T10:00:00Z"),
    ]  # fmt: skip
    save_merged_prs(store, "ada", NOW - timedelta(days=1), [vllm])
    store.close()
    return root


def add_run(root: Path, n: int, steps: int = 200) -> Path:
    started = NOW - timedelta(days=n, hours=3)
    name = HOSTILE_TITLE if n == 0 else f"gpt2-124m-{n}"
    folder = root / "runs" / f"{started.date().isoformat()}-run{n}"
    folder.mkdir(parents=True)
    rows = [
        {"step": float(s), "train_loss": 10.9 * math.exp(-s / 60) + 3.2 + 0.01 * n}
        | ({"val_loss": 10.9 * math.exp(-s / 60) + 3.3} if s % 50 == 0 else {})
        for s in range(steps)
    ]
    write_series(folder, rows, ["step", "train_loss", "val_loss"])
    write_run(
        folder,
        RunRecord.from_json(
            {
                "format": 1,
                "id": folder.name,
                "name": name,
                "command": ["python", "train.py", "--secret", "RUN-ARGV-3d3d"],
                "cwd": "/home/ada/RUN-ARGV-3d3d",
                "started": started.isoformat(timespec="seconds"),
                "finished": (started + timedelta(hours=1)).isoformat(timespec="seconds"),
                "wall_seconds": 3600.0,
                "exit_code": 0,
                "interrupted": False,
                "git": {
                    "root": "/home/ada/RUN-ARGV-3d3d",
                    "commit": "0123456789abcdef0123456789abcdef01234567",
                    "branch": "rocm-bf16",
                    "dirty": False,
                    "diffstat": "",
                    "upstream_url": "https://ada:RUN-ARGV-3d3d@github.com/karpathy/nanoGPT.git",
                },
                "hardware": {"gpus": [{"name": "AMD Instinct MI300X"}] * 8},
                "based_on": "nanogpt",
                "metrics": {
                    "final": {"train_loss": rows[-1]["train_loss"], "val_loss": 3.31},
                    "steady_state": {"tokens_per_sec": 178000.0},
                    "mfu": {
                        "value": 0.41,
                        "reference": "AMD Instinct MI300X",
                        "how": "from the log",
                    },
                    "series": "metrics.csv",
                    "steps": steps,
                    "tokens_per_step": 524288,
                },
            },
            folder.name,
        ),
    )
    return folder
