"""Real phone photos (shared/photos beside the project), for tests that need a camera's own file."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _checkouts() -> list[Path]:
    """This checkout, and the main one when this is a git worktree (its .git is a file)."""
    found = [ROOT]
    dot_git = ROOT / ".git"
    if dot_git.is_file():
        gitdir = Path(dot_git.read_text().split(":", 1)[1].strip())
        common = gitdir / "commondir"
        if common.is_file():
            found.append((gitdir / common.read_text().strip()).resolve().parent)
    return found


PHOTO_DIRS = [checkout.parent / "shared" / "photos" for checkout in _checkouts()]


def real_photo_path(name: str) -> Path:
    """The path of a real phone photo; the test is skipped, saying why, when it is not there."""
    for folder in PHOTO_DIRS:
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"real phone photo {name} not found in {', '.join(map(str, PHOTO_DIRS))} "
                "(CI places a copy of shared/ beside the clone)")


def real_photo(name: str) -> bytes:
    """The bytes of a real phone photo (see real_photo_path)."""
    return real_photo_path(name).read_bytes()
