// SPDX-License-Identifier: MIT
// Syntax highlighting for the Markdown body: headings, emphasis and strong
// emphasis, code spans and fenced code, links, list markers and quotes, in
// colours chosen for the palette (light or dark) the editor shows.
#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

QT_FORWARD_DECLARE_CLASS(QPalette)

namespace colophon {

class MarkdownHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    enum class Kind { Heading, Emphasis, Strong, Code, CodeFence, Link, ListMarker, Quote };

    explicit MarkdownHighlighter(QTextDocument *document);

    // Picks colours that read on the palette's base colour; rehighlights.
    void setPalette(const QPalette &palette);
    bool isDark() const { return m_dark; }

    // The format applied for a kind (merged over what else applies).
    QTextCharFormat format(Kind kind) const;

protected:
    void highlightBlock(const QString &text) override;

private:
    void apply(int start, int length, const QTextCharFormat &format);

    bool m_dark = false;
};

} // namespace colophon
