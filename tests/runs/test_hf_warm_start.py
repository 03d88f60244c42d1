"""Warm starts from a Hugging Face T5 directory (issue 15), with nothing downloaded: a tiny random
`transformers` T5 v1.1 and a SentencePiece model trained here on the embedded sentences are saved
to a temporary directory, as `save_pretrained` + a T5 tokenizer leave one.

`textedit train` runs a seq2seq and an EdiT5 run from it (INIT_CHECKPOINT = the directory): both
tokenise with its spiece.model, keep it in their vocab/, and warm-start their backbone; the
seq2seq model as the run builds it gives transformers' logits on a batch of the run's task; the
EdiT5 position tokens are appended rows (docs/hf_warm_start.md); the edit tool and the export work
on the EdiT5 run; `textedit infer` / `eval` tokenise with the run's vocab/ copy unless --vocab_dir
says otherwise. Then the errors: no vocabulary, a vocabulary that does not fit, a config or a
model the backbone cannot take, a VOCAB_DIR that is not the checkpoint's.
"""

import dataclasses
import json
import os
import shutil

import gin
import numpy as np
import pytest
import seqio
from reference_packages import require_reference

from tasks.features import VOCABULARY
from textedit.cli.main import main as cli
from textedit.data import embedded
from textedit.data.vocab.hf_vocabulary import hf_vocabulary_manifest
from textedit.runs.init_checkpoint import load_initial_weights
from textedit.runs.run_artifacts import build_model_from_run, load_run

PIECES = 200  # SentencePiece pieces of the test vocabulary
ROWS = 384  # its 300 ids (pieces + 100 sentinels) rounded up to a multiple of 128, as T5 does
POSITIONS = 513  # <pos_0> .. <pos_512>, appended after the ROWS checkpoint rows
# The slow tests' `textedit train` runs: 3 steps of 4.
COMMON = ["--gin.TRAIN_STEPS=3", "--gin.BATCH_SIZE=4", "--gin.WARMUP_STEPS=1",
          "--gin.LOG_EVERY=1", "--gin.DROPOUT_RATE=0.0", "--gin.CHECKPOINT_EVERY=3"]


def _train_spiece(directory):
    """A T5-style SentencePiece model (pad 0, eos 1, unk 2, no bos) on the embedded sentences."""
    import sentencepiece as spm

    corpus = directory / "corpus.txt"
    corpus.write_text("\n".join(embedded.clean_sentences()) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(directory / "spiece"), vocab_size=PIECES,
        model_type="unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1, minloglevel=2)
    corpus.unlink()
    (directory / "spiece.vocab").unlink()
    return directory / "spiece.model"


@pytest.fixture(scope="module")
def hf_dir(tmp_path_factory):
    """(directory, transformers model): a tiny untied T5 v1.1, 2 + 2 layers, and its vocabulary."""
    torch = require_reference("torch")
    transformers = require_reference("transformers")
    directory = tmp_path_factory.mktemp("flan-t5-tiny")
    torch.manual_seed(0)
    config = transformers.T5Config(
        vocab_size=ROWS, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_decoder_layers=2,
        num_heads=4, relative_attention_num_buckets=8, relative_attention_max_distance=20,
        feed_forward_proj="gated-gelu", tie_word_embeddings=False, dropout_rate=0.0,
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0)
    model = transformers.T5ForConditionalGeneration(config).eval()
    with torch.no_grad():  # larger than HF's init, so that the logits differ decisively
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.5)
    model.lm_head.weight = torch.nn.Parameter(torch.randn(ROWS, 32) * 0.5)  # v1.1: its own
    model.save_pretrained(directory)
    _train_spiece(directory)
    return directory, model


def _gin_model(files: list[str], directory, configurable: str):
    """The model the gin files build with `configurable` (the CLI's MODEL), INIT_CHECKPOINT =
    directory."""
    from textedit.cli import gin_configurables
    from textedit.cli.train import configurable_train

    gin_configurables.register_training()
    configurable_train()  # the run file binds `train`
    gin.clear_config()
    try:
        gin.parse_config_files_and_bindings(
            ["gin/runs/train.gin", *files], [f"INIT_CHECKPOINT = '{directory}'"],
            finalize_config=False)
        return gin.get_configurable(configurable)()
    finally:
        gin.clear_config()


