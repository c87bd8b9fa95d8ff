"""``python -m scanner.cli``: the console script."""

from scanner.cli import main

main()
