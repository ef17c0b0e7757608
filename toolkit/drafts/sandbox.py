"""The sandbox templates run in: Jinja's, which keeps them from Python's internals, bounded so a
template copied from someone else cannot burn the machine either.

Every operation a template performs (an operator, a call, a filter, an attribute or item, a
`range` step) counts against a budget; values and the post itself have a size cap; the render
has a deadline. Sizes are checked *before* the operations that could allocate without bound
(`'a' * 3000000000`, `9 ** 9999999`, `'x'|center(10**9)`, `'%999999999d' % 1`). Past a limit
the render stops with `TemplateLimit`, which bip reports at the template's file and line.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jinja2.sandbox import SandboxedEnvironment, safe_range

MAX_OPERATIONS = 1_000_000  # a long post from a long run takes ~50,000
MAX_SIZE = 10_000_000  # characters (or items) in one value, and in the whole post
MAX_INT_BITS = 100_000  # about 30,000 digits
RENDER_SECONDS = 10.0
SIZED = (str, bytes, list, tuple, dict, set, frozenset)
# A field width or precision of 8 digits or more (over 10**7) in a %- or {}-format string.
WIDTHS = re.compile(r"%[-#0 +]*\d*\.?\d{8,}|\{[^{}]*:[^{}]*\d{8,}[^{}]*\}")
MEMORY = 1 << 30  # bytes a render may add to the process, where the system can cap it
# str methods and filters whose number arguments are sizes to allocate ('x'.center(10**9)).
WIDE = ("center", "ljust", "rjust", "zfill", "expandtabs", "indent", "slice", "wordwrap")


class TemplateLimit(Exception):
    """A template went past one of the sandbox's bounds."""


