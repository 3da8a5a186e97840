import pytest

from core.db import normalize_database_url


@pytest.mark.parametrize("given", [
    "postgres://u:p@db.example:5432/app",
    "postgresql://u:p@db.example:5432/app",
    "postgresql+psycopg://u:p@db.example:5432/app",
    "  postgres://u:p@db.example:5432/app\n",
])
def test_hosting_provider_url_forms_use_psycopg3(given):
    assert normalize_database_url(given) == "postgresql+psycopg://u:p@db.example:5432/app"


@pytest.mark.parametrize("given", ["mysql://u@h/db", "sqlite:///x.db", "", "db.example:5432"])
def test_other_databases_are_refused(given):
    with pytest.raises(ValueError):
        normalize_database_url(given)
