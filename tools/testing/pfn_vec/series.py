#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Build the patch series that goes upstream from patches/export.txt, the
# overlay's new files and the quilt patches of patches/series, as commits
# on top of the pristine base in a git repository of its own, and export
# it with git format-patch and a cover letter.
#
# patches/export.txt says which new files, which parts of them and which
# quilt patches make each exported patch; see its header. Every new file
# of the overlay and every quilt patch must be claimed, each part of a file
# once, and quilt patches in the order of patches/series, so the last
# commit's tree is the work tree that make kunit builds.
#
# Usage: series.py TOP BASE GITDIR OUTDIR TREE_ID BENCH_DIR NEW_FILE...
#        series.py --stale BENCH_DIR TREE_ID
#          prints the arches whose make bench results are missing or from
#          another tree: make series stops on them, unless BENCH=1
#          (measure them first) or BENCH=0 (no table).
#   TOP        the repository (patches/, the overlay)
#   BASE       the pristine kernel tree
#   GITDIR     scratch directory for the repository the commits are made in
#   OUTDIR     where git format-patch writes the series
#   TREE_ID    the harness's name for the kernel source (lib.sh tree_id)
#   BENCH_DIR  build/bench: <arch>.json from make bench, used in the cover
#              letter if it was measured on TREE_ID
#   NEW_FILE   the overlay's new kernel files

import json
import os
import re
import shutil
import subprocess
import sys

import reports

BENCH_ARCHES = reports.Manifest().hook_arches
# The cover letter's bench table: key, description, target.
BENCH_ROWS = [
    ('setup_speedup', 'memremap_pages() time / register time', '>= 100'),
    ('setup_512g_ratio', 'register time, 512 GiB / 64 GiB (x86_64)', '<= 2'),
    ('regions_4096_ratio', 'walk with 4096 regions / with one', '<= 1.05'),
    ('accessor_ram_ratio', 'mapping iterator / bvec_kmap_local(), RAM', '<= 1.05'),
    ('accessor_ram_single_ratio', 'pfn_vec_kmap_local() / kmap_local_page(), RAM', ''),
    ('io_mapping_ratio', 'mapping iterator / io_mapping_map_local_wc()', '<= 1.05'),
    ('io_mapping_bio_ratio', 'the same, an iterator per 1 MiB segment', ''),
    ('io_mapping_single_ratio', 'pfn_vec_kmap_local() / io_mapping_map_local_wc()', '<= 1.1'),
    ('copy_from_ratio', 'copy helpers / memcpy_fromio() on ioremap_wc()', '>= 0.95'),
    ('copy_to_ratio', 'copy helpers / memcpy_toio() on ioremap_wc()', '>= 0.95'),
    ('copy_from_linear_ratio', 'the same, on the linear map', '>= 0.95'),
    ('copy_to_linear_ratio', 'the same, on the linear map', '>= 0.95'),
    ('bounce_ratio', 'bounced BAR bios / page bios, brd', '>= 0.8'),
    ('native_ratio', 'native BAR bios / page bios, brd', '>= 0.95'),
    ('bounce_efficiency', '(page + native time) / bounced time', '>= 0.95'),
    ('bounce_ram_ratio', 'bounced pfn_vec bios of RAM / page bios', ''),
    ('native_ram_ratio', 'native pfn_vec bios of RAM / page bios', '>= 0.97'),
    ('bounce_ram_efficiency', 'the same, for RAM', ''),
    ('p2p_read_ratio', 'nvme into the BAR by P2P / into RAM pages', '>= 0.95'),
    ('p2p_write_ratio', 'nvme from the BAR by P2P / from RAM pages', '>= 0.95'),
    ('p2p_vs_bounce_ratio', 'P2P / bounced, the same BAR I/O to nvme', '>= 1.5'),
]


class SeriesError(Exception):
    pass


class Patch:
    def __init__(self, subject):
        self.subject = subject
        self.files = []         # (path, anchor regex or None, offset or None)
        self.quilt = []         # patches/NNNN-*.patch
        self.body = []


def parse(path):
    """Parse export.txt into the cover letter and the patches."""
    cover_subject, cover_body, patches = None, [], []
    cur, in_files = None, False
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if line.startswith('#'):
                continue
            if line.startswith('Cover: '):
                cover_subject, cur, in_files = line[7:].strip(), 'cover', False
            elif line.startswith('Patch: '):
                cur = Patch(line[7:].strip())
                patches.append(cur)
                in_files = False
            elif cur is None:
                if line.strip():
                    raise SeriesError('%s:%d: text before the first Cover: or Patch:' % (path, n))
            elif line == 'Files:' and cur != 'cover':
                in_files = True
            elif in_files and line.startswith('\t'):
                spec = line.strip()
                if spec.startswith('patches/'):
                    cur.quilt.append(spec)
                    continue
                m = re.fullmatch(r'(\S+)(?:\s+@\s+(.*?))?(?:\s+([+-]\d+))?', spec)
                if not m:
                    raise SeriesError('%s:%d: bad file line' % (path, n))
                cur.files.append((m.group(1), m.group(2),
                                  int(m.group(3)) if m.group(3) else None))
            else:
                in_files = False
                (cover_body if cur == 'cover' else cur.body).append(line)
    if not cover_subject or not patches:
        raise SeriesError('%s: needs a Cover: and at least one Patch:' % path)
    for p in patches:
        while p.body and not p.body[0].strip():
            p.body.pop(0)
        while p.body and not p.body[-1].strip():
            p.body.pop()
        if not p.body:
            raise SeriesError('patch "%s" has no commit message' % p.subject)
    return cover_subject, '\n'.join(cover_body).strip('\n'), patches


