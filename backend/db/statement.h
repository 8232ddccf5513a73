// SPDX-License-Identifier: MIT
// A statement prepared once per thread connection and run through SQLite's
// C API: text goes in and comes out as UTF-8, with no QVariant and no copy of
// the row. For the paths that run on every request or for every imported row
// (a point read cost ~60 µs through QSqlQuery and its UTF-16 conversions of a
// 1 KB body, ~10 µs here). QSqlQuery stays the tool everywhere else.
//
// Obtain one from Database::statement() or Transaction::statement(); bind
// with 1-based indexes, then next() for rows or run() for a write. Columns
// are 0-based and their text stays valid until the next step. The handle
// resets the statement when it goes, which ends the read it began.
#pragma once

#include "backend/core/error.h"

#include <QString>
#include <QVariantList>
#include <QtGlobal>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace colophon {

class Statement final
{
public:
    // stmt is reset when the handle goes; finalized too when owned (a
    // one-off, made because the cached one was busy). inUse, when given, is
    // cleared then.
    Statement(sqlite3_stmt *stmt, bool *inUse, bool owned);
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&) = delete;
    ~Statement();

    Statement &bind(int index, std::string_view utf8);
    Statement &bind(int index, const char *utf8) { return bind(index, std::string_view(utf8)); }
    Statement &bind(int index, const std::string &utf8)
    {
        return bind(index, std::string_view(utf8));
    }
    Statement &bind(int index, const QString &text); // a null QString binds NULL
    Statement &bind(int index, qint64 value);
    Statement &bind(int index, int value) { return bind(index, qint64(value)); }
    Statement &bind(int index, double value);
    Statement &bindNull(int index);
    // values from index 1 on, by their type: null, integer (and bool), real, or text.
    Statement &bindAll(const QVariantList &values);

    // Steps once: true with a row to read, false when there are no more. A
    // failed bind is reported here, before anything runs.
    Result<bool> next();
    // Steps to the end (a write); returns the rows it changed.
    Result<int> run();
    // The rowid of the connection's last successful INSERT.
    qint64 lastInsertId() const;

    std::string_view text(int column) const;
    QString string(int column) const;
    qint64 integer(int column) const;
    bool isNull(int column) const;

private:
    Error error(int code) const;

    sqlite3_stmt *m_stmt;
    bool *m_inUse;
    bool m_owned;
    int m_bindError = 0; // the first bind's failure, if any
};

// The Error for an SQLite result code: Unavailable for busy or locked,
// Conflict for a unique key, Internal otherwise (as sqlError() for QSqlQuery).
Error sqliteError(sqlite3 *db, int code, std::string_view what);

} // namespace colophon
