"""Fixtures of the reliability suite: the real processes a fault test starts."""

from __future__ import annotations

from tests.reliability.cluster import procs

__all__ = ["procs"]
