"""Header words of hearing tables (ru/kk/en): what a column header says for each field.

Data only, read by :mod:`pipeline.parse.tables`: headers are compared after
:func:`pipeline.parse.tables.normalize_header` (lower case, ё→е, «№» → ``no``, punctuation dropped),
so write them plain.
"""

from __future__ import annotations

import re

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": (
        "дата", "дата слушания", "дата рассмотрения", "дата заседания", "дата судебного заседания",
        "день", "число", "күні", "отырыс күні", "қаралатын күні", "қарау күні", "сот отырысының күні",
        "date", "hearing date", "date of hearing", "day",
    ),
    "datetime": (
        "дата и время", "дата время", "дата и время рассмотрения", "дата и время слушания",
        "дата и время заседания", "дата и время судебного заседания", "время и дата",
        "күні мен уақыты", "күні және уақыты", "күні уақыты", "уақыты мен күні",
        "date and time", "date time", "hearing date and time", "when",
    ),
    "time": (
        "время", "время рассмотрения", "время слушания", "время заседания", "время начала",
        "начало", "уақыты", "уақыт", "басталу уақыты", "отырыс уақыты",
        "time", "start time", "hearing time", "start",
    ),
    "case_number": (
        "номер дела", "no дела", "дело no", "дело", "номер судебного дела", "уникальный номер дела",
        "номер производства", "іс нөмірі", "істің нөмірі", "іс no", "no іс", "іс",
        "case no", "case number", "case", "docket", "docket no", "docket number", "case id",
        "case reference", "file no", "index no",
    ),
    "judge": (
        "судья", "фио судьи", "судья фио", "председательствующий", "председательствующий судья",
        "судья докладчик", "состав суда", "судьяның аты жөні", "судья аты жөні",
        "төрағалық етуші", "төрағалық етуші судья", "судьялар",
        "judge", "presiding judge", "justice", "magistrate", "judges", "bench",
    ),
    "parties": (
        "стороны", "стороны по делу", "участники процесса", "участники", "участники дела",
        "лица участвующие в деле", "истец ответчик", "истец", "подсудимый", "подсудимые",
        "фио подсудимого", "обвиняемый", "обвиняемые", "заявитель", "тараптар", "іс тараптары",
        "процесс қатысушылары", "іске қатысушылар", "қатысушылар", "талапкер жауапкер",
        "сотталушы", "айыпталушы", "parties", "party", "defendant", "defendants", "accused",
        "case name", "case title", "title", "plaintiff defendant", "parties to the case",
    ),
    "category": (
        "категория", "категория дела", "категория спора", "статья", "статья ук", "статьи",
        "суть дела", "существо дела", "сущность дела", "предмет спора", "квалификация",
        "санаты", "іс санаты", "істің санаты", "бабы", "бап", "істің мәні", "дау мәні",
        "category", "charges", "charge", "offence", "offense", "offences", "nature of case",
        "case type", "subject", "subject matter", "article",
    ),
    "courtroom": (
        "зал", "зал судебного заседания", "зал заседания", "зал заседаний", "номер зала",
        "кабинет", "каб", "место проведения", "место рассмотрения", "сот залы",
        "сот отырысының залы", "отырыс залы", "өтетін орны", "орны",
        "courtroom", "court room", "room", "courtroom no", "location", "venue", "hall",
    ),
    "status": (
        "статус", "результат", "результат рассмотрения", "состояние", "мәртебесі", "мәртебе",
        "нәтиже", "нәтижесі", "қарау нәтижесі", "status", "result", "outcome", "disposition",
    ),
    "stage": (
        "стадия", "стадия процесса", "стадия рассмотрения", "вид производства", "инстанция",
        "этап", "сатысы", "кезеңі", "өндіріс түрі", "stage", "hearing type", "type of hearing",
        "proceeding", "proceedings", "phase",
    ),
}  # fmt: skip
"""Field → headers that name it (an exact match scores highest; see ``field_scores``)."""
_FILED = r"(?<!\w)(?:поступ|регистр|рожд|вынесен|тіркел|түск|filed|filing|birth|regist)"
EXCLUDE = {
    "date": re.compile(_FILED),
    "datetime": re.compile(_FILED),
    "time": re.compile(_FILED),
    "case_number": re.compile(r"(?<!\w)п ?п(?!\w)"),
}
"""Header words that rule a field out: a filing date is not the hearing date, «№ п/п» is a row."""
