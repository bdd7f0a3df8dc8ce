"""Date, time and sentence patterns of :mod:`pipeline.parse.announced` (ru, kk, en); data only.

Each pattern carries its own flags: dates are matched in the sentence as printed.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE
_W = r"[^\W\d_]"

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
US_DATE_RE = re.compile(
    r"(?<![\d/])(?P<mon>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4}|\d{2})(?![\d/])"
)
"""10/18/2013: month first, as US courts print it; read in English text only."""
RELATIVE_RE = re.compile(
    r"(?<!\w)(?:(?P<two>послезавтра|бүрсігүні)|(?P<one>завтра|tomorrow|ертең)"
    r"|(?P<zero>сегодня|today|бүгін))(?!\w)",
    _I,
)
WEEKDAY_RE = re.compile(
    r"(?<!\w)(?:(?P<last>прошл\w+|last|өткен)\s+|(?P<next>следующ\w+|next|келесі)\s+)?"
    r"(?P<wd>понедельник\w*|вторник\w*|сред[ауы]|четверг\w*|пятниц\w*|суббот\w*|воскресень\w*"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі)(?:[дгтк][еіа]|күні)?(?!\w)",
    _I,
)
WEEKDAY_KEYS = (
    ("пон", 0), ("вто", 1), ("сре", 2), ("чет", 3), ("пят", 4), ("суб", 5), ("вос", 6),
    ("mon", 0), ("tue", 1), ("wed", 2), ("thu", 3), ("fri", 4), ("sat", 5), ("sun", 6),
    ("дүй", 0), ("сей", 1), ("сәр", 2), ("бей", 3), ("жұм", 4), ("сен", 5), ("жек", 6),
)  # fmt: skip
SPAN_RE = re.compile(
    r"(?<!\w)(?:(?:на|for|by)\s+(?P<n>\d|одну|две|три|четыре|a|one|two|three|four)\s+"
    r"(?:недел[юиь]|weeks?)|на\s+(?P<week>неделю)|(?P<kk>бір|екі|үш|\d)\s+аптаға)(?!\w)",
    _I,
)
"""A move by whole weeks («перенес на две недели», «бір аптаға шегерілді»), counted from
publication; taken only after a postponing verb."""
SPAN_WORDS = {"одну": 1, "две": 2, "три": 3, "четыре": 4, "a": 1, "one": 1, "two": 2,
              "three": 3, "four": 4, "бір": 1, "екі": 2, "үш": 3, "неделю": 1}  # fmt: skip
NAMED_DAY_GAP = re.compile(r"[\s,()–—-]*$")
"""What may stand between a named day («вторник», "tomorrow") and the date it names."""
NOT_A_HEARING_DATE = re.compile(
    r"(?:\bот|родил\w*|родивш\w*|рожд\w*|\bborn(?:\s+on)?|туған|dated|\b(?:started|began|opened|held"
    r"|took\s+place|arrested|detained|convicted|sentenced)(?:\s+on)?|начавш\w+|начал\w*"
    r"|задержан\w*|арестован\w*|осужден\w*|приговорен\w*|произошл\w*|погиб\w*|убит\w*)\s*$",
    _I,
)
"""Before a date: the day of something done (born, started, arrested), not of a hearing."""
TIME_AFTER = re.compile(
    r"[\s,]*(?:(?:года|г\.|жылы|ж\.)[\s,]*)?(?:(?:в|во|на|до|at|from)\s+)?(?P<sagat>сағат\s+)?"
    r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?!\d)\s*(?:(?P<ap>[ap])\.?\s?m\b\.?|(?P<hours>час"
    + _W
    + r"*)(?:\s+(?P<part>утра|дня|вечера))?)?",
    _I,
)
TIME_BEFORE = re.compile(
    r"(?:\bat|\bв|\bдо|сағат)\s+(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?:(?P<ap>[ap])\.?\s?m\b\.?)?"
    r"[\s,]*(?:on\s+)?$",
    _I,
)
NOON_AFTER = re.compile(r"[\s,]*(?:в\s+полдень|at\s+(?:noon|midday)|түсте)\b", _I)
TIME_ONLY = re.compile(
    r"(?<!\w)(?:в|во|до|к|на|at|until|till|from|сағат)\s+(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?"
    r"(?!\d)\s*(?:(?P<ap>[ap])\.?\s?m\b\.?|(?P<hours>час" + _W + r"*))?",
    _I,
)
"""A time with no date in the sentence: the hearing goes on that day («продолжится в 14.30»)."""

# --- sentences -------------------------------------------------------------------------------

BREAK_RE = re.compile(
    r"[.!?…]+[\"»”')]*\s+(?=[\"«“(\-–—]*[0-9A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])|[\n\u2028\u2029]+\s*"
)
ABBREVIATION_RE = re.compile(
    r"(?:^|[\s(.])(?:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]|г|гг|ст|ч|п|пп|им|см|ул|т\.е|т\.д|т\.п|тел|Mr|Mrs|Ms|Dr"
    r"|St|No|Art|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|ж|жж)\.$",
    _I,
)
YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
