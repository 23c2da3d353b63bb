// SPDX-License-Identifier: GPL-2.0-only
///
/// Find pfn_vec memory reached as if it were RAM with struct page.
///
//# A struct pfn_vec segment may name memory without struct page, such as
//# a PCI BAR: pfn_t_has_page() of its pv_pfn is false. Two mistakes lose
//# that distinction.
//#
//# 1. Taking the struct page or the linear map address of a segment,
//#    for kmap*(), page_address() or anything else, with no
//#    pfn_vec_has_page() or pfn_t_has_page() on the way: pfn_t_to_page()
//#    of such a segment is NULL, and pfn_to_page() or __va() of its frame
//#    is garbage. The fix is pfn_vec_kmap_local(), the pfn_vec mapping
//#    iterator or the pfn_vec copy helpers, which also need their errors
//#    handled, so patch mode emits nothing for this rule. A check of any
//#    segment before the use counts as its guard, as does a segment built
//#    from a page (pfn_vec_set_page(), pfn_vec_set_folio()) in the same
//#    function, and a NULL test of what pfn_t_to_page() returned; merely
//#    comparing that pointer, as KUnit expectations do, uses no memory.
//#
//# 2. Using the address of a pfn_vec mapping as plain memory. The
//#    iosys_map of struct pfn_vec_map and struct pfn_vec_miter is I/O
//#    memory, with an __iomem vaddr_iomem, whenever the segment has no
//#    struct page. Its vaddr or vaddr_iomem passed to memcpy(), memset(),
//#    memcmp() and the like, or dereferenced, directly, through a local
//#    pointer or in a helper that is handed the iosys_map, is wrong unless
//#    is_iomem (or pfn_vec_has_page(), as for rule 1) was tested first.
//#    Patch mode turns memcpy() and memset() on the mapping into
//#    iosys_map_memcpy_to(), iosys_map_memcpy_from() and
//#    iosys_map_memset(); the other uses have no one-line equivalent and
//#    are only reported.
//
// Confidence: Moderate
// Copyright: (C) 2026 The pfn_vec authors
// Comments: Guards are found by control flow, not by value: a check of
//           one segment is taken to guard another.
// Options: --no-includes --include-headers
//
// Keywords: pfn_vec, pfn_t_to_page, kmap_local_page, iosys_map
//

virtual context
virtual patch
virtual org
virtual report

@initialize:python@
@@
# Where the address held in a pfn_vec mapping is read, by the position of
# its field name, vaddr or vaddr_iomem: from the rules iomem_addr and
# iomem_addr_helper, less those that iomem_guarded finds deliberate.
iomem_addrs = set()

def iomem_key(p):
    return (p.file, p.line, p.column)

def is_iomem_addr(p):
    return iomem_key(p[0]) in iomem_addrs

page_msg = {
    'pfn_t_to_page': 'pfn_t_to_page() of a pfn_vec segment is NULL when it has no struct page (a PCI BAR): test pfn_vec_has_page() first',
    'pfn_to_page': 'pfn_to_page() of a pfn_vec segment\'s frame is bogus when it has no struct page (a PCI BAR): test pfn_vec_has_page() first',
}

iomem_msg = 'the address of a pfn_vec mapping is __iomem when the segment has no struct page (a PCI BAR): use the iosys_map_*() helpers, memcpy_{to,from}io() after testing is_iomem, or the pfn_vec copy helpers'
iomem_local_msg = 'pointer to a pfn_vec mapping used as plain memory; it is __iomem when the segment has no struct page (a PCI BAR): use the iosys_map_*() helpers'

def page_message(get):
    return page_msg.get(get, '%s() of a pfn_vec segment\'s frame is not in the linear map when it has no struct page (a PCI BAR): test pfn_vec_has_page() first' % get)

//----------------------------------------------------------
//  Rule 1: the struct page of a segment, taken unguarded
//----------------------------------------------------------

// Only files that look at the frame of a segment: this lets spatch skip
// every other file unparsed.
@page_file@
expression E;
@@

\(E.pv_pfn\|E->pv_pfn\|pfn_vec_iter_pfn(...)\)

// A page or address taken in an expression that has just checked for a
// struct page, as in "!pfn_vec_has_page(pv) || use(pfn_t_to_page(...))".
@page_guarded depends on page_file@
identifier has = {pfn_vec_has_page, pfn_t_has_page};
identifier get = {pfn_t_to_page, pfn_to_page, __va, phys_to_virt};
expression E;
position p;
@@

