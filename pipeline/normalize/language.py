"""Which language a text is in: ``ru``, ``kk``, ``en`` or another ISO 639-1 code.

Kazakh is told from Russian by its own letters (ә ғ қ ң ө ұ ү һ і) before any statistics:
general-purpose identifiers confuse the two on short texts. py3langid decides the rest, among
the languages a Central-Asian monitor meets, and the feed's declared language breaks ties on
short or ambiguous text.
"""

from __future__ import annotations

import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

CANDIDATES = (
    "ru", "kk", "en", "uk", "ky", "uz", "tg", "be", "mn", "tr", "az", "de", "fr", "es", "it",
    "pt", "pl", "zh", "ar", "fa",
)  # fmt: skip
_KK_LETTERS = frozenset("әғқңөұүһі")
_KK_ONLY = frozenset("әғқұ")
"""Letters of Kazakh that Kyrgyz, Ukrainian, Tatar and Bashkir do not share all at once."""
_HINT_ALIASES = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en", "qq": "kk"}
_MIN_LETTERS = 20
_MIN_CONFIDENCE = 0.6
_AGREES = 0.9
_EN_WORDS_RE = re.compile(r"\b(?:the|and|of|to|in|for|with|was|were|has|have)\b", re.IGNORECASE)


def normalize_hint(hint: str) -> str:
    """``'ru-RU'`` → ``'ru'``, ``'kz'`` → ``'kk'``; empty when there is no usable hint."""
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    code = _HINT_ALIASES.get(code, code)
    return code if code.isalpha() and 2 <= len(code) <= 3 else ""


def detect(text: str, hint: str = "") -> str:
    """The language of ``text``; ``hint`` (the feed's declared language) wins on short text."""
    hint = normalize_hint(hint)
    letters = [ch for ch in text.casefold() if ch.isalpha()]
    if not letters:
        return hint
    kazakh = _kazakh_score(letters)
    if kazakh >= 0.03 or (kazakh > 0 and hint == "kk"):
        return "kk"
    if len(letters) < _MIN_LETTERS and hint:
        return hint
    if _agrees(text, letters, hint):
        return hint  # the declared language and the text plainly agree: no statistics needed
    language, confidence = _identifier().classify(text)
    if hint and confidence < _MIN_CONFIDENCE:
        return hint
    return str(language)


def _agrees(text: str, letters: list[str], hint: str) -> bool:
    """Russian: (almost) all Cyrillic with no Kazakh letter (checked before). English: plain
    a–z only and an English function word — accents or neither send it to the identifier."""
    if hint == "ru":
        return sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff") >= _AGREES * len(letters)
    if hint == "en":
        return all("a" <= ch <= "z" for ch in letters) and bool(_EN_WORDS_RE.search(text))
    return False


def _kazakh_score(letters: list[str]) -> float:
    """Share of Kazakh-only letters among Cyrillic letters; 0 without a distinctive one."""
    cyrillic = [ch for ch in letters if "\u0400" <= ch <= "\u04ff"]
    kk = sum(1 for ch in cyrillic if ch in _KK_LETTERS)
    if kk < 2 or not any(ch in _KK_ONLY for ch in cyrillic) or set("їєґў") & set(cyrillic):
        return 0.0
    return kk / len(cyrillic)


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier
