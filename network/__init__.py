"""Networking: fixed and floating IPs, networks and security groups (not built yet)."""
