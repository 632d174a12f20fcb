"""The static files' storage keeps each name's hashed URL, as the manifest gives it."""

import json

import pytest

from guanxi.core.static_storage import StaticStorage


@pytest.fixture
def storage(tmp_path):
    """A storage over a collected manifest naming one file."""
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"site.css": "site.0123abcd.css"}, "version": "1.1", "hash": "x"})
    )
    return StaticStorage(location=tmp_path, base_url="/static/")


def test_a_name_gives_its_hashed_url_from_the_manifest(storage):
    assert storage.url("site.css") == "/static/site.0123abcd.css"


def test_a_name_is_looked_up_in_the_manifest_once(storage, monkeypatch):
    storage.url("site.css")
    monkeypatch.setattr(storage, "hashed_files", {})  # the manifest no longer consulted

    assert storage.url("site.css") == "/static/site.0123abcd.css"


def test_a_name_missing_from_the_manifest_raises_each_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("missing.css")
    assert ("missing.css", False) not in storage._urls
