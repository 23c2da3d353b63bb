#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Collect the "bench <key> <value>" lines that mm/pfn_vec_bench.c and
# block/blk-pfn-vec-bench.c log into the guest's console (kunit.py keeps it
# as <build_dir>/test.log) from cases named pfn_vec_bench_*, print them as
# a table and write them as JSON.
#
# Usage: bench_report.py TEST_LOG ARCH OUT.json [TREE_ID]
#
# TREE_ID (lib.sh tree_id) is recorded with the date, so that make series
# can tell whether the results belong to the tree it exports.

import datetime
import json
import re
import sys


def main():
    log, arch, out = sys.argv[1:4]
    results = {}
    notes = []
    with open(log, errors='replace') as f:
        for line in f:
            m = re.search(r'# pfn_vec_bench_\w+: bench (\w+) ([0-9.]+)$', line)
            if m:
                results[m.group(1)] = float(m.group(2))
                continue
            m = re.search(r'# (pfn_vec_bench_\w+): (.*)$', line)
            if m and not m.group(2).startswith(('pass:', 'speed:')):
                notes.append(m.group(2))
    if not results:
        print('pfn_vec: no benchmark results in %s' % log, file=sys.stderr)
        return 1
    print('%s benchmark (ratios measured in one boot):' % arch)
    for key in sorted(results):
        print('  %-30s %10.3f' % (key, results[key]))
    for note in notes:
        print('  # ' + note)
    # Per-size keys, such as copy_from_ratio_64k, are also grouped under
    # their base key: {"copy_from_ratio": {"4k": ..., "64k": ...}}.
    doc = {'arch': arch, **results,
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
