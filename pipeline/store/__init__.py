"""The store: models, engine factory, repository functions, Alembic migrations."""
