// SPDX-License-Identifier: MIT
#include "backend/db/sqlquery.h"

#include <QSqlError>

namespace colophon {

Error sqlError(const QSqlQuery &query, const QString &what)
{
    const QSqlError e = query.lastError();
    bool ok = false;
    const int primary = e.nativeErrorCode().toInt(&ok) & 0xff;
    const bool transient = ok && (primary == 5 || primary == 6);
    const QString text = QStringLiteral("%1: %2").arg(what.left(60), e.text());
    if (ok && primary == 19 && e.text().contains(QLatin1String("UNIQUE"))) {
        return Error::conflict(text); // SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
    }
    return transient ? Error::unavailable(text) : Error::internal(text);
}

Result<QSqlQuery> execSql(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    QSqlQuery query(db);
    if (!query.prepare(sql)) {
        return fail(sqlError(query, sql));
    }
    for (const QVariant &v : values) {
        query.addBindValue(v);
    }
    if (!query.exec()) {
        return fail(sqlError(query, sql));
    }
    return query;
}

Result<QSqlQuery> execSql(const QSqlDatabase &db, const QString &sql,
                          std::initializer_list<QVariant> values)
{
    return execSql(db, sql, QVariantList(values));
}

QString sqlPlaceholders(qsizetype n)
{
    QString out;
    out.reserve(n * 3);
    for (qsizetype i = 0; i < n; ++i) {
        out += i == 0 ? QLatin1String("?") : QLatin1String(", ?");
    }
    return out;
}

Result<QVariant> queryValue(const QSqlDatabase &db, const QString &sql,
                            std::initializer_list<QVariant> values)
{
    auto q = execSql(db, sql, values);
    if (!q) {
        return fail(q.error());
    }
    if (!q->next()) {
        return fail(Error::notFound(QStringLiteral("no row for: %1").arg(sql.left(60))));
    }
    return q->value(0);
}

} // namespace colophon
