"""Voices that speak the customer's lines: scripted, or through a local model."""

from simulator.voice.base import CustomerLine, LineRequest, Voice

__all__ = ["CustomerLine", "LineRequest", "Voice"]
