// SPDX-License-Identifier: MIT
#include "ui/core/fielderror.h"

#include <QLabel>
#include <QVBoxLayout>

namespace colophon {

QLabel *fieldErrorLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    // Reads on the light and the dark palette alike.
    label->setStyleSheet(QStringLiteral("color: #d9413b;"));
    label->setVisible(false);
    return label;
}

QWidget *withFieldError(QWidget *field, QLabel *error, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(field);
    layout->addWidget(error);
    return box;
}

void showFieldError(QLabel *error, QWidget *field, const QString &message)
{
    QString text = message;
    if (!text.isEmpty()) {
        text[0] = text[0].toUpper();
    }
    error->setText(text);
    error->setVisible(true);
    field->setAccessibleDescription(text);
}

void clearFieldError(QLabel *error, QWidget *field)
{
    error->clear();
    error->setVisible(false);
    field->setAccessibleDescription({});
}

} // namespace colophon
