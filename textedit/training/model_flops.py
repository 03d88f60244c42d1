"""Matrix-multiply FLOPs of a T5 encoder-decoder training step, counted from its config.

    flops = t5_train_step_flops(config, batch=32, input_length=128, target_length=128)

A multiply-add counts 2 FLOPs. Per forward pass, with b rows, s input and t target positions,
d = d_model, i = num_heads * d_kv, f = d_ff, g = 3 feed-forward matrices if gated (T5 v1.1)
else 2, V = vocab_size:

    encoder layer   4 projections 2bsdi*4, scores and weighted sum 2 * 2bs^2i, feed-forward 2bsdf*g
    decoder layer   self-attention 2btdi*4 + 2 * 2bt^2i; cross-attention queries and output
                    2btdi*2, keys and values 2bsdi*2, scores and weighted sum 2 * 2btsi;
                    feed-forward 2btdf*g
    logits          2btdV

A training step is 3 forward passes' worth (the backward pass costs about twice the forward), the
usual convention of model-FLOP utilisation (PaLM, appendix B). Every position counts, padding
and the masked half of causal attention included, since the compiled step computes them; norms,
softmax, embeddings lookups and the optimiser update are left out (they are not matmuls).
"""

from __future__ import annotations


def t5_forward_flops(config, batch: int, input_length: int, target_length: int) -> int:
    """Matmul FLOPs of one teacher-forced forward pass (module docstring)."""
    b, s, t = batch, input_length, target_length
    d, i, f, vocab = config.d_model, config.num_heads * config.d_kv, config.d_ff, config.vocab_size
    g = 3 if config.feed_forward_proj.startswith("gated") else 2
    encoder_layer = 2 * b * s * d * i * 4 + 2 * 2 * b * s * s * i + 2 * b * s * d * f * g
    decoder_layer = (2 * b * t * d * i * 4 + 2 * 2 * b * t * t * i
                     + 2 * b * t * d * i * 2 + 2 * b * s * d * i * 2 + 2 * 2 * b * t * s * i
                     + 2 * b * t * d * f * g)
    logits = 2 * b * t * d * vocab
    return (config.num_encoder_layers * encoder_layer + config.num_decoder_layers * decoder_layer
            + logits)


def t5_train_step_flops(config, batch: int, input_length: int, target_length: int) -> int:
    """3 x the forward pass's matmul FLOPs."""
    return 3 * t5_forward_flops(config, batch, input_length, target_length)
