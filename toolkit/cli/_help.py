"""Moved to toolkit.cli.helptext. Kept only for cli/__init__.py (lane house-a) until it imports
the public module; tests/test_house.py allows no other importer."""

from toolkit.cli.helptext import readable as readable
