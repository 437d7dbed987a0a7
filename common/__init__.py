"""Small pieces every service shares: exceptions, logging, clocks."""
