#!/usr/bin/env python3
"""Per-bit register figures from a Liberty library (docs/technology.md, "Registers").

Usage: register_figures.py LIBRARY.lib[.gz]

Reads DFF_X1 and MUX2_X1 (NanGate 45 nm Open Cell Library names) and prints, at the library's
supply, the energy of writing one bit of a clock-gated register (clocked only when written: the
clock, data in, data out driving one load), of clocking a free-running flip-flop for one cycle
(its clock pin, data unchanged), of one 2:1 multiplexer level of a register-file read, their
areas and leakage. Internal-power tables
are read at one input transition and one output load, stated below; the load's own switching
(C*V^2/2 per transition) is added to each output transition. Data toggle with probability
ALPHA on each access.
"""
import gzip
import re
import sys

ALPHA = 0.5           # probability that a bit changes on an access
SLEW_INDEX = 3        # 0-based: the 4th input transition of the tables (0.041 ns in NanGate45)
LOAD_INDEX = 2        # 0-based: the 3rd output load (3.78 fF in NanGate45)


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as handle:
        return handle.read()


def closing(text, i):
    """The index of the brace that closes the one at text[i]."""
    depth = 0
    while True:
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1


def cell(text, name):
    start = text.index(f"cell ({name})")
    return text[start:closing(text, text.index("{", start)) + 1]


def groups(text, keyword):
    """Every `keyword (...) { ... }` group in text, as strings."""
    out, pos = [], 0
    pattern = re.compile(keyword + r"\s*\([^)]*\)\s*\{")
    while True:
        match = pattern.search(text, pos)
        if not match:
            return out
        i = closing(text, match.end() - 1)
        out.append(text[match.start():i + 1])
        pos = i + 1


def table_value(group, kind, two_dimensional):
    """The rise_power or fall_power value at (SLEW_INDEX[, LOAD_INDEX]); 0 for a scalar 0."""
    tables = groups(group, kind)
    if not tables:
        return 0.0
    rows = re.findall(r'"([^"]*)"', tables[0].split("values", 1)[1])
    values = [[float(x) for x in row.split(",")] for row in rows]
    if len(values) == 1 and len(values[0]) == 1:
        return values[0][0]
    if two_dimensional:
        return values[SLEW_INDEX][LOAD_INDEX]
    return values[0][SLEW_INDEX]


def pin(cell_text, name):
    return [g for g in groups(cell_text, "pin") if g.startswith(f"pin ({name})")][0]


def internal(pin_text, two_dimensional):
    """(when, related_pin, rise, fall) of each internal_power group of a pin."""
    out = []
    for group in groups(pin_text, "internal_power"):
        when = re.search(r'when\s*:\s*"([^"]*)"', group)
        related = re.search(r'related_pin\s*:\s*"([^"]*)"', group)
        out.append((when.group(1) if when else "", related.group(1) if related else "",
                    table_value(group, "rise_power", two_dimensional), table_value(group, "fall_power", two_dimensional)))
    return out


def number(text, key):
    return float(re.search(key + r"\s*:\s*([0-9.eE+-]+)", text).group(1))


def main(path):
    text = read(path)
    volts = number(text, "nom_voltage")
    dff, mux = cell(text, "DFF_X1"), cell(text, "MUX2_X1")
    # The output load: LOAD_INDEX of the Q pin's power tables (capacitance in fF).
    q_power = groups(pin(dff, "Q"), "internal_power")[0]
    index = re.search(r'index_2\s*\("([^"]*)"\)', q_power).group(1).split(",")
    load_fF = float(index[LOAD_INDEX])
    load_fJ = 0.5 * load_fF * volts * volts      # switching the output load, per transition
    # Clock pin: rise + fall per cycle, with the data unchanged (D == Q) and captured (D != Q).
    clock = internal(pin(dff, "CK"), two_dimensional=False)
    unchanged = [r + f for when, _, r, f in clock if when in ("!D & !Q & QN", "D & Q & !QN")]
    captured = [r + f for when, _, r, f in clock if when in ("!D & Q & !QN", "D & !Q & QN")]
    # Data pin: one transition while the clock is low.
    data = [(r + f) / 2 for when, _, r, f in internal(pin(dff, "D"), two_dimensional=False)
            if when.startswith("!CK")]
    # Output: one transition of Q after the clock edge, driving the load.
    q = [(r + f) / 2 for _, related, r, f in internal(pin(dff, "Q"), two_dimensional=True) if related == "CK"]
    clock_unchanged = sum(unchanged) / len(unchanged)
    clock_captured = sum(captured) / len(captured)
    data_in = sum(data) / len(data)
    q_out = sum(q) / len(q) + load_fJ
    # A register written with an enable is clock-gated by standard flows: clocked on its writes
    # only, capturing new data on the accesses whose data change.
    write = (1 - ALPHA) * clock_unchanged + ALPHA * (clock_captured + q_out + data_in)
    # A mux level: one output transition from a data input (A or B), driving the load.
    z = [(r + f) / 2 for _, related, r, f in internal(pin(mux, "Z"), two_dimensional=True) if related in ("A", "B")]
    mux_level = ALPHA * (sum(z) / len(z) + load_fJ)

    print(f"library supply {volts} V; input transition index {SLEW_INDEX}, load {load_fF} fF "
          f"({load_fJ:.3f} fJ per output transition); alpha {ALPHA}")
    print(f"DFF_X1 clock, data unchanged {clock_unchanged:.3f} fJ/cycle; captured {clock_captured:.3f}; "
          f"D in {data_in:.3f} fJ; Q out with load {q_out:.3f} fJ")
    print(f"clock_fJ_per_bit_per_cycle {clock_unchanged:.3f}")
    print(f"write_fJ_per_bit {write:.3f}")
    print(f"read_fJ_per_bit_per_mux_level {mux_level:.3f}")
    print(f"flip_flop_area_um2 {number(dff, 'area'):.3f}  mux_area_um2 {number(mux, 'area'):.3f}")
    print(f"flip_flop_leakage_nW {number(dff, 'cell_leakage_power'):.3f}  "
          f"mux_leakage_nW {number(mux, 'cell_leakage_power'):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
