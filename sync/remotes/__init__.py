"""Adapters for remote helpdesks (RT 5, Roundup): httpx only, no models."""
