// SPDX-License-Identifier: MIT
// Tests of migrate(): order, idempotence, all-or-nothing runs, refusing newer schemas.
#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqldialect.h"
#include "backend/db/sqlquery.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>
#include <stdexcept>

using colophon::Database;
using colophon::Error;
using colophon::ErrorCode;
using colophon::execSql;
using colophon::Migration;
using colophon::MigrationRegistry;
using colophon::queryValue;
using colophon::Result;
using colophon::SqliteDialect;
using colophon::Transaction;

using Versions = QMap<QString, int>;

namespace {

QString describe(const Error &e)
{
    return QStringLiteral("%1: %2").arg(colophon::errorCodeName(e.code), e.message);
}

// The failure message of a result, empty when it holds a value (QVERIFY2 evaluates it anyway).
template <typename T> QString why(const Result<T> &r)
{
    return r ? QString() : describe(r.error());
}

Migration migration(const QString &service, int version, QStringList statements)
{
    return {service,
            version,
            QStringLiteral("%1 v%2").arg(service).arg(version),
            std::move(statements),
            {}};
}

// alpha v1 creates a table, v2 needs it; beta v1 is independent.
MigrationRegistry alphaBeta(int alphaVersions = 2)
{
    MigrationRegistry r;
    r.add(migration(QStringLiteral("alpha"), 1,
                    {QStringLiteral("CREATE TABLE alpha_items (id ${PK}, name TEXT NOT NULL)")}));
    if (alphaVersions >= 2) {
        r.add(migration(
            QStringLiteral("alpha"), 2,
            {QStringLiteral("ALTER TABLE alpha_items ADD COLUMN tag TEXT"),
             QStringLiteral("INSERT INTO alpha_items (name, tag) VALUES ('seed', 'v2')")}));
    }
    if (alphaVersions >= 3) {
        r.add(migration(QStringLiteral("alpha"), 3,
                        {QStringLiteral("CREATE INDEX alpha_items_tag ON alpha_items (tag)")}));
    }
    r.add(migration(QStringLiteral("beta"), 1,
                    {QStringLiteral("CREATE TABLE beta_things (id ${PK}, data ${BLOB})")}));
    return r;
}

// Every object of the schema and every recorded version, as text: equal dumps, untouched database.
QStringList dump(Database &db)
{
    QStringList out;
    auto schema = execSql(
        db.connection(), QStringLiteral("SELECT type, name, sql FROM sqlite_master ORDER BY name"));
    if (!schema) {
        return {describe(schema.error())};
    }
    while (schema->next()) {
        out << QStringLiteral("%1 %2: %3")
                   .arg(schema->value(0).toString(), schema->value(1).toString(),
                        schema->value(2).toString());
    }
    auto versions = execSql(db.connection(),
                            QStringLiteral("SELECT service, version, description, applied_at "
                                           "FROM schema_migrations ORDER BY service, version"));
    if (versions) {
        while (versions->next()) {
            out << QStringLiteral("version %1 %2 %3 %4")
                       .arg(versions->value(0).toString(), versions->value(1).toString(),
                            versions->value(2).toString(), versions->value(3).toString());
        }
    }
    return out;
}

bool tableExists(Database &db, const QString &table)
{
    auto q = execSql(db.connection(), db.dialect().tableExistsSql(), {table});
    return q && q->next();
}

} // namespace