def _validation_batch(task: str, lengths: dict, converter) -> dict:
    """The first 4 validation examples of `task` as the model reads them (numpy)."""
    dataset = seqio.get_dataset(task, lengths, converter, dataset_split="validation",
                                shuffle=False, batch_size=4)
    return {k: v.numpy() for k, v in next(iter(dataset)).items()}


def _transformers_logits(reference, batch: dict) -> np.ndarray:
    import torch

    with torch.no_grad():
        return reference(
            input_ids=torch.tensor(batch["encoder_input_tokens"], dtype=torch.long),
            attention_mask=torch.tensor(batch["encoder_input_tokens"] != 0),
            decoder_input_ids=torch.tensor(batch["decoder_input_tokens"], dtype=torch.long),
        ).logits.numpy()


@pytest.fixture(scope="module")
def seq2seq_model(hf_dir):
    """(model, report): gin/models/t5_hf.gin's model, warm-started as the trainer does it."""
    model = _gin_model(["gin/models/t5_tiny.gin", "gin/models/t5_hf.gin"], hf_dir[0],
                       "t5_encoder_decoder")
    return model, load_initial_weights(hf_dir[0], model)


@pytest.fixture(scope="module")
def edit5_model(hf_dir):
    """(model, report): gin/models/edit5_hf.gin's model over edit5_tiny.gin, warm-started."""
    model = _gin_model(["gin/models/edit5_tiny.gin", "gin/models/edit5_hf.gin"], hf_dir[0],
                       "edit5_model")
    return model, load_initial_weights(hf_dir[0], model)


def test_seq2seq_warm_start_gives_transformers_logits_on_a_task_batch(hf_dir, seq2seq_model):
    directory, reference = hf_dir
    model, report = seq2seq_model
    assert model.config.vocab_size == ROWS and model.config.num_decoder_layers == 2
    assert not model.config.tie_word_embeddings and model.config.dropout_rate == 0.1
    assert report.missing == [] and report.unused == [] and report.mismatched == []
    assert len(report.loaded) == len(model.trainable_variables) == 52
    with VOCABULARY.selected(directory):  # the task as a run from this checkpoint reads it
        batch = _validation_batch("gec_embedded", {"inputs": 32, "targets": 32},
                                  seqio.EncDecFeatureConverter(pack=False))
    assert VOCABULARY.sentencepiece_model_file != str(directory / "spiece.model")  # restored
    source = embedded.embedded_pairs("validation")[0].source
    encoded = seqio.SentencePieceVocabulary(str(directory / "spiece.model"), 100).encode(source)
    shown = min(len(encoded), 31)  # the task cuts inputs to 32 ids
    assert batch["encoder_input_tokens"][0, :shown].tolist() == encoded[:shown]
    assert 0 < batch["encoder_input_tokens"].max() < PIECES
    logits = np.asarray(model({k: batch[k] for k in ("encoder_input_tokens",
                                                     "decoder_input_tokens")}))
    expected = _transformers_logits(reference, batch)
    assert logits.shape == expected.shape == (4, 32, ROWS)
    assert np.max(np.abs(logits - expected)) < 1e-4


