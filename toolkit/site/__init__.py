"""The public site: the workspace's public facts (collect) built by real Hugo with bip's own
theme (build), and served on this machine for a look (serve)."""

from __future__ import annotations

from toolkit.site.build import (
    DEFAULT_BASE_URL,
    BuildRequest,
    BuildResult,
    build_site,
    build_workspace_site,
    hugo_binary,
)
from toolkit.site.collect import SiteData, collect

__all__ = [
    "DEFAULT_BASE_URL",
    "BuildRequest",
    "BuildResult",
    "build_site",
    "build_workspace_site",
    "hugo_binary",
    "SiteData",
    "collect",
]
