"""normalize/langmodel.py: the compact py3langid model decides exactly as py3langid does."""

from __future__ import annotations

from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pipeline.normalize import langmodel
from pipeline.normalize.language import CANDIDATES, _identifier

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = [
    "Суд отложил заседание по делу о пытках в Талдыкоргане на неделю.",
    "Талдықорған соты азаптау ісі бойынша отырысты бір аптаға кейінге қалдырды.",
    "The court adjourned the torture trial in Taldykorgan for a week.",
    "Суд відклав засідання у справі про катування на тиждень.",
    "Сот жыйыны бир жумага жылдырылды, деп билдирди адвокат.",
    "Mahkeme işkence davasının duruşmasını bir hafta erteledi.",
    "Das Gericht hat die Verhandlung um eine Woche vertagt.",
    "Le tribunal a reporté l'audience d'une semaine.",
    "Sąd odroczył rozprawę o tydzień.",
    "法院将酷刑案的审理推迟了一周。",
    "أجلت المحكمة جلسة قضية التعذيب أسبوعا.",
    "دادگاه جلسه را یک هفته به تعویق انداخت.",
    "12345 !!! 67890",
    "",
    "Mixed: суд court сот 2026-12-07",
]


@pytest.fixture(scope="module")
def stock() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def fixture_texts() -> list[str]:
    texts = []
    for path in sorted(FIXTURES.rglob("*.html"))[:40]:
        text = path.read_text(encoding="utf-8", errors="ignore")
        texts += [text[i : i + 600] for i in range(0, min(len(text), 6000), 600)]
    return texts


def test_same_language_confidence_and_ranking(stock: LanguageIdentifier) -> None:
    compact = _identifier()
    texts = SAMPLES + fixture_texts()
    assert len(texts) > 100
    for text in texts:
        assert compact.classify(text) == stock.classify(text), text[:60]
        assert compact.rank(text) == stock.rank(text), text[:60]
    assert compact.classify(SAMPLES[0].encode()) == stock.classify(SAMPLES[0].encode())


def test_keeps_only_the_restricted_model() -> None:
    compact = _identifier()
    assert sorted(set(compact.nb_classes)) == sorted(CANDIDATES)
    assert compact._full_model[0] is compact.nb_ptc  # the 142-language table is gone
    assert compact.tk_nextmove.typecode == "H"
    assert len(compact._high) * 8 >= len(compact.tk_nextmove)


def _state(identifier: LanguageIdentifier) -> dict[str, object]:
    names = ("nb_classes", "_alias_pairs", "_norm_probs", "min_confidence", "tk_output")
    state: dict[str, object] = {name: getattr(identifier, name) for name in names}
    for name in ("nb_ptc", "nb_pc"):
        array = getattr(identifier, name)
        state[name] = (array.dtype.str, array.shape, array.tobytes())
    for name in ("tk_nextmove", "_rowbase", "tk_row"):
        value = getattr(identifier, name)
        state[name] = (value.typecode, value.tobytes())
    state["_high"] = identifier._high  # type: ignore[attr-defined]
    state["full is restricted"] = identifier._full_model[0] is identifier.nb_ptc
    return state


def test_the_cached_model_is_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read back from the user's cache folder, the compact model has every array and list it
    had when read from py3langid's file, and decides the same (issue 14: the file costs
    ≈ 0.5 s of LZMA in every process that needs the model)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = langmodel.cache_path(CANDIDATES)
    assert path is not None and path.parent == tmp_path / "casewatch"
    read = langmodel.load_identifier(CANDIDATES)  # from the model file; cached
    assert path.is_file() and list(path.parent.iterdir()) == [path]
    cached = langmodel._read_cache(path)
    assert cached is not None
    assert _state(cached) == _state(read)
    again = langmodel.load_identifier(CANDIDATES)
    assert _state(again) == _state(read)
    for text in SAMPLES + fixture_texts()[:30]:
        assert cached.classify(text) == read.classify(text), text[:60]
        assert cached.rank(text) == read.rank(text), text[:60]
    assert langmodel.cache_path(CANDIDATES[:5]) != path  # other languages: another file


def test_a_bad_or_unwritable_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = langmodel.cache_path(CANDIDATES)
    assert path is not None
    path.parent.mkdir()
    path.write_bytes(b"PK\x03\x04 not an npz")
    assert langmodel._read_cache(path) is None
    expected = langmodel.load_identifier(CANDIDATES).classify(SAMPLES[0])
    assert langmodel._read_cache(path) is not None  # written again
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # its "casewatch" folder cannot be made
    assert langmodel.load_identifier(CANDIDATES).classify(SAMPLES[0]) == expected