def test_edit5_position_tokens_are_appended_rows(hf_dir, edit5_model):
    directory, reference = hf_dir
    model, report = edit5_model
    config = model.config
    assert (config.first_position_id, config.num_position_tokens) == (ROWS, POSITIONS)
    assert config.t5.vocab_size == ROWS + POSITIONS
    assert config.t5.num_decoder_layers == 1 and config.t5.d_model == 32
    manifest = hf_vocabulary_manifest(directory)
    assert (manifest.position_id(0), manifest.num_position_tokens) == (ROWS, POSITIONS)
    assert manifest.reserved_ranges()["positions"] == [ROWS, ROWS + POSITIONS]

    assert report.unused and all(k.startswith("decoder.block.1.") for k in report.unused)
    backbone = ("shared/", "encoder/", "decoder/", "lm_head/")
    assert not [k for k in report.missing if k.startswith(backbone)]
    assert {k.split("/")[0] for k in report.missing} >= {"tagger", "pointer"}
    assert f"{POSITIONS} embedding rows appended after the checkpoint's {ROWS}" in (
        report.summary())
    checkpoint = reference.shared.weight.detach().numpy()
    for rows in (model.backbone.shared.embeddings.numpy(),
                 model.backbone.lm_head.kernel.numpy().T):
        appended = rows[ROWS:]
        assert len(np.unique(appended[:, 0])) == POSITIONS  # each position token its own row
        assert abs(appended.mean() - rows[:ROWS].mean()) < 0.05
        assert 0.8 < appended.std() / rows[:ROWS].std() < 1.2
    np.testing.assert_array_equal(model.backbone.shared.embeddings.numpy()[:ROWS], checkpoint)

    # The edit task, tokenised with the checkpoint's vocabulary: <pos_k> is id ROWS + k.
    with VOCABULARY.selected(directory):
        examples = list(seqio.get_mixture_or_task("edit5_gec_embedded").get_dataset(
            None, split="validation", shuffle=False).take(8).as_numpy_iterator())
    targets = np.concatenate([e["decoder_targets"] for e in examples])
    positions = targets[targets >= PIECES + 100]
    assert positions.size and positions.min() >= ROWS and positions.max() < ROWS + POSITIONS
    assert np.concatenate([e["inputs"] for e in examples]).max() < PIECES
    for example in examples:  # <pos_k>: after the k-th kept piece (tags count START too)
        ks = example["decoder_targets"][example["decoder_targets"] >= ROWS] - ROWS
        assert (ks < example["tags"].sum()).all()


@pytest.mark.slow  # ~10 s of CPU (XLA compiles); the slow run below edits with the tool too
def test_editor_over_the_warm_started_edit5_model(hf_dir, edit5_model):
    from textedit.inference.editor import Editor

    directory, _ = hf_dir
    vocabulary = seqio.SentencePieceVocabulary(str(directory / "spiece.model"), 100)
    editor = Editor.from_model(edit5_model[0], vocabulary, max_input_length=32,
                               max_insert_length=8, batch_size=2, buckets=(32,))
    texts = ["She go to school yesterday .", ""]
    results = editor.edit(texts, explain=True)
    assert results[1].output == "" and results[0].status == "edited"
    assert "".join(results[0].pieces).replace("\u2581", " ").strip() == texts[0]
    plan = results[0].plan  # an untrained head: any tags, order and insertions, as pieces
    assert len(plan.tags) == len(results[0].pieces) and isinstance(results[0].output, str)


@pytest.fixture(scope="module")
def seq2seq_run(hf_dir, tmp_path_factory):
    directory, _ = hf_dir
    run_dir = tmp_path_factory.mktemp("seq2seq_hf") / "run"
    assert cli(["train", "--gin_file=gin/runs/train.gin", "--gin_file=gin/models/t5_tiny.gin",
                "--gin_file=gin/models/t5_hf.gin", f"--gin.INIT_CHECKPOINT='{directory}'",
                f"--gin.MODEL_DIR='{run_dir}'", "--gin.MIXTURE_OR_TASK_NAME='gec_embedded'",
                "--gin.TASK_FEATURE_LENGTHS={'inputs': 32, 'targets': 32}",
                "--gin.EVAL_MIXTURE_OR_TASK_NAMES=[]", *COMMON]) == 0
    gin.clear_config()
    return run_dir


@pytest.fixture(scope="module")
def edit5_run(hf_dir, tmp_path_factory):
    directory, _ = hf_dir
    run_dir = tmp_path_factory.mktemp("edit5_hf") / "run"
    assert cli(["train", "--gin_file=gin/experiments/edit5_gec_embedded.gin",
                "--gin_file=gin/models/edit5_hf.gin", f"--gin.INIT_CHECKPOINT='{directory}'",
                f"--gin.MODEL_DIR='{run_dir}'", "--gin.MAX_INPUT_LENGTH=64",
                "--gin.TASK_FEATURE_LENGTHS={'inputs': 32, 'decoder_targets': 16}",
                "--gin.EVAL_TASK_FEATURE_LENGTHS={'inputs': 32, 'targets': 32}",
                "--gin.MAX_EVAL_EXAMPLES=4", "--gin.EVAL_BATCH_SIZE=4", *COMMON]) == 0
    gin.clear_config()
    return run_dir


