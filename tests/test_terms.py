"""Folding, skeletons, tokenizing and term-form generation (pipeline.match.terms)."""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

import pytest

from pipeline.match import terms, words
from pipeline.match.terms import (
    _AFTER_NUMBER,
    _ARTICLE_START_RE,
    _NUM_RE,
    ARTICLE_RE,
    _article_matches,
    article_mentions,
    expand_word,
    fold,
    kazakh_splits,
    russian_forms,
    skeleton,
    token_keys,
    tokenize,
)

# Every group shares one skeleton; each spelling is one seen in real coverage or a standard
# transliteration of it.
SAME_KEY = [
    ("batirbaev", ["Batyrbayev", "Batyrbaev", "Батырбаев", "BATYRBAYEV", "Батырбаев"]),
    (
        "taldikorgan",
        [
            "Taldykorgan",
            "Taldyqorghan",
            "Талдыкорган",
            "Талдықорған",
            "Taldy-Korgan",
            "Taldyqorǵan",
            "Taldyqorg'an",
            "ТАЛДЫКОРГАН",
        ],
    ),
    ("jetisu", ["Zhetysu", "Jetisu", "Zhetisu", "Jetysu", "Жетысу", "Жетісу"]),
    ("kudebaev", ["Kudebayev", "Kudebaev", "Кудебаев", "Күдебаев"]),
    ("ruzahunov", ["Ruzakhunov", "Ruzahunov", "Рузахунов"]),
    ("koshmambet", ["Koshmambet", "Кошмамбет", "Қошмамбет"]),
    ("karasai", ["Karasai", "Qarasay", "Карасай", "Қарасай"]),
    ("aidarhanov", ["Aidarkhanov", "Aydarkhanov", "Айдарханов"]),
    ("shormanbaeva", ["Shormanbayeva", "Шорманбаева"]),
    ("duisenbekov", ["Duisenbekov", "Duysenbekov", "Дүйсенбеков", "Дуйсенбеков"]),
    ("jumabaev", ["Zhumabayev", "Dzhumabayev", "Djumabaev", "Джумабаев", "Жұмабаев"]),
    ("dmitri", ["Dmitriy", "Dmitry", "Дмитрий"]),
    ("erlan", ["Yerlan", "Erlan", "Ерлан"]),
    ("kantar", ["Qantar", "Қаңтар", "Kantar"]),
]


@pytest.mark.parametrize(("key", "spelling"), [(key, s) for key, group in SAME_KEY for s in group])
def test_spellings_share_a_skeleton(key: str, spelling: str) -> None:
    assert skeleton(spelling) == key


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Тaлдыкорган", "талдыкорган"),  # Latin a inside a Cyrillic word
        ("Тaлдыкoрган", "талдыкорган"),  # two Latin letters
        ("Кудeбаев", "кудебаев"),  # Latin e
        ("Kudebаyev", "kudebayev"),  # Cyrillic а inside a Latin word
        ("ПЫТКИ", "пытки"),
        ("Семёнов", "семенов"),
        ("Taldy-Korgan", "taldykorgan"),  # the hyphen joins
        ("ﬁle", "file"),  # NFKC ligature
        ("Жетісу", "жетісу"),  # Kazakh letters are kept by fold
    ],
)
def test_fold(word: str, expected: str) -> None:
    assert fold(word) == expected


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Тaлдыкорган", "Талдыкорган"),  # look-alike repaired before transliteration
        ("Кудeбаев", "Kudebayev"),
        ("TАLDYKORGAN", "Taldykorgan"),  # Cyrillic А in a Latin word
    ],
)
def test_lookalikes_fold_to_the_same_skeleton(left: str, right: str) -> None:
    assert skeleton(left) == skeleton(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Ten", "тенге"),
        ("Kim", "Kima"),
        ("пытки", "попытки"),
        ("Taldykorgan", "Talgar"),
        ("Kudebayev", "Kudaibergenov"),
    ],
)
def test_different_words_keep_different_skeletons(left: str, right: str) -> None:
    assert skeleton(left) != skeleton(right)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Суд в Талдыкоргане.", ["Суд", "в", "Талдыкоргане"]),
        ("Taldy-Korgan's court", ["Taldy-Korgan's", "court"]),
        ("ст.146 ч.2 УК РК", ["ст", "146", "ч", "2", "УК", "РК"]),
        ("«Қаңтар оқиғасы» — 2022", ["Қаңтар", "оқиғасы", "2022"]),
        ("поли\u00adция", ["полиция"]),  # soft hyphen inside a word
        ("a_b", ["a", "b"]),
        ("экс-начальник ДП", ["экс-начальник", "ДП"]),
    ],
)
def test_tokenize(text: str, expected: list[str]) -> None:
    assert [t.text for t in tokenize(text)] == expected


