"""Fixtures of the training tests: a tiny parallel task from files written here."""

import random

import pytest

WORDS = "the cat dog sat on a mat and ran to house big small red blue quickly slowly".split()


def write_copy_task_files(directory, train_examples=400, validation_examples=24, seed=0):
    """TSV files of a toy task: target = source capitalised with a full stop."""
    rng = random.Random(seed)

    def write(path, count):
        with open(path, "w", encoding="utf-8") as f:
            for _ in range(count):
                source = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7)))
                f.write(f"{source}\t{source.capitalize()}.\n")
        return str(path)

    return (write(directory / "train.tsv", train_examples),
            write(directory / "dev.tsv", validation_examples))


@pytest.fixture(scope="session")
def copy_task_files(tmp_path_factory):
    return write_copy_task_files(tmp_path_factory.mktemp("copy_task"))


@pytest.fixture(scope="session")
def copy_task(tiny_vocab, copy_task_files):
    """Registers the SeqIO task `toy_copy` over the files (exact match metric)."""
    from tasks.user_data import register_parallel_task

    train, validation = copy_task_files
    register_parallel_task("toy_copy", train=train, validation=validation)
    return "toy_copy"
