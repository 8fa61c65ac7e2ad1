"""The app's screens. A screen never imports another screen: the app owns navigation."""
