// SPDX-License-Identifier: MIT
#include "backend/db/statement.h"

#include <sqlite3.h>
#include <utility>

namespace colophon {

Error sqliteError(sqlite3 *db, int code, std::string_view what)
{
    const QString text = QStringLiteral("%1: %2").arg(
        QString::fromUtf8(what.substr(0, 60)),
        QString::fromUtf8(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code)));
    const int primary = code & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
        return Error::unavailable(text);
    }
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Error::conflict(text);
    }
    return Error::internal(text);
}

Statement::Statement(sqlite3_stmt *stmt, bool *inUse, bool owned)
    : m_stmt(stmt), m_inUse(inUse), m_owned(owned)
{
}

Statement::Statement(Statement &&other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr)), m_inUse(std::exchange(other.m_inUse, nullptr)),
      m_owned(other.m_owned), m_bindError(other.m_bindError)
{
}

Statement::~Statement()
{
    if (m_stmt == nullptr) {
        return;
    }
    if (m_owned) {
        sqlite3_finalize(m_stmt);
    } else {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    if (m_inUse) {
        *m_inUse = false;
    }
}

Statement &Statement::bind(int index, std::string_view utf8)
{
    const int rc =
        sqlite3_bind_text64(m_stmt, index, utf8.data(), utf8.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK && m_bindError == 0) {
        m_bindError = rc;
    }
    return *this;
}

Statement &Statement::bind(int index, const QString &text)
{
    if (text.isNull()) {
        return bindNull(index);
    }
    const QByteArray utf8 = text.toUtf8();
    return bind(index, std::string_view(utf8.constData(), size_t(utf8.size())));
}

Statement &Statement::bind(int index, qint64 value)
{
    const int rc = sqlite3_bind_int64(m_stmt, index, value);
    if (rc != SQLITE_OK && m_bindError == 0) {
        m_bindError = rc;
    }
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    const int rc = sqlite3_bind_double(m_stmt, index, value);
    if (rc != SQLITE_OK && m_bindError == 0) {
        m_bindError = rc;
    }
    return *this;
}

Statement &Statement::bindNull(int index)
{
    const int rc = sqlite3_bind_null(m_stmt, index);
    if (rc != SQLITE_OK && m_bindError == 0) {
        m_bindError = rc;
    }
    return *this;
}

Statement &Statement::bindAll(const QVariantList &values)
{
    for (int i = 0; i < values.size(); ++i) {
        const QVariant &v = values.at(i);
        if (v.isNull()) {
            bindNull(i + 1);
            continue;
        }
        switch (v.typeId()) {
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::Bool:
            bind(i + 1, v.toLongLong());
            break;
        case QMetaType::Double:
        case QMetaType::Float:
            bind(i + 1, v.toDouble());
            break;
        default:
            bind(i + 1, v.toString());
        }
    }
    return *this;
}

Error Statement::error(int code) const
{
    return sqliteError(sqlite3_db_handle(m_stmt), code, sqlite3_sql(m_stmt));
}

Result<bool> Statement::next()
{
    if (m_bindError != 0) {
        return fail(error(m_bindError));
    }
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    Error e = error(rc);
    sqlite3_reset(m_stmt); // ends the statement's transaction share at once
    return fail(std::move(e));
}

Result<int> Statement::run()
{
    for (;;) {
        auto row = next();
        if (!row) {
            return fail(row.error());
        }
        if (!*row) {
            return sqlite3_changes(sqlite3_db_handle(m_stmt));
        }
    }
}

qint64 Statement::lastInsertId() const
{
    return sqlite3_last_insert_rowid(sqlite3_db_handle(m_stmt));
}

std::string_view Statement::text(int column) const
{
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    if (data == nullptr) {
        return {};
    }
    return {data, size_t(sqlite3_column_bytes(m_stmt, column))};
}

QString Statement::string(int column) const
{
    const std::string_view t = text(column);
    return QString::fromUtf8(t.data(), qsizetype(t.size()));
}

qint64 Statement::integer(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

} // namespace colophon
