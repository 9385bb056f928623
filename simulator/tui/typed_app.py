"""Typed access to the training room app from its screens."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from simulator.tui.app import TrainingApp


def training_app(node: DOMNode) -> TrainingApp:
    """The app a screen or widget runs in: always a TrainingApp (screens are not reused elsewhere)."""
    return cast("TrainingApp", node.app)
