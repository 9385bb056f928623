"""The training room's screens, one per file."""
