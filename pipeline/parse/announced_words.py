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
    "ru": r"заседани|слушани|рассмотрени|разбирательств|процесс|приговор(?:а|у|ом|е|ы)?\b|оглашени"
    r"|прени[ея]|\bсуд(?:а|у|ом|е|ы|ов)?\b|\bсудебн|\bсудь[яиюе]\b|\bдел[оау]\b|\bсторон[ыа]\b"
    r"|подсудим",
    "kk": r"отырыс|\bсот(?:ы|қа|та|тың|тан|пен)?\b|\b[іi]с(?:[іi]|т[іi]|ке|т[іi]ң|те)?\b|үк[іi]м"
    r"|тыңдал|қарау|процес",
    "en": r"\b(?:hearings?|trials?|verdicts?|sentencing|sessions?|sittings?|case|court|proceedings"
    r"|ruling|judg(?:e)?ment|arraignment|appeal)\b",
}
SCHEDULED = {
    "ru": r"\b(?:назначен[оаы]?|назначил[аи]?|назначит|назначат|состоится|состоятся"
    r"|продолжится|продолжатся|продолжит|продолжат|возобновится|возобновит|начн[её]тся"
    r"|пройд[её]т|стартует|соберутся|ожидается|запланирован[оаы]?|огласит|огласят|вынесет"
    r"|рассмотрит|следующ"
    + _W
    + r"+\s+(?:судебн"
    + _W
    + r"+\s+)?(?:заседани|слушани)"
    + _W
    + r"*|будет\s+(?:оглаш|рассмотрен|вынесен"
    r"|продолж|провед)" + _W + r"*)\b",
    "kk": r"\b(?:өт(?:еді|пек|кізіледі|етін" + _W + r"*)|жалғас(?:ады|пақ|тырылады)"
    r"|белгілен(?!бе)" + _W + r"*|тағайындал(?!ма)" + _W + r"*|болады|болмақ|басталады|қаралады"
    r"|қаралмақ|қарайды|жарияланады|күтілуде|жоспарлануда|келесі\s+(?:сот\s+)?отырыс" + _W + r"*)",
    "en": r"\b(?:(?:set|setting)\s+(?:(?:the|a|its|next|new|further|final|hearing|trial|date"
    r"|sentencing|session)\s+)*"
    r"(?:for|to)\b|sets?\s+(?:an?\s+|the\s+)?(?=\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct"
    r"|nov|dec)[a-z]*\.?\s+\d)|scheduled|slated"
    r"|due\b(?!\s+to\b(?!\s+be\b))|resumes?\b|begins|starts|opens|reconvenes?"
    r"|to\s+(?:resume|reconvene|announce|issue|deliver|hand\s+down|pronounce)"
    r"|(?:will|would)\s+(?:be\s+held|take\s+place|begin|start|continue|resume|open|hear|consider"
    r"|announce|issue|deliver|hand\s+down|pronounce|have(?!\s+(?:to|been)\b))"
    r"|going\s+to\s+have|(?:go|goes)\s+on\s+trial|next\s+(?:court\s+)?(?:hearing|session|sitting)"
    r"|is\s+to\s+(?:be\s+held|begin|resume)|expected\s+(?:on|to\s+be)\b"
    r"|(?:presumed|new|next|likely)\s+date\s+(?:is|would\s+be|will\s+be)\b)",
}
POSTPONED = {
    "ru": r"\b(?:отложен[оаы]?|отложил[аи]?|отложит|отложат|перенес[её]н[оаы]?|перенесл[аи]"
    r"|перен[её]с|перенесут|переносится|переносятся|о\s+переносе|приостановлен[оаы]?"
    r"|приостановил[аи]?|объявлен\s+перерыв|объявил[аи]?\s+(?:о\s+)?перерыв\w*"
    r"|объявляет\s+перерыв|не\s+состоял\w*|сорвал\w*|откладыва(?:ется|ются)"
    r"|решил[аи]?\s+(?:отложить|перенести))\b",
    "kk": r"\b(?:кейінге\s+)?(?:қалдыр(?!ыл?ма|ма)" + _W + r"*|шегер(?![іi]л?ме|ме)" + _W + r"*"
    r"|ауыстырыл(?!ма)" + _W + r"*|қалды\b|өтпеді)",
    "en": r"\b(?:adjourned|adjourns|postponed|postpones|delayed|deferred|rescheduled|put\s+off"
    r"|pushed\s+back|moved\s+to|recessed|(?:in\s+)?recess\s+until|continued\s+(?:to|until)"
    r"|did\s+not\s+take\s+place|was\s+(?:cancelled|canceled|called\s+off)"
    r"|decided\s+to\s+(?:postpone|adjourn))\b",
}
INDEFINITE = {
    "ru": r"\bна\s+неопредел[её]нн" + _W + r"+\s+(?:срок|время)|без\s+(?:назначения|указания)"
    r"\s+(?:новой\s+)?даты|до\s+особого\s+распоряжения|бессрочно",
    "kk": r"\bбелгісіз\s+(?:мерзімге|уақытқа)|мерзімсіз",
    "en": r"\bindefinitely|sine\s+die|without\s+(?:setting\s+)?a\s+(?:new\s+)?date|no\s+new\s+date"
    r"|until\s+further\s+notice|(?:for|to)\s+an\s+(?:indefinite|unspecified)\s+(?:time|period"
    r"|date)|until\s+an\s+unspecified\s+date",
}
NEGATED_BEFORE = re.compile(
    r"(?:\bне\s+(?:был[оаи]?\s+|будет\s+)?|\b(?:not|never)\s+(?:been\s+|be\s+)?|n't\s+(?:been\s+)?"
    r"|(?:күшінде|қамауда|өзгеріссіз)\s+|(?:ходатайств|просьб)\w*\s+)$"
)
PAST_BEFORE = re.compile(
    r"(?:\b(?:had\s+been|which\s+was|that\s+was|originally|initially|previously)"
    r"(?:\s+\w+)?\s+"
    r"|(?:первоначально|изначально)\s+(?:\w+\s+){0,2}|планировалось,?\s+(?:что\s+)?"
    r"(?:\w+\s+){0,2}|предполагалось,?\s+(?:что\s+)?(?:\w+\s+){0,2})$"
)
"""Before a verb: a plan that was («had been scheduled», «планировалось, что … будет»)."""
PAST_WAS = re.compile(r"\b(?:was|were)\s+$")
"""Before «scheduled to», «due to»: a plan that was, when «to» follows the verb; before
«scheduled for» with a day already past this year, the day that was."""
PRONOUN = re.compile(r"\b(?:it|they|он[оаи]?|ол|олар)\b")
"""A sentence with no hearing word of its own may name the hearing of the one before it
("… has been adjourned again. This time, it has been scheduled for 9 October.")."""
FOR_THE_DAY = re.compile(r"(?:\s+\w+){0,2}\s+for\s+the\s+(?:day|evening|night)\b")
"""After "adjourned": the sitting ended for the day; the next one is no postponement."""
PAST_AFTER = re.compile(r"[\s,]*(?:келген|еді|болатын)\b")
"""After a Kazakh verb: a past habit («шегеріліп келген еді»), not today's decision."""
KK_IMPLICIT = re.compile(r"(?:кейінге|шегер)")
"""A Kazakh «қалдырды» without a date is «left» (in custody, in force), not «postponed»."""
FUTURE_UNDATED = re.compile(r"(?:отложит|отложат|перенесут)$")
"""«… перенесут» without a date is talk of a postponement, not one."""
_MONTH_WORDS = (
    r"(?:январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*"
    r"|(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december)\b"
)
NOT_A_CANCELLATION = re.compile(
    r"перерыв|recess|(?:на|by|for)\s+(?:\d+\s+|пару\s+|полтора\s+|одн\w+\s+|an?\s+|half\s+an\s+"
    r"|несколько\s+|several\s+|a\s+few\s+|two\s+|три\s+|два\s+)?(?:час|минут|hour|minute)"
    r"|\d+\s*(?:сағат|минут)|for\s+the\s+(?:day|evening|night)|for\s+lunch|на\s+обед"
    r"|(?:на|до|to|until|till)\s+(?:" + _MONTH_WORDS + r")|next\s+(?:week|month)"
    r"|следующ\w+\s+недел|келесі\s+апта"
)
"""A recess, a delay of hours or a move to a named month or week is not a postponement a
monitor is alerted to as a cancellation."""
SHORT_BREAK = re.compile(
    r"обед|техническ\w*\s+перерыв|минут|на\s+час|lunch|technical\s+(?:break|recess)|minutes?\b"
    r"|\bfor\s+an\s+hour"
)
"""A break of minutes: the time after it is not a hearing to announce."""
TRIGGERS = {
    "ru": (
        "назначен", "назначил", "назначит", "назначат", "состоится", "состоятся", "продолжит",
        "продолжат", "возобновит", "начнет", "начнёт", "пройдет", "пройдёт", "стартует", "заплан",
        "огласит", "огласят", "вынесет", "рассмотрит", "следующ", "будет огла", "будет рассм",
        "будет вынес", "будет продол", "будет пров", "соберутся", "ожидается", "отлож", "перенес", "перенёс", "перенос",
        "приостанов", "перерыв", "неопредел", "указания", "особого", "бессрочно", "не состоял",
        "сорвал", "откладыва", "решил", "решила", "решили",
    ),
    "kk": (
        "өтеді", "өтпек", "өткіз", "өтетін", "жалғас", "белгілен", "тағайындал", "болады",
        "болмақ", "басталады", "қарал", "қарайды", "жарияланады", "күтілуде", "жоспарлануда", "келесі", "қалдыр", "қалды",
        "шегер", "ауыстырыл", "белгісіз", "мерзімсіз", "өтпеді",
    ),
    "en": (
        "set ", "sets ", "schedul", "slated", "due", "resum", "begins", "starts", "opens",
        "reconvene", "will ", "would ", "to announce", "to issue", "to deliver", "to hand down",
        "to pronounce", "going to have", "on trial",
        "next ", "is to ", "expected on", "expected to be", "date is", "date would", "date will", "adjourn", "postpon", "delay",
        "defer", "put off", "pushed back", "moved to", "recess", "indefinitely", "sine die",
        "without a", "without setting", "no new date", "further notice", "indefinite",
        "unspecified", "setting ", "continued", "did not take place", "cancel", "called off", "decided to",
    ),
}  # fmt: skip
"""Words each verb above contains (lower case, single spaces): ``str.find`` for each is far
cheaper than the verb regex over the whole text, and most articles contain none of them."""
DIRECTION = {"ru": 1, "kk": -1, "en": 1}
"""Where the date stands from the verb: after it (1) in Russian and English, before it (-1) in
Kazakh, where the verb ends the clause."""
