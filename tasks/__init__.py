"""SeqIO tasks of textedit; importing this package registers every built-in task.

    import tasks  # registers gec_wi_fce, gec_jfleg, gec_conll, fusion_*, simplify_*, clean_text,
                  # their edit5_ twins, and pre-training: pretrain_span_corruption,
                  # pretrain_edit_noise, gec_synthetic; gec_embedded (the embedded default
                  # data, no data directory needed); low-resource shares:
                  # fusion_wikisplit_1pct, fusion_wikisplit_10pct (+ edit5_ twins);
                  # lm_clean_text (plain text for decoder-only language models);
                  # gsm8k, gsm8k_answer_only (maths word problems, tasks/gsm8k.py)
                  # hh_sft, hh_pairs (HH preference data, tasks/preference.py)
                  # ocr_correct, edit5_ocr_correct, ocr_read (OCR post-correction with line images,
                  # tasks/ocr_correct.py)
    seqio.get_mixture_or_task("gec_jfleg").get_dataset(None, split="validation")

Your own parallel files: `tasks.user_data.register_parallel_task` (see its docstring).
"""

from tasks import (  # noqa: F401  (register)
    clean_text,
    edit_tasks,
    fusion,
    gec,
    gec_embedded,
    gec_synthetic,
    gsm8k,
    language_model,
    low_resource,
    ocr_correct,
    preference,
    preference_files,
    pretraining,
    simplification,
)
from tasks.user_data import register_parallel_task  # noqa: F401
from textedit.data.dataset_catalog import DATASETS

BUILTIN_TASKS = tuple(DATASETS)  # one task per built-in data set, same name
