"""bench/RESULTS.md is written by several benchmarks; each owns one section and replaces only that.

A section sits between `<!-- begin NAME -->` and `<!-- end NAME -->`. Writing a section keeps every
other one (and any text outside the markers) as it is; a section not yet in the file is appended.

    from results import write_section          # from a script in bench/
    write_section("pages", markdown)

    .venv/bin/python bench/results.py load < report.md   # from a shell script
"""

import re
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# The order sections take when they are first added; existing files keep their own order.
SECTIONS = ("pages", "exports", "load")


def markers(name: str) -> tuple[str, str]:
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(f"A section name is lower-case letters, digits and dashes, not {name!r}.")
    return f"<!-- begin {name} -->", f"<!-- end {name} -->"


def replace_section(document: str, name: str, body: str) -> str:
    """The document with section `name` holding `body`: replaced if there, appended if not."""
    begin, end = markers(name)
    block = f"{begin}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    found = pattern.findall(document)
    if len(found) > 1:
        raise ValueError(f"Section {name!r} appears {len(found)} times in the results; fix the file by hand.")
    if found:
        # A function as the replacement, so backslashes in the body are kept as they are.
        return pattern.sub(lambda _match: block, document)
    return document.rstrip() + "\n\n" + block + "\n" if document.strip() else block + "\n"


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    path = Path(path)
    document = path.read_text() if path.exists() else "# Benchmark results\n"
    path.write_text(replace_section(document, name, body))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: results.py SECTION [RESULTS.md] < body.md")
    write_section(sys.argv[1], sys.stdin.read(), *(sys.argv[2:]))
