"""The X thread splitter: never a post over the limit, nothing lost, numbering right."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.drafts.thread import split_thread, weighted_length

WORDS = st.sampled_from(
    [
        "MI300X",
        "bf16",
        "loss",
        "3.28",
        "tokens/s",
        "nanoGPT",
        "FlashAttention",
        "supercalifragilisticexpialidocious" * 3,
        "注意力机制",
        "复现",
        "训练",
        "。",
        "https://github.com/karpathy/nanoGPT/blob/master/train.py?plain=1#L100-L200",
        "https://x.co/a",
        "🚀",
        "done.",
        "really?",
        "Yes!",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=300).map(" ".join)


def test_x_counting_rules():
    assert weighted_length("a" * 280) == 280
    assert weighted_length("注" * 140) == 280
    assert weighted_length("see https://example.org/" + "x" * 200) == 4 + 23


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_no_post_is_ever_over_the_limit_and_no_word_is_lost(text):
    posts = split_thread(text)
    assert posts
    assert all(weighted_length(p) <= 280 for p in posts)
    bodies = [re.sub(r" \d+/\d+$", "", p) for p in posts] if len(posts) > 1 else posts
    assert "".join("".join(bodies).split()) == "".join(text.split())
    if len(posts) > 1:
        assert [p.rsplit(" ", 1)[1] for p in posts] == [
            f"{n}/{len(posts)}" for n in range(1, len(posts) + 1)
        ]


def test_short_text_is_one_unnumbered_post():
    assert split_thread("Trained GPT-2 124M on one MI300X.") == [
        "Trained GPT-2 124M on one MI300X."
    ]


def test_sentences_stay_whole_when_they_fit():
    text = " ".join(f"Sentence number {n} says something about the run." for n in range(12))
    posts = split_thread(text)
    for post in posts:
        body = re.sub(r" \d+/\d+$", "", post)
        assert body.endswith(".")
