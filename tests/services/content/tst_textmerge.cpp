// SPDX-License-Identifier: MIT
// Proves the line-level three-way merge of bodies: fast-forwards, disjoint and
// identical edits merge, overlapping ones conflict, the text round-trips to
// the byte (trailing newline included), the result is symmetric in the two
// sides, and oversized inputs return promptly.
#include "services/content/textmerge.h"

#include <QRandomGenerator>
#include <QStringList>
#include <QTest>
#include <vector>

using namespace colophon;

namespace {

// Lines are given without their '\n'; each gets one.
QString text(const QStringList &lines)
{
    QString out;
    for (const QString &line : lines) {
        out += line + u'\n';
    }
    return out;
}

QString numbered(int count, const QString &prefix)
{
    QString out;
    for (int i = 0; i < count; ++i) {
        out += prefix + QString::number(i) + u'\n';
    }
    return out;
}

// Both argument orders: equally clean and, when clean, the same text.
TextMerge mergeBothWays(const QString &base, const QString &ours, const QString &theirs)
{
    const TextMerge one = mergeText(base, ours, theirs);
    const TextMerge other = mergeText(base, theirs, ours);
    if (one.clean != other.clean || (one.clean && one.text != other.text)) {
        qWarning("asymmetric merge of base %s", qPrintable(base));
        return {};
    }
    return one;
}

// A random case: base lines, each changed by at most one side, and insertions
// at each position by at most one side, never strictly inside a run of lines
// the other side changed. Every line is unique, so the expected merge is known.
struct Plan
{
    QString base;
    QString ours;
    QString theirs;
    QString expected;
};

Plan disjointPlan(QRandomGenerator &rng, int caseNo)
{
    enum Owner { None = 0, Ours = 1, Theirs = 2 };
    const int n = int(rng.bounded(1, 13));
    int fresh = 0;
    const auto newLines = [&](int owner, int least) {
        QStringList lines;
        const int count = int(rng.bounded(least, 3));
        for (int i = 0; i < count; ++i) {
            lines << QStringLiteral("%1 %2.%3\n")
                         .arg(owner == Ours ? QStringLiteral("ours") : QStringLiteral("theirs"))
                         .arg(caseNo)
                         .arg(fresh++);
        }
        return lines;
    };
    std::vector<int> lineOwner(std::size_t(n), None);
    std::vector<QStringList> lineNew(static_cast<std::size_t>(n)); // empty: deleted
    for (std::size_t i = 0; i < lineOwner.size(); ++i) {
        const quint32 r = rng.bounded(8);
        lineOwner[i] = r < 4 ? None : r < 6 ? Ours : Theirs;
        if (lineOwner[i] != None) {
            lineNew[i] = newLines(lineOwner[i], rng.bounded(3) == 0 ? 0 : 1);
        }
    }
    std::vector<int> gapOwner(std::size_t(n) + 1, None);
    std::vector<QStringList> gapNew(std::size_t(n) + 1);
    for (std::size_t p = 0; p < gapOwner.size(); ++p) {
        const quint32 r = rng.bounded(8);
        const int owner = r < 6 ? None : r < 7 ? Ours : Theirs;
        const int other = owner == Ours ? Theirs : Ours;
        if (owner == None ||
            (p > 0 && p < lineOwner.size() && lineOwner[p - 1] == other && lineOwner[p] == other)) {
            continue;
        }
        gapOwner[p] = owner;
        gapNew[p] = newLines(owner, 1);
    }
    const auto render = [&](bool ours, bool theirs) {
        QString out;
        for (std::size_t p = 0; p <= lineOwner.size(); ++p) {
            if ((gapOwner[p] == Ours && ours) || (gapOwner[p] == Theirs && theirs)) {
                out += gapNew[p].join(QString());
            }
            if (p == lineOwner.size()) {
                break;
            }
            if ((lineOwner[p] == Ours && ours) || (lineOwner[p] == Theirs && theirs)) {
                out += lineNew[p].join(QString());
            } else {
                out += QStringLiteral("base %1.%2\n").arg(caseNo).arg(p);
            }
        }
        return out;
    };
    return {render(false, false), render(true, false), render(false, true), render(true, true)};
}

// Base lines from a tiny alphabet, so that diffs meet repeated lines.
QStringList tinyLines(QRandomGenerator &rng, int count, int letters)
{
    QStringList lines;
    for (int i = 0; i < count; ++i) {
        lines << QString(QChar(u'a' + int(rng.bounded(letters))));
    }
    return lines;
}

QString randomEdit(QRandomGenerator &rng, QStringList lines, bool trailingNewline)
{
    const int edits = int(rng.bounded(0, 4));
    for (int e = 0; e < edits; ++e) {
        const quint32 kind = rng.bounded(3);
        if (kind == 0 || lines.isEmpty()) {
            lines.insert(rng.bounded(int(lines.size()) + 1), tinyLines(rng, 1, 4).first());
        } else if (kind == 1) {
            lines.removeAt(rng.bounded(int(lines.size())));
        } else {
            lines[rng.bounded(int(lines.size()))] = tinyLines(rng, 1, 4).first();
        }
    }
    if (rng.bounded(10) == 0) {
        trailingNewline = !trailingNewline;
    }
    QString out = text(lines);
    if (!trailingNewline && !out.isEmpty()) {
        out.chop(1);
    }
    return out;
}

} // namespace

