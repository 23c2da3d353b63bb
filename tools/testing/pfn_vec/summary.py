#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Print one table from the kunit.py --json results of each run, and fail
# if a run failed, crashed, did not report, ran no pfn_vec case, or has a
# report of a debug option in its console log.
#
# Usage: summary.py RESULTS_DIR NAME...
# NAME is an arch, or <arch>-debug for its debug kernel. RESULTS_DIR holds
# <name>.json (kunit.py --json), <name>.time ("<kunit.py exit code>
# <seconds>") and <name>.console, the guest's whole console.

import json
import os
import re
import sys

# The first line of every report of KASAN, KFENCE, lockdep, might_sleep(),
# DEBUG_VM, a BUG(), an oops or a WARN(), as the kernel prints it.
REPORT = re.compile(r'('
                    r'BUG: |'
                    r'WARNING: |'
                    r'Oops|'
                    r'Kernel panic|'
                    r'kernel BUG at|'
                    r'general protection fault|'
                    r'Unable to handle kernel|'
                    r'Internal error:|'
                    r'inconsistent lock state|'
                    r'possible recursive locking|'
                    r'possible circular locking|'
                    r'DEBUG_LOCKS_WARN_ON|'
                    r'suspicious RCU usage|'
                    r'VM_BUG_ON|'
                    r'page dumped because|'
                    r'bad page state|'
                    r'kmemleak: .*(disabled|Cannot|failed)'
                    r')')

# kmemleak's suspects. The pfn_vec_kmemleak suite, which asks for the scan
# after every other suite, fails on those that the series' code allocated;
# the others are listed here, for whoever wants to chase them.
LEAK = re.compile(r'unreferenced object 0x')

# The one report the suites cause on purpose: pfn_vec_iter_advance() warns
# once when asked to advance past the end, and pfn_vec_test_advance_past_end
# checks that it does. Only that WARN is expected, identified by the header
# that raised it and the test it was inlined into.
EXPECTED = [
    re.compile(r'WARNING: CPU: \d+ PID: \d+ at \S*include/linux/pfn_vec\.h:\d+ '
               r'pfn_vec_test_advance_past_end\+0x'),
]


def reports(console):
    """The lines of @console that start a report, less the expected ones,
    and the number of kmemleak suspects in it."""
    found = []
    leaks = 0
    expected = [0] * len(EXPECTED)
    try:
        with open(console, errors='replace') as f:
            lines = f.read().splitlines()
    except OSError:
        return None, 0
    for line in lines:
        if LEAK.search(line):
            leaks += 1
        if not REPORT.search(line):
            continue
        for i, pattern in enumerate(EXPECTED):
            if pattern.search(line) and not expected[i]:
                expected[i] += 1
                break
        else:
            found.append(line.strip())
    return found, leaks


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
    problems = []
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
        if arch.endswith('-debug') and 'pfn_vec_kmemleak' not in suites:
            note += ' [no kmemleak scan]'
            ok = False
        found, leaks = reports(os.path.join(results, arch + '.console'))
        if leaks:
            note += ' [kmemleak: %d suspect(s) in %s.console]' % (leaks, arch)
        if found is None:
            note += ' [no console log]'
            ok = False
        elif found:
            note += ' [%d report(s) in %s.console]' % (len(found), arch)
            problems.extend('%s: %s' % (arch, line) for line in found)
            ok = False
        rows.append((arch, counts['PASS'], failed, counts['SKIP'], secs, note))
        totals[0] += counts['PASS']
        totals[1] += failed
        totals[2] += counts['SKIP']

    fmt = '%-12s %7s %7s %8s %9s  %s'
    print(fmt % ('arch', 'passed', 'failed', 'skipped', 'seconds', 'suites (cases)'))
    for row in rows:
        print(fmt % row)
    print('kunit: %d passed, %d failed, %d skipped' % tuple(totals))
    for line in problems:
        print('report: ' + line)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
