// SPDX-License-Identifier: MIT
// The Markdown highlighter: headings, emphasis, code spans and fences,
// links, list markers and quotes get their formats in the blocks' layouts,
// and the colours follow a dark palette.
#include "ui/editor/markdownhighlighter.h"

#include <QAbstractTextDocumentLayout>
#include <QPalette>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

using namespace colophon;

namespace {

// The format the highlighter gave the character at pos of the block.
QTextCharFormat formatAt(const QTextBlock &block, int pos)
{
    for (const QTextLayout::FormatRange &range : block.layout()->formats()) {
        if (pos >= range.start && pos < range.start + range.length) {
            return range.format;
        }
    }
    return {};
}

QTextBlock blockOf(const QTextDocument &doc, const QString &line)
{
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
        if (b.text() == line) {
            return b;
        }
    }
    return {};
}

// The format at the first character of word within the line.
QTextCharFormat formatOf(const QTextDocument &doc, const QString &line, const QString &word)
{
    const QTextBlock block = blockOf(doc, line);
    return formatAt(block, int(line.indexOf(word)));
}

const QStringList kLines{
    QStringLiteral("# A heading"),
    QStringLiteral("plain words, *emphasis* and **strong** ones"),
    QStringLiteral("call `render()` here, `*not emphasis*` inside code"),
    QStringLiteral("see [the manual](https://example.org/manual) or <https://example.org>"),
    QStringLiteral("```cpp"),
    QStringLiteral("int *fenced* = 1;"),
    QStringLiteral("```"),
    QStringLiteral("after the fence *again*"),
    QStringLiteral("- a list item"),
    QStringLiteral("> a quoted line"),
};

} // namespace

class TestMarkdownHighlighter : public QObject
{
    Q_OBJECT

private:
    QTextDocument m_doc;
    MarkdownHighlighter *m_highlighter = nullptr;

private slots:
    void init()
    {
        m_doc.setPlainText(kLines.join(QLatin1Char('\n')));
        // As in an editor: a document reports its edits only once it has a layout.
        m_doc.documentLayout();
        m_highlighter = new MarkdownHighlighter(&m_doc);
        // The first highlighting is queued; until it runs, edits are not highlighted.
        QTest::qWait(20);
    }

    void cleanup()
    {
        delete m_highlighter;
        m_highlighter = nullptr;
    }

    void headingsAreBoldAndColoured()
    {
        const QTextCharFormat f = formatOf(m_doc, kLines[0], QStringLiteral("heading"));
        QCOMPARE(f.fontWeight(), int(QFont::Bold));
        QVERIFY(f.hasProperty(QTextFormat::ForegroundBrush));
        const QTextCharFormat plain = formatOf(m_doc, kLines[1], QStringLiteral("plain"));
        QVERIFY(plain.fontWeight() != int(QFont::Bold));
    }

    void emphasisIsItalicAndStrongIsBold()
    {
        QVERIFY(formatOf(m_doc, kLines[1], QStringLiteral("*emphasis*")).fontItalic());
        QVERIFY(!formatOf(m_doc, kLines[1], QStringLiteral("plain")).fontItalic());
        QCOMPARE(formatOf(m_doc, kLines[1], QStringLiteral("**strong**")).fontWeight(),
                 int(QFont::Bold));
        QVERIFY(!formatOf(m_doc, kLines[1], QStringLiteral("**strong**")).fontItalic());
        QVERIFY(!formatOf(m_doc, kLines[1], QStringLiteral(" ones")).fontItalic());
    }

    void codeSpansAndFencesAreFixedPitchAndHideEmphasis()
    {
        const QTextCharFormat span = formatOf(m_doc, kLines[2], QStringLiteral("render"));
        QVERIFY(span.fontFixedPitch());
        QVERIFY(span.hasProperty(QTextFormat::BackgroundBrush));
        QVERIFY(!formatOf(m_doc, kLines[2], QStringLiteral("call")).fontFixedPitch());
        // Nothing inside a code span is emphasis.
        const QTextCharFormat inside = formatOf(m_doc, kLines[2], QStringLiteral("not emphasis"));
        QVERIFY(inside.fontFixedPitch());
        QVERIFY(!inside.fontItalic());
        // Every line of a fence is code, its markers included; emphasis does not apply.
        for (int i : {4, 5, 6}) {
            QVERIFY2(formatAt(blockOf(m_doc, kLines[i]), 0).fontFixedPitch(),
                     qPrintable(kLines[i]));
        }
        QVERIFY(!formatOf(m_doc, kLines[5], QStringLiteral("fenced")).fontItalic());
        QCOMPARE(blockOf(m_doc, kLines[5]).userState(), 1);
        // After the closing fence, Markdown again.
        QVERIFY(!formatOf(m_doc, kLines[7], QStringLiteral("after")).fontFixedPitch());
        QVERIFY(formatOf(m_doc, kLines[7], QStringLiteral("again")).fontItalic());
    }

    void linksAreUnderlined()
    {
        QVERIFY(formatOf(m_doc, kLines[3], QStringLiteral("the manual")).fontUnderline());
        QVERIFY(formatOf(m_doc, kLines[3], QStringLiteral("https://example.org/manual"))
                    .fontUnderline());
        QVERIFY(formatOf(m_doc, kLines[3], QStringLiteral("<https")).fontUnderline());
        QVERIFY(!formatOf(m_doc, kLines[3], QStringLiteral("see")).fontUnderline());
    }

    void listMarkersAndQuotesAreMarked()
    {
        const QTextCharFormat marker = formatAt(blockOf(m_doc, kLines[8]), 0);
        QCOMPARE(marker.fontWeight(), int(QFont::Bold));
        QVERIFY(formatOf(m_doc, kLines[8], QStringLiteral("list")).fontWeight() !=
                int(QFont::Bold));
        QVERIFY(formatOf(m_doc, kLines[9], QStringLiteral("quoted")).fontItalic());
    }

    void editingRehighlightsTheChangedBlock()
    {
        QTextCursor cursor(blockOf(m_doc, kLines[1]));
        cursor.insertText(QStringLiteral("## "));
        QCOMPARE(formatAt(cursor.block(), 5).fontWeight(), int(QFont::Bold));
        // Opening a fence turns the following lines into code.
        QTextCursor top(m_doc.begin());
        top.insertText(QStringLiteral("```\n"));
        QVERIFY(formatOf(m_doc, kLines[0], QStringLiteral("heading")).fontFixedPitch());
    }

    void aDarkPaletteGetsLighterColours()
    {
        QPalette light;
        light.setColor(QPalette::Base, Qt::white);
        m_highlighter->setPalette(light);
        QVERIFY(!m_highlighter->isDark());
        const QColor onLight =
            formatOf(m_doc, kLines[0], QStringLiteral("heading")).foreground().color();
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        m_highlighter->setPalette(dark);
        QVERIFY(m_highlighter->isDark());
        const QColor onDark =
            formatOf(m_doc, kLines[0], QStringLiteral("heading")).foreground().color();
        QVERIFY(onDark != onLight);
        QVERIFY(onDark.lightness() > 128);
        QVERIFY(onLight.lightness() < 128);
    }
};

QTEST_MAIN(TestMarkdownHighlighter)
#include "tst_markdownhighlighter.moc"
