"""Conductor test fixtures: a config (the database: tests/unit/conftest.py)."""
import pytest

from conf import new_conf


@pytest.fixture
def conf():
    return new_conf(register_messaging=False)
