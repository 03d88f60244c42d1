"""`python -m textedit COMMAND ...`: the same entry as the `textedit` console script."""

from textedit.cli.main import console_main

if __name__ == "__main__":
    console_main()
