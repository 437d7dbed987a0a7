"""Conductor tasks: one module per multi-step operation."""
