"""MuCoCO against unconstrained greedy decoding and constraint re-ranking of a beam, on the
validation split of a seq2seq run's tasks (`textedit experiment mucoco`).

Each *constraint set* (e.g. ``simple:0.9 close:0.3``, or ``length:0.9 close:0.8`` on a fusion
task; specs as in textedit/decoding/constraint_specs.py) is one bound ε of the comparison. Per
task the same examples (the first `max_examples` of the validation split) are decoded by:

    greedy        the model's greedy output (decoded once, judged under every set)
    rerank        4-beam search (decoded once); per set, the most probable beam that satisfies
                  the set, else the best beam
    mucoco        MuCoCO under the set, from the greedy output, or with --initial rerank from
                  the beam re-ranked under the set (so it only searches where re-ranking found
                  no satisfying beam)

and scored by: SARI (EASSE's corpus SARI against every reference), the share of outputs
satisfying every constraint of the set (the same hard check for all three methods), the share the
simplicity classifier calls simple (P > 0.5; only when a classifier is given), and seconds per
sentence (after one untimed warm-up batch, so compilation is excluded; rerank rows report the
beam search's time, shared by all sets; MuCoCO rows the search's plus that of the output it
starts from, which is decoded once and passed in). Each MuCoCO row is compared with greedy and
with the set's rerank on the same sentences by a paired bootstrap (`resamples`, 95% interval): SARI
(textedit/metrics/paired_bootstrap.py; the task registry must be loaded, as the CLI does) and
the satisfied share (`paired_share_difference`). Outputs and constraint values go to
`<out_dir>/<task>.<set>.<method>.jsonl`; the tables to `<out_dir>/table.md`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from textedit.metrics.paired_bootstrap import PairedDifference

DEFAULT_OUT_DIR = Path("workdir/experiments/mucoco")
SIMPLE_SETS = (("simple:0.5", "close:0.8"), ("simple:0.7", "close:0.8"),
               ("simple:0.9", "close:0.8"))
BASELINES = ("greedy", "rerank")


@dataclasses.dataclass
class MucocoExperimentSettings:
    """The flags of `textedit experiment mucoco` (textedit/cli/experiment_mucoco.py).

    model: the seq2seq run decoded; classifier: a simplicity classifier run (needed by `simple`
    specs, and for the "called simple" column), or None; constraint_sets: one tuple of specs
    per ε row.
    """

    model: str
    classifier: str | None = None
    tasks: tuple[str, ...] = ("simplify_asset", "simplify_turk")
    constraint_sets: tuple[tuple[str, ...], ...] = SIMPLE_SETS
    max_examples: int = 48
    batch_size: int = 8
    max_length: int = 64
    steps: int = 40
    learning_rate: float = 0.5
    multiplier_learning_rate: float = 3.0
    confidence: float = 3.0
    fluency_margin: float | None = None
    initial: str = "greedy"  # MuCoCO's starting point (MucocoSettings.initial)
    top_k: int | None = None  # MucocoSettings.top_k
    length_offsets: tuple[int, ...] = (0,)  # MucocoSettings.length_offsets
    resamples: int = 1000  # paired bootstrap of the MuCoCO rows against greedy and rerank
    out_dir: str = str(DEFAULT_OUT_DIR)

    def __post_init__(self):
        if not self.constraint_sets or not all(self.constraint_sets):
            raise ValueError("constraint_sets: expected at least one non-empty set of specs")


def set_label(specs: Sequence[str]) -> str:
    """'simple:0.9 close:0.3' (the table's and the files' name of a constraint set)."""
    return " ".join(specs)


def encode_sources(vocabulary, sources: Sequence[str], length: int) -> np.ndarray:
    """int32 [n, length]: pieces then EOS (1), truncated to length - 1 pieces, 0-padded."""
    tokens = np.zeros((len(sources), length), np.int32)
    for row, text in enumerate(sources):
        ids = list(vocabulary.encode(text))[:length - 1] + [1]
        tokens[row, :len(ids)] = ids
    return tokens


def decode_outputs(vocabulary, tokens: np.ndarray) -> list[str]:
    return [" ".join(vocabulary.decode(row.tolist()).split()) for row in tokens]


def paired_share_difference(a: np.ndarray, b: np.ndarray, resamples: int, seed: int = 0,
                            confidence: float = 0.95) -> PairedDifference:
    """The share of True in `a` minus that in `b` (bool [n] each, the same sentences), in
    percentage points, with a paired bootstrap interval over sentences."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    if a.shape != b.shape or a.ndim != 1 or not a.size:
        raise ValueError(f"expected two bool vectors of one length, got {a.shape} and {b.shape}")
    rng = np.random.default_rng(seed)
    delta = 100.0 * (a.astype(np.float64) - b)
    means = delta[rng.integers(0, a.size, (resamples, a.size))].mean(axis=1)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(means, [tail, 100 - tail])
    return PairedDifference("satisfied", 100.0 * a.mean(), 100.0 * b.mean(), float(low),
                            float(high), float(np.mean(means <= 0)), resamples)


