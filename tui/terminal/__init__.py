"""The terminal the app runs in: decoding its input and handing it to ``$EDITOR``."""
