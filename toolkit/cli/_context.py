"""Moved to toolkit.cli.context. Kept only for cli/draft.py (lane house-a) until it imports the
public module; tests/test_house.py allows no other importer."""

from toolkit.cli.context import JsonOpt as JsonOpt
from toolkit.cli.context import github_client as github_client
from toolkit.cli.context import offline_env as offline_env
from toolkit.cli.context import workspace as workspace
