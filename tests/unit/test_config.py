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


def test_whatsapp_settings(monkeypatch, tmp_path):
    import pytest

    from bot.config import ConfigError

    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM", "PUBLIC_URL",
                 "TWILIO_MESSAGES_PER_SECOND"):
        monkeypatch.delenv(name, raising=False)
    assert not load_settings(tmp_path / "none.env").whatsapp_enabled
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    monkeypatch.setenv("TWILIO_WHATSAPP_FROM", "+14155238886")
    settings = load_settings(tmp_path / "none.env")
    assert settings.whatsapp_enabled and settings.twilio_messages_per_second == 10.0
    with pytest.raises(ConfigError, match="whatsapp:"):
        settings.require_whatsapp()
    monkeypatch.setenv("TWILIO_WHATSAPP_FROM", "whatsapp:+14155238886")
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_settings(tmp_path / "none.env").require_whatsapp()
    monkeypatch.setenv("TWILIO_MESSAGES_PER_SECOND", "fast")
    with pytest.raises(ConfigError, match="must be a number"):
        load_settings(tmp_path / "none.env")


def test_quick_reply_template_setting(monkeypatch, tmp_path):
    monkeypatch.delenv("TWILIO_PAID_CONTENT_SID", raising=False)
    assert load_settings(tmp_path / "none.env").twilio_paid_content_sid is None
    monkeypatch.setenv("TWILIO_PAID_CONTENT_SID", "HX" + "2" * 32)
    assert load_settings(tmp_path / "none.env").twilio_paid_content_sid == "HX" + "2" * 32


def test_organizer_absent_days(monkeypatch, tmp_path):
    import pytest

    from bot.config import ConfigError

    monkeypatch.delenv("ORGANIZER_ABSENT_DAYS", raising=False)
    assert load_settings(tmp_path / "none.env").organizer_absent_days == 14
    monkeypatch.setenv("ORGANIZER_ABSENT_DAYS", "30")
    assert load_settings(tmp_path / "none.env").organizer_absent_days == 30
    for bad in ("0", "two weeks", "-3"):
        monkeypatch.setenv("ORGANIZER_ABSENT_DAYS", bad)
        with pytest.raises(ConfigError, match="ORGANIZER_ABSENT_DAYS"):
            load_settings(tmp_path / "none.env")


def test_telegram_api_url_takes_python_telegram_bots_bot_ending(monkeypatch, tmp_path):
    import pytest

    from bot.config import ConfigError

    for given, used in [("https://api.telegram.org/bot", "https://api.telegram.org"),
                        ("https://api.telegram.org/bot/", "https://api.telegram.org"),
                        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081"),
                        ("https://bots.example.org/telegram", "https://bots.example.org/telegram")]:
        monkeypatch.setenv("TELEGRAM_API_URL", given)
        assert load_settings(tmp_path / "none.env").telegram_api_url == used
    monkeypatch.setenv("TELEGRAM_API_URL", "api.telegram.org")
    with pytest.raises(ConfigError, match="TELEGRAM_API_URL"):
        load_settings(tmp_path / "none.env")


def test_twilio_settings_come_all_three_or_none(monkeypatch, tmp_path):
    import pytest

    from bot.config import TWILIO_SETTINGS, ConfigError

    for name in TWILIO_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    with pytest.raises(ConfigError, match="TWILIO_ACCOUNT_SID and TWILIO_WHATSAPP_FROM not set"):
        load_settings(tmp_path / "none.env")


def test_public_url_must_be_https_except_on_this_machine():
    import pytest

    from bot.config import ConfigError, Settings

    for usable in ("https://rosca.example.org", "https://rosca.example.org:8443/bot", "http://127.0.0.1:8080",
                   "http://localhost:8080", "http://[::1]:8080"):
        assert Settings(database_url=None, data_dir=Path("."), public_url=usable).require_public_url() == usable
    for unusable, says in [(None, "not set"), ("http://rosca.example.org", "https://"),
                           ("rosca.example.org", "not a web address"), ("ftp://rosca.example.org", "not a web address"),
                           ("https://rosca.example.org:x", "not a web address"),
                           ("https://rosca.example.org/?a=1", "not a web address")]:
        with pytest.raises(ConfigError, match=f"PUBLIC_URL.*{says}"):
            Settings(database_url=None, data_dir=Path("."), public_url=unusable).require_public_url()


def test_ephemeral_platforms_are_recognised(monkeypatch, tmp_path):
    import pytest

    from bot.config import EPHEMERAL_PLATFORMS, ConfigError

    for variable in EPHEMERAL_PLATFORMS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("ROSCA_EPHEMERAL_OK", raising=False)
    assert load_settings(tmp_path / "none.env").ephemeral_platform is None
    load_settings(tmp_path / "none.env").require_lasting_data_dir()
    for variable, value, platform in [("DYNO", "web.1", "Heroku"), ("RENDER", "true", "Render"),
                                      ("FLY_APP_NAME", "rosca", "Fly.io"),
                                      ("RAILWAY_ENVIRONMENT_NAME", "production", "Railway"),
                                      ("K_SERVICE", "rosca", "Google Cloud Run")]:
        monkeypatch.setenv(variable, value)
        settings = load_settings(tmp_path / "none.env")
        assert settings.ephemeral_platform == platform
        with pytest.raises(ConfigError, match=f"on {platform} .*DATABASE_URL.*ROSCA_EPHEMERAL_OK=1"):
            settings.require_lasting_data_dir()
        monkeypatch.delenv(variable)
    monkeypatch.setenv("DYNO", "web.1")
    monkeypatch.setenv("ROSCA_EPHEMERAL_OK", "1")
    load_settings(tmp_path / "none.env").require_lasting_data_dir()  # a persistent volume, says the operator
