"""The extractor's parts, table-driven: decoding, what counts as HTML, JSON-LD shapes, meta
tags, zones, selectors, titles. Whole-page quality is in ``test_extract_quality.py``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipeline.errors import CasewatchError, ExtractError
from pipeline.parse.page import extract_page
from pipeline.parse.page.decode import decode_html
from pipeline.parse.page.extract import clean_title, default_zone

URL = "https://example.kz/news/1.html"
LEAD = "Талдыкорганский городской суд вынес приговор трём бывшим полицейским по делу о пытках задержанных."
TEXT_RU = (
    f"<p>{LEAD}</p><p>Потерпевшими признаны 24 человека, их интересы представляли адвокаты.</p>"
)


def page(head: str = "", body: str = "", lang: str = "ru") -> bytes:
    article = body or f"<article><h1>Заголовок статьи</h1>{TEXT_RU}</article>"
    return f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>{article}</body></html>'.encode()


def ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


# ---------------------------------------------------------------- decoding

CP1251_PAGE = f"<html><head><title>Суд</title></head><body><p>{LEAD}</p></body></html>".encode(
    "cp1251"
)


@pytest.mark.parametrize(
    ("body", "content_type", "codec"),
    [
        (CP1251_PAGE, None, "cp1251"),  # no declaration anywhere
        (CP1251_PAGE, "text/html; charset=utf-8", "cp1251"),  # declared wrong
        (CP1251_PAGE, "text/html; charset=ISO-8859-1", "cp1251"),  # server default
        (CP1251_PAGE, "text/html; charset=windows-1251", "cp1251"),
        (CP1251_PAGE.replace(b"<head>", b'<head><meta charset="windows-1251">'), None, "cp1251"),
        (LEAD.encode("koi8-r").join([b"<html><body><p>", b"</p></body></html>"]),
         "text/html; charset=koi8-r", "koi8-r"),
        ("<p>Schöne Grüße</p>".encode("latin-1"), "text/html; charset=iso-8859-1", "iso8859-1"),
        (b"\xef\xbb\xbf<p>" + LEAD.encode() + b"</p>", "text/html; charset=cp1251", "utf-8"),  # BOM wins
        (f"<p>{LEAD}</p>".encode() + b"\xe2\x80", "text/html; charset=utf-8", "utf-8"),  # truncated
    ],
)  # fmt: skip
def test_decode_html(body: bytes, content_type: str | None, codec: str) -> None:
    text, used = decode_html(body, content_type)
    assert used == codec
    if "Schöne" not in text:
        assert LEAD[:40] in text or "Суд" in text


# ---------------------------------------------------------------- not HTML


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b"%PDF-1.7\n...", None, "binary content"),
        (b"%PDF-1.7\n...", "application/pdf", "Content-Type application/pdf"),
        (b'{"items": []}', "application/json", "Content-Type application/json"),
        (b"\x89PNG\r\n\x1a\n", None, "binary content"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', None, "a feed"),
        (b"   \n ", "text/html", "empty body"),
        (b"just some words, no markup at all", "text/plain", "no HTML markup"),
    ],
)
def test_non_html_body_is_an_extract_error_naming_the_url(
    body: bytes, content_type: str | None, problem: str
) -> None:
    with pytest.raises(ExtractError) as caught:
        extract_page(body, URL, content_type=content_type)
    assert (
        str(caught.value) == f"{URL}: not an HTML page ({problem})"
        or str(caught.value) == f"{URL}: {problem}"
    )
    assert isinstance(caught.value, CasewatchError)


# ---------------------------------------------------------------- JSON-LD and meta

ARTICLE = {"@type": "NewsArticle", "headline": "Приговор &quot;полицейским&quot;",
           "datePublished": "2023-02-10T14:20:00+06:00", "dateModified": "2023-02-11T09:00:00+06:00",
           "author": [{"@type": "Person", "name": "Алия"}, {"@type": "Person", "name": "Ержан"}]}  # fmt: skip


@pytest.mark.parametrize(
    "head",
    [
        ld({"@context": "https://schema.org", **ARTICLE}),
        ld(
            {
                "@context": "https://schema.org",
                "@graph": [{"@type": "WebPage", "name": "x"}, ARTICLE],
            }
        ),
        ld([{"@type": "Organization", "name": "Org"}, ARTICLE]),
        ld({**ARTICLE, "@type": ["NewsArticle", "Article"]}),
        ld({**ARTICLE, "@type": "http://schema.org/NewsArticle"}),
        ld({"@type": "Organization"})
        + ld(ARTICLE).replace("}</script>", ",}</script>"),  # trailing comma
    ],
    ids=["object", "graph", "list", "type-list", "type-url", "trailing-comma"],
)
def test_json_ld_shapes(head: str) -> None:
    found = extract_page(page(head), URL)
    assert found.title == 'Приговор "полицейским"'
    assert found.published == datetime(2023, 2, 10, 8, 20, tzinfo=UTC)
    assert found.modified == datetime(2023, 2, 11, 3, 0, tzinfo=UTC)
    assert found.author == "Алия, Ержан"
    assert found.sources["title"] == found.sources["published"] == "json-ld"


@pytest.mark.parametrize(
    ("head", "body", "published", "method"),
    [
        ('<meta property="article:published_time" content="2024-03-18T17:45:00+05:00">', "",
         datetime(2024, 3, 18, 12, 45, tzinfo=UTC), "meta"),
        ('<meta itemprop="datePublished" content="2024-03-18">', "",
         datetime(2024, 3, 17, 19, 0, tzinfo=UTC), "meta"),
        ("", f'<article><h1>Заголовок</h1><time datetime="2022-10-05T12:00:00Z">5 Oct</time>{TEXT_RU}</article>',
         datetime(2022, 10, 5, 12, 0, tzinfo=UTC), "time"),
        ("", f'<article><h1>Заголовок</h1><span itemprop="datePublished">10.02.2023 14:20</span>{TEXT_RU}</article>',
         datetime(2023, 2, 10, 8, 20, tzinfo=UTC), "itemprop"),
        ("", f'<div class="news-date">27 апреля 2023 17:42</div><article><h1>Заголовок</h1>{TEXT_RU}</article>',
         datetime(2023, 4, 27, 11, 42, tzinfo=UTC), "date-class"),
    ],
)  # fmt: skip
def test_date_sources(head: str, body: str, published: datetime, method: str) -> None:
    found = extract_page(page(head, body), URL)
    assert (found.published, found.sources["published"]) == (published, method)


@pytest.mark.parametrize(
    ("url", "tz", "published"),
    [
        ("https://tengrinews.kz/a/1/", None, datetime(2023, 2, 10, 8, 20, tzinfo=UTC)),
        ("https://tengrinews.kz/a/1/", "UTC", datetime(2023, 2, 10, 14, 20, tzinfo=UTC)),
        ("https://example.org/a/1/", None, datetime(2023, 2, 10, 14, 20, tzinfo=UTC)),
        ("https://example.org/a/1/", "Asia/Almaty", datetime(2023, 2, 10, 8, 20, tzinfo=UTC)),
    ],
)
def test_zone_of_a_time_printed_without_one(url: str, tz: str | None, published: datetime) -> None:
    head = '<meta property="article:published_time" content="2023-02-10 14:20">'
    assert extract_page(page(head), url, tz=tz).published == published


@pytest.mark.parametrize(
    ("url", "zone"),
    [("https://tengrinews.kz/x", "Asia/Almaty"), ("https://kaz.inform.kz/x", "Asia/Almaty"),
     ("https://24.kg/x", "Asia/Bishkek"), ("https://www.hrw.org/x", "UTC"), ("not a url", "UTC")],
)  # fmt: skip
def test_default_zone(url: str, zone: str) -> None:
    assert default_zone(url) == zone


@pytest.mark.parametrize(
    ("value", "site", "method", "title"),
    [
        ("Суд вынес приговор - Vlast.kz", "Vlast.kz", "meta", "Суд вынес приговор"),
        ("Суд вынес приговор | Tengrinews", "", "title-tag", "Суд вынес приговор"),
        ("Tengrinews | Суд вынес приговор полицейским", "", "title-tag", "Суд вынес приговор полицейским"),
        ("Energiewende und nachhaltiges Wirtschaften - BMBF", "", "meta", "Energiewende und nachhaltiges Wirtschaften"),
        ("Суд - это не место для споров", "", "json-ld", "Суд - это не место для споров"),
        ("Leasing oder Finanzierung – was lohnt sich mehr?", "", "meta", "Leasing oder Finanzierung – was lohnt sich mehr?"),
    ],
)  # fmt: skip
def test_clean_title(value: str, site: str, method: str, title: str) -> None:
    assert clean_title(value, site, method) == title


def test_fields_and_sources_of_a_plain_page() -> None:
    head = ('<meta property="og:title" content="Суд вынес приговор - Example">'
            '<meta property="og:site_name" content="Example"><meta name="author" content="Алия Ахметова">'
            '<link rel="canonical" href="/news/1.html?utm_source=x">')  # fmt: skip
    found = extract_page(page(head), URL)
    assert found.title == "Суд вынес приговор"
    assert found.author == "Алия Ахметова"
    assert found.canonical_url == "https://example.kz/news/1.html?utm_source=x"
    assert found.language == "ru"
    assert found.first_paragraph == LEAD
    assert found.text.split("\n\n")[0] == LEAD
    assert dict(found.sources) == {"title": "meta", "author": "meta", "canonical_url": "link",
                                   "language": "detected", "text": "trafilatura"} | {
        k: v for k, v in found.sources.items() if k == "published"}  # fmt: skip


def test_selectors_override_every_other_method() -> None:
    head = ld(ARTICLE)
    body = (f'<article><h1>Заголовок</h1><div class="when">01.03.2024 10:00</div>'
            f'<div class="by">Ержан Ержанов</div><div class="body">{TEXT_RU}</div>'
            "<div class='related'><p>Читайте также что-то совсем другое и длинное.</p></div></article>")  # fmt: skip
    selectors = {"title": "h1", "published": ".when", "author": ".by", "text": "div.body"}
    found = extract_page(page(head, body), URL, selectors=selectors)
    assert found.title == "Заголовок"
    assert found.published == datetime(2024, 3, 1, 5, 0, tzinfo=UTC)  # UTC+5 since that day
    assert found.author == "Ержан Ержанов"
    assert (
        found.text
        == f"{LEAD}\n\nПотерпевшими признаны 24 человека, их интересы представляли адвокаты."
    )
    assert {found.sources[k] for k in ("title", "published", "author", "text")} == {"selector"}


def test_a_selector_that_matches_nothing_falls_back() -> None:
    found = extract_page(page(ld(ARTICLE)), URL, selectors={"title": ".nope", "text": ".nope"})
    assert found.sources["title"] == "json-ld" and found.first_paragraph == LEAD


def test_invalid_selector_names_the_url_and_field() -> None:
    with pytest.raises(
        ExtractError, match=r"example\.kz/news/1\.html: title selector 'h1\[' is not valid CSS"
    ):
        extract_page(page(), URL, selectors={"title": "h1["})


@pytest.mark.parametrize(
    ("lang", "body", "language"),
    [
        ("ru", "<article><h1>Үкім шықты</h1><p>Талдықорған қалалық соты бұрынғы полиция қызметкерлеріне үкім шығарды, іс бойынша жәбірленушілер көп.</p></article>", "kk"),
        ("en", f"<article><h1>Заголовок</h1>{TEXT_RU}</article>", "ru"),
        ("ru", "<article><h1>Verdict</h1><p>The court in Taldykorgan sentenced three former police officers for the torture of detainees.</p></article>", "en"),
    ],
)  # fmt: skip
def test_language_is_detected_from_the_text(lang: str, body: str, language: str) -> None:
    assert extract_page(page(body=body, lang=lang), URL).language == language
