"""Every revision goes up, down and up again; the models match what the migrations build."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from bot.database import alembic_config, downgrade, upgrade
from core.models import Base
from tests.conftest import drop_database, fresh_database


@pytest.fixture
def scratch_url(server_url):
    url = fresh_database(server_url, "rosca_migrations")
    yield url
    drop_database(url)


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    return names


def test_each_revision_upgrades_downgrades_and_upgrades_again(scratch_url):
    script = ScriptDirectory.from_config(alembic_config(scratch_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions, "no migrations found"
    previous = "base"
    for revision in revisions:
        upgrade(scratch_url, revision)
        after_up = tables(scratch_url)
        downgrade(scratch_url, previous)
        upgrade(scratch_url, revision)
        assert tables(scratch_url) == after_up
        previous = revision
    downgrade(scratch_url, "base")
    assert tables(scratch_url) == set()


def test_models_match_the_migrated_schema(scratch_url):
    upgrade(scratch_url)
    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_check_constraints_match_between_models_and_migrations(scratch_url, server_url):
    """Autogenerate ignores CHECK constraints, so compare them by name against a create_all schema."""
    upgrade(scratch_url)
    reference = fresh_database(server_url, "rosca_reference")
    try:
        engine = create_engine(reference)
        Base.metadata.create_all(engine)
        engine.dispose()

        def checks(url: str) -> dict[str, set[str]]:
            engine = create_engine(url)
            inspector = inspect(engine)
            found = {t: {c["name"] for c in inspector.get_check_constraints(t)} for t in inspector.get_table_names()
                     if t != "alembic_version"}
            engine.dispose()
            return found

        migrated, modelled = checks(scratch_url), checks(reference)
        assert migrated == modelled
        assert "ck_circles_reminder_days_range" in migrated["circles"]
    finally:
        drop_database(reference)
