"""Conductor: multi-step tasks and the database gateway for compute workers."""
