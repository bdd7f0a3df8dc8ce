"""JSF / RichFaces pages driven by partial-ajax POSTs: the site-independent half of a spider.

Plain data and pure functions, no Spider: the filter form as a browser would hold it
(:class:`Form`: field values, options, ViewState, and the controls' client ids found by the
end of their id, since ``j_idtNN`` prefixes drift between deploys), the body RichFaces sends
for an event, the reading of a ``<partial-response>`` and the result pager.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import parsel
from scrapy.http import Response

Roles = Mapping[str, tuple[str, ...]]
"""Role → suffixes of a control's client id; the first control whose id ends with one wins."""
VIEW_STATE = "javax.faces.ViewState"
VIEW_EXPIRED = "ViewExpiredException"
AJAX_HEADERS = {
    "Faces-Request": "partial/ajax",
    "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
    "X-Requested-With": "XMLHttpRequest",
    "Accept": "*/*",
}
_BUTTON_TYPES = ("submit", "button", "image", "reset")
_SPACE_RE = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True, slots=True)
class Form:
    """The filter form as the browser would hold it: field values, options, ViewState."""

    form_id: str = ""
    view_state: str = ""
    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    options: dict[str, tuple[tuple[str, str], ...]] = dataclasses.field(default_factory=dict)
    ids: dict[str, str] = dataclasses.field(default_factory=dict)
    """Role (see :data:`Roles`) → client id."""


@dataclasses.dataclass(frozen=True, slots=True)
class PagerView:
    """A result page's pager as read (:meth:`Pager.view`)."""

    present: bool
    next: str
    """The id of the control to the next page; "" when there is none (or none readable)."""
    last: int = 0
    """The highest page number the pager prints (0: none)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Pager:
    """How the next result page is found: a control whose id ends with a ``next`` suffix
    (a RichFaces datascroller renders ``…ds_next``), else a link reading the next page number.
    A ``<span>`` or a control with a disabled class/attribute means "no next page"."""

    next_suffixes: tuple[str, ...] = ("ds_next", ":next")
    disabled_classes: tuple[str, ...] = ("rf-ds-dis", "dsbl", "disabled")
    max_pages: int = 50
    pager_classes: tuple[str, ...] = ("rf-ds", "ui-paginator", "pagination", "pager")
    """Class names (or their ``-…`` forms) that mark a pager, read or not."""

    def view(self, html: parsel.Selector, page: int) -> PagerView:
        """What the answer's pager shows on ``page``: whether there is one, the control to
        the next page ("" for none) and the highest page number it prints."""
        nodes = [n for n in html.xpath("//*[@class]") if self._is_pager(n.attrib["class"])]
        texts = [t.strip() for n in nodes  # not a rows-per-page <select>'s "10 20 50"
                 for t in n.xpath(".//text()[not(ancestor::select)]").getall()]  # fmt: skip
        control = self.next_control(html, page)
        marked = any(n.attrib["id"].endswith(self.next_suffixes) for n in html.xpath("//*[@id]"))
        last = max((int(t) for t in texts if t.isdigit()), default=0)
        return PagerView(bool(nodes or control or marked), control, last)

    def _is_pager(self, classes: str) -> bool:
        return any(
            token == mark or token.startswith(f"{mark}-")
            for token in classes.split()
            for mark in self.pager_classes
        )

    def next_control(self, html: parsel.Selector, page: int) -> str:
        for node in html.xpath("//*[@id]"):
            if node.attrib["id"].endswith(self.next_suffixes):
                return "" if self._disabled(node) else node.attrib["id"]
        for node in html.xpath("//a[@id]"):
            if text_of(node) == str(page + 1):
                return node.attrib["id"]
        return ""

    def _disabled(self, node: parsel.Selector) -> bool:
        classes = node.attrib.get("class", "")
        tag = node.root.tag if isinstance(node.root.tag, str) else ""
        return (
            tag not in ("a", "button", "input")
            or "disabled" in node.attrib
            or any(marker in classes for marker in self.disabled_classes)
        )


# ---------------------------------------------------------------- requests


def ajax_headers(url: str) -> dict[str, str]:
    """The headers of a RichFaces ajax POST to the page at ``url``."""
    parts = urlsplit(url)
    return {**AJAX_HEADERS, "Origin": f"{parts.scheme}://{parts.netloc}", "Referer": url}


def ajax_pairs(
    form: Form, source: str, event: str | None, extra: Iterable[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """The body RichFaces sends for an event on ``source``, in the browser's order."""
    pairs = [(form.form_id, form.form_id), *form.fields.items(),
             (VIEW_STATE, form.view_state), ("javax.faces.source", source)]  # fmt: skip
    if event:
        pairs.append(("javax.faces.partial.event", event))
    pairs += [
        ("javax.faces.partial.execute", f"{source} @component"),
        ("javax.faces.partial.render", "@component"),
    ]
    if event == "change":
        pairs.append(("javax.faces.behavior.event", "change"))
    pairs += [("org.richfaces.ajax.component", source), *extra]
    return [
        *pairs,
        ("rfExt", "null"),
        ("AJAX:EVENTS_COUNT", "1"),
        ("javax.faces.partial.ajax", "true"),
    ]


