"""The read side shared by the CLI, the web app and exports: each query takes a session and only
reads; results are frozen dataclasses."""
