"""Unit tests of the HTTP gateway's building blocks (tokens, schemas, views)."""
