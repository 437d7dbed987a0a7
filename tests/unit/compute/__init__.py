"""Compute manager tests."""
