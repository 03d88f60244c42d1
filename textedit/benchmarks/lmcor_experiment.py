"""The LMCor comparison (Vernikos et al., 2024), one command: `textedit experiment lmcor`. A
small corrector reads a source and k candidates of a larger generator and writes the
correction (docs/algorithms.md#lmcor); it is compared, on the validation split of each --tasks
task, with the selection baselines over the same candidates:

    copy input          the source unchanged
    greedy              the generator's greedy output
    rerank              the candidate of highest generator log-probability
    majority / mbr      the most frequent candidate / the one most similar to the others
    oracle              the candidate closest to a reference (an upper bound for any selector)
    seq2seq corrector   gin/experiments/lmcor_seq2seq_gec.gin
    EdiT5 corrector     gin/experiments/lmcor_edit5_gec.gin

Steps (each a `textedit` command run by the job queue, textedit/benchmarks/job_queue.py, one
core per job, logs under OUT_DIR/logs/; finished steps are skipped when the command runs again):
The --tasks share one train task (TRAIN_TASKS): W&I + FCE (`gec_wi_fce`) for the GEC tasks,
the task itself for the fusion tasks (`fusion_bisect`, `fusion_wikisplit`: one reference per
source, so splitting the train split by index leaks no source between the halves); run the
experiment once per group, each with its own --out_dir.

1. Generators (`textedit train`): two models of --generator kind and the --size model file for
   --generator_steps, generator i on `<train task>_xfit<i>of2`, the train split without the
   examples of index i mod 2 (`@lmcor_cross_fit_task()`). "edit5" (the default) trains the
   main job's recipe (gin/experiments/edit5_gec_main.gin), which edits after minutes
   (README, Training), so its samples are the near-copies with a few edits that a real LLM's
   are; "seq2seq" trains gin/experiments/seq2seq_gec.gin with the 2-hour seq2seq run's settings
   (SEQ2SEQ_RECIPE: no dropout, constant rate), with which a mini seq2seq with absolute
   positions copied within its first 3,000 steps (README, LMCor). With --generator_runs A B
   nothing is trained: A and B must have been trained that way.
2. Candidates (`textedit candidates`, k per example): generator i samples train part i/2, the
   half it never saw (the first --train_examples / 2 of it), so the training candidates carry
   the errors the generator makes on unseen text; generator 0 samples the validation split of
   every --tasks task and writes the selection baselines (`--baselines`). One generator for
   validation: the corrector then reads candidates of the same quality as in training (either
   generator saw half of the train split), and every baseline and corrector row of a task
   reads the same candidates. JFLEG (and CoNLL) have no train split, so nothing is cross-fitted
   on them: the correctors learn on W&I + FCE candidates only and are scored on the JFLEG dev
   candidates (4 references, GLEU), as the generators themselves are.
3. Correctors (`textedit train`): seq2seq and EdiT5 of the --size model file for
   --corrector_steps without dropout (CORRECTOR_RECIPE) on both train halves (LMCOR_TRAIN) in
   length buckets, validated at the end on the first 200 examples of the first task's validation
   candidates (LMCOR_VALIDATION). With --corrector_init generator (the default) the corrector of
   the generators' kind starts from generator 0's weights (`warm_started`), and so does the
   EdiT5 corrector of seq2seq generators (its T5 backbone: embeddings, encoder, decoder block 0;
   the EdiT5 heads start fresh); a seq2seq corrector of EdiT5 generators starts from random
   weights. Both add --segments segment embeddings to their encoder's input
   (`T5Config.num_segments`: the source is segment 0, the candidates after the first separator
   segment 1), so the corrector knows which words are the source's without finding the
   separators first. The EdiT5 corrector's plans keep, delete and re-order the source's words
   and insert what the source lacks (--edit5_candidate_words insert, the default; copy: its
   pointer copies such words from a candidate).
4. Scoring: each corrector decodes each task's validation candidates (`textedit infer` with
   `@lmcor_task()`, batch 32, which also times the decoding: OUTPUT_DIR/timing.json; the EdiT5
   corrector with --edit5_insert_bias and --edit5_delete_threshold, EDIT5_INSERT_BIAS and
   EDIT5_DELETE_THRESHOLD by default), and
   `textedit evaluate --output` scores every prediction file (baselines, correctors) and the
   copy baseline with the task's metrics: ERRANT F0.5 against the gold M2 edits for W&I and
   CoNLL, GLEU for JFLEG. The targets are compared pairwise (COMPARISONS: each corrector
   against greedy and re-ranking, the EdiT5 corrector against the seq2seq one) with `textedit
   evaluate --compare --bootstrap N` (--bootstrap; 0: none): the difference in the task's
   metrics and its paired-bootstrap interval over the validation examples, since a difference
   of a few tenths on one split can be noise. Latency: `textedit benchmark latency` times
   EdiT5 / seq2seq on plain W&I sources only, not on LMCor inputs, so the table reports the
   correctors' decoding speed on the validation candidates instead (examples/s at batch 32,
   the first XLA compilation included, one core).

Outputs in OUT_DIR: runs/ (generator_0, generator_1, corrector_seq2seq, corrector_edit5),
candidates/ (<task>.train.part<i>.jsonl, <task>.validation.jsonl), baselines/<task>/<selector>.txt,
predictions/corrector_<model>/<task>/, scores/<task>/<row>.json, comparisons/<task>/<A>_vs_<B>.json,
and the tables results.md (also
printed) with results.json; a row whose runs have not finished shows "–".
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from textedit.benchmarks.experiment import data_flags
from textedit.benchmarks.job_queue import Job, plan_or_run

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = ROOT / "workdir" / "experiments" / "lmcor"
# Each scored task's train task: the GEC tasks without a train split learn on W&I + FCE.
TRAIN_TASKS = {"gec_wi_fce": "gec_wi_fce", "gec_jfleg": "gec_wi_fce", "gec_conll": "gec_wi_fce",
               "fusion_bisect": "fusion_bisect", "fusion_wikisplit": "fusion_wikisplit"}
DEFAULT_TASKS = ("gec_wi_fce", "gec_jfleg")
HEADLINE = {"gec_wi_fce": "errant_f0.5", "gec_jfleg": "gleu", "gec_conll": "errant_f0.5",
            "fusion_bisect": "sari", "fusion_wikisplit": "sari"}
METRIC_NAMES = {"errant_f0.5": "ERRANT F0.5", "gleu": "GLEU", "sari": "SARI"}
VALIDATION_SIZES = {"gec_wi_fce": 3400, "fusion_bisect": 1826, "fusion_wikisplit": 5000}  # ETA
SELECTORS = ("greedy", "rerank", "majority", "mbr", "oracle")  # lmcor_selection.SELECTORS
CORRECTORS = ("seq2seq", "edit5")
CORRECTOR_INITS = ("generator", "scratch")
# What the EdiT5 corrector's plans do with a target word the source lacks: "insert" it (its
# decoder writes it; the candidates are read, never kept), or "copy" it from the first candidate
# that has it (its pointer leaves the source for it): `lmcor_task.borrow_from_candidates`.
# "insert" is the default: the same 1,600-step corrector scored W&I dev F0.5 8.60 that way
# against 4.68 copying (README, LMCor).
EDIT5_CANDIDATE_WORDS = ("insert", "copy")
# The EdiT5 corrector's decoding (`edit5_decode_fn`): inserting more readily (insert_bias, added to
# every <pos_k> logit) and deleting only when sure (P(DELETE) above delete_threshold). 1.5 and
# 0.9 were chosen on the 2-hour EdiT5 GEC run's W&I dev scores (README, Training), not on any
# corrector; applied unchanged to three 800-step EdiT5 correctors they raised W&I dev F0.5
# 9.19 -> 10.65, 7.42 -> 11.69 and 7.62 -> 11.76, above the seq2seq corrector's 9.2-9.4
# (README, LMCor). 0.0 and 0.5 decode by the argmax.
EDIT5_INSERT_BIAS = 1.5
EDIT5_DELETE_THRESHOLD = 0.9
ROWS = ("copy", *SELECTORS, *(f"{model}_corrector" for model in CORRECTORS))
# The paired comparisons (A, B) of step 4: the targets, each corrector above greedy and
# re-ranking, and the EdiT5 corrector at or above the seq2seq one.
COMPARISONS = (("seq2seq_corrector", "greedy"), ("seq2seq_corrector", "rerank"),
               ("edit5_corrector", "greedy"), ("edit5_corrector", "rerank"),
               ("edit5_corrector", "seq2seq_corrector"))
ROW_LABELS = {"copy": "copy input", "greedy": "greedy (generator)",
              "rerank": "re-rank (generator score)", "majority": "majority", "mbr": "MBR",
              "oracle": "oracle (upper bound)", "seq2seq_corrector": "seq2seq corrector",
              "edit5_corrector": "EdiT5 corrector"}
SIZES = ("mini", "small")
GENERATOR_FILES = {"seq2seq": "gin/experiments/seq2seq_gec.gin",
                   "edit5": "gin/experiments/edit5_gec_main.gin"}
CORRECTOR_FILES = {"seq2seq": "gin/experiments/lmcor_seq2seq_gec.gin",
                   "edit5": "gin/experiments/lmcor_edit5_gec.gin"}
MODEL_FILES = {"seq2seq": "gin/models/t5_{size}.gin", "edit5": "gin/models/edit5_{size}.gin"}
# The main job's EdiT5 options (gin/experiments/edit5_gec_main.gin): the model file that follows
# a gin file rebinds them to its defaults, so each EdiT5 command binds them again. Without the
# position options EdiT5 places its insertions at random (README, Training).
EDIT5_POSITIONS = ("--gin.POSITION_INPUTS=True", "--gin.POSITION_LOGITS=True")
# No dropout and the constant rate the LMCor measurements were made with (the main job's file
# now decays the rate linearly to zero at TRAIN_STEPS; docs/algorithms.md#main-job-schedule).
NO_DROPOUT = ("--gin.DROPOUT_RATE=0.0",)
NO_DROPOUT_CONSTANT_RATE = (*NO_DROPOUT, "--gin.DECAY='constant'")
EDIT5_RECIPE = (*EDIT5_POSITIONS, *NO_DROPOUT_CONSTANT_RATE)
# The settings of the 2-hour seq2seq run (`textedit experiment gec`) over
# gin/experiments/seq2seq_gec.gin's dropout 0.1 and cosine decay. With the file's own settings
# two mini generators of 5,000 steps never learnt to copy (train loss about 1.8 at the end,
# where the 2-hour run was at 0.9 by step 2,800) and their greedy output scored below copying.
SEQ2SEQ_RECIPE = NO_DROPOUT_CONSTANT_RATE
# The correctors train without the LMCor gin files' dropout 0.1 (their cosine decay stays): on
# the candidates of seq2seq generators, a seq2seq corrector trained with dropout 0.1 scored
# below greedy on W&I dev F0.5 (6.24 against 7.29), the same command without dropout above it
# (9.76), and so did the whole experiment run again without (9.35 against 6.34; README, LMCor).
CORRECTOR_RECIPE = NO_DROPOUT
EDIT5_RECIPE_TASK = "gec_wi_fce"  # the task the recipe's feature lengths and buckets are for
# Feature lengths per train task: a generator's inputs and targets (W&I + FCE train pieces: p99
# about 60; fusion sources are two sentences, about 45 pieces on average), and the correctors'
# inputs (source + k = 4 candidates; 256 is the lmcor gin files' length).
GENERATOR_LENGTHS = {"gec_wi_fce": 64, "fusion_bisect": 128, "fusion_wikisplit": 128}
CORRECTOR_INPUT_LENGTHS = {"gec_wi_fce": 256, "fusion_bisect": 384, "fusion_wikisplit": 384}
CORRECTOR_TARGET_LENGTH = 128
CORRECTOR_EVAL_EXAMPLES = 200  # in-training validation at the last step
DONE_MARKER = "experiment_done.json"
# For the ETA only (one CPU core, mini models, batch 32).
SECONDS_PER_STEP = {"generator": 0.35, "corrector": 1.0}
SECONDS_PER_CANDIDATE_EXAMPLE = 0.3
OVERHEAD_SECONDS = 90


@dataclasses.dataclass
class LmcorExperimentSettings:
    """The flags of `textedit experiment lmcor` (each field is the flag of the same name)."""

    out_dir: str = str(DEFAULT_OUT_DIR)
    tasks: tuple[str, ...] = DEFAULT_TASKS
    size: str = "mini"
    generator: str = "edit5"  # the generators' kind: "edit5" or "seq2seq"
    corrector_init: str = "generator"  # "generator": the corrector of the generators' kind
    # starts from generator 0's weights; "scratch": every corrector starts from random weights
    generator_runs: tuple[str, ...] | None = None  # (A, B): trained without parts 0 / 1
    generator_steps: int = 2000
    corrector_steps: int = 800
    segments: int = 2  # the correctors' segment embeddings (source / candidates); 0: none
    edit5_candidate_words: str = "insert"  # one of EDIT5_CANDIDATE_WORDS
    edit5_insert_bias: float = EDIT5_INSERT_BIAS  # the EdiT5 corrector's decoding
    edit5_delete_threshold: float = EDIT5_DELETE_THRESHOLD
    k: int = 4
    method: str = "sample"
    temperature: float = 0.7
    top_p: float = 0.9
    train_examples: int = 4000  # train candidates, half from each generator; 0 = the whole split
    candidate_input_length: int = 256  # W&I dev has sources of up to 183 pieces
    batch_size: int = 32
    learning_rate: float = 1e-3
    bootstrap: int = 1000  # paired-bootstrap resamples of each comparison; 0: no comparisons
    # extra NAME=VALUE bindings for every `textedit train`; the model's own (t5_config.*) also
    # for every `textedit infer`, which refuses a model that differs from its run's
    gin: tuple[str, ...] = ()
    workers: int = 2
    data_dir: str | None = None
    skip_bad_lines: bool = False

    def __post_init__(self):
        unknown = [t for t in self.tasks if t not in HEADLINE]
        if unknown or not self.tasks:
            raise ValueError(f"tasks must be some of {sorted(HEADLINE)}, got {list(self.tasks)}")
        if len({TRAIN_TASKS[t] for t in self.tasks}) != 1:
            raise ValueError(f"tasks {list(self.tasks)} learn from different train tasks "
                             f"({TRAIN_TASKS}); run the experiment once per train task")
        if self.generator not in CORRECTORS:
            raise ValueError(f"generator must be one of {CORRECTORS}, got {self.generator!r}")
        if self.bootstrap < 0:
            raise ValueError(f"bootstrap must be 0 or more, got {self.bootstrap}")
        if self.segments < 0:
            raise ValueError(f"segments must be 0 or more, got {self.segments}")
        if self.edit5_candidate_words not in EDIT5_CANDIDATE_WORDS:
            raise ValueError(f"edit5_candidate_words must be one of {EDIT5_CANDIDATE_WORDS}, "
                             f"got {self.edit5_candidate_words!r}")
        if not 0.0 <= self.edit5_delete_threshold <= 1.0:
            raise ValueError("edit5_delete_threshold is a probability in [0, 1], got "
                             f"{self.edit5_delete_threshold}")
        if self.corrector_init not in CORRECTOR_INITS:
            raise ValueError(f"corrector_init must be one of {CORRECTOR_INITS}, got "
                             f"{self.corrector_init!r}")
        if self.size not in SIZES:
            raise ValueError(f"size must be one of {SIZES}, got {self.size!r}")
        if self.generator_runs is not None and len(self.generator_runs) != 2:
            raise ValueError("generator_runs: two runs, trained without train parts 0 and 1")


def train_task(settings: LmcorExperimentSettings) -> str:
    """The task whose train split the generators and correctors learn from."""
    return TRAIN_TASKS[settings.tasks[0]]


def _textedit(command: str) -> list[str]:
    return [sys.executable, "-m", "textedit", command]


def _out(settings: LmcorExperimentSettings) -> Path:
    return Path(settings.out_dir)


def generator_run(settings: LmcorExperimentSettings, part: int) -> Path:
    """The generator trained without train part `part` (it samples that part)."""
    if settings.generator_runs:
        return Path(settings.generator_runs[part])
    return _out(settings) / "runs" / f"generator_{part}"


def corrector_run(settings: LmcorExperimentSettings, model: str) -> Path:
    return _out(settings) / "runs" / f"corrector_{model}"


def train_candidates(settings: LmcorExperimentSettings, part: int) -> Path:
    return _out(settings) / "candidates" / f"{train_task(settings)}.train.part{part}.jsonl"


def validation_candidates(settings: LmcorExperimentSettings, task: str) -> Path:
    return _out(settings) / "candidates" / f"{task}.validation.jsonl"


def baselines_dir(settings: LmcorExperimentSettings, task: str) -> Path:
    return _out(settings) / "baselines" / task


def predictions_dir(settings: LmcorExperimentSettings, model: str, task: str) -> Path:
    return _out(settings) / "predictions" / f"corrector_{model}" / task


def corrector_predictions(settings: LmcorExperimentSettings, model: str, task: str) -> Path:
    """`textedit infer`'s file: <lmcor task>-validation-<checkpoint step>.txt."""
    return (predictions_dir(settings, model, task)
            / f"lmcor_{task}-validation-{settings.corrector_steps}.txt")


