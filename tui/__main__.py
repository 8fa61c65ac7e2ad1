"""``python -m tui``: the same as the ``sportello`` command."""

from tui.cli.root import main

if __name__ == "__main__":
    main()