class TestTextMerge final : public QObject
{
    Q_OBJECT

private slots:
    void fastForwardTakesTheChangedSide()
    {
        const QString base = text({"a", "b", "c"});
        const QString edited = text({"a", "B", "c", "d"});
        TextMerge m = mergeText(base, base, edited);
        QVERIFY(m.clean);
        QCOMPARE(m.text, edited);
        m = mergeText(base, edited, base);
        QVERIFY(m.clean);
        QCOMPARE(m.text, edited);
        m = mergeText(base, base, base);
        QVERIFY(m.clean);
        QCOMPARE(m.text, base);
    }

    void identicalChangeOnBothSidesIsClean()
    {
        const QString base = text({"a", "b", "c", "d"});
        const QString edited = text({"a", "B", "x", "d"});
        TextMerge m = mergeBothWays(base, edited, edited);
        QVERIFY(m.clean);
        QCOMPARE(m.text, edited);
        // The same line changed the same way, each side also changing a line elsewhere.
        m = mergeBothWays(base + QStringLiteral("e\n"), text({"A", "b", "C", "d", "e"}),
                          text({"a", "b", "C", "d", "E"}));
        QVERIFY(m.clean);
        QCOMPARE(m.text, text({"A", "b", "C", "d", "E"}));
        // The same lines deleted on both sides.
        m = mergeBothWays(base, text({"a", "d"}), text({"a", "d"}) + QStringLiteral("e\n"));
        QVERIFY(m.clean);
        QCOMPARE(m.text, text({"a", "d", "e"}));
        // Both append the same line, one side also changing the first.
        m = mergeBothWays(base, text({"A", "b", "c", "d", "e"}), text({"a", "b", "c", "d", "e"}));
        QVERIFY(m.clean);
        QCOMPARE(m.text, text({"A", "b", "c", "d", "e"}));
    }

