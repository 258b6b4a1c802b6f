"""Deployment settings: safe defaults and loud failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fulian.lib.env import env_bool, env_int, env_list, env_secret

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "k" * 20 + "Production-Secret-Key-With-Enough-Entropy-0123456789"
KEYS = {
    "FIELD_KEYS": "p1=cHJvZHVjdGlvbi10ZXN0LWtleS0zMi1ieXRlcy0tLS0=",
    "BLIND_INDEX_KEY": "production-blind-index-key-" + "x" * 30,
    "AUDIT_KEY": "production-audit-key-" + "y" * 30,
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    dropped = {
        "DJANGO_SETTINGS_MODULE",
        "SECRET_KEY",
        "DEBUG",
        "HTTPS",
        "FIELD_KEYS",
        "FIELD_KEY_ID",
        "BLIND_INDEX_KEY",
        "AUDIT_KEY",
    }
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "fulian.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="fulian.example.gov.cn", DATA_DIR=str(tmp_path), **KEYS,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["FIELD_KEYS", "BLIND_INDEX_KEY", "AUDIT_KEY"])
def test_missing_data_protection_keys_in_production_fail_loudly(tmp_path, missing):
    keys = {k: v for k, v in KEYS.items() if k != missing}
    result = _manage("check", SECRET_KEY=PRODUCTION_KEY, DATA_DIR=str(tmp_path), **keys)
    assert result.returncode != 0
    assert missing in result.stderr


def test_demo_accounts_switched_on_fail_the_deploy_check(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="fulian.example.gov.cn", DATA_DIR=str(tmp_path), DEMO_ACCOUNTS="1", **KEYS,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DEMO_ACCOUNTS" in result.stderr + result.stdout


def test_a_missing_secret_key_in_production_fails_loudly(tmp_path):
    result = _manage("check", DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_secret_file_that_is_missing_fails_loudly(tmp_path):
    result = _manage("check", SECRET_KEY_FILE=str(tmp_path / "absent"), DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr


def test_debug_is_off_unless_asked_for():
    from django.conf import settings

    assert settings.DEBUG is False


class TestEnvHelpers:
    def test_booleans(self, monkeypatch):
        monkeypatch.setenv("X_FLAG", "yes")
        assert env_bool("X_FLAG") is True
        monkeypatch.setenv("X_FLAG", "maybe")
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
            env_bool("X_FLAG")

    def test_integers_and_lists(self, monkeypatch):
        monkeypatch.setenv("X_INT", "12")
        monkeypatch.setenv("X_LIST", "a.cn, b.cn,,")
        assert env_int("X_INT", 1) == 12
        assert env_list("X_LIST") == ["a.cn", "b.cn"]

    def test_secrets_come_from_files(self, monkeypatch, tmp_path):
        secret = tmp_path / "key"
        secret.write_text("from-file\n")
        monkeypatch.setenv("X_SECRET_FILE", str(secret))
        assert env_secret("X_SECRET") == "from-file"


def test_the_language_is_chinese_first_and_english_available(client, db):
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "en" in dict(settings.LANGUAGES)
