"""Compute worker: carries out actions on its hypervisor; never opens the database."""
