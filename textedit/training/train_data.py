"""The training batch stream: epoch after epoch, each shuffled with its own seed, resumable.

    stream = EpochBatches(seqio_train_dataset("gec_wi_fce", {"inputs": 128, "targets": 128}),
                          strategy, global_batch_size=64, seed=0)
    stream.start(epoch=0, offset=0)           # or the position stored in a checkpoint
    batch = next(stream)                       # a distributed batch: one [b / replicas, ...]
                                               # dict per replica; stream.position advances

Epoch e is `dataset_fn(seed + e, shard, per_replica_batch_size)`: one pass over the split (or
`passes_per_epoch` passes, for small splits) in an order fixed by its seed (SeqIO shuffles the
examples with it), cut into batches with the remainder dropped. So the stream is a deterministic
function of `seed`, and the position (epoch, batches consumed in it) identifies where a run is.
On resume the stream re-creates epoch `epoch` and skips `offset` batches: the run continues with
exactly the batches an uninterrupted run would have seen. Skipping costs preprocessing of at most
one epoch (tokenising about 2,000 examples/s on 2 CPU cores); the run prints how many batches it
skips.

With several replicas each global batch is one per-replica batch per replica, taken in order from
each input pipeline; an input pipeline's per-replica batches are grouped by replica count with the
remainder dropped, so every step gets full, equally shaped batches (XLA needs static shapes).
With several input pipelines (multiworker, TPU pods) pipeline i reads SeqIO shard i of n.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

import seqio
import tensorflow as tf

from textedit.training.length_buckets import bucketed

# (seed, shard_info or None, per-replica batch size) -> finite batched dataset of one epoch.
DatasetFn = Callable[[int, "seqio.ShardInfo | None", int], tf.data.Dataset]


def seqio_train_dataset(mixture_or_task_name: str, task_feature_lengths: Mapping[str, int],
                        split: str = "train",
                        feature_converter: seqio.FeatureConverter | None = None,
                        use_cached: bool = False, passes_per_epoch: int = 1) -> DatasetFn:
    """A `DatasetFn` over a SeqIO task or mixture (default converter: EncDecFeatureConverter
    without packing). One of its epochs is `passes_per_epoch` passes over the split (SeqIO's
    `num_epochs`), shuffled together."""
    converter = feature_converter or seqio.EncDecFeatureConverter(pack=False)
    if passes_per_epoch < 1:
        raise ValueError(f"passes_per_epoch is at least 1, got {passes_per_epoch}")

    def dataset_fn(seed: int, shard_info, batch_size: int) -> tf.data.Dataset:
        return seqio.get_dataset(
            mixture_or_task_name, dict(task_feature_lengths), converter, dataset_split=split,
            use_cached=use_cached, shuffle=True, num_epochs=passes_per_epoch,
            shard_info=shard_info,
            seed=seed, batch_size=batch_size, verbose=False)

    return dataset_fn


@dataclasses.dataclass
class TrainDataConfig:
    """Which SeqIO data a run trains on (`seqio_train_dataset`'s arguments).

    Attributes:
      mixture_or_task_name: a registered task or mixture.
      task_feature_lengths: e.g. {"inputs": 128, "targets": 128}; longer examples are truncated.
      split: the split trained on.
      use_cached: read SeqIO's offline cache (`textedit cache_tasks`, Apache Beam) instead of
        preprocessing; a task not cached in `cache_dirs` is an error naming that command.
      cache_dirs: directories holding task caches (registered with SeqIO's global cache dirs).
      length_buckets: e.g. [{"inputs": 24, "decoder_targets": 8}]: batch examples of similar
        lengths together and cut each batch to the first bucket that holds it
        (textedit.training.length_buckets); () = every batch at the task lengths.
      feature_converter: None = EncDecFeatureConverter(pack=False); EdiT5 runs use
        `EditFeatureConverter()` (tags, pointers, insertion decoder features).
      passes_per_epoch: passes over the split in one epoch of the stream. Each epoch builds a
        new input pipeline (about a second on a CPU), so a split of a few batches (a 1% share
        of a small data set) would pay that on almost every step; several passes per epoch pay
        it once for all of them, and drop a batch remainder once instead of after every pass.
    """

    mixture_or_task_name: str
    task_feature_lengths: Mapping[str, int]
    split: str = "train"
    use_cached: bool = False
    feature_converter: seqio.FeatureConverter | None = None
    passes_per_epoch: int = 1
    cache_dirs: Sequence[str] = ()
    length_buckets: Sequence[Mapping[str, int]] = ()

    def dataset_fn(self, feature_converter: seqio.FeatureConverter | None = None) -> DatasetFn:
        if self.use_cached:
            check_cached(self.mixture_or_task_name, self.cache_dirs)
        dataset_fn = seqio_train_dataset(self.mixture_or_task_name, self.task_feature_lengths,
                                         self.split, feature_converter or self.feature_converter,
                                         self.use_cached, self.passes_per_epoch)
        if not self.length_buckets:
            return dataset_fn
        return bucketed(dataset_fn, self.length_buckets, self.task_feature_lengths)


def check_cached(mixture_or_task_name: str, cache_dirs: Sequence[str]) -> None:
    """Registers `cache_dirs` with SeqIO and fails, naming the caching command, if a task of
    `mixture_or_task_name` has no completed cache in them."""
    if cache_dirs:
        seqio.add_global_cache_dirs(list(cache_dirs))
    provider = seqio.get_mixture_or_task(mixture_or_task_name)
    tasks = provider.tasks if isinstance(provider, seqio.Mixture) else [provider]
    missing = [task.name for task in tasks if not task.cache_dir]
    if missing:
        raise ValueError(
            f"use_cached: no cache of {missing} in the cache directories "
            f"{list(seqio.get_global_cache_dirs())}; write it with `textedit cache_tasks --tasks "
            f"{' '.join(missing)} --cache_dir DIR` and set CACHE_DIRS = ['DIR']")


class EmptyEpochError(ValueError):
    """An epoch without a single full batch: the split is smaller than one global batch."""


class EpochBatches:
    """Infinite stream of distributed global batches (module docstring)."""

    def __init__(self, dataset_fn: DatasetFn, strategy: tf.distribute.Strategy,
                 global_batch_size: int, seed: int = 0, name: str = "training data"):
        if global_batch_size % strategy.num_replicas_in_sync:
            raise ValueError(f"batch size {global_batch_size} is not divisible by the "
                             f"{strategy.num_replicas_in_sync} replicas")
        self.dataset_fn = dataset_fn
        self.strategy = strategy
        self.global_batch_size = global_batch_size
        self.seed = seed
        self.name = name
        self.epoch = 0
        self.offset = 0
        self._iterator = None
        self._element_spec = None

    @property
    def position(self) -> tuple[int, int]:
        """(epoch, global batches consumed in it)."""
        return self.epoch, self.offset

    @property
    def element_spec(self):
        """The per-replica batch spec, {feature: TensorSpec([b / replicas, length])}."""
        if self._element_spec is None:
            self.start(self.epoch, self.offset)
        return self._element_spec

    def start(self, epoch: int = 0, offset: int = 0) -> None:
        """Positions the stream at batch `offset` of epoch `epoch` (skipping what comes before)."""
        self.epoch, self.offset = epoch, offset
        distributed = self.strategy.distribute_datasets_from_function(
            lambda context: self._pipeline(context, epoch, offset))
        # Under a multi-worker strategy each feature's spec is a PerReplicaSpec (one TensorSpec
        # per local replica, all alike); the model needs one replica's.
        self._element_spec = tf.nest.map_structure(
            lambda spec: getattr(spec, "_value_specs", (spec,))[0], distributed.element_spec)
        self._iterator = iter(distributed)

    def _pipeline(self, context: tf.distribute.InputContext, epoch: int, offset: int):
        per_replica = context.get_per_replica_batch_size(self.global_batch_size)
        shard = (seqio.ShardInfo(context.input_pipeline_id, context.num_input_pipelines)
                 if context.num_input_pipelines > 1 else None)
        dataset = self.dataset_fn(self.seed + epoch, shard, per_replica)
        replicas = context.num_replicas_in_sync // context.num_input_pipelines
        if replicas > 1:  # whole steps only: every replica gets a full batch
            dataset = dataset.batch(replicas, drop_remainder=True).unbatch()
        return dataset.skip(offset * replicas).prefetch(tf.data.AUTOTUNE)

    def __iter__(self):
        return self

    def __next__(self):
        if self._iterator is None:
            self.start(self.epoch, self.offset)
        for _ in range(2):
            try:
                batch = next(self._iterator)
            except (StopIteration, tf.errors.OutOfRangeError):
                if self.offset == 0:
                    raise EmptyEpochError(
                        f"{self.name}: epoch {self.epoch} has no full batch of "
                        f"{self.global_batch_size} examples") from None
                self.start(self.epoch + 1, 0)
                continue
            self.offset += 1
            return batch
        raise EmptyEpochError(f"{self.name}: epoch {self.epoch} has no full batch of "
                              f"{self.global_batch_size} examples")
