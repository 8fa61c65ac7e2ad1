"""Lossless export and import of a whole desk as JSON Lines: the names callers use.

The format is :mod:`models.exchange.jsonl_format`; writing it, :mod:`models.exchange.jsonl_export`;
reading it back into an empty desk, all or nothing, :mod:`models.exchange.jsonl_import` (each row
checked by :mod:`models.exchange.jsonl_rows`).
"""

from __future__ import annotations

from models.exchange.jsonl_export import export_jsonl
from models.exchange.jsonl_format import END_TYPE, EXPORT_TABLES, FORMAT, HEADER_TYPE, latest_schema
from models.exchange.jsonl_import import import_jsonl

__all__ = ["END_TYPE", "EXPORT_TABLES", "FORMAT", "HEADER_TYPE", "export_jsonl", "import_jsonl", "latest_schema"]
