#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Print one table from the kunit.py --json results of each run, and fail
# if a run failed or crashed, lacks a suite of the manifest or has fewer
# cases than it says, skipped a case the manifest does not allow to skip
# there, ran on one CPU, has a report in its console (reports.py), lacks
# the report a case causes on purpose, or has a warning in a file of the
# series in its build log.
#
# Usage: summary.py [--filtered] [--series-files FILE] RESULTS_DIR NAME...
# NAME is an arch, or <arch>-debug for its debug kernel. RESULTS_DIR holds
# <name>.json (kunit.py --json), <name>.time ("<kunit.py exit code>
# <seconds>"), <name>.console (the guest's whole console) and <name>.log
# (kunit.py's output, the build's warnings among it). --filtered: the run
# was given a filter glob, so the manifest's suites and counts are not
# required. FILE lists the kernel files of the series, one a line.

import argparse
import json
import os
import sys

import reports


def leaves(group, path=()):
    """Yield (path, status) for every leaf result of a KernelCI group; a
    parameterised case is a group of its parameters."""
    for case in group.get('test_cases', []):
        yield path + (case['name'],), case['status']
    for sub in group.get('sub_groups', []):
        yield from leaves(sub, path + (sub['name'],))


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return None


def check_run(name, results, manifest, series_files, filtered):
    """One row of the table and the problems of run @name."""
    problems = []
    row = {'name': name, 'cpus': '-', 'pass': '-', 'fail': '-', 'skip': '-',
           'secs': '?', 'suites': '', 'kernel': ''}
    rc = '?'
    time = read(os.path.join(results, name + '.time'))
    if time:
        rc, row['secs'] = time.split()
    if rc != '0':
        problems.append('kunit.py exited %s' % rc)

    log = read(os.path.join(results, name + '.log'))
    if log is None:
        problems.append('no build log')
    else:
        for pattern, line in reports.build_warnings(log, series_files):
            problems.append('build (%s): %s' % (pattern, line))

    try:
        tree = json.loads(read(os.path.join(results, name + '.json')) or '')
    except ValueError:
        problems.append('no results (build or boot failed: see %s.log)' % name)
        return row, problems

    console = reports.read_console(os.path.join(results, name + '.console'))
    if console is None:
        problems.append('no console log')
        console = reports.Console('')
    row['cpus'] = console.cpus
    if console.cpus < 2:
        problems.append('the guest ran on %d CPU' % console.cpus)

    counts = {'pfn_vec': {'PASS': 0, 'FAIL': 0, 'SKIP': 0, 'ERROR': 0},
              'kernel': {'PASS': 0, 'FAIL': 0, 'SKIP': 0, 'ERROR': 0}}
    suites = {}
    ran = set()
    for path, status in leaves(tree):
        suite, case = path[0], '.'.join(path)
        kind = 'kernel' if manifest.kernel_suite(suite) else 'pfn_vec'
        counts[kind][status] = counts[kind].get(status, 0) + 1
        suites[suite] = suites.get(suite, 0) + 1
        ran.update('.'.join(path[:i]) for i in range(1, len(path) + 1))
        if status in ('FAIL', 'ERROR'):
            problems.append('%s: %s' % (status, case))
        elif status == 'SKIP':
            reason = console.skips.get(case)
            if reason is None:
                problems.append('SKIP %s: no skip line in the console' % case)
            elif not manifest.skip_allowed(name, case, reason):
                problems.append('SKIP %s not allowed by the manifest: %s'
                                % (case, reason))

    for suite, minimum in sorted(manifest.required(name).items()):
        if filtered:
            continue
        if suite not in suites:
            problems.append('suite %s did not run' % suite)
        elif suites[suite] < minimum:
            problems.append('suite %s ran %d cases, fewer than the %d of '
                            'the manifest' % (suite, suites[suite], minimum))
    if not any(not manifest.kernel_suite(s) for s in suites):
        problems.append('no pfn_vec case ran')

    for kind, line in [(p, '%s (in %s)' % (t, c or 'no case'))
                       for p, c, t in console.reports]:
        problems.append('console (%s): %s' % (kind, line))
    for case in console.missing_expected(ran):
        problems.append('console: %s ran without the warning it causes on '
                        'purpose' % case)
    if console.leaks:
        row['kernel'] += ' [kmemleak: %d suspect(s)]' % console.leaks

    ours = counts['pfn_vec']
    row['pass'] = ours['PASS']
    row['fail'] = ours['FAIL'] + ours['ERROR']
    row['skip'] = ours['SKIP']
    row['suites'] = ', '.join('%s(%d)' % (s, suites[s]) for s in sorted(suites)
                              if not manifest.kernel_suite(s))
    row['kernel'] = ', '.join('%s(%d)' % (s, suites[s]) for s in sorted(suites)
                              if manifest.kernel_suite(s)) + row['kernel']
    row['counts'] = counts
    return row, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--filtered', action='store_true')
    ap.add_argument('--series-files')
    ap.add_argument('results')
    ap.add_argument('names', nargs='+')
    args = ap.parse_args()

    manifest = reports.Manifest()
    series_files = []
    if args.series_files:
        with open(args.series_files) as f:
            series_files = f.read().split()

    rows, problems = [], []
    totals = {'pfn_vec': [0, 0, 0], 'kernel': [0, 0, 0]}
    for name in args.names:
        row, found = check_run(name, args.results, manifest, series_files,
                               args.filtered)
        rows.append(row)
        problems += ['%s: %s' % (name, p) for p in found]
        for kind, c in row.get('counts', {}).items():
            totals[kind][0] += c['PASS']
            totals[kind][1] += c['FAIL'] + c['ERROR']
            totals[kind][2] += c['SKIP']

    fmt = '%-13s %4s %7s %7s %8s %8s  %s'
    print(fmt % ('arch', 'cpus', 'passed', 'failed', 'skipped', 'seconds',
                 'pfn_vec suites (cases) | kernel suites'))
    for r in rows:
        print(fmt % (r['name'], r['cpus'], r['pass'], r['fail'], r['skip'],
                     r['secs'], r['suites'] + ' | ' + r['kernel']))
    if args.filtered:
        print('(a filter was given: the manifest\'s suites and counts were '
              'not required)')
    print('kernel suites: %d passed, %d failed, %d skipped'
          % tuple(totals['kernel']))
    for p in problems:
        print('problem: ' + p)
    print('pfn_vec: %d passed, %d failed, %d skipped'
          % tuple(totals['pfn_vec']))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
