"""What the end-to-end tests share: the real ``casewatch`` alerting a local SMTP server, the
shipped cases, the config of the evidence path, and the stories their sites serve.

Their ``alerts.yaml`` names the channel's URL ``${E2E_SMTP_URL}``; :func:`casewatch` and
:func:`start_service` set it to the test's SMTP server.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .cli import run_casewatch, start_casewatch
from .http_server import LocalHTTPServer
from .smtp import LocalSMTPServer, smtp_url

REPO = Path(__file__).resolve().parents[2]
SHIPPED_CASES = REPO / "config" / "cases.yaml"

# the news path (and the service): a report of the Taldykorgan trial, a shipped case
VLAST_URL = "https://vlast.kz/novosti/61234-v-taldykorgane-nachalsya-sud.html"
TALDY_RU = "В Талдыкоргане начался суд над полицейскими, обвиняемыми в пытках задержанных"

# the evidence path: an article whose feed teaser says nothing of the case, its full text does
TITLE = "Суд продолжил рассмотрение резонансного дела"
PARAGRAPHS = [
    "В Талдыкорганском городском суде 27 ноября 2026 года продолжился процесс над бывшими "
    "сотрудниками департамента полиции, обвиняемыми в пытках задержанных после январских "
    "событий 2022 года.",
    "Суд допросил потерпевшего Азамата Батырбаева. Он рассказал, что 7 января 2022 года его "
    "доставили в здание департамента полиции, где избивали и пытали током.",
    "По словам адвоката, защита ходатайствовала о проведении дополнительной экспертизы. "
    "Следующее заседание назначено на 4 декабря 2026 года.",
    "Подсудимым вменяется статья 146 Уголовного кодекса Республики Казахстан. Им грозит до "
    "двенадцати лет лишения свободы, сообщил представитель прокуратуры на заседании.",
]


def smtp_env(smtp: LocalSMTPServer) -> dict[str, str]:
    return {"E2E_SMTP_URL": smtp_url(smtp)}


def casewatch(
    config: Path, db_url: str, smtp: LocalSMTPServer, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``casewatch --config CONFIG ARGS…`` run to its end, alerting ``smtp``."""
    return run_casewatch(config, db_url, *args, env=smtp_env(smtp), cwd=cwd)


def start_service(
    config: Path, db_url: str, smtp: LocalSMTPServer, cwd: Path | None = None
) -> subprocess.Popen[str]:
    """``casewatch --config CONFIG run`` (the service) started, alerting ``smtp``."""
    return start_casewatch(config, db_url, "run", env=smtp_env(smtp), cwd=cwd, text=True)


def write_evidence_config(folder: Path, http: LocalHTTPServer, data: Path) -> None:
    """Two outlets' feeds on ``http``, evidence re-checked at every run, one alert per story."""
    folder.mkdir()
    (folder / "cases.yaml").write_text(SHIPPED_CASES.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "settings.yaml").write_text(
        f"data_dir: {data}\ndownload_timeout: 5s\ndownload_delay: 0s\n"
        "news_search: {enabled: false}\ndelivery: {backoff: 0s}\n"
        "evidence: {recheck_every: 0s}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: outlet-a, kind: feed, url: '{http.url('/a/feed.xml')}', every: 1h}}\n"
        f"  - {{id: outlet-b, kind: feed, url: '{http.url('/b/feed.xml')}', every: 1h}}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: team-email\n    url: ${E2E_SMTP_URL}\n"
        "routes:\n  - cases: ['*']\n    events: ['article.*']\n    channels: [team-email]\n"
        "    per: story\n",
        encoding="utf-8",
    )
