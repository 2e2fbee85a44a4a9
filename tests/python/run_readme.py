#!/usr/bin/env python3
"""Runs every ```python block of a Markdown file, as written, in a working folder.

Usage: run_readme.py README.md WORKDIR. Run by CTest (readme_examples) in a folder where the
files the examples open exist (output/sichuan_2023.h5 made by codev at a reduced scale).
Plots go to files (matplotlib's Agg backend). Exit 0 when every block ran without an error.
"""
import os
import re
import sys
import traceback

import matplotlib

matplotlib.use("Agg")


def main(markdown, workdir):
    text = open(markdown, encoding="utf-8").read()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    if not blocks:
        print(f"run_readme: no python block in {markdown}")
        return 1
    os.chdir(workdir)
    for n, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{markdown} python block {n}", "exec"), {"__name__": "__main__"})
        except Exception:  # noqa: BLE001 - any failure of an example is the failure reported
            traceback.print_exc()
            print(f"run_readme: FAILED: python block {n}:\n{block}")
            return 1
        import matplotlib.pyplot as plt
        plt.close("all")
    print(f"run_readme: {len(blocks)} python block(s) of {markdown} ran")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
