"""Entry points: one module per daemon or tool, plus the wiring they share."""
