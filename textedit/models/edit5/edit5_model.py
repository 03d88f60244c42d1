"""`Edit5Model`: EdiT5 (Mallinson et al. 2022) on a T5 backbone - tag, re-order, insert.

    model = Edit5Model(Edit5Config(t5=T5Config.named("tiny", vocab_size=V, num_decoder_layers=1)))
    outputs = model(features, training=True)   # teacher forcing with gold tags and pointers
    outputs["tag_logits"]        # float32 [b, L, 2]
    outputs["pointer_logits"]    # float32 [b, L, L]  log S after Sinkhorn (rows: log-distributions)
    outputs["insertion_logits"]  # float32 [b, T, vocab]

Features (`textedit.data.edit5.edit_feature_converter.EditFeatureConverter`): `encoder_input_tokens`
[b, L] (pieces, EOS, padding 0; the EOS position is also START), `tags` [b, L] (KEEP 1 / DELETE 0,
START always KEEP, padding 0), `pointers` [b, L] (next position in output order, deleted and
padding positions point to themselves), `decoder_input_tokens` [b, T] (the insertion target
`<pos_k> span ... EOS` shifted right behind 0).

The forward pass (docs/algorithms.md#edit5-model), each stage a method that inference
(textedit.decoding.edit_inference) calls with predicted tags and order instead of the gold ones:

    h   = encoder(shared(tokens))                                  encode
    tag_logits = tagger(h)                                         tag
    h^t = FF([h ; TagEmbedding(tags)])                             condition_on_tags
    log S = Sinkhorn(mask(q(h^t) · k(h^t)))                        point
    h^f = block(h^t + PositionEmbedding(new_position) * kept)      reorder
    insertion_logits = decoder(shared(decoder_input), h^f)         decode

Deleted tokens stay in h^f (their position embedding is zero), so the decoder can read them;
padding is masked as everywhere else. The backbone is a plain `T5EncoderDecoder` (sub-layer
`backbone`), so a pre-trained T5 (e.g. span corruption, docs/algorithms.md#span-corruption)
warm-starts encoder, embeddings and decoder by copying its weights.

With an image tower (`Edit5Config.image_tower`; docs/algorithms.md#input-towers) the backbone is a
`T5WithImageTower` and the encoder runs once over [<image>] v_1 .. v_P [</image>] t_1 .. t_L.
Every text stage (tagger, tag fusion, pointer, re-order, rank_states) gets the last L positions
only (`text_part`), so image positions are never tagged or pointed to and the outputs keep their
text-only shapes. The insertion decoder cross-attends to the P + 2 image states followed by h^f
(`image_states`, passed to decode / init_cache through `insertion_context`). Without a tower the
model is exactly the text-only one (same weights and checkpoint keys).
"""

from __future__ import annotations

import keras
from keras import ops

from textedit.models.edit5.edit5_config import Edit5Config
from textedit.models.edit5.pointer_head import PointerHead, chain_positions
from textedit.models.edit5.tagger_head import TagFusion, TaggerHead, single_layer_encoder
from textedit.models.image_tower.image_splice import text_part
from textedit.models.image_tower.t5_with_image_tower import IMAGE_FEATURE, T5WithImageTower
from textedit.models.t5.t5_encoder_decoder import T5EncoderDecoder

KEEP = 1


