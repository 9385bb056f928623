"""Customer-service training simulator."""

__version__ = "0.1.0"
