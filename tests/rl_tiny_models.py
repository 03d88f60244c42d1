"""What the online-RL tests share: a tiny T5 configuration (24 ids) and prompts with references
(each reference = its prompt's first 3 ids then EOS), so rewards have something to match."""

import numpy as np
import tensorflow as tf

from textedit.models.t5.t5_config import T5Config

VOCAB = 24
RL_TINY_CONFIG = T5Config.named("tiny", vocab_size=VOCAB, dropout_rate=0.0, d_model=16, d_ff=16,
                                num_heads=2, num_encoder_layers=1, num_decoder_layers=1)


def prompts_and_references(rows: int, seed: int = 0, length: int = 5):
    """(prompts int32 [rows, length] of word ids, references int32 [rows, 4])."""
    prompts = np.random.default_rng(seed).integers(2, VOCAB, size=(rows, length)).astype(np.int32)
    references = np.concatenate([prompts[:, :3], np.ones((rows, 1), np.int32)], axis=1)
    return tf.constant(prompts), tf.constant(references)
