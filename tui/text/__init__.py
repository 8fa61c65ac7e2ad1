"""Inert text, labels and formatters shared by the command line and the screens. Nothing here imports
textual: stored text becomes ``rich.text.Text`` or plain strings that cannot run markup or reach the
terminal raw."""
