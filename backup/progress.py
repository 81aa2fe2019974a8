class ProgressBar:
    """One line per model, redrawn in place on a terminal, e.g. `interventions.intervention [#####     ] 5000/10000`."""

    WIDTH = 30

    def __init__(self, stream, enabled: bool = True):
        self.stream = stream
        self.enabled = enabled
        self.current = None
        self.interactive = enabled and hasattr(stream, "isatty") and stream.isatty()

    def update(self, name: str, done: int, total: int):
        if not self.enabled:
            return
        filled = self.WIDTH * done // total if total else self.WIDTH
        line = f"{name:40} [{'#' * filled}{' ' * (self.WIDTH - filled)}] {done}/{total}"
        if self.interactive:
            starts_a_line = self.current is not None and name != self.current
            self.stream.write(("\n" if starts_a_line else "\r") + line, ending="")
        elif done == total:
            self.stream.write(line)
        self.current = name

    def finish(self):
        if self.interactive and self.current is not None:
            self.stream.write("")
        self.current = None
