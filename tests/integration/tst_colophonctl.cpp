// SPDX-License-Identifier: MIT
// The real colophonctl: migrate and status on temporary replicas, its output and exit codes.
#include "tests/support/serverprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace {

constexpr int kRunTimeoutMs = 60000; // generous for an AddressSanitizer build

struct CtlRun : colophon::test::ProgramRun
{
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

CtlRun runCtl(const QStringList &arguments, const QString &workDir)
{
    return {
        colophon::test::runProgram(colophon::test::ctlBinary(), arguments, workDir, kRunTimeoutMs)};
}

} // namespace

class TestColophonctl final : public QObject
{
    Q_OBJECT

private:
    // A fresh, not yet existing replica folder inside the test's temporary directory.
    QString newReplicaDir()
    {
        return m_dir.filePath(QStringLiteral("replica-%1").arg(m_replicas++));
    }

    CtlRun ctl(const QString &dataDir, const QStringList &command)
    {
        return runCtl(QStringList{QStringLiteral("--data"), dataDir} + command, m_dir.path());
    }

    QTemporaryDir m_dir;
    int m_replicas = 0;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(colophon::test::ctlBinary()),
                 qPrintable(colophon::test::ctlBinary()));
    }

    void migrateCreatesTheReplicaThenHasNothingToApply()
    {
        const QString dir = newReplicaDir();
        const CtlRun first = ctl(dir, {QStringLiteral("migrate")});
        QVERIFY2(first.finished && first.exitCode == 0, first.describe().constData());
        QCOMPARE(first.exitStatus, QProcess::NormalExit);
        const QJsonObject report = first.json();
        QVERIFY2(report.value(QLatin1String("applied")).isDouble(), first.out.constData());
        QVERIFY2(report.value(QLatin1String("applied")).toInt() > 0, first.out.constData());
        QVERIFY2(report.value(QLatin1String("versions")).isObject(), first.out.constData());
        QVERIFY(QFile::exists(QDir(dir).filePath(QStringLiteral("colophon.db"))));

        const CtlRun second = ctl(dir, {QStringLiteral("migrate")});
        QVERIFY2(second.finished && second.exitCode == 0, second.describe().constData());
        QVERIFY2(second.json().value(QLatin1String("applied")).isDouble(), second.out.constData());
        QCOMPARE(second.json().value(QLatin1String("applied")).toInt(), 0);
        QCOMPARE(second.json().value(QLatin1String("versions")),
                 report.value(QLatin1String("versions")));
    }

    void statusReportsAStableReplicaIdAndACurrentSchema()
    {
        const QString dir = newReplicaDir();
        const CtlRun migrated = ctl(dir, {QStringLiteral("migrate")});
        QVERIFY2(migrated.finished && migrated.exitCode == 0, migrated.describe().constData());

        static const QRegularExpression uuid(
            QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
            QRegularExpression::CaseInsensitiveOption);
        QString replicaId;
        for (int call = 0; call < 3; ++call) {
            if (call == 2) { // a migrate with nothing to do in between changes nothing either
                const CtlRun again = ctl(dir, {QStringLiteral("migrate")});
                QVERIFY2(again.finished && again.exitCode == 0, again.describe().constData());
            }
            const CtlRun status = ctl(dir, {QStringLiteral("status")});
            QVERIFY2(status.finished && status.exitCode == 0, status.describe().constData());
            const QJsonObject s = status.json();
            QVERIFY2(!s.isEmpty(), status.out.constData());
            const QString id = s.value(QLatin1String("replicaId")).toString();
            QVERIFY2(uuid.match(id).hasMatch(), qPrintable(id));
            QVERIFY(!QUuid::fromString(id).isNull());
            if (replicaId.isEmpty())
                replicaId = id;
            QCOMPARE(id, replicaId);
            QVERIFY2(s.value(QLatin1String("schemaVersion")).isDouble(), status.out.constData());
            QVERIFY(s.value(QLatin1String("schemaVersion")).toInt() > 0);
            QVERIFY2(s.value(QLatin1String("eventCount")).isDouble(), status.out.constData());
            QCOMPARE(s.value(QLatin1String("eventCount")).toInt(), 0);
            QCOMPARE(s.value(QLatin1String("schemaUpToDate")), QJsonValue(true));
        }
    }

    void statusWithoutAReplicaFailsAndCreatesNothing()
    {
        // A folder that exists but is empty, and one that does not exist.
        const QString empty = newReplicaDir();
        QVERIFY(QDir().mkpath(empty));
        const QString missing = newReplicaDir();
        for (const QString &dir : {empty, missing}) {
            const CtlRun status = ctl(dir, {QStringLiteral("status")});
            QVERIFY2(status.finished, "colophonctl did not exit");
            QCOMPARE(status.exitStatus, QProcess::NormalExit);
            QVERIFY2(status.exitCode == 1, status.describe().constData());
            QVERIFY2(!status.err.trimmed().isEmpty(), status.describe().constData());
            QVERIFY2(status.out.isEmpty(), status.describe().constData());
        }
        QCOMPARE(QDir(empty).entryList(QDir::AllEntries | QDir::Hidden | QDir::System |
                                       QDir::NoDotAndDotDot),
                 QStringList());
        QVERIFY2(!QFileInfo::exists(missing), qPrintable(missing));
    }

    void commandLineMistakesAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
        QTest::newRow("no command") << QStringList();
        QTest::newRow("extra argument")
            << QStringList{QStringLiteral("status"), QStringLiteral("x")};
    }

    void commandLineMistakesAreUsageErrors()
    {
        QFETCH(QStringList, command);
        const QString dir = newReplicaDir();
        const CtlRun run = ctl(dir, command);
        QVERIFY2(run.finished, "colophonctl did not exit");
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QVERIFY2(run.exitCode == 2, run.describe().constData());
        QVERIFY2(!run.err.trimmed().isEmpty(), run.describe().constData());
        QVERIFY2(run.out.isEmpty(), run.describe().constData());
        QVERIFY2(!QFileInfo::exists(dir), qPrintable(dir));
    }

    void migrateRefusesASchemaNewerThanTheProgram()
    {
        const QString dir = newReplicaDir();
        const CtlRun migrated = ctl(dir, {QStringLiteral("migrate")});
        QVERIFY2(migrated.finished && migrated.exitCode == 0, migrated.describe().constData());

        const QString connection = QStringLiteral("tst_colophonctl-newer-schema");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(QDir(dir).filePath(QStringLiteral("colophon.db")));
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QSqlQuery insert(db);
            QVERIFY2(insert.exec(
                         QStringLiteral("INSERT INTO schema_migrations (service, version, "
                                        "description, applied_at) VALUES ('event', 99, 'x', 0)")),
                     qPrintable(insert.lastError().text()));
            insert.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);

        const CtlRun refused = ctl(dir, {QStringLiteral("migrate")});
        QVERIFY2(refused.finished, "colophonctl did not exit");
        QCOMPARE(refused.exitStatus, QProcess::NormalExit);
        QVERIFY2(refused.exitCode == 1, refused.describe().constData());
        QVERIFY2(refused.err.contains("newer"), refused.describe().constData());
        QVERIFY2(refused.out.isEmpty(), refused.describe().constData());
    }
};

QTEST_GUILESS_MAIN(TestColophonctl)
#include "tst_colophonctl.moc"