def batch_rows(rows: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """`rows` [n, ...] cut into consecutive batches of `batch_size` rows (the last may be short)."""
    return [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)]


def timed_batches(decode, batches: Sequence) -> tuple[np.ndarray, float]:
    """(int32 [n, L] outputs of `decode` over `batches`, seconds): one untimed warm-up batch
    first, so compilation is not counted."""
    decode(batches[0])
    start = time.perf_counter()
    outputs = np.concatenate([np.asarray(decode(batch)) for batch in batches])
    return outputs, time.perf_counter() - start


def search_signature(specs: Sequence[str]) -> tuple:
    """Sets with the same constraint kinds (and keywords) share one compiled search: their
    bounds are passed as a tensor."""
    from textedit.decoding.constraint_specs import parse_spec

    return tuple((name, value if name == "keyword" else "")
                 for name, value in map(parse_spec, specs))


def run_mucoco_experiment(settings: MucocoExperimentSettings, log=print) -> str:
    """Runs the comparison (module docstring); returns the Markdown table."""
    from textedit.data.dataset_catalog import load_split
    from textedit.decoding.beam_search import beam_search_decode
    from textedit.decoding.constraint_rerank import (
        RERANK_BEAMS,
        hard_constraint_values,
        rerank_sequences,
    )
    from textedit.decoding.constraint_specs import build_constraints, load_classifier
    from textedit.decoding.greedy import greedy_decode
    from textedit.decoding.mucoco import MucocoSettings, mucoco_decode
    from textedit.metrics import get_metric
    from textedit.runs.run_artifacts import load_run

    run = load_run(settings.model)
    model, vocabulary = run.model, run.vocabulary
    vocab_size, length = model.config.vocab_size, settings.max_length
    classifier = load_classifier(settings.classifier) if settings.classifier else None
    judge = (build_constraints(["simple:0.5"], model, vocabulary, classifier)
             if classifier is not None else None)
    out_dir = Path(settings.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sari = get_metric("sari")
    mucoco_settings = MucocoSettings(
        steps=settings.steps, learning_rate=settings.learning_rate,
        multiplier_learning_rate=settings.multiplier_learning_rate,
        confidence=settings.confidence, fluency_margin=settings.fluency_margin,
        initial=settings.initial, top_k=settings.top_k,
        length_offsets=tuple(settings.length_offsets))
    sets = [(set_label(specs), build_constraints(specs, model, vocabulary, classifier))
            for specs in settings.constraint_sets]
    searches: dict[tuple, tuple] = {}
    for specs, (_, constraints) in zip(settings.constraint_sets, sets, strict=True):
        searches.setdefault(search_signature(specs), tuple(constraints))

    rows, differences = [], []
    for task in settings.tasks:
        examples = load_split(task, "validation").examples[:settings.max_examples]
        sources = [e.source for e in examples]
        references = [list(e.references) for e in examples]
        encoded = encode_sources(vocabulary, sources, length)
        batches = batch_rows(encoded, settings.batch_size)
        greedy = timed_batches(lambda b: greedy_decode(model, b, length), batches)
        beams = timed_batches(lambda b: beam_search_decode(model, b, length,
                                                           beam_size=RERANK_BEAMS)[0], batches)
        log(f"{task}: greedy {greedy[1]:.0f} s, {RERANK_BEAMS} beams {beams[1]:.0f} s")
        for specs, (label, constraints) in zip(settings.constraint_sets, sets, strict=True):
            epsilons = [c.epsilon for c in constraints]
            search = searches[search_signature(specs)]
            reranked = rerank_sequences(constraints, encoded, beams[0], vocab_size)
            # MuCoCO starts from outputs decoded above (what mucoco_decode would decode itself
            # for `initial`), and its time is the search's plus that start's decoding.
            start, start_seconds = {"greedy": greedy, "beam": (beams[0][:, 0], beams[1]),
                                    "rerank": (reranked, beams[1])}[settings.initial]
            tokens, seconds = timed_batches(
                lambda pair, search=search, epsilons=epsilons: mucoco_decode(
                    model, pair[0], length, search, epsilons, settings=mucoco_settings,
                    initial_tokens=pair[1]).tokens,
                list(zip(batches, batch_rows(start, settings.batch_size), strict=True)))
            outputs = {"greedy": greedy, "rerank": (reranked, beams[1]),
                       "mucoco": (tokens, seconds + start_seconds)}
            predictions, satisfied = {}, {}
            for method, (tokens, seconds) in outputs.items():
                values = hard_constraint_values(constraints, encoded, tokens, vocab_size)
                ok = (values <= np.array(epsilons)).all(axis=1)
                simple = (hard_constraint_values(judge, encoded, tokens, vocab_size)[:, 0]
                          < math.log(2.0)) if judge else None  # -log P(simple) < log 2
                texts = decode_outputs(vocabulary, tokens)
                predictions[method], satisfied[method] = texts, ok
                score = sari(sources, texts, references)["sari"]
                write_outputs(out_dir / f"{task}.{label.replace(' ', '_')}.{method}.jsonl",
                              sources, texts, ok, constraints, values)
                rows.append((task, label, method, score, ok.mean(),
                             None if simple is None else simple.mean(), seconds / len(encoded)))
                log(f"{task} [{label}] {method}: SARI {score:.2f}, satisfied {ok.mean():.1%}, "
                    f"{seconds / len(encoded):.2f} s/sentence")
            if settings.resamples:
                differences += paired_differences(task, label, sources, predictions, satisfied,
                                                  settings.resamples, log)
    table = markdown_table(rows, settings, len(encoded)) + differences_table(differences)
    (out_dir / "table.md").write_text(table, encoding="utf-8")
    return table


def write_outputs(path: Path, sources, texts, ok, constraints, values) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        for i, text in enumerate(texts):
            record = {"source": sources[i], "output": text, "satisfied": bool(ok[i]),
                      "values": {c.name: round(float(v), 4)
                                 for c, v in zip(constraints, values[i], strict=True)}}
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")


def paired_differences(task: str, label: str, sources: list[str],
                       predictions: dict[str, list[str]], satisfied: dict[str, np.ndarray],
                       resamples: int, log=print) -> list[tuple]:
    """(task, set label, "mucoco − baseline", SARI PairedDifference, satisfied-share
    PairedDifference) against greedy and rerank, on the experiment's sentences (the first n of
    the validation split)."""
    from textedit.metrics.paired_bootstrap import paired_bootstrap
    from textedit.metrics.task_evaluation import SplitExamples, read_split

    split = read_split(task, "validation")
    if split.sources()[:len(sources)] != sources:
        raise ValueError(f"{task}: the evaluation split's sources are not in the order the "
                         "experiment decoded them; no paired comparison is possible")
    subset = SplitExamples(task, "validation", split.examples[:len(sources)],
                           split.targets[:len(sources)])
    found = []
    for baseline in BASELINES:
        (sari,) = [d for d in paired_bootstrap(subset, predictions["mucoco"],
                                               predictions[baseline], ["sari"],
                                               resamples=resamples) if d.key == "sari"]
        share = paired_share_difference(satisfied["mucoco"], satisfied[baseline], resamples)
        log(f"{task} [{label}] mucoco − {baseline}: SARI {sari.difference:+.2f} "
            f"[{sari.low:+.2f}, {sari.high:+.2f}], satisfied {share.difference:+.1f} points "
            f"[{share.low:+.1f}, {share.high:+.1f}]")
        found.append((task, label, f"mucoco − {baseline}", sari, share))
    return found


def differences_table(differences) -> str:
    if not differences:
        return ""
    resamples = differences[0][3].resamples
    lines = ["", f"Paired differences on the same sentences ({resamples} bootstrap resamples, "
             "95% interval):", "",
             "| task | constraints | comparison | SARI difference [95% CI] | "
             "satisfied, points [95% CI] |",
             "|---|---|---|---:|---:|"]
    for task, label, name, sari, share in differences:
        lines.append(f"| {task} | {label} | {name} | {sari.difference:+.2f} [{sari.low:+.2f}, "
                     f"{sari.high:+.2f}] | {share.difference:+.1f} [{share.low:+.1f}, "
                     f"{share.high:+.1f}] |")
    return "\n".join(lines) + "\n"


def markdown_table(rows, settings: MucocoExperimentSettings, count: int) -> str:
    judged = settings.classifier is not None
    lines = [f"{count} validation sentences per task; MuCoCO from the {settings.initial} output, "
             f"{settings.steps} steps, top-k {settings.top_k}, length offsets "
             f"{list(settings.length_offsets)}, learning rates "
             f"{settings.learning_rate} (y) / {settings.multiplier_learning_rate} (lambda), "
             f"confidence {settings.confidence}, fluency margin {settings.fluency_margin}. "
             "Greedy and rerank are judged under each row's constraints.", "",
             "| task | constraints | method | SARI | satisfies constraints |"
             + (" called simple |" if judged else "") + " s / sentence |",
             "|---|---|---|---:|---:|" + ("---:|" if judged else "") + "---:|"]
    for task, label, method, score, ok, simple, seconds in rows:
        lines.append(f"| {task} | {label} | {method} | {score:.2f} | {ok:.1%} | "
                     + (f"{simple:.1%} | " if judged else "") + f"{seconds:.2f} |")
    return "\n".join(lines) + "\n"
