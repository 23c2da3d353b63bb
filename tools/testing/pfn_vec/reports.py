# SPDX-License-Identifier: GPL-2.0
#
# What the harness reads in a guest's console and in a build log, and the
# manifest of what each arch must run. Imported by summary.py; every
# pattern here is proved by selftest.py on the canned logs in selftest/.

import fnmatch
import os
import re
import sys

HARNESS = os.path.dirname(os.path.abspath(__file__))

# The first line of every report the run must not have, by name, as the
# kernel prints it: the debug options (KASAN, KFENCE, lockdep,
# might_sleep(), DEBUG_VM, kmemleak), BUG(), oopses and WARN()s, the hung
# task and RCU stall detectors, UBSAN, and a stack dump without any of
# those headers (dump_stack()). The first pattern that matches names it.
CONSOLE_PATTERNS = [
    ('bug', r'BUG: '),                  # KASAN, KFENCE, might_sleep(), bad page
    ('warning', r'WARNING: '),          # WARN(), lockdep, RCU lockdep
    ('kernel_bug', r'kernel BUG at'),   # BUG_ON(), VM_BUG_ON()
    ('oops', r'Oops'),
    ('internal_error', r'Internal error:'),
    ('unable_to_handle', r'Unable to handle kernel'),
    ('panic', r'Kernel panic'),
    ('page_dumped', r'page dumped because'),
    ('kmemleak_broken', r'kmemleak: .*(disabled|Cannot|failed)'),
    ('hung_task', r'INFO: task \S+ blocked for more than'),
    ('rcu_stall', r'rcu: INFO: \S+ .*stall'),
    ('ubsan', r'UBSAN: '),
    ('call_trace', r'Call [Tt]race:'),
]

# The lines after a report's first line belong to it (its stack dump, a
# report it embeds) until its end marker, the KTAP result of the case, or
# this many lines.
REPORT_SPAN = 200
REPORT_END = re.compile(r'---\[ end trace|^=+$')

# The one report the suites cause on purpose: pfn_vec_iter_advance() warns
# once when asked to advance past the end, and the case that checks it is
# named here. Exactly one WARN from <linux/pfn_vec.h> must appear while
# that case runs (as the KTAP log places it) whenever the case ran.
EXPECTED = [
    ('pfn_vec_core.pfn_vec_test_advance_past_end',
     re.compile(r'WARNING: CPU: \d+ PID: \d+ at \S*include/linux/pfn_vec\.h:\d+ ')),
]

LEAK = re.compile(r'unreferenced object 0x')
CPUS = re.compile(r'smp: Brought up \d+ nodes?, (\d+) CPUs?')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SUBTEST = re.compile(r'^# Subtest: (.+)$')
RESULT = re.compile(r'^(not ok|ok) \d+ ([^#]*?)\s*(?:#\s*(\S+)\s*(.*))?$')


class Console:
    """One guest console, read once: its reports, each placed in the KUnit
    case that was running (the next KTAP result line closes the window
    of every line before it), the skip reasons, the CPU count and the
    kmemleak suspects."""

    def __init__(self, text, patterns=CONSOLE_PATTERNS):
        self._patterns = [(name, re.compile(rx)) for name, rx in patterns]
        self.reports = []       # (pattern name, case path or None, line)
        self.skips = {}         # case path -> reason
        self.cases = set()      # every leaf or group that reported
        self.cpus = 1
        self.leaks = 0
        self.expected = {name: 0 for name, _ in EXPECTED}
        self._parse(text.splitlines())

    def _parse(self, lines):
        stack = []              # (indent, name) of the open subtests
        pending = []            # reports not yet placed in a case
        in_report = 0           # lines left in the current report
        for raw in lines:
            line = TIMESTAMP.sub('', raw.rstrip())
            body = line.lstrip(' ')
            indent = len(line) - len(body)

            m = CPUS.search(line)
            if m:
                self.cpus = int(m.group(1))
            if LEAK.search(line):
                self.leaks += 1

            m = SUBTEST.match(body)
            if m:
                stack.append((indent, m.group(1).strip()))
                continue
            m = RESULT.match(body)
            if m:
                status, name, directive, reason = m.groups()
                if stack and stack[-1][0] > indent and stack[-1][1] == name:
                    stack.pop()
                path = '.'.join([n for i, n in stack if i <= indent] + [name])
                self.cases.add(path)
                if directive and directive.upper() == 'SKIP':
                    self.skips[path] = reason or ''
                for pname, text in pending:
                    self._place(pname, path, text)
                pending = []
                in_report = 0
                continue

            if in_report:
                in_report = 0 if REPORT_END.search(body) else in_report - 1
                continue
            for pname, rx in self._patterns:
                if rx.search(line):
                    pending.append((pname, body))
                    in_report = REPORT_SPAN
                    break
        for pname, text in pending:
            self._place(pname, None, text)

    def _place(self, pname, path, text):
        for case, rx in EXPECTED:
            if path == case and rx.search(text):
                self.expected[case] += 1
                if self.expected[case] == 1:
                    return
        self.reports.append((pname, path, text))

    def missing_expected(self, ran):
        """The expected reports that did not come, of the cases in @ran."""
        return [case for case, _ in EXPECTED
                if case in ran and self.expected[case] == 0]


