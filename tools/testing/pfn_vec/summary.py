#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Print one table from the kunit.py --json results of each arch, and fail
# if an arch failed, crashed, did not report, or ran no pfn_vec case.
#
# Usage: summary.py RESULTS_DIR ARCH...
# RESULTS_DIR holds <arch>.json (kunit.py --json) and <arch>.time
# ("<kunit.py exit code> <seconds>").

import json
import os
import sys


def leaves(group, suite=None):
    """Yield (suite, case, status) for every leaf result of a KernelCI group."""
    for case in group.get('test_cases', []):
        yield suite, case['name'], case['status']
    for sub in group.get('sub_groups', []):
        yield from leaves(sub, suite or sub['name'])


def main():
    results, arches = sys.argv[1], sys.argv[2:]
    ok = True
    rows = []
    totals = [0, 0, 0]
    for arch in arches:
        rc, secs = '?', '?'
        try:
            with open(os.path.join(results, arch + '.time')) as f:
                rc, secs = f.read().split()
        except OSError:
            pass
        try:
            with open(os.path.join(results, arch + '.json')) as f:
                tree = json.load(f)
        except (OSError, ValueError):
            rows.append((arch, '-', '-', '-', secs, 'no results (build or boot failed: see %s.log)' % arch))
            ok = False
            continue
        counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0, 'ERROR': 0}
        suites = {}
        for suite, _, status in leaves(tree):
            counts[status] = counts.get(status, 0) + 1
            suites.setdefault(suite, 0)
            suites[suite] += 1
        failed = counts['FAIL'] + counts['ERROR']
        pfn_vec = sorted(s for s in suites if s and s.startswith('pfn_vec'))
        others = sorted(s for s in suites if s and s not in pfn_vec)
        note = ', '.join('%s(%d)' % (s, suites[s]) for s in pfn_vec + others)
        if not pfn_vec:
            note = 'no pfn_vec suite ran'
            ok = False
        if failed or rc != '0':
            ok = False
            if rc != '0':
                note += ' [kunit.py exit %s]' % rc
        rows.append((arch, counts['PASS'], failed, counts['SKIP'], secs, note))
        totals[0] += counts['PASS']
        totals[1] += failed
        totals[2] += counts['SKIP']

    fmt = '%-8s %7s %7s %8s %9s  %s'
    print(fmt % ('arch', 'passed', 'failed', 'skipped', 'seconds', 'suites (cases)'))
    for row in rows:
        print(fmt % row)
    print('kunit: %d passed, %d failed, %d skipped' % tuple(totals))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
