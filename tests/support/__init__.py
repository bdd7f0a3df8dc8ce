"""Helpers for the tests, imported as ``support.<module>`` (``tests/`` is on ``sys.path``:
pytest puts the folder of the rootdir ``conftest.py`` there, as it has no ``__init__.py``).

Local servers on 127.0.0.1, fakes of the sites we crawl, data builders and the CLI runners
the test modules share. Nothing here is a test; fixtures stay in ``tests/conftest.py`` or
in the test module that uses them.
"""
