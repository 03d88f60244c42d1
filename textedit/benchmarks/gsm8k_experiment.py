"""The chain-of-thought distillation comparison on GSM8K (Magister et al., 2023), one command:
`textedit experiment gsm8k`. Students of one size (T5-mini) and one budget of train-step time
(minutes, or --student_steps), trained on different targets for the same training questions,
each evaluated on the first --eval_examples validation questions, greedy, with and without the
calculator:

    answer_only          question -> "#### N"                    (<problems>_answer_only)
    human                question -> the human worked solution   (<problems>)
    teacher_unfiltered   question -> every teacher rationale     (seq2seq_gsm8k_rationales.gin)
    teacher_filtered     question -> teacher rationales with the gold answer (Magister's filter)

--problems picks the problem set (textedit/data/math_problem_sets.py): `gsm8k` (the default) or
`gsm8k_synthetic`, the generated problems in GSM8K's format, where the written solutions are the
"human" ones and students this machine can train are not all at zero accuracy; lengths follow
the set (PROBLEM_LENGTHS).

The teacher (gin/experiments/seq2seq_gsm8k_teacher.gin, larger than the students) trains on the
human solutions for --teacher_minutes (or --teacher_steps), then `textedit rationales` samples
--k rationales per question for the first --sample_questions training questions at
--temperature. With
--rationales FILE (an external LLM's JSONL: question, rationale, answer) the teacher is skipped
and the two teacher students train on that file.

Every step is a `textedit` command (train, rationales, eval), run by the job queue
(textedit/benchmarks/job_queue.py, --workers at once, one per core) with logs under
OUT_DIR/logs/; finished steps are skipped when the command runs again. Outputs: OUT_DIR/runs/,
OUT_DIR/rationales/teacher.jsonl, OUT_DIR/eval/<student>_<greedy|calculator>/, and the table
OUT_DIR/results.md (also printed).
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

from textedit.benchmarks.experiment_results import last_metrics
from textedit.benchmarks.job_queue import Job, plan_or_run

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = ROOT / "workdir" / "experiments" / "gsm8k"
STUDENTS = ("answer_only", "human", "teacher_unfiltered", "teacher_filtered")
DECODERS = ("greedy", "calculator")
# problem set -> (input, target) pieces: GSM8K's p99 125 / 200; the synthetic set's max 44 / 79
PROBLEM_LENGTHS = {"gsm8k": (128, 192), "gsm8k_synthetic": (64, 96)}
DONE_MARKER = "experiment_done.json"
OVERHEAD_SECONDS = 120  # start-up and compilation of one command, for the ETA


@dataclasses.dataclass
class Gsm8kExperimentSettings:
    """The flags of `textedit experiment gsm8k` (each field is the flag of the same name)."""

    out_dir: str = str(DEFAULT_OUT_DIR)
    teacher_minutes: float = 10.0
    student_minutes: float = 5.0
    k: int = 4
    temperature: float = 0.7
    sample_questions: int = 500
    eval_examples: int = 200
    rationales: str | None = None
    students: tuple[str, ...] = STUDENTS
    batch_size: int = 32
    workers: int = 2
    problems: str = "gsm8k"
    teacher_steps: int = 0  # > 0: a budget of steps instead of --teacher_minutes
    student_steps: int = 0  # > 0: a budget of steps instead of --student_minutes

    def lengths_flag(self) -> str:
        inputs, targets = PROBLEM_LENGTHS[self.problems]
        return f'--gin.TASK_FEATURE_LENGTHS={{"inputs": {inputs}, "targets": {targets}}}'


def _textedit() -> list[str]:
    return [sys.executable, "-m", "textedit"]


def _train(name: str, experiment: str, settings: Gsm8kExperimentSettings, minutes: float,
           steps: int, extra: tuple[str, ...] = ()) -> list[str]:
    """A `textedit train` command; `steps` > 0 replaces the budget of minutes."""
    run_dir = Path(settings.out_dir) / "runs" / name
    budget = f"--gin.TRAIN_STEPS={steps}" if steps else f"--gin.MAX_TRAIN_SECONDS={minutes * 60:g}"
    return [*_textedit(), "train", f"--gin_file={ROOT / 'gin/experiments' / experiment}",
            f"--gin.MODEL_DIR='{run_dir}'", budget, f"--gin.BATCH_SIZE={settings.batch_size}",
            "--gin.EVAL_MIXTURE_OR_TASK_NAMES=[]", settings.lengths_flag(), *extra]


def rationales_file(settings: Gsm8kExperimentSettings) -> Path:
    return Path(settings.rationales or Path(settings.out_dir) / "rationales" / "teacher.jsonl")


def plan(settings: Gsm8kExperimentSettings) -> list[Job]:
    """The jobs, longest chain first: teacher, sampling, the teacher students; the others."""
    out, problems = Path(settings.out_dir), settings.problems
    if problems not in PROBLEM_LENGTHS:
        raise ValueError(f"unknown problem set {problems!r}; expected one of "
                         f"{list(PROBLEM_LENGTHS)}")
    inputs, targets = PROBLEM_LENGTHS[problems]
    student_seconds = settings.student_minutes * 60 + OVERHEAD_SECONDS
    jobs, teacher_needs = [], ()
    if not settings.rationales and any(s.startswith("teacher") for s in settings.students):
        jobs.append(Job("teacher", _train(
            "teacher", "seq2seq_gsm8k_teacher.gin", settings, settings.teacher_minutes,
            settings.teacher_steps, (f"--gin.MIXTURE_OR_TASK_NAME='{problems}'",)),
            done_marker=out / "runs" / "teacher" / DONE_MARKER,
            expected_seconds=settings.teacher_minutes * 60 + OVERHEAD_SECONDS))
        jobs.append(Job("rationales", [
            *_textedit(), "rationales", f"--teacher={out / 'runs' / 'teacher'}",
            f"--out={rationales_file(settings)}", f"--problems={problems}", f"--k={settings.k}",
            f"--temperature={settings.temperature}",
            f"--max_questions={settings.sample_questions}", f"--max_input_length={inputs}",
            f"--max_decode_length={targets}"], needs=("teacher",),
            done_marker=out / "rationales" / DONE_MARKER, expected_seconds=600))
        teacher_needs = ("rationales",)
    for student in settings.students:
        if student.startswith("teacher"):
            filtered = student == "teacher_filtered"
            command = _train(student, "seq2seq_gsm8k_rationales.gin", settings,
                             settings.student_minutes, settings.student_steps,
                             (f"--gin.RATIONALES='{rationales_file(settings)}'",
                              f"--gin.FILTERED={filtered}",
                              f"--gin.gsm8k_rationale_task.problems='{problems}'",
                              f"--gin.gsm8k_rationale_task.name='{problems}_{student}'"))
            needs = teacher_needs
        else:
            task = f"{problems}_answer_only" if student == "answer_only" else problems
            command, needs = _train(student, "seq2seq_gsm8k.gin", settings,
                                    settings.student_minutes, settings.student_steps,
                                    (f"--gin.MIXTURE_OR_TASK_NAME='{task}'",)), ()
        jobs.append(Job(student, command, needs=needs, expected_seconds=student_seconds,
                        done_marker=out / "runs" / student / DONE_MARKER))
        for decoder in DECODERS:
            eval_dir = out / "eval" / f"{student}_{decoder}"
            command = [*_textedit(), "eval", f"--gin_file={ROOT / 'gin/models/t5_mini.gin'}",
                       f"--gin.CHECKPOINT_PATH='{out / 'runs' / student}'",
                       f"--gin.MIXTURE_OR_TASK_NAME='{problems}'", f"--gin.OUTPUT_DIR='{eval_dir}'",
                       f"--gin.MAX_EXAMPLES={settings.eval_examples}", settings.lengths_flag()]
            if decoder == "calculator":
                command.append("--gin.DECODE_FN=@calculator_decode_fn")
            jobs.append(Job(f"eval_{student}_{decoder}", command, needs=(student,),
                            done_marker=eval_dir / DONE_MARKER, expected_seconds=240))
    return jobs


def _last_step(run_dir: Path) -> int | None:
    steps = [int(m.group(1)) for p in (run_dir / "checkpoints").glob("ckpt-*.index")
             if (m := re.match(r"ckpt-(\d+)\.index$", p.name))]
    return max(steps) if steps else None


def _kept(log: Path) -> str:
    """The filter's account from a rationale student's training log ('kept of total')."""
    if not log.exists():
        return "–"
    found = re.findall(r"(\d+) of (\d+) rationales kept", log.read_text(errors="replace"))
    return f"{found[-1][0]} of {found[-1][1]} rationales" if found else "–"


def _sampled(path: Path) -> str:
    if not path.exists():
        return "no rationales file"
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    right = sum(r.get("correct", False) for r in records)
    return (f"{len(records)} rationales on {len({r['question'] for r in records})} questions, "
            f"{right} ({100 * right / max(len(records), 1):.1f}%) with the gold answer")


def _accuracy(metrics: dict | None) -> str:
    if not metrics or "answer_accuracy" not in metrics:
        return "–"
    return (f"{metrics['answer_accuracy']:.1f} [{metrics['answer_accuracy_low']:.1f}, "
            f"{metrics['answer_accuracy_high']:.1f}]")


def _budget(minutes: float, steps: int) -> str:
    return f"{steps} steps" if steps else f"{minutes:g} min of train-step time"


def results_table(settings: Gsm8kExperimentSettings, outcome: dict[str, str]) -> str:
    """The Markdown table of the students (module docstring)."""
    out = Path(settings.out_dir)
    lines = [
        f"{settings.problems} validation, first {settings.eval_examples} questions; T5-mini "
        f"students, {_budget(settings.student_minutes, settings.student_steps)} each (batch "
        f"{settings.batch_size}); accuracy % [95% Wilson interval].",
        f"Teacher rationales: {_sampled(rationales_file(settings))}"
        + ("" if settings.rationales else
           f" (teacher: {_budget(settings.teacher_minutes, settings.teacher_steps)}, "
           f"k={settings.k}, temperature {settings.temperature:g})") + ".", "",
        "| student | trained on | steps | greedy | + calculator | answers written (greedy) |",
        "|---|---|---:|---:|---:|---:|"]
    for student in settings.students:
        metrics = {d: last_metrics(out / "eval" / f"{student}_{d}" /
                                   f"{settings.problems}-metrics.jsonl") for d in DECODERS}
        trained = (_kept(out / "logs" / f"{student}.log") if student.startswith("teacher")
                   else f"{settings.problems} train")
        step = _last_step(out / "runs" / student)
        written = (metrics["greedy"] or {}).get("answer_extracted")
        lines.append(
            f"| {student} | {trained} | {step if step is not None else outcome.get(student)} | "
            f"{_accuracy(metrics['greedy'])} | {_accuracy(metrics['calculator'])} | "
            f"{'–' if written is None else f'{written:.0f}%'} |")
    return "\n".join(lines) + "\n"


def run_gsm8k_experiment(settings: Gsm8kExperimentSettings, dry_run: bool = False) -> str:
    """Runs (or with dry_run prints) the jobs; writes and returns the table."""
    jobs = plan(settings)
    out = Path(settings.out_dir)
    outcome = plan_or_run(jobs, settings.workers, "gsm8k", out / "logs", dry_run, cwd=ROOT)
    if outcome is None:
        return ""
    table = results_table(settings, outcome)
    (out / "results.md").write_text(table, encoding="utf-8")
    return table