(
  has(...) && <+... get@p(...) ...+>
|
  !has(...) || <+... get@p(...) ...+>
|
  has(...) ? <+... get@p(...) ...+> : E
|
  !has(...) ? E : <+... get@p(...) ...+>
)

// The page of a segment put to use: handed to a function (kmap*(),
// page_address(), ...) or dereferenced. The frame of a segment is its
// pv_pfn, through a pfn_vec, a pointer to one or an array element, or
// the frame under an iterator. pfn_to_page() and __va() are never
// harmless; only pfn_t_to_page() can be NULL-checked or compared.
@page_use depends on page_file@
identifier f !~ "^KUNIT_";
identifier fld;
expression E;
position p != page_guarded.p;
@@

(
  f(..., pfn_t_to_page@p(\(E.pv_pfn\|E->pv_pfn\|pfn_vec_iter_pfn(...)\|
                          __pfn_vec_pfn_add(...)\)), ...)
|
  pfn_t_to_page@p(\(E.pv_pfn\|E->pv_pfn\|pfn_vec_iter_pfn(...)\|
                   __pfn_vec_pfn_add(...)\))->fld
|
  pfn_to_page@p(<+... pfn_t_to_pfn(\(E.pv_pfn\|E->pv_pfn\|
                                    pfn_vec_iter_pfn(...)\)) ...+>)
|
  \(__va@p\|phys_to_virt@p\)(<+... pfn_t_to_phys(\(E.pv_pfn\|E->pv_pfn\|
                                                  pfn_vec_iter_pfn(...)\))
                            ...+>)
)

// The page, or the frame number, kept in a local and used before any
// NULL test: "page = pfn_t_to_page(pv->pv_pfn); kmap_local_page(page);"
// or "pfn = pfn_t_to_pfn(pv->pv_pfn); ... pfn_to_page(pfn)".
@page_store depends on page_file exists@
identifier x, fld;
identifier f !~ "^KUNIT_";
expression E, E1;
type T;
position p != page_guarded.p;
@@

(
  x = pfn_t_to_page@p(\(E.pv_pfn\|E->pv_pfn\|pfn_vec_iter_pfn(...)\|
                       __pfn_vec_pfn_add(...)\));
|
  T x = pfn_t_to_page@p(\(E.pv_pfn\|E->pv_pfn\|pfn_vec_iter_pfn(...)\|
                         __pfn_vec_pfn_add(...)\));
)
  ... when != x = E1
      when != \(!x\|x == NULL\|x != NULL\|NULL == x\|NULL != x\)
(
  f(..., x, ...)
|
  x->fld
)

@page_pfn depends on page_file exists@
identifier x;
expression E, E1;
type T;
position p != page_guarded.p;
@@

(
  x = <+... pfn_t_to_pfn(\(E.pv_pfn\|E->pv_pfn\|pfn_vec_iter_pfn(...)\)) ...+>;
|
  T x = <+... pfn_t_to_pfn(\(E.pv_pfn\|E->pv_pfn\|pfn_vec_iter_pfn(...)\))
        ...+>;
)
  ... when != x = E1
  pfn_to_page@p(<+... x ...+>)

// Of those, the ones that some path from the start of the function
// reaches without a check for struct page.
@page_bad depends on page_file exists@
identifier fn, get;
position page_use.p, q;
@@

fn(...) {
  ... when != \(pfn_vec_has_page\|pfn_t_has_page\)(...)
      when != \(pfn_vec_set_page\|pfn_vec_set_folio\)(...)
  get@p@q(...)
  ... when any
}

@page_bad_stored depends on page_file exists@
identifier fn, get;
position page_store.p, q;
@@

fn(...) {
  ... when != \(pfn_vec_has_page\|pfn_t_has_page\)(...)
      when != \(pfn_vec_set_page\|pfn_vec_set_folio\)(...)
  get@p@q(...)
  ... when any
}

@page_bad_pfn depends on page_file exists@
identifier fn, get;
position page_pfn.p, q;
@@

fn(...) {
  ... when != \(pfn_vec_has_page\|pfn_t_has_page\)(...)
      when != \(pfn_vec_set_page\|pfn_vec_set_folio\)(...)
  get@p@q(...)
  ... when any
}

@depends on context@
identifier get;
position p = {page_bad.q, page_bad_stored.q, page_bad_pfn.q};
@@

* get@p(...)

@script:python depends on report@
get << page_bad.get;
p << page_bad.q;
@@

