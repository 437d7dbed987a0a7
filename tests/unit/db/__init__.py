"""Database query module tests."""
