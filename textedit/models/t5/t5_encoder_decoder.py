"""`T5EncoderDecoder`: a T5 (v1.0 or v1.1) encoder-decoder with teacher forcing and cached steps.

    model = T5EncoderDecoder(T5Config.named("small", vocab_size=16128))
    logits = model({"encoder_input_tokens": x, "decoder_input_tokens": y})   # [b, t, vocab]

    hidden, mask = model.encode(x)                                # [b, s, d], bool [b, s]
    cache = model.init_cache(b, max_length, hidden, mask)         # fixed-size caches
    logits, cache = model.decode_step(token, cache, index)        # token [b, 1] -> [b, vocab]

Conventions (T5 / SeqIO): pad id 0, so the encoder mask is `tokens != 0`; the decoder input is the
target shifted right with the start id 0 in front; EOS is 1. Logits are float32 whatever the
compute dtype. Embeddings are not scaled by sqrt(d_model) (T5 never does). With tied embeddings
(T5 v1.0) the decoder output is scaled by d_model**-0.5 before the projection onto the shared
embedding, as Mesh TensorFlow and HF do; without them (v1.1) a separate `lm_head` projects, with
no scaling. HF weight names: `t5_hf_names.hf_t5_variables`.
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.t5.t5_config import T5Config
from textedit.models.t5.t5_decoder import T5Decoder
from textedit.models.t5.t5_encoder import T5Encoder


@keras.saving.register_keras_serializable(package="textedit")
class T5EncoderDecoder(keras.Model):
    """T5 encoder-decoder; every weight is created in the constructor.

    Sub-layers (HF names in brackets): `shared` [shared], `encoder` [encoder], `decoder`
    [decoder], `lm_head` [lm_head] only when `config.tie_word_embeddings` is False.
    """

    def __init__(self, config: T5Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        policy = self.dtype_policy
        self.shared = keras.layers.Embedding(
            config.vocab_size, config.d_model, name="shared", dtype=policy,
            embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0))
        self.encoder = T5Encoder(config, name="encoder", dtype=policy)
        self.decoder = T5Decoder(config, name="decoder", dtype=policy)
        self.segment_embedding = None
        if config.num_segments:
            self.segment_embedding = keras.layers.Embedding(
                config.num_segments, config.d_model, name="segment_embedding", dtype=policy,
                # The shared embedding's scale: a zero start stayed negligible beside the token
                # embeddings (an LMCor tagger learnt nothing of it in 60 steps; N(0, 1) taught
                # it source against candidates in 20).
                embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0))
        self.lm_head = None
        if not config.tie_word_embeddings:
            self.lm_head = keras.layers.Dense(
                config.vocab_size, use_bias=False, name="lm_head", dtype=policy,
                kernel_initializer=keras.initializers.RandomNormal(stddev=config.d_model**-0.5))
        self.build()

    def build(self, input_shape=None):
        d_model = self.config.d_model
        self.shared.build((None, None))
        if self.segment_embedding is not None:
            self.segment_embedding.build((None, None))
        self.encoder.build((None, None, d_model))
        self.decoder.build((None, None, d_model))
        if self.lm_head is not None:
            self.lm_head.build((None, None, d_model))

    def project_to_vocab(self, hidden):
        """Decoder output [..., d_model] -> float32 logits [..., vocab_size]."""
        if self.lm_head is not None:
            return ops.cast(self.lm_head(hidden), "float32")
        scaled = hidden * ops.cast(self.config.d_model**-0.5, hidden.dtype)
        embeddings = ops.cast(self.shared.embeddings, hidden.dtype)
        return ops.cast(ops.matmul(scaled, ops.transpose(embeddings)), "float32")

    def encode(self, encoder_tokens, training=False):
        """encoder_tokens int [b, s] (0 = padding) -> (hidden [b, s, d_model], mask bool [b, s])."""
        mask = ops.not_equal(encoder_tokens, self.config.pad_id)
        hidden = self.encoder(self.embed_encoder_tokens(encoder_tokens), mask, training=training)
        return hidden, mask

    def embed_encoder_tokens(self, encoder_tokens):
        """int [b, s] -> the encoder's input embeddings [b, s, d_model]: the shared embedding,
        plus the segment embedding when the config has segments (T5Config.num_segments)."""
        embedded = self.shared(encoder_tokens)
        if self.segment_embedding is None:
            return embedded
        config = self.config
        tokens = ops.cast(encoder_tokens, "int32")
        is_separator = ops.logical_and(
            tokens >= config.first_separator_id,
            tokens < config.first_separator_id + config.num_separators)
        segments = ops.minimum(ops.cumsum(ops.cast(is_separator, "int32"), axis=1),
                               config.num_segments - 1)
        return embedded + ops.cast(self.segment_embedding(segments), embedded.dtype)

    def decode(self, decoder_input_tokens, encoder_hidden, encoder_mask, training=False):
        """Teacher forcing: decoder_input_tokens int [b, t] (start id first), encoder_hidden
        [b, s, d_model], encoder_mask bool [b, s] -> logits float32 [b, t, vocab_size]."""
        return self.project_to_vocab(self.decode_hidden(decoder_input_tokens, encoder_hidden,
                                                        encoder_mask, training))

    def decode_hidden(self, decoder_input_tokens, encoder_hidden, encoder_mask, training=False):
        """`decode` before the output layer: the decoder's states [b, t, d_model]."""
        return self.decoder(self.shared(decoder_input_tokens), encoder_hidden, encoder_mask,
                            training=training)

    def call(self, inputs, training=False):
        """inputs {"encoder_input_tokens": [b, s], "decoder_input_tokens": [b, t]}
        -> logits float32 [b, t, vocab_size]."""
        encoder_hidden, encoder_mask = self.encode(inputs["encoder_input_tokens"], training)
        return self.decode(inputs["decoder_input_tokens"], encoder_hidden, encoder_mask, training)

    def init_cache(self, batch_size: int, max_length: int, encoder_hidden, encoder_mask,
                   output_layer=None) -> dict:
        """Caches for `max_length` decoding steps: self-attention keys/values allocated at full
        length, [layers][b, heads, max_length, d_kv], and cross-attention keys/values computed
        once from encoder_hidden [b, s, d_model] (layout: `t5_decoder` module docstring); with
        an untied lm_head also `lm_head_by_vocab`, its kernel transposed [vocab_size, d_model]:
        `output_layer` when given (`output_layer_by_vocab()`, made once per model), else made
        here, once per decode."""
        cache = self.decoder.init_cache(batch_size, max_length, encoder_hidden, encoder_mask)
        if self.lm_head is not None:
            # Vocabulary-major [vocab_size, d_model]: XLA:CPU's matmul of a few rows by it ran 2x
            # faster single-threaded than by the [d_model, vocab_size] kernel (a T5-small
            # decoding step at batch 32: -25%).
            cache["lm_head_by_vocab"] = (self.output_layer_by_vocab() if output_layer is None
                                         else ops.cast(output_layer, self.compute_dtype))
        return cache

    def output_layer_by_vocab(self):
        """The untied lm_head's kernel transposed, [vocab_size, d_model] in the compute dtype;
        None for a tied model (its logits read the embedding, already vocabulary-major).

        Made eagerly once and passed to the decoders (`output_layer=`), it saves the transpose
        that `init_cache` otherwise makes in every call: a full read and write of the output
        layer, a quarter of a batch-1 EdiT5 call at T5-small size
        (docs/algorithms.md#precomputed-output-layer). Make it again after the weights change."""
        if self.lm_head is None:
            return None
        return ops.cast(ops.transpose(self.lm_head.kernel), self.compute_dtype)

    def decode_step(self, token, cache: dict, index):
        """token int [b, 1] at position `index` (scalar int tensor; position 0 takes the start id)
        -> (logits float32 [b, vocab_size] for position index + 1's token, updated cache)."""
        hidden, cache = self.decoder.step(self.shared(token), cache, index)
        return self.step_logits(hidden[:, 0, :], cache), cache

    def step_logits(self, hidden, cache: dict):
        """A decoding step's output [b, d_model] -> logits float32 [b, vocab_size], through the
        cache's transposed lm_head when there is one (`init_cache`)."""
        if "lm_head_by_vocab" in cache:
            logits = ops.matmul(hidden, ops.transpose(cache["lm_head_by_vocab"]))
            return ops.cast(logits, "float32")
        return self.project_to_vocab(hidden)

    def output_rows(self, ids):
        """The output layer at ids int [V_s] only, as rows [V_s, d_model] (compute dtype):
        `hidden @ rows^T` equals `project_to_vocab(hidden)[..., ids]` (the tied layer's scale
        included). For decoders that only ever emit those ids (EdiT5's insertion vocabulary)."""
        ids = ops.convert_to_tensor(ids, "int32")
        if self.lm_head is not None:
            rows = ops.take(ops.transpose(self.lm_head.kernel), ids, axis=0)
        else:
            rows = ops.take(self.shared.embeddings, ids, axis=0) * self.config.d_model**-0.5
        return ops.cast(rows, self.compute_dtype)

    def reorder_cache(self, cache: dict, indices) -> dict:
        """Beam search's reordering: row r of the result is row indices[r] (int [b]) of the
        self-attention caches. Cross-attention entries are left as they are: beam search only
        moves rows between the beams of one example, whose encoder entries are equal."""
        reordered = dict(cache)
        for key in ("self_key", "self_value"):
            reordered[key] = [ops.take(entry, indices, axis=0) for entry in cache[key]]
        return reordered

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable,
                "dtype": keras.dtype_policies.serialize(self.dtype_policy),
                "config": self.config.to_dict()}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        t5_config = T5Config(**config.pop("config"))
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
        return cls(t5_config, **config)
