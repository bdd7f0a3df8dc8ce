"""Rows checked before by the same code are answered from the cache folder without importing
Scrapy and the spiders (``pipeline.config.kinds.KindChecks``, issue 14); an edited row, or
edited code, is checked by the spiders again — the answers are always the spiders' own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SOURCES = """\
sources:
  - {id: vlast-ru, kind: feed, url: 'https://vlast.kz/rss'}
  - {id: channel, kind: telegram, url: 'https://t.me/s/example'}
  - {id: typo, kind: feed, url: 'https://example.kz/rss', selektor: x}
  - {id: nobody, kind: gopher, url: 'https://example.kz/'}
"""

LOAD = """
import json, sys
from pipeline.config.kinds import rereads
from pipeline.config.load import load_config
config = load_config(sys.argv[1], environ={})
print(json.dumps({
    "problems": sorted(str(p) for p in config.problems),
    "sources": sorted(s.id for s in config.sources),
    "rereads": [rereads("telegram"), rereads("feed")],
    "scrapy": "scrapy" in sys.modules,
}))
"""


def load(folder: Path, cache: Path) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LOAD), str(folder)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    (config / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (config / "settings.yaml").write_text("news_search: {enabled: false}\n", encoding="utf-8")
    return config


def test_a_second_load_answers_from_the_cache_without_scrapy(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load(folder, cache)
    assert first["scrapy"] is True
    assert first["sources"] == ["channel", "vlast-ru"]
    assert any(".selektor" in p for p in first["problems"])
    assert any("unknown kind 'gopher'" in p for p in first["problems"])
    assert first["rereads"] == [True, False]

    second = load(folder, cache)
    assert second == {**first, "scrapy": False}


def test_an_edited_row_is_checked_by_the_spiders(folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load(folder, cache)
    edited = SOURCES.replace("https://t.me/s/example", "https://example.kz/not-a-channel")
    (folder / "sources.yaml").write_text(edited, encoding="utf-8")
    again = load(folder, cache)
    assert again["scrapy"] is True
    assert any("sources[1] (channel).url" in p and "t.me/s/NAME" in p for p in again["problems"])
    assert again["sources"] == ["vlast-ru"]


def test_edited_code_or_an_unreadable_cache_means_checking_again(
    folder: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = load(folder, cache)
    saved = cache / "casewatch" / "kinds.json"
    document = json.loads(saved.read_text())
    spider = next(name for name in document["files"] if name.endswith("spiders/telegram.py"))
    document["files"][spider][1] -= 1  # the spider's file is not the one that answered
    saved.write_text(json.dumps(document))
    assert load(folder, cache) == first  # checked again (and cached again)
    assert load(folder, cache)["scrapy"] is False

    saved.write_text("{not json")
    assert load(folder, cache) == first
    saved.unlink()
    (cache / "casewatch").rmdir()
    (cache / "casewatch").write_text("")  # no folder to keep it in: every process asks
    assert load(folder, cache) == first
    assert load(folder, cache) == first
