"""Loading Hugging Face T5 / T5 v1.1 checkpoints (a local `save_pretrained` directory).

    model = load_hf_t5("/path/to/t5-small")      # config.json + model.safetensors (or .bin)

    config, state = read_hf_t5_checkpoint(path)  # T5Config, {hf_key: np.ndarray}
    model = T5EncoderDecoder(config)
    report = load_hf_t5_weights(model, state)    # HFLoadReport: loaded / missing / unexpected

Files, in order of preference: `model.safetensors`, `model.safetensors.index.json` (shards),
`pytorch_model.bin`, `pytorch_model.bin.index.json`. Safetensors files are read with the
`safetensors` package's numpy API, so no torch is needed; bfloat16 tensors are widened to float32.
The PyTorch format needs torch (`pip install -e .[hf]`), imported only for it and read with
`weights_only=True`. Nothing is ever downloaded: the path must be a local directory.

The weight names are those of `t5_hf_names.hf_t5_variables`. Keys HF stores as aliases
(`encoder.embed_tokens.weight`, `decoder.embed_tokens.weight`, a tied checkpoint's
`lm_head.weight`) and the unused `decoder.block.0.layer.1.EncDecAttention.relative_attention_bias`
are skipped and listed as `aliases` in the report. The output projection:

- tied (T5 v1.0, `scale_decoder_outputs` / `tie_word_embeddings` true): the model projects with
  `shared` scaled by d_model**-0.5; there is no separate weight to load.
- untied (T5 v1.1): `lm_head.weight` from the checkpoint. transformers >= 5 always ties lm_head to
  shared and leaves `lm_head.weight` out of the files it writes (keeping the v1.1 semantics, no
  scaling, in `scale_decoder_outputs: false`); such a checkpoint's lm_head is then `shared.weight`,
  as transformers itself computes it, and the report says so in `notes`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from textedit.models.t5.hf_t5_config_reader import read_hf_t5_config
from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.models.t5.t5_hf_names import hf_t5_variables

SAFETENSORS = "model.safetensors"
PYTORCH = "pytorch_model.bin"
ALIAS_KEYS = ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight",
              "decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight")


@dataclasses.dataclass
class HFLoadReport:
    """What `load_hf_t5_weights` did with a state dict.

    Attributes:
      loaded: HF keys assigned to model variables.
      missing: keys the model needs that the state dict lacks (those variables were left as
        they were).
      unexpected: state-dict keys the model has no place for (ignored).
      aliases: state-dict keys recognised as copies of loaded weights or unused by HF (ignored).
      notes: sentences about choices made (e.g. lm_head taken from shared.weight).
    """

    loaded: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    unexpected: list[str] = dataclasses.field(default_factory=list)
    aliases: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every weight was loaded and nothing was left over."""
        return not self.missing and not self.unexpected

    def summary(self) -> str:
        lines = [f"loaded {len(self.loaded)} weights; {len(self.missing)} missing, "
                 f"{len(self.unexpected)} unexpected, {len(self.aliases)} aliases skipped"]
        for title, keys in (("missing", self.missing), ("unexpected", self.unexpected)):
            if keys:
                lines.append(f"{title}: " + ", ".join(keys))
        lines.extend(self.notes)
        return "\n".join(lines)


def load_hf_t5_weights(model: T5EncoderDecoder, state_dict: Mapping[str, Any]) -> HFLoadReport:
    """Assigns a Hugging Face T5 state dict to `model`'s variables by name.

    Args:
      model: a `T5EncoderDecoder` whose config matches the checkpoint's.
      state_dict: HF key -> array (numpy, or anything `np.asarray` takes: a CPU torch tensor
        works); HF layout, i.e. `nn.Linear` weights [out, in].

    Returns:
      the `HFLoadReport`. Missing weights keep their current values; check `report.missing`.

    Raises:
      ValueError: a shape differs from the model's; the message names the key and both shapes.
    """
    report = HFLoadReport()
    targets = hf_t5_variables(model)
    arrays = dict(state_dict)
    if model.lm_head is not None and "lm_head.weight" not in arrays and "shared.weight" in arrays:
        arrays["lm_head.weight"] = arrays["shared.weight"]
        report.notes.append("lm_head.weight is not in the checkpoint: using shared.weight (a "
                            "transformers >= 5 checkpoint ties them), without the tied "
                            "d_model**-0.5 scaling, as transformers computes it")
    assign_hf_arrays(targets, arrays, report)
    for key in arrays:
        if key in targets:
            continue
        if key in ALIAS_KEYS or key == "lm_head.weight":  # lm_head of a tied model: an alias
            report.aliases.append(key)
        else:
            report.unexpected.append(key)
    return report