coccilib.report.print_report(p[0], "ERROR: " + page_message(get))

@script:python depends on report@
get << page_bad_stored.get;
p << page_bad_stored.q;
@@

coccilib.report.print_report(p[0], "ERROR: " + page_message(get))

@script:python depends on report@
get << page_bad_pfn.get;
p << page_bad_pfn.q;
@@

coccilib.report.print_report(p[0], "ERROR: " + page_message(get))

@script:python depends on org@
get << page_bad.get;
p << page_bad.q;
@@

coccilib.org.print_todo(p[0], page_message(get))

@script:python depends on org@
get << page_bad_stored.get;
p << page_bad_stored.q;
@@

coccilib.org.print_todo(p[0], page_message(get))

@script:python depends on org@
get << page_bad_pfn.get;
p << page_bad_pfn.q;
@@

coccilib.org.print_todo(p[0], page_message(get))

//----------------------------------------------------------
//  Rule 2: the address of a pfn_vec mapping used as memory
//----------------------------------------------------------

// Only files that hold a pfn_vec mapping, as above.
@iomem_file@
{struct pfn_vec_map, struct pfn_vec_miter} E;
{struct pfn_vec_map *, struct pfn_vec_miter *} Ep;
@@

\(E.map\|Ep->map\)

// The address in the mapping of the accessor or of the iterator.
@iomem_addr depends on iomem_file@
{struct pfn_vec_map, struct pfn_vec_miter} E;
{struct pfn_vec_map *, struct pfn_vec_miter *} Ep;
identifier fld = {vaddr, vaddr_iomem};
position pa;
@@

\(E.map.fld@pa\|Ep->map.fld@pa\)

@script:python@
pa << iomem_addr.pa;
@@

iomem_addrs.add(iomem_key(pa[0]))

// The same in a function of this file that is handed the mapping, as brd
// and null_blk hand &miter.map to their copy helpers.
@iomem_helper depends on iomem_file@
{struct pfn_vec_map, struct pfn_vec_miter} E;
{struct pfn_vec_map *, struct pfn_vec_miter *} Ep;
identifier helper;
@@

  helper(..., \(&E.map\|&Ep->map\), ...)

@iomem_addr_helper depends on iomem_file exists@
identifier iomem_helper.helper, map;
identifier fld = {vaddr, vaddr_iomem};
type T;
position pa;
@@

T helper(..., struct iosys_map *map, ...)
{
  ... when any
  map->fld@pa
  ... when any
}

@script:python@
pa << iomem_addr_helper.pa;
@@

iomem_addrs.add(iomem_key(pa[0]))

// The address in an expression that tests which kind of memory it is,
// as in "map.is_iomem ? readb(map.vaddr_iomem) : *(u8 *)map.vaddr". The
// second arm of a conditional has a rule of its own, as a disjunction
// tries it only where the first one does not match.
@iomem_guarded depends on iomem_file@
identifier has = {pfn_vec_has_page, pfn_t_has_page};
identifier fld = {vaddr, vaddr_iomem};
expression E, E0, E1;
position pa;
@@

(
  \(E.is_iomem\|E->is_iomem\|!E.is_iomem\|!E->is_iomem\|has(...)\|!has(...)\)
  ? <+... \(E0.fld@pa\|E0->fld@pa\) ...+> : E1
|
  \(!E.is_iomem\|!E->is_iomem\|has(...)\) && <+... \(E0.fld@pa\|E0->fld@pa\) ...+>
|
  \(E.is_iomem\|E->is_iomem\|!has(...)\) || <+... \(E0.fld@pa\|E0->fld@pa\) ...+>
)

@script:python@
pa << iomem_guarded.pa;
@@

iomem_addrs.discard(iomem_key(pa[0]))

@iomem_guarded_else depends on iomem_file@
identifier has = {pfn_vec_has_page, pfn_t_has_page};
identifier fld = {vaddr, vaddr_iomem};
expression E, E0, E1;
position pa;
@@

(
  \(E.is_iomem\|E->is_iomem\|!E.is_iomem\|!E->is_iomem\|has(...)\|!has(...)\)
  ? E1 : (<+... \(E0.fld@pa\|E0->fld@pa\) ...+>)
)

@script:python@
pa << iomem_guarded_else.pa;
@@

iomem_addrs.discard(iomem_key(pa[0]))