def prediction_file(settings: LmcorExperimentSettings, row: str, task: str) -> Path | None:
    """The predictions a row is scored on (None: the copy baseline)."""
    if row == "copy":
        return None
    if row in SELECTORS:
        return baselines_dir(settings, task) / f"{row}.txt"
    return corrector_predictions(settings, row.removesuffix("_corrector"), task)


def comparison_file(settings: LmcorExperimentSettings, a: str, b: str, task: str) -> Path:
    return _out(settings) / "comparisons" / task / f"{a}_vs_{b}.json"


def score_file(settings: LmcorExperimentSettings, row: str, task: str) -> Path:
    return _out(settings) / "scores" / task / f"{row}.json"


def _model_file(model: str, settings: LmcorExperimentSettings) -> str:
    return str(ROOT / MODEL_FILES[model].format(size=settings.size))


def _train_bindings(settings: LmcorExperimentSettings, steps: int) -> list[str]:
    # 100 warm-up steps, or a tenth of a short run (the schedule needs fewer than its steps).
    warmup = min(100, max(1, steps // 10))
    return [f"--gin.TRAIN_STEPS={steps}", f"--gin.BATCH_SIZE={settings.batch_size}",
            f"--gin.LEARNING_RATE={settings.learning_rate}", f"--gin.WARMUP_STEPS={warmup}",
            "--gin.CHECKPOINT_EVERY=500", "--gin.LOG_EVERY=50",
            *(f"--gin.{binding}" for binding in settings.gin)]


def generator_command(settings: LmcorExperimentSettings, part: int) -> list[str]:
    """`textedit train` of generator `part`: a --generator model on the train split without
    that part (an EdiT5 generator keeps its recipe's feature lengths and buckets)."""
    kind = settings.generator
    length = GENERATOR_LENGTHS[train_task(settings)]
    command = [*_textedit("train"), f"--gin_file={ROOT / GENERATOR_FILES[kind]}",
               f"--gin_file={_model_file(kind, settings)}",
               f"--gin.MODEL_DIR='{generator_run(settings, part)}'",
               "--gin.MIXTURE_OR_TASK_NAME=@lmcor_cross_fit_task()",
               f"--gin.lmcor_cross_fit_task.base_task='{train_task(settings)}'",
               f"--gin.lmcor_cross_fit_task.held_out={part}",
               "--gin.lmcor_cross_fit_task.parts=2", "--gin.EVAL_MIXTURE_OR_TASK_NAMES=[]"]
    if kind == "edit5":
        # Long enough to sample the sources and to give its weights to the corrector, whose
        # re-order embedding covers the corrector's inputs.
        max_input = max(settings.candidate_input_length,
                        CORRECTOR_INPUT_LENGTHS[train_task(settings)])
        command += ["--gin.lmcor_cross_fit_task.edit5=True",
                    f"--gin.MAX_INPUT_LENGTH={max_input}", *EDIT5_RECIPE]
        if train_task(settings) != EDIT5_RECIPE_TASK:  # the recipe's lengths and buckets fit it
            command += [f"--gin.TASK_FEATURE_LENGTHS={{'inputs': {length}, "
                        "'decoder_targets': 32}",
                        f"--gin.LENGTH_BUCKETS=[{{'inputs': {length // 2}, "
                        "'decoder_targets': 32}]"]
    else:
        command += [f"--gin.TASK_FEATURE_LENGTHS={{'inputs': {length}, 'targets': {length}}}",
                    *SEQ2SEQ_RECIPE]
    return command + _train_bindings(settings, settings.generator_steps) + data_flags(settings)


def _sampling_flags(settings: LmcorExperimentSettings) -> list[str]:
    return [f"--k={settings.k}", f"--method={settings.method}",
            f"--temperature={settings.temperature}", f"--top_p={settings.top_p}",
            f"--input_length={settings.candidate_input_length}", "--decode_length=128",
            f"--batch_size={settings.batch_size}"]


def candidates_command(settings: LmcorExperimentSettings, task: str, part: int | None
                       ) -> list[str]:
    """`textedit candidates`: train part `part` (its generator), or a task's validation split
    (generator 0, with the baselines) when `part` is None."""
    if part is not None:
        command = [*_textedit("candidates"), f"--model={generator_run(settings, part)}",
                   f"--task={task}", "--split=train", f"--part={part}/2",
                   *_sampling_flags(settings), f"--seed={part}",
                   f"--output={train_candidates(settings, part)}"]
        if settings.train_examples:
            command.append(f"--limit={settings.train_examples // 2}")
        return command + data_flags(settings)
    return [*_textedit("candidates"), f"--model={generator_run(settings, 0)}", f"--task={task}",
            "--split=validation", *_sampling_flags(settings), "--seed=0",
            f"--output={validation_candidates(settings, task)}",
            f"--baselines={baselines_dir(settings, task)}", *data_flags(settings)]


def warm_started(settings: LmcorExperimentSettings, model: str) -> bool:
    """Whether corrector `model` starts from generator 0's weights: with corrector_init
    "generator", the corrector of the generators' kind, and an EdiT5 corrector of seq2seq
    generators. The generator already edits the task; the corrector then learns to read the
    candidates (a pre-trained start, as the paper's corrector is a pre-trained T5). An EdiT5
    model's backbone is a T5's (gin/models/edit5_mini.gin has t5_mini.gin's encoder and decoder
    block 0), so it loads from a seq2seq run and only its tagger, pointer and re-order heads
    start fresh (textedit/runs/init_checkpoint.py). The other way round a seq2seq corrector
    would get a 1-layer decoder's weights for its 2 layers; it starts from random weights.
    Generator 0 learnt from train part 1, half of the corrector's examples, so on those it has
    seen the targets; the validation split is unseen by both generators."""
    if settings.corrector_init != "generator":
        return False
    return model == settings.generator or (model, settings.generator) == ("edit5", "seq2seq")


def corrector_command(settings: LmcorExperimentSettings, model: str) -> list[str]:
    """`textedit train` of a corrector on both train halves' candidates."""
    files = [str(train_candidates(settings, part)) for part in (0, 1)]
    first = settings.tasks[0]
    command = [*_textedit("train"), f"--gin_file={ROOT / CORRECTOR_FILES[model]}",
               f"--gin_file={_model_file(model, settings)}",
               f"--gin.MODEL_DIR='{corrector_run(settings, model)}'",
               f"--gin.LMCOR_BASE_TASK='{first}'", f"--gin.LMCOR_TRAIN={files!r}",
               f"--gin.LMCOR_VALIDATION='{validation_candidates(settings, first)}'",
               f"--gin.LMCOR_K={settings.k}", "--gin.EVAL_EVERY=0",
               f"--gin.MAX_EVAL_EXAMPLES={CORRECTOR_EVAL_EXAMPLES}"]
    command += [*_corrector_bindings(settings, model, train=True), *CORRECTOR_RECIPE]
    if model == "edit5":  # explicit either way: the command says which plans it trained on
        borrow = settings.edit5_candidate_words == "copy"
        command.append(f"--gin.train/lmcor_task.borrow_from_candidates={borrow}")
    if warm_started(settings, model):
        command.append(f"--gin.INIT_CHECKPOINT='{generator_run(settings, 0)}'")
    return command + _train_bindings(settings, settings.corrector_steps) + data_flags(settings)


def infer_command(settings: LmcorExperimentSettings, model: str, task: str) -> list[str]:
    """`textedit infer` of a corrector's last checkpoint on a task's validation candidates."""
    checkpoint = corrector_run(settings, model) / "checkpoints" / f"ckpt-{settings.corrector_steps}"
    command = [*_textedit("infer"), f"--gin_file={_model_file(model, settings)}",
               f"--gin.CHECKPOINT_PATH='{checkpoint}'",
               "--gin.MIXTURE_OR_TASK_NAME=@lmcor_task()",
               f"--gin.lmcor_task.base_task='{task}'",
               f"--gin.lmcor_task.validation='{validation_candidates(settings, task)}'",
               f"--gin.lmcor_task.k={settings.k}",
               f"--gin.OUTPUT_DIR='{predictions_dir(settings, model, task)}'"]
    if model == "edit5":
        command += [f"--gin.edit5_decode_fn.insert_bias={settings.edit5_insert_bias}",
                    f"--gin.edit5_decode_fn.delete_threshold={settings.edit5_delete_threshold}"]
    return (command + _corrector_bindings(settings, model, train=False)
            + _model_bindings(settings) + data_flags(settings))


def _model_bindings(settings: LmcorExperimentSettings) -> list[str]:
    """The --gin extras that shape the model (t5_config.*, e.g. absolute_positions=True): a
    corrector is decoded as the model it was trained as (settings without weights cannot be
    read from its checkpoint)."""
    return [f"--gin.{binding}" for binding in settings.gin if binding.startswith("t5_config.")]


def _corrector_bindings(settings: LmcorExperimentSettings, model: str, train: bool) -> list[str]:
    """A corrector's input length and segment bindings (and an EdiT5 corrector's position
    options), the same for training and decoding."""
    length = CORRECTOR_INPUT_LENGTHS[train_task(settings)]
    evaluation = {"inputs": length, "targets": CORRECTOR_TARGET_LENGTH}
    bindings = []
    if train:
        target = "decoder_targets" if model == "edit5" else "targets"
        longest = 64 if model == "edit5" else CORRECTOR_TARGET_LENGTH
        # Length buckets at 1/2 and 3/4 of the inputs: most inputs (source + 4 candidates of
        # about 20 pieces each on W&I + FCE) fit the first, and the pointer's cost grows with
        # the square of the length.
        buckets = [{"inputs": length // 2, target: longest // 4},
                   {"inputs": length * 3 // 4, target: longest // 2}]
        bindings += [f"--gin.TASK_FEATURE_LENGTHS={ {'inputs': length, target: longest} !r}",
                     f"--gin.LENGTH_BUCKETS={buckets!r}",
                     f"--gin.EVAL_TASK_FEATURE_LENGTHS={evaluation!r}"]
    else:
        bindings.append(f"--gin.TASK_FEATURE_LENGTHS={evaluation!r}")
    if model == "edit5":  # the mini model file's 128 would cut the corrector's inputs
        bindings += [f"--gin.MAX_INPUT_LENGTH={length}", *EDIT5_POSITIONS]
    return [*bindings, f"--gin.t5_config.lmcor_segments={settings.segments}"]


def evaluate_command(settings: LmcorExperimentSettings, row: str, task: str) -> list[str]:
    predictions = prediction_file(settings, row, task)
    source = ["--baseline=copy"] if predictions is None else [f"--predictions={predictions}"]
    return [*_textedit("evaluate"), f"--task={task}", "--split=validation", *source,
            f"--output={score_file(settings, row, task)}", *data_flags(settings)]


def compare_command(settings: LmcorExperimentSettings, a: str, b: str, task: str) -> list[str]:
    """`textedit evaluate --compare`: rows a - b on a task's validation split, paired bootstrap."""
    return [*_textedit("evaluate"), f"--task={task}", "--split=validation",
            f"--predictions={prediction_file(settings, a, task)}",
            f"--compare={prediction_file(settings, b, task)}",
            f"--bootstrap={settings.bootstrap}",
            f"--output={comparison_file(settings, a, b, task)}",
            *data_flags(settings)]


def _row_needs(row: str, task: str) -> tuple[str, ...]:
    """The job that writes a row's predictions on a task (none for the copy baseline)."""
    if row == "copy":
        return ()
    if row in SELECTORS:
        return (f"candidates_{task}",)
    return (f"infer_{row.removesuffix('_corrector')}_{task}",)


def plan(settings: LmcorExperimentSettings) -> list[Job]:
    """The jobs, the long chain first (module docstring); every job but the vocabulary check
    has a done marker."""
    jobs = [Job("vocabulary", [*_textedit("data"), "--no_table", *data_flags(settings)])]
    generator_needs: dict[int, tuple[str, ...]] = {0: (), 1: ()}
    if not settings.generator_runs:
        for part in (0, 1):
            jobs.append(Job(f"generator_{part}", generator_command(settings, part),
                            needs=("vocabulary",),
                            done_marker=generator_run(settings, part) / DONE_MARKER,
                            expected_seconds=settings.generator_steps
                            * SECONDS_PER_STEP["generator"] + OVERHEAD_SECONDS))
            generator_needs[part] = (f"generator_{part}",)
    half = settings.train_examples // 2 or 30_000
    for part in (0, 1):
        jobs.append(Job(f"candidates_train_{part}",
                        candidates_command(settings, train_task(settings), part),
                        needs=generator_needs[part],
                        done_marker=train_candidates(settings, part).with_suffix(".done.json"),
                        expected_seconds=half * SECONDS_PER_CANDIDATE_EXAMPLE))
    for task in settings.tasks:
        jobs.append(Job(f"candidates_{task}", candidates_command(settings, task, None),
                        needs=generator_needs[0],
                        done_marker=validation_candidates(settings, task).with_suffix(".done.json"),
                        expected_seconds=VALIDATION_SIZES.get(task, 1000)
                        * SECONDS_PER_CANDIDATE_EXAMPLE))
    corrector_needs = ("vocabulary", "candidates_train_0", "candidates_train_1",
                       f"candidates_{settings.tasks[0]}")
    for model in CORRECTORS:
        jobs.append(Job(f"corrector_{model}", corrector_command(settings, model),
                        needs=corrector_needs,
                        done_marker=corrector_run(settings, model) / DONE_MARKER,
                        expected_seconds=settings.corrector_steps * SECONDS_PER_STEP["corrector"]
                        + OVERHEAD_SECONDS))
    for model in CORRECTORS:
        for task in settings.tasks:
            jobs.append(Job(f"infer_{model}_{task}", infer_command(settings, model, task),
                            needs=(f"corrector_{model}", f"candidates_{task}"),
                            done_marker=predictions_dir(settings, model, task) / DONE_MARKER,
                            expected_seconds=300))
    for task in settings.tasks:
        seconds = 120 if HEADLINE[task].startswith("errant") else 30
        for row in ROWS:
            jobs.append(Job(f"score_{row}_{task}", evaluate_command(settings, row, task),
                            needs=_row_needs(row, task),
                            done_marker=score_file(settings, row, task).with_suffix(".done.json"),
                            expected_seconds=seconds))
        for a, b in COMPARISONS if settings.bootstrap else ():
            marker = comparison_file(settings, a, b, task).with_suffix(".done.json")
            jobs.append(Job(f"compare_{a}_vs_{b}_{task}", compare_command(settings, a, b, task),
                            needs=_row_needs(a, task) + _row_needs(b, task), done_marker=marker,
                            expected_seconds=seconds * (1 + settings.bootstrap / 500)))
    return jobs


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def collect(settings: LmcorExperimentSettings) -> dict:
    """{"scores": {task: {row: {metric: value} or None}}, "speed": {model: {task: {...}}}}
    from the files the jobs wrote (None where a job has not finished)."""
    scores = {task: {row: (_read_json(score_file(settings, row, task)) or {}).get("scores")
                     for row in ROWS} for task in settings.tasks}
    speed: dict[str, dict[str, dict | None]] = {}
    for model in CORRECTORS:
        speed[model] = {}
        for task in settings.tasks:
            timing = (_read_json(predictions_dir(settings, model, task) / "timing.json") or {})
            entry = timing.get(f"lmcor_{task}")
            if entry and entry.get("seconds"):
                entry = {**entry, "examples_per_second": entry["examples"] / entry["seconds"]}
            speed[model][task] = entry or None
    comparisons = {task: {f"{a}_vs_{b}": _headline_difference(
        _read_json(comparison_file(settings, a, b, task)), HEADLINE[task])
        for a, b in COMPARISONS} for task in settings.tasks}
    return {"scores": scores, "speed": speed, "comparisons": comparisons,
            "headline": {task: HEADLINE[task] for task in settings.tasks}}


def _headline_difference(report: dict | None, metric: str) -> dict | None:
    """{"difference", "low", "high", "not_above", "confidence", "resamples"} of `metric` in a
    `textedit evaluate --compare` report (None when the comparison has not run)."""
    comparison = (report or {}).get("comparison")
    if not comparison:
        return None
    for row in comparison["differences"]:
        if row["key"] == metric:
            return {key: row[key] for key in ("difference", "low", "high", "not_above")} | {
                "confidence": comparison["confidence"], "resamples": comparison["resamples"]}
    return None


def _cell(values: dict | None, metric: str) -> str:
    if not values or metric not in values:
        return "–"
    return f"{values[metric]:.2f}"


def results_table(settings: LmcorExperimentSettings, results: dict) -> str:
    """The Markdown table (module docstring): one row per system, one column per task's
    headline metric, then the correctors' decoding speed."""
    tasks = settings.tasks
    kind = "EdiT5" if settings.generator == "edit5" else "seq2seq"
    generators = (f"given runs {', '.join(settings.generator_runs)}" if settings.generator_runs
                  else f"{settings.size} {kind}, {settings.generator_steps} steps each")
    train = f"the first {settings.train_examples} of" if settings.train_examples else "all of"
    warm = "".join(f"; the {ROW_LABELS[m + '_corrector']} starts from generator 0's weights"
                   for m in CORRECTORS if warm_started(settings, m))
    lines = [
        f"LMCor on the validation splits; generators: two cross-fitted {generators}; "
        f"{settings.k} candidates per example ({settings.method}, temperature "
        f"{settings.temperature:g}, top_p {settings.top_p:g}), validation candidates from "
        f"generator 0; correctors: {settings.size} models, {settings.corrector_steps} steps on "
        f"{train} the {train_task(settings)} train candidates (half from each generator)"
        f"{warm}; the EdiT5 corrector decodes with insert_bias {settings.edit5_insert_bias:g} "
        f"and delete_threshold {settings.edit5_delete_threshold:g} and was trained to "
        f"{settings.edit5_candidate_words} the words the source lacks.",
        "",
        "| system | " + " | ".join(f"{t} {METRIC_NAMES.get(HEADLINE[t], HEADLINE[t])}"
                                   for t in tasks) + " |",
        "|---|" + "---:|" * len(tasks)]
    for row in ROWS:
        cells = [_cell(results["scores"][task][row], HEADLINE[task]) for task in tasks]
        lines.append(f"| {ROW_LABELS[row]} | " + " | ".join(cells) + " |")
    lines += ["", "Correctors' decoding speed on the validation candidates (`textedit infer`, "
              "batch 32, one core, first compilation included; `textedit benchmark latency` "
              "cannot time LMCor inputs):", "",
              "| corrector | " + " | ".join(f"{t} examples/s" for t in tasks) + " |",
              "|---|" + "---:|" * len(tasks)]
    for model in CORRECTORS:
        cells = []
        for task in tasks:
            entry = results["speed"][model][task]
            cells.append(f"{entry['examples_per_second']:.1f}"
                         if entry and "examples_per_second" in entry else "–")
        lines.append(f"| {ROW_LABELS[model + '_corrector']} | " + " | ".join(cells) + " |")
    verdicts = []
    for task in tasks:
        metric, row_scores = HEADLINE[task], results["scores"][task]
        bars = [row_scores[r][metric] for r in ("greedy", "rerank")
                if row_scores[r] and metric in row_scores[r]]
        for model in CORRECTORS:
            values = row_scores[f"{model}_corrector"]
            if len(bars) == 2 and values and metric in values:
                verdicts.append(f"{task}: {ROW_LABELS[model + '_corrector']} "
                                f"{values[metric] - max(bars):+.2f} {metric} against the better "
                                "of greedy and re-ranking")
    if verdicts:
        lines += ["", *(f"- {v}" for v in verdicts)]
    return "\n".join(lines + _comparison_table(settings, results)) + "\n"


def _comparison_table(settings: LmcorExperimentSettings, results: dict) -> list[str]:
    """Lines of the paired-comparison table (none without --bootstrap): A - B in each task's
    headline metric, its interval, and the share of resamples where A is not above B."""
    comparisons = results.get("comparisons") or {}
    if not settings.bootstrap or not comparisons:
        return []
    lines = ["", f"Paired differences, A - B in each task's metric over its validation examples "
             f"(`textedit evaluate --compare`, {settings.bootstrap} paired bootstrap resamples; "
             "95% interval; P = share of resamples where A is not above B):", "",
             "| A - B | " + " | ".join(f"{t} {METRIC_NAMES.get(HEADLINE[t], HEADLINE[t])}"
                                      for t in settings.tasks) + " |",
             "|---|" + "---|" * len(settings.tasks)]
    for a, b in COMPARISONS:
        cells = []
        for task in settings.tasks:
            d = comparisons.get(task, {}).get(f"{a}_vs_{b}")
            cells.append("–" if d is None else f"{d['difference']:+.2f} [{d['low']:+.2f}, "
                         f"{d['high']:+.2f}], P {d['not_above']:.3f}")
        lines.append(f"| {ROW_LABELS[a]} − {ROW_LABELS[b]} | " + " | ".join(cells) + " |")
    return lines


def write_results(settings: LmcorExperimentSettings) -> str:
    """Collects the results, writes OUT_DIR/results.md and results.json; returns the table."""
    out = _out(settings)
    results = collect(settings)
    table = results_table(settings, results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(table, encoding="utf-8")
    (out / "results.json").write_text(json.dumps(
        {"settings": dataclasses.asdict(settings), **results}, indent=1) + "\n",
        encoding="utf-8")
    return table


def run_lmcor_experiment(settings: LmcorExperimentSettings, dry_run: bool = False) -> str:
    """Runs (or with dry_run prints) the jobs; writes and returns the table ("" for a dry run)."""
    # The queue runs in the repository root: the user's relative paths are resolved here.
    settings = dataclasses.replace(
        settings, out_dir=str(Path(settings.out_dir).resolve()),
        generator_runs=(tuple(str(Path(r).resolve()) for r in settings.generator_runs)
                        if settings.generator_runs else None))
    jobs = plan(settings)
    outcome = plan_or_run(jobs, settings.workers, "lmcor", _out(settings) / "logs", dry_run,
                          cwd=ROOT)
    if outcome is None:
        return ""
    return write_results(settings)
