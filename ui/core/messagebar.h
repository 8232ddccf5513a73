// SPDX-License-Identifier: MIT
// An inline message placed next to what it is about: an error from a
// service (with the field it names), a warning, or a notice such as "this
// item was changed elsewhere" with an optional action. Never modal.
#pragma once

#include "backend/core/error.h"

#include <QFrame>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QPushButton)

namespace colophon {

class MessageBar final : public QFrame
{
    Q_OBJECT

public:
    enum class Kind { Info, Success, Warning, Error };

    explicit MessageBar(QWidget *parent = nullptr);

    void showMessage(Kind kind, const QString &text, const QString &actionLabel = {});
    // The error's message, naming its field when it has one.
    void showError(const Error &error, const QString &context = {});
    void clear();

    Kind kind() const { return m_kind; }
    QString text() const;

    // "Could not save: the title is required (title)".
    static QString describe(const Error &error, const QString &context = {});

signals:
    void actionTriggered();

private:
    Kind m_kind = Kind::Info;
    QLabel *m_label;
    QPushButton *m_action;
};

} // namespace colophon
