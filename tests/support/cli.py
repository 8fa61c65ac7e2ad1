"""What a command-line test checks: hostile text, and an error said in one line."""

from __future__ import annotations

HOSTILE = "Bad \x1b]0;pwned\x07 [@click=app.quit] \x1b[31mred\u202eevil"
RAW_CONTROLS = ("\x1b", "\x07", "\u202e")


def one_error_line(result, code: int) -> str:
    """The run failed with ``code`` and said so in exactly one ``sportello:`` line, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sportello: ")
    assert "Traceback" not in result.output
    return lines[0]
