"""Pure functions that turn strings as printed into typed values: dates and time zones, hearing
times, URLs, text and language (the matcher's word keys and term forms are in ``match``)."""
