// SPDX-License-Identifier: MIT
// A line-level three-way merge (diff3) of an item's body edited on two
// replicas from one base, for the sync layer. A pure function: no I/O, and the
// result depends on nothing but the three inputs.
//
// Lines are the pieces between '\n's, each keeping its own '\n' (the last
// piece has none when the text does not end with one), so the merged text is
// an exact concatenation and a change to the trailing newline is a change to
// the last line. Each side is diffed against base (Myers, O((N+M)·D), with D
// and the work capped); a change replaces a base range [b, e) by side lines,
// an insertion being an empty range at a position.
//
// Changes from the two sides conflict when they share a base line, when both
// insert at the same position, or when one inserts strictly inside the other's
// range; a run of such changes is still clean when both sides leave the same
// text over the whole base range it covers (so changing lines 1-2 conflicts
// with changing line 2 alone, even the same way, as in diff3). Unlike git merge-file, which
// conflicts on directly adjacent changes, changes to neighbouring distinct lines merge cleanly, and
// so does an insertion right before or after the other side's changed range: it goes before the
// base line at its position (so after a change ending there).
//
// Invariants: mergeText(b, o, t) and mergeText(b, t, o) are equally clean and,
// when clean, give the same text; equal or fast-forward inputs are clean
// whatever their size; otherwise an input over kMaxMergeLines lines, or a diff
// past the budget, gives clean=false quickly.
#pragma once

#include <QString>

namespace colophon {

inline constexpr int kMaxMergeLines = 20000;

struct TextMerge
{
    bool clean = false;
    QString text; // the merged body when clean
};

// Three-way merge of ours and theirs, both edited from base.
TextMerge mergeText(const QString &base, const QString &ours, const QString &theirs);

} // namespace colophon
