#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The harness's own test: what reports.py finds in the canned console and
# build logs of selftest/, and the manifest. No kernel, a second or so.
#
# selftest/console/NAME[-VARIANT].log is the body of one report, as the
# kernel prints it; run inside a KUnit case, it must give exactly one
# report, named NAME, placed in that case. selftest/build/NAME[-...].log
# must give exactly one warning of build pattern NAME, and clean.log none.
# Every pattern must be needed: with any one of them removed, some check
# fails (and every pattern has a log of its own).
#
# Usage: selftest.py   (make selftest)

import os
import sys

import reports

HERE = os.path.join(reports.HARNESS, 'selftest')
CASE = 'pfn_vec_core.pfn_vec_test_case'
SERIES = ['mm/pfn_vec.c', 'include/linux/pfn_vec.h', 'block/blk-pfn-vec.c']


def ktap(body, case='pfn_vec_test_case', before=''):
    """@body as the console of a run in which it happens during @case of
    pfn_vec_core, with a timestamp on every line."""
    lines = ['smp: Brought up 1 node, 2 CPUs',
             'KTAP version 1', '1..1',
             '    KTAP version 1', '    # Subtest: pfn_vec_core', '    1..2']
    lines += before.splitlines()
    lines += ['    ok 1 pfn_vec_test_before']
    lines += body.splitlines()
    lines += ['    ok 2 ' + case, 'ok 1 pfn_vec_core']
    return '\n'.join('[%5d.%06d] %s' % (1, i, l) for i, l in enumerate(lines))


def logs(kind):
    d = os.path.join(HERE, kind)
    for f in sorted(os.listdir(d)):
        with open(os.path.join(d, f)) as fh:
            yield f[:-len('.log')], fh.read()


WARN = ('------------[ cut here ]------------\n'
        'WARNING: CPU: 1 PID: 95 at include/linux/pfn_vec.h:253 '
        'pfn_vec_iter_advance+0x5d/0x90\n'
        'Modules linked in:\n'
        'Call Trace:\n <TASK>\n pfn_vec_test_advance_past_end+0xb6/0x1c0\n'
        ' </TASK>\n'
        '---[ end trace 0000000000000000 ]---\n')
PAST_END = 'pfn_vec_test_advance_past_end'
EXPECTED = 'pfn_vec_core.' + PAST_END


def console_checks(patterns):
    """(name, ok, what) for every console check, with @patterns."""
    def run(text):
        return reports.Console(text, patterns)

    for name, body in logs('console'):
        want = name.split('-')[0]
        got = [(p, c) for p, c, _ in run(ktap(body)).reports]
        yield name, got == [(want, CASE)], 'want [(%r, %r)], got %r' % (want, CASE, got)

    c = run(ktap(WARN, PAST_END))
    yield 'expected warning', (not c.reports and not c.missing_expected({EXPECTED})), \
        'reports %r, missing %r' % (c.reports, c.missing_expected({EXPECTED}))
    c = run(ktap('', PAST_END))
    yield 'expected warning missing', c.missing_expected({EXPECTED}) == [EXPECTED], \
        'missing %r' % c.missing_expected({EXPECTED})
    c = run(ktap('', 'pfn_vec_test_other'))
    yield 'expected warning of a case that did not run', \
        c.missing_expected({'pfn_vec_core.pfn_vec_test_other'}) == [], ''
    c = run(ktap(WARN))
    got = [(p, t) for p, t, _ in c.reports]
    yield 'expected warning in another case', got == [('warning', CASE)], repr(got)
    c = run(ktap(WARN, PAST_END, before=WARN))
    got = [(p, t) for p, t, _ in c.reports]
    yield 'expected warning, one case early', \
        got == [('warning', 'pfn_vec_core.pfn_vec_test_before')], repr(got)
    c = run(ktap(WARN + WARN, PAST_END))
    got = [(p, t) for p, t, _ in c.reports]
    yield 'expected warning twice', got == [('warning', EXPECTED)], repr(got)
    c = run(ktap(WARN + 'Call Trace:\n dump_stack_lvl+0x5d/0x80\n', PAST_END))
    got = [(p, t) for p, t, _ in c.reports]
    yield 'a stack dump after the expected warning', \
        got == [('call_trace', EXPECTED)], repr(got)

    c = run(ktap('') + '\n' + 'BUG: KASAN: use-after-free in pfn_vec_x\n')
    got = [(p, t) for p, t, _ in c.reports]
    yield 'a report after the last case', got == [('bug', None)], repr(got)


