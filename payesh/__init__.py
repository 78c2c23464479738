"""Payesh: trade monitoring and export-development planning."""

__version__ = "0.1.0"
