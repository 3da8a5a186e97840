from pathlib import Path

from bot.config import load_settings


def test_env_file_fills_in_and_real_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgres://from-file/db\nLOG_LEVEL=debug\nROSCA_DATA_DIR=~/rosca\n")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ROSCA_DATA_DIR", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "warning")
    settings = load_settings(env_file)
    assert settings.database_url == "postgres://from-file/db"
    assert settings.log_level == "WARNING"
    assert settings.data_dir == Path("~/rosca").expanduser()


def test_unset_database_means_embedded_in_a_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ROSCA_DATA_DIR", raising=False)
    settings = load_settings(tmp_path / "missing.env")
    assert settings.database_url is None
    assert "family-rosca-bot" in str(settings.data_dir)
