"""Posting to Bluesky and Mastodon: threads within each network's limits (thread), the two
networks (networks), what a post says (compose), and sending with a progress record (publish)."""

from __future__ import annotations

from toolkit.social.networks import Credentials, Pacing, PostRef, credentials
from toolkit.social.publish import (
    NETWORKS,
    PostRequest,
    PostResult,
    PublishedPost,
    SentPost,
    post_thread,
    published_on,
    shared_lines,
)
from toolkit.social.thread import Limit, bluesky_limit, graphemes, mastodon_limit, split_text

__all__ = [
    "Credentials",
    "Pacing",
    "PostRef",
    "credentials",
    "NETWORKS",
    "PostRequest",
    "PostResult",
    "PublishedPost",
    "SentPost",
    "post_thread",
    "published_on",
    "shared_lines",
    "Limit",
    "bluesky_limit",
    "graphemes",
    "mastodon_limit",
    "split_text",
]
