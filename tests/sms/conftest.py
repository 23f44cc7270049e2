"""The SMS tests' one fixture: the loopback fakes of every gateway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.sms import FakeSmsGateways


@pytest.fixture
def gateways() -> Iterator[FakeSmsGateways]:
    """Every gateway's fake, on loopback, for one test."""
    with FakeSmsGateways() as fake:
        yield fake
