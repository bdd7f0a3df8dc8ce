"""The fast path for feeds (issue 14): wherever feedparser-rs is taken, casewatch gets exactly
what feedparser alone gives.

The regression test reads every sample of feedparser's own test corpus and every real feed in
``../shared/corpus/feeds`` both ways (:func:`pipeline.parse.feeds_check.check_paths`): on each
sample the fast path takes, the items and the report must be the same as feedparser's, and so
must what casewatch stores from them. It prints, per folder, how many samples took the fast
path (``pytest -s tests/test_feeds_fast.py``). Made-up variants of the shapes where the two
parsers differ are in ``tests/test_feeds_fast_variants.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from scrapy.http import Response

from pipeline.items import FetchSpec
from pipeline.parse import feeds, feeds_fast
from pipeline.parse.feeds import read_feed
from pipeline.parse.feeds_check import PathCheck, check_paths
from pipeline.parse.feeds_guard import feedparser_encoding

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "feeds"
FOLDERS = {
    # folder: fewest samples that must take the fast path (the guard is not to shut it)
    "feedparser/wellformed": 400,
    "feedparser/encoding": 0,
    "feedparser/illformed": 0,
    "feedparser/entities": 0,
    "rss-parser/input": 1,
    "feed-rs": 5,
}
_HEADER_RE = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


def samples(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in (".xml", ".rss", ".atom", ".json")
        and not p.name.endswith(".serde.json")
    )  # fmt: skip


def sample_response(path: Path) -> Response:
    """The sample as a server would send it: feedparser's samples name their headers in their
    first comment (``Header: Content-type: …``), as its own test server reads them; a sample
    that names no Content-Type goes as application/xml."""
    body = path.read_bytes()
    headers = {k.decode(): v.decode("latin-1") for k, v in _HEADER_RE.findall(body[:2000])}
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/xml"
    default_url = f"https://feeds.example.org/{path.relative_to(CORPUS)}"
    url = headers.pop("Content-Location", "") or default_url
    return Response(url, body=body, headers=headers, status=200)


@pytest.mark.parametrize("folder", list(FOLDERS))
def test_wherever_the_fast_path_is_taken_casewatch_gets_what_feedparser_gives(folder: str) -> None:
    root = CORPUS / folder
    if not root.is_dir():
        pytest.skip(f"{root}: absent (the shared corpus is on developers' machines and CI only)")
    checks: dict[Path, PathCheck] = {}
    for path in samples(root):
        response = sample_response(path)
        checks[path] = check_paths(FetchSpec("corpus", response.url, "feed"), response)
    fast = [p for p, c in checks.items() if c.fast]
    reasons = Counter(c.reason.split(" (")[0] for c in checks.values() if not c.fast)
    print(
        f"\n{folder}: {len(checks)} samples, fast path {len(fast)}, feedparser {len(checks) - len(fast)}"
    )
    print("  fell back most for: " + "; ".join(f"{r} ({n})" for r, n in reasons.most_common(5)))
    differing = {p.name: checks[p].differences[:3] for p in fast if not checks[p].same}
    assert not differing, f"the fast path stored something else: {differing}"
    raw = [p.name for p in fast if not checks[p].raw_same]
    assert not raw, f"the fast path gave other items: {raw}"
    assert len(fast) >= FOLDERS[folder], f"{folder}: only {len(fast)} samples took the fast path"


def response(
    body: str | bytes, content_type: str = "application/rss+xml", **headers: str
) -> Response:
    data = body.encode("utf-8") if isinstance(body, str) else body
    url = "https://news.example.kz/rss/all.rss"
    return Response(url, body=data, headers={"Content-Type": content_type, **headers})


def rss(items: str, decl: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return f'{decl}<rss version="2.0"><channel><title>Лента</title><link>https://news.example.kz/</link><language>ru</language>{items}</channel></rss>'


ITEM = "<item><title>Суд в Талдыкоргане</title><link>{link}</link><pubDate>Fri, 27 Nov 2026 09:00:00 +0500</pubDate><description>Приговор</description></item>"


def check(resp: Response) -> PathCheck:
    result = check_paths(FetchSpec("src", resp.url, "feed", language="ru"), resp)
    assert result.same and result.raw_same, result.differences
    return result


@pytest.mark.parametrize(
    ("body", "content_type", "headers", "fast", "reason"),
    [
        (rss(ITEM.format(link="https://news.example.kz/1")), "application/rss+xml", {}, True, ""),
        (rss(ITEM.format(link="/sud/2")), "application/rss+xml", {}, True, ""),  # resolved
        (rss(ITEM.format(link="javascript:alert(1)")), "application/rss+xml", {}, True, ""),
        (rss(ITEM.format(link="http://127.0.0.1/x")), "application/rss+xml", {}, False, "blanked"),
        (rss(ITEM.format(link="http://10.0.0.7/x")), "application/rss+xml", {}, False, "blanked"),
        (rss(ITEM.format(link="https://news.example.kz/1")).encode("cp1251").replace(b"utf-8", b"windows-1251"),
         "application/rss+xml", {}, False, "not plainly UTF-8"),
        (rss(ITEM.format(link="https://news.example.kz/1"), decl="<?xml version='1.0'?>").encode("cp1251"),
         "application/rss+xml", {}, False, "not plainly UTF-8"),  # undeclared cp1251
        (rss(ITEM.format(link="https://news.example.kz/1")), "text/xml", {}, False, "not plainly UTF-8"),
        (rss(ITEM.format(link="https://news.example.kz/1")), "text/xml; charset=utf-8", {}, True, ""),
        (rss(ITEM.format(link="https://news.example.kz/1")), "text/html", {}, False, "not plainly UTF-8"),
        (rss(ITEM.format(link="https://news.example.kz/1")), "application/rss+xml",
         {"Content-Language": "kk"}, False, "Content-Language"),
        (rss(ITEM.format(link="https://news.example.kz/1")).replace("</description>", "</descr>"),
         "application/rss+xml", {}, False, "malformed"),
    ],
)  # fmt: skip
def test_the_fast_path_is_taken_only_where_it_is_safe(
    body: str | bytes, content_type: str, headers: dict[str, str], fast: bool, reason: str
) -> None:
    result = check(response(body, content_type, **headers))
    assert (result.fast, reason in result.reason) == (fast, True), result.reason


def test_a_fast_path_report_names_its_parser_and_dates_stay_as_feedparser_gives_them() -> None:
    resp = response(rss(ITEM.format(link="/sud/2")))
    items, report = read_feed(FetchSpec("src", resp.url, "feed"), resp, 1 << 20)
    assert report.extra == {"encoding": "utf-8", "version": "rss20", "parser": "feedparser-rs"}
    assert items[0].url == "https://news.example.kz/sud/2"
    assert (items[0].published, items[0].updated) == ("Fri, 27 Nov 2026 09:00:00 +0500", "")


def test_without_feedparser_rs_feedparser_reads_every_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds_fast, "_parser", lambda: None)
    result = check(response(rss(ITEM.format(link="https://news.example.kz/1"))))
    assert (result.fast, result.reason) == (False, "feedparser-rs is not installed")


def test_a_feedparser_rs_fault_or_limit_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def parse_with_limits(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("boom")

    body = rss(ITEM.format(link="https://news.example.kz/1") * 2)
    monkeypatch.setattr(feeds_fast, "MAX_ENTRIES", 2)
    assert check(response(body)).reason == "2 entries"
    monkeypatch.setattr(feeds_fast, "_parser", lambda: Broken())
    assert check(response(body)).reason == "the fast path failed: RuntimeError"


def atom_entry(inner: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>x</title><entry><title>T</title>{inner}<id>https://a.example/1</id></entry></feed>"
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (rss(ITEM.format(link="https://a.example/1").replace("<title>", "<y:a>" * 150 + "x" + "</y:a>" * 150 + "<title>"))
         .replace("<rss ", '<rss xmlns:y="http://news.yandex.ru" '), "nesting depth"),
        (atom_entry(f'<link href="https://a.example/{"x" * 70_000}"/>'), "over 32 KB"),
        (atom_entry("".join(f'<link rel="related" href="https://a.example/{i}"/>' for i in range(60))
                    + '<link href="https://a.example/alternate"/>'), "over 40 links"),
        (rss(ITEM.format(link="https://a.example/1")).replace(
            "<rss ", "<rss " + " ".join(f'xmlns:n{i}="https://n{i}.example/"' for i in range(120)) + " "),
         "Namespace limit"),
        (rss(ITEM.format(link="https://a.example/1")).replace("Приговор", "Приговор" * 1_200_000), "over 8 MB"),
        ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
         + rss(ITEM.format(link="https://a.example/&b;"), decl=""), "DOCTYPE"),
    ],
)  # fmt: skip
def test_hostile_shapes_that_feedparser_rs_would_cut_are_read_by_feedparser(
    body: str, reason: str
) -> None:
    result = check(response(body))
    assert not result.fast and reason in result.reason, result.reason


BODIES = {
    "ascii": '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title>'
    "<item><title>Court</title><link>https://a.example/1</link></item></channel></rss>",
    "utf-8": rss(ITEM.format(link="https://a.example/1")),
    "cp1251": rss(ITEM.format(link="https://a.example/1")),
}
DECLARATIONS = [None, "utf-8", "UTF-8", "windows-1251", "koi8-r", "us-ascii", "iso-8859-1"]


@pytest.mark.parametrize(
    ("content_type", "taken"),
    [
        (None, False),  # feedparser: no Content-Type, so ISO-8859-1 and a bozo
        ("application/xml", True),
        ("application/rss+xml; charset=utf-8", True),
        ("application/atom+xml; charset=UTF-8", True),
        ("application/rss+xml; charset=windows-1251", False),
        ("text/xml", True),  # US-ASCII: the ASCII body only
        ("text/xml; charset=utf-8", True),
        ("text/rss+xml", True),
        ("text/html; charset=utf-8", False),  # not an XML type: a bozo
        ("text/plain", False),
        ("application/json", False),
    ],
)
def test_the_encoding_named_is_the_one_feedparser_reads_without_complaint(
    content_type: str | None, taken: bool
) -> None:
    """Where the guard names an encoding, feedparser reads the same bytes as that encoding
    with no bozo (weighing the Content-Type and the XML declaration as RFC 3023 says)."""
    named_any = False
    for kind, text in BODIES.items():
        for declared in DECLARATIONS:
            decl = (
                f'<?xml version="1.0" encoding="{declared}"?>'
                if declared
                else "<?xml version='1.0'?>"
            )
            body = text.replace('<?xml version="1.0" encoding="utf-8"?>', decl, 1)
            data = body.encode("cp1251" if kind == "cp1251" else "utf-8")
            headers = {"content-location": "https://a.example/rss"}
            if content_type:
                headers["content-type"] = content_type
            named = feedparser_encoding(data, headers)
            if named:
                named_any = True
                parsed = feedparser.parse(data, response_headers=headers)
                assert (parsed.bozo, parsed.encoding) == (False, named), (kind, declared)
                assert kind != "cp1251" and declared not in ("windows-1251", "koi8-r", "iso-8859-1")
    assert named_any == taken


def test_links_and_ids_resolved_without_feedparser_joining_them(monkeypatch) -> None:
    """feedparser is given the document's address only where it sets bases or says which ids
    are permalinks; everywhere else ``raw_article`` resolves links and ids. Over the whole
    corpus that stores exactly what feedparser gives when it always has the address."""
    root = CORPUS
    if not root.is_dir():
        pytest.skip(f"{root}: absent (the shared corpus is on developers' machines and CI only)")
    reading = feeds.feedparser_headers

    def always_the_address(response: Response) -> dict[str, str]:
        return {**reading(response), "content-location": response.url}

    differing = []
    for path in samples(root):
        response = sample_response(path)
        spec = FetchSpec("corpus", response.url, "feed")
        items, _ = read_feed(spec, response, 10**8, fast=False)
        with monkeypatch.context() as patched:
            patched.setattr(feeds, "feedparser_headers", always_the_address)
            reference, _ = read_feed(spec, response, 10**8, fast=False)
        if items != reference:
            differing.append(str(path.relative_to(root)))
    assert not differing, differing


def test_the_base_attribute_look_answers_as_the_case_blind_pattern() -> None:
    """``sets_bases`` (a substring test on the lowered body, then case-sensitive patterns)
    says what ``_BASE_ATTR_RE`` says: on every corpus sample and on made-up spellings."""
    made_up = [
        b'<feed xml:base="http://x/">', b"<rss><channel xml:BASE =\n'x'>", b"<guid isPermaLink='false'>",
        b"<GUID ISPERMALINK=\"true\">", b'<item rdf:about="x">', b"<item rdf:ABOUT\t\t=x>",
        b"<p>about the base</p>", b"base", b"about =", b"base\x0b=", b"base\xa0=", b"Base\xc3\x9f=",
        b"\xd0\x91ase=", b"b\xc4\xb1spermalink", b"ispermalin", b"", b"ab\noutabout\r\n=",
    ]  # fmt: skip
    bodies = made_up
    if CORPUS.is_dir():
        bodies = made_up + [path.read_bytes() for path in samples(CORPUS)]
    assert sum(feeds.sets_bases(b) for b in bodies) > 5
    assert [feeds.sets_bases(b) for b in bodies] == [
        feeds._BASE_ATTR_RE.search(b) is not None for b in bodies
    ]
