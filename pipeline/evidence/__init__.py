"""Full articles and evidence: fetch a matched article's page, keep what it said, notice edits
and removals, hand it over as WARC (``fetched`` → ``pages`` → ``store`` → ``warc``)."""
