"""The GSM8K calculator on text: evaluate `<<expression=result>>` annotations safely.

GSM8K's worked solutions mark every arithmetic step as `<<48/2=24>>24`. Cobbe et al. (2021) let a
calculator write the result whenever the model, inside an open `<<`, produces `=`: the model only
has to choose the expression. This module is the text side (pure Python, no TensorFlow):

    evaluate_expression("48/2")            -> "24"
    calculator_result("... = <<48/2=")     -> "24"     (an open annotation ending in "=")
    calculator_result("... = <<48/2=24>>") -> None     (closed: nothing to do)

`textedit/decoding/calculator.py` runs it during decoding. Expressions may use digits, ".", ",",
"+", "-", "*", "/", "//", "**", "%" and parentheses (what GSM8K's annotations contain: two of
its training annotations use "//"; powers and modulo as the OpenAI calculator's `eval` accepted);
anything else gives None, and so does a division by zero or a result beyond 1e15.
"""

from __future__ import annotations

import ast
import operator
from decimal import Decimal
from fractions import Fraction

OPEN, CLOSE, EQUALS = "<<", ">>", "="
_MAX_MAGNITUDE = Fraction(10) ** 15
_MAX_EXPONENT = 64
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
              ast.Pow: operator.pow}
_RESULT_DECIMALS = 2  # GSM8K writes non-integer results with up to 2 decimals (money) mostly


def _value(node: ast.AST) -> Fraction:
    """Exact rational value of an arithmetic AST; ValueError for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        return Fraction(Decimal(str(node.value)))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _value(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow):
            if right.denominator != 1 or abs(right) > _MAX_EXPONENT:
                raise ValueError("only small whole exponents")
            return left ** int(right)
        if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and right == 0:
            raise ValueError("division by zero")
        return _OPERATORS[type(node.op)](left, right)
    raise ValueError(f"not arithmetic: {ast.dump(node)[:60]}")


def format_result(value: Fraction, decimals: int = _RESULT_DECIMALS) -> str:
    """Integers without a decimal point; others rounded to `decimals`, trailing zeros dropped."""
    if value.denominator == 1:
        return str(value.numerator)
    rounded = round(Decimal(value.numerator) / Decimal(value.denominator), decimals)
    text = format(rounded, "f").rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def expression_value(expression: str) -> Fraction | None:
    """The exact value of an annotation's left-hand side, or None when it is not arithmetic."""
    cleaned = expression.replace(",", "").replace("$", "").strip()
    if not cleaned or len(cleaned) > 200:
        return None
    try:
        value = _value(ast.parse(cleaned, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
        return None
    return value if abs(value) <= _MAX_MAGNITUDE else None


def evaluate_expression(expression: str) -> str | None:
    """`format_result(expression_value(expression))`, or None when it cannot be evaluated."""
    value = expression_value(expression)
    return None if value is None else format_result(value)


def open_expression(text: str) -> str | None:
    """The expression of an annotation that is open and ends in `=` at the end of `text`.

    The calculator fires only there: the last `<<` has no `>>` after it and the text after it
    ends with its first `=` (so "<<2+3=5" has been answered already and gives None).
    """
    start = text.rfind(OPEN)
    if start < 0 or CLOSE in text[start:]:
        return None
    inside = text[start + len(OPEN):]
    if not inside.endswith(EQUALS) or inside.count(EQUALS) != 1:
        return None
    return inside[:-1]


def calculator_result(text: str) -> str | None:
    """The result the calculator writes after `text` (`open_expression`), or None."""
    expression = open_expression(text)
    return None if expression is None else evaluate_expression(expression)


def written_result_agrees(expression: str, written: str) -> bool:
    """True when `written` is the exact value of `expression` rounded to the decimals written:
    within half a unit of its last digit, so a solution's own rounding ("0.33" for 1/3) agrees.
    """
    value = expression_value(expression)
    if value is None:
        return False
    try:
        shown = Fraction(Decimal(written.replace(",", "").replace("$", "").strip()))
    except (ArithmeticError, ValueError):
        return False
    decimals = len(written.split(".", 1)[1]) if "." in written else 0
    return abs(value - shown) <= Fraction(1, 2 * 10 ** decimals)
