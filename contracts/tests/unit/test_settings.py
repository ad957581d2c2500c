import pytest
from mf_contracts.settings import Settings


def test_settings_read_mf_prefixed_environment(monkeypatch):
    monkeypatch.setenv("MF_EXTENSION_ORIGINS", "chrome-extension://abc, moz-extension://def")
    monkeypatch.setenv("MF_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("MF_DOWNLOAD_CONCURRENCY", "4")
    s = Settings()
    assert s.extension_origins == ["chrome-extension://abc", "moz-extension://def"]
    assert s.allow_private_networks is True and s.download_concurrency == 4
    assert str(s.staging_root) == "/mnt/media/staging"


def test_production_refuses_placeholder_secrets():
    with pytest.raises(RuntimeError, match="MF_JWT_SECRET"):
        Settings(env="production").check_secrets()
    Settings(env="production", jwt_secret="a" * 40, service_token="b" * 40).check_secrets()
    Settings(env="development").check_secrets()
