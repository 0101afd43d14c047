"""oddswatch kernel: domain model, odds math, settings, errors, CLI."""

__version__ = "0.1.0"
