"""Deployment: the container files, the systemd unit and the cron example are valid and agree
with the code; every setting can come from the environment; logs are JSON on request and never
carry a secret."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from pipeline.config.env import env_name, env_overrides, merge
from pipeline.config.load import load_config
from pipeline.config.settings import Settings
from pipeline.errors import ConfigError
from pipeline.logs import Redactor, configure_logging, formatter, redact

REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- container files


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_is_small_unprivileged_and_runs_the_service() -> None:
    steps = dockerfile()
    stages = [args for word, args in steps if word == "FROM"]
    assert stages and all(s.startswith("python:3.11-slim") for s in stages)
    final = steps[max(i for i, (w, _) in enumerate(steps) if w == "FROM") :]
    users = [args for word, args in final if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    cmd = next(args for word, args in reversed(final) if word == "CMD")
    assert json.loads(cmd) == ["casewatch", "run"]
    env = " ".join(args for word, args in final if word == "ENV")
    assert "CASEWATCH_CONFIG=/app/config" in env and "CASEWATCH_DATA_DIR=/data" in env
    for word, args in steps:  # every path copied from the build context exists
        if word == "COPY" and "--from" not in args:
            for source in args.split()[:-1]:
                assert (REPO / source).exists(), f"Dockerfile copies missing {source}"
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", "data", "*.db", ".env"} <= set(ignored)


def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_file_wires_casewatch_to_a_healthy_postgres() -> None:
    doc = compose()
    db, app = doc["services"]["db"], doc["services"]["casewatch"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["build"] == "." and (REPO / "Dockerfile").exists()
    url = app["environment"]["CASEWATCH_DATABASE_URL"]
    pg = db["environment"]
    assert url.startswith("postgresql+psycopg://")
    assert f"{pg['POSTGRES_USER']}:" in url and url.endswith(f"@db:5432/{pg['POSTGRES_DB']}")
    mounts = {v.split(":")[1]: v for v in app["volumes"]}
    assert app["environment"]["CASEWATCH_CONFIG"] in mounts  # the config folder is mounted
    assert mounts["/config"].endswith(":ro")
    assert set(doc["volumes"]) == {"db-data", "casewatch-data"}
    assert app["stop_signal"] == "SIGTERM"


def _compose_client() -> bool:
    if shutil.which("docker") is None:
        return False
    done = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(not _compose_client(), reason="no docker client with compose here")
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    done = subprocess.run(
        ["docker", "compose", "-f", str(REPO / "compose.yaml"), "config", "--quiet"],
        capture_output=True, text=True, check=False, cwd=REPO,
        env={"POSTGRES_PASSWORD": "x", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def unit() -> dict[str, dict[str, list[str]]]:
    """The systemd unit as section → key → values (keys like Environment repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in (REPO / "deploy" / "casewatch.service").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a key=value line: {raw!r}"
        current.setdefault(key, []).append(value)
    return sections


def test_systemd_unit_runs_the_service_and_stops_it_with_sigterm() -> None:
    sections = unit()
    assert set(sections) == {"Unit", "Service", "Install"}
    service = sections["Service"]
    assert service["ExecStart"][0].split()[-1] == "run"
    assert service["ExecStart"][0].split()[0].endswith("/casewatch")
    assert service["KillSignal"] == ["SIGTERM"]
    assert int(service["TimeoutStopSec"][0]) > Settings().service.shutdown_grace.total_seconds()
    assert service["User"][0] not in ("root", "0")
    assert service["Restart"] == ["on-failure"]
    env = dict(e.split("=", 1) for e in service["Environment"])
    assert env["CASEWATCH_LOG_FORMAT"] == "json" and "CASEWATCH_CONFIG" in env
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]


CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")


def test_crontab_example_runs_once_per_line() -> None:
    lines = (REPO / "deploy" / "crontab.example").read_text(encoding="utf-8").splitlines()
    jobs = [line.split(None, 6) for line in lines if line.strip() and not line.startswith("#")
            and not re.match(r"^[A-Z_]+=", line)]  # fmt: skip
    assert jobs
    for fields in jobs:
        assert all(CRON_FIELD.match(f) for f in fields[:5]), fields
        assert "casewatch" in fields[6] and "run --once" in fields[6]


# ---------------------------------------------------------------- settings from the environment