@dataclass(frozen=True)
class Limits:
    operations: int = MAX_OPERATIONS
    size: int = MAX_SIZE
    int_bits: int = MAX_INT_BITS
    seconds: float = RENDER_SECONDS
    memory: int = MEMORY
    clock: Callable[[], float] = time.monotonic


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with an operation budget, size caps and a render deadline."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self, *args: Any, limits: Limits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or Limits()
        self.operations = 0
        self.deadline = float("inf")
        self.globals["range"] = self.bounded_range
        self.filters = {name: self.bounded(name, f) for name, f in self.filters.items()}

    # -- the render --------------------------------------------------------------------------

    def render_bounded(self, template: Any, values: dict[str, Any]) -> str:
        """The template's output, within the limits (TemplateLimit past them)."""
        self.operations = 0
        self.deadline = self.limits.clock() + self.limits.seconds
        out: list[str] = []
        total = 0
        with memory_cap(self.limits.memory):
            chunks = template.generate(**values)
            for chunk in chunks:
                total += len(chunk)
                if total > self.limits.size:  # raised where the template is, for its line
                    chunks.throw(
                        TemplateLimit(f"the post would be over {self.limits.size:,} characters")
                    )
                out.append(chunk)
                self.tick()
        return "".join(out)

    def tick(self) -> None:
        self.operations += 1
        if self.operations > self.limits.operations:
            raise TemplateLimit(
                f"more than {self.limits.operations:,} operations (a loop that runs too long?)"
            )
        if self.operations % 256 == 0 and self.limits.clock() > self.deadline:
            raise TemplateLimit(f"rendering took more than {self.limits.seconds:g} s")

    def checked(self, value: Any) -> Any:
        """`value`, if it is within the size caps."""
        if isinstance(value, SIZED) and len(value) > self.limits.size:
            raise TemplateLimit(f"a value of over {self.limits.size:,} characters or items")
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value.bit_length() > self.limits.int_bits
        ):
            raise TemplateLimit(f"a number of over {self.limits.int_bits:,} bits")
        return value

    def widths(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """A number a call would allocate by (a width, a count of parts) must be under the cap."""
        for arg in (*args, *kwargs.values()):
            if _big(arg, self.limits.size):
                raise TemplateLimit(f"{arg:,} is over the limit of {self.limits.size:,}")

    def before_call(
        self, name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """What str methods and filters of that name would allocate, checked before they do."""
        if name in WIDE:
            self.widths(args, kwargs)
        elif name in ("format", "format_map") and isinstance(value, str) and WIDTHS.search(value):
            raise TemplateLimit(f"a format width of over {self.limits.size:,}")
        elif name == "replace" and isinstance(value, str) and len(args) >= 2:
            old, new = args[0], args[1]
            if isinstance(old, str) and isinstance(new, str):
                hits = len(value) + 1 if not old else value.count(old)
                if len(value) + hits * len(new) > self.limits.size:
                    raise TemplateLimit(f"a value of over {self.limits.size:,} characters")
        elif name == "join" and isinstance(value, str) and args and isinstance(args[0], SIZED):
            if len(value) * len(args[0]) > self.limits.size:
                raise TemplateLimit(f"a value of over {self.limits.size:,} characters")

    # -- the sandbox's hooks ----------------------------------------------------------------

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        self.before_binop(operator, left, right)
        return self.checked(self.binop_table[operator](left, right))

    def before_binop(self, operator: str, left: Any, right: Any) -> None:
        cap, bits = self.limits.size, self.limits.int_bits
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
        if operator == "**" and ints and right > 0 and abs(left) > 1:
            if right * left.bit_length() > bits:
                raise TemplateLimit(f"{left} ** {right} is a number of over {bits:,} bits")
        elif operator == "*":
            if ints and left.bit_length() + right.bit_length() > bits:
                raise TemplateLimit(f"a product of over {bits:,} bits")
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, SIZED) and isinstance(times, int) and len(seq) * times > cap:
                    raise TemplateLimit(f"a repetition of over {cap:,} characters or items")
        elif operator == "+" and isinstance(left, SIZED) and isinstance(right, SIZED):
            if len(left) + len(right) > cap:
                raise TemplateLimit(f"a value of over {cap:,} characters or items")
        elif operator == "%" and isinstance(left, str):
            given = right if isinstance(right, tuple) else (right,)
            if WIDTHS.search(left) or ("*" in left and any(_big(v, cap) for v in given)):
                raise TemplateLimit(f"a format width of over {cap:,}")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.tick()
        for arg in (*args, *kwargs.values()):
            __self.checked(arg)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, SIZED):  # a method of a string or list: 'x'.center(10**9)
            __self.before_call(getattr(__obj, "__name__", ""), owner, args, kwargs)
        return __self.checked(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        if isinstance(obj, str) and attribute in ("format", "format_map") and WIDTHS.search(obj):
            raise TemplateLimit(f"a format width of over {self.limits.size:,}")
        return self.checked(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return self.checked(super().getitem(obj, argument))

    def bounded_range(self, *args: int) -> CountedRange:
        """Jinja's safe `range` (at most 100,000 numbers), each step counted."""
        return CountedRange(safe_range(*args), self.tick)

    def bounded(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """A filter, counted and size-checked; Jinja's pass_context marks are kept."""
        skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            value, rest = (args[skip], args[skip + 1 :]) if len(args) > skip else (None, ())
            self.before_call(name, value, rest, kwargs)
            return self.checked(function(*args, **kwargs))

        return wrapper


class CountedRange:
    """A range whose every step costs one operation; otherwise a range (len, [i], in)."""

    def __init__(self, numbers: range, tick: Callable[[], None]) -> None:
        self.numbers = numbers
        self.tick = tick

    def __iter__(self) -> Iterator[int]:
        for number in self.numbers:
            self.tick()
            yield number

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index: Any) -> Any:
        return self.numbers[index]

    def __contains__(self, number: object) -> bool:
        return number in self.numbers

    def __repr__(self) -> str:
        return repr(self.numbers)


def _big(value: Any, cap: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > cap


@contextmanager
def memory_cap(extra: int) -> Iterator[None]:
    """While it lasts the process may grow by `extra` bytes at most (RLIMIT_AS, on Linux): an
    allocation past that is a MemoryError for the template, not a machine swapping."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError):  # not Linux: the other limits still hold
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield  # already capped tighter
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
