#!/usr/bin/env python3
"""Checks that two codev HDF5 files hold the same objects, bit for bit.

Usage: same_h5.py A.h5 B.h5. Run by tests/test_mpi.cpp. Walks both files and requires the same
groups and datasets (names, dtypes, shapes, raw bytes: NaN equals NaN when its bits do) and the
same attributes on every object, dimension-scale references compared by the name they point to.
The root attributes `creation_time`, `command_line` and `history` (which holds both) are allowed
to differ. Exit 0 when all
hold; otherwise prints every difference and exits 1.
"""
import sys

import h5py
import numpy as np

ALLOWED = {("/", "creation_time"), ("/", "command_line"), ("/", "history")}


def attr_value(f, value):
    """An attribute as comparable Python data: references become the paths they point to."""
    if isinstance(value, h5py.Reference):
        return f[value].name if value else None
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return [attr_value(f, v) for v in value.ravel().tolist()]
        if value.dtype.names:  # compound, e.g. a dimension scale's REFERENCE_LIST
            return [tuple(attr_value(f, x) for x in record) for record in value.ravel().tolist()]
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (np.generic,)):
        return (value.dtype.str, value.tobytes())
    return value


def describe(path):
    f = h5py.File(path, "r")
    objects = {}

    def visit(name, obj):
        objects["/" + name] = obj

    objects["/"] = f["/"]
    f.visititems(visit)
    out = {}
    for name, obj in objects.items():
        attrs = {}
        for key in obj.attrs:
            if (name, key) in ALLOWED:
                continue
            attrs[key] = attr_value(f, obj.attrs[key])
        if isinstance(obj, h5py.Dataset):
            data = obj[()]
            raw = data.tobytes() if isinstance(data, np.ndarray) and data.dtype != object else repr(
                data.tolist() if isinstance(data, np.ndarray) else data)
            out[name] = ("dataset", obj.dtype.str, obj.shape, raw, attrs)
        else:
            out[name] = ("group", attrs)
    return out


def main():
    a, b = describe(sys.argv[1]), describe(sys.argv[2])
    problems = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            problems.append(f"{name}: only in {'B' if name not in a else 'A'}")
        elif a[name] != b[name]:
            problems.append(f"{name}: differs")
    for p in problems:
        print("same_h5:", p)
    print(f"same_h5: {len(a)} objects compared, {len(problems)} differences")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
