"""Child process that executes one notebook with papermill and writes its report (see
:mod:`trustlab.runner`).

Run as ``python -m trustlab._execute SPEC.json``. It lives in its own process group so that the
parent can enforce a whole-notebook timeout by killing it together with its kernel, and it renders
the report itself so that parallel runs render in parallel.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# jsonschema (under nbformat) imports rfc3987_syntax when it is installed, which compiles a grammar
# for about 1.5 s at every start; its IRI format check is never used on notebooks.
sys.modules.setdefault("rfc3987_syntax", None)


def main(spec_path: str) -> int:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from trustlab.runner import finalize

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    status, error = "ok", ""
    try:
        papermill.execute_notebook(
            spec["input"],
            spec["output"],
            parameters=spec["parameters"],
            kernel_name=spec["kernel_name"],
            progress_bar=spec["progress"],
            cwd=spec["cwd"],
        )
    except PapermillExecutionError as exc:
        status, error = "failed", f"cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # a kernel that died or would not start: still leave a report
        status, error = "failed", f"{type(exc).__name__}: {exc}"
    finalize(spec, status, error, time.perf_counter() - t0)
    if error:
        print(error, file=sys.stderr)
    return 0 if status == "ok" else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
