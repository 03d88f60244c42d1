"""gin names for online RL (docs/algorithms.md#bond):

    jbond_objective        J-BOND: 1 policy + 2 anchor samples per prompt, EMA anchor
    reinforce_objective    REINFORCE: 2 samples per prompt, leave-one-out baseline, KL to π_ref
    ngram_f1_reward        metric reward: n-gram F1 of a sample against the batch's target
    gleu_reward            metric reward: sentence GLEU (source = prompt, the batch's target)
    sari_reward            metric reward: sentence SARI (source = prompt, the batch's target)
    reward_model_reward    learned reward: a reward-model run (`@teacher_from_run()`) scoring
                           the prompt followed by the sample
    best_of_n_decode_fn   DECODE_FN of Best-of-N (`textedit infer --best_of_n N`)
    edit5_rl_policy        `policy` of the objectives for an EdiT5 model: sampled edits under
                           the word guards of the task's vocabulary (textedit/decoding/
                           edit_policy.py); without it a policy is seq2seq

The reference and the anchor are read with `teacher_from_run` (textedit.cli.gin_decoder_only):
the SFT run's model at its latest checkpoint, frozen; give the anchor its own scope
(`jbond_objective.anchor = @anchor/teacher_from_run()`) so it is a second copy.
"""

from __future__ import annotations

import functools

import gin


@functools.cache
def register_online_rl() -> None:
    """Registers the configurables of the module docstring (idempotent)."""
    from textedit.decoding.best_of_n import best_of_n_decode_fn
    from textedit.objectives.gleu_reward import gleu_reward
    from textedit.objectives.ngram_f1_reward import ngram_f1_reward
    from textedit.objectives.reward_model_reward import reward_model_reward
    from textedit.objectives.sari_reward import sari_reward
    from textedit.training.online_rl import jbond_objective, reinforce_objective

    for function, name in (
            (jbond_objective, "jbond_objective"), (reinforce_objective, "reinforce_objective"),
            (ngram_f1_reward, "ngram_f1_reward"), (gleu_reward, "gleu_reward"),
            (sari_reward, "sari_reward"), (reward_model_reward, "reward_model_reward"),
            (best_of_n_decode_fn, "best_of_n_decode_fn"),
            (edit5_rl_policy, "edit5_rl_policy")):
        gin.external_configurable(function, name=name)


def edit5_rl_policy(task: str, max_insert_length: int = 32, word_guards: bool = True):
    """`edit_policy.edit5_policy` for gin: with `word_guards`, the word-start table of `task`'s
    vocabulary (as `textedit edit` and the evaluation decode with), so whole words are kept or
    deleted and spans sit between words."""
    from textedit.decoding.edit_policy import edit5_policy

    table = None
    if word_guards:
        import seqio

        from textedit.data.vocab.vocabulary import word_start_table

        vocabulary = seqio.get_mixture_or_task(task).output_features["inputs"].vocabulary
        table = word_start_table(vocabulary)
    return edit5_policy(max_insert_length, word_start_table=table)
