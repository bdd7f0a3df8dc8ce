"""Routing rules, digest times, quiet hours and urgency — pure, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.alerts import Channel, QuietHours, Route
from pipeline.config.load import Config, load_config
from pipeline.config.settings import Settings
from pipeline.notify.routing import CONSOLE, channels_for, route_channels, route_for
from pipeline.notify.timing import is_urgent, next_digest_at, quiet_until

ALMATY = "Asia/Almaty"  # UTC+5 since 2024-03-01
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 08:00 in Almaty, a Tuesday

CHANNELS = (
    Channel(id="email", url="mailto://smtp.example.org", tags=("team",)),
    Channel(id="slack", url="slack://a/b/c", tags=("team", "chat")),
    Channel(id="ops-hook", url="json://ops.example.org", tags=("ops",)),
    Channel(id="off", url="json://off.example.org", tags=("team",), enabled=False),
)
ROUTES = (
    Route(id="kudebayev", cases=("kudebayev-*",), events=("hearing.*",), channels=("chat",)),
    Route(id="hearings", events=("hearing.*",), tags=("team",), language="ru"),
    Route(id="news", cases=("taldykorgan-torture",), events=("article.new",), channels=("email",)),
    Route(id="ops", events=("source.*", "channel.*"), tags=("ops",)),
)
CONFIG = Config(Path("."), Settings(), (), (), CHANNELS, ROUTES)


@pytest.mark.parametrize(
    ("kind", "case", "expected"),
    [
        ("hearing.rescheduled", "kudebayev-appeal", ("slack", "email")),
        ("hearing.cancelled", "taldykorgan-torture", ("email", "slack")),
        ("article.new", "taldykorgan-torture", ("email",)),
        ("article.new", "koshmambet", (CONSOLE,)),
        ("source.failing", None, ("ops-hook",)),
        ("channel.failing", None, ("ops-hook",)),
        ("hearing.scheduled", None, ("email", "slack")),
    ],
)
def test_channels_by_case_kind_id_and_tag(
    kind: str, case: str | None, expected: tuple[str, ...]
) -> None:
    assert channels_for(kind, case, CONFIG) == expected


def test_a_channel_can_be_left_out_of_its_own_failure_alert() -> None:
    assert channels_for("channel.failing", None, CONFIG, exclude=frozenset({"ops-hook"})) == (
        CONSOLE,
    )


@pytest.mark.parametrize(
    ("kind", "case", "channel", "route_id"),
    [
        ("hearing.scheduled", "kudebayev-appeal", "slack", "kudebayev"),
        ("hearing.scheduled", "kudebayev-appeal", "email", "hearings"),
        ("article.new", "taldykorgan-torture", "email", "news"),
        ("article.new", "taldykorgan-torture", "slack", None),
        ("source.failing", None, CONSOLE, "ops"),
    ],
)
def test_the_first_route_sending_to_the_channel_decides(
    kind: str, case: str | None, channel: str, route_id: str | None
) -> None:
    found = route_for(kind, case, channel, CONFIG)
    assert (found[1].id if found else None) == route_id


def test_route_channels_resolve_tags_in_config_order() -> None:
    assert route_channels(Route(tags=("team",)), CHANNELS) == ("email", "slack", "off")


def _digest(**kw: Any) -> Route:
    return Route(channels=("email",), mode="digest", zone=ALMATY, **kw)


@pytest.mark.parametrize(
    ("route", "after", "expected"),
    [
        # daily 08:00 Almaty = 03:00 UTC
        (_digest(at="08:00"), datetime(2026, 12, 1, 2, 59, tzinfo=UTC), NOW),
        (_digest(at="08:00"), NOW, NOW + timedelta(days=1)),
        (_digest(at="08:00"), datetime(2026, 12, 1, 20, 0, tzinfo=UTC), NOW + timedelta(days=1)),
        (
            _digest(at="21:30"),
            datetime(2026, 12, 1, 16, 0, tzinfo=UTC),
            datetime(2026, 12, 1, 16, 30, tzinfo=UTC),
        ),
        # weekly on Monday 08:00: 2026-12-01 is a Tuesday → 2026-12-07
        (_digest(every="weekly", day="Monday"), NOW, datetime(2026, 12, 7, 3, 0, tzinfo=UTC)),
        (_digest(every="weekly", day="tuesday"), datetime(2026, 12, 1, 2, 0, tzinfo=UTC), NOW),
    ],
)
def test_next_digest_at_is_local_wall_clock(
    route: Route, after: datetime, expected: datetime
) -> None:
    assert next_digest_at(route, after, "UTC") == expected


def test_digest_zone_defaults_to_the_settings_zone() -> None:
    route = Route(channels=("email",), mode="digest", at="08:00")
    assert next_digest_at(route, NOW - timedelta(hours=1), ALMATY) == NOW


QUIET = QuietHours.model_validate("22:00-07:00")


@pytest.mark.parametrize(
    ("local_hour", "until_local"),
    [
        (21, None),
        (22, "2026-12-02 07:00"),
        (23, "2026-12-02 07:00"),
        (3, "2026-12-01 07:00"),
        (7, None),
        (12, None),
    ],
)
def test_quiet_hours_span_midnight(local_hour: int, until_local: str | None) -> None:
    now = datetime(2026, 12, 1, local_hour, 30, tzinfo=UTC) - timedelta(hours=5)
    until = quiet_until(QUIET, now, ALMATY)
    if until_local is None:
        assert until is None
    else:
        assert until is not None
        assert until.astimezone(UTC) == datetime.fromisoformat(until_local + "+05:00")


def test_daytime_quiet_hours_and_their_own_zone() -> None:
    quiet = QuietHours.model_validate({"from": "12:00", "to": "14:00", "zone": "Europe/London"})
    assert quiet_until(quiet, datetime(2026, 12, 1, 12, 30, tzinfo=UTC), ALMATY) == datetime(
        2026, 12, 1, 14, 0, tzinfo=UTC
    )
    assert quiet_until(quiet, datetime(2026, 12, 1, 14, 0, tzinfo=UTC), ALMATY) is None


def _hearing(at: str | None, old: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"scheduled_at": at, "timezone": ALMATY}
    if old is not None:
        payload["old"] = {"scheduled_at": old}
    return payload


WITHIN = timedelta(hours=48)


@pytest.mark.parametrize(
    ("kind", "payload", "urgent"),
    [
        ("hearing.cancelled", _hearing("2027-03-01T10:00:00+05:00"), True),
        (
            "hearing.rescheduled",
            _hearing("2026-12-02T10:00:00+05:00", "2027-01-10T10:00:00+05:00"),
            True,
        ),
        (
            "hearing.rescheduled",
            _hearing("2027-01-20T10:00:00+05:00", "2026-12-02T10:00:00+05:00"),
            True,
        ),
        (
            "hearing.rescheduled",
            _hearing("2027-01-20T10:00:00+05:00", "2027-01-10T10:00:00+05:00"),
            False,
        ),
        ("hearing.scheduled", _hearing("2026-12-03T07:00:00+05:00"), True),
        ("hearing.scheduled", _hearing("2026-12-03T09:00:00+05:00"), False),
        ("hearing.scheduled", {"local_time": "2026-12-02 (Asia/Almaty)", "timezone": ALMATY}, True),
        ("hearing.scheduled", _hearing(None), False),
        ("article.new", _hearing("2026-12-02T10:00:00+05:00"), False),
        ("source.failing", {}, False),
    ],
)
def test_urgency(kind: str, payload: dict[str, Any], urgent: bool) -> None:
    assert is_urgent(kind, payload, NOW, WITHIN) is urgent


ALERTS_BAD = """
channels:
  - id: team
    url: json://hooks.example.org/x
    tags: [team]