def ktap_checks():
    """The KTAP walk: skip reasons of cases and parameters, the CPU count."""
    text = '\n'.join([
        '[    0.100000] smp: Brought up 1 node, 2 CPUs',
        '[    1.000000] KTAP version 1',
        '[    1.000000] 1..1',
        '[    1.000000]     KTAP version 1',
        '[    1.000000]     # Subtest: pfn_vec_region',
        '[    1.000000]     1..3',
        '[    1.000000]     ok 1 pfn_vec_region_test_map_query',
        '[    1.000000]         KTAP version 1',
        '[    1.000000]         # Subtest: pfn_vec_region_test_refusals',
        '[    1.000000]         ok 1 zero size # SKIP no I/O linear map hook',
        '[    1.000000]         ok 2 wraps',
        '[    1.000000]     ok 2 pfn_vec_region_test_refusals',
        '[    1.000000]     ok 3 pfn_vec_region_test_cycles # SKIP no I/O linear map on this machine',
        '[    1.000000] unreferenced object 0xffff888004b1e240 (size 64):',
        '[    1.000000] ok 1 pfn_vec_region',
    ])
    c = reports.Console(text)
    want = {'pfn_vec_region.pfn_vec_region_test_refusals.zero size': 'no I/O linear map hook',
            'pfn_vec_region.pfn_vec_region_test_cycles': 'no I/O linear map on this machine'}
    yield 'skip reasons', c.skips == want, repr(c.skips)
    yield 'cases', 'pfn_vec_region.pfn_vec_region_test_refusals' in c.cases and \
        'pfn_vec_region' in c.cases, repr(sorted(c.cases))
    yield 'cpus', c.cpus == 2, repr(c.cpus)
    yield 'one cpu', reports.Console('KTAP version 1\n').cpus == 1, ''
    yield 'kmemleak suspects', c.leaks == 1, repr(c.leaks)


def build_checks(patterns):
    for name, text in logs('build'):
        got = [p for p, _ in reports.build_warnings(text, SERIES, patterns)]
        want = [] if name == 'clean' else [name.split('-')[0]]
        yield 'build ' + name, got == want, 'want %r, got %r' % (want, got)


def manifest_checks():
    m = reports.Manifest()
    yield 'manifest arches', m.arches and set(m.debug_arches) <= set(m.arches), \
        repr((m.arches, m.debug_arches))
    for arch in m.arches:
        yield 'qemu config of ' + arch, os.path.isfile(
            os.path.join(reports.HARNESS, 'qemu_configs', arch + '.py')), ''
    for name, arch, _ in m.machines:
        yield 'machine %s boots the kernel of an arch' % name, \
            arch in m.arches and name not in m.arches, ''
    yield 'a debug suite only in the debug kernels', \
        all(m.suites[s][1] != 'debug' for s in m.required(m.arches[0])) and \
        set(m.required(m.arches[0] + '-debug')) == set(m.suites), ''
    for arch, glob, why in m.skips:
        case = glob.replace('*', 'x')
        yield 'skip %s %s' % (arch, glob), \
            m.skip_allowed(arch, case, 'it said: ' + why) and \
            m.skip_allowed(arch + '-debug', case, why) and \
            not m.skip_allowed(arch, case, 'another reason') and \
            not m.skip_allowed('no-such-arch', case, why), ''


def failures(checks):
    return [(name, what) for name, ok, what in checks if not ok]


def main():
    checks = list(console_checks(reports.CONSOLE_PATTERNS))
    checks += list(ktap_checks())
    checks += list(build_checks(reports.BUILD_PATTERNS))
    checks += list(manifest_checks())

    # Every pattern is needed, and has a log of its own.
    names = {n.split('-')[0] for n, _ in logs('console')} | \
            {n.split('-')[0] for n, _ in logs('build')}
    for i, (name, _) in enumerate(reports.CONSOLE_PATTERNS):
        less = reports.CONSOLE_PATTERNS[:i] + reports.CONSOLE_PATTERNS[i + 1:]
        checks.append(('console pattern %s is needed' % name,
                       name in names and failures(console_checks(less)), ''))
    for i, (name, _) in enumerate(reports.BUILD_PATTERNS):
        less = reports.BUILD_PATTERNS[:i] + reports.BUILD_PATTERNS[i + 1:]
        checks.append(('build pattern %s is needed' % name,
                       name in names and failures(build_checks(less)), ''))

    failed = 0
    for name, ok, what in checks:
        if not ok:
            failed += 1
            print('selftest: FAIL %s %s' % (name, what))
    print('selftest: %d passed, %d failed' % (len(checks) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