class TestMigrations final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db; // a fresh, never migrated file per test
    int m_files = 0;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        auto db = Database::openSqlite(m_dir.filePath(QStringLiteral("m-%1.db").arg(m_files++)));
        QVERIFY2(db, qPrintable(why(db)));
        m_db = std::move(*db);
    }

    void cleanup() { m_db.reset(); }

    void migrationsApplyInOrderAndRecordVersions()
    {
        QStringList steps;
        MigrationRegistry r;
        for (int v = 1; v <= 3; ++v) {
            Migration m = migration(QStringLiteral("gamma"), v,
                                    {QStringLiteral("CREATE TABLE gamma_v%1 (x INTEGER)").arg(v)});
            // Each step sees its own statements and every earlier version's, never a later one's.
            m.step = [&steps, v, this](Transaction &) -> Result<void> {
                QStringList seen;
                for (int t = 1; t <= 3; ++t) {
                    if (tableExists(*m_db, QStringLiteral("gamma_v%1").arg(t))) {
                        seen << QString::number(t);
                    }
                }
                steps << QStringLiteral("v%1 sees %2").arg(v).arg(seen.join(QLatin1Char(',')));
                return {};
            };
            r.add(std::move(m));
        }

        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const auto report = colophon::migrate(*m_db, r);
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(report, qPrintable(why(report)));
        QCOMPARE(report->applied, 3);
        QCOMPARE(report->versions, (Versions{{QStringLiteral("gamma"), 3}}));
        QCOMPARE(steps, (QStringList{QStringLiteral("v1 sees 1"), QStringLiteral("v2 sees 1,2"),
                                     QStringLiteral("v3 sees 1,2,3")}));

        auto rows =
            execSql(m_db->connection(),
                    QStringLiteral("SELECT version, description, applied_at FROM "
                                   "schema_migrations WHERE service = 'gamma' ORDER BY version"));
        QVERIFY(rows);
        for (int v = 1; v <= 3; ++v) {
            QVERIFY(rows->next());
            QCOMPARE(rows->value(0).toInt(), v);
            QCOMPARE(rows->value(1).toString(), QStringLiteral("gamma v%1").arg(v));
            const qint64 at = rows->value(2).toLongLong();
            QVERIFY2(
                at >= before - 5 && at <= after + 5,
                qPrintable(QStringLiteral("%1 not in [%2, %3]").arg(at).arg(before).arg(after)));
        }
        QVERIFY(!rows->next());
        const auto applied = colophon::appliedVersions(*m_db);
        QVERIFY(applied);
        QCOMPARE(*applied, (Versions{{QStringLiteral("gamma"), 3}}));
    }

    void laterVersionBuildsOnEarlierOne()
    {
        const auto report = colophon::migrate(*m_db, alphaBeta());
        QVERIFY2(report, qPrintable(why(report)));
        QCOMPARE(report->applied, 3);
        QCOMPARE(report->versions,
                 (Versions{{QStringLiteral("alpha"), 2}, {QStringLiteral("beta"), 1}}));
        const auto tag = queryValue(
            m_db->connection(), QStringLiteral("SELECT tag FROM alpha_items WHERE name = 'seed'"));
        QVERIFY2(tag, qPrintable(why(tag)));
        QCOMPARE(tag->toString(), QStringLiteral("v2"));
        QVERIFY(tableExists(*m_db, QStringLiteral("beta_things")));
    }

    void migratingTwiceAppliesNothingTheSecondTime()
    {
        const auto first = colophon::migrate(*m_db, alphaBeta());
        QVERIFY2(first, qPrintable(why(first)));
        const QStringList before = dump(*m_db);

        const auto second = colophon::migrate(*m_db, alphaBeta());
        QVERIFY2(second, qPrintable(why(second)));
        QCOMPARE(second->applied, 0);
        QCOMPARE(second->versions, first->versions);
        QCOMPARE(dump(*m_db), before);
        // v2's data statement ran once.
        const auto seeds =
            queryValue(m_db->connection(), QStringLiteral("SELECT COUNT(*) FROM alpha_items"));
        QVERIFY(seeds);
        QCOMPARE(seeds->toInt(), 1);
    }

    void onlyNewVersionsApplyToAnOlderDatabase()
    {
        QVERIFY(colophon::migrate(*m_db, alphaBeta(1)));
        const auto report = colophon::migrate(*m_db, alphaBeta(3));
        QVERIFY2(report, qPrintable(why(report)));
        QCOMPARE(report->applied, 2); // alpha v2 and v3; beta v1 was there
        QCOMPARE(report->versions,
                 (Versions{{QStringLiteral("alpha"), 3}, {QStringLiteral("beta"), 1}}));
    }

    void failingStatementRollsBackTheWholeRun_data()
    {
        QTest::addColumn<bool>("failInStep");
        QTest::newRow("bad SQL in v2") << false;
        QTest::newRow("v2 data step fails") << true;
    }

    void failingStatementRollsBackTheWholeRun()
    {
        QFETCH(bool, failInStep);
        MigrationRegistry r;
        r.add(migration(QStringLiteral("alpha"), 1,
                        {QStringLiteral("CREATE TABLE alpha_items (id ${PK}, name TEXT)"),
                         QStringLiteral("INSERT INTO alpha_items (name) VALUES ('v1')")}));
        Migration v2 = migration(QStringLiteral("alpha"), 2,
                                 {QStringLiteral("CREATE TABLE alpha_more (x INTEGER)")});
        if (failInStep) {
            v2.step = [](Transaction &) -> Result<void> {
                return colophon::fail(Error::internal(QStringLiteral("step broke")));
            };
        } else {
            v2.statements << QStringLiteral(
                "CREATE TABLE alpha_more (x INTEGER)"); // exists already
        }
        r.add(std::move(v2));

        const auto report = colophon::migrate(*m_db, r);
        QVERIFY(!report);
        if (failInStep) {
            QCOMPARE(report.error().message, QStringLiteral("step broke"));
        } else {
            QVERIFY2(report.error().message.contains(QLatin1String("alpha v2")),
                     qPrintable(report.error().message));
        }
        QVERIFY(!tableExists(*m_db, QStringLiteral("alpha_items")));
        QVERIFY(!tableExists(*m_db, QStringLiteral("alpha_more")));
        QVERIFY(!tableExists(*m_db, QStringLiteral("schema_migrations")));
        const auto applied = colophon::appliedVersions(*m_db);
        QVERIFY(applied);
        QCOMPARE(*applied, Versions{});
        const auto upToDate = colophon::isUpToDate(*m_db, r);
        QVERIFY(upToDate);
        QVERIFY(!*upToDate);
    }

    void newerDatabaseIsRefusedUntouched_data()
    {
        QTest::addColumn<int>("knownAlphaVersions");
        QTest::addColumn<bool>("knowsBeta");
        QTest::addColumn<QString>("named");
        QTest::newRow("newer version") << 1 << true << QStringLiteral("alpha");
        QTest::newRow("unknown service") << 3 << false << QStringLiteral("beta");
    }

    void newerDatabaseIsRefusedUntouched()
    {
        QFETCH(int, knownAlphaVersions);
        QFETCH(bool, knowsBeta);
        QFETCH(QString, named);
        QVERIFY(colophon::migrate(*m_db, alphaBeta(2)));
        const QStringList before = dump(*m_db);

        // An older program: alpha up to knownAlphaVersions (a v3 it would add, too), beta or not.
        MigrationRegistry older;
        for (int v = 1; v <= knownAlphaVersions; ++v) {
            older.add(migration(
                QStringLiteral("alpha"), v,
                {QStringLiteral("CREATE TABLE IF NOT EXISTS alpha_v%1 (x INTEGER)").arg(v)}));
        }
        if (knowsBeta) {
            older.add(migration(QStringLiteral("beta"), 1, {}));
        }
        older.add(migration(QStringLiteral("delta"), 1,
                            {QStringLiteral("CREATE TABLE delta (x INTEGER)")}));

        const auto report = colophon::migrate(*m_db, older);
        QVERIFY(!report);
        QCOMPARE(report.error().code, ErrorCode::Conflict);
        QVERIFY2(report.error().message.contains(QLatin1Char('\'') + named + QLatin1Char('\'')),
                 qPrintable(report.error().message));
        QCOMPARE(dump(*m_db), before);
        QVERIFY(!tableExists(*m_db, QStringLiteral("delta")));
        const auto upToDate = colophon::isUpToDate(*m_db, older);
        QVERIFY(upToDate);
        QVERIFY(!*upToDate);
    }

    void registeringAGapOrDuplicateThrows_data()
    {
        QTest::addColumn<QString>("service");
        QTest::addColumn<int>("version");
        QTest::newRow("duplicate v1") << QStringLiteral("alpha") << 1;
        QTest::newRow("duplicate v2") << QStringLiteral("alpha") << 2;
        QTest::newRow("gap v4") << QStringLiteral("alpha") << 4;
        QTest::newRow("v0") << QStringLiteral("alpha") << 0;
        QTest::newRow("negative") << QStringLiteral("alpha") << -1;
        QTest::newRow("new service starting at v2") << QStringLiteral("omega") << 2;
        QTest::newRow("empty service") << QString() << 1;
    }

    void registeringAGapOrDuplicateThrows()
    {
        QFETCH(QString, service);
        QFETCH(int, version);
        MigrationRegistry r = alphaBeta(2);
        const auto before = r.latestVersions();
        QVERIFY_THROWS_EXCEPTION(std::logic_error, r.add(migration(service, version, {})));
        QCOMPARE(r.latestVersions(), before);
        QCOMPARE(r.migrations().size(), size_t(3));
        // The next version in line is still accepted.
        r.add(migration(QStringLiteral("alpha"), 3, {}));
        r.add(migration(QStringLiteral("omega"), 1, {}));
        QCOMPARE(r.latestVersions(), (Versions{{QStringLiteral("alpha"), 3},
                                               {QStringLiteral("beta"), 1},
                                               {QStringLiteral("omega"), 1}}));
    }

    void isUpToDateReflectsState()
    {
        auto upToDate = [&](const MigrationRegistry &r) {
            const auto u = colophon::isUpToDate(*m_db, r);
            if (!u) {
                qWarning("%s", qPrintable(describe(u.error())));
            }
            return u && *u;
        };
        const MigrationRegistry v2 = alphaBeta(2);
        const MigrationRegistry v3 = alphaBeta(3);
        QVERIFY(!upToDate(v2)); // never migrated
        QVERIFY(colophon::migrate(*m_db, v2));
        QVERIFY(upToDate(v2));
        QVERIFY(!upToDate(v3)); // a newer program has more to apply
        QVERIFY(colophon::migrate(*m_db, v3));
        QVERIFY(upToDate(v3));
        QVERIFY(!upToDate(v2)); // and an older one is behind the database
    }

    void placeholdersExpand_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("expanded");
        QTest::newRow("PK") << QStringLiteral("id ${PK}")
                            << QStringLiteral("id INTEGER PRIMARY KEY AUTOINCREMENT");
        QTest::newRow("BLOB") << QStringLiteral("a ${BLOB}, b ${BLOB}")
                              << QStringLiteral("a BLOB, b BLOB");
        QTest::newRow("NOW_MS")
            << QStringLiteral("SELECT ${NOW_MS}")
            << QStringLiteral(
                   "SELECT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))");
        QTest::newRow("none") << QStringLiteral("SELECT '$PK', '{PK}'")
                              << QStringLiteral("SELECT '$PK', '{PK}'");
    }

    void placeholdersExpand()
    {
        QFETCH(QString, sql);
        QFETCH(QString, expanded);
        QCOMPARE(SqliteDialect().expand(sql), expanded);
        QCOMPARE(m_db->dialect().expand(sql), expanded);
    }

    void placeholdersWorkInMigrations()
    {
        MigrationRegistry r;
        r.add(migration(QStringLiteral("alpha"), 1,
                        {QStringLiteral("CREATE TABLE notes (id ${PK}, body ${BLOB}, "
                                        "created_at INTEGER NOT NULL DEFAULT ${NOW_MS})"),
                         QStringLiteral("INSERT INTO notes (body) VALUES (x'00ff')"),
                         QStringLiteral("INSERT INTO notes (body) VALUES (x'01')")}));
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const auto report = colophon::migrate(*m_db, r);
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(report, qPrintable(why(report)));

        auto rows = execSql(m_db->connection(),
                            QStringLiteral("SELECT id, body, created_at FROM notes ORDER BY id"));
        QVERIFY(rows);
        for (qint64 id : {1, 2}) {
            QVERIFY(rows->next());
            QCOMPARE(rows->value(0).toLongLong(), id);
            const qint64 at = rows->value(2).toLongLong();
            QVERIFY2(
                at >= before - 5 && at <= after + 5,
                qPrintable(QStringLiteral("%1 not in [%2, %3]").arg(at).arg(before).arg(after)));
        }
        const auto body =
            queryValue(m_db->connection(), QStringLiteral("SELECT body FROM notes WHERE id = 1"));
        QVERIFY(body);
        QCOMPARE(body->toByteArray(), QByteArray("\x00\xff", 2));

        // AUTOINCREMENT: a deleted highest id is never handed out again.
        QVERIFY(execSql(m_db->connection(), QStringLiteral("DELETE FROM notes WHERE id = 2")));
        QVERIFY(
            execSql(m_db->connection(), QStringLiteral("INSERT INTO notes (body) VALUES (x'02')")));
        const auto next =
            queryValue(m_db->connection(), QStringLiteral("SELECT MAX(id) FROM notes"));
        QVERIFY(next);
        QCOMPARE(next->toLongLong(), qint64(3));
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
