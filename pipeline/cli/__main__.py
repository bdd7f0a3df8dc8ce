"""``python -m pipeline.cli``: the ``casewatch`` command line."""

from pipeline.cli.main import main

if __name__ == "__main__":
    main(prog_name="casewatch")
