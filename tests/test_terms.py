"""Folding, skeletons, tokenizing and term-form generation (pipeline.match.terms)."""

from __future__ import annotations

import pytest

from pipeline.match.terms import (
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
