"""Database layer: models, engine, migrations and query functions (one module per noun)."""
