"""Article pages → title, author, dates, language and main text (``extract_page``)."""

from pipeline.errors import ExtractError
from pipeline.parse.page.extract import SELECTOR_FIELDS, ExtractedPage, extract_page

__all__ = ["SELECTOR_FIELDS", "ExtractError", "ExtractedPage", "extract_page"]
