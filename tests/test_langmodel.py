"""normalize/langmodel.py: the compact py3langid model decides exactly as py3langid does."""

from __future__ import annotations

from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

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
