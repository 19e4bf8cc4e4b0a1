#!/usr/bin/env python3
"""Writes `magnet bench rtl --simulate ...` output into a Markdown file between two marker lines.

usage: scripts/rtl-table.py BENCH_OUTPUT DOC BEGIN_MARKER END_MARKER

The bench output's first line (its title) and its summary line ("N of M unique layers run; ...")
are left out; the table before the summary and the network's totals after it go between the
markers as a fenced block. Nothing is written unless the summary says every layer passed
bit-exact in the predicted cycles, so a failed run never replaces a good table (`make
rtl-table`, docs/rtl.md).
"""
import re
import sys


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    output, doc, begin, end = sys.argv[1:]
    lines = open(output, encoding="utf-8").read().rstrip("\n").splitlines()
    pattern = r"(\d+) of (\d+) unique layers run; (\d+) passed bit-exact in the predicted cycles under \w+"
    at = next((i for i, line in enumerate(lines) if re.fullmatch(pattern, line)), None)
    summary = lines[at] if at is not None else (lines[-1] if lines else "")
    counts = re.fullmatch(pattern, summary)
    if not counts or counts.group(1) != counts.group(3):
        print(f"error: {output}: not every layer that runs passed bit-exact ({summary!r}); {doc} left as it is",
              file=sys.stderr)
        return 1
    text = open(doc, encoding="utf-8").read()
    start, stop = text.find(begin + "\n"), text.find(end)
    if start < 0 or stop < start:
        print(f"error: {doc}: no `{begin}` line before a `{end}` line", file=sys.stderr)
        return 1
    table = "```\n" + "\n".join(lines[1:at] + lines[at + 1:]) + "\n```\n"
    text = text[: start + len(begin) + 1] + table + text[stop:]
    open(doc, "w", encoding="utf-8").write(text)
    print(f"{doc}: table of {counts.group(1)} layers written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
