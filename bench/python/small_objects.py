"""Small-object-heavy: many short-lived tuples, lists, dicts, instances and strings (the allocator
and reference counting, not arithmetic)."""


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def run():
    checksum = 0
    for round_ in range(100):
        points = [Point(i, i * 2) for i in range(2_000)]
        pairs = [(p.x, p.y) for p in points]
        records = [{"id": x, "double": y, "name": str(x)} for x, y in pairs]
        index = {r["name"]: r for r in records}
        merged = [[r["id"], r["double"], len(r["name"])] for r in index.values()]
        checksum += sum(m[0] + m[1] + m[2] for m in merged) + round_
    return checksum
