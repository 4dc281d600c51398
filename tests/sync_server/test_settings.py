"""Settings: what the environment gives, and no database password in a printed form."""

from __future__ import annotations

from pathlib import Path

from sync_server.settings import Settings


def test_the_database_password_stays_out_of_the_repr(tmp_path: Path) -> None:
    url = "postgresql+psycopg://mss:s3cret-pw@db.example/mss"
    settings = Settings.from_env({"MSS_DATABASE_URL": url}, data_dir=tmp_path)
    assert settings.effective_database_url == url
    assert "s3cret-pw" not in repr(settings) and "s3cret-pw" not in str(settings)


def test_without_a_url_the_store_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve() / 'central.db'}"