@pytest.mark.slow
def test_seq2seq_run_from_the_checkpoint(hf_dir, seq2seq_model, seq2seq_run):
    """`textedit train` with INIT_CHECKPOINT = the directory: its vocabulary in vocab/, the model
    of gin/models/t5_hf.gin in model.json, 3 steps that move the warm-started weights."""
    directory, _ = hf_dir
    spiece = (directory / "spiece.model").read_bytes()
    assert (seq2seq_run / "vocab" / "textedit.model").read_bytes() == spiece
    manifest = json.loads((seq2seq_run / "vocab" / "manifest.json").read_text())
    assert (manifest["vocab_size"], manifest["first_position_id"]) == (PIECES + 100, ROWS)
    warm, _ = seq2seq_model
    built = build_model_from_run(seq2seq_run)
    assert built.config == dataclasses.replace(warm.config, dropout_rate=0.0)
    trained = load_run(seq2seq_run)
    assert trained.step == 3 and trained.vocabulary.vocab_size == PIECES + 100
    assert not np.allclose(trained.model.lm_head.kernel.numpy(), warm.lm_head.kernel.numpy())


@pytest.mark.slow
def test_edit5_run_from_the_checkpoint_edits_and_exports(hf_dir, edit5_run, tmp_path, capsys):
    """`textedit train` of EdiT5 from the directory (evaluated on gec_embedded with its
    vocabulary), then `textedit edit` and `textedit export` on the run."""
    from textedit.inference.editor import Editor

    directory, _ = hf_dir
    manifest = json.loads((edit5_run / "vocab" / "manifest.json").read_text())
    assert manifest["first_position_id"] == ROWS and manifest["num_position_tokens"] == POSITIONS
    assert (edit5_run / "vocab" / "textedit.model").read_bytes() == (
        directory / "spiece.model").read_bytes()
    config = build_model_from_run(edit5_run).config
    assert (config.first_position_id, config.t5.vocab_size) == (ROWS, ROWS + POSITIONS)
    metrics = (edit5_run / "eval" / "gec_embedded-metrics.jsonl").read_text().splitlines()
    assert json.loads(metrics[-1])["step"] == 3

    texts = ["She go to school yesterday .", "", "I like read books ."]
    source = tmp_path / "in.txt"
    source.write_text("\n".join(texts) + "\n")
    assert cli(["edit", str(source), "--model", str(edit5_run), "--batch_size", "2",
                "--max_input_length", "32", "--max_insert_length", "8",
                "-o", str(tmp_path / "out.txt")]) == 0
    outputs = (tmp_path / "out.txt").read_text().splitlines()
    assert len(outputs) == 3 and outputs[1] == "" and outputs[0] and outputs[2]

    export = tmp_path / "export"
    capsys.readouterr()
    assert cli(["export", "--model", str(edit5_run), "--output", str(export),
                "--max_input_length", "32", "--max_insert_length", "8"]) == 0
    written = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert written["first_position_id"] == ROWS and written["num_position_tokens"] == POSITIONS
    assert Editor.load(export, batch_size=2).edit(texts) == outputs


def _infer_args(run: str, directory, checkpoint, out, *more) -> list[str]:
    """`textedit infer` / `eval` (`run`) of `checkpoint` on 4 gec_embedded examples, with the
    model files of the seq2seq run (t5_hf.gin reads the shapes of the T5 in `directory`)."""
    return [run, "--gin_file=gin/models/t5_tiny.gin", "--gin_file=gin/models/t5_hf.gin",
            f"--gin.INIT_CHECKPOINT='{directory}'", f"--gin.CHECKPOINT_PATH='{checkpoint}'",
            f"--gin.OUTPUT_DIR='{out}'",
            "--gin.MIXTURE_OR_TASK_NAME='gec_embedded'", "--gin.MAX_EXAMPLES=4",
            "--gin.TASK_FEATURE_LENGTHS={'inputs': 32, 'targets': 32}", *more]


