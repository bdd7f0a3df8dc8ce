"""What the fake office.sud.kz (:mod:`support.jsf_server`) prints, and the data it prints.

The courts and rows a test sets, the session the site keeps per JSESSIONID, and the HTML:
the schedule page with its filter form, the boxes a partial-ajax answer re-renders, the
result table (Russian or Kazakh headers, a layout per court, a datascroller past
``page_size`` rows) and the partial responses themselves.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

PAGE_PATH = "/new/scheduleOfCases/index.xhtml"
PLACEHOLDER = {"ru": "-- Выберите --", "kk": "-- Таңдаңыз --"}
EMPTY = {
    "ru": "По указанным данным ничего не найдено",
    "kk": "Көрсетілген деректер бойынша ештеңе табылмады",
}
REGIONS = {
    "2": {"ru": "город Астана", "kk": "Астана қаласы"},
    "22": {"ru": "область Жетісу", "kk": "Жетісу облысы"},
}
CASE_TYPES = {
    "CRIMINAL": {"ru": "Уголовные дела", "kk": "Қылмыстық істер"},
    "CIVIL": {"ru": "Гражданские дела", "kk": "Азаматтық істер"},
    "APPK": {"ru": "Административные дела (АППК)", "kk": "Әкімшілік істер (ӘРПК)"},
}
COLUMNS = ("date", "time", "case_number", "judge", "parties", "category", "courtroom", "secretary")
HEADERS = {
    "ru": ("Дата", "Время", "Номер дела", "Судья", "Участники процесса", "Категория дела",
           "Зал судебного заседания", "Секретарь судебного заседания"),
    "kk": ("Күні", "Уақыты", "Іс нөмірі", "Судья", "Процесс қатысушылары", "Іс санаты",
           "Сот отырысының залы", "Сот отырысының хатшысы"),
}  # fmt: skip
LAYOUTS = {
    "standard": ("date", "time", "case_number", "judge", "parties", "category", "courtroom"),
    "reordered": (
        "case_number",
        "time",
        "date",
        "parties",
        "judge",
        "secretary",
        "category",
        "courtroom",
    ),
}
"""Columns of each table layout; ``reordered`` also has a column no field names."""
TITLE = {"ru": "График судебных заседаний", "kk": "Сот отырыстарының кестесі"}
STEP_SUFFIXES = (("district-field", "region"), ("court-field", "court"), ("caseType-field", "case_type"),
                 ("date-field", "date"), (":search", "search"), ("_ds_", "page"), ("f_l_temp:", "language"))  # fmt: skip
LANGUAGE_TRIGGERS = {"f_l_temp:js_temp_1": "ru", "f_l_temp:js_temp_2": "kk"}


@dataclass(frozen=True, slots=True)
class Court:
    id: str
    names: dict[str, str]
    region: str
    case_types: tuple[str, ...] = ("CRIMINAL", "CIVIL", "APPK")
    layout: str = "standard"


@dataclass(frozen=True, slots=True)
class Row:
    """One hearing as the site prints it (any string, even a bad date)."""

    date: str = ""
    time: str = ""
    case_number: str = ""
    judge: str = ""
    parties: str = ""
    category: str = ""
    courtroom: str = ""
    secretary: str = ""
    case_type: str = ""
    """When set, the row shows only under that case type."""


@dataclass
class Session:
    id: str
    view_state: str
    language: str = "ru"
    region: str = ""
    court: str = ""
    case_type: str = ""
    date: str = ""
    page: int = 1


@dataclass(frozen=True, slots=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drop: bool = False


class SchedulePage:
    """The rendering half of :class:`~support.jsf_server.FakeSite`: what its page and its
    partial answers print for a session."""

    ids: dict[str, str]
    broken: set[str]
    courts: dict[str, Court]
    rows: dict[tuple[str, str], list[Row]]
    page_size: int

    def page(self, session: Session) -> str:
        ids, lang = self.ids, session.language
        label = {"ru": ("Регион", "Суд", "Категория дела", "Дата", "Поиск", "Показать"),
                 "kk": ("Өңір", "Сот", "Іс санаты", "Күні", "Іздеу", "Көрсету")}[lang]  # fmt: skip
        script = "".join(
            f'select{name}=function(param1){{RichFaces.ajax("{trigger}",null,{{"parameters":{{"param1":param1}}}} );return false;}};'
            for trigger, name in (
                ("f_l_temp:js_temp_1", "LanguageRu"),
                ("f_l_temp:js_temp_2", "LanguageKk"),
            )
        )
        region = _select(
            ids["region"],
            [("", PLACEHOLDER[lang]), *((k, v[lang]) for k, v in REGIONS.items())],
            session.region,
        )
        return f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="{lang}"><head><meta charset="UTF-8" /><title>{TITLE[lang]}</title>
<script type="text/javascript">{script}</script></head><body>
<form id="f_l_temp" name="f_l_temp" method="post" action="{PAGE_PATH}" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="f_l_temp" value="f_l_temp" /><span id="f_l_temp:js_temp_1" style="display:none;"></span><span id="f_l_temp:js_temp_2" style="display:none;"></span>
<input type="hidden" name="javax.faces.ViewState" id="j_id1:javax.faces.ViewState:0" value="{session.view_state}" autocomplete="off" />
</form>
<div class="lang"><a href="#" onclick="selectLanguageRu(window.location);return false;">Рус</a> <a href="#" onclick="selectLanguageKk(window.location);return false;">Қаз</a></div>
<h1>{TITLE[lang]}</h1>
<form id="{ids["form"]}" name="{ids["form"]}" method="post" action="{PAGE_PATH}" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="{ids["form"]}" value="{ids["form"]}" />
<div id="{ids["group"]}"><span id="{ids["region_box"]}"><label for="{ids["region"]}">{label[0]}</label>{region}</span>
{self._court_box(session, label[1])}</div>
{self._type_box(session, label[2])}
{self._date_box(session, label[3])}
<span id="{ids["buttons"]}"><button id="{ids["search"]}" name="{ids["search"]}" type="submit" onclick="RichFaces.ajax(this,event,{{}});return false;">{label[4]}</button><button id="{ids["final"]}" name="{ids["final"]}" type="submit" onclick="RichFaces.ajax(this,event,{{}});return false;">{label[5]}</button></span>
<div id="{ids["results"]}"></div>
<input type="hidden" name="javax.faces.ViewState" id="j_id1:javax.faces.ViewState:1" value="{session.view_state}" autocomplete="off" />
</form></body></html>
"""

    def _court_box(self, session: Session, label: str = "Суд") -> str:
        lang = session.language
        courts = [(c.id, c.names[lang]) for c in self.courts.values() if c.region == session.region]
        select = _select(self.ids["court"], [("", PLACEHOLDER[lang]), *courts], session.court)
        return f'<span id="{self.ids["court_box"]}"><label for="{self.ids["court"]}">{label}</label>{select}</span>'

    def _type_box(self, session: Session, label: str = "Категория дела") -> str:
        court = self.courts.get(session.court)
        types = court.case_types if court else ()
        options = [
            ("", PLACEHOLDER[session.language]),
            *((t, CASE_TYPES[t][session.language]) for t in types),
        ]
        select = _select(self.ids["case_type"], options, session.case_type)
        return f'<span id="{self.ids["type_box"]}"><label for="{self.ids["case_type"]}">{label}</label>{select}</span>'

    def _date_box(self, session: Session, label: str = "Дата") -> str:
        ident = self.ids["date"]
        return (f'<span id="{self.ids["date_box"]}"><label for="{ident}">{label}</label><input id="{ident}" '
                f'name="{ident}" type="text" value="{html.escape(session.date)}" class="datepicker" /></span>')  # fmt: skip

    def _results(self, session: Session) -> str:
        rows = [r for r in self.rows.get((session.court, session.date), [])
                if not r.case_type or not session.case_type or r.case_type == session.case_type]  # fmt: skip
        box = self.ids["results"]
        if "results-table" in self.broken:
            return f'<div id="{box}"><div class="notice">Сервис временно недоступен</div></div>'
        if not rows:
            return f'<div id="{box}"><div class="empty-result"><p>{EMPTY[session.language]}</p></div></div>'
        court = self.courts[session.court]
        columns = LAYOUTS[court.layout]
        headers = dict(zip(COLUMNS, HEADERS[session.language], strict=True))
        pages = max(1, -(-len(rows) // self.page_size))
        shown = rows[(session.page - 1) * self.page_size : session.page * self.page_size]
        head = "".join(f'<th class="rf-dt-hdr-c">{html.escape(headers[c])}</th>' for c in columns)
        body = "".join(
            '<tr class="rf-dt-r">'
            + "".join(f'<td class="rf-dt-c">{_cell(getattr(r, c))}</td>' for c in columns)
            + "</tr>"
            for r in shown
        )
        table = (f'<table id="{self.ids["table"]}" class="rf-dt"><thead class="rf-dt-thd"><tr class="rf-dt-hdr">{head}</tr>'
                 f'</thead><tbody id="{self.ids["table"]}:tb" class="rf-dt-b">{body}</tbody></table>')  # fmt: skip
        pager = self._scroller(session.page, pages) if pages > 1 else ""
        if "pager" in self.broken and session.page > 1:
            pager = ""
        return f'<div id="{box}">{table}{pager}</div>'

    def _scroller(self, page: int, pages: int) -> str:
        ds = self.ids["ds"]
        if "pager-markup" in self.broken:  # PrimeFaces-like: no ids, so nothing to click by id
            links = "".join(
                f'<a class="ui-paginator-page" href="#">{n}</a>' for n in range(1, pages + 1)
            )
            return f'<div class="ui-paginator">{links}<a class="ui-paginator-next" href="#">»</a></div>'

        numbers = "".join(
            f'<span class="rf-ds-nmb-btn rf-ds-act" id="{ds}_ds_{n}">{n}</span>' if n == page
            else f'<a class="rf-ds-nmb-btn" href="javascript:void(0);" id="{ds}_ds_{n}">{n}</a>'
            for n in range(1, pages + 1)
        )  # fmt: skip
        if page < pages:
            nxt = f'<a class="rf-ds-btn rf-ds-btn-next" href="javascript:void(0);" id="{ds}_ds_next">»</a>'
        else:
            nxt = f'<span class="rf-ds-btn rf-ds-btn-next rf-ds-dis" id="{ds}_ds_next">»</span>'
        return f'<span class="rf-ds" id="{ds}">{numbers}{nxt}</span>'


def _select(ident: str, options: list[tuple[str, str]], selected: str) -> str:
    mark = ' selected="selected"'
    rendered = "".join(
        f'<option value="{html.escape(v)}"{mark if v == selected and v else ""}>{html.escape(t)}</option>'
        for v, t in options
    )
    return (f'<select id="{ident}" name="{ident}" size="1" onchange="RichFaces.ajax(this,event,'
            f'{{&quot;parameters&quot;:{{&quot;javax.faces.behavior.event&quot;:&quot;change&quot;}}}} )">{rendered}</select>')  # fmt: skip


def _cell(text: str) -> str:
    return "<br />".join(html.escape(line) for line in text.split("\n"))


def partial_response(updates: Iterable[tuple[str, str]]) -> Answer:
    """A partial-ajax answer replacing each (element id, HTML) of ``updates``."""
    parts = "".join(
        f'<update id="{i}"><![CDATA[{c.replace("]]>", "]]]]><![CDATA[>")}]]></update>'
        for i, c in updates
    )
    body = f"<?xml version='1.0' encoding='UTF-8'?>\n<partial-response id=\"j_id1\"><changes>{parts}</changes></partial-response>"
    return Answer(200, {"Content-Type": "text/xml;charset=UTF-8"}, body.encode())


def expired() -> Answer:
    """JSF's answer to a partial request on a view it cannot restore."""
    body = ("<?xml version='1.0' encoding='UTF-8'?>\n<partial-response id=\"j_id1\"><error>"
            "<error-name>class javax.faces.application.ViewExpiredException</error-name><error-message><![CDATA["
            f"viewId:{PAGE_PATH} - View {PAGE_PATH} could not be restored.]]></error-message></error></partial-response>")  # fmt: skip
    return Answer(200, {"Content-Type": "text/xml;charset=UTF-8"}, body.encode())
