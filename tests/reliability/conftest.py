"""Fixtures of the reliability tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture
def common_umask() -> Iterator[None]:
    """The usual umask (022), under which files are world-readable unless created
    private on purpose."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