routes:
  - id: morning
    channels: [team]
    mode: digest
    at: "25:00"
  - channels: [team]
    quiet_hours: "22:00"
  - channels: [nobody]
  - id: zoned
    tags: [nothing]
    zone: Mars/Olympus
  - events: ["*"]
"""


@pytest.mark.parametrize(
    ("where", "fragment"),
    [
        ("routes[0] (morning).at", "expected a time of day like '08:00'"),
        ("routes[1].quiet_hours", "expected 'HH:MM-HH:MM'"),
        ("routes[3] (zoned).zone", "unknown time zone 'Mars/Olympus'"),
        ("routes[4]", "a route needs `channels`"),
        ("routes[2].channels", "unknown channel 'nobody'"),
    ],
)
def test_alerts_yaml_errors_name_file_entry_and_field(
    tmp_path: Path, where: str, fragment: str
) -> None:
    (tmp_path / "alerts.yaml").write_text(ALERTS_BAD, encoding="utf-8")
    config = load_config(tmp_path, environ={})
    expected = f"{tmp_path / 'alerts.yaml'}: {where}"
    found = [p for p in config.errors if p.where == expected]
    assert len(found) == 1, [str(p) for p in config.problems]
    assert fragment in found[0].message


def test_shipped_alerts_yaml_routes_team_and_ops() -> None:
    config = load_config(
        None,
        environ={
            "CASEWATCH_EMAIL_URL": "mailto://smtp.example.org",
            "CASEWATCH_OPS_URL": "json://ops.example.org",
        },
    )
    assert not config.errors
    assert channels_for("hearing.rescheduled", "taldykorgan-torture", config) == ("team-email",)
    assert channels_for("source.failing", None, config) == ("ops",)
    hearing = route_for("hearing.cancelled", "taldykorgan-torture", "team-email", config)
    assert hearing is not None and hearing[1].quiet_hours is None  # quiet hours: off unless set
    assert all(route.quiet_hours is None for route in config.routes)
