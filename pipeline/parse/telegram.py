"""A Telegram channel's public web preview (``https://t.me/s/NAME``): what one page holds.

The preview is plain HTML served to anyone. What casewatch reads of it (class names as public
scrapers of the preview document them; tests/fixtures/spiders/telegram/README.md):

* ``section.tgme_channel_history`` — the posts, oldest first. A page without it is no preview
  (Telegram answers a name without a public preview with its contact card, ``tgme_page_*``).
* ``a.tme_messages_more[data-before]`` — older posts exist: ``?before=ID`` lists the ones
  before ID (``<link rel="prev">`` says the same).
* ``div.tgme_widget_message[data-post="NAME/ID"]`` — one post (``service_message``: a service
  line, not a post): ``.tgme_widget_message_text.js-message_text`` its text (the quote of the
  post it replies to is ``js-message_reply_text``), ``.tgme_widget_message_forwarded_from_name``
  where it was forwarded from, ``.tgme_widget_message_from_author`` its signature,
  ``.tgme_widget_message_meta`` says ``edited`` when it was, and
  ``.tgme_widget_message_date time[datetime]`` its time (ISO 8601).

Pure: strings as printed, plus :class:`PreviewError` naming the URL and what was missing.
The post's own URL is ``https://t.me/NAME/ID`` whatever host served the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Response

from pipeline.errors import SourceError
from pipeline.normalize.text import strip_html

CHANNEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
"""A public channel's username (Telegram: letters, digits and underscores, 4–32 long)."""
_PATH_RE = re.compile(r"^/s/([^/?#]+)/?$")
_POST_URL_RE = re.compile(r"^https://t\.me/([a-z0-9_]+)/(\d+)$")
_DATA_POST_RE = re.compile(r"^([A-Za-z0-9_]+)/(\d+)$")
TITLE_WORDS_MAX = 140
"""A post's title (its first line) is cut at a word near this many characters."""
_WORDY_RE = re.compile(r"\w")


class PreviewError(SourceError):
    """A page is no channel preview, or lacks what every preview has (the posts container, a
    post's id, paging that goes back); the message names the URL and what was missing."""


@dataclass(frozen=True, slots=True)
class Post:
    """One post as printed."""

    number: int
    """Telegram's id of the post in its channel (``data-post="NAME/ID"``)."""
    channel: str
    markup: str = ""
    """The text's inner HTML (line breaks as ``<br>``, links, emoji)."""
    published: str = ""
    """``datetime`` of its time, as printed (ISO 8601)."""
    links: tuple[str, ...] = ()
    """http(s) links in its text and its link preview, in order."""
    forwarded_from: str = ""
    signature: str = ""
    edited: bool = False
    service: bool = False
    """A service line (pinned, renamed, …): counted as seen, never stored."""

    @property
    def url(self) -> str:
        return post_url(self.channel, self.number)


@dataclass(frozen=True, slots=True)
class ChannelPage:
    """One preview page: its posts (oldest first), whether older ones exist, the channel's name."""

    posts: tuple[Post, ...]
    older: bool
    title: str = ""


# ---------------------------------------------------------------- addresses


def url_problem(url: str) -> str:
    """Why ``url`` is no channel preview address ('' when it is one): ``https://t.me/s/NAME``.
    The path is checked, not the host (a mirror or a local test server serves the same page)."""
    parts = urlsplit(url)
    found = _PATH_RE.match(parts.path)
    if found is None or parts.query or parts.fragment:
        return f"expected a channel's public preview, https://t.me/s/NAME (got {url!r})"
    if not CHANNEL_RE.match(found.group(1)):
        return (
            f"{found.group(1)!r} is not a public channel's name (letters, digits and _, "
            "4-32 long, starting with a letter)"
        )
    return ""


def page_url(url: str, before: int | None = None) -> str:
    """The preview page listing the posts before ``before`` (the newest ones without it)."""
    parts = urlsplit(url)
    found = _PATH_RE.match(parts.path)
    path = f"/s/{found.group(1)}" if found else parts.path
    query = f"before={before}" if before is not None else ""
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def post_url(channel: str, number: int) -> str:
    return f"https://t.me/{channel.lower()}/{number}"


def post_number(url: str) -> int | None:
    """The post id in a post's URL (``https://t.me/NAME/ID``); None for any other URL."""
    found = _POST_URL_RE.match(url)
    return int(found.group(2)) if found else None


