"""Consoleauth: console tokens in memcached and the noVNC proxy (built in the consoles issue)."""
