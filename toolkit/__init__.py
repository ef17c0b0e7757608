"""bip: build in public — reading list, drafts that cite, contributor progress, daily check-in."""

__version__ = "0.1.0"
