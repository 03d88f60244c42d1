"""Data directory resolution: flag over environment over the default; missing files explained;
no directory at all is None (find_data_dir) or a clear error (get_data_dir), never a fixed
machine path."""

import pytest

from textedit.data import data_dir
from textedit.data.data_dir import (
    DataFileNotFoundError,
    data_path,
    find_data_dir,
    get_data_dir,
    set_data_dir,
)


def test_default_finds_the_shared_data():
    # Run from a clone laid out as <dir>/main beside <dir>/shared/data.
    assert data_dir.DEFAULT_DATA_DIR == data_dir._REPO_ROOT.parent / "shared" / "data"
    assert (get_data_dir() / "README.md").exists()


def test_flag_beats_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTEDIT_DATA_DIR", str(tmp_path / "from_env"))
    assert get_data_dir() == tmp_path / "from_env"
    set_data_dir(tmp_path / "from_flag")
    try:
        assert get_data_dir() == tmp_path / "from_flag"
        assert get_data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    finally:
        set_data_dir(None)


def test_missing_file_names_path_and_how_to_point_elsewhere(tmp_path):
    with pytest.raises(DataFileNotFoundError) as info:
        data_path("gec/wi.A.train.m2", tmp_path)
    message = str(info.value)
    assert str(tmp_path / "gec" / "wi.A.train.m2") in message
    assert "--data_dir" in message and "TEXTEDIT_DATA_DIR" in message
    assert info.value.path == tmp_path / "gec" / "wi.A.train.m2"


def test_no_directory_at_all_is_none_or_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("TEXTEDIT_DATA_DIR", raising=False)
    monkeypatch.setattr(data_dir, "DEFAULT_DATA_DIR", tmp_path / "nope")
    assert find_data_dir() is None
    with pytest.raises(DataFileNotFoundError, match="TEXTEDIT_DATA_DIR") as info:
        get_data_dir()
    assert "--data_dir" in str(info.value) and "embedded default" in str(info.value)
    with pytest.raises(DataFileNotFoundError):
        data_path("gec/wi.A.train.m2")


def test_empty_environment_variable_means_no_data_directory(monkeypatch):
    monkeypatch.setenv("TEXTEDIT_DATA_DIR", "")
    assert data_dir.DEFAULT_DATA_DIR.is_dir()  # there, but not looked at
    assert find_data_dir() is None
    set_data_dir("/some/where")  # a flag still wins
    try:
        assert find_data_dir() == data_dir.Path("/some/where")
    finally:
        set_data_dir(None)


def test_an_explicit_empty_directory_is_used_and_fails_naming_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("TEXTEDIT_DATA_DIR", str(tmp_path))
    assert find_data_dir() == tmp_path
    with pytest.raises(DataFileNotFoundError, match=str(tmp_path / "gec" / "jfleg.dev.src")):
        data_path("gec/jfleg.dev.src")


def test_no_machine_path_is_named(monkeypatch, tmp_path):
    with open(data_dir.__file__, encoding="utf-8") as f:
        assert 'Path("/' not in f.read()  # no hard-coded absolute directory
    monkeypatch.delenv("TEXTEDIT_DATA_DIR", raising=False)
    monkeypatch.setattr(data_dir, "DEFAULT_DATA_DIR", tmp_path / "nope")
    assert find_data_dir() is None  # no fallback beyond ../shared/data
