"""Data directory resolution: flag over environment over the default; missing files explained."""

import pytest

from textedit.data import data_dir
from textedit.data.data_dir import DataFileNotFoundError, data_path, get_data_dir, set_data_dir


def test_default_finds_the_shared_data():
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


def test_no_directory_at_all_is_an_error(monkeypatch, tmp_path):
    monkeypatch.delenv("TEXTEDIT_DATA_DIR", raising=False)
    monkeypatch.setattr(data_dir, "DEFAULT_DATA_DIR", tmp_path / "nope")
    monkeypatch.setattr(data_dir, "WORKPLACE_DATA_DIR", tmp_path / "nope2")
    with pytest.raises(DataFileNotFoundError, match="TEXTEDIT_DATA_DIR"):
        get_data_dir()
