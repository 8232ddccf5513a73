// SPDX-License-Identifier: MIT
#include "services/content/textmerge.h"

#include <QHash>
#include <QStringView>
#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace colophon {
namespace {

// Myers gives up past this many differences (its trace holds D² ints) or this
// much work (snake steps plus diagonals visited).
constexpr int kMaxEditDistance = 2000;
constexpr qint64 kDiffBudget = 50'000'000;

using Lines = std::vector<QStringView>;
using Ids = std::vector<int>;

qsizetype lineCount(const QString &text)
{
    const qsizetype newlines = text.count(u'\n');
    return (text.isEmpty() || text.endsWith(u'\n')) ? newlines : newlines + 1;
}

// The lines of text, each keeping its '\n'.
Lines splitLines(const QString &text)
{
    Lines lines;
    const QStringView view(text);
    qsizetype start = 0;
    while (start < view.size()) {
        const qsizetype newline = view.indexOf(u'\n', start);
        const qsizetype end = newline < 0 ? view.size() : newline + 1;
        lines.push_back(view.mid(start, end - start));
        start = end;
    }
    return lines;
}

// A change of one side: base lines [baseBegin, baseEnd) became that side's
// lines [sideBegin, sideEnd).
struct Hunk
{
    int baseBegin = 0;
    int baseEnd = 0;
    int sideBegin = 0;
    int sideEnd = 0;
    int side = 0; // 0 ours, 1 theirs

    bool isInsertion() const { return baseBegin == baseEnd; }
};

// Greedy Myers over a[0, n) and b[0, m): sets match[i] to the b index of each
// kept a line (entries of deleted lines stay -1). False past the budget.
bool myers(const int *a, int n, const int *b, int m, int *match)
{
    const int maxD = std::min(n + m, kMaxEditDistance);
    const int off = maxD + 1;
    std::vector<int> v(2 * std::size_t(maxD) + 3, 0);
    std::vector<int> trace; // v[-d..d] after step d, from index d*d
    qint64 work = 0;
    int found = -1;
    for (int d = 0; d <= maxD && found < 0; ++d) {
        for (int k = -d; k <= d; k += 2) {
            int x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1]
                                                                             : v[off + k - 1] + 1;
            int y = x - k;
            const int x0 = x;
            while (x < n && y < m && a[x] == b[y]) {
                ++x;
                ++y;
            }
            work += 1 + (x - x0);
            v[off + k] = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
        trace.insert(trace.end(), v.begin() + off - d, v.begin() + off + d + 1);
        if (work > kDiffBudget) {
            return false;
        }
    }
    if (found < 0) {
        return false;
    }
    int x = n;
    int y = m;
    for (int d = found; d > 0; --d) {
        const int *prev = trace.data() + std::size_t(d - 1) * std::size_t(d - 1) + (d - 1);
        const int k = x - y;
        const bool down = k == -d || (k != d && prev[k - 1] < prev[k + 1]);
        const int prevK = down ? k + 1 : k - 1;
        const int prevX = prev[prevK];
        const int snakeX = down ? prevX : prevX + 1;
        while (x > snakeX) {
            --x;
            --y;
            match[x] = y;
        }
        x = prevX;
        y = prevX - prevK;
    }
    while (x > 0) {
        --x;
        --y;
        match[x] = y;
    }
    return true;
}

// The changes turning base into side, in base order, maximal (two hunks of one
// side never touch). Nullopt past the budget.
std::optional<std::vector<Hunk>> diff(const Ids &base, const Ids &side, int sideTag)
{
    const int n = int(base.size());
    const int m = int(side.size());
    int prefix = 0;
    while (prefix < n && prefix < m && base[prefix] == side[prefix]) {
        ++prefix;
    }
    int suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix &&
           base[n - 1 - suffix] == side[m - 1 - suffix]) {
        ++suffix;
    }
    const int bn = n - prefix - suffix;
    const int sm = m - prefix - suffix;
    std::vector<int> match(std::size_t(bn), -1);
    if (bn > 0 && sm > 0 &&
        !myers(base.data() + prefix, bn, side.data() + prefix, sm, match.data())) {
        return std::nullopt;
    }
    std::vector<Hunk> hunks;
    int i = 0;
    int j = 0;
    while (i < bn || j < sm) {
        if (i < bn && match[i] == j) {
            ++i;
            ++j;
            continue;
        }
        const int baseBegin = i;
        const int sideBegin = j;
        while (i < bn && match[i] < 0) {
            ++i;
        }
        j = i < bn ? match[i] : sm;
        hunks.push_back({prefix + baseBegin, prefix + i, prefix + sideBegin, prefix + j, sideTag});
    }
    return hunks;
}

