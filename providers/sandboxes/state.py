"""Simulator state kept in memory, or in a JSON file so a restarted demo finds its payouts."""

import json
from pathlib import Path


class JsonState:
    def __init__(self, path: str | None, initial: dict):
        self.path = Path(path) if path else None
        self.data = (
            json.loads(self.path.read_text()) if self.path and self.path.exists() else initial
        )

    def save(self) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data))
            tmp.replace(self.path)
