// SPDX-License-Identifier: MIT
// The real colophonctl's content commands on temporary replicas: each
// command, its failures and exit codes, export and import round trips (JSON
// Lines and Markdown) into a fresh replica, and imports that write nothing.
#include "tests/support/serverprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace {

constexpr int kRunTimeoutMs = 120000; // generous for an AddressSanitizer build

const QString kAdmin = QStringLiteral("admin@colophon.test");
const QString kEditor = QStringLiteral("editor@colophon.test");
const QString kCreator = QStringLiteral("creator@colophon.test");
const QString kOther = QStringLiteral("other@colophon.test"); // another creator
const QString kConsumer = QStringLiteral("consumer@colophon.test");

struct Run
{
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QByteArray describe() const
    {
        return "exit " + QByteArray::number(exitCode) + "\nstdout: " + out.left(2000) +
               "\nstderr: " + err.left(4000);
    }
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    // JSON Lines: every non-empty line must be one compact JSON object.
    QList<QJsonObject> lines() const
    {
        QList<QJsonObject> out;
        for (const QByteArray &line : this->out.split('\n')) {
            if (line.isEmpty()) {
                continue;
            }
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            if (error.error != QJsonParseError::NoError || !doc.isObject()) {
                qWarning("not a JSON object line: %s", line.constData());
                return {};
            }
            out << doc.object();
        }
        return out;
    }
    // stderr as lines, each of which must start with "colophonctl: ".
    QList<QByteArray> errorLines() const
    {
        QList<QByteArray> out;
        for (const QByteArray &line : err.split('\n')) {
            if (!line.isEmpty()) {
                out << line;
            }
        }
        return out;
    }
};

// The fields an import carries, to compare items across replicas.
QJsonObject contentFields(const QJsonObject &item)
{
    QJsonObject out;
    for (const char *key : {"title", "slug", "description", "body", "type", "tags", "categories",
                            "mediaIds", "metadata"}) {
        out.insert(QLatin1String(key), item.value(QLatin1String(key)));
    }
    return out;
}

QMap<QString, QJsonObject> bySlugAndType(const QList<QJsonObject> &items)
{
    QMap<QString, QJsonObject> out;
    for (const QJsonObject &item : items) {
        out.insert(item.value(QLatin1String("type")).toString() + u'/' +
                       item.value(QLatin1String("slug")).toString(),
                   contentFields(item));
    }
    return out;
}

QString writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        qFatal("cannot write %s", qPrintable(path));
    }
    f.write(bytes);
    return path;
}

