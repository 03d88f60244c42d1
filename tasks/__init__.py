"""SeqIO tasks of textedit; importing this package registers every built-in task.

    import tasks  # registers gec_wi_fce, gec_jfleg, gec_conll, fusion_*, simplify_*, clean_text
    seqio.get_mixture_or_task("gec_jfleg").get_dataset(None, split="validation")

Your own parallel files: `tasks.user_data.register_parallel_task` (see its docstring).
"""

from tasks import clean_text, edit_tasks, fusion, gec, simplification  # noqa: F401  (register)
from tasks.user_data import register_parallel_task  # noqa: F401
from textedit.data.dataset_catalog import DATASETS

BUILTIN_TASKS = tuple(DATASETS)  # one task per built-in data set, same name
