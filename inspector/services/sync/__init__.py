"""The sync server (docs/sync-protocol.md): push applies a phone's mutations, pull sends changes,
conflicts are settled by reviewers. Rules of a record live in inspection_rules.py."""
from __future__ import annotations

from .conflicts import resolve_conflict
from .pull import pull_changes
from .push import push_mutations
from .rejections import list_rejections

__all__ = ["list_rejections", "pull_changes", "push_mutations", "resolve_conflict"]
