// SPDX-License-Identifier: MIT
#include "ui/editor/tagsedit.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QStringListModel>

namespace colophon {

TagsEdit::TagsEdit(QWidget *parent)
    : QLineEdit(parent), m_completer(new QCompleter(this)), m_model(new QStringListModel(this))
{
    setPlaceholderText(tr("Comma-separated, e.g. travel, long read"));
    setToolTip(tr("Tags, separated by commas. Existing tags are suggested as you type; new "
                  "tags are created when the item is saved."));
    setAccessibleName(tr("Tags"));
    setClearButtonEnabled(true);
    m_completer->setModel(m_model);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setModelSorting(QCompleter::UnsortedModel);
    m_completer->setWidget(this);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &TagsEdit::insertCompletion);
    connect(this, &QLineEdit::textEdited, this, &TagsEdit::updateCompletion);
    connect(this, &QLineEdit::textChanged, this, &TagsEdit::tagsChanged);
    connect(this, &QLineEdit::editingFinished, this, &TagsEdit::tidy);
}

void TagsEdit::setKnownTags(const QStringList &tags)
{
    m_model->setStringList(tags);
}

QStringList TagsEdit::knownTags() const
{
    return m_model->stringList();
}

QString TagsEdit::normalise(const QString &tag)
{
    return tag.simplified().toLower();
}

QStringList TagsEdit::tags() const
{
    QStringList out;
    for (const QString &part : text().split(QLatin1Char(','))) {
        const QString tag = normalise(part);
        if (!tag.isEmpty() && !out.contains(tag)) {
            out << tag;
        }
    }
    return out;
}

void TagsEdit::setTags(const QStringList &tags)
{
    QStringList clean;
    for (const QString &t : tags) {
        const QString tag = normalise(t);
        if (!tag.isEmpty() && !clean.contains(tag)) {
            clean << tag;
        }
    }
    setText(clean.join(QLatin1String(", ")));
}

std::pair<int, int> TagsEdit::currentSegment() const
{
    const QString t = text();
    const int cursor = cursorPosition();
    const int start = int(t.lastIndexOf(QLatin1Char(','), cursor - 1)) + 1;
    int end = int(t.indexOf(QLatin1Char(','), cursor));
    if (end < 0) {
        end = int(t.size());
    }
    return {start, end};
}

void TagsEdit::updateCompletion()
{
    const auto [start, end] = currentSegment();
    const QString prefix = normalise(text().mid(start, cursorPosition() - start));
    if (prefix.isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(prefix);
    if (m_completer->completionCount() == 0 ||
        (m_completer->completionCount() == 1 && m_completer->currentCompletion() == prefix)) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->complete();
}

void TagsEdit::insertCompletion(const QString &tag)
{
    const auto [start, end] = currentSegment();
    QString t = text();
    const QString lead = start > 0 ? QStringLiteral(" ") : QString();
    const bool last = end >= t.size();
    const QString replacement = lead + tag + (last ? QStringLiteral(", ") : QString());
    t.replace(start, end - start, replacement);
    setText(t);
    setCursorPosition(start + int(replacement.size()));
}

void TagsEdit::keyPressEvent(QKeyEvent *event)
{
    if (m_completer->popup()->isVisible()) {
        // The popup takes these; the line edit must not act on them too.
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            event->ignore();
            return;
        default:
            break;
        }
    }
    QLineEdit::keyPressEvent(event);
}

void TagsEdit::tidy()
{
    if (m_completer->popup()->isVisible()) {
        return;
    }
    const QString clean = tags().join(QLatin1String(", "));
    if (clean != text()) {
        setText(clean);
    }
}

} // namespace colophon
