// SPDX-License-Identifier: MIT
// An error shown under the form field it is about (a service error naming
// the field, or a check made before calling), also given to assistive
// technology as the field's description.
#pragma once

#include <QString>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QWidget)

namespace colophon {

// A hidden error line, named for tests.
QLabel *fieldErrorLabel(const QString &objectName, QWidget *parent);
// The field with its error line under it, for a form row.
QWidget *withFieldError(QWidget *field, QLabel *error, QWidget *parent);
// Shows message (capitalised) under field.
void showFieldError(QLabel *error, QWidget *field, const QString &message);
void clearFieldError(QLabel *error, QWidget *field);

} // namespace colophon
