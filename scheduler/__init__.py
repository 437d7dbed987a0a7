"""Scheduler: picks hosts with filters and weighers and claims resources atomically."""
