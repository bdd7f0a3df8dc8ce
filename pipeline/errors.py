"""One exception base for everything casewatch raises on purpose."""


class CasewatchError(Exception):
    """Base class; the message always carries its context (file, source, field)."""


class ConfigError(CasewatchError):
    """The config folder cannot be used as a whole (an entry-level problem is a ConfigProblem)."""


class SourceError(CasewatchError):
    """A source could not be fetched or parsed; the message names the source."""


class StoreError(CasewatchError):
    """The database cannot be opened or migrated."""


class UnknownSourceError(CasewatchError, LookupError):
    """A source asked for by id (``--source``, ``crawl``) is not configured or is disabled."""


class UnknownCaseError(CasewatchError, LookupError):
    """A case asked for by slug (``cases show``, ``match --case``) is not configured; the
    message names the configured ones."""


class ExtractError(CasewatchError, ValueError):
    """A body cannot be read as an article page (not HTML, empty); the message names the URL."""


class ParseOverBudget(SourceError):
    """A document's parse used up its budget and was abandoned; the message names the document."""
