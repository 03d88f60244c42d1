"""The analytic T5 FLOP count equals the matmul FLOPs in the traced forward graph (independent:
shapes of every MatMul / BatchMatMulV2 / Einsum the model actually runs)."""

import math

import pytest
import tensorflow as tf

from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder
from textedit.training.model_flops import t5_forward_flops, t5_train_step_flops


def _graph_matmul_flops(graph) -> int:
    total = 0
    for op in graph.get_operations():
        if op.type == "MatMul":
            a, b = (t.shape.as_list() for t in op.inputs)
            m, k = (a[1], a[0]) if op.get_attr("transpose_a") else tuple(a)
            n = b[0] if op.get_attr("transpose_b") else b[1]
            total += 2 * m * k * n
        elif op.type == "BatchMatMulV2":
            a = op.inputs[0].shape.as_list()
            k = a[-2] if op.get_attr("adj_x") else a[-1]
            total += 2 * k * math.prod(op.outputs[0].shape.as_list())
        elif op.type == "Einsum":  # two operands: 2 x the product of every index's size
            equation = op.get_attr("equation").decode()
            operands = equation.split("->")[0].split(",")
            assert len(operands) == 2 and "." not in equation, equation
            sizes = {}
            for letters, tensor in zip(operands, op.inputs, strict=True):
                sizes.update(zip(letters, tensor.shape.as_list(), strict=True))
            total += 2 * math.prod(sizes.values())
        elif "MatMul" in op.type:
            raise AssertionError(f"uncounted op {op.type}")
    return total


@pytest.mark.parametrize("overrides", [{}, {"num_decoder_layers": 1},
                                       {"feed_forward_proj": "relu", "tie_word_embeddings": True}])
def test_analytic_count_matches_the_graph(overrides):
    config = T5Config.named("tiny", vocab_size=96, **overrides)
    model = T5EncoderDecoder(config)
    batch, source, target = 3, 11, 7
    forward = tf.function(lambda x, y: model(
        {"encoder_input_tokens": x, "decoder_input_tokens": y}))
    graph = forward.get_concrete_function(tf.TensorSpec([batch, source], tf.int32),
                                          tf.TensorSpec([batch, target], tf.int32)).graph
    assert t5_forward_flops(config, batch, source, target) == _graph_matmul_flops(graph)
    assert t5_train_step_flops(config, batch, source, target) == 3 * _graph_matmul_flops(graph)