QByteArray jsonLine(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

class TestCtlContent final : public QObject
{
    Q_OBJECT

private:
    QString newReplicaDir()
    {
        return m_dir.filePath(QStringLiteral("replica-%1").arg(m_replicas++));
    }

    Run ctl(const QString &dataDir, const QStringList &arguments, const QByteArray &input = {})
    {
        QProcess p;
        p.setProcessEnvironment(colophon::test::childEnvironment());
        p.setWorkingDirectory(m_dir.path());
        p.start(colophon::test::ctlBinary(),
                QStringList{QStringLiteral("--data"), dataDir} + arguments);
        Run run;
        if (p.waitForStarted(kRunTimeoutMs)) {
            if (!input.isEmpty()) {
                p.write(input);
            }
            p.closeWriteChannel();
            run.finished = p.waitForFinished(kRunTimeoutMs);
        }
        if (!run.finished) {
            p.kill();
            p.waitForFinished(kRunTimeoutMs);
        }
        run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        run.out = p.readAllStandardOutput();
        run.err = p.readAllStandardError();
        return run;
    }

    // `content <command...> --as EMAIL`
    Run content(const QString &dataDir, const QString &as, const QStringList &command,
                const QByteArray &input = {})
    {
        return ctl(dataDir,
                   QStringList{QStringLiteral("content")} + command +
                       QStringList{QStringLiteral("--as"), as},
                   input);
    }

    // A migrated replica with an admin, an editor, two creators and a consumer.
    QString newReplica()
    {
        const QString dir = newReplicaDir();
        const Run migrated = ctl(dir, {QStringLiteral("migrate")});
        if (migrated.exitCode != 0) {
            qFatal("migrate failed: %s", migrated.describe().constData());
        }
        const QString password = writeFile(m_dir.filePath(QStringLiteral("password")),
                                           "a long enough password 4 tests\n");
        for (const auto &[email, role] :
             {std::pair{kAdmin, "admin"}, std::pair{kEditor, "editor"},
              std::pair{kCreator, "creator"}, std::pair{kOther, "creator"},
              std::pair{kConsumer, "consumer"}}) {
            const Run made =
                ctl(dir, {QStringLiteral("user"), QStringLiteral("create"),
                          QStringLiteral("--email"), email, QStringLiteral("--first-name"),
                          QStringLiteral("Test"), QStringLiteral("--last-name"),
                          QStringLiteral("User"), QStringLiteral("--role"), QLatin1String(role),
                          QStringLiteral("--password-file"), password});
            if (made.exitCode != 0) {
                qFatal("user create failed: %s", made.describe().constData());
            }
        }
        return dir;
    }

    // The service has no category commands yet: a category row, straight into the projection.
    void addCategory(const QString &dataDir, const QString &id, const QString &name)
    {
        const QString connection = QStringLiteral("tst_ctlcontent-%1").arg(m_replicas);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("colophon.db")));
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QSqlQuery insert(db);
            insert.prepare(QStringLiteral("INSERT INTO content_categories (id, created, name, "
                                          "slug) VALUES (?, 1, ?, ?)"));
            insert.addBindValue(id);
            insert.addBindValue(name);
            insert.addBindValue(name.toLower());
            QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
            insert.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
    }

    QJsonObject createItem(const QString &dataDir, const QString &as, const QStringList &options)
    {
        const Run run = content(dataDir, as, QStringList{QStringLiteral("create")} + options);
        if (run.exitCode != 0 || run.json().isEmpty()) {
            qWarning("create failed: %s", run.describe().constData());
            return {};
        }
        return run.json();
    }

    QList<QJsonObject> exportAll(const QString &dataDir, const QString &as = kAdmin)
    {
        const Run run = content(dataDir, as, {QStringLiteral("export")});
        if (run.exitCode != 0) {
            qWarning("export failed: %s", run.describe().constData());
            return {};
        }
        return run.lines();
    }

    // A usage error: exit 2, one line on stderr, nothing on stdout.
    static void verifyUsageError(const Run &run)
    {
        QVERIFY2(run.finished, "colophonctl did not exit");
        QVERIFY2(run.exitCode == 2, run.describe().constData());
        QVERIFY2(run.out.isEmpty(), run.describe().constData());
        QCOMPARE(run.errorLines().size(), 1);
        QVERIFY2(run.err.startsWith("colophonctl: "), run.describe().constData());
    }

    // A failure: exit 1, one line on stderr naming what, nothing on stdout.
    static void verifyFailure(const Run &run, const QByteArray &message)
    {
        QVERIFY2(run.finished, "colophonctl did not exit");
        QVERIFY2(run.exitCode == 1, run.describe().constData());
        QVERIFY2(run.out.isEmpty(), run.describe().constData());
        QVERIFY2(run.errorLines().size() == 1, run.describe().constData());
        QVERIFY2(run.err.startsWith("colophonctl: " + message), run.describe().constData());
    }

    QTemporaryDir m_dir;
    int m_replicas = 0;
    QString m_shared; // a replica the read-only tests share

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(colophon::test::ctlBinary()),
                 qPrintable(colophon::test::ctlBinary()));
        m_shared = newReplica();
    }

    void commandLineMistakesAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("command");
        const QString as = QStringLiteral("--as");
        const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QTest::newRow("no content command") << QStringList{QStringLiteral("content"), as, kAdmin};
        QTest::newRow("unknown content command")
            << QStringList{QStringLiteral("content"), QStringLiteral("frob"), as, kAdmin};
        QTest::newRow("get without id")
            << QStringList{QStringLiteral("content"), QStringLiteral("get"), as, kAdmin};
        QTest::newRow("get with two ids")
            << QStringList{QStringLiteral("content"), QStringLiteral("get"), id, id, as, kAdmin};
        QTest::newRow("list with an argument")
            << QStringList{QStringLiteral("content"), QStringLiteral("list"), id, as, kAdmin};
        QTest::newRow("option of another command") << QStringList{QStringLiteral("content"),
                                                                  QStringLiteral("get"),
                                                                  id,
                                                                  QStringLiteral("--title"),
                                                                  QStringLiteral("x"),
                                                                  as,
                                                                  kAdmin};
        QTest::newRow("create without title")
            << QStringList{QStringLiteral("content"), QStringLiteral("create"), as, kAdmin};
        QTest::newRow("update without a field")
            << QStringList{QStringLiteral("content"), QStringLiteral("update"), id, as, kAdmin};
        QTest::newRow("unknown type") << QStringList{QStringLiteral("content"),
                                                     QStringLiteral("create"),
                                                     QStringLiteral("--title"),
                                                     QStringLiteral("x"),
                                                     QStringLiteral("--type"),
                                                     QStringLiteral("essay"),
                                                     as,
                                                     kAdmin};
        QTest::newRow("unknown status") << QStringList{QStringLiteral("content"),
                                                       QStringLiteral("set-status"),
                                                       id,
                                                       QStringLiteral("live"),
                                                       as,
                                                       kAdmin};
        QTest::newRow("set-status without status")
            << QStringList{QStringLiteral("content"), QStringLiteral("set-status"), id, as, kAdmin};
        QTest::newRow("limit not a number") << QStringList{QStringLiteral("content"),
                                                           QStringLiteral("list"),
                                                           QStringLiteral("--limit"),
                                                           QStringLiteral("many"),
                                                           as,
                                                           kAdmin};
        QTest::newRow("limit too large") << QStringList{QStringLiteral("content"),
                                                        QStringLiteral("list"),
                                                        QStringLiteral("--limit"),
                                                        QStringLiteral("101"),
                                                        as,
                                                        kAdmin};
        QTest::newRow("page zero") << QStringList{QStringLiteral("content"),
                                                  QStringLiteral("list"),
                                                  QStringLiteral("--page"),
                                                  QStringLiteral("0"),
                                                  as,
                                                  kAdmin};
        QTest::newRow("title twice") << QStringList{QStringLiteral("content"),
                                                    QStringLiteral("create"),
                                                    QStringLiteral("--title"),
                                                    QStringLiteral("a"),
                                                    QStringLiteral("--title"),
                                                    QStringLiteral("b"),
                                                    as,
                                                    kAdmin};
        QTest::newRow("two tag filters") << QStringList{QStringLiteral("content"),
                                                        QStringLiteral("list"),
                                                        QStringLiteral("--tag"),
                                                        QStringLiteral("a"),
                                                        QStringLiteral("--tag"),
                                                        QStringLiteral("b"),
                                                        as,
                                                        kAdmin};
        QTest::newRow("markdown export without --out") << QStringList{QStringLiteral("content"),
                                                                      QStringLiteral("export"),
                                                                      QStringLiteral("--format"),
                                                                      QStringLiteral("markdown"),
                                                                      as,
                                                                      kAdmin};
        QTest::newRow("--out with jsonl") << QStringList{QStringLiteral("content"),
                                                         QStringLiteral("export"),
                                                         QStringLiteral("--out"),
                                                         QStringLiteral("x"),
                                                         as,
                                                         kAdmin};
        QTest::newRow("unknown format") << QStringList{QStringLiteral("content"),
                                                       QStringLiteral("import"),
                                                       QStringLiteral("x.csv"),
                                                       QStringLiteral("--format"),
                                                       QStringLiteral("csv"),
                                                       as,
                                                       kAdmin};
        QTest::newRow("import without a file")
            << QStringList{QStringLiteral("content"), QStringLiteral("import"), as, kAdmin};
    }

    void commandLineMistakesAreUsageErrors()
    {
        QFETCH(QStringList, command);
        // Found before the replica is opened: a folder that does not exist stays so.
        const QString dir = newReplicaDir();
        const Run run = ctl(dir, command);
        verifyUsageError(run);
        QVERIFY2(!QFileInfo::exists(dir), qPrintable(dir));
    }

    void contentNeedsAnExistingReplicaAndAnActiveAccount()
    {
        const QString missing = newReplicaDir();
        const Run noReplica = content(missing, kAdmin, {QStringLiteral("list")});
        verifyFailure(noReplica, "no replica in ");
        QVERIFY2(!QFileInfo::exists(missing), qPrintable(missing));

        verifyFailure(
            content(m_shared, QStringLiteral("nobody@colophon.test"), {QStringLiteral("list")}),
            "no active account nobody@colophon.test");
    }

    void createGetUpdateSetStatusAndDelete()
    {
        const QString dir = newReplica();
        const QString category = QUuid::createUuid().toString(QUuid::WithoutBraces);
        addCategory(dir, category, QStringLiteral("Essays"));
        const QString media = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString bodyFile = writeFile(m_dir.filePath(QStringLiteral("body.md")),
                                           "# Heading\n\nSome *Markdown*, ünïcode.\n");

        // create: every field option, the body from a file
        const Run created = content(dir, kCreator,
                                    {QStringLiteral("create"),
                                     QStringLiteral("--title"),
                                     QStringLiteral("First post"),
                                     QStringLiteral("--slug"),
                                     QStringLiteral("first"),
                                     QStringLiteral("--description"),
                                     QStringLiteral("About it"),
                                     QStringLiteral("--body-file"),
                                     bodyFile,
                                     QStringLiteral("--type"),
                                     QStringLiteral("video"),
                                     QStringLiteral("--tag"),
                                     QStringLiteral("News"),
                                     QStringLiteral("--tag"),
                                     QStringLiteral("Long  Read"),
                                     QStringLiteral("--category"),
                                     category,
                                     QStringLiteral("--media"),
                                     media,
                                     QStringLiteral("--metadata"),
                                     QStringLiteral("{\"duration\": 61, \"hd\": true}")});
        QVERIFY2(created.exitCode == 0, created.describe().constData());
        QVERIFY2(created.err.isEmpty(), created.describe().constData());
        QVERIFY2(created.out.count('\n') == 1, created.describe().constData());
        const QJsonObject item = created.json();
        const QString id = item.value(QLatin1String("id")).toString();
        QVERIFY2(!QUuid::fromString(id).isNull(), created.out.constData());
        QCOMPARE(item.value(QLatin1String("title")).toString(), QStringLiteral("First post"));
        QCOMPARE(item.value(QLatin1String("slug")).toString(), QStringLiteral("first"));
        QCOMPARE(item.value(QLatin1String("description")).toString(), QStringLiteral("About it"));
        QCOMPARE(item.value(QLatin1String("body")).toString(),
                 QStringLiteral("# Heading\n\nSome *Markdown*, ünïcode.\n"));
        QCOMPARE(item.value(QLatin1String("type")).toString(), QStringLiteral("video"));
        QCOMPARE(item.value(QLatin1String("status")).toString(), QStringLiteral("draft"));
        QCOMPARE(item.value(QLatin1String("tags")).toArray(),
                 (QJsonArray{QStringLiteral("long read"), QStringLiteral("news")}));
        QCOMPARE(item.value(QLatin1String("categories")).toArray(), QJsonArray{category});
        QCOMPARE(item.value(QLatin1String("mediaIds")).toArray(), QJsonArray{media});
        QCOMPARE(item.value(QLatin1String("metadata")).toObject(),
                 (QJsonObject{{QStringLiteral("duration"), 61}, {QStringLiteral("hd"), true}}));

        // get: the same item, for its author and an editor; not for another creator
        for (const QString &as : {kCreator, kEditor}) {
            const Run got = content(dir, as, {QStringLiteral("get"), id});
            QVERIFY2(got.exitCode == 0, got.describe().constData());
            QCOMPARE(got.json(), item);
        }
        verifyFailure(content(dir, kOther, {QStringLiteral("get"), id}), "no such content item");

        // update: only the options given change; the body from standard input; '' clears tags
        const Run updated =
            content(dir, kCreator,
                    {QStringLiteral("update"), id, QStringLiteral("--title"),
                     QStringLiteral("First post, revised"), QStringLiteral("--body-file"),
                     QStringLiteral("-"), QStringLiteral("--tag"), QString()},
                    "new body from stdin\n");
        QVERIFY2(updated.exitCode == 0, updated.describe().constData());
        const QJsonObject revised = updated.json();
        QCOMPARE(revised.value(QLatin1String("title")).toString(),
                 QStringLiteral("First post, revised"));
        QCOMPARE(revised.value(QLatin1String("body")).toString(),
                 QStringLiteral("new body from stdin\n"));
        QCOMPARE(revised.value(QLatin1String("tags")).toArray(), QJsonArray());
        QCOMPARE(revised.value(QLatin1String("description")),
                 item.value(QLatin1String("description")));
        QCOMPARE(revised.value(QLatin1String("categories")),
                 item.value(QLatin1String("categories")));
        QCOMPARE(revised.value(QLatin1String("version")).toInt(),
                 item.value(QLatin1String("version")).toInt() + 1);

        // set-status: submit (author), reject needs a comment, publish (editor)
        const Run submitted =
            content(dir, kCreator, {QStringLiteral("set-status"), id, QStringLiteral("review")});
        QVERIFY2(submitted.exitCode == 0, submitted.describe().constData());
        QCOMPARE(submitted.json().value(QLatin1String("status")).toString(),
                 QStringLiteral("review"));
        verifyFailure(
            content(dir, kEditor, {QStringLiteral("set-status"), id, QStringLiteral("draft")}),
            "comment: ");
        verifyFailure(
            content(dir, kCreator, {QStringLiteral("set-status"), id, QStringLiteral("published")}),
            "role creator may not");
        const Run published =
            content(dir, kEditor,
                    {QStringLiteral("set-status"), id, QStringLiteral("published"),
                     QStringLiteral("--comment"), QStringLiteral("looks good")});
        QVERIFY2(published.exitCode == 0, published.describe().constData());
        QCOMPARE(published.json().value(QLatin1String("status")).toString(),
                 QStringLiteral("published"));
        QVERIFY(published.json().value(QLatin1String("publishedAt")).isString());
        verifyFailure(
            content(dir, kEditor, {QStringLiteral("set-status"), id, QStringLiteral("review")}),
            "status: ");
        // now published: the other creator sees it, but may not delete it
        QVERIFY(content(dir, kOther, {QStringLiteral("get"), id}).exitCode == 0);
        verifyFailure(content(dir, kOther, {QStringLiteral("delete"), id}), "role creator may not");

        // delete
        const Run deleted = content(dir, kEditor, {QStringLiteral("delete"), id});
        QVERIFY2(deleted.exitCode == 0, deleted.describe().constData());
        QCOMPARE(deleted.json().value(QLatin1String("deleted")).toString(), id);
        verifyFailure(content(dir, kEditor, {QStringLiteral("get"), id}), "no such content item");
        verifyFailure(content(dir, kEditor, {QStringLiteral("delete"), id}),
                      "no such content item");
        verifyFailure(
            content(dir, kEditor,
                    {QStringLiteral("update"), id, QStringLiteral("--title"), QStringLiteral("x")}),
            "no such content item");
        QCOMPARE(exportAll(dir).size(), 0);
    }

    void failuresNameTheFieldAndWriteNothing_data()
    {
        QTest::addColumn<QString>("as");
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QByteArray>("message");
        const QString title = QStringLiteral("--title");
        QTest::newRow("empty title")
            << kCreator << QStringList{title, QString()} << QByteArray("title: ");
        QTest::newRow("bad slug") << kCreator
                                  << QStringList{title, QStringLiteral("x"),
                                                 QStringLiteral("--slug"),
                                                 QStringLiteral("Not A Slug")}
                                  << QByteArray("slug: ");
        QTest::newRow("metadata not JSON")
            << kCreator
            << QStringList{title, QStringLiteral("x"), QStringLiteral("--metadata"),
                           QStringLiteral("{nope")}
            << QByteArray("metadata: ");
        QTest::newRow("metadata not an object")
            << kCreator
            << QStringList{title, QStringLiteral("x"), QStringLiteral("--metadata"),
                           QStringLiteral("[1]")}
            << QByteArray("metadata: ");
        QTest::newRow("unknown category")
            << kCreator
            << QStringList{title, QStringLiteral("x"), QStringLiteral("--category"),
                           QUuid::createUuid().toString(QUuid::WithoutBraces)}
            << QByteArray("categories: ");
        QTest::newRow("media id not a uuid")
            << kCreator
            << QStringList{title, QStringLiteral("x"), QStringLiteral("--media"),
                           QStringLiteral("photo.jpg")}
            << QByteArray("mediaIds: ");
        QTest::newRow("missing body file")
            << kCreator
            << QStringList{title, QStringLiteral("x"), QStringLiteral("--body-file"),
                           QStringLiteral("no/such/file.md")}
            << QByteArray("body: cannot read");
        QTest::newRow("bad publish time")
            << kEditor
            << QStringList{title, QStringLiteral("x"), QStringLiteral("--publish-at"),
                           QStringLiteral("tomorrow")}
            << QByteArray("publishAt: ");
        QTest::newRow("creator schedules")
            << kCreator
            << QStringList{title, QStringLiteral("x"), QStringLiteral("--publish-at"),
                           QStringLiteral("2040-01-01T00:00:00Z")}
            << QByteArray("only editors and admins schedule");
        QTest::newRow("consumer creates") << kConsumer << QStringList{title, QStringLiteral("x")}
                                          << QByteArray("role consumer may not");
    }

    void failuresNameTheFieldAndWriteNothing()
    {
        QFETCH(QString, as);
        QFETCH(QStringList, options);
        QFETCH(QByteArray, message);
        const qsizetype before = exportAll(m_shared).size();
        verifyFailure(content(m_shared, as, QStringList{QStringLiteral("create")} + options),
                      message);
        QCOMPARE(exportAll(m_shared).size(), before);
    }

    void aTakenSlugIsAConflictNamingTheSlug()
    {
        const QString dir = newReplica();
        QVERIFY(!createItem(dir, kCreator,
                            {QStringLiteral("--title"), QStringLiteral("A"),
                             QStringLiteral("--slug"), QStringLiteral("same")})
                     .isEmpty());
        verifyFailure(
            content(dir, kCreator,
                    {QStringLiteral("create"), QStringLiteral("--title"), QStringLiteral("B"),
                     QStringLiteral("--slug"), QStringLiteral("same")}),
            "slug: the slug same is taken");
        // another type may have it
        QVERIFY(!createItem(dir, kCreator,
                            {QStringLiteral("--title"), QStringLiteral("B"),
                             QStringLiteral("--slug"), QStringLiteral("same"),
                             QStringLiteral("--type"), QStringLiteral("podcast")})
                     .isEmpty());
    }

    void listFiltersSortsAndPages()
    {
        const QString dir = newReplica();
        QStringList ids;
        for (int i = 0; i < 5; ++i) {
            const QJsonObject item = createItem(
                dir, i < 3 ? kCreator : kOther,
                {QStringLiteral("--title"),
                 QStringLiteral("Item %1 %2").arg(i).arg(i % 2 ? "odd" : "even"),
                 QStringLiteral("--tag"), i % 2 ? QStringLiteral("odd") : QStringLiteral("even"),
                 QStringLiteral("--type"),
                 i == 4 ? QStringLiteral("gallery") : QStringLiteral("article")});
            QVERIFY(!item.isEmpty());
            ids << item.value(QLatin1String("id")).toString();
        }
        QVERIFY(content(dir, kEditor,
                        {QStringLiteral("set-status"), ids[0], QStringLiteral("published")})
                    .exitCode == 0);
        QVERIFY(content(dir, kEditor,
                        {QStringLiteral("set-status"), ids[3], QStringLiteral("published")})
                    .exitCode == 0);

        const auto listIds = [&](const QString &as, const QStringList &options) {
            const Run run = content(dir, as, QStringList{QStringLiteral("list")} + options);
            QStringList out;
            if (run.exitCode != 0 || !run.err.isEmpty()) {
                qWarning("list failed: %s", run.describe().constData());
                return QStringList{QStringLiteral("failed")};
            }
            for (const QJsonObject &item : run.lines()) {
                out << item.value(QLatin1String("id")).toString();
            }
            if (out.size() != run.out.count('\n')) {
                return QStringList{QStringLiteral("not JSON Lines")};
            }
            return out;
        };
        const auto sorted = [](QStringList l) {
            l.sort();
            return l;
        };
        const QString title = QStringLiteral("title");
        QCOMPARE(listIds(kEditor, {QStringLiteral("--sort"), title}), ids);
        QCOMPARE(listIds(kEditor, {QStringLiteral("--sort"), QStringLiteral("-title")}),
                 (QStringList{ids[4], ids[3], ids[2], ids[1], ids[0]}));
        QCOMPARE(sorted(listIds(kEditor, {})), sorted(ids));
        QCOMPARE(listIds(kEditor, {QStringLiteral("--status"), QStringLiteral("published"),
                                   QStringLiteral("--sort"), title}),
                 (QStringList{ids[0], ids[3]}));
        QCOMPARE(listIds(kEditor, {QStringLiteral("--type"), QStringLiteral("gallery")}),
                 QStringList{ids[4]});
        QCOMPARE(listIds(kEditor, {QStringLiteral("--tag"), QStringLiteral("ODD"),
                                   QStringLiteral("--sort"), title}),
                 (QStringList{ids[1], ids[3]}));
        QCOMPARE(
            listIds(kEditor, {QStringLiteral("--author"), kOther, QStringLiteral("--sort"), title}),
            (QStringList{ids[3], ids[4]}));
        QCOMPARE(listIds(kEditor, {QStringLiteral("--q"), QStringLiteral("2 even")}),
                 QStringList{ids[2]});
        QCOMPARE(
            listIds(kEditor, {QStringLiteral("--sort"), title, QStringLiteral("--limit"),
                              QStringLiteral("2"), QStringLiteral("--page"), QStringLiteral("2")}),
            (QStringList{ids[2], ids[3]}));
        QCOMPARE(listIds(kEditor, {QStringLiteral("--limit"), QStringLiteral("2"),
                                   QStringLiteral("--page"), QStringLiteral("9")}),
                 QStringList());
        // a creator sees the published items and their own; a consumer the published ones
        QCOMPARE(listIds(kCreator, {QStringLiteral("--sort"), title}),
                 (QStringList{ids[0], ids[1], ids[2], ids[3]}));
        QCOMPARE(listIds(kConsumer, {QStringLiteral("--sort"), title}),
                 (QStringList{ids[0], ids[3]}));

        verifyFailure(
            content(dir, kEditor,
                    {QStringLiteral("list"), QStringLiteral("--sort"), QStringLiteral("colour")}),
            "sort: ");
        verifyFailure(content(dir, kEditor,
                              {QStringLiteral("list"), QStringLiteral("--author"),
                               QStringLiteral("ghost@colophon.test")}),
                      "author: ");
    }

    void jsonLinesExportImportRoundTripsIntoAFreshReplica()
    {
        const QString source = newReplica();
        const QString category = QUuid::createUuid().toString(QUuid::WithoutBraces);
        addCategory(source, category, QStringLiteral("Guides"));
        // Enough items for two import batches and three export pages.
        QByteArray lines;
        const int count = 1203;
        for (int i = 1; i <= count; ++i) {
            QJsonObject o{{QStringLiteral("title"), QStringLiteral("Bulk item %1").arg(i)},
                          {QStringLiteral("body"), QStringLiteral("Body %1\n").arg(i)}};
            if (i % 3 == 0) {
                o.insert(QStringLiteral("tags"), QJsonArray{QStringLiteral("three")});
            }
            if (i % 100 == 0) {
                o.insert(QStringLiteral("categories"), QJsonArray{category});
                o.insert(QStringLiteral("type"), QStringLiteral("podcast"));
                o.insert(QStringLiteral("metadata"),
                         QJsonObject{{QStringLiteral("n"), i},
                                     {QStringLiteral("nested"),
                                      QJsonObject{{QStringLiteral("a"), QJsonArray{1, "b"}}}}});
            }
            lines += jsonLine(o);
        }
        const QString file = writeFile(m_dir.filePath(QStringLiteral("bulk.jsonl")), lines);
        const Run imported = content(source, kEditor, {QStringLiteral("import"), file});
        QVERIFY2(imported.exitCode == 0, imported.describe().constData());
        QCOMPARE(imported.json(), (QJsonObject{{QStringLiteral("imported"), count}}));
        // and a few made by hand, one published
        const QJsonObject special = createItem(
            source, kCreator,
            {QStringLiteral("--title"), QStringLiteral("Ünïcode \"quotes\" & more"),
             QStringLiteral("--description"), QStringLiteral("line one\nline two\ttab"),
             QStringLiteral("--metadata"), QStringLiteral("{\"x\": null, \"y\": [1.5, false]}"),
             QStringLiteral("--media"), QUuid::createUuid().toString(QUuid::WithoutBraces)});
        QVERIFY(!special.isEmpty());
        QVERIFY(
            content(source, kEditor,
                    {QStringLiteral("set-status"), special.value(QLatin1String("id")).toString(),
                     QStringLiteral("published")})
                .exitCode == 0);

        const Run exported = content(source, kAdmin, {QStringLiteral("export")});
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        const QList<QJsonObject> items = exported.lines();
        QCOMPARE(items.size(), count + 1);
        QCOMPARE(exported.out.count('\n'), count + 1);
        QSet<QString> ids;
        for (const QJsonObject &item : items) {
            ids.insert(item.value(QLatin1String("id")).toString());
        }
        QCOMPARE(ids.size(), count + 1); // pages neither overlap nor skip

        // a creator's export holds their own items and the published ones only
        QCOMPARE(exportAll(source, kCreator).size(), 1);
        QCOMPARE(exportAll(source, kOther).size(), 1);

        const QString target = newReplica();
        addCategory(target, category, QStringLiteral("Guides"));
        const QString exportFile =
            writeFile(m_dir.filePath(QStringLiteral("export.jsonl")), exported.out);
        const Run reimported = content(target, kEditor, {QStringLiteral("import"), exportFile});
        QVERIFY2(reimported.exitCode == 0, reimported.describe().constData());
        QCOMPARE(reimported.json(), (QJsonObject{{QStringLiteral("imported"), count + 1}}));
        const QList<QJsonObject> copies = exportAll(target);
        QCOMPARE(copies.size(), count + 1);
        QCOMPARE(bySlugAndType(copies), bySlugAndType(items));
        for (const QJsonObject &copy : copies) {
            // imports make drafts by the importing user
            QCOMPARE(copy.value(QLatin1String("status")).toString(), QStringLiteral("draft"));
        }
        // standard input works as the file
        const QString third = newReplica();
        addCategory(third, category, QStringLiteral("Guides"));
        const Run fromStdin =
            content(third, kEditor, {QStringLiteral("import"), QStringLiteral("-")}, exported.out);
        QVERIFY2(fromStdin.exitCode == 0, fromStdin.describe().constData());
        QCOMPARE(fromStdin.json().value(QLatin1String("imported")).toInt(), count + 1);
    }

    void markdownExportImportRoundTripsIntoAFreshReplica()
    {
        const QString source = newReplica();
        const QString category = QUuid::createUuid().toString(QUuid::WithoutBraces);
        addCategory(source, category, QStringLiteral("Notes"));
        const QStringList tricky{
            QStringLiteral("null"),
            QStringLiteral("key: value # not a comment"),
            QStringLiteral("'single' and \"double\" quotes, back\\slash"),
            QStringLiteral("- looks like a list item"),
            QStringLiteral("[not, a, list] {nor: a map}"),
            QStringLiteral("Ünïcode — “typographic” 日本語 🎉"),
        };
        for (int i = 0; i < tricky.size(); ++i) {
            const QString bodyFile = writeFile(
                m_dir.filePath(QStringLiteral("tricky-%1.md").arg(i)),
                i == 0 ? QByteArray()
                       : QStringLiteral("---\nnot: front matter\n---\n\n# %1\r\nwith CRLF\r\n"
                                        "and no final newline")
                             .arg(tricky[i])
                             .toUtf8());
            QStringList options{QStringLiteral("--title"),
                                tricky[i],
                                QStringLiteral("--body-file"),
                                bodyFile,
                                QStringLiteral("--description"),
                                QStringLiteral("two\nlines, a tab\t, “curly” and \\ backslash")};
            if (i % 2 == 1) {
                options << QStringLiteral("--tag") << tricky[i].left(40) << QStringLiteral("--tag")
                        << QStringLiteral("plain") << QStringLiteral("--category") << category
                        << QStringLiteral("--metadata")
                        << QStringLiteral("{\"title\": \"%1\", \"n\": [1, 2.5, null, true], "
                                          "\"deep\": {\"a\": {\"b\": \"c\\nd\"}}}")
                               .arg(QString(tricky[i])
                                        .replace(u'\\', QLatin1String("\\\\"))
                                        .replace(u'"', QLatin1String("\\\"")));
            }
            const QJsonObject item = createItem(source, kCreator, options);
            QVERIFY2(!item.isEmpty(), qPrintable(tricky[i]));
        }
        // the same slug under two types: two files
        QVERIFY(!createItem(source, kCreator,
                            {QStringLiteral("--title"), QStringLiteral("Twin"),
                             QStringLiteral("--type"), QStringLiteral("video")})
                     .isEmpty());
        QVERIFY(!createItem(source, kCreator, {QStringLiteral("--title"), QStringLiteral("Twin")})
                     .isEmpty());
        const QList<QJsonObject> items = exportAll(source);
        QCOMPARE(items.size(), tricky.size() + 2);

        const QString out = m_dir.filePath(QStringLiteral("markdown-export"));
        const Run exported = content(source, kEditor,
                                     {QStringLiteral("export"), QStringLiteral("--format"),
                                      QStringLiteral("markdown"), QStringLiteral("--out"), out});
        QVERIFY2(exported.exitCode == 0, exported.describe().constData());
        QCOMPARE(exported.json().value(QLatin1String("exported")).toInt(), items.size());
        const QStringList files =
            QDir(out).entryList({QStringLiteral("*.md")}, QDir::Files, QDir::Name);
        QCOMPARE(files.size(), items.size());
        QVERIFY2(files.contains(QStringLiteral("twin.md")), qPrintable(files.join(u' ')));
        QVERIFY2(files.contains(QStringLiteral("twin-article.md")), qPrintable(files.join(u' ')));
        QVERIFY2(files.contains(QStringLiteral("null.md")), qPrintable(files.join(u' ')));
        // front matter, then the body byte for byte
        QFile twin(QDir(out).filePath(QStringLiteral("twin.md")));
        QVERIFY(twin.open(QIODevice::ReadOnly));
        const QByteArray twinText = twin.readAll();
        QVERIFY2(twinText.startsWith("---\nid: \""), twinText.constData());
        for (const char *key : {"\ntitle: \"Twin\"\n", "\nslug: \"twin\"\n", "\ntype: \"video\"\n",
                                "\nstatus: \"draft\"\n", "\ntags: []\n", "\ncategories: []\n",
                                "\nmetadata: {}\n", "\npublishedAt: null\n", "\n---\n"}) {
            QVERIFY2(twinText.contains(key), twinText.constData());
        }
        QVERIFY2(twinText.endsWith("\n---\n"), twinText.constData());

        const QString target = newReplica();
        addCategory(target, category, QStringLiteral("Notes"));
        const Run imported = content(target, kCreator, {QStringLiteral("import"), out});
        QVERIFY2(imported.exitCode == 0, imported.describe().constData());
        QCOMPARE(imported.json(),
                 (QJsonObject{{QStringLiteral("imported"), static_cast<int>(items.size())}}));
        QCOMPARE(bySlugAndType(exportAll(target)), bySlugAndType(items));

        // One file, named as such, with --format markdown
        const QString single = newReplica();
        addCategory(single, category, QStringLiteral("Notes"));
        const Run one = content(single, kCreator,
                                {QStringLiteral("import"), QDir(out).filePath(files.first()),
                                 QStringLiteral("--format"), QStringLiteral("markdown")});
        QVERIFY2(one.exitCode == 0, one.describe().constData());
        QCOMPARE(one.json().value(QLatin1String("imported")).toInt(), 1);
    }

    void handWrittenFrontMatterInTheSupportedSubset()
    {
        const QString dir = newReplica();
        const QString folder = m_dir.filePath(QStringLiteral("hand-written"));
        QVERIFY(QDir().mkpath(folder));
        writeFile(QDir(folder).filePath(QStringLiteral("a.md")),
                  "---\n"
                  "# a comment line\n"
                  "title: Plain title # a comment\n"
                  "slug: 'plain-title'\n"
                  "description: 'it''s single-quoted'\n"
                  "type: podcast\n"
                  "tags:\n"
                  "  - first\n"
                  "  - \"Second One\"\n"
                  "- third\n"
                  "categories: []\n"
                  "mediaIds:\n"
                  "metadata: {\n"
                  "  \"episode\": 12,\n"
                  "  \"guests\": [\"A\", \"B\"]\n"
                  "}\n"
                  "status: published\n"
                  "---\n"
                  "Body *here*.\n");
        writeFile(QDir(folder).filePath(QStringLiteral("b.md")),
                  "---\r\ntitle: \"Escapes \\u00e9\\/\\\"q\\\" \\U0001F600\"\r\ntags: [x, 'y z', "
                  "\"w\"]\r\n...\r\nCRLF body\r\n");
        writeFile(QDir(folder).filePath(QStringLiteral("notes.txt")), "not Markdown: skipped");
        const Run run = content(dir, kCreator, {QStringLiteral("import"), folder});
        QVERIFY2(run.exitCode == 0, run.describe().constData());
        QCOMPARE(run.json().value(QLatin1String("imported")).toInt(), 2);
        const QList<QJsonObject> items = exportAll(dir);
        QCOMPARE(items.size(), 2);
        // one batch: the same creation time, so find them by title
        const bool aFirst = items[0].value(QLatin1String("slug")) == QJsonValue("plain-title");
        const QJsonObject a = items[aFirst ? 0 : 1];
        QCOMPARE(a.value(QLatin1String("title")).toString(), QStringLiteral("Plain title"));
        QCOMPARE(a.value(QLatin1String("slug")).toString(), QStringLiteral("plain-title"));
        QCOMPARE(a.value(QLatin1String("description")).toString(),
                 QStringLiteral("it's single-quoted"));
        QCOMPARE(a.value(QLatin1String("type")).toString(), QStringLiteral("podcast"));
        QCOMPARE(a.value(QLatin1String("tags")).toArray(),
                 (QJsonArray{QStringLiteral("first"), QStringLiteral("second one"),
                             QStringLiteral("third")}));
        QCOMPARE(a.value(QLatin1String("metadata")).toObject(),
                 (QJsonObject{{QStringLiteral("episode"), 12},
                              {QStringLiteral("guests"), QJsonArray{"A", "B"}}}));
        QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("draft"));
        QCOMPARE(a.value(QLatin1String("body")).toString(), QStringLiteral("Body *here*.\n"));
        const QJsonObject b = items[aFirst ? 1 : 0];
        QCOMPARE(b.value(QLatin1String("title")).toString(),
                 QStringLiteral("Escapes é/\"q\" \U0001F600"));
        QCOMPARE(b.value(QLatin1String("tags")).toArray(),
                 (QJsonArray{QStringLiteral("w"), QStringLiteral("x"), QStringLiteral("y z")}));
        QCOMPARE(b.value(QLatin1String("body")).toString(), QStringLiteral("CRLF body\r\n"));
    }

    void markdownImportRefusesWhatItCannotReadAndWritesNothing_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no front matter")
            << QByteArray("# Just Markdown\n") << QByteArray("bad.md: front matter: ");
        QTest::newRow("not closed")
            << QByteArray("---\ntitle: x\n") << QByteArray("bad.md: front matter: no closing");
        QTest::newRow("block scalar") << QByteArray("---\ntitle: |\n  x\n---\n")
                                      << QByteArray("bad.md: front matter: line 2: block scalars");
        QTest::newRow("nested map")
            << QByteArray("---\ntitle: x\nmetadata:\n  a: 1\n---\n")
            << QByteArray("bad.md: front matter: line 4: unexpected indentation");
        QTest::newRow("duplicate key")
            << QByteArray("---\ntitle: x\ntitle: y\n---\n")
            << QByteArray("bad.md: front matter: line 3: title is given twice");
        QTest::newRow("anchor") << QByteArray("---\ntitle: &a x\n---\n")
                                << QByteArray("bad.md: front matter: line 2: anchors");
        QTest::newRow("unclosed quote")
            << QByteArray("---\ntitle: \"x\n---\n") << QByteArray("bad.md: front matter: line 2: ");
        QTest::newRow("metadata not JSON") << QByteArray("---\ntitle: x\nmetadata: {a: 1}\n---\n")
                                           << QByteArray("bad.md: front matter: line 3: ");
        QTest::newRow("colon in plain value") << QByteArray("---\ntitle: a: b\n---\n")
                                              << QByteArray("bad.md: front matter: line 2: quote");
        QTest::newRow("no title") << QByteArray("---\nslug: x\n---\n")
                                  << QByteArray("bad.md: title: ");
        QTest::newRow("tags not a list")
            << QByteArray("---\ntitle: x\ntags: news\n---\n") << QByteArray("bad.md: tags: ");
        QTest::newRow("body in front matter")
            << QByteArray("---\ntitle: x\nbody: y\n---\n") << QByteArray("bad.md: body: ");
        QTest::newRow("unknown field") << QByteArray("---\ntitle: x\nauthor: me\n---\n")
                                       << QByteArray("bad.md: author: unknown field");
        QTest::newRow("service refuses")
            << QByteArray("---\ntitle: x\nslug: Not Valid\n---\n") << QByteArray("bad.md: slug: ");
        QTest::newRow("not UTF-8")
            << QByteArray("---\ntitle: \xff\xfe\n---\n") << QByteArray("bad.md: ");
    }

    void markdownImportRefusesWhatItCannotReadAndWritesNothing()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, message);
        const QString folder = m_dir.filePath(QStringLiteral("md-bad-%1").arg(m_replicas++));
        QVERIFY(QDir().mkpath(folder));
        writeFile(QDir(folder).filePath(QStringLiteral("a-good.md")),
                  "---\ntitle: Good\n---\nok\n");
        writeFile(QDir(folder).filePath(QStringLiteral("bad.md")), text);
        writeFile(QDir(folder).filePath(QStringLiteral("c-good.md")), "---\ntitle: Fine\n---\n");
        const qsizetype before = exportAll(m_shared).size();
        const Run run = content(m_shared, kCreator, {QStringLiteral("import"), folder});
        QVERIFY2(run.exitCode == 1, run.describe().constData());
        QVERIFY2(run.out.isEmpty(), run.describe().constData());
        const QList<QByteArray> lines = run.errorLines();
        QVERIFY2(lines.size() == 2, run.describe().constData());
        QVERIFY2(lines[0].startsWith("colophonctl: " + message), run.describe().constData());
        QVERIFY2(lines[1].contains("nothing was imported"), run.describe().constData());
        QCOMPARE(exportAll(m_shared).size(), before);
    }

    void jsonLinesImportWithABadLineWritesNothingAndNamesTheLine()
    {
        const QString dir = newReplica();
        // line 4 is refused by the service (empty title); line 2 is blank
        const QByteArray text = "{\"title\":\"one\"}\n"
                                "\n"
                                "{\"title\":\"three\",\"tags\":[\"a\"]}\n"
                                "{\"title\":\"   \",\"slug\":\"four\"}\n"
                                "{\"title\":\"five\"}\n";
        const QString file = writeFile(m_dir.filePath(QStringLiteral("bad-line.jsonl")), text);
        const Run run = content(dir, kCreator, {QStringLiteral("import"), file});
        QVERIFY2(run.exitCode == 1, run.describe().constData());
        QVERIFY2(run.out.isEmpty(), run.describe().constData());
        const QList<QByteArray> lines = run.errorLines();
        QVERIFY2(lines.size() == 2, run.describe().constData());
        QVERIFY2(lines[0].startsWith("colophonctl: line 4: title: "), run.describe().constData());
        QVERIFY2(lines[1].contains("nothing was imported"), run.describe().constData());
        QCOMPARE(exportAll(dir).size(), 0);

        // Lines that do not parse are all named, and nothing is written either.
        const QString unreadable =
            writeFile(m_dir.filePath(QStringLiteral("unreadable.jsonl")),
                      "{\"title\":\"ok\"}\nnot json\n[1,2]\n{\"title\":\"x\",\"colour\":\"red\"}\n"
                      "{\"title\":\"x\",\"tags\":\"a\"}\n{\"title\":\"x\",\"type\":\"essay\"}\n"
                      "{\"title\":\"x\",\"publishAt\":\"soon\"}\n");
        const Run refused = content(dir, kCreator, {QStringLiteral("import"), unreadable});
        QVERIFY2(refused.exitCode == 1, refused.describe().constData());
        const QList<QByteArray> named = refused.errorLines();
        QVERIFY2(named.size() == 7, refused.describe().constData());
        QVERIFY2(named[0].startsWith("colophonctl: line 2: "), refused.describe().constData());
        QVERIFY2(named[1].startsWith("colophonctl: line 3: "), refused.describe().constData());
        QVERIFY2(named[2].startsWith("colophonctl: line 4: colour: unknown field"),
                 refused.describe().constData());
        QVERIFY2(named[3].startsWith("colophonctl: line 5: tags: "),
                 refused.describe().constData());
        QVERIFY2(named[4].startsWith("colophonctl: line 6: type: "),
                 refused.describe().constData());
        QVERIFY2(named[5].startsWith("colophonctl: line 7: publishAt: "),
                 refused.describe().constData());
        QVERIFY2(named[6].contains("6 records rejected; nothing was imported"),
                 refused.describe().constData());
        QCOMPARE(exportAll(dir).size(), 0);

        // A consumer may not import; a missing file is a failure.
        const QString good =
            writeFile(m_dir.filePath(QStringLiteral("good.jsonl")), "{\"title\":\"fine\"}\n");
        QCOMPARE(content(dir, kConsumer, {QStringLiteral("import"), good}).exitCode, 1);
        verifyFailure(
            content(dir, kCreator,
                    {QStringLiteral("import"), m_dir.filePath(QStringLiteral("missing.jsonl"))}),
            "cannot read ");
        QCOMPARE(exportAll(dir).size(), 0);
    }

    void eachBatchOfAThousandIsAllOrNothing()
    {
        const QString dir = newReplica();
        QByteArray text;
        for (int line = 1; line <= 1500; ++line) {
            text +=
                line == 1200
                    ? QByteArray("{\"title\":\"\"}\n")
                    : jsonLine({{QStringLiteral("title"), QStringLiteral("Line %1").arg(line)}});
        }
        const QString file = writeFile(m_dir.filePath(QStringLiteral("batches.jsonl")), text);
        const Run run = content(dir, kCreator, {QStringLiteral("import"), file});
        QVERIFY2(run.exitCode == 1, run.describe().constData());
        const QList<QByteArray> lines = run.errorLines();
        QVERIFY2(lines.size() == 2, run.describe().constData());
        QVERIFY2(lines[0].startsWith("colophonctl: line 1200: title: "),
                 run.describe().constData());
        QVERIFY2(lines[1].contains("the 1000 items before line 1001 were imported"),
                 run.describe().constData());
        // the first batch was written, nothing of the second
        const QList<QJsonObject> items = exportAll(dir);
        QCOMPARE(items.size(), 1000);
        QSet<QString> titles;
        for (const QJsonObject &item : items) {
            titles.insert(item.value(QLatin1String("title")).toString());
        }
        for (int line = 1; line <= 1000; ++line) {
            QVERIFY2(titles.contains(QStringLiteral("Line %1").arg(line)),
                     qPrintable(QString::number(line)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCtlContent)
#include "tst_ctlcontent.moc"
