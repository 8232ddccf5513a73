// SPDX-License-Identifier: MIT
// The fixture of the content service's tests: a fresh migrated SQLite file
// per replica, a manual clock, and actors of every role (the content service
// takes an Actor; who signs in is the user service's concern).
#pragma once

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "services/content/contentservice.h"
#include "tests/support/testsupport.h"

#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <memory>

namespace contentfixture {

using namespace colophon;

inline QString describe(const Error &e)
{
    return QStringLiteral("%1: %2 [%3]").arg(errorCodeName(e.code), e.message, e.field);
}

template <typename T> inline QString why(const Result<T> &r)
{
    return r ? QString() : describe(r.error());
}

inline Actor actor(Role role)
{
    return Actor{QUuid::createUuid().toString(QUuid::WithoutBraces), role, QString()};
}

// One replica: its database, log and service, on the shared clock.
struct Replica
{
    std::unique_ptr<Database> db;
    std::unique_ptr<EventLog> log;
    std::unique_ptr<ContentService> content;

    static std::unique_ptr<Replica> open(const QString &path, test::ManualClock &clock)
    {
        auto r = std::make_unique<Replica>();
        auto db = Database::openSqlite(path);
        if (!db) {
            qWarning("open: %s", qPrintable(describe(db.error())));
            return nullptr;
        }
        r->db = std::move(*db);
        MigrationRegistry registry;
        EventLog::registerMigrations(registry);
        ContentService::registerMigrations(registry);
        if (auto migrated = migrate(*r->db, registry); !migrated) {
            qWarning("migrate: %s", qPrintable(describe(migrated.error())));
            return nullptr;
        }
        auto log = EventLog::open(*r->db, [&clock] { return clock.nowMs(); });
        if (!log) {
            qWarning("log: %s", qPrintable(describe(log.error())));
            return nullptr;
        }
        r->log = std::move(*log);
        r->content =
            std::make_unique<ContentService>(*r->db, *r->log, [&clock] { return clock.nowMs(); });
        return r;
    }

    // Every row of the projection's tables, as sorted text: equal for equal state.
    QStringList projection() const
    {
        QStringList rows;
        for (const char *table : {"content_items", "content_tags", "content_item_categories",
                                  "content_versions", "content_categories", "content_relations"}) {
            auto q = execSql(db->connection(),
                             QStringLiteral("SELECT * FROM %1").arg(QLatin1String(table)));
            if (!q) {
                rows << QStringLiteral("error: ") + describe(q.error());
                continue;
            }
            while (q->next()) {
                QStringList values;
                for (int i = 0; i < q->record().count(); ++i) {
                    values << q->value(i).toString();
                }
                rows << QLatin1String(table) + u'|' + values.join(u'|');
            }
        }
        rows.sort();
        return rows;
    }
};

} // namespace contentfixture
