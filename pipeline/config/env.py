"""Every setting of ``settings.yaml`` from the environment, for containers and systemd units.

``CASEWATCH_<FIELD>`` sets a top-level field (``CASEWATCH_DOWNLOAD_TIMEOUT=10s``) and
``CASEWATCH_<SECTION>__<FIELD>`` a field of a section (``CASEWATCH_DELIVERY__MAX_ATTEMPTS=5``,
``CASEWATCH_SERVICE__CRAWL_TIMEOUT=2m``). The environment wins over the file. A value is read
as YAML (``false``, ``5``, ``[a, b]``) unless the field is text, so a password or URL is taken
verbatim. ``CASEWATCH_*`` names that are no setting (channel URLs, ``CASEWATCH_CONFIG``) are
left alone.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

import yaml
from pydantic import BaseModel

PREFIX = "CASEWATCH_"
SEPARATOR = "__"


def env_name(path: tuple[str | int, ...], prefix: str = PREFIX) -> str:
    """``("delivery", "max_attempts")`` → ``CASEWATCH_DELIVERY__MAX_ATTEMPTS``."""
    return prefix + SEPARATOR.join(str(p).upper() for p in path)


def env_overrides(
    model: type[BaseModel], environ: Mapping[str, str], path: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The fields of ``model`` (sections recursively) that the environment sets, as a dict
    shaped like the YAML document."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        section = _section(info.annotation)
        if section is not None:
            nested = env_overrides(section, environ, (*path, name))
            if nested:
                out[name] = nested
            continue
        key = env_name((*path, name))
        if key in environ:
            out[name] = environ[key] if _is_text(info.annotation) else _yaml(environ[key], key)
    return out


def merge(document: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with ``overrides`` laid over it, sections merged field by field."""
    out = dict(document)
    for key, value in overrides.items():
        below = out.get(key)
        if isinstance(value, Mapping) and isinstance(below, Mapping):
            out[key] = merge(below, value)
        else:
            out[key] = value
    return out


def _yaml(raw: str, key: str) -> Any:
    try:
        return yaml.safe_load(raw) if raw.strip() else raw
    except yaml.YAMLError:
        return raw  # validation then names the variable and the field


def _section(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _is_text(annotation: Any) -> bool:
    """str, ``str | None`` and string Literals are taken verbatim."""
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return all(isinstance(a, str) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(args) == 1 and _is_text(args[0])
    return False
