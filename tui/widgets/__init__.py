"""The app's widgets, one a file. A widget tells its parent what happened with a nested Message and
never imports a screen."""
