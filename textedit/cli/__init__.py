"""The `textedit` command (top layer): the only package that imports gin and `tasks`."""
