"""Child process that executes one notebook with papermill (see :mod:`trustlab.runner`).

Run as ``python -m trustlab._execute SPEC.json``. It lives in its own process group so that the
parent can enforce a whole-notebook timeout by killing it together with its kernel.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(spec_path: str) -> int:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    try:
        papermill.execute_notebook(
            spec["input"],
            spec["output"],
            parameters=spec["parameters"],
            kernel_name=spec["kernel_name"],
            progress_bar=spec["progress"],
            cwd=spec["cwd"],
            execution_timeout=spec.get("cell_timeout"),
        )
    except PapermillExecutionError as exc:
        print(f"cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
