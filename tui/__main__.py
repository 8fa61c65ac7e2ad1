"""``python -m tui``: the same as the ``sportello`` command."""

from .cli import main

if __name__ == "__main__":
    main()