def read_console(path):
    try:
        with open(path, errors='replace') as f:
            return Console(f.read())
    except OSError:
        return None


# Build logs. A compiler, objtool or linker warning or error that names a
# file of the series (its source, or the object built from it), objtool's
# checks of vmlinux.o that name a function of the series, and every
# modpost warning: the base builds without one, and modpost names symbols,
# not files. Warnings about files the series does not touch (kbuild's prepare
# step rebuilds the vDSO, for one) are the base's own.
BUILD_PATTERNS = [
    ('compiler', r'(?P<file>[^\s:]+\.[chS]):\d+(:\d+)?: (warning|error):'),
    ('objtool_vmlinux', r'vmlinux\.o: (warning|error): objtool: \S*(pfn_vec|io_linear)'),
    ('objtool', r'(?P<file>[^\s:]+\.o): (warning|error): objtool:'),
    ('modpost', r'(WARNING|ERROR): modpost: '),
    ('linker', r'(?P<file>[^\s:]+\.o): (warning|error): (?!objtool:)'),
]


def _ours(path, files):
    path = path[:-2] + '.c' if path.endswith('.o') else path
    return any(path == f or path.endswith('/' + f) for f in files)


def build_warnings(text, files, patterns=BUILD_PATTERNS):
    """(pattern name, line) for every line of the build log @text that is
    a warning or error in one of @files (kernel-relative paths)."""
    found = []
    compiled = [(name, re.compile(rx)) for name, rx in patterns]
    for line in text.splitlines():
        for name, rx in compiled:
            m = rx.search(line)
            if not m:
                continue
            if 'file' not in rx.groupindex or _ours(m.group('file'), files):
                found.append((name, line.strip()))
            break
    return found


# The manifest: the arches, the suites each must run and the skips it may
# have. See the comment at the top of the file.
MANIFEST = os.path.join(HARNESS, 'manifest')


class Manifest:
    def __init__(self, path=MANIFEST):
        self.arches = []
        self.debug_arches = []
        self.hook_arches = []
        self.machines = []      # (name, arch, QEMU and kernel args)
        self.suites = {}        # name -> (minimum cases, kind)
        self.skips = []         # (arch, case glob, reason)
        with open(path) as f:
            for n, raw in enumerate(f, 1):
                line = raw.split('#', 1)[0].strip()
                if not line:
                    continue
                word, *rest = line.split(None, 1)
                rest = rest[0] if rest else ''
                if word == 'arches':
                    self.arches = rest.split()
                elif word == 'debug-arches':
                    self.debug_arches = rest.split()
                elif word == 'hook-arches':
                    self.hook_arches = rest.split()
                elif word == 'machine':
                    args = rest.split(None, 2)
                    if len(args) == 2:
                        args.append('')
                    if len(args) != 3:
                        raise ValueError('%s:%d: machine NAME ARCH [QEMU_ARG...] [-- KERNEL_ARG...]' % (path, n))
                    self.machines.append(tuple(args))
                elif word == 'suite':
                    args = rest.split()
                    if len(args) not in (2, 3) or not args[1].isdigit():
                        raise ValueError('%s:%d: suite NAME MIN [KIND]' % (path, n))
                    kind = args[2] if len(args) == 3 else 'pfn_vec'
                    if kind not in ('pfn_vec', 'debug', 'kernel'):
                        raise ValueError('%s:%d: kind %s' % (path, n, kind))
                    self.suites[args[0]] = (int(args[1]), kind)
                elif word == 'skip':
                    args = rest.split(None, 2)
                    if len(args) == 2:
                        args.append('')
                    if len(args) != 3:
                        raise ValueError('%s:%d: skip ARCH CASE REASON' % (path, n))
                    self.skips.append(tuple(args))
                else:
                    raise ValueError('%s:%d: unknown keyword %s' % (path, n, word))

    def kernel_suite(self, suite):
        return self.suites.get(suite, (0, 'pfn_vec'))[1] == 'kernel'

    def required(self, name):
        """The suites that run @name (an arch, or <arch>-debug) must run."""
        debug = name.endswith('-debug')
        return {s: m for s, (m, kind) in self.suites.items()
                if kind != 'debug' or debug}

    def skip_allowed(self, name, case, reason):
        """The manifest entry that allows @case to skip on @name for
        @reason, or None."""
        arch = name[:-len('-debug')] if name.endswith('-debug') else name
        for entry in self.skips:
            a, glob, why = entry
            if a == arch and fnmatch.fnmatchcase(case, glob) and why in reason:
                return entry
        return None


def main(argv):
    """reports.py build-warnings LOG FILE...: print the warnings of LOG
    about FILEs; exit 0 if there is one, as grep does."""
    if len(argv) < 2 or argv[0] != 'build-warnings':
        sys.exit('usage: reports.py build-warnings LOG FILE...')
    with open(argv[1], errors='replace') as f:
        found = build_warnings(f.read(), argv[2:])
    for _, line in found:
        print(line)
    return 0 if found else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