# ---------------------------------------------------------------- reading a page


def read_page(response: Response) -> ChannelPage:
    """The posts of one preview page; :class:`PreviewError` when it is none."""
    history = response.css("section.tgme_channel_history, .js-message_history")
    if not history:
        raise PreviewError(f"{response.url}: {missing_history(response)}")
    posts = tuple(read_post(message, response.url) for message in
                  history[0].css("div.tgme_widget_message"))  # fmt: skip
    more = response.css("a.tme_messages_more[data-before], link[rel=prev][href*='before=']")
    title = response.css("meta[property='og:title']::attr(content)").get("") or " ".join(
        response.css(".tgme_channel_info_header_title ::text").getall()
    )
    return ChannelPage(posts, bool(more), " ".join(title.split()))


def missing_history(response: Response) -> str:
    if response.css(".tgme_page_title, .tgme_page_wrap"):
        return (
            "Telegram's contact card instead of the channel's preview: no public preview "
            "(no such channel, a user's name, or a channel that shows no preview)"
        )
    return (
        "no posts container (section.tgme_channel_history): not a channel's preview page, "
        f"or its markup changed ({len(response.body)} bytes)"
    )


def read_post(message: Selector, page: str) -> Post:
    data_post = (message.attrib.get("data-post") or "").strip()
    found = _DATA_POST_RE.match(data_post)
    if found is None:
        raise PreviewError(
            f"{page}: a post without its id (data-post={data_post!r}, expected NAME/ID)"
        )
    channel, number = found.group(1), int(found.group(2))
    if "service_message" in (message.attrib.get("class") or "").split():
        return Post(number, channel, service=True)
    text = _text_of(message)
    markup = "".join(text.xpath("node()").getall()) if text is not None else ""
    meta = " ".join(message.css(".tgme_widget_message_meta ::text").getall())
    return Post(
        number=number,
        channel=channel,
        markup=markup.strip(),
        published=_datetime_of(message),
        links=_links_of(message, text),
        forwarded_from=_joined(
            message.css(".tgme_widget_message_forwarded_from_name ::text").getall()
        ),
        signature=_joined(message.css(".tgme_widget_message_from_author ::text").getall()),
        edited="edited" in meta.casefold(),
    )


def _text_of(message: Selector) -> Selector | None:
    """The post's own text: ``js-message_text``, else a text block that is not a reply's quote."""
    own = message.css(".js-message_text")
    if own:
        return own[0]
    for block in message.css(".tgme_widget_message_text"):
        quote = "js-message_reply_text" in (block.attrib.get("class") or "")
        if not quote and not block.xpath("ancestor::*[contains(@class, 'message_reply')]"):
            return block
    return None


def _datetime_of(message: Selector) -> str:
    for css in (".tgme_widget_message_date time::attr(datetime)",
                ".tgme_widget_message_footer time::attr(datetime)"):  # fmt: skip
        found = message.css(css).get()
        if found:
            return found.strip()
    return ""


def _links_of(message: Selector, text: Selector | None) -> tuple[str, ...]:
    hrefs = text.css("a::attr(href)").getall() if text is not None else []
    hrefs += message.css("a.tgme_widget_message_link_preview::attr(href)").getall()
    kept = (h.strip() for h in hrefs)
    return tuple(dict.fromkeys(h for h in kept if h.startswith(("http://", "https://"))))


def _joined(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split())


# ---------------------------------------------------------------- a post as an article


def post_text(post: Post) -> str:
    """The post's text as markup, with the links its words hide appended one a line (a link
    written out in the text is not repeated)."""
    plain = strip_html(post.markup)
    hidden = [link for link in post.links if link.split("://", 1)[1].rstrip("/") not in plain]
    if not hidden:
        return post.markup
    listed = "<br>".join(_escaped(link) for link in hidden)
    return f"{post.markup}<br><br>{listed}" if post.markup else listed


def post_title(post: Post) -> str:
    """The first line of the post that has a letter or a digit, cut at a word."""
    for line in strip_html(post_text(post)).splitlines():
        line = line.strip()
        if _WORDY_RE.search(line):
            return _cut(line, TITLE_WORDS_MAX)
    return ""


def _cut(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    head = line[:limit].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return (head or line[:limit]) + "…"


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