def leaves(model: type[BaseModel], path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out = []
    for name, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            out += leaves(info.annotation, (*path, name))
        else:
            out.append(((*path, name), info))
    return out


def other_value(info: Any, default: Any) -> tuple[str, Any]:
    """(text for the environment, the value it must load as), different from the default."""
    annotation = info.annotation
    if default is None:  # an optional field: a value of the type it holds
        kind = next(a for a in typing.get_args(annotation) if a is not type(None))
        default = {timedelta: timedelta(0), int: 0, float: 0.0, str: ""}.get(kind, default)
    if typing.get_origin(annotation) is typing.Literal:
        choice = next(a for a in typing.get_args(annotation) if a != default)
        return choice, choice
    if isinstance(default, bool):
        return str(not default).lower(), not default
    if isinstance(default, timedelta):
        return "7s", timedelta(seconds=7)
    if isinstance(default, int):
        return str(default + 1), default + 1
    if isinstance(default, float):
        return "0.25", 0.25
    if isinstance(default, tuple):
        return "[]", ()
    return "from-env", "from-env"


@pytest.mark.parametrize(
    ("path", "info"), leaves(Settings), ids=lambda v: ".".join(v) if isinstance(v, tuple) else ""
)
def test_every_setting_can_come_from_the_environment(
    path: tuple[str, ...], info: Any, tmp_path: Path
) -> None:
    default: Any = Settings()
    for part in path:
        default = getattr(default, part)
    text, expected = other_value(info, default)
    config = load_config(tmp_path, environ={env_name(path): text})
    loaded: Any = config.settings
    for part in path:
        loaded = getattr(loaded, part)
    assert loaded == expected, env_name(path)


def test_environment_wins_over_the_file_and_text_stays_verbatim(tmp_path: Path) -> None:
    (tmp_path / "settings.yaml").write_text(
        "failing_after: 4\ndelivery: {max_attempts: 2, backoff: 5m}\nuser_agent: from-file\n",
        encoding="utf-8",
    )
    environ = {
        "CASEWATCH_DELIVERY__MAX_ATTEMPTS": "9",
        "CASEWATCH_USER_AGENT": "0123",  # text: not read as the number 123
        "CASEWATCH_EMAIL_URL": "mailto://x",  # not a setting: ignored
    }
    settings = load_config(tmp_path, environ=environ).settings
    assert settings.delivery.max_attempts == 9
    assert settings.delivery.backoff == timedelta(minutes=5)  # the rest of the section kept
    assert settings.failing_after == 4 and settings.user_agent == "0123"


def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="environment CASEWATCH_SERVICE__CRAWL_TIMEOUT: "):
        load_config(tmp_path, environ={"CASEWATCH_SERVICE__CRAWL_TIMEOUT": "soon"})


@pytest.mark.parametrize(
    ("document", "overrides", "merged"),
    [
        ({}, {}, {}),
        ({"a": 1}, {"a": 2}, {"a": 2}),
        ({"s": {"x": 1, "y": 2}}, {"s": {"y": 3}}, {"s": {"x": 1, "y": 3}}),
        ({"s": None}, {"s": {"y": 3}}, {"s": {"y": 3}}),
    ],
)
def test_merge(document: dict[str, Any], overrides: dict[str, Any], merged: dict[str, Any]) -> None:
    assert merge(document, overrides) == merged


def test_env_overrides_only_takes_known_fields() -> None:
    environ = {"CASEWATCH_CONFIG": "/x", "CASEWATCH_NEWS_SEARCH__ENABLED": "false"}
    assert env_overrides(Settings, environ) == {"news_search": {"enabled": False}}


# ---------------------------------------------------------------- logs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET http://127.0.0.1:8/f.xml ok", "GET http://127.0.0.1:8/f.xml ok"),
        ("mailtos://me:pw@smtp.example.org?to=a", "mailtos://<hidden>"),
        ("tgram://123456:ABC-token/987 failed", "tgram://<hidden> failed"),
        ("https://u:p@x.org/a?token=t1&b=2", "https://<hidden>@x.org/a?token=<hidden>&b=2"),
        ("postgresql+psycopg://cw:pw@db:5432/cw", "postgresql+psycopg://<hidden>@db:5432/cw"),
        ("key is hunter2-secret here", "key is <hidden> here"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text, ["hunter2-secret"]) == expected


def test_json_log_lines_carry_fields_and_no_secret() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    handler.addFilter(Redactor(["mailto://user:pw@host"]))
    logger = logging.getLogger("casewatch.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("send to %s failed", "mailto://user:pw@host", extra={"source": "feed-1"})
    finally:
        logger.removeHandler(handler)
    record = json.loads(stream.getvalue())
    assert record["level"] == "WARNING" and record["logger"] == "casewatch.test.json"
    assert record["source"] == "feed-1" and "time" in record
    assert "pw" not in record["message"] and "<hidden>" in record["message"]


def test_configure_logging_replaces_its_own_handler() -> None:
    before = list(logging.root.handlers)
    try:
        configure_logging(0, "json")
        configure_logging(1, "text")
        ours = [h for h in logging.root.handlers if getattr(h, "casewatch", False)]
        assert len(ours) == 1 and ours[0].level == logging.INFO
        assert logging.getLogger("scrapy").level == logging.WARNING
    finally:
        for handler in list(logging.root.handlers):
            if handler not in before:
                logging.root.removeHandler(handler)


@pytest.mark.parametrize(
    "logger", ["scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry"]
)
@pytest.mark.parametrize(("verbose", "shown"), [(0, False), (1, False), (2, True)])
def test_errors_the_source_line_reports_are_not_shown_below_vv(
    logger: str, verbose: int, shown: bool
) -> None:
    """A robots.txt that cannot be fetched, or Scrapy's "Gave up retrying <GET …>", is not an
    error of its own: the source's one line names the failure."""
    handler = configure_logging(verbose, "text")
    try:
        record = logging.LogRecord(
            logger, logging.ERROR, __file__, 1, "Gave up retrying <GET https://x/>", None, None
        )
        other = logging.LogRecord(
            "pipeline.ingest.batch", logging.ERROR, __file__, 1, "x", None, None
        )
        assert bool(handler.filter(record)) is shown
        assert handler.filter(other)
    finally:
        logging.root.removeHandler(handler)
