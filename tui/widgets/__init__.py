"""The app's widgets, one a file. A widget tells its parent what happened with a nested Message and
never imports a screen; its workers' results come back as messages too (see :mod:`tui.screens`)."""
