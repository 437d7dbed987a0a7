"""Alembic migrations for the Stratus schema."""