@keras.saving.register_keras_serializable(package="textedit")
class Edit5Model(keras.Model):
    """EdiT5; every weight is created in the constructor.

    Sub-layers: `backbone` (T5EncoderDecoder: shared embedding, encoder, insertion decoder,
    lm_head; a T5WithImageTower, adding `image_tower`, `image_begin`, `image_end`, when the
    config has an image tower), `tagger` (TaggerHead), `tag_fusion` (TagFusion), `pointer`
    (PointerHead), `reorder_embedding` [max_input_length, d_model], `reorder_layer` (1-block
    T5Encoder).
    """

    def __init__(self, config: Edit5Config, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        t5, policy = config.t5, self.dtype_policy
        if config.image_tower is None:
            self.backbone = T5EncoderDecoder(t5, name="backbone", dtype=policy)
        else:
            self.backbone = T5WithImageTower(t5, config.image_tower, name="backbone",
                                             dtype=policy)
        self.tagger = TaggerHead(t5, name="tagger", dtype=policy)
        self.tag_fusion = TagFusion(t5, config.resolved_tag_embedding_dim, name="tag_fusion",
                                    dtype=policy)
        self.pointer = PointerHead(t5, config.resolved_pointer_dim, config.sinkhorn_iterations,
                                   position_bias=config.pointer_position_bias,
                                   next_position_prior=config.next_position_prior,
                                   start_prior=config.start_prior,
                                   name="pointer", dtype=policy)
        self.reorder_embedding = keras.layers.Embedding(
            config.max_input_length, t5.d_model, name="reorder_embedding", dtype=policy,
            embeddings_initializer=keras.initializers.RandomNormal(stddev=t5.d_model**-0.5))
        self.position_key = None
        if config.position_logits:
            self.position_key = keras.layers.Dense(t5.d_model, use_bias=False,
                                                   name="position_key", dtype=policy)
        self.position_input = None
        if config.position_inputs:
            self.position_input = keras.layers.Dense(t5.d_model, use_bias=False,
                                                     name="position_input", dtype=policy)
        self.position_successor = None
        if config.position_successors:
            self.position_successor = keras.layers.Dense(t5.d_model, use_bias=False,
                                                         name="position_successor", dtype=policy)
        self.build()

    def build(self, input_shape=None):
        self.tagger.build()
        self.tag_fusion.build()
        self.pointer.build()
        self.reorder_embedding.build((None, None))
        for layer in (self.position_key, self.position_input, self.position_successor):
            if layer is not None:
                layer.build((None, None, self.config.t5.d_model))
        self.reorder_layer = single_layer_encoder(self.config.t5, "reorder_layer",
                                                  self.dtype_policy)
        self.built = True

    # Stages -------------------------------------------------------------------------------------

    @property
    def has_image_tower(self) -> bool:
        return self.config.image_tower is not None

    def encode(self, encoder_input_tokens, training=False, image=None):
        """tokens int [b, L] (0 = padding), image float [b, H, W] (a tower model only)
        -> (h [b, L, d_model], token_mask bool [b, L]): the text positions only (`encode_all`
        also returns the image states the insertion decoder needs)."""
        hidden, token_mask, _ = self.encode_all(encoder_input_tokens, training, image)
        return hidden, token_mask

    def encode_all(self, encoder_input_tokens, training=False, image=None):
        """One encoder pass -> (h [b, L, d_model], token_mask bool [b, L], image_states).

        image_states: None without a tower; with one, the encoder states of the P + 2 image and
        marker positions [b, P + 2, d_model] (what the insertion decoder reads besides h^f).
        A tower model refuses to run without `image` float [b, H, W]: text alone would run
        without notice on states it was never trained on."""
        if not self.has_image_tower:
            hidden, token_mask = self.backbone.encode(encoder_input_tokens, training=training)
            return hidden, token_mask, None
        tower = self.config.image_tower
        if image is None:
            raise ValueError(
                f"this EdiT5 model has an image tower: it needs the line image float [b, "
                f"{tower.image_height}, {tower.image_width}] (features[\"{IMAGE_FEATURE}\"], "
                "or image=... in encode / edit_loop / edit_batch)")
        spliced, mask = self.backbone.encode(encoder_input_tokens, training=training,
                                             image=image)
        num_patches = tower.num_patches
        return (text_part(spliced, num_patches), text_part(mask, num_patches),
                spliced[:, :num_patches + 2])

    def tag(self, hidden, token_mask, training=False):
        """h [b, L, d_model], token_mask bool [b, L] -> tag logits float32 [b, L, 2]."""
        return self.tagger(hidden, token_mask, training=training)

    def condition_on_tags(self, hidden, tags, training=False):
        """h [b, L, d_model], tags int [b, L] -> h^t [b, L, d_model]."""
        return self.tag_fusion(hidden, tags, training=training)

    def point(self, tag_states, kept, token_mask, training=False):
        """h^t [b, L, d_model], kept bool [b, L] (START included), token_mask bool [b, L]
        -> log S float32 [b, L, L]."""
        return self.pointer(tag_states, kept, token_mask, training=training)

    def reorder(self, tag_states, new_positions, kept, token_mask, training=False):
        """h^f = block(h^t + PositionEmbedding(new_positions) * kept) [b, L, d_model].

        new_positions int [b, L]: 1 .. K along the output order (0 for START and off-chain
        positions; `chain_positions`); kept bool [b, L]: where the embedding applies (START
        included, whose position is 0); token_mask bool [b, L] masks padding keys.
        """
        positions = ops.minimum(ops.cast(new_positions, "int32"),
                                self.config.max_input_length - 1)
        embedded = self.reorder_embedding(positions)
        embedded = embedded * ops.cast(kept, embedded.dtype)[:, :, None]
        return self.reorder_layer(tag_states + embedded, token_mask, training=training)

    def rank_states(self, reordered_states, new_positions, kept):
        """h^f by output rank: row k is the re-ordered state of the k-th kept piece in output
        order (row 0: START), zero where no piece has rank k; [b, L, d_model].

        h^f [b, L, d_model]; new_positions int [b, L] (1 .. K, 0 for START and off-chain); kept
        bool [b, L] (START included). `<pos_k>` means "insert after the k-th kept piece", so
        these rows are what a position token refers to. With `position_successors` each row
        also gets the projected state of the piece after it in the source (`successor_states`).
        """
        states = reordered_states
        if self.position_successor is not None:
            states = states + self.position_successor(
                self.successor_states(reordered_states, new_positions, kept))
        length = ops.shape(states)[1]
        ranks = ops.where(kept, ops.cast(new_positions, "int32"), -1)
        one_hot = ops.one_hot(ranks, length, dtype=states.dtype)  # [b, L(src), L(k)]
        return ops.einsum("bsk,bsd->bkd", one_hot, states)

    @staticmethod
    def successor_states(reordered_states, new_positions, kept):
        """Row p: h^f of source position p + 1 (zeros past the end), except START's row (the
        kept position of rank 0, the EOS), which gets position 0; [b, L, d_model].

        A `<pos_k>` names the gap after the k-th kept piece. What sits in that gap in the source
        is the piece right after it: a deleted piece when the edit replaces words (many GEC
        edits do), otherwise the next kept word. For `<pos_0>` (after START, i.e. at the front)
        the gap is before the first source piece. Without this a position token's key holds
        only the piece it follows, and the decoder must learn from the re-order layer which
        kept piece precedes the deleted one it wants to replace.
        """
        following = ops.concatenate(
            [reordered_states[:, 1:], ops.zeros_like(reordered_states[:, :1])], axis=1)
        is_start = ops.logical_and(kept, ops.equal(ops.cast(new_positions, "int32"), 0))
        return ops.where(is_start[:, :, None], reordered_states[:, :1], following)

    def position_keys(self, reordered_states, new_positions, kept):
        """Keys of the position tokens (`position_logits`): a projection of `rank_states`,
        [b, L, d_model]. `<pos_k>`'s logit gets `decoder state · key_k / sqrt(d_model)`: every k
        is scored by the piece it follows, the way the pointer scores positions."""
        return self.position_key(self.rank_states(reordered_states, new_positions, kept))

    def position_inputs(self, reordered_states, new_positions, kept):
        """What each `<pos_k>` adds to its decoder input embedding (`position_inputs`): a
        projection of `rank_states`, [b, L, d_model]. After `<pos_k>` the decoder then reads the
        piece it inserts after from its own input, not from an input row learnt for every k."""
        return self.position_input(self.rank_states(reordered_states, new_positions, kept))

    def insertion_context(self, reordered_states, new_positions, kept,
                          image_states=None) -> dict:
        """The keyword arguments of `decode` / `init_cache` this model's options need:
        `position_keys` and/or `position_inputs` ([b, L, d_model] each), and `image_states`
        [b, P + 2, d_model] (from `encode_all`) when given; or {}."""
        context = {} if image_states is None else {"image_states": image_states}
        if self.position_key is None and self.position_input is None:
            return context
        by_rank = self.rank_states(reordered_states, new_positions, kept)  # once for both
        if self.position_key is not None:
            context["position_keys"] = self.position_key(by_rank)
        if self.position_input is not None:
            context["position_inputs"] = self.position_input(by_rank)
        return context

    def embed_insertions(self, tokens, position_inputs=None):
        """The insertion decoder's input embeddings, tokens int [b, T] -> [b, T, d_model]: the
        shared embedding, plus row k of `position_inputs` [b, L, d_model] at each `<pos_k>`
        (k < L; nothing elsewhere)."""
        embedded = self.backbone.shared(tokens)
        if position_inputs is None:
            return embedded
        length = ops.shape(position_inputs)[1]
        offsets = ops.cast(tokens, "int32") - self.config.first_position_id
        ranks = ops.where(ops.logical_and(offsets >= 0, offsets < length), offsets, -1)
        one_hot = ops.one_hot(ranks, length, dtype=embedded.dtype)  # [b, T, L], zero off <pos>
        return embedded + ops.einsum("btk,bkd->btd", one_hot,
                                     ops.cast(position_inputs, embedded.dtype))

    def _add_position_logits(self, logits, hidden, keys):
        """logits float32 [b, ..., V] + the `<pos_k>` scores of hidden [b, ..., d] against keys
        [b, L, d] (k < L), placed at ids first_position_id + k."""
        scores = ops.einsum("b...d,bkd->b...k", hidden, keys)
        scores = ops.cast(scores, "float32") * self.config.t5.d_model**-0.5
        length = ops.shape(keys)[1]
        first = self.config.first_position_id
        after = self.config.t5.vocab_size - first - length
        pad = [[0, 0]] * (len(scores.shape) - 1) + [[first, after]]
        return logits + ops.pad(scores, pad)

    def insertion_memory(self, reordered_states, token_mask, image_states=None):
        """What the insertion decoder cross-attends to: h^f [b, L, d] and token_mask [b, L];
        with a tower, concat([image_states [b, P + 2, d], h^f]) and concat([all True,
        token_mask]), [b, P + 2 + L, ...]. Only h^f is re-ordered; the image keeps its order."""
        if not self.has_image_tower:
            return reordered_states, token_mask
        if image_states is None:
            raise ValueError("this EdiT5 model has an image tower: decode / init_cache need "
                             "image_states [b, P + 2, d_model] (encode_all; insertion_context "
                             "passes them on)")
        image_states = ops.cast(image_states, reordered_states.dtype)
        image_mask = ops.ones(ops.shape(image_states)[:2], dtype="bool")
        return (ops.concatenate([image_states, reordered_states], axis=1),
                ops.concatenate([image_mask, ops.cast(token_mask, "bool")], axis=1))

    def decode(self, decoder_input_tokens, reordered_states, token_mask, training=False,
               position_keys=None, position_inputs=None, image_states=None):
        """Teacher forcing of the insertion decoder -> logits float32 [b, T, vocab]; with
        `position_keys` [b, L, d_model] (`position_logits`) the `<pos_k>` logits get their
        scores against them, with `position_inputs` [b, L, d_model] (`position_inputs`) the
        `<pos_k>` input embeddings get their rows (`insertion_context` makes both);
        `image_states` [b, P + 2, d_model]: a tower model's image part (`insertion_memory`)."""
        backbone = self.backbone
        reordered_states, token_mask = self.insertion_memory(reordered_states, token_mask,
                                                             image_states)
        if position_inputs is None:
            hidden = backbone.decode_hidden(decoder_input_tokens, reordered_states, token_mask,
                                            training)
        else:
            hidden = backbone.decoder(self.embed_insertions(decoder_input_tokens, position_inputs),
                                      reordered_states, token_mask, training=training)
        logits = backbone.project_to_vocab(hidden)
        if position_keys is None:
            return logits
        return self._add_position_logits(logits, hidden, position_keys)

    def init_cache(self, batch_size: int, max_length: int, reordered_states, token_mask,
                   position_keys=None, position_inputs=None, image_states=None) -> dict:
        """The insertion decoder's fixed-size cache over h^f [b, L, d_model] (see T5Decoder),
        plus `position_keys` / `position_inputs` [b, L, d_model] when the model uses them; a
        tower model's cross-attention also covers `image_states` [b, P + 2, d_model]."""
        memory, memory_mask = self.insertion_memory(reordered_states, token_mask, image_states)
        cache = self.backbone.init_cache(batch_size, max_length, memory, memory_mask)
        if position_keys is not None:
            cache["position_keys"] = position_keys
        if position_inputs is not None:
            cache["position_inputs"] = position_inputs
        return cache

    def decode_step(self, token, cache: dict, index):
        """token int [b, 1] at step `index` -> (logits float32 [b, vocab], updated cache).

        A cache holding `insertion_rows` [V_s, d_model] and `insertion_index` int32 [V]
        (textedit.decoding.insertion_vocabulary) scores only the listed ids; every other id
        gets UNLISTED. `insertion_rows` without an index are the whole output layer [V,
        d_model], made once (`whole_output_layer`)."""
        if not any(key in cache for key in ("position_keys", "position_inputs",
                                            "insertion_rows")):
            return self.backbone.decode_step(token, cache, index)
        backbone = self.backbone
        embedded = self.embed_insertions(token, cache.get("position_inputs"))
        hidden, cache = backbone.decoder.step(embedded, cache, index)
        hidden = hidden[:, 0, :]
        if "insertion_rows" in cache:
            logits = listed_logits(hidden, cache["insertion_rows"], cache.get("insertion_index"))
        else:
            logits = backbone.step_logits(hidden, cache)
        if "position_keys" not in cache:
            return logits, cache
        return self._add_position_logits(logits, hidden, cache["position_keys"]), cache

    # Teacher forcing ----------------------------------------------------------------------------

    def call(self, features, training=False):
        """Teacher-forced outputs from gold `tags`, `pointers` and `decoder_input_tokens`.

        Args:
          features: dict with `encoder_input_tokens` [b, L], `tags` [b, L], `pointers` [b, L],
            `decoder_input_tokens` [b, T] (module docstring), and with a tower `encoder_image`
            float [b, H, W]. Inference without gold features
            goes through `textedit.decoding.edit_inference.edit_step`.

        Returns:
          {"tag_logits": [b, L, 2], "pointer_logits": [b, L, L], "insertion_logits":
          [b, T, vocab]}, all float32.
        """
        missing = [name for name in ("encoder_input_tokens", "tags", "pointers",
                                     "decoder_input_tokens") if name not in features]
        if missing:
            raise KeyError(f"Edit5Model needs the gold features {missing} (teacher forcing); "
                           "for inference use textedit.decoding.edit_inference.edit_step")
        image = features.get(IMAGE_FEATURE) if self.has_image_tower else None
        hidden, token_mask, image_states = self.encode_all(features["encoder_input_tokens"],
                                                           training, image)
        tag_logits = self.tag(hidden, token_mask, training)
        tags = ops.cast(features["tags"], "int32")
        kept = ops.logical_and(ops.equal(tags, KEEP), token_mask)
        tag_states = self.condition_on_tags(hidden, tags, training)
        pointer_logits = self.point(tag_states, kept, token_mask, training)
        start = start_positions(token_mask)
        new_positions = chain_positions(features["pointers"], start)
        reordered = self.reorder(tag_states, new_positions, kept, token_mask, training)
        insertion_logits = self.decode(features["decoder_input_tokens"], reordered, token_mask,
                                       training,
                                       **self.insertion_context(reordered, new_positions, kept,
                                                                image_states))
        return {"tag_logits": tag_logits, "pointer_logits": pointer_logits,
                "insertion_logits": insertion_logits}

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable,
                "dtype": keras.dtype_policies.serialize(self.dtype_policy),
                "config": self.config.to_dict()}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        edit5_config = Edit5Config.from_dict(config.pop("config"))
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
        return cls(edit5_config, **config)


# The logit of an id outside an insertion vocabulary: the decoding constraints' FORBIDDEN (not
# -inf: a row of only such ids would turn into NaN).
UNLISTED = -1e9


def listed_logits(hidden, rows, index):
    """hidden [b, d_model], rows [V_s, d_model], index int32 [V] (an id's row, V_s when it is not
    listed) -> float32 [b, V]: the output layer's logits at the listed ids, UNLISTED elsewhere;
    a gather of V values per row instead of a V x d_model product. index None: the rows are
    every id in order, and their logits are returned as they are."""
    listed = ops.cast(ops.matmul(hidden, ops.transpose(ops.cast(rows, hidden.dtype))), "float32")
    if index is None:
        return listed
    unlisted = ops.full((ops.shape(listed)[0], 1), UNLISTED, dtype="float32")
    return ops.take(ops.concatenate([listed, unlisted], axis=1), index, axis=1)


def start_positions(token_mask):
    """The START (EOS) position of each row: the last unpadded one, token_mask bool [b, L]
    -> int32 [b] (0 for an all-padding row). Inputs end in EOS with padding only after it."""
    lengths = ops.sum(ops.cast(token_mask, "int32"), axis=1)
    return ops.maximum(lengths - 1, 0)
