"""k candidate outputs per source from a trained seq2seq or EdiT5 run, for LMCor candidate files.

    run = load_run("workdir/runs/seq2seq_gec")
    settings = CandidateSettings(k=4, method="sample", temperature=0.7, top_p=0.9)
    examples = generate_candidates(run, sources, references, settings)
    write_candidates("cands.jsonl", examples)          # textedit/data/readers/candidates_reader.py

Methods: "sample" draws k samples per source (temperature / top-p / top-k, each draw with its own
seed, so the k differ); "beam" keeps the k best hypotheses of a beam of width k. Each candidate's
`scores` entry is its log-probability under the generator (teacher-forced, EOS included), the
score re-ranking uses; each record also carries the generator's greedy output (extra key
"greedy"), the first baseline of docs/algorithms.md (LMCor). Duplicates are kept: how often a
sample recurs is what majority selection counts. "read" (k = 1) takes a run with an image tower
and writes what the tower reads alone from each example's line image (OCR post-correction: the
corrector then sees the noisy text and the tower's reading; `tower_read_candidates`).

An EdiT5 run samples its edits (`edit_inference.sample_edit_batch`, with the word guards the
edit tool uses): each word is deleted with its tempered P(DELETE), the insertions are sampled
with temperature / top-p / top-k, and the score is the log-probability of those decisions
(tags + insertion tokens; the order is decoded, not sampled). Its greedy output is the edit
tool's. `decode_length` is then the insertion length; "beam" is for seq2seq runs only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from textedit.data.lmcor_inputs import strip_separators
from textedit.data.readers.candidates_reader import CandidateExample

METHODS = ("sample", "beam", "read")


@dataclasses.dataclass(frozen=True)
class CandidateSettings:
    k: int = 4
    method: str = "sample"
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    input_length: int = 128
    decode_length: int = 128
    batch_size: int = 32
    seed: int = 0

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.k < 1:
            raise ValueError(f"k must be >= 1, got {self.k}")
        if self.method == "read" and self.k != 1:
            raise ValueError(f"method 'read' gives one candidate (the tower's reading), "
                             f"k must be 1, got {self.k}")


def _encode_batch(vocabulary, texts: Sequence[str], length: int) -> np.ndarray:
    """int32 [len(texts), bucket]: pieces + EOS, zero-padded to the smallest power of two (at
    least 16, at most `length`) that holds the batch's longest, so a batch of short sentences
    does not pay for `length` (one compilation per bucket); ValueError for a text longer than
    `length`."""
    encoded = []
    for text in texts:
        ids = [*vocabulary.encode(text), vocabulary.eos_id]
        if len(ids) > length:
            raise ValueError(f"source of {len(ids)} pieces exceeds input_length {length}: "
                             f"{text[:80]!r}")
        encoded.append(ids)
    longest = max((len(ids) for ids in encoded), default=1)
    bucket = min(length, max(16, 1 << (longest - 1).bit_length()))
    rows = np.zeros([len(texts), bucket], np.int32)
    for i, ids in enumerate(encoded):
        rows[i, :len(ids)] = ids
    return rows


def _until_eos(row: np.ndarray, eos_id: int) -> list[int]:
    ids = row.tolist()
    return ids[:ids.index(eos_id)] if eos_id in ids else [i for i in ids if i]


def sequence_log_probs(model, encoder_tokens: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """float [b]: log P(targets | encoder_tokens), teacher-forced.

    Args:
      encoder_tokens: int [b, s], 0 = padding.
      targets: int [b, t]: tokens, EOS, then 0-padding (padding scores nothing).
    """
    import tensorflow as tf

    # Columns after the longest row's EOS are padding in every row: they score nothing and, the
    # decoder being causal, change no earlier logit, so they are not run (decode_length 128
    # against about 40 used columns for GEC sentences).
    targets = np.asarray(targets)
    used = np.flatnonzero((targets != 0).any(axis=0))
    targets = targets[:, :used[-1] + 1 if used.size else 1]
    start = np.full([len(targets), 1], model.config.decoder_start_id, np.int32)
    decoder_inputs = np.concatenate([start, targets[:, :-1]], axis=1)
    logits = model({"encoder_input_tokens": encoder_tokens,
                    "decoder_input_tokens": decoder_inputs})
    log_probs = tf.nn.log_softmax(tf.cast(logits, tf.float32), axis=-1)
    picked = tf.gather(log_probs, targets, axis=-1, batch_dims=2).numpy()
    return (picked * (targets != 0)).sum(axis=1)


def _decode_k(model, tokens: np.ndarray, settings: CandidateSettings, batch_index: int):
    """int [b, k, decode_length] candidate token rows."""
    from textedit.decoding.beam_search import beam_search_decode
    from textedit.decoding.sampling import sample_decode

    if settings.method == "beam":
        sequences, _ = beam_search_decode(model, tokens, settings.decode_length,
                                          beam_size=settings.k)
        return np.asarray(sequences)
    draws = [np.asarray(sample_decode(
        model, tokens, settings.decode_length, temperature=settings.temperature,
        top_p=settings.top_p, top_k=settings.top_k,
        seed=(settings.seed * 1_000_003 + batch_index) * settings.k + j))
        for j in range(settings.k)]
    return np.stack(draws, axis=1)


def generate_candidates(
    run, sources: Sequence[str], references: Sequence[Sequence[str]] | None,
    settings: CandidateSettings, progress_every: int = 0,
) -> list[CandidateExample]:
    """One CandidateExample per source: k candidates, their log-probabilities, the greedy output.

    Args:
      run: a `textedit.runs.run_artifacts.LoadedRun` of a seq2seq (T5) or EdiT5 model.
      sources: the texts to correct.
      references: each source's references (kept as the record's target), or None.
      settings: how many candidates and how they are drawn.
      progress_every: print a progress line (batches, examples/s, ETA) to stderr every this
        many batches; 0: silent.
    """
    from textedit.decoding.greedy import greedy_decode

    model, vocabulary = run.model, run.vocabulary
    if settings.method == "read":
        return tower_read_candidates(run, sources, references, settings, progress_every)
    if is_edit5_model(model):
        return _edit5_candidates(run, sources, references, settings, progress_every)
    eos = vocabulary.eos_id
    examples = []
    for batch_index, begin, batch, tokens in _batches(sources, vocabulary, settings,
                                                      progress_every):
        greedy = np.asarray(greedy_decode(model, tokens, settings.decode_length))
        rows = _decode_k(model, tokens, settings, batch_index)  # [b, k, L]
        b, k, length = rows.shape
        # Rows end in EOS then pad; a row cut at decode_length has no EOS and is scored as is.
        scores = sequence_log_probs(model, np.repeat(tokens, k, axis=0),
                                    rows.reshape(b * k, length)).reshape(b, k)
        for i, source in enumerate(batch):
            # A sentinel in a candidate would read as a slot separator in the corrector's input.
            candidates = tuple(strip_separators(vocabulary.decode(_until_eos(rows[i, j], eos)))
                               for j in range(k))
            refs = tuple(references[begin + i]) if references is not None else ()
            examples.append(CandidateExample(
                source, candidates, refs, tuple(float(s) for s in scores[i]),
                {"greedy": vocabulary.decode(_until_eos(greedy[i], eos))}))
    return examples


def tower_read_candidates(run, sources: Sequence[str], references: Sequence[Sequence[str]],
                          settings: CandidateSettings, progress_every: int = 0,
                          ) -> list[CandidateExample]:
    """Method "read": one candidate per source, what a run's image tower reads on its own
    (`decoding.tower_reading.tower_read`, best path) from the line image of the example's first
    reference, rendered as the OCR tasks render it (`render_line_float`: the image
    `ocr_correct`'s models see). A tower with a reading head reads characters
    (`reading_alphabet`), one without reads vocabulary pieces. Scores: 0.0 (one candidate, so
    every selection baseline takes it); "greedy" is the reading itself."""
    from textedit.data.ocr.line_rendering import render_line_float
    from textedit.data.ocr.reading_alphabet import reading_text
    from textedit.decoding.tower_reading import tower_read

    model, vocabulary = run.model, run.vocabulary
    if getattr(model, "image_tower", None) is None:
        raise ValueError("method 'read' needs a run whose model has an image tower")
    if references is None or any(not refs for refs in references):
        raise ValueError("method 'read' renders each example's reference: every example "
                         "needs one")
    tower = model.image_tower_config
    examples = []
    for _, begin, batch, _ in _batches(sources, vocabulary, settings, progress_every):
        refs = [tuple(references[begin + i]) for i in range(len(batch))]
        images = np.stack([render_line_float(r[0], tower.image_height, tower.image_width)
                           for r in refs])
        for source, ids, ref in zip(batch, tower_read(model, images), refs, strict=True):
            text = reading_text(ids) if model.reading_head is not None else vocabulary.decode(ids)
            reading = strip_separators(text)
            examples.append(CandidateExample(source, (reading,), ref, (0.0,),
                                             {"greedy": reading}))
    return examples


def is_edit5_model(model) -> bool:
    """An EdiT5 model (it has position tokens), as opposed to a seq2seq T5."""
    return hasattr(getattr(model, "config", None), "num_position_tokens")


def _batches(sources: Sequence[str], vocabulary, settings: CandidateSettings,
             progress_every: int = 0):
    """Yields (batch index, first source index, the batch's sources, their ids int32 [b, bucket]
    from `_encode_batch`), with a Progress line (training.progress) every `progress_every`
    batches."""
    from textedit.training.progress import Progress

    size = settings.batch_size
    progress = Progress(total_steps=-(-len(sources) // size), start_step=0, batch_size=size)
    for batch_index, begin in enumerate(range(0, len(sources), size)):
        if progress_every and batch_index and batch_index % progress_every == 0:
            progress.update(batch_index, {"examples": batch_index * size})
        batch = list(sources[begin:begin + size])
        yield batch_index, begin, batch, _encode_batch(vocabulary, batch, settings.input_length)


def _edit5_candidates(run, sources, references, settings: CandidateSettings,
                      progress_every: int = 0):
    """`generate_candidates` for an EdiT5 run (module docstring)."""
    from textedit.data.vocab.vocabulary import word_start_table
    from textedit.decoding.edit_inference import edit_batch, sample_edit_batch

    if settings.method != "sample":
        raise ValueError(f"method {settings.method!r}: an EdiT5 run samples its candidates "
                         "(beam search is for seq2seq runs)")
    model, vocabulary = run.model, run.vocabulary
    table = word_start_table(vocabulary)
    examples = []
    for batch_index, begin, batch, tokens in _batches(sources, vocabulary, settings,
                                                      progress_every):
        greedy = edit_batch(model, tokens, settings.decode_length, word_start_table=table)
        draws = [sample_edit_batch(
            model, tokens, settings.decode_length, word_start_table=table,
            temperature=settings.temperature, top_p=settings.top_p, top_k=settings.top_k,
            seed=(settings.seed * 1_000_003 + batch_index) * settings.k + j)
            for j in range(settings.k)]
        for i, source in enumerate(batch):
            candidates = tuple(strip_separators(vocabulary.decode(edits[i].tokens))
                               for edits, _ in draws)
            refs = tuple(references[begin + i]) if references is not None else ()
            examples.append(CandidateExample(
                source, candidates, refs, tuple(float(log_p[i]) for _, log_p in draws),
                {"greedy": vocabulary.decode(greedy[i].tokens)}))
    return examples
