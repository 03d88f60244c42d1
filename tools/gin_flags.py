"""`--gin_file` / `--gin.NAME=VALUE` handling shared by the tools (the library itself is gin-free).

Tools call `split_gin_args(argv)` to separate gin arguments from their own flags, then
`apply_gin(files, bindings)` once the configurables are registered.
"""

from __future__ import annotations

import functools

import gin


def split_gin_args(argv: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Returns (gin files, gin bindings, remaining argv); accepts `--gin_file F`, `--gin_file=F`
    and `--gin.NAME=VALUE` (T5X style)."""
    files, bindings, rest = [], [], []
    args = iter(argv)
    for arg in args:
        if arg == "--gin_file":
            value = next(args, None)
            if value is None:
                raise SystemExit("--gin_file needs a file name")
            files.append(value)
        elif arg.startswith("--gin_file="):
            files.append(arg.split("=", 1)[1])
        elif arg.startswith("--gin."):
            name, sep, value = arg[len("--gin."):].partition("=")
            if not sep:
                raise SystemExit(f"{arg}: expected --gin.NAME=VALUE")
            bindings.append(f"{name} = {value}")
        else:
            rest.append(arg)
    return files, bindings, rest


def apply_gin(files: list[str], bindings: list[str]) -> None:
    """Parses gin files then bindings; unknown names fail with gin's own message."""
    if files or bindings:
        gin.parse_config_files_and_bindings(files, bindings)


@functools.cache
def user_parallel_tasks_configurable():
    """`user_parallel_tasks` (tasks/user_data.py) as a gin configurable, registered once."""
    from tasks.user_data import user_parallel_tasks

    return gin.external_configurable(user_parallel_tasks, name="user_parallel_tasks")
