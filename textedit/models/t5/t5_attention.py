"""`T5Attention`: multi-head attention without biases or logit scaling, with a fixed-size cache.

T5 conventions (HF `T5Attention`), kept so that HF weights give identical outputs:
- q, k, v, o are bias-free linear maps (HF `SelfAttention.{q,k,v,o}` / `EncDecAttention.{q,k,v,o}`,
  whose `weight` [out, in] is the transpose of the Keras kernel [in, out]).
- The logits are NOT scaled by 1/sqrt(d_kv): Mesh TensorFlow folds that factor into the
  initialisation of q (stddev (d_model * d_kv)**-0.5), so a checkpoint's q already carries it.
- The position bias (from `RelativePositionBias`, self-attention only) is added to the logits; the
  mask then sets excluded logits to -1e9. Softmax runs in float32 whatever the compute dtype.

Keys and values are laid out heads-major, [batch, num_heads, length, d_kv], the layout of the
decoder's caches: both attention products are then batched matrix products over (batch, heads)
that XLA runs in place. (Stored [batch, length, heads, d_kv], every cache of every layer was
copied into a transposed layout at every decoding step on XLA:CPU.)
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.t5.dropout import Dropout

MASKED_LOGIT = -1e9


class T5Attention(keras.layers.Layer):
    """Attention of T5; one instance serves self-attention or cross-attention.

    Call: query_input [b, q, d_model], key_value_input [b, k, d_model] or None (self-attention),
    bias [1 or b, num_heads, q, k] or None, attention_mask bool broadcastable to
    [b, num_heads, q, k] or None -> [b, q, d_model]. (Not named `mask`: Keras would treat that as
    an input mask to propagate.)
    """

    def __init__(self, num_heads: int, d_kv: int, dropout_rate: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.d_kv = d_kv
        self.dropout_rate = dropout_rate

    def build(self, input_shape):
        d_model = input_shape[-1]
        inner = self.num_heads * self.d_kv

        def dense(name, units, stddev):
            return keras.layers.Dense(
                units, use_bias=False, name=name, dtype=self.dtype_policy,
                kernel_initializer=keras.initializers.RandomNormal(stddev=stddev))

        # Mesh TensorFlow / HF initialisation; q's includes the missing 1/sqrt(d_kv).
        self.q = dense("q", inner, (d_model * self.d_kv) ** -0.5)
        self.k = dense("k", inner, d_model**-0.5)
        self.v = dense("v", inner, d_model**-0.5)
        self.o = dense("o", d_model, inner**-0.5)
        for layer in (self.q, self.k, self.v):
            layer.build((None, None, d_model))
        self.o.build((None, None, inner))
        self.dropout = Dropout(self.dropout_rate, dtype=self.dtype_policy)

    def _heads(self, x):
        """[b, t, num_heads * d_kv] -> [b, num_heads, t, d_kv]."""
        x = ops.reshape(x, (ops.shape(x)[0], ops.shape(x)[1], self.num_heads, self.d_kv))
        return ops.transpose(x, (0, 2, 1, 3))

    def project_key_value(self, key_value_input):
        """key_value_input [b, k, d_model] -> (keys, values), each [b, num_heads, k, d_kv]."""
        return self._heads(self.k(key_value_input)), self._heads(self.v(key_value_input))

    def attend(self, query_input, keys, values, bias=None, attention_mask=None, training=False):
        """Attention of query_input [b, q, d_model] over precomputed keys/values
        [b, num_heads, k, d_kv] -> [b, q, d_model]."""
        queries = self._heads(self.q(query_input))
        logits = ops.cast(ops.einsum("bhqd,bhkd->bhqk", queries, keys), "float32")
        if bias is not None:
            logits = logits + ops.cast(bias, "float32")
        if attention_mask is not None:
            logits = ops.where(attention_mask, logits, MASKED_LOGIT)
        # Softmax written out: ops.softmax warns on a length-1 axis (a one-token decoder prefix).
        weights = ops.exp(logits - ops.max(logits, axis=-1, keepdims=True))
        weights = weights / ops.sum(weights, axis=-1, keepdims=True)
        weights = ops.cast(weights, self.compute_dtype)
        weights = self.dropout(weights, training=training)
        context = ops.einsum("bhqk,bhkd->bqhd", weights, values)
        batch, length = ops.shape(context)[0], ops.shape(context)[1]
        return self.o(ops.reshape(context, (batch, length, self.num_heads * self.d_kv)))

    def call(self, query_input, key_value_input=None, bias=None, attention_mask=None,
             training=False):
        source = query_input if key_value_input is None else key_value_input
        keys, values = self.project_key_value(source)
        return self.attend(query_input, keys, values, bias, attention_mask, training)

    def cached_self_attention(self, query_input, key_cache, value_cache, index, bias,
                              attention_mask, training=False):
        """One decoding step of self-attention with a fixed-size cache.

        Args:
          query_input: [b, 1, d_model], the step's input at position `index`.
          key_cache, value_cache: [b, num_heads, max_length, d_kv]; positions < index are filled.
          index: scalar int tensor, the step's position; its key/value are written there with
            `ops.slice_update` (an XLA dynamic-update-slice, shapes stay static).
          bias: [1, num_heads, 1, max_length].
          attention_mask: bool [b or 1, 1, 1, max_length], True for keys at positions <= index.

        Returns:
          (output [b, 1, d_model], key_cache, value_cache) with the caches updated.
        """
        keys, values = self.project_key_value(query_input)
        start = (0, 0, index, 0)
        key_cache = ops.slice_update(key_cache, start, ops.cast(keys, key_cache.dtype))
        value_cache = ops.slice_update(value_cache, start, ops.cast(values, value_cache.dtype))
        output = self.attend(query_input, key_cache, value_cache, bias, attention_mask, training)
        return output, key_cache, value_cache

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "d_kv": self.d_kv,
                "dropout_rate": self.dropout_rate}