    void disjointEditsMerge_data()
    {
        QTest::addColumn<QString>("ours");
        QTest::addColumn<QString>("theirs");
        QTest::addColumn<QString>("expected");
        // base: a b c d e f
        QTest::newRow("start and middle")
            << text({"A", "b", "c", "d", "e", "f"}) << text({"a", "b", "c", "D", "e", "f"})
            << text({"A", "b", "c", "D", "e", "f"});
        QTest::newRow("middle and end")
            << text({"a", "b", "C", "d", "e", "f"}) << text({"a", "b", "c", "d", "e", "F"})
            << text({"a", "b", "C", "d", "e", "F"});
        QTest::newRow("start and end")
            << text({"A", "b", "c", "d", "e", "f"}) << text({"a", "b", "c", "d", "e", "F"})
            << text({"A", "b", "c", "d", "e", "F"});
        QTest::newRow("insert at start, append at end")
            << text({"0", "a", "b", "c", "d", "e", "f"})
            << text({"a", "b", "c", "d", "e", "f", "g"})
            << text({"0", "a", "b", "c", "d", "e", "f", "g"});
        QTest::newRow("neighbouring lines")
            << text({"a", "b", "C", "d", "e", "f"}) << text({"a", "b", "c", "D", "e", "f"})
            << text({"a", "b", "C", "D", "e", "f"});
        QTest::newRow("insertion before the other's changed line")
            << text({"a", "b", "x", "c", "d", "e", "f"}) << text({"a", "b", "C", "d", "e", "f"})
            << text({"a", "b", "x", "C", "d", "e", "f"});
        QTest::newRow("insertion after the other's changed line")
            << text({"a", "b", "c", "x", "d", "e", "f"}) << text({"a", "b", "C", "d", "e", "f"})
            << text({"a", "b", "C", "x", "d", "e", "f"});
        QTest::newRow("insertions at different places")
            << text({"a", "x", "b", "c", "d", "e", "f"})
            << text({"a", "b", "y", "c", "d", "e", "f"})
            << text({"a", "x", "b", "y", "c", "d", "e", "f"});
        QTest::newRow("delete one line, edit a far line")
            << text({"a", "c", "d", "e", "f"}) << text({"a", "b", "c", "d", "E", "f"})
            << text({"a", "c", "d", "E", "f"});
        QTest::newRow("delete one line, edit the next")
            << text({"a", "b", "d", "e", "f"}) << text({"a", "b", "c", "D", "e", "f"})
            << text({"a", "b", "D", "e", "f"});
        QTest::newRow("both delete different lines")
            << text({"b", "c", "d", "e", "f"}) << text({"a", "b", "c", "d", "e"})
            << text({"b", "c", "d", "e"});
    }

    void disjointEditsMerge()
    {
        QFETCH(QString, ours);
        QFETCH(QString, theirs);
        QFETCH(QString, expected);
        const TextMerge m = mergeBothWays(text({"a", "b", "c", "d", "e", "f"}), ours, theirs);
        QVERIFY(m.clean);
        QCOMPARE(m.text, expected);
    }

    void overlappingEditsConflict_data()
    {
        QTest::addColumn<QString>("ours");
        QTest::addColumn<QString>("theirs");
        // base: a b c d e f
        QTest::newRow("same line, different edits")
            << text({"a", "b", "X", "d", "e", "f"}) << text({"a", "b", "Y", "d", "e", "f"});
        QTest::newRow("overlapping ranges")
            << text({"a", "X", "X", "d", "e", "f"}) << text({"a", "b", "Y", "Y", "e", "f"});
        QTest::newRow("insertion inside the other's changed range")
            << text({"a", "b", "c", "x", "d", "e", "f"}) << text({"a", "b", "C", "D", "e", "f"});
        QTest::newRow("both insert different lines at one place")
            << text({"a", "b", "x", "c", "d", "e", "f"})
            << text({"a", "b", "y", "c", "d", "e", "f"});
        QTest::newRow("both append different lines") << text({"a", "b", "c", "d", "e", "f", "x"})
                                                     << text({"a", "b", "c", "d", "e", "f", "y"});
        QTest::newRow("one deletes the line the other edits")
            << text({"a", "b", "d", "e", "f"}) << text({"a", "b", "C", "d", "e", "f"});
        QTest::newRow("one deletes a range the other edits inside")
            << text({"a", "e", "f"}) << text({"a", "b", "C", "d", "e", "f"});
        // Overlapping changes count as one region: equal only if the whole region is.
        QTest::newRow("identical line inside a larger change")
            << text({"A", "B", "c", "d", "e", "f"}) << text({"a", "B", "c", "d", "e", "f"});
    }

    void overlappingEditsConflict()
    {
        QFETCH(QString, ours);
        QFETCH(QString, theirs);
        const QString base = text({"a", "b", "c", "d", "e", "f"});
        QVERIFY(!mergeText(base, ours, theirs).clean);
        QVERIFY(!mergeText(base, theirs, ours).clean);
    }