def test_infer_and_eval_tokenise_with_the_runs_vocabulary(hf_dir, tiny_vocab, tmp_path,
                                                          monkeypatch, capsys):
    """Without --vocab_dir / $TEXTEDIT_VOCAB_DIR, `textedit infer` and `eval` tokenise every task
    with CHECKPOINT_PATH's <run>/vocab (any of its three forms); a given vocabulary wins, with a
    warning when it is not the run's. The decoding itself is replaced by a probe (the slow test
    below decodes for real)."""
    from textedit.cli import infer
    from textedit.runs.run_artifacts import copy_vocabulary

    directory = hf_dir[0]
    run_dir = tmp_path / "run"
    copy_vocabulary(run_dir, directory)  # vocab/ as `textedit train` leaves it for this run
    sentence = "She go to school yesterday ."
    expected = seqio.SentencePieceVocabulary(str(directory / "spiece.model"), 100).encode(sentence)
    seen = []

    def probe(checkpoint, mixture_or_task_name, *args):
        vocabulary = seqio.get_mixture_or_task(mixture_or_task_name).output_features[
            "inputs"].vocabulary
        seen.append((checkpoint, vocabulary.sentencepiece_model_file,
                     vocabulary.encode(sentence)))
        return {}

    monkeypatch.setattr(infer, "infer_with_vocabulary", probe)
    given = os.environ["TEXTEDIT_VOCAB_DIR"]  # conftest's: the tiny project vocabulary
    before = VOCABULARY.sentencepiece_model_file
    monkeypatch.delenv("TEXTEDIT_VOCAB_DIR")
    run_file = str(run_dir / "vocab" / "textedit.model")
    for command, checkpoint in (("infer", run_dir / "checkpoints" / "ckpt-3"),
                                ("eval", run_dir), ("infer", run_dir / "checkpoints")):
        gin.clear_config()
        capsys.readouterr()
        assert cli(_infer_args(command, directory, checkpoint, tmp_path / "out")) == 0
        assert seen[-1] == (str(checkpoint), run_file, expected)
        assert f"tokenised with {run_file} (the run's own copy)" in capsys.readouterr().out
        assert VOCABULARY.sentencepiece_model_file == before  # restored after the command

    gin.clear_config()  # --vocab_dir the checkpoint itself: the same model file, no warning
    assert cli(_infer_args("infer", directory, run_dir, tmp_path / "out",
                           "--vocab_dir", str(directory))) == 0
    assert seen[-1] == (str(run_dir), str(directory / "spiece.model"), expected)
    assert "warning" not in capsys.readouterr().out

    gin.clear_config()  # another vocabulary: used as asked, and named in a warning
    monkeypatch.setenv("TEXTEDIT_VOCAB_DIR", given)
    assert cli(_infer_args("eval", directory, run_dir, tmp_path / "out")) == 0
    gin.clear_config()
    assert seen[-1][1] == os.path.join(given, "textedit.model") != run_file
    assert seen[-1][2] != expected
    out = capsys.readouterr().out
    assert "warning: the tasks are tokenised with" in out
    assert f"not the vocabulary the run was trained with ({run_file})" in out


@pytest.mark.slow
def test_infer_on_the_run_decodes_with_its_vocabulary(hf_dir, seq2seq_run, tmp_path,
                                                      monkeypatch, capsys):
    """`textedit infer` on the seq2seq run with no vocabulary given predicts what it predicts with
    --vocab_dir = the checkpoint (the vocabulary it was trained with)."""
    directory = hf_dir[0]
    monkeypatch.delenv("TEXTEDIT_VOCAB_DIR")
    predictions = []
    for name, more in (("default", []), ("given", ["--vocab_dir", str(directory)])):
        gin.clear_config()
        assert cli(_infer_args("infer", directory, seq2seq_run, tmp_path / name, *more)) == 0
        predictions.append((tmp_path / name / "gec_embedded-validation-3.txt").read_text())
    gin.clear_config()
    assert "(the run's own copy)" in capsys.readouterr().out
    assert len(predictions[0].splitlines()) == 4 and predictions[0] == predictions[1]


