"""The demo desk generator. Nothing else in models imports it."""
