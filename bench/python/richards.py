"""A task scheduler simulation in the style of Martin Richards' benchmark: objects, method calls, branches."""

IDLE, WORKER, HANDLER_A, HANDLER_B, DEVICE_A, DEVICE_B = range(6)


class Packet:
    __slots__ = ("link", "dest", "kind", "count", "data")

    def __init__(self, link, dest, kind):
        self.link, self.dest, self.kind, self.count, self.data = link, dest, kind, 0, [0] * 4

    def append_to(self, queue):
        self.link = None
        if queue is None:
            return self
        tail = queue
        while tail.link is not None:
            tail = tail.link
        tail.link = self
        return queue


class Task:
    def __init__(self, scheduler, ident, priority, queue):
        self.scheduler, self.ident, self.priority, self.queue = scheduler, ident, priority, queue
        self.waiting = queue is not None
        self.held = False

    def runnable(self):
        return not self.held and (self.queue is not None or not self.waiting)


class Scheduler:
    def __init__(self):
        self.tasks = {}
        self.hold_count = 0
        self.queue_count = 0

    def add(self, task):
        self.tasks[task.ident] = task

    def send(self, packet, dest):
        task = self.tasks[dest]
        self.queue_count += 1
        packet.link = None
        packet.dest = dest
        task.queue = packet.append_to(task.queue)

    def run(self, steps):
        order = sorted(self.tasks.values(), key=lambda t: -t.priority)
        for _ in range(steps):
            for task in order:
                if task.held:
                    task.held = False
                    self.hold_count += 1
                    continue
                if task.queue is not None:
                    packet = task.queue
                    task.queue = packet.link
                    packet.count += 1
                    packet.data[packet.count % 4] = task.ident
                    self.send(packet, (task.ident + 1 + packet.count % 3) % 6)
                    task.held = packet.count % 7 == 0


def run():
    scheduler = Scheduler()
    for ident in range(6):
        queue = None
        for k in range(3):
            queue = Packet(None, ident, k).append_to(queue)
        scheduler.add(Task(scheduler, ident, ident * 1000, queue))
    scheduler.run(80000)
    return scheduler.queue_count + scheduler.hold_count
