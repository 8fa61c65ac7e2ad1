"""Helpers the tests share: test databases, the app under Pilot, remote helpdesk servers and a fault proxy."""
