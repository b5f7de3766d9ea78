"""Generators, closures and small function calls: the interpreter's call and frame paths."""


def counter(start):
    count = start

    def step(by):
        nonlocal count
        count += by
        return count

    return step


def chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def evens(limit):
    for i in range(limit):
        if i % 2 == 0:
            yield i


def run():
    step = counter(0)
    total = 0
    for chunk in chunks((x * x for x in evens(1_200_000)), 7):
        total += step(len(chunk)) + sum(chunk) % 11
    return total
