"""The training room: the Textual terminal UI. Only this package imports textual."""
