"""Stable names for a Keras model's variables, so checkpoints do not depend on object identity.

Keras 3 layers kept in Python lists are invisible to `tf.train.Checkpoint`'s object graph, so the
trainer checkpoints a flat dict `{key: variable}` instead. The key is the variable's Keras path
without the model's own name (which gets a `_1` suffix for a second instance in one process) and
with Keras's global counter taken off `seed_generator_N` (dropout RNG states):

    t5_encoder_decoder_1/encoder/block_0/self_attention/q/kernel  ->  encoder/block_0/.../q/kernel
    t5_encoder_decoder/decoder/block_1/seed_generator_12/seed_generator_state
        ->  decoder/block_1/seed_generator/seed_generator_state

Layers must carry explicit or deterministic names (T5 does) for keys to match across processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SEED_GENERATOR = re.compile(r"(^|/)seed_generator_\d+(/|$)")
# tf.train.Checkpoint stores a dict entry as "<attribute>/<escaped key>/.ATTRIBUTES/VARIABLE_VALUE".
_VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"


def variable_key(path: str) -> str:
    """The key of a Keras variable path (module docstring)."""
    _, sep, rest = path.partition("/")
    key = rest if sep else path
    return _SEED_GENERATOR.sub(r"\1seed_generator\2", key)


def keyed_variables(variables: Iterable) -> dict[str, object]:
    """{key: variable} in the given order; fails if two variables get the same key."""
    keyed: dict[str, object] = {}
    for variable in variables:
        key = variable_key(variable.path)
        if key in keyed:
            raise ValueError(
                f"two variables have the checkpoint key {key!r} ({keyed[key].path} and "
                f"{variable.path}); give their layers distinct names")
        keyed[key] = variable
    return keyed


def _escape(name: str) -> str:
    """tf.train.Checkpoint's escaping of one object-graph edge name."""
    return name.replace(".", "..").replace("/", ".S")


def _unescape(name: str) -> str:
    out, i = [], 0
    while i < len(name):
        if name[i] == "." and i + 1 < len(name):
            out.append("/" if name[i + 1] == "S" else name[i + 1])
            i += 2
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


def checkpoint_key(attribute: str, key: str) -> str:
    """The tensor name under which `tf.train.Checkpoint(attribute={key: v})` stores v."""
    return f"{attribute}/{_escape(key)}{_VALUE_SUFFIX}"


def keys_in_checkpoint(names_to_shapes: dict[str, list[int]], attribute: str
                       ) -> dict[str, list[int]]:
    """{key: shape} of the dict entries stored under `attribute` in a checkpoint's variable map
    (`tf.train.load_checkpoint(path).get_variable_to_shape_map()`)."""
    prefix = attribute + "/"
    found = {}
    for name, shape in names_to_shapes.items():
        if name.startswith(prefix) and name.endswith(_VALUE_SUFFIX):
            found[_unescape(name[len(prefix):-len(_VALUE_SUFFIX)])] = list(shape)
    return found
