// SPDX-License-Identifier: MIT
#include "ui/editor/markdownhighlighter.h"

#include <QFontDatabase>
#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>
#include <QTextDocument>

namespace colophon {

namespace {

enum BlockState { Normal = 0, InFence = 1 };

// A fence opens and closes with three backticks or tildes.
bool isFence(const QString &text)
{
    const QString t = text.trimmed();
    return t.startsWith(QLatin1String("```")) || t.startsWith(QLatin1String("~~~"));
}

} // namespace

MarkdownHighlighter::MarkdownHighlighter(QTextDocument *document) : QSyntaxHighlighter(document)
{
    m_dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
}

void MarkdownHighlighter::setPalette(const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    if (dark != m_dark) {
        m_dark = dark;
        rehighlight();
    }
}

QTextCharFormat MarkdownHighlighter::format(Kind kind) const
{
    // Each pair: on a light base, on a dark base. Mid-saturation hues that
    // keep a contrast ratio of about 4.5:1 against white or near-black.
    const auto pick = [this](const char *light, const char *dark) {
        return QColor(QLatin1String(m_dark ? dark : light));
    };
    QTextCharFormat f;
    switch (kind) {
    case Kind::Heading:
        f.setFontWeight(QFont::Bold);
        f.setForeground(pick("#1d4f91", "#8cb8ff"));
        break;
    case Kind::Emphasis:
        f.setFontItalic(true);
        break;
    case Kind::Strong:
        f.setFontWeight(QFont::Bold);
        break;
    case Kind::Code:
    case Kind::CodeFence: {
        const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        f.setFontFamilies(fixed.families());
        f.setFontFixedPitch(true);
        f.setForeground(pick("#9a3412", "#f5a97f"));
        f.setBackground(QColor(127, 127, 127, kind == Kind::Code ? 40 : 28));
        break;
    }
    case Kind::Link:
        f.setFontUnderline(true);
        f.setForeground(pick("#0b5cad", "#79b8ff"));
        break;
    case Kind::ListMarker:
        f.setFontWeight(QFont::Bold);
        f.setForeground(pick("#9a5b00", "#f0b35a"));
        break;
    case Kind::Quote:
        f.setFontItalic(true);
        f.setForeground(pick("#5f6368", "#a8adb3"));
        break;
    }
    return f;
}

void MarkdownHighlighter::apply(int start, int length, const QTextCharFormat &add)
{
    // Merged character by character so that, say, emphasis inside a heading
    // is both; the highlighter coalesces equal neighbours into one range.
    for (int i = start; i < start + length; ++i) {
        QTextCharFormat f = QSyntaxHighlighter::format(i);
        f.merge(add);
        setFormat(i, 1, f);
    }
}

void MarkdownHighlighter::highlightBlock(const QString &text)
{
    const bool wasInFence = previousBlockState() == InFence;
    if (wasInFence || isFence(text)) {
        apply(0, int(text.size()), format(Kind::CodeFence));
        const bool closes = wasInFence && isFence(text);
        const bool opens = !wasInFence && isFence(text);
        setCurrentBlockState(opens || (wasInFence && !closes) ? InFence : Normal);
        return;
    }
    setCurrentBlockState(Normal);

    static const QRegularExpression heading(QStringLiteral("^ {0,3}#{1,6}(\\s|$)"));
    static const QRegularExpression setextUnderline(QStringLiteral("^ {0,3}(=+|-{2,})\\s*$"));
    static const QRegularExpression quote(QStringLiteral("^ {0,3}>"));
    static const QRegularExpression listMarker(QStringLiteral("^\\s*([-*+]|\\d{1,9}[.)])\\s"));
    if (heading.match(text).hasMatch() || setextUnderline.match(text).hasMatch()) {
        apply(0, int(text.size()), format(Kind::Heading));
    } else if (quote.match(text).hasMatch()) {
        apply(0, int(text.size()), format(Kind::Quote));
    } else if (const auto m = listMarker.match(text); m.hasMatch()) {
        apply(int(m.capturedStart(1)), int(m.capturedLength(1)), format(Kind::ListMarker));
    }

    // Code spans first: nothing inside them is emphasis or a link.
    QList<std::pair<int, int>> code;
    static const QRegularExpression codeSpan(QStringLiteral("(`+)(.+?)\\1"));
    for (auto it = codeSpan.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        code.append({int(m.capturedStart()), int(m.capturedEnd())});
        apply(int(m.capturedStart()), int(m.capturedLength()), format(Kind::Code));
    }
    const auto inCode = [&code](qsizetype start, qsizetype end) {
        for (const auto &[s, e] : code) {
            if (start < e && end > s) {
                return true;
            }
        }
        return false;
    };
    const auto each = [&](const QRegularExpression &re, Kind kind) {
        for (auto it = re.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            if (!inCode(m.capturedStart(), m.capturedEnd())) {
                apply(int(m.capturedStart()), int(m.capturedLength()), format(kind));
            }
        }
    };
    static const QRegularExpression strong(QStringLiteral("(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1"));
    static const QRegularExpression emphasis(
        QStringLiteral("(?<![*\\w])\\*(?![*\\s])(.+?)(?<![*\\s])\\*(?!\\*)|"
                       "(?<![_\\w])_(?![_\\s])(.+?)(?<![_\\s])_(?![_\\w])"));
    static const QRegularExpression link(QStringLiteral(
        "!?\\[[^\\]]*\\]\\([^)\\s]*(?:\\s+\"[^\"]*\")?\\)|<(?:https?|mailto):[^>\\s]+>|"
        "\\bhttps?://[^\\s<>()]+"));
    each(strong, Kind::Strong);
    each(emphasis, Kind::Emphasis);
    each(link, Kind::Link);
}

} // namespace colophon
