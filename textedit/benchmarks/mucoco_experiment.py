"""MuCoCO against unconstrained greedy decoding and classifier re-ranking of a beam, on a
simplification task's validation split (`textedit experiment mucoco`).

Per task the same examples (the first `max_examples` of the validation split) are decoded by:

    greedy        the simplifier's greedy output
    rerank        a 4-beam search; the most probable beam that satisfies the constraints of the
                  smallest P (simple and close), else the best beam
    mucoco P=p    MuCoCO under simple:p (+ close:C, + length:R if given), from the greedy output,
                  or with --initial rerank from the beam re-ranked under its own constraints
                  (so it only searches where re-ranking found no satisfying beam)

and scored by: SARI (EASSE's corpus SARI against every reference), the share of outputs the
simplicity classifier calls simple (P > 0.5), the share satisfying every constraint of the row's
method (for greedy: the smallest-P constraints), and seconds per sentence (after one untimed
warm-up batch per method, so compilation is excluded). Each MuCoCO row's SARI is compared with
greedy's and rerank's on the same sentences by a paired bootstrap (`resamples`, 95% interval;
textedit/metrics/paired_bootstrap.py; the task registry must be loaded, as the CLI does).
Outputs and constraint values go to `<out_dir>/<task>.<method>.jsonl`; the tables to
`<out_dir>/table.md`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DEFAULT_OUT_DIR = Path("workdir/experiments/mucoco")


@dataclasses.dataclass
class MucocoExperimentSettings:
    """The flags of `textedit experiment mucoco` (textedit/cli/experiment_mucoco.py)."""

    simplifier: str
    classifier: str
    tasks: tuple[str, ...] = ("simplify_asset", "simplify_turk")
    simple: tuple[float, ...] = (0.5, 0.7, 0.9)
    close: float = 0.8
    length: float | None = None
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
    resamples: int = 1000  # paired bootstrap of SARI, MuCoCO rows against greedy and rerank
    out_dir: str = str(DEFAULT_OUT_DIR)


def encode_sources(vocabulary, sources: Sequence[str], length: int) -> np.ndarray:
    """int32 [n, length]: pieces then EOS (1), truncated to length - 1 pieces, 0-padded."""
    tokens = np.zeros((len(sources), length), np.int32)
    for row, text in enumerate(sources):
        ids = list(vocabulary.encode(text))[:length - 1] + [1]
        tokens[row, :len(ids)] = ids
    return tokens


def decode_outputs(vocabulary, tokens: np.ndarray) -> list[str]:
    return [" ".join(vocabulary.decode(row.tolist()).split()) for row in tokens]


def run_mucoco_experiment(settings: MucocoExperimentSettings, log=print) -> str:
    """Runs the comparison (module docstring); returns the Markdown table."""
    from textedit.data.dataset_catalog import load_split
    from textedit.decoding.constraint_rerank import hard_constraint_values, rerank_beams
    from textedit.decoding.constraint_specs import build_constraints, load_classifier
    from textedit.decoding.greedy import greedy_decode
    from textedit.decoding.mucoco import MucocoSettings, mucoco_decode
    from textedit.metrics import get_metric
    from textedit.runs.run_artifacts import load_run

    run = load_run(settings.simplifier)
    model, vocabulary = run.model, run.vocabulary
    classifier = load_classifier(settings.classifier)
    out_dir = Path(settings.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sari = get_metric("sari")
    mucoco_settings = MucocoSettings(
        steps=settings.steps, learning_rate=settings.learning_rate,
        multiplier_learning_rate=settings.multiplier_learning_rate,
        confidence=settings.confidence, fluency_margin=settings.fluency_margin,
        initial=settings.initial, top_k=settings.top_k)
    extra = [f"close:{settings.close}"] + (
        [f"length:{settings.length}"] if settings.length else [])

    def constraints_for(p: float):
        return build_constraints([f"simple:{p}", *extra], model, vocabulary, classifier)

    lowest = constraints_for(min(settings.simple))
    methods = {"greedy": lowest, "rerank": lowest}
    methods.update({f"mucoco P={p}": constraints_for(p) for p in settings.simple})
    # One constraint tuple for every MuCoCO row: epsilons are a tensor, so one compilation.
    shared = tuple(methods[f"mucoco P={settings.simple[0]}"])

    rows, differences = [], []
    for task in settings.tasks:
        examples = load_split(task, "validation").examples[:settings.max_examples]
        sources = [e.source for e in examples]
        references = [list(e.references) for e in examples]
        encoded = encode_sources(vocabulary, sources, settings.max_length)
        batches = [encoded[i:i + settings.batch_size]
                   for i in range(0, len(encoded), settings.batch_size)]
        predictions = {}
        for method, constraints in methods.items():
            epsilons = [c.epsilon for c in constraints]

            def decode(batch, method=method, epsilons=epsilons):
                if method == "greedy":
                    return np.asarray(greedy_decode(model, batch, settings.max_length)), None
                if method == "rerank":
                    return rerank_beams(model, lowest, batch, settings.max_length), None
                result = mucoco_decode(model, batch, settings.max_length, shared, epsilons,
                                       settings=mucoco_settings)
                return result.tokens, result

            decode(batches[0])  # warm-up: compilation is not timed
            start = time.perf_counter()
            outputs = [decode(batch) for batch in batches]
            seconds = time.perf_counter() - start
            tokens = np.concatenate([o[0] for o in outputs])
            values = hard_constraint_values(constraints, encoded, tokens,
                                            model.config.vocab_size)
            ok = (values <= np.array(epsilons)).all(axis=1)
            simple = values[:, 0] < math.log(2.0)  # -log P(simple) < log 2: P(simple) > 0.5
            texts = decode_outputs(vocabulary, tokens)
            predictions[method] = texts
            score = sari(sources, texts, references)["sari"]
            flags = (np.concatenate([o[1].satisfied for o in outputs])
                     if outputs[0][1] is not None else ok)
            path = out_dir / f"{task}.{method.replace(' ', '_').replace('=', '')}.jsonl"
            with open(path, "w", encoding="utf-8") as stream:
                for i, text in enumerate(texts):
                    record = {"source": sources[i], "output": text, "satisfied": bool(flags[i]),
                              "values": {c.name: round(float(v), 4)
                                         for c, v in zip(constraints, values[i], strict=True)}}
                    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            rows.append((task, method, score, simple.mean(), ok.mean(), seconds / len(encoded)))
            log(f"{task} {method}: SARI {score:.2f}, simple {simple.mean():.1%}, satisfied "
                f"{ok.mean():.1%}, {seconds / len(encoded):.2f} s/sentence")
        if settings.resamples:
            differences += paired_sari(task, sources, predictions, settings.resamples, log)
    table = markdown_table(rows, settings, len(encoded)) + differences_table(differences)
    (out_dir / "table.md").write_text(table, encoding="utf-8")
    return table


def paired_sari(task: str, sources: list[str], predictions: dict[str, list[str]],
                resamples: int, log=print) -> list[tuple]:
    """(task, "mucoco P=p − baseline", PairedDifference) of SARI for every MuCoCO row against
    greedy and rerank, on the experiment's sentences (the first n of the validation split)."""
    from textedit.metrics.paired_bootstrap import paired_bootstrap
    from textedit.metrics.task_evaluation import SplitExamples, read_split

    split = read_split(task, "validation")
    if split.sources()[:len(sources)] != sources:
        raise ValueError(f"{task}: the evaluation split's sources are not in the order the "
                         "experiment decoded them; no paired comparison is possible")
    subset = SplitExamples(task, "validation", split.examples[:len(sources)],
                           split.targets[:len(sources)])
    found = []
    for method, texts in predictions.items():
        if not method.startswith("mucoco"):
            continue
        for baseline in ("greedy", "rerank"):
            (difference,) = [d for d in paired_bootstrap(
                subset, texts, predictions[baseline], ["sari"], resamples=resamples)
                if d.key == "sari"]
            log(f"{task} {method} − {baseline}: SARI {difference.difference:+.2f} "
                f"[{difference.low:+.2f}, {difference.high:+.2f}]")
            found.append((task, f"{method} − {baseline}", difference))
    return found