// Whether h joins a group of changes covering base [lo, hi), h starting at or
// after lo. The group's interior points all lie strictly inside one of its
// changes, and an empty group is insertions at lo.
bool joins(const Hunk &h, int lo, int hi)
{
    if (lo == hi) {
        return h.isInsertion() && h.baseBegin == lo;
    }
    if (h.isInsertion()) {
        return lo < h.baseBegin && h.baseBegin < hi;
    }
    return h.baseBegin < hi;
}

// Where base [lo, hi) lands in a side, given that side's hunks in a group
// covering it (none: the side left it as base).
std::pair<int, int> sideRange(const Hunk *first, const Hunk *last, int lo, int hi)
{
    if (!first) {
        return {lo, hi};
    }
    return {first->sideBegin - (first->baseBegin - lo), last->sideEnd + (hi - last->baseEnd)};
}

} // namespace

TextMerge mergeText(const QString &base, const QString &ours, const QString &theirs)
{
    if (ours == theirs || theirs == base) {
        return {true, ours};
    }
    if (ours == base) {
        return {true, theirs};
    }
    if (lineCount(base) > kMaxMergeLines || lineCount(ours) > kMaxMergeLines ||
        lineCount(theirs) > kMaxMergeLines) {
        return {};
    }

    const Lines baseLines = splitLines(base);
    const Lines sideLines[2] = {splitLines(ours), splitLines(theirs)};
    // Equal lines get equal ids, so comparing ids is comparing text.
    QHash<QStringView, int> idOf;
    idOf.reserve(qsizetype(baseLines.size() + sideLines[0].size() + sideLines[1].size()));
    const auto intern = [&idOf](const Lines &lines) {
        Ids ids;
        ids.reserve(lines.size());
        for (const QStringView line : lines) {
            auto it = idOf.constFind(line);
            if (it == idOf.cend()) {
                it = idOf.insert(line, int(idOf.size()));
            }
            ids.push_back(*it);
        }
        return ids;
    };
    const Ids baseIds = intern(baseLines);
    const Ids sideIds[2] = {intern(sideLines[0]), intern(sideLines[1])};

    auto oursHunks = diff(baseIds, sideIds[0], 0);
    if (!oursHunks) {
        return {};
    }
    auto theirsHunks = diff(baseIds, sideIds[1], 1);
    if (!theirsHunks) {
        return {};
    }
    std::vector<Hunk> hunks = std::move(*oursHunks);
    hunks.insert(hunks.end(), theirsHunks->begin(), theirsHunks->end());
    // Insertions at a position sort before a change starting there.
    std::sort(hunks.begin(), hunks.end(), [](const Hunk &l, const Hunk &r) {
        return std::tie(l.baseBegin, l.baseEnd, l.side) < std::tie(r.baseBegin, r.baseEnd, r.side);
    });

    QString out;
    out.reserve(std::max(ours.size(), theirs.size()));
    const auto appendLines = [&out](const Lines &lines, int begin, int end) {
        for (int i = begin; i < end; ++i) {
            out.append(lines[std::size_t(i)]);
        }
    };
    int cursor = 0; // base lines before it are emitted
    std::size_t g = 0;
    while (g < hunks.size()) {
        const int lo = hunks[g].baseBegin;
        int hi = hunks[g].baseEnd;
        std::size_t e = g + 1;
        while (e < hunks.size() && joins(hunks[e], lo, hi)) {
            hi = std::max(hi, hunks[e].baseEnd);
            ++e;
        }
        const Hunk *first[2] = {nullptr, nullptr};
        const Hunk *last[2] = {nullptr, nullptr};
        for (std::size_t i = g; i < e; ++i) {
            const int s = hunks[i].side;
            if (!first[s]) {
                first[s] = &hunks[i];
            }
            last[s] = &hunks[i];
        }
        const auto [oursBegin, oursEnd] = sideRange(first[0], last[0], lo, hi);
        const auto [theirsBegin, theirsEnd] = sideRange(first[1], last[1], lo, hi);
        // The side that changed this range; when both did, they must agree.
        const int taken = first[0] ? 0 : 1;
        if (first[0] && first[1] &&
            !std::equal(sideIds[0].begin() + oursBegin, sideIds[0].begin() + oursEnd,
                        sideIds[1].begin() + theirsBegin, sideIds[1].begin() + theirsEnd)) {
            return {};
        }
        appendLines(baseLines, cursor, lo);
        if (taken == 0) {
            appendLines(sideLines[0], oursBegin, oursEnd);
        } else {
            appendLines(sideLines[1], theirsBegin, theirsEnd);
        }
        cursor = hi;
        g = e;
    }
    appendLines(baseLines, cursor, int(baseLines.size()));
    return {true, out};
}

} // namespace colophon
