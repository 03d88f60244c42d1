"""Procedurally generated multi-step arithmetic word problems, in GSM8K's format, for
pre-training small models before GSM8K itself (task `gsm8k_synthetic`, tasks/gsm8k.py).

    problems = generate_problems(1000, seed=0)
    problems[0].question   # "Mia has 14 marbles. She buys 3 bags of 5 marbles each. ..."
    problems[0].answer     # "She buys 3*5 = <<3*5=15>>15 marbles.\\n... \\n#### 29"

Each problem comes from one of the TEMPLATES, small stories of 2 to 4 arithmetic steps (add,
take away, multiply, share equally, fractions of an amount, change from a bill, rates over days)
with names, items and numbers drawn from a seeded `random.Random`: the same (count, seed) gives
the same problems on every machine. Solutions are written like GSM8K's, one step per line with a
calculator annotation `<<expression=result>>result`, and end in `#### N`. Every intermediate and
final result is a whole number (divisions are drawn to divide exactly), so an annotation's result
is exactly what the calculator (textedit/decoding/calculator_text.py) computes (tested).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from textedit.data.readers.gsm8k_reader import GSM8KExample

NAMES = ("Mia", "Noah", "Ava", "Liam", "Zoe", "Omar", "Lena", "Ravi", "Sofia", "Jack", "Yuki",
         "Amara", "Ben", "Chloe", "Diego", "Fatima")
ITEMS = ("marbles", "stickers", "apples", "pencils", "cookies", "stamps", "shells", "cards",
         "books", "eggs", "flowers", "toy cars")
PRICED = (("notebook", "notebooks"), ("sandwich", "sandwiches"), ("ticket", "tickets"),
          ("toy", "toys"), ("pen", "pens"), ("cupcake", "cupcakes"))


def _step(text: str, expression: str, value: int) -> str:
    """One solution line: the text with `{}` replaced by `expression = <<expression=v>>v`."""
    return text.format(f"{expression} = <<{expression}={value}>>{value}")


def _buy_and_give(r: random.Random, name: str, item: str) -> tuple[str, list[str], int]:
    start, bags, per_bag = r.randint(5, 60), r.randint(2, 6), r.randint(2, 12)
    bought = bags * per_bag
    given = r.randint(1, start + bought - 1)
    left = start + bought - given
    question = (f"{name} has {start} {item}. {name} buys {bags} bags of {per_bag} {item} each, "
                f"then gives {given} {item} to a friend. How many {item} does {name} have now?")
    steps = [_step(f"{name} buys {{}} {item}.", f"{bags}*{per_bag}", bought),
             _step(f"Then {name} has {{}} {item}.", f"{start}+{bought}", start + bought),
             _step(f"After giving some away, {name} has {{}} {item}.",
                   f"{start + bought}-{given}", left)]
    return question, steps, left


def _change(r: random.Random, name: str, item: str) -> tuple[str, list[str], int]:
    singular, plural = PRICED[r.randrange(len(PRICED))]
    count, price = r.randint(2, 9), r.randint(2, 15)
    cost = count * price
    bill = next(b for b in (10, 20, 50, 100, 200) if b >= cost)
    question = (f"A {singular} costs ${price}. {name} buys {count} {plural} and pays with a "
                f"${bill} bill. How much change does {name} get, in dollars?")
    steps = [_step(f"The {plural} cost {{}} dollars.", f"{count}*{price}", cost),
             _step("The change is {} dollars.", f"{bill}-{cost}", bill - cost)]
    return question, steps, bill - cost


def _share(r: random.Random, name: str, item: str) -> tuple[str, list[str], int]:
    friends, each, kept = r.randint(2, 8), r.randint(2, 12), r.randint(1, 20)
    total = friends * each + kept
    question = (f"{name} has {total} {item}. {name} keeps {kept} and shares the rest equally "
                f"among {friends} friends. How many {item} does each friend get?")
    steps = [_step(f"{name} shares {{}} {item}.", f"{total}-{kept}", total - kept),
             _step(f"Each friend gets {{}} {item}.", f"{total - kept}/{friends}", each)]
    return question, steps, each


def _fractions(r: random.Random, name: str, item: str) -> tuple[str, list[str], int]:
    quarter = r.randint(2, 30)
    money = 8 * quarter  # half, then a quarter of the rest, stay whole
    spent_half = money // 2
    rest = money - spent_half
    spent_quarter = rest // 4
    question = (f"{name} had ${money}. {name} spent half of it on a game, then a quarter of "
                f"what was left on lunch. How many dollars does {name} have left?")
    steps = [_step("The game cost {} dollars.", f"{money}/2", spent_half),
             _step("Then {} dollars were left.", f"{money}-{spent_half}", rest),
             _step("Lunch cost {} dollars.", f"{rest}/4", spent_quarter),
             _step(f"{name} has {{}} dollars left.", f"{rest}-{spent_quarter}",
                   rest - spent_quarter)]
    return question, steps, rest - spent_quarter


def _rates(r: random.Random, name: str, item: str) -> tuple[str, list[str], int]:
    first_rate, first_days = r.randint(3, 25), r.randint(2, 7)
    second_rate, second_days = r.randint(3, 25), r.randint(2, 7)
    first, second = first_rate * first_days, second_rate * second_days
    question = (f"{name} reads {first_rate} pages a day for {first_days} days, then "
                f"{second_rate} pages a day for {second_days} days. How many pages does {name} "
                f"read in all?")
    steps = [_step("First {} pages.", f"{first_rate}*{first_days}", first),
             _step("Then {} pages.", f"{second_rate}*{second_days}", second),
             _step("In all {} pages.", f"{first}+{second}", first + second)]
    return question, steps, first + second


def _compare(r: random.Random, name: str, item: str) -> tuple[str, list[str], int]:
    other = NAMES[(NAMES.index(name) + 1 + r.randrange(len(NAMES) - 1)) % len(NAMES)]
    mine, times, fewer = r.randint(3, 20), r.randint(2, 5), r.randint(1, 10)
    theirs = mine * times - fewer
    question = (f"{name} has {mine} {item}. {other} has {fewer} fewer than {times} times as many "
                f"as {name}. How many {item} do they have together?")
    steps = [_step(f"{times} times as many is {{}}.", f"{mine}*{times}", mine * times),
             _step(f"{other} has {{}} {item}.", f"{mine * times}-{fewer}", theirs),
             _step("Together they have {}.", f"{mine}+{theirs}", mine + theirs)]
    return question, steps, mine + theirs


TEMPLATES: tuple[Callable[[random.Random, str, str], tuple[str, list[str], int]], ...] = (
    _buy_and_give, _change, _share, _fractions, _rates, _compare)


def generate_problems(count: int, seed: int = 0) -> list[GSM8KExample]:
    """`count` problems (module docstring), templates in turn, reproducible from `seed`."""
    r = random.Random(seed)
    problems = []
    for i in range(count):
        template = TEMPLATES[i % len(TEMPLATES)]
        question, steps, answer = template(r, r.choice(NAMES), r.choice(ITEMS))
        solution = "\n".join(steps) + f"\n#### {answer}"
        problems.append(GSM8KExample(question, solution, str(answer), i + 1))
    return problems