def test_tokens_carry_offsets() -> None:
    text = "В Талдыкоргане суд"
    token = tokenize(text)[1]
    assert (token.text, text[token.start : token.end]) == ("Талдыкоргане", "Талдыкоргане")


@pytest.mark.parametrize(
    ("surface", "key"),
    [
        ("Batyrbayev's", "batirbaev"),  # English possessive: the part before the apostrophe
        ("экс-начальник", "начальник"),  # a hyphen part
        ("Taldy-Korgan", "taldikorgan"),  # the joined whole
    ],
)
def test_token_keys_include_parts(surface: str, key: str) -> None:
    assert key in token_keys(surface)


@pytest.mark.parametrize(
    ("word", "forms", "not_forms"),
    [
        ("пытки", {"пыток", "пытками", "пыткам", "пытку"}, {"попытки"}),
        ("пытать", {"пытали", "пытал", "пытавшие"}, {"пытались", "питали"}),
        ("Батырбаев", {"батырбаева", "батырбаеву", "батырбаевым"}, {"батырбая"}),
        ("Талдыкорган", {"талдыкоргане", "талдыкоргана"}, {"талдыкоргал"}),
        ("январские", {"январских", "январским"}, set()),
        ("Алматинской", {"алматинская", "алматинской", "алматинскую"}, set()),
    ],
)
def test_russian_forms(word: str, forms: set[str], not_forms: set[str]) -> None:
    lexeme = russian_forms(word)
    assert forms <= lexeme
    assert not (not_forms & lexeme)


@pytest.mark.parametrize(
    ("surface", "stem"),
    [
        ("Талдықорғанда", "taldikorgan"),
        ("Талдықорғандағы", "taldikorgan"),
        ("Талдықорғанның", "taldikorgan"),  # nn collapses across the boundary
        ("Батырбаевтың", "batirbaev"),
        ("Күдебаевқа", "kudebaev"),
        ("оқиғалары", "okiga"),
        ("Жетісудағы", "jetisu"),
    ],
)
def test_kazakh_suffixes_are_split_off(surface: str, stem: str) -> None:
    assert stem in set(kazakh_splits(skeleton(surface)))


@pytest.mark.parametrize("surface", ["tenge", "Тенге", "tengeden"])
def test_short_stems_take_no_kazakh_suffix(surface: str) -> None:
    assert "ten" not in set(kazakh_splits(skeleton(surface)))


@pytest.mark.parametrize(
    ("word", "flags", "accepted", "rejected"),
    [
        ("Batyrbayev", {"name": True}, {"batirbaeva", "batirbaevim", "batirbaevu"}, {"batirbai"}),
        ("Nurmukhanova", {"name": True}, {"nurmuhanovoi", "nurmuhanovu"}, set()),
        ("torture", {"english": True}, {"tortured", "tortures", "torturing"}, {"tortoise"}),
        ("Ten", {"name": True, "kazakh": True}, {"ten", "tena"}, {"tenge"}),
        ("пытки", {"russian": True}, {"пытками"}, {"pitkami"}),  # common words: fold only
        ("Кудебаев", {"russian": True, "name": True}, {"kudebaevim", "кудебаевым"}, set()),
    ],
)
def test_expand_word(
    word: str, flags: dict[str, bool], accepted: set[str], rejected: set[str]
) -> None:
    forms = expand_word(word, **flags)
    assert accepted <= forms.keys
    assert not (rejected & forms.keys)


def test_expand_word_prefix_and_stems() -> None:
    assert expand_word("азапта*").prefixes == {"азапта", "azapta"}
    assert expand_word("Талдықорған", kazakh=True, name=True).kazakh_stems == {"taldikorgan"}
    assert expand_word("Ten", kazakh=True, name=True).kazakh_stems == frozenset()
    assert "okiga" in expand_word("оқиғасы", kazakh=True).kazakh_stems


# ---------------------------------------------------------------- article mentions, fast scan

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
ARTICLE_SAMPLES = [
    "ст. 146", "ст.146 ч. 2", "Ст 146, 147 и 148 УК", "СТ. № 12, 13 и 14", "по статье 3-1",
    "статьей 146 УК", "146 статьи", "1-й статьи", "2-ой статьи", "146-бабы", "146 бап", "146-baby",
    "Articles 146 and 362", "art. 5", "ARTS 5 & 6", "article 12", "a12 ст146 ст 146", "Арт 5",
    "12345 статьи", "12-345 статья", "12-34 статьи", "пост 146", "статут 12", "пристав 12",
    "2026 года 15 ноября, 300 тысяч тенге", "ᲃᲄ. 146", "٣ статьи", "party 12", "smart 12",
    "146 ‐ бабы", "146 –бап", "146\n\nстатьи", "ст.\n 146", "start 12 article",
]  # fmt: skip


