"""Unit tests of the scheduler: filters, weighers, host manager and select_destinations."""