def _copy(directory, target):
    shutil.copytree(directory, target)
    return target


def test_a_directory_without_spiece_model_is_named(hf_dir, tmp_path):
    directory = _copy(hf_dir[0], tmp_path / "ckpt")
    (directory / "spiece.model").unlink()
    (directory / "tokenizer.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match=r"no vocabulary: spiece.model missing; it has "
                                                r"tokenizer.json, which is not a SentencePiece"):
        hf_vocabulary_manifest(directory)
    from textedit.models import T5Config, T5EncoderDecoder

    model = T5EncoderDecoder(T5Config.named("tiny", vocab_size=ROWS))
    with pytest.raises(FileNotFoundError, match="spiece.model missing"):
        load_initial_weights(directory, model)


def test_a_vocabulary_that_does_not_fit_the_embedding_is_named(hf_dir, tmp_path):
    directory = _copy(hf_dir[0], tmp_path / "ckpt")
    config = json.loads((directory / "config.json").read_text())
    (directory / "config.json").write_text(json.dumps({**config, "vocab_size": 1024}))
    with pytest.raises(ValueError, match=r"200 pieces \+ 100 sentinels = 300 ids do not match "
                                         r"the 1024 embedding rows"):
        hf_vocabulary_manifest(directory)


def test_a_config_the_backbone_cannot_express_is_named(hf_dir, tmp_path):
    from textedit.models import T5Config, T5EncoderDecoder
    from textedit.models.t5.hf_t5_config_reader import read_hf_t5_config

    directory = _copy(hf_dir[0], tmp_path / "ckpt")
    config = json.loads((directory / "config.json").read_text())
    (directory / "config.json").write_text(json.dumps({**config,
                                                       "feed_forward_proj": "gated-silu"}))
    with pytest.raises(ValueError, match=r"config.json: feed_forward_proj 'gated-silu' cannot "
                                         r"be expressed by this T5 backbone"):
        read_hf_t5_config(directory)
    (directory / "config.json").write_text(json.dumps({**config, "model_type": "umt5"}))
    with pytest.raises(ValueError, match="model_type 'umt5' cannot be expressed"):
        load_initial_weights(directory, T5EncoderDecoder(T5Config.named("tiny")))
    # A model not built from the checkpoint's config.json: every differing field is named.
    wider = T5EncoderDecoder(T5Config.named("tiny", vocab_size=ROWS, d_model=64))
    with pytest.raises(ValueError, match=r"d_model: checkpoint 32, model 64(.|\n)*"
                                         r"relative_attention_num_buckets: checkpoint 8"):
        load_initial_weights(hf_dir[0], wider)


def test_vocab_dir_must_be_the_checkpoints(hf_dir, tiny_vocab):
    """INIT_CHECKPOINT's vocabulary for the run, then the previous one; --vocab_dir (get_vocabulary,
    read_manifest) takes a checkpoint directory too; another VOCAB_DIR is refused."""
    from textedit.cli.run_vocabulary import run_vocabulary
    from textedit.data.vocab.vocabulary import get_vocabulary, read_manifest

    assert get_vocabulary(hf_dir[0]).vocab_size == PIECES + 100
    assert read_manifest(hf_dir[0]).position_id(5) == ROWS + 5

    before = VOCABULARY.sentencepiece_model_file
    with run_vocabulary(None, hf_dir[0]) as model_file:
        assert model_file == hf_dir[0] / "spiece.model"
        assert VOCABULARY.vocab_size == PIECES + 100
    assert VOCABULARY.sentencepiece_model_file == before
    with pytest.raises(SystemExit, match="VOCAB_DIR .* tokenises with .*textedit.model"):
        with run_vocabulary(os.environ["TEXTEDIT_VOCAB_DIR"], hf_dir[0]):
            pass
    assert VOCABULARY.sentencepiece_model_file == before
