"""Words and date patterns of :mod:`pipeline.parse.announced` (ru, kk, en); data only.

The vocabulary (nouns, scheduling and postponing verbs, their trigger words) is matched against
lower-cased text, without IGNORECASE; the date and time patterns carry their own flags.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE
_W = r"[^\W\d_]"

# --- vocabulary ------------------------------------------------------------------------------

NOUNS = {
    "ru": r"заседани|слушани|рассмотрени|процесс|приговор(?:а|у|ом|е|ы)?\b|оглашени|прени[ея]"
    r"|\bсуд(?:а|у|ом|е|ы|ов)?\b|\bсудебн|\bсудь[яиюе]\b|\bдел[оау]\b",
    "kk": r"отырыс|\bсот(?:ы|қа|та|тың|тан|пен)?\b|\b[іi]с(?:[іi]|т[іi]|ке|т[іi]ң|те)?\b|үк[іi]м"
    r"|тыңдал|қарау",
    "en": r"\b(?:hearings?|trials?|verdicts?|sentencing|sessions?|case|court|proceedings"
    r"|ruling|judg(?:e)?ment|arraignment|appeal)\b",
}
SCHEDULED = {
    "ru": r"\b(?:назначен[оаы]?|назначил[аи]?|назначит|назначат|состоится|состоятся"
    r"|продолжится|продолжатся|продолжит|продолжат|возобновится|возобновит|начн[её]тся"
    r"|пройд[её]т|запланирован[оаы]?|огласит|вынесет|рассмотрит|следующ"
    + _W
    + r"+\s+(?:судебн"
    + _W
    + r"+\s+)?(?:заседани|слушани)"
    + _W
    + r"*|будет\s+(?:оглаш|рассмотрен|вынесен"
    r"|продолж|провед)" + _W + r"*)\b",
    "kk": r"\b(?:өт(?:еді|пек|кізіледі)|жалғас(?:ады|пақ|тырылады)|белгілен(?!бе)" + _W + r"*"
    r"|тағайындал(?!ма)" + _W + r"*|болады|болмақ|басталады|қаралады|қаралмақ|қарайды|жарияланады"
    r"|келесі\s+(?:сот\s+)?отырыс" + _W + r"*)",
    "en": r"\b(?:set\s+(?:(?:the|a|its|next|new|further|final|hearing|trial|date|session)\s+)*"
    r"(?:for|to)\b|scheduled|slated|due\b(?!\s+to\b(?!\s+be\b))|resumes?\b"
    r"|to\s+resume|will\s+(?:be\s+held|take\s+place|begin|start|continue|resume|open|hear"
    r"|consider)|next\s+(?:court\s+)?(?:hearing|session)"
    r"|is\s+to\s+(?:be\s+held|begin|resume)|expected\s+(?:on|to\s+be\s+(?:delivered|announced"
    r"|handed\s+down)))",
}
POSTPONED = {
    "ru": r"\b(?:отложен[оаы]?|отложил[аи]?|отложит|отложат|перенес[её]н[оаы]?|перенесл[аи]"
    r"|перен[её]с|перенесут|приостановлен[оаы]?|приостановил[аи]?|объявлен\s+перерыв"
    r"|объявил[аи]?\s+перерыв)\b",
    "kk": r"\b(?:кейінге\s+)?(?:қалдыр(?!ыл?ма|ма)" + _W + r"*|шегер(?![іi]л?ме|ме)" + _W + r"*"
    r"|ауыстырыл(?!ма)" + _W + r"*)",
    "en": r"\b(?:adjourned|adjourns|postponed|postpones|delayed|deferred|rescheduled|put\s+off"
    r"|pushed\s+back|moved\s+to|recessed)\b",
}
INDEFINITE = {
    "ru": r"\bна\s+неопредел[её]нн" + _W + r"+\s+(?:срок|время)|без\s+(?:назначения|указания)"
    r"\s+(?:новой\s+)?даты|до\s+особого\s+распоряжения|бессрочно",
    "kk": r"\bбелгісіз\s+(?:мерзімге|уақытқа)|мерзімсіз",
    "en": r"\bindefinitely|sine\s+die|without\s+(?:setting\s+)?a\s+(?:new\s+)?date|no\s+new\s+date"
    r"|until\s+further\s+notice",
}
NEGATED_BEFORE = re.compile(
    r"(?:\bне\s+(?:был[оаи]?\s+|будет\s+)?|\b(?:not|never)\s+(?:been\s+|be\s+)?|n't\s+(?:been\s+)?"
    r"|(?:күшінде|қамауда|өзгеріссіз)\s+)$"
)
KK_IMPLICIT = re.compile(r"(?:кейінге|шегер)")
"""A Kazakh «қалдырды» without a date is «left» (in custody, in force), not «postponed»."""
NOT_A_CANCELLATION = re.compile(
    r"перерыв|recess|(?:на|by|for)\s+(?:\d+\s+|пару\s+|полтора\s+|одн\w+\s+|an?\s+|half\s+an\s+"
    r"|несколько\s+|a\s+few\s+|two\s+|три\s+|два\s+)?(?:час|минут|hour|minute)|\d+\s*(?:сағат|минут)"
)
"""A recess or a delay of hours is not a postponement a monitor is alerted to."""
TRIGGERS = {
    "ru": (
        "назначен", "назначил", "назначит", "назначат", "состоится", "состоятся", "продолжит",
        "продолжат", "возобновит", "начнет", "начнёт", "пройдет", "пройдёт", "заплан",
        "огласит", "вынесет", "рассмотрит", "следующ", "будет огла", "будет рассм", "будет вынес", "будет продол",
        "будет пров", "отлож", "перенес", "перенёс", "приостанов", "перерыв", "неопредел",
        "указания", "особого", "бессрочно",
    ),
    "kk": (
        "өтеді", "өтпек", "өткіз", "жалғас", "белгілен", "тағайындал", "болады", "болмақ",
        "басталады", "қарал", "қарайды", "жарияланады", "келесі", "қалдыр", "шегер", "ауыстырыл", "белгісіз",
        "мерзімсіз",
    ),
    "en": (
        "set ", "schedul", "slated", "due", "resum", "will be held",
        "will take place", "will begin", "will start", "will continue", "will open", "will hear", "will consider", "next ",
        "is to be held", "is to begin", "expected on", "expected to be", "adjourn", "postpon",
        "delay", "defer", "put off", "pushed back", "moved to", "recess", "indefinitely",
        "sine die", "without a", "without setting", "no new date", "further notice",
    ),
}  # fmt: skip
"""Words each verb above contains (lower case, single spaces): ``str.find`` for each is far
cheaper than the verb regex over the whole text, and most articles contain none of them."""
DIRECTION = {"ru": 1, "kk": -1, "en": 1}
"""Where the date stands from the verb: after it (1) in Russian and English, before it (-1) in
Kazakh, where the verb ends the clause."""

# --- dates -----------------------------------------------------------------------------------

_RU_MONTHS = (
    r"январ[ьяюе]|феврал[ьяюе]|март[аеу]?|апрел[ьяюе]|ма[йяею]|июн[ьяюе]|июл[ьяюе]"
    r"|август[аеу]?|сентябр[ьяюе]|октябр[ьяюе]|ноябр[ьяюе]|декабр[ьяюе]"
)
_KK_MONTHS = (
    r"[қк]а[ңн]тар|а[қк]пан|наурыз|с[әа]у[іi]р|мамыр|маусым|ш[іi]лде|тамыз|[қк]ыр[күу]йек"
    r"|[қк]азан|[қк]араша|желт[оө][қк]сан"
)
_KK_SUFFIXES = (
    r"[дт][аеa][ғг][ыі]|[дтғгқк][аеa]|[ыі]|[нтд][ыі][ңн]|[нтд][аеa]н|[ыі]н[аеa]|[ыі]нд[аеa]"
)
"""Case endings of a Kazakh month name (қазанға, қаңтарда, қазандағы…): a Russian word such as
«казанских» must not read as October."""
_EN_MONTHS = (
    r"(?-i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTH_KEYS_AS_WRITTEN = (
    ("янв", 1), ("фев", 2), ("мар", 3), ("апр", 4), ("ма", 5), ("июн", 6), ("июл", 7),
    ("авг", 8), ("сен", 9), ("окт", 10), ("ноя", 11), ("дек", 12),
    ("қаң", 1), ("каң", 1), ("қан", 1), ("кан", 1), ("ақп", 2), ("акп", 2), ("нау", 3),
    ("сәу", 4), ("сау", 4), ("мамыр", 5), ("маусым", 6), ("шіл", 7), ("шил", 7), ("там", 8),
    ("қыр", 9), ("кыр", 9), ("қаз", 10), ("каз", 10), ("қар", 11), ("кар", 11), ("жел", 12),
    ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6), ("jul", 7),
    ("aug", 8), ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12),
)  # fmt: skip
MONTH_KEYS = tuple(sorted(_MONTH_KEYS_AS_WRITTEN, key=lambda item: -len(item[0])))
"""Longest first: «маусым» (June) must not be read as «ма…» (May)."""
_DAY = r"(?<![\d.,:])(?P<day>\d{1,2})"
DATE_RES = (
    re.compile(_DAY + r"\.(?P<mon>\d{1,2})\.(?P<year>\d{4}|\d{2})(?![\d])(?:\s*(?:года|г\.))?", _I),
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})(?!\d)"),
    re.compile(
        _DAY + r"(?:-?(?:го|е))?\s+(?P<month>" + _RU_MONTHS + r")\b"
        r"(?:\s+(?P<year>\d{4})(?:\s*(?:года|году|г\.))?)?",
        _I,
    ),
    re.compile(
        r"(?:(?P<year>\d{4})\s*(?:жылғы|жылы|ж\.)\s*)?"
        + _DAY
        + r"(?:-?\s*(?:ші|шы|інші|ыншы))?\s*-?\s*(?P<month>"
        + _KK_MONTHS
        + r")(?:"
        + _KK_SUFFIXES
        + r")?(?!\w)(?:\s+күні)?",
        _I,
    ),
    re.compile(
        r"(?<!\w)(?P<month>" + _KK_MONTHS + r")[дтн][ыі][ңн]\s+(?P<day>\d{1,2})(?!\d)"
        r"(?:-?\s*(?:[іi]|ы|с[іi]|шы|ш[іi])(?!\w))?(?:\s+күні)?",
        _I,
    ),
    re.compile(
        _DAY + r"(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>" + _EN_MONTHS + r")\b\.?"
        r"(?:,?\s+(?P<year>\d{4})\b)?",
        _I,
    ),
    re.compile(
        r"\b(?P<month>" + _EN_MONTHS + r")\b\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
        r"(?:,?\s+(?P<year>\d{4})\b)?",
        _I,
    ),
)
RELATIVE_RE = re.compile(
    r"\b(?:(?P<two>послезавтра|бүрсігүні)|(?P<one>завтра|tomorrow|ертең))\b", _I
)
NOT_A_HEARING_DATE = re.compile(r"(?:\bот|родил\w*|рожд\w*|\bborn(?:\s+on)?|туған|dated)\s*$", _I)
TIME_AFTER = re.compile(
    r"[\s,]*(?:(?:года|г\.|жылы|ж\.)[\s,]*)?(?:(?:в|во|на|at|from)\s+)?(?P<sagat>сағат\s+)?"
    r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?!\d)\s*(?:(?P<ap>[ap])\.?\s?m\b\.?|(?P<hours>час"
    + _W
    + r"*)(?:\s+(?P<part>утра|дня|вечера))?)?",
    _I,
)
TIME_BEFORE = re.compile(
    r"(?:\bat|\bв|сағат)\s+(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?:(?P<ap>[ap])\.?\s?m\b\.?)?"
    r"[\s,]*(?:on\s+)?$",
    _I,
)

# --- sentences -------------------------------------------------------------------------------

BREAK_RE = re.compile(
    r"[.!?…]+[\"»”')]*\s+(?=[\"«“(\-–—]*[0-9A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])|[\n\u2028\u2029]+\s*"
)
ABBREVIATION_RE = re.compile(
    r"(?:^|[\s(])(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]|г|гг|ст|ч|п|пп|им|см|ул|т\.е|т\.д|т\.п|тел|Mr|Mrs|Ms|Dr"
    r"|St|No|Art|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|ж|жж)\.$",
    _I,
)
YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