    void noChangeRoundTripsExactly_data()
    {
        QTest::addColumn<QString>("body");
        QTest::newRow("trailing newline") << QStringLiteral("a\nb\n");
        QTest::newRow("no trailing newline") << QStringLiteral("a\nb");
        QTest::newRow("empty") << QString();
        QTest::newRow("only a newline") << QStringLiteral("\n");
        QTest::newRow("blank lines") << QStringLiteral("\n\na\n\n");
        QTest::newRow("crlf") << QStringLiteral("a\r\nb\r\n");
    }

    void noChangeRoundTripsExactly()
    {
        QFETCH(QString, body);
        const TextMerge m = mergeText(body, body, body);
        QVERIFY(m.clean);
        QCOMPARE(m.text, body);
    }

    void trailingNewlineIsKeptAsEachSideLeftIt()
    {
        // Neither side touches the unterminated last line: it stays unterminated.
        TextMerge m = mergeBothWays(QStringLiteral("a\nb\nc"), QStringLiteral("A\nb\nc"),
                                    QStringLiteral("a\nB\nc"));
        QVERIFY(m.clean);
        QCOMPARE(m.text, QStringLiteral("A\nB\nc"));
        // Editing the unterminated last line keeps it unterminated.
        m = mergeBothWays(QStringLiteral("a\nb\nc"), QStringLiteral("A\nb\nc"),
                          QStringLiteral("a\nb\nC"));
        QVERIFY(m.clean);
        QCOMPARE(m.text, QStringLiteral("A\nb\nC"));
        // One side adds the final newline while the other edits the first line.
        m = mergeBothWays(QStringLiteral("a\nb\nc"), QStringLiteral("a\nb\nc\n"),
                          QStringLiteral("A\nb\nc"));
        QVERIFY(m.clean);
        QCOMPARE(m.text, QStringLiteral("A\nb\nc\n"));
        // One side drops the final newline while the other edits the first line.
        m = mergeBothWays(QStringLiteral("a\nb\nc\n"), QStringLiteral("a\nb\nc"),
                          QStringLiteral("A\nb\nc\n"));
        QVERIFY(m.clean);
        QCOMPARE(m.text, QStringLiteral("A\nb\nc"));
        // Dropping the final newline changes the last line: it conflicts with an edit of it.
        QVERIFY(!mergeText(QStringLiteral("a\nb\nc\n"), QStringLiteral("a\nb\nc"),
                           QStringLiteral("a\nb\nC\n"))
                     .clean);
    }

    void emptyBase()
    {
        TextMerge m = mergeBothWays(QString(), QStringLiteral("x\n"), QString());
        QVERIFY(m.clean);
        QCOMPARE(m.text, QStringLiteral("x\n"));
        m = mergeBothWays(QString(), QStringLiteral("x\ny"), QStringLiteral("x\ny"));
        QVERIFY(m.clean);
        QCOMPARE(m.text, QStringLiteral("x\ny"));
        QVERIFY(!mergeText(QString(), QStringLiteral("x\n"), QStringLiteral("y\n")).clean);
        // Emptying a body conflicts with editing it.
        QVERIFY(!mergeText(text({"a", "b"}), QString(), text({"a", "B"})).clean);
    }

    void unicodeLines()
    {
        const QString base = QStringLiteral("# Tëst\nこんにちは\nplain\n😀 emoji\nÅngström\n");
        const QString ours = QStringLiteral("# Tëst ✓\nこんにちは\nplain\n😀 emoji\nÅngström\n");
        const QString theirs = QStringLiteral("# Tëst\nこんにちは\nplain\n😀🎉 emoji\nÅngström\n");
        const TextMerge m = mergeBothWays(base, ours, theirs);
        QVERIFY(m.clean);
        QCOMPARE(m.text, QStringLiteral("# Tëst ✓\nこんにちは\nplain\n😀🎉 emoji\nÅngström\n"));
        // Lines that differ only in a non-ASCII character are different lines.
        QVERIFY(!mergeText(base, QStringLiteral("# Tëst\nこんにちわ\nplain\n😀 emoji\nÅngström\n"),
                           QStringLiteral("# Tëst\nこんばんは\nplain\n😀 emoji\nÅngström\n"))
                     .clean);
    }

