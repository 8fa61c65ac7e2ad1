"""The Desk: the one seam between the app's screens and ``models``, and the rows it hands them."""
