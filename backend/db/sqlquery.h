// SPDX-License-Identifier: MIT
// A thin layer over QSqlQuery that turns SQL failures into Error values, so
// store code reads as a sequence of checked steps.
#pragma once

#include "backend/core/error.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>
#include <initializer_list>

namespace colophon {

// Prepares (cached per connection by Qt's driver only when reused), binds
// positional values and runs sql. Errors carry the statement's first words.
Result<QSqlQuery> execSql(const QSqlDatabase &db, const QString &sql,
                          std::initializer_list<QVariant> values = {});
Result<QSqlQuery> execSql(const QSqlDatabase &db, const QString &sql, const QVariantList &values);

// Runs sql and returns the first column of the first row, or NotFound.
Result<QVariant> queryValue(const QSqlDatabase &db, const QString &sql,
                            std::initializer_list<QVariant> values = {});

// "?, ?, ?": n positional placeholders, for IN lists and generated INSERTs.
QString sqlPlaceholders(qsizetype n);

// The Error for a failed query: Unavailable for busy/locked, Internal otherwise.
Error sqlError(const QSqlQuery &query, const QString &what);

} // namespace colophon