def pick(
    offered: Iterable[tuple[str, str]], wanted: Iterable[str], what: str
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The wanted options in config order (all real options if none named), and the gaps."""
    real = {value: text for value, text in offered if value}
    wanted = tuple(wanted)
    if not wanted:
        return tuple(real.items()), ()
    missing = tuple(f"{what} {value!r} not offered" for value in wanted if value not in real)
    return tuple((value, real[value]) for value in wanted if value in real), missing


# ---------------------------------------------------------------- reading answers


def text_of(node: parsel.Selector) -> str:
    """The node's text, whitespace collapsed."""
    return _SPACE_RE.sub(" ", " ".join(node.xpath(".//text()").getall())).strip()


def is_view_state(update_id: str) -> bool:
    return VIEW_STATE in update_id


def read_form(response: Response, form_suffix: str, roles: Roles) -> Form | None:
    """The form (id ending with ``form_suffix``) of a full page, or None when there is none."""
    if response.status >= 300 or not hasattr(response, "xpath"):
        return None
    form = response.xpath(
        f'//form[substring(@id, string-length(@id) - {len(form_suffix) - 1}) = "{form_suffix}"]'
    )
    view_state = response.xpath(f'//input[@name="{VIEW_STATE}"]/@value').get()
    if not form or view_state is None:
        return None
    return merge_html(Form(form_id=form[0].attrib["id"], view_state=view_state), form[0], roles)


def merge_updates(form: Form, updates: Mapping[str, str], roles: Roles) -> Form:
    """Fold the updates of a partial response (ViewState, re-rendered controls) into ``form``."""
    for key, html in updates.items():
        if is_view_state(key):
            form = dataclasses.replace(form, view_state=html.strip())
        else:
            form = merge_html(form, parsel.Selector(text=f"<div>{html}</div>"), roles)
    return form


def merge_html(form: Form, html: parsel.Selector, roles: Roles) -> Form:
    """Fold the controls of the form found in ``html`` into ``form`` (as a browser's DOM)."""
    fields, options, ids = dict(form.fields), dict(form.options), dict(form.ids)
    prefix = f"{form.form_id}:"
    for node in html.xpath(".//select[@name] | .//input[@name] | .//textarea[@name]"):
        name = node.attrib["name"]
        if name.startswith(prefix) and node.attrib.get("type", "").lower() not in _BUTTON_TYPES:
            _merge_control(node, name, fields, options)
    for node in html.xpath(".//*[@id]"):
        ident = node.attrib["id"]
        for role, suffixes in roles.items():
            if ident.startswith(prefix) and any(ident.endswith(s) for s in suffixes):
                ids.setdefault(role, ident)
    return Form(form.form_id, form.view_state, fields, options, ids)


def _merge_control(
    node: parsel.Selector,
    name: str,
    fields: dict[str, str],
    options: dict[str, tuple[tuple[str, str], ...]],
) -> None:
    """A select's options and chosen value, or an input's/textarea's value, as a browser keeps."""
    tag = node.root.tag
    if tag == "select":
        opts = tuple(
            (o.attrib.get("value", text_of(o)), text_of(o)) for o in node.xpath(".//option")
        )
        chosen = node.xpath(".//option[@selected]/@value").get()
        options[name] = opts
        fields[name] = chosen if chosen is not None else (opts[0][0] if opts else "")
    else:
        fields[name] = node.attrib.get("value", "") if tag == "input" else text_of(node)


def read_partial(response: Response) -> tuple[str, dict[str, str]]:
    """``(problem, {update id: content})`` of a JSF partial response. The problem starts with
    "view expired" for a ViewExpiredException, a redirect (a lost session) or an HTTP 3xx."""
    if 300 <= response.status < 400:
        where = (response.headers.get("Location") or b"").decode("latin-1")
        return f"view expired (HTTP {response.status} to {where or '?'})", {}
    if response.status >= 400:
        return f"HTTP {response.status}", {}
    try:
        doc = parsel.Selector(text=response.text, type="xml")
    except (ValueError, AttributeError):
        return "not a partial response (unreadable XML)", {}
    if not doc.xpath("/partial-response"):
        return "not a partial response (no <partial-response>)", {}
    problem = _partial_problem(doc)
    if problem:
        return problem, {}
    updates = {
        u.attrib.get("id", ""): u.xpath("string()").get("") for u in doc.xpath("//changes/update")
    }
    return "", updates


def _partial_problem(doc: parsel.Selector) -> str:
    """The ``<error>`` or ``<redirect>`` of a partial response, as a problem ("" for none)."""
    error = doc.xpath("/partial-response/error")
    if error:
        name = error.xpath("string(error-name)").get("").strip()
        message = error.xpath("string(error-message)").get("").strip()
        name = name.removeprefix("class ")
        if VIEW_EXPIRED in name:
            return f"view expired ({name})"
        return f"server error ({name}: {message})" if message else f"server error ({name})"
    redirect = doc.xpath("/partial-response/redirect/@url").get()
    if redirect is not None:
        return f"view expired (redirected to {redirect})"
    return ""


def script_trigger(response: Response, function: str) -> str | None:
    """The id a page script's ``function`` passes to ``RichFaces.ajax(…)``, if any."""
    script = "\n".join(response.xpath("//script/text()").getall())
    found = re.search(function + r"\b[^;]*?RichFaces\.ajax\(\s*[\"']([^\"']+)", script)
    return found.group(1) if found else None


# ---------------------------------------------------------------- state in request meta


def from_plain(cls: type[Any], data: Mapping[str, Any]) -> Any:
    """A dataclass from its :func:`dataclasses.asdict` form (lists back to tuples), so state
    carried in request meta replays from a JSON fixture; unknown keys are ignored."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: _tuples(v) for k, v in data.items() if k in names})


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value
