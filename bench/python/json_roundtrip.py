"""json.dumps and json.loads of a nested document (the C accelerator is used on both sides)."""
import json

DOC = {
    "users": [
        {"id": i, "name": f"user{i}", "email": f"user{i}@example.org", "active": i % 3 == 0,
         "scores": [i * 0.5, i * 1.5, None], "tags": ["a", "b", "ü€"][: i % 4]}
        for i in range(200)
    ],
    "meta": {"version": 3, "generated": "2026-11-25T00:00:00Z"},
}


def run():
    total = 0
    for _ in range(160):
        text = json.dumps(DOC, sort_keys=True)
        total += len(json.loads(text)["users"])
    return total
