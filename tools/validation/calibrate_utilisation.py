#!/usr/bin/env python3
"""Calibrate the placement utilisation on one published chip and validate it on the other.

usage: calibrate_utilisation.py [MAGNET]   (MAGNET defaults to .build/release/magnet)

For each chip, `magnet design show EXAMPLE --json` gives the standard cells (MAC lanes,
collectors, control logic) and the area that does not depend on the utilisation (SRAM macros
and their halos). The utilisation that makes the chip's modelled area equal its published area
is cells / (published − SRAM − halos); the script applies each chip's utilisation to the other
and prints both errors (docs/validation.md, "Area terms no tool counts").
"""
import json
import subprocess
import sys

magnet = sys.argv[1] if len(sys.argv) > 1 else ".build/release/magnet"

# Published areas (mm²) with their sources (docs/validation.md).
CHIPS = [
    ("Simba", "examples/simba-like.yaml", 3.11,
     "Zimmer et al., VLSI 2019: 4.01 TOPS at 1.29 TOPS/mm²"),
    ("Eyeriss", "examples/eyeriss-like.yaml", 12.25,
     "Chen et al., ISSCC 2016 / JSSC 2017: core 3.5 mm × 3.5 mm"),
]


def split(example):
    """(standard-cell mm², fixed mm², utilisation used) of one example's elaboration."""
    report = json.loads(subprocess.check_output([magnet, "design", "show", example, "--json"]))
    # Each part of the area as (what it is, µm²): standard cells, fixed (SRAM and its halos), or
    # the placement whitespace the utilisation sets.
    parts = [("cells", report["compute"]["instances"] * report["compute"]["area_um2_per_instance"])]
    kinds = {"registers": "cells", "sram": "fixed", "logic": "cells"}
    for entry in report["levels"] + report["other_areas"]:
        kind = entry.get("technology") or entry["kind"]
        if entry["name"] == "MacroHalos":
            kind = "fixed"
        parts.append((kinds.get(kind, kind), entry["instances"] * entry["area_um2_per_instance"]))
    cells = sum(area for kind, area in parts if kind == "cells")
    fixed = sum(area for kind, area in parts if kind == "fixed")
    whitespace = sum(area for kind, area in parts if kind == "placement")
    utilisation = cells / (cells + whitespace)
    return cells / 1e6, fixed / 1e6, utilisation, report["area_mm2"]


rows = {name: (split(example), published, source) for name, example, published, source in CHIPS}
print("chip     published  modelled  cells   SRAM+halos  utilisation that fits")
for name, ((cells, fixed, used, modelled), published, source) in rows.items():
    fitted = cells / (published - fixed)
    print(f"{name:8} {published:9.3f}  {modelled:8.3f}  {cells:6.3f}  {fixed:10.3f}  {fitted:.4f}"
          f"   ({source}; tables use {used:.2f})")
print()
for calibrated, ((cells, fixed, _, _), published, _) in rows.items():
    utilisation = cells / (published - fixed)
    for validated, ((c2, f2, _, _), p2, _) in rows.items():
        if validated == calibrated:
            continue
        predicted = c2 / utilisation + f2
        print(f"calibrated on {calibrated} (utilisation {utilisation:.4f}): {validated} "
              f"{predicted:.3f} mm² against {p2} ({(predicted / p2 - 1) * 100:+.0f}%)")
