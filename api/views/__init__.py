"""Views: turn database dicts into the wire format of each API."""
