"""iqkg: a knowledge graph of the funding programme "Integration durch Qualifizierung (IQ)"."""

__version__ = "0.1.0"
