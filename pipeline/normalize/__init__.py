"""Pure functions that turn strings as printed into typed values: dates, URLs, text, language,
and the multilingual word keys and term forms the matcher compares (``terms``)."""
