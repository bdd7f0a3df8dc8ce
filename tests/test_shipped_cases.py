"""The shipped config/cases.yaml on headlines and leads written the way coverage reads.

Each row is a title and a lead in the style of Vlast, Azattyq, Orda, Eurasianet or HRW (written
for these tests, not copied) and the exact set of shipped cases that must alert for it.
Real excerpts, with their URLs, are scored by bench/relevance.py.
"""

from __future__ import annotations

import pytest

from pipeline.config.load import load_config
from pipeline.match.cases import Matcher, compile_cases

TK, KUD, KOSH, JAN = (
    "taldykorgan-torture",
    "kudebayev-trial",
    "koshmambet-case",
    "january-2022-torture",
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    config = load_config()
    assert not config.errors, config.errors
    return compile_cases([c for c in config.cases if c.enabled])


def test_shipped_cases_are_the_four_documented(matcher: Matcher) -> None:
    assert {c.slug for c in matcher.cases} >= {TK, KUD, KOSH, JAN}
    for case in matcher.cases:
        assert case.timezone == "Asia/Almaty"
        assert set(case.search) == {"ru", "kk", "en"}, case.slug


ALERTS = [
    # --- Taldykorgan torture trials
    (
        "ru",
        "В Талдыкоргане огласили приговор полицейским, пытавшим задержанных утюгом",
        "Суд признал троих бывших сотрудников полиции виновными по части 2 статьи 146 УК. "
        "Потерпевших представляли адвокаты Виктор Тен и Жанара Нурмуханова.",
        {TK},
    ),
    (
        "ru",
        "Дело о пытках после Кантара: в Талдыкорганском городском суде допросили потерпевших",
        "Потерпевшие рассказали, как после январских событий их избивали и пытали в здании ДП.",
        {TK, JAN},
    ),
    (
        "ru",
        "Азамат Батырбаев: «Меня жгли утюгом, чтобы я признался»",
        "Житель села Капал рассказал Orda.kz, что с ним происходило в полиции.",
        {TK},
    ),
    (
        "ru",
        "Суд области Жетісу оставил в силе приговор полицейским",
        "Апелляционная коллегия не нашла оснований для смягчения наказания осужденным за истязания задержанных.",
        {TK},
    ),
    (
        "kk",
        "Талдықорғанда ұсталғандарды азаптаған полицейлер сотталды",
        "Талдықорған қалалық соты бұрынғы полиция қызметкерлерін ҚК-нің 146-бабы бойынша кінәлі деп тапты.",
        {TK},
    ),
    (
        "kk",
        "Жетісу облысында Қаңтар оқиғасынан кейін азапталғандардың ісі сотқа жетті",
        "Жетісу облыстық прокуратурасы төрт бұрынғы полицейге қатысты істі сотқа жолдады.",
        {TK, JAN},
    ),
    (
        "en",
        "Kazakhstan: Taldykorgan police officers jailed for torturing January detainees",
        "Three former officers of the Almaty region police were sentenced to between four and six "
        "years after a trial that victims' lawyer Viktor Ten called a partial victory.",
        {TK},
    ),
    (
        "en",
        "Torture victims testify in Taldyqorghan trial",
        "Azamat Batyrbaev told the court he was burned with a clothes iron.",
        {TK},
    ),
    # --- Kudebayev
    (
        "ru",
        "Суд над Кудебаевым снова отложен",
        "Экс-глава ДП Алматинской области госпитализирован.",
        {KUD},
    ),
    (
        "ru",
        "Серику Кудебаеву дали 10 лет",
        "Бывший начальник полиции Алматинской области признан виновным в бездействии во время январских событий.",
        {KUD},
    ),
    ("kk", "Серік Күдебаевқа 10 жыл бас бостандығынан айыру жазасы тағайындалды", "", {KUD}),
    ("kk", "Күдебаевтың ісі Талдықорғанда қаралып жатыр", "Сотқа куәгерлер шақырылды.", {KUD}),
    (
        "en",
        "Former Almaty region police chief Kudebayev extradited from Turkey",
        "General Serik Kudebaev fled Kazakhstan in March while on trial.",
        {KUD},
    ),
    # --- Koshmambet
    (
        "ru",
        "Дело о пытках в Кошмамбете: шестерых полицейских приговорили к трем годам",
        "Карасайский районный суд признал виновными бывших сотрудников полиции; среди потерпевших "
        "— кыргызский джазмен Викрам Рузахунов.",
        {KOSH},
    ),
    (
        "ru",
        "Рузахунов потребовал 61 млн тенге компенсации",
        "Суд частично удовлетворил иск.",
        {KOSH},
    ),
    (
        "kk",
        "Қошмамбеттегі азаптау ісі: Қарасай аудандық соты үкім шығарды",
        "Алты бұрынғы полицей үш жылға сотталды.",
        {KOSH},
    ),
    (
        "en",
        "Koshmambet torture trial: defence witness Totybayev blames Astana",
        "The former Qarasay district police chief testified for the defence of Berik Abilbekov.",
        {KOSH},
    ),
    (
        "en",
        "Kyrgyz jazz musician Ruzakhunov's torturers sentenced",
        "Six officers who beat detainees in a special detention centre during Bloody January were jailed.",
        {KOSH, JAN},
    ),
    # --- January 2022 torture, anywhere
    (
        "ru",
        "В Алматы осудили сотрудников ИВС за пытки задержанных во время январских событий",
        "Двое полицейских получили по пять лет.",
        {JAN},
    ),
    (
        "kk",
        "Қаңтар оқиғасы кезінде азапталған азаматтар өтемақы талап етті",
        "Құқық қорғаушылар 190-нан астам адамның азапталғанын айтады.",
        {JAN},
    ),
    (
        "en",
        "Kazakhstan: No accountability for torture after Bloody January, HRW says",
        "Human Rights Watch said few officers have been prosecuted.",
        {JAN},
    ),
    (
        "en",
        "Semey court hears torture claims from January unrest detainees",
        "Defendants said they were beaten with batons.",
        {JAN},
    ),
]


@pytest.mark.parametrize(("lang", "title", "summary", "expected"), ALERTS)
def test_alerts_for_the_right_cases(
    matcher: Matcher, lang: str, title: str, summary: str, expected: set[str]
) -> None:
    found = {m.case for m in matcher.match({"title": title, "summary": summary})}
    assert found == expected, f"[{lang}] {title}"


QUIET = [
    ("ru", "В Талдыкоргане открыли новый ледовый дворец", "Аким города перерезал ленточку."),
    ("ru", "Талдыкорган: полицейские задержали угонщика", "Машину нашли через два часа."),
    (
        "ru",
        "В Шымкенте полицейских осудили за пытки и смерть задержанного",
        "Суд назначил от 2 до 7 лет.",
    ),
    (
        "ru",
        "Присяжные оправдали сотрудников колонии в Атбасаре",
        "Их обвиняли в пытках осужденных по статье 146 УК.",
    ),
    (
        "ru",
        "Полицейские пытались остановить нарушителя",
        "В Талдыкоргане водитель скрылся от патруля.",
    ),
    ("ru", "Курс тенге укрепился", "Аналитик Виктор Ким ожидает стабилизации."),
    ("kk", "Талдықорғанда жаңа саябақ ашылды", "Қала тұрғындары демалыс орнына қуанышты."),
    ("kk", "15 қаңтарда Талдықорғанда аяз күшейеді", "Синоптиктер ескертті."),
    ("kk", "Шымкентте қамаудағы адамды азаптаған полицейлер сотталды", "2023 жылғы оқиға."),
    ("en", "Taldykorgan hosts regional football final", "Zhetysu won 2-1."),
    ("en", "Tenge weakens as oil prices slide", "Analyst Alexander Kimov expects volatility."),
    (
        "en",
        "Ten years on, Zhanaozen victims still seek answers",
        "Police tortured detainees in 2011.",
    ),
    ("en", "Kim Jong Un accused of torture in UN report", "The report covers prison camps."),
    ("en", "Atbasar colony torture: jury acquits 12 guards", "Prosecutors will appeal."),
]


@pytest.mark.parametrize(("lang", "title", "summary"), QUIET)
def test_stays_quiet(matcher: Matcher, lang: str, title: str, summary: str) -> None:
    found = [m.reason() for m in matcher.match({"title": title, "summary": summary})]
    assert found == [], f"[{lang}] {title}: {found}"


def test_reason_reads_well_for_an_alert(matcher: Matcher) -> None:
    [match] = matcher.match(
        {
            "title": "Пытки в Талдыкоргане: суд вынес приговор",
            "summary": "Осуждены трое полицейских",
        }
    )
    assert match.case == TK
    assert match.reason() == (
        "keyword 'пытки' in title; context 'Талдыкорган' (as 'Талдыкоргане') in title"
    )
