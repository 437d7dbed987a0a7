"""Fixtures every unit test package may use: a migrated SQLite file database."""
import pytest

from db import engine
from db import migration


@pytest.fixture
def db(tmp_path):
    database = engine.Database('sqlite:///' + str(tmp_path / 'stratus.sqlite'))
    migration.sync(database)
    yield database
    database.dispose()
