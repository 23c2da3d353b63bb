#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Collect the results that mm/pfn_vec_bench.c and block/blk-pfn-vec-bench.c
# log into the guest's console (kunit.py keeps it as <build_dir>/test.log)
# from cases named pfn_vec_bench_*, print them as a table and write them as
# JSON.
#
# Usage: bench_report.py TEST_LOG ARCH OUT.json [TREE_ID]
#
# TREE_ID (lib.sh tree_id) is recorded with the date, so that make series
# can tell whether the results belong to the tree it exports.
#
# Each result is one line, written by pfn_vec_bench_report():
#
#   bench <key> <value> rounds=<n> min=<min> max=<max>
#
# <value> is the median of the ratios of <n> rounds, <min> and <max> the
# least and greatest of them. The JSON keeps the flat form that make series
# reads, with the rounds and the spread beside it, keyed alike:
#
#   {"arch": "x86_64", "date": "2026-12-05", "tree": "0123456789ab",
#    "accessor_ram_ratio": 1.02, ...,
#    "rounds": {"accessor_ram_ratio": 7, ...},
#    "spread": {"accessor_ram_ratio": [0.98, 1.05], ...},
#    "copy_from_ratio_64k": 1.1, ...,
#    "copy_from_ratio": {"4k": ..., "64k": 1.1, "1024k": ...}, ...}
#
# Per-size keys, such as copy_from_ratio_64k, appear both as themselves
# (with their rounds and spread under that name) and grouped under their
# base key, by size. A line without rounds=, from a kernel older than
# this format, is refused: its value is not a median of rounds.

import datetime
import json
import re
import sys

BENCH = re.compile(r'# pfn_vec_bench_\w+: bench (\w+) ([0-9.]+)((?: \w+=[0-9.]+)*)$')
NOTE = re.compile(r'# (pfn_vec_bench_\w+): (.*)$')


def main():
    log, arch, out = sys.argv[1:4]
    results, rounds, spread = {}, {}, {}
    notes = []
    bad = []
    with open(log, errors='replace') as f:
        for line in f:
            line = line.rstrip('\r\n')
            m = BENCH.search(line)
            if m:
                key = m.group(1)
                fields = dict(kv.split('=') for kv in m.group(3).split())
                if 'rounds' not in fields:
                    bad.append(key)
                    continue
                results[key] = float(m.group(2))
                rounds[key] = int(fields['rounds'])
                if 'min' in fields and 'max' in fields:
                    spread[key] = [float(fields['min']), float(fields['max'])]
                continue
            m = NOTE.search(line)
            if m and not m.group(2).startswith(('pass:', 'speed:')):
                notes.append(m.group(2))
    if bad:
        print('pfn_vec: results without a round count in %s: %s'
              % (log, ' '.join(bad)), file=sys.stderr)
        return 1
    if not results:
        print('pfn_vec: no benchmark results in %s' % log, file=sys.stderr)
        return 1
    print('%s benchmark (medians of rounds measured in one boot):' % arch)
    print('  %-30s %10s %7s  %s' % ('key', 'median', 'rounds', 'min - max'))
    for key in sorted(results):
        lo, hi = spread.get(key, (None, None))
        print('  %-30s %10.3f %7d  %s' % (
            key, results[key], rounds[key],
            '-' if lo is None else '%.3f - %.3f' % (lo, hi)))
    for note in notes:
        print('  # ' + note)
    doc = {'arch': arch, **results, 'rounds': rounds, 'spread': spread,
           'date': datetime.date.today().isoformat()}
    if len(sys.argv) > 4:
        doc['tree'] = sys.argv[4]
    for key, value in results.items():
        m = re.fullmatch(r'(\w+)_(\d+k)', key)
        if m:
            doc.setdefault(m.group(1), {})[m.group(2)] = value
    with open(out, 'w') as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
