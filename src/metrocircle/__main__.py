"""``python -m metrocircle``: the same command line as the ``metrocircle`` script."""

from metrocircle.cli import main

if __name__ == "__main__":
    main()