    void randomDisjointEditsMergeBothSides()
    {
        QRandomGenerator rng(20240611);
        for (int c = 0; c < 400; ++c) {
            const Plan plan = disjointPlan(rng, c);
            const TextMerge m = mergeText(plan.base, plan.ours, plan.theirs);
            const TextMerge swapped = mergeText(plan.base, plan.theirs, plan.ours);
            QVERIFY2(m.clean, qPrintable(QStringLiteral("case %1:\n%2--\n%3--\n%4")
                                             .arg(c)
                                             .arg(plan.base, plan.ours, plan.theirs)));
            QCOMPARE(m.text, plan.expected);
            QVERIFY(swapped.clean);
            QCOMPARE(swapped.text, plan.expected);
        }
    }

    void randomEditsAreSymmetric()
    {
        QRandomGenerator rng(7);
        int clean = 0;
        int conflicts = 0;
        for (int c = 0; c < 600; ++c) {
            const QStringList lines = tinyLines(rng, int(rng.bounded(0, 9)), 3);
            const bool trailingNewline = rng.bounded(4) != 0;
            QString base = text(lines);
            if (!trailingNewline && !base.isEmpty()) {
                base.chop(1);
            }
            const QString ours = randomEdit(rng, lines, trailingNewline);
            const QString theirs = randomEdit(rng, lines, trailingNewline);
            const TextMerge m = mergeText(base, ours, theirs);
            const TextMerge swapped = mergeText(base, theirs, ours);
            QCOMPARE(m.clean, swapped.clean);
            if (m.clean) {
                QCOMPARE(m.text, swapped.text);
                ++clean;
            } else {
                ++conflicts;
            }
        }
        // Both outcomes were exercised.
        QVERIFY(clean > 100);
        QVERIFY(conflicts > 50);
    }

    void largeInputsReturn()
    {
        // Over kMaxMergeLines: returns, not clean or correctly merged.
        QString base = numbered(30000, QStringLiteral("line "));
        QString ours = base;
        ours.replace(QStringLiteral("line 10\n"), QStringLiteral("LINE 10\n"));
        QString theirs = base;
        theirs.replace(QStringLiteral("line 29000\n"), QStringLiteral("LINE 29000\n"));
        QString expected = ours;
        expected.replace(QStringLiteral("line 29000\n"), QStringLiteral("LINE 29000\n"));
        TextMerge m = mergeText(base, ours, theirs);
        if (m.clean) {
            QCOMPARE(m.text, expected);
        }
        // A fast-forward is clean whatever the size.
        m = mergeText(base, base, theirs);
        QVERIFY(m.clean);
        QCOMPARE(m.text, theirs);
    }

    void mergeAtTheLineLimitIsClean()
    {
        const QString base = numbered(kMaxMergeLines, QStringLiteral("line "));
        QString ours = base;
        ours.replace(QStringLiteral("line 5\n"), QStringLiteral("LINE 5\n"));
        QString theirs = base;
        theirs.replace(QStringLiteral("line 19000\n"), QStringLiteral("LINE 19000\n"));
        QString expected = ours;
        expected.replace(QStringLiteral("line 19000\n"), QStringLiteral("LINE 19000\n"));
        const TextMerge m = mergeText(base, ours, theirs);
        QVERIFY(m.clean);
        QCOMPARE(m.text, expected);
    }

    void diffOverBudgetIsNotClean()
    {
        // Every line rewritten on one side: the diff is past its budget.
        const QString base = numbered(15000, QStringLiteral("old "));
        const QString ours = numbered(15000, QStringLiteral("new "));
        QString theirs = base;
        theirs.replace(QStringLiteral("old 7\n"), QStringLiteral("OLD 7\n"));
        QVERIFY(!mergeText(base, ours, theirs).clean);
        QVERIFY(!mergeText(base, theirs, ours).clean);
    }
};

QTEST_APPLESS_MAIN(TestTextMerge)
#include "tst_textmerge.moc"
