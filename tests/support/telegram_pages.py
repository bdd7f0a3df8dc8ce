"""A Telegram channel's public preview (``/s/NAME``), reconstructed and served on 127.0.0.1.

The markup is the one ``tests/fixtures/spiders/telegram/`` documents (a reconstruction from
public scrapers, not a saved page). Paging works as the preview's: ``/s/NAME`` lists the
newest ``per_page`` posts oldest first, ``/s/NAME?before=ID`` the ones before ID, and a page
with older posts behind it carries the "more" link. :func:`serve_channel` routes every page a
reader can reach by following the links; any other ``?before=`` falls back to the newest page
(as the local server does), which a reader must notice.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .http_server import LocalHTTPServer


@dataclass(frozen=True, slots=True)
class FakePost:
    number: int
    text: str
    """Markup of the post's text (``<br>`` for line breaks)."""
    at: datetime
    forwarded_from: str = ""
    signature: str = ""
    edited: bool = False
    service: bool = False


def post_html(channel: str, post: FakePost) -> str:
    classes = "service_message" if post.service else "text_not_supported_wrap"
    forwarded = (
        '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
        f'<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/other/1">'
        f'<span dir="auto">{html.escape(post.forwarded_from)}</span></a></div>'
        if post.forwarded_from
        else ""
    )
    signature = (
        f'<span class="tgme_widget_message_from_author" dir="auto">'
        f"{html.escape(post.signature)}</span>,&nbsp;"
        if post.signature
        else ""
    )
    edited = "edited &nbsp;" if post.edited else ""
    return (
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="tgme_widget_message {classes} js-widget_message" '
        f'data-post="{channel}/{post.number}">'
        '<div class="tgme_widget_message_bubble">'
        f"{forwarded}"
        f'<div class="tgme_widget_message_text js-message_text" dir="auto">{post.text}</div>'
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        '<div class="tgme_widget_message_info short js-message_info">'
        '<span class="tgme_widget_message_views">1.2K</span>'
        f'<span class="tgme_widget_message_meta">{signature}{edited}'
        f'<a class="tgme_widget_message_date" href="https://t.me/{channel}/{post.number}">'
        f'<time datetime="{post.at.isoformat()}" class="time">{post.at:%H:%M}</time></a>'
        "</span></div></div></div></div></div>"
    )


def channel_page(channel: str, title: str, posts: Sequence[FakePost], older: int | None) -> str:
    """One preview page: ``posts`` (any order; shown oldest first), the "more" link when
    ``older`` (the id to page back from) is given."""
    more = (
        '<div class="tgme_widget_message_centered js-messages_more_wrap">'
        f'<a href="/s/{channel}?before={older}" class="tme_messages_more js-messages_more" '
        f'data-before="{older}"></a></div>'
        if older is not None
        else ""
    )
    shown = "".join(post_html(channel, p) for p in sorted(posts, key=lambda p: p.number))
    return (
        "<!DOCTYPE html>\n<!-- RECONSTRUCTION of the public preview markup of t.me/s/NAME "
        "(tests/fixtures/spiders/telegram/README.md); invented posts. -->\n"
        '<html><head><meta charset="utf-8">'
        f'<meta property="og:title" content="{html.escape(title)}"></head>'
        '<body class="widget_frame_base tgme_webpage"><main class="tgme_main">'
        '<div class="tgme_container"><section class="tgme_channel_history js-message_history">'
        f"{more}{shown}</section></div></main></body></html>"
    )


def serve_channel(
    http: LocalHTTPServer,
    channel: str,
    posts: Sequence[FakePost],
    *,
    title: str = "Demo channel",
    per_page: int = 20,
) -> list[str]:
    """Route every page of the channel on ``http``; returns their paths, newest first."""
    ordered = sorted(posts, key=lambda p: p.number, reverse=True)
    paths, before = [], None
    for start in range(0, max(len(ordered), 1), per_page):
        chunk = ordered[start : start + per_page]
        older = chunk[-1].number if chunk and start + per_page < len(ordered) else None
        path = f"/s/{channel}" + (f"?before={before}" if before is not None else "")
        http.route(
            path,
            body=channel_page(channel, title, chunk, older),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        paths.append(path)
        before = older
    return paths