def _texts_for_article_scan() -> list[str]:
    rng = random.Random(14)
    pieces = [
        "ст", "Ст", "СТ", "стать", "статьи", "статья", "бап", "БАБ", "bab", "Bap", "art",
        "Article", "s", ".", ". ", " ", "  ", "\n", "\t", "№", "-", "‐", "–", "—", ",", "и",
        "and", "&", "й", "ой", "ая", "ом", "ю", "1", "12", "146", "2026", "12345", "-1", "٣",
        "ᲃ", "ᲄ", "ſ", "x", "власти", "part", "start",
    ]  # fmt: skip
    fuzz = ["".join(rng.choices(pieces, k=rng.randint(1, 14))) for _ in range(20_000)]
    return ARTICLE_SAMPLES + fuzz


def _same_as_article_re(texts: list[str]) -> list[str]:
    def spans(found: list[re.Match[str]]) -> list[tuple[int, int, str]]:
        return [(m.start(), m.end(), m.group()) for m in found]

    return [
        t
        for t in texts
        if spans(list(_article_matches(t))) != spans(list(ARTICLE_RE.finditer(t)))
        or list(article_mentions(t))
        != [(n, m.group().strip()) for m in ARTICLE_RE.finditer(t) for n in _NUM_RE.findall(
            m.group("pre") or m.group("post") or m.group("kk"))]
    ]  # fmt: skip


def test_article_scan_finds_what_article_re_finds() -> None:
    """The faster scan of ``article_mentions`` tries ARTICLE_RE only where a match may start:
    the same matches as ARTICLE_RE.finditer on mentions, near misses and random mixes."""
    assert _same_as_article_re(_texts_for_article_scan()) == []
    assert [n for n, _ in article_mentions("по ст. 146, 147 и 362-1 УК и 200-бабы")] == [
        "146", "147", "362-1", "200",
    ]  # fmt: skip


def test_article_scan_start_letters_are_every_case_blind_form() -> None:
    """``_ARTICLE_START_RE`` lists the first letters of ст… and art… as written, without
    IGNORECASE (which would disable the engine's skip to them): every character that a
    case-blind с or a matches must be in the list."""
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    listed = set(re.search(r"\[\\d([^\]]*)\]", _ARTICLE_START_RE.pattern).group(1))
    for word in _AFTER_NUMBER:  # a text is scanned without the numbers' branch without these
        for letter in word:
            forms = re.findall(re.escape(letter), everything, re.IGNORECASE)
            assert {f.casefold() for f in forms} == {letter}, letter
    assert set(re.findall("[\u0441a]", everything, re.IGNORECASE)) == listed  # Cyrillic с, Latin a


def test_article_scan_on_real_text() -> None:
    """The same mentions on the shared corpus's real pages and feeds (text between tags)."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS}: absent (the shared corpus is on developers' machines and CI only)")
    texts: list[str] = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".html", ".xml", ".rss", ".atom") and path.is_file():
            raw = html.unescape(path.read_bytes().decode("utf-8", "replace"))
            texts += [t for t in re.split(r"<[^>]*>", html.unescape(raw)) if t.strip()]
    assert len(texts) > 10_000
    assert _same_as_article_re(texts) == []


# ---------------------------------------------------------------- words, fast scan

WORD_PIECES = [
    "суд", "Талдыкорган", "қазақ", "police", "É", "e\u0301", "12", "٣", "ᲃ", "_", "__", "'", "’",
    "ʼ", "`", "-", "‐", "‑", "–", " ", "\n", ".", ",", "\u00ad", "\u200b", "ß", "ﬁ", "²", "½",
    "Ⅻ", "日本", "‿", "⁀", "\u0300", "x_y", "a'_b", "_a-", "'-'", "O'Brien", "Taldy-Korgan",
]  # fmt: skip


@pytest.mark.parametrize("finder", [words.WORDS, words.INDEX_WORDS], ids=["matcher", "index"])
def test_word_finder_finds_the_exact_patterns_words(finder: words.WordFinder) -> None:
    """The fast ``\\w`` scan with underscored words split again gives exactly the words of
    ``[^\\W_]+`` joined by the finder's joiners: on samples, random mixes of letters, digits,
    underscores, joiners and marks, and (with the shared corpus) real text."""
    rng = random.Random(14)
    texts = WORD_PIECES + [
        "".join(rng.choices(WORD_PIECES, k=rng.randint(1, 20))) for _ in range(20_000)
    ]
    if CORPUS.is_dir():
        for path in sorted(CORPUS.rglob("*")):
            if path.suffix in (".html", ".xml", ".rss", ".atom") and path.is_file():
                texts.append(html.unescape(path.read_bytes().decode("utf-8", "replace")))
    assert [t for t in texts if finder.findall(t) != finder.exact.findall(t)] == []
    assert terms.words("Taldy-Korgan's police_officers") == [
        "Taldy-Korgan's", "police", "officers",
    ]  # fmt: skip