def differences_table(differences) -> str:
    if not differences:
        return ""
    resamples = differences[0][2].resamples
    lines = ["", f"Paired SARI differences on the same sentences ({resamples} bootstrap "
             "resamples, 95% interval):", "",
             "| task | comparison | SARI difference [95% CI] | share of resamples ≤ 0 |",
             "|---|---|---:|---:|"]
    for task, name, d in differences:
        lines.append(f"| {task} | {name} | {d.difference:+.2f} [{d.low:+.2f}, {d.high:+.2f}] | "
                     f"{d.not_above:.1%} |")
    return "\n".join(lines) + "\n"


def markdown_table(rows, settings: MucocoExperimentSettings, count: int) -> str:
    constraints = f"simple:P, close:{settings.close}" + (
        f", length:{settings.length}" if settings.length else "")
    lines = [f"{count} validation sentences per task; constraints {constraints}; MuCoCO from "
             f"the {settings.initial} output, {settings.steps} steps, top-k {settings.top_k}, "
             f"learning rates "
             f"{settings.learning_rate} (y) / "
             f"{settings.multiplier_learning_rate} (lambda), confidence {settings.confidence}, "
             f"fluency margin {settings.fluency_margin}.", "",
             "| task | method | SARI | called simple | satisfies constraints | s / sentence |",
             "|---|---|---:|---:|---:|---:|"]
    for task, method, score, simple, ok, seconds in rows:
        lines.append(f"| {task} | {method} | {score:.2f} | {simple:.1%} | {ok:.1%} | "
                     f"{seconds:.2f} |")
    return "\n".join(lines) + "\n"
