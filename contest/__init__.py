"""Online legal-knowledge contest engine."""

__version__ = "0.1.0"
