"""Pure functions that turn strings as printed into typed values: dates, URLs, text, language."""
