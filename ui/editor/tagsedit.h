// SPDX-License-Identifier: MIT
// The tags of an item as one comma-separated line: the tag being typed is
// completed from the tags already in use, new tags are welcome, and when
// the field is left its text is shown normalised ("Qt,  Brand New" becomes
// "qt, brand new").
#pragma once

#include <QLineEdit>

QT_FORWARD_DECLARE_CLASS(QCompleter)
QT_FORWARD_DECLARE_CLASS(QStringListModel)

namespace colophon {

class TagsEdit final : public QLineEdit
{
    Q_OBJECT

public:
    explicit TagsEdit(QWidget *parent = nullptr);

    // What the completer offers, most used first.
    void setKnownTags(const QStringList &tags);
    QStringList knownTags() const;

    // The tags typed: normalised (trimmed, single spaces, lower case), each once.
    QStringList tags() const;
    void setTags(const QStringList &tags);

    static QString normalise(const QString &tag);

    QCompleter *tagCompleter() const { return m_completer; }

signals:
    // The set of tags may have changed (on every edit).
    void tagsChanged();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    // The part of the text the cursor is in: [start, end) of the current tag.
    std::pair<int, int> currentSegment() const;
    void updateCompletion();
    void insertCompletion(const QString &tag);
    void tidy();

    QCompleter *m_completer;
    QStringListModel *m_model;
};

} // namespace colophon
