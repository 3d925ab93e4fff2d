"""Shared test fixtures. Real public example data lives in ../shared beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared data folder not found beside the checkout: {SHARED}")
    return SHARED


@pytest.fixture(scope="session", autouse=True)
def _kinres_cache(tmp_path_factory):
    """Tests (and the kinres processes they start) use a fresh start-up cache (kinres.cache), not
    the user's ~/.cache/kinres; a test that needs other settings clears kinres.cache.cache_dir."""
    old = os.environ.get("KINRES_CACHE_DIR")
    os.environ["KINRES_CACHE_DIR"] = str(tmp_path_factory.mktemp("kinres-cache"))
    yield
    if old is None:
        os.environ.pop("KINRES_CACHE_DIR", None)
    else:
        os.environ["KINRES_CACHE_DIR"] = old
