"""Call-heavy: recursion, positional and keyword arguments, bound methods, a decorator, *args."""


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def clamp(value, low=0, high=100):
    return low if value < low else high if value > high else value


def traced(fn):
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


@traced
def area(width, height):
    return width * height


class Vector:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def dot(self, other):
        return self.x * other.x + self.y * other.y


def run():
    total = fib(24)
    v, w = Vector(3, 4), Vector(-2, 5)
    dot = v.dot
    for i in range(200_000):
        total += clamp(i % 150, high=120) + area(i % 7, height=3) + dot(w)
    return total