// The address handed to a memory function or dereferenced, on a path
// from the start of the function with no test of is_iomem (or of
// pfn_vec_has_page()) before it.
@iomem_bad depends on iomem_file exists@
identifier fn;
identifier mem = {memcpy, memmove, memset, memcmp, memchr, memchr_inv,
                  memscan};
identifier fld = {vaddr, vaddr_iomem};
expression E, E0, E1;
type T;
position pa : script:python() { is_iomem_addr(pa) };
@@

fn(...) {
  ... when != E.is_iomem
      when != E->is_iomem
      when != \(pfn_vec_has_page\|pfn_t_has_page\)(...)
      when != \(pfn_vec_set_page\|pfn_vec_set_folio\)(...)
      when any
(
  mem(..., <+... \(E0.fld@pa\|E0->fld@pa\) ...+>, ...)
|
  *(T)(<+... \(E0.fld@pa\|E0->fld@pa\) ...+>)
|
  ((T)(<+... \(E0.fld@pa\|E0->fld@pa\) ...+>))[E1]
)
  ... when any
}

// The address kept in a local pointer that is then used as memory.
@iomem_bad_local depends on iomem_file exists@
identifier fn, x;
identifier mem = {memcpy, memmove, memset, memcmp, memchr, memchr_inv,
                  memscan};
identifier fld = {vaddr, vaddr_iomem};
expression E, E0, E1, E2;
type T, T1;
position pa : script:python() { is_iomem_addr(pa) };
position q;
@@

fn(...) {
  ... when != E.is_iomem
      when != E->is_iomem
      when != \(pfn_vec_has_page\|pfn_t_has_page\)(...)
      when != \(pfn_vec_set_page\|pfn_vec_set_folio\)(...)
      when any
(
  x = <+... \(E0.fld@pa\|E0->fld@pa\) ...+>;
|
  T x = <+... \(E0.fld@pa\|E0->fld@pa\) ...+>;
)
  ... when != x = E2
      when != E.is_iomem
      when != E->is_iomem
      when any
(
  mem(..., <+... x@q ...+>, ...)
|
  *x@q
|
  x@q[E1]
|
  *(T1)(<+... x@q ...+>)
)
  ... when any
}

// memcpy() and memset() have iosys_map forms that work on either kind of
// memory: the unguarded calls found above become those.
@depends on patch@
expression M, S, D, N, O, C;
identifier fld;
position iomem_bad.pa;
@@

(
- memcpy(M.fld@pa, S, N)
+ iosys_map_memcpy_to(&M, 0, S, N)
|
- memcpy(M.fld@pa + O, S, N)
+ iosys_map_memcpy_to(&M, O, S, N)
|
- memcpy(M->fld@pa, S, N)
+ iosys_map_memcpy_to(M, 0, S, N)
|
- memcpy(M->fld@pa + O, S, N)
+ iosys_map_memcpy_to(M, O, S, N)
|
- memcpy(D, M.fld@pa, N)
+ iosys_map_memcpy_from(D, &M, 0, N)
|
- memcpy(D, M.fld@pa + O, N)
+ iosys_map_memcpy_from(D, &M, O, N)
|
- memcpy(D, M->fld@pa, N)
+ iosys_map_memcpy_from(D, M, 0, N)
|
- memcpy(D, M->fld@pa + O, N)
+ iosys_map_memcpy_from(D, M, O, N)
|
- memset(M.fld@pa, C, N)
+ iosys_map_memset(&M, 0, C, N)
|
- memset(M.fld@pa + O, C, N)
+ iosys_map_memset(&M, O, C, N)
|
- memset(M->fld@pa, C, N)
+ iosys_map_memset(M, 0, C, N)
|
- memset(M->fld@pa + O, C, N)
+ iosys_map_memset(M, O, C, N)
)

@depends on context@
expression E0;
identifier fld;
position iomem_bad.pa;
@@

(
* E0.fld@pa
|
* E0->fld@pa
)

@depends on context@
identifier x;
position iomem_bad_local.q;
@@

* x@q

@script:python depends on report@
pa << iomem_bad.pa;
@@

coccilib.report.print_report(pa[0], "ERROR: " + iomem_msg)

@script:python depends on report@
q << iomem_bad_local.q;
@@

coccilib.report.print_report(q[0], "ERROR: " + iomem_local_msg)

@script:python depends on org@
pa << iomem_bad.pa;
@@

coccilib.org.print_todo(pa[0], iomem_msg)

@script:python depends on org@
q << iomem_bad_local.q;
@@

coccilib.org.print_todo(q[0], iomem_local_msg)
