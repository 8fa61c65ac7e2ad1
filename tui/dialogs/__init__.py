"""Modal dialogs: each a ``ModalScreen[T]`` that dismisses with its value (None when cancelled), and
the flows that chain them for one ticket action. Dialogs never import a screen; their workers' results
come back as messages (see :mod:`tui.screens`)."""
