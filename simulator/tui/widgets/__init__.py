"""The training room's widgets, one per file."""