def assign_hf_arrays(targets: Mapping[str, tuple[Any, bool]], arrays: Mapping[str, Any],
                     report: HFLoadReport) -> None:
    """Assigns checkpoint arrays to model variables, all or nothing.

    targets: {HF key: (variable, transpose)} (the model's variables in HF naming; transpose when
    HF stores the kernel as [out, in]); arrays: {HF key: array-like}. Keys of `targets` absent
    from `arrays` go to `report.missing`, assigned ones to `report.loaded`; keys of `arrays`
    that no target names are left to the caller (aliases or unexpected keys).

    Raises:
      ValueError: a shape differs from the model's (naming the key and both shapes); nothing is
        assigned then.
    """
    pending = []
    for key, (variable, transpose) in targets.items():
        if key not in arrays:
            report.missing.append(key)
            continue
        array = _to_numpy(arrays[key])
        expected = tuple(variable.shape[::-1]) if transpose else tuple(variable.shape)
        if tuple(array.shape) != expected:
            raise ValueError(f"{key}: checkpoint shape {tuple(array.shape)}, model expects "
                             f"{expected} (HF layout; check the config.json against the weights)")
        pending.append((key, variable, array.T if transpose else array))
    for key, variable, array in pending:  # assign only once every shape is known to fit
        variable.assign(np.asarray(array).astype(variable.dtype))
        report.loaded.append(key)


def read_hf_t5_checkpoint(path: str | os.PathLike) -> tuple[T5Config, dict[str, np.ndarray]]:
    """Reads a local HF T5 checkpoint directory -> (T5Config, {HF key: float array}).

    Raises:
      FileNotFoundError: `path` is not a local directory (e.g. a hub name: nothing is downloaded),
        or it lacks config.json or a weights file (the message lists what was looked for).
      ValueError: config.json is not a T5 config this backbone can express (`hf_t5_config_reader`:
        model_type "t5" / "mt5", feed_forward_proj "relu" / "gated-gelu").
    """
    directory = os.fspath(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"{directory!r} is not a local directory: load_hf_t5 reads a checkpoint saved on disk "
            "(config.json and model.safetensors or pytorch_model.bin) and never downloads; "
            "fetch hub models elsewhere and pass their directory")
    return read_hf_t5_config(directory), _read_weights(directory)


def load_hf_t5(path: str | os.PathLike, *, strict: bool = True, dtype: Any = None
               ) -> T5EncoderDecoder:
    """A `T5EncoderDecoder` built from a local HF T5 checkpoint directory, weights loaded.

    Args:
      path: directory written by `save_pretrained` (config.json plus weights; see module doc).
      strict: raise when weights are missing or unexpected keys are present (default); when
        False, print the report's summary instead and leave missing weights at their random init.
      dtype: optional Keras dtype policy for the model (e.g. "mixed_bfloat16").

    Raises:
      FileNotFoundError / ValueError: see `read_hf_t5_checkpoint`; ValueError also for shape
        mismatches and, when strict, for missing or unexpected keys (message: the report).
    """
    config, state = read_hf_t5_checkpoint(path)
    model = T5EncoderDecoder(config, dtype=dtype) if dtype else T5EncoderDecoder(config)
    report = load_hf_t5_weights(model, state)
    if not report.complete:
        message = f"{os.fspath(path)}: {report.summary()}"
        if strict:
            raise ValueError(message + "\n(pass strict=False to keep the partial model)")
        print(message, flush=True)
    return model


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor: widen bfloat16/float16, numpy has no bf16
        value = value.detach().cpu()
        if value.dtype.is_floating_point and value.dtype.itemsize < 4:
            value = value.float()
        return value.numpy()
    return np.asarray(value)


def _read_weights(directory: str) -> dict[str, np.ndarray]:
    for name in (SAFETENSORS, PYTORCH):
        single = os.path.join(directory, name)
        if os.path.isfile(single):
            return _read_file(single)
        index = single + ".index.json"
        if os.path.isfile(index):
            with open(index, encoding="utf-8") as f:
                shards = sorted(set(json.load(f)["weight_map"].values()))
            state: dict[str, np.ndarray] = {}
            for shard in shards:
                state.update(_read_file(os.path.join(directory, shard)))
            return state
    raise FileNotFoundError(
        f"{directory}: no weights file; looked for {SAFETENSORS}, {SAFETENSORS}.index.json, "
        f"{PYTORCH} and {PYTORCH}.index.json")


def _read_file(path: str) -> dict[str, np.ndarray]:
    if path.endswith(".safetensors"):
        return _read_safetensors(path)
    try:
        import torch
    except ImportError as error:
        raise ImportError(f"{path}: reading the PyTorch format needs torch (pip install -e "
                          ".[hf]); a model.safetensors file needs only `safetensors`") from error
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {key: _to_numpy(value) for key, value in state.items()}


def _read_safetensors(path: str) -> dict[str, np.ndarray]:
    try:
        from safetensors.numpy import load_file
    except ImportError as error:
        raise ImportError(f"{path}: reading safetensors needs the `safetensors` package "
                          "(pip install -e .)") from error
    try:
        return load_file(path)
    except TypeError:  # bfloat16, which numpy lacks: read the format's header ourselves
        return _read_safetensors_widened(path)


def _read_safetensors_widened(path: str) -> dict[str, np.ndarray]:
    """The safetensors layout (8-byte little-endian header size, JSON header, raw data) read
    directly, bfloat16 widened to float32 (its bits are float32's upper half)."""
    dtypes = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
              "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_,
              "BF16": np.uint16}
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
        data = f.read()
    state = {}
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        if entry["dtype"] not in dtypes:
            raise ValueError(f"{path}: {key} has dtype {entry['dtype']}, which is not supported")
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=np.dtype(dtypes[entry["dtype"]]).newbyteorder(
            "<")).reshape(entry["shape"])
        if entry["dtype"] == "BF16":
            array = (array.astype(np.uint32) << 16).view(np.float32)
        state[key] = array.astype(array.dtype.newbyteorder("="))
    return state
