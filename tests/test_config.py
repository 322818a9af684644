import pytest

from huntbook.config import find_config_file, load_settings
from huntbook.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "huntbook.yaml"
    path.write_text(text)
    return path


def test_empty_file_gives_defaults(tmp_path):
    settings = load_settings(write(tmp_path, ""))
    assert settings.lake.path is None
    assert settings.queries.default_lookback == "1d"


def test_values_are_read(tmp_path):
    settings = load_settings(write(tmp_path, "lake:\n  path: /data/lake\nqueries:\n  catalog_paths: [/q]\n"))
    assert str(settings.lake.path) == "/data/lake"
    assert [str(p) for p in settings.queries.catalog_paths] == ["/q"]


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, "lake:\n  pth: /data\n"))
    assert info.value.key == "lake.pth"
    assert "unknown key 'lake.pth'" in str(info.value)
    assert "Did you mean 'path'?" in str(info.value)


def test_bad_value_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"key 'lake.demo_scale'"):
        load_settings(write(tmp_path, "lake:\n  demo_scale: -1\n"))


def test_invalid_yaml_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(write(tmp_path, "lake: [unclosed\n"))


def test_secrets_never_print(tmp_path):
    settings = load_settings(write(tmp_path, "providers:\n  VirusTotal:\n    api_key: s3cr3t-value\n"))
    key = settings.providers["VirusTotal"].api_key
    assert key is not None and key.get_secret_value() == "s3cr3t-value"
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "s3cr3t-value" not in text


def test_env_var_pointing_nowhere_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="not a file"):
        find_config_file()


def test_env_var_wins(tmp_path, monkeypatch):
    path = write(tmp_path, "lake:\n  demo_scale: 2\n")
    monkeypatch.setenv("HUNTBOOK_CONFIG", str(path))
    assert find_config_file() == path
    assert load_settings().lake.demo_scale == 2