def section_start(lines, path, regex, offset):
    """Index of the first line of the section that @regex anchors."""
    hits = [i for i, l in enumerate(lines) if re.search(regex, l)]
    if len(hits) != 1:
        raise SeriesError('%s: anchor /%s/ matches %d lines, not one' % (path, regex, len(hits)))
    i = hits[0]
    if offset is not None:
        return i + offset
    # A section starts with the comment right above its anchor.
    if i > 0 and lines[i - 1].rstrip().endswith('*/'):
        while i > 0 and not lines[i - 1].lstrip().startswith('/*'):
            i -= 1
        i -= 1
    return i


def file_sections(top, patches, new_files):
    """{path: [(start, end, patch index)]}, each new file cut in sections."""
    starts = {}
    for k, p in enumerate(patches):
        for path, regex, offset in p.files:
            if path not in new_files:
                raise SeriesError('"%s" claims %s, which is not a new file of the overlay' % (p.subject, path))
            with open(os.path.join(top, path)) as f:
                lines = f.read().splitlines()
            start = 0 if regex is None else section_start(lines, path, regex, offset)
            starts.setdefault(path, []).append((start, k))
    sections = {}
    for path in new_files:
        if path not in starts:
            raise SeriesError('no patch claims %s' % path)
        with open(os.path.join(top, path)) as f:
            nlines = len(f.read().splitlines())
        s = sorted(starts[path])
        if s[0][0] != 0:
            raise SeriesError('%s: no patch claims its first line (list it without @)' % path)
        for a, b in zip(s, s[1:]):
            if a[0] == b[0]:
                raise SeriesError('%s: two sections start at line %d' % (path, a[0] + 1))
        ends = [b[0] for b in s[1:]] + [nlines]
        sections[path] = [(a[0], e, a[1]) for a, e in zip(s, ends)]
    return sections


def check_quilt(top, patches):
    with open(os.path.join(top, 'patches/series')) as f:
        series = ['patches/' + l.split()[0] for l in
                  (re.sub('#.*', '', l) for l in f) if l.strip()]
    claimed = [q for p in patches for q in p.quilt]
    if claimed != series:
        raise SeriesError('export.txt must claim the quilt patches of patches/series, '
                          'each once and in that order:\n  claimed: %s\n  series:  %s'
                          % (' '.join(claimed), ' '.join(series)))


def git(repo, *args, env=None, capture=False):
    r = subprocess.run(['git', '-C', repo] + list(args), check=True, env=env,
                       capture_output=capture, text=True)
    return r.stdout if capture else None


def identity(top):
    def cfg(key, default):
        r = subprocess.run(['git', '-C', top, 'config', key], capture_output=True, text=True)
        return r.stdout.strip() or default
    name = cfg('user.name', 'pfn_vec')
    email = cfg('user.email', 'pfn_vec@localhost')
    r = subprocess.run(['git', '-C', top, 'log', '-1', '--format=%cD'], capture_output=True, text=True)
    return name, email, r.stdout.strip() or 'Thu, 1 Jan 2026 00:00:00 +0000'


