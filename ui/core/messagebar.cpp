// SPDX-License-Identifier: MIT
#include "ui/core/messagebar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>

namespace colophon {

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent), m_label(new QLabel(this)), m_action(new QPushButton(this))
{
    setObjectName(QStringLiteral("messageBar"));
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(tr("Message"));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_action->setVisible(false);
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setAutoRaise(true);
    close->setAccessibleName(tr("Dismiss message"));
    close->setToolTip(tr("Dismiss"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_action);
    layout->addWidget(close);
    connect(close, &QToolButton::clicked, this, &MessageBar::clear);
    connect(m_action, &QPushButton::clicked, this, &MessageBar::actionTriggered);
    setVisible(false);
}

void MessageBar::showMessage(Kind kind, const QString &text, const QString &actionLabel)
{
    m_kind = kind;
    // Tints that read on light and dark palettes alike.
    static const char *const tints[] = {"rgba(52,120,246,0.16)", "rgba(46,160,67,0.18)",
                                        "rgba(230,160,0,0.22)", "rgba(220,50,47,0.20)"};
    setStyleSheet(QStringLiteral("#messageBar { background: %1; border-radius: 4px; }")
                      .arg(QLatin1String(tints[static_cast<int>(kind)])));
    m_label->setText(text);
    setAccessibleDescription(text);
    m_action->setText(actionLabel);
    m_action->setVisible(!actionLabel.isEmpty());
    setVisible(true);
}

void MessageBar::showError(const Error &error, const QString &context)
{
    showMessage(Kind::Error, describe(error, context));
}

void MessageBar::clear()
{
    m_label->clear();
    setVisible(false);
}

QString MessageBar::text() const
{
    return isVisibleTo(parentWidget()) || !isHidden() ? m_label->text() : QString();
}

QString MessageBar::describe(const Error &error, const QString &context)
{
    QString text = error.message;
    if (!error.field.isEmpty() && !text.contains(error.field)) {
        text += QStringLiteral(" (%1)").arg(error.field);
    }
    if (error.code == ErrorCode::RateLimited && error.retryAfterSeconds > 0) {
        text += error.retryAfterSeconds == 1
                    ? QObject::tr(" Try again in a second.")
                    : QObject::tr(" Try again in %1 seconds.").arg(error.retryAfterSeconds);
    }
    return context.isEmpty() ? text : context + QStringLiteral(": ") + text;
}

} // namespace colophon