def build_commits(top, base, repo, patches, sections):
    """Commit the base's versions of the files the series changes, then
    one commit per patch; return the base commit."""
    name, email, date = identity(top)
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email,
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    shutil.rmtree(repo, ignore_errors=True)
    os.makedirs(repo)
    git(repo, 'init', '-q')
    changed = set()
    for p in patches:
        for q in p.quilt:
            with open(os.path.join(top, q)) as f:
                changed.update(re.findall(r'^\+\+\+ b/(\S+)', f.read(), re.M))
    for path in sorted(changed):
        if os.path.exists(os.path.join(base, path)):
            dst = os.path.join(repo, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(os.path.join(base, path), dst)
    git(repo, 'add', '-A', '-f')
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'base', env=env)
    base_commit = git(repo, 'rev-parse', 'HEAD', capture=True).strip()

    contents = {}
    for path in sections:
        with open(os.path.join(top, path)) as f:
            contents[path] = f.read().splitlines(keepends=True)
    for k, p in enumerate(patches):
        for path, secs in sections.items():
            if all(owner > k for _, _, owner in secs):
                continue
            dst = os.path.join(repo, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            text = ''.join(l for a, e, owner in secs if owner <= k
                           for l in contents[path][a:e])
            # A file cut short ends with its last line, not with the blank
            # line that separated it from a later patch's section.
            while text.endswith('\n\n'):
                text = text[:-1]
            with open(dst, 'w') as f:
                f.write(text)
        for q in p.quilt:
            r = subprocess.run(['patch', '-p1', '-s', '--fuzz=0', '--no-backup-if-mismatch',
                                '-r', '-', '-i', os.path.join(top, q)], cwd=repo,
                               capture_output=True, text=True)
            if r.returncode:
                raise SeriesError('%s does not apply at "%s":\n%s' % (q, p.subject, r.stdout + r.stderr))
        git(repo, 'add', '-A', '-f')
        msg = '%s\n\n%s\n\nSigned-off-by: %s <%s>\n' % (p.subject, '\n'.join(p.body), name, email)
        r = subprocess.run(['git', '-C', repo, 'commit', '-q', '-F', '-'], input=msg,
                           text=True, env=env)
        if r.returncode:
            raise SeriesError('"%s" changes nothing' % p.subject)
    return base_commit


def fmt(v):
    if v is None:
        return '-'
    if v >= 1000:
        return '%.0f' % v
    return '%.3g' % v


def bench_docs(bench_dir, tree_id):
    """The make bench results of each arch measured on tree_id."""
    docs = {}
    for arch in BENCH_ARCHES:
        try:
            with open(os.path.join(bench_dir, arch + '.json')) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        if doc.get('tree') == tree_id:
            docs[arch] = doc
    return docs


def bench_table(bench_dir, tree_id):
    docs = bench_docs(bench_dir, tree_id)
    if not docs:
        return ('Benchmark: not measured on this tree (make series BENCH=0).\n')
    arches = [a for a in BENCH_ARCHES if a in docs]
    out = ['Benchmark (make bench ARCH=<arch>; every ratio is taken within one',
           'boot of QEMU TCG, against the kernel\'s own alternative on the same',
           'memory; measured %s on tree %s):' % (
               ', '.join(sorted({docs[a].get('date', '?') for a in arches})), tree_id), '']
    head = '%-26s %8s  %s' % ('key', 'target', '  '.join('%-17s' % a for a in arches))
    out += [head, '-' * len(head)]
    for key, _, target in BENCH_ROWS:
        cells = []
        for a in arches:
            v = docs[a].get(key)
            if isinstance(v, dict):
                sizes = ('128k', '1024k') if key.startswith('p2p') else ('4k', '64k', '1024k')
                cells.append('/'.join(fmt(v.get(s)) for s in sizes))
            else:
                cells.append(fmt(v))
        out.append('%-26s %8s  %s' % (key, target, '  '.join('%-17s' % c for c in cells)))
    out += ['', 'copy_* ratios: 4 KiB / 64 KiB / 1 MiB; p2p_*: bios of 128 KiB / 1 MiB,',
            '4 in flight. Keys:']
    out += ['  %-26s %s' % (key, what) for key, what, _ in BENCH_ROWS]
    missing = [a for a in BENCH_ARCHES if a not in docs]
    if missing:
        out += ['', 'Not measured on this tree: %s.' % ', '.join(missing)]
    return '\n'.join(out) + '\n'


def main():
    if sys.argv[1] == '--stale':
        # series.py --stale BENCH_DIR TREE_ID: the arches to measure again.
        docs = bench_docs(sys.argv[2], sys.argv[3])
        print(' '.join(a for a in BENCH_ARCHES if a not in docs))
        return 0
    top, base, repo, outdir, tree_id, bench_dir = sys.argv[1:7]
    new_files = set(sys.argv[7:])
    cover_subject, cover_body, patches = parse(os.path.join(top, 'patches/export.txt'))
    check_quilt(top, patches)
    sections = file_sections(top, patches, new_files)
    base_commit = build_commits(top, base, repo, patches, sections)

    shutil.rmtree(outdir, ignore_errors=True)
    git(repo, 'format-patch', '-q', '--cover-letter', '--no-signature',
        '-o', os.path.abspath(outdir), base_commit + '..HEAD')
    version = subprocess.run(['make', '-s', '-C', base, 'kernelversion'],
                             capture_output=True, text=True).stdout.strip()
    cover = os.path.join(outdir, '0000-cover-letter.patch')
    with open(cover) as f:
        text = f.read()
    body = cover_body.replace('@BENCH@', bench_table(bench_dir, tree_id).rstrip('\n'))
    body = body.replace('@BASE@', version)
    text = text.replace('*** SUBJECT HERE ***', cover_subject)
    text = text.replace('*** BLURB HERE ***', body)
    with open(cover, 'w') as f:
        f.write(text)
    with open(os.path.join(outdir, 'tree'), 'w') as f:
        f.write(tree_id + '\n')
    for name in sorted(os.listdir(outdir)):
        if name.endswith('.patch'):
            print('  ' + name)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except SeriesError as e:
        print('pfn_vec: series: %s' % e, file=sys.stderr)
        sys.exit(1)
    except subprocess.CalledProcessError as e:
        print('pfn_vec: series: %s failed' % ' '.join(e.cmd), file=sys.stderr)
        sys.exit(1)
